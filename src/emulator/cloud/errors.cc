#include "emulator/cloud/errors.h"

namespace crosskey::cloud::errors {

Error InvalidState(const std::string& what) { return MakeError(400, "InvalidState", what); }

}  // namespace crosskey::cloud::errors
