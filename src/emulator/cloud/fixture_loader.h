#pragma once
// Declarative fixtures: a JSON document describing tenants and everything in them, applied to
// a fresh Cloud through the same core functions the HTTP adapters call. The format is
// documented in README.md ("Fixtures"). A fixture that fails is reported with the JSON path of
// the offending field; the caller discards the Cloud, so nothing of it is applied.
// Thread-safety: call before the Cloud serves requests.
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/cloud/cloud.h"

namespace crosskey {

// Errors: InvalidFixture (400) with "path: reason" in the message.
Status LoadFixture(Cloud* cloud, const nlohmann::json& fixture);

}  // namespace crosskey
