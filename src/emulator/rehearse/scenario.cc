#include "emulator/rehearse/scenario.h"

#include <algorithm>
#include <filesystem>

#include "emulator/rehearse/errors.h"

namespace crosskey::rehearse {
namespace {
using json = nlohmann::json;

std::string Clock(int64_t s) {
  if (s % 86400 == 0 && s != 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0 && s != 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0 && s != 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

// An optional string member; absent leaves *out as it was.
Status StringField(const json& j, const char* key, const std::string& file, const std::string& path, std::string* out) {
  if (!j.contains(key)) return Status::Ok();
  if (!j[key].is_string()) return errors::InvalidScenario(file, path + "." + key, "must be a string");
  *out = j[key].get<std::string>();
  return Status::Ok();
}

// {"revoke": PATH} or {"restore": PATH}: a typo in the path fails at parse time, not mid-rehearsal.
Status ParseChainStep(const json& j, const std::string& file, const std::string& p, Step* st) {
  st->kind = j.contains("revoke") ? StepKind::kRevoke : StepKind::kRestore;
  const char* key = j.contains("revoke") ? "revoke" : "restore";
  CK_RETURN_IF_ERROR(StringField(j, key, file, p, &st->path));
  const auto& paths = RevocationPaths();
  if (std::find(paths.begin(), paths.end(), st->path) == paths.end()) {
    std::string known;
    for (const auto& x : paths) known += (known.empty() ? "" : ", ") + x;
    return errors::InvalidScenario(file, p + "." + key, "unknown revocation path '" + st->path + "' (one of " + known + ")");
  }
  return Status::Ok();
}

// {"write": {"item", "data"}} or {"read": {"item", "expect"?}}.
Status ParseDataStep(const json& j, const std::string& file, const std::string& p, Step* st) {
  st->kind = j.contains("write") ? StepKind::kWrite : StepKind::kRead;
  const char* key = j.contains("write") ? "write" : "read";
  const json& w = j[key];
  std::string wp = p + "." + key;
  if (!w.is_object()) return errors::InvalidScenario(file, wp, "must be an object {\"item\": ..., \"data\": ...}");
  CK_RETURN_IF_ERROR(StringField(w, "item", file, wp, &st->item));
  CK_RETURN_IF_ERROR(StringField(w, "expectError", file, wp, &st->expect_error));
  if (st->kind == StepKind::kWrite) {
    if (!w.contains("data") || !w["data"].is_string()) return errors::InvalidScenario(file, wp + ".data", "a string is required");
    st->data = w["data"].get<std::string>();
  } else if (w.contains("expect")) {
    if (!w["expect"].is_string()) return errors::InvalidScenario(file, wp + ".expect", "must be a string");
    st->data = w["expect"].get<std::string>();
    st->expect_data = true;
  }
  if (st->item.empty()) return errors::InvalidScenario(file, wp + ".item", "must not be empty");
  return Status::Ok();
}

// {"expect": {"state"?, "error"?}}: an expectation with neither would always hold.
Status ParseExpectStep(const json& j, const std::string& file, const std::string& p, Step* st) {
  st->kind = StepKind::kExpect;
  const json& e = j["expect"];
  if (!e.is_object()) return errors::InvalidScenario(file, p + ".expect", "must be an object {\"state\": ..., \"error\": ...}");
  CK_RETURN_IF_ERROR(StringField(e, "state", file, p + ".expect", &st->expect_state));
  CK_RETURN_IF_ERROR(StringField(e, "error", file, p + ".expect", &st->expect_error));
  if (st->expect_state.empty() && st->expect_error.empty()) {
    return errors::InvalidScenario(file, p + ".expect", "needs a state or an error");
  }
  return Status::Ok();
}

// One step at JSON path `p`; `default_consumer` is the scenario's.
StatusOr<Step> ParseStep(const json& j, const std::string& file, const std::string& p, const std::string& default_consumer) {
  if (!j.is_object()) return errors::InvalidScenario(file, p, "a step is an object");
  Step st;
  CK_RETURN_IF_ERROR(StringField(j, "consumer", file, p, &st.consumer));
  CK_RETURN_IF_ERROR(StringField(j, "note", file, p, &st.note));
  CK_RETURN_IF_ERROR(StringField(j, "expectError", file, p, &st.expect_error));
  if (st.consumer.empty()) st.consumer = default_consumer;
  int actions = 0;
  for (const char* k : {"revoke", "restore", "advance", "check", "write", "read", "expect", "revalidate"}) {
    actions += j.contains(k);
  }
  if (actions != 1) {
    return errors::InvalidScenario(
        file, p, "a step has exactly one of revoke, restore, advance, check, write, read, expect, revalidate");
  }
  if (j.contains("revoke") || j.contains("restore")) {
    CK_RETURN_IF_ERROR(ParseChainStep(j, file, p, &st));
  } else if (j.contains("advance")) {
    st.kind = StepKind::kAdvance;
    auto s = ParseDuration(j["advance"]);
    if (!s) return errors::InvalidScenario(file, p + ".advance", "a duration: seconds, or \"90s\", \"10m\", \"2h\", \"7d\"");
    st.seconds = *s;
  } else if (j.contains("check")) {
    st.kind = StepKind::kCheck;
  } else if (j.contains("revalidate")) {
    st.kind = StepKind::kRevalidate;  // a SQL server's TDE protector, as an operator revalidates it
  } else if (j.contains("write") || j.contains("read")) {
    CK_RETURN_IF_ERROR(ParseDataStep(j, file, p, &st));
  } else {
    CK_RETURN_IF_ERROR(ParseExpectStep(j, file, p, &st));
  }
  if (st.consumer.empty() && st.kind != StepKind::kAdvance && st.kind != StepKind::kCheck) {
    return errors::InvalidScenario(file, p + ".consumer", "no consumer named here or at $.consumer");
  }
  return st;
}
}  // namespace

std::optional<int64_t> ParseDuration(const json& value) {
  if (value.is_number_integer()) {
    int64_t n = value.get<int64_t>();
    return n >= 0 ? std::optional<int64_t>(n) : std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  std::string s = value.get<std::string>();
  if (s.empty()) return std::nullopt;
  int64_t unit = 1;
  switch (s.back()) {
    case 's': unit = 1; s.pop_back(); break;
    case 'm': unit = 60; s.pop_back(); break;
    case 'h': unit = 3600; s.pop_back(); break;
    case 'd': unit = 86400; s.pop_back(); break;
    default: break;
  }
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(s) * unit;
}

std::string Step::Describe() const {
  switch (kind) {
    case StepKind::kRevoke: return "revoke " + path;
    case StepKind::kRestore: return "restore " + path;
    case StepKind::kAdvance: return "advance " + Clock(seconds);
    case StepKind::kCheck: return "check now";
    case StepKind::kRevalidate: return "revalidate the TDE protector";
    case StepKind::kWrite: return "write " + item;
    case StepKind::kRead: return "read " + item;
    case StepKind::kExpect: return "expect " + (expect_state.empty() ? std::string("error") : expect_state);
  }
  return "";
}

StatusOr<Scenario> ParseScenario(const json& doc, const std::string& file) {
  if (!doc.is_object()) return errors::InvalidScenario(file, "$", "a scenario is a JSON object");
  Scenario sc;
  sc.file = file;
  CK_RETURN_IF_ERROR(StringField(doc, "name", file, "$", &sc.name));
  if (sc.name.empty()) sc.name = std::filesystem::path(file).stem().string();
  CK_RETURN_IF_ERROR(StringField(doc, "description", file, "$", &sc.description));
  CK_RETURN_IF_ERROR(StringField(doc, "consumer", file, "$", &sc.consumer));
  CK_RETURN_IF_ERROR(StringField(doc, "fixture", file, "$", &sc.fixture));
  if (!sc.fixture.empty() && std::filesystem::path(sc.fixture).is_relative()) {
    sc.fixture = (std::filesystem::path(file).parent_path() / sc.fixture).lexically_normal().string();
  }
  if (doc.contains("settings")) {
    if (!doc["settings"].is_object()) return errors::InvalidScenario(file, "$.settings", "must be an object");
    sc.settings = doc["settings"];
  }
  if (!doc.contains("steps") || !doc["steps"].is_array() || doc["steps"].empty()) {
    return errors::InvalidScenario(file, "$.steps", "a non-empty array of steps is required");
  }
  for (size_t i = 0; i < doc["steps"].size(); ++i) {
    CK_ASSIGN_OR_RETURN(Step st, ParseStep(doc["steps"][i], file, "$.steps[" + std::to_string(i) + "]", sc.consumer));
    sc.steps.push_back(std::move(st));
  }
  return sc;
}

}  // namespace crosskey::rehearse
