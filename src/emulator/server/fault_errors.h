#pragma once
// Named factories for the errors an injected fault answers with. The router hands them to the
// target plane's own mapper, so an injected 503 looks exactly like a real one on that plane
// (Key Vault innererror, Graph innerError, Storage XML, OAuth error_codes).
// Thread-safety: free functions.
#include <string>

#include "emulator/common/status.h"

namespace crosskey::server::errors {

// A fault rule's `status` on `plane` (login, graph, arm, keyvault, blob, mi), message
// "injected fault <id>", with the code Azure uses for that status on that plane.
Error InjectedFault(int status, const std::string& plane, const std::string& rule_id);
// What a drop answers when the connection could not be ended.
Error InjectedDropFailed(const std::string& plane, const std::string& rule_id);

}  // namespace crosskey::server::errors
