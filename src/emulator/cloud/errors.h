#pragma once
// Named factories for the errors of the whole-cloud state document (cloud_state.cc); each
// core's part has its own (consumer/errors.h, token/errors.h). The control API renders them.
// Thread-safety: free functions.
#include <string>

#include "emulator/common/status.h"

namespace crosskey::cloud::errors {

// POST /_emulator/state (or a --fixture holding a state document) that this build cannot
// import: not a state document, an unsupported version, or an unreadable member (400).
Error InvalidState(const std::string& what);

}  // namespace crosskey::cloud::errors
