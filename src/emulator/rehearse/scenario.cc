#include "emulator/rehearse/scenario.h"

#include <algorithm>
#include <filesystem>

namespace crosskey::rehearse {
namespace {
using json = nlohmann::json;

Error InvalidScenario(const std::string& file, const std::string& path, const std::string& reason) {
  return MakeError(400, "InvalidScenario", file + ": " + path + ": " + reason);
}

std::string Clock(int64_t s) {
  if (s % 86400 == 0 && s != 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0 && s != 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0 && s != 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
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
    case StepKind::kWrite: return "write " + item;
    case StepKind::kRead: return "read " + item;
    case StepKind::kExpect: return "expect " + (expect_state.empty() ? std::string("error") : expect_state);
  }
  return "";
}

StatusOr<Scenario> ParseScenario(const json& doc, const std::string& file) {
  if (!doc.is_object()) return InvalidScenario(file, "$", "a scenario is a JSON object");
  Scenario sc;
  sc.file = file;
  auto str = [&](const json& j, const char* key, const std::string& path, std::string* out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_string()) return InvalidScenario(file, path + "." + key, "must be a string");
    *out = j[key].get<std::string>();
    return Status::Ok();
  };
  CK_RETURN_IF_ERROR(str(doc, "name", "$", &sc.name));
  if (sc.name.empty()) sc.name = std::filesystem::path(file).stem().string();
  CK_RETURN_IF_ERROR(str(doc, "description", "$", &sc.description));
  CK_RETURN_IF_ERROR(str(doc, "consumer", "$", &sc.consumer));
  CK_RETURN_IF_ERROR(str(doc, "fixture", "$", &sc.fixture));
  if (!sc.fixture.empty() && std::filesystem::path(sc.fixture).is_relative()) {
    sc.fixture = (std::filesystem::path(file).parent_path() / sc.fixture).lexically_normal().string();
  }
  if (doc.contains("settings")) {
    if (!doc["settings"].is_object()) return InvalidScenario(file, "$.settings", "must be an object");
    sc.settings = doc["settings"];
  }
  if (!doc.contains("steps") || !doc["steps"].is_array() || doc["steps"].empty()) {
    return InvalidScenario(file, "$.steps", "a non-empty array of steps is required");
  }
  const auto& paths = RevocationPaths();
  for (size_t i = 0; i < doc["steps"].size(); ++i) {
    const json& j = doc["steps"][i];
    std::string p = "$.steps[" + std::to_string(i) + "]";
    if (!j.is_object()) return InvalidScenario(file, p, "a step is an object");
    Step st;
    CK_RETURN_IF_ERROR(str(j, "consumer", p, &st.consumer));
    CK_RETURN_IF_ERROR(str(j, "note", p, &st.note));
    CK_RETURN_IF_ERROR(str(j, "expectError", p, &st.expect_error));
    if (st.consumer.empty()) st.consumer = sc.consumer;
    int actions = 0;
    for (const char* k : {"revoke", "restore", "advance", "check", "write", "read", "expect"}) actions += j.contains(k);
    if (actions != 1) {
      return InvalidScenario(file, p, "a step has exactly one of revoke, restore, advance, check, write, read, expect");
    }
    if (j.contains("revoke") || j.contains("restore")) {
      st.kind = j.contains("revoke") ? StepKind::kRevoke : StepKind::kRestore;
      const char* key = j.contains("revoke") ? "revoke" : "restore";
      CK_RETURN_IF_ERROR(str(j, key, p, &st.path));
      if (std::find(paths.begin(), paths.end(), st.path) == paths.end()) {
        std::string known;
        for (const auto& x : paths) known += (known.empty() ? "" : ", ") + x;
        return InvalidScenario(file, p + "." + key, "unknown revocation path '" + st.path + "' (one of " + known + ")");
      }
    } else if (j.contains("advance")) {
      st.kind = StepKind::kAdvance;
      auto s = ParseDuration(j["advance"]);
      if (!s) return InvalidScenario(file, p + ".advance", "a duration: seconds, or \"90s\", \"10m\", \"2h\", \"7d\"");
      st.seconds = *s;
    } else if (j.contains("check")) {
      st.kind = StepKind::kCheck;
    } else if (j.contains("write") || j.contains("read")) {
      st.kind = j.contains("write") ? StepKind::kWrite : StepKind::kRead;
      const char* key = j.contains("write") ? "write" : "read";
      const json& w = j[key];
      std::string wp = p + "." + key;
      if (!w.is_object()) return InvalidScenario(file, wp, "must be an object {\"item\": ..., \"data\": ...}");
      CK_RETURN_IF_ERROR(str(w, "item", wp, &st.item));
      CK_RETURN_IF_ERROR(str(w, "expectError", wp, &st.expect_error));
      if (st.kind == StepKind::kWrite) {
        if (!w.contains("data") || !w["data"].is_string()) return InvalidScenario(file, wp + ".data", "a string is required");
        st.data = w["data"].get<std::string>();
      } else if (w.contains("expect")) {
        if (!w["expect"].is_string()) return InvalidScenario(file, wp + ".expect", "must be a string");
        st.data = w["expect"].get<std::string>();
        st.expect_data = true;
      }
      if (st.item.empty()) return InvalidScenario(file, wp + ".item", "must not be empty");
    } else {
      st.kind = StepKind::kExpect;
      const json& e = j["expect"];
      if (!e.is_object()) return InvalidScenario(file, p + ".expect", "must be an object {\"state\": ..., \"error\": ...}");
      CK_RETURN_IF_ERROR(str(e, "state", p + ".expect", &st.expect_state));
      CK_RETURN_IF_ERROR(str(e, "error", p + ".expect", &st.expect_error));
      if (st.expect_state.empty() && st.expect_error.empty()) {
        return InvalidScenario(file, p + ".expect", "needs a state or an error");
      }
    }
    if (st.consumer.empty() && st.kind != StepKind::kAdvance && st.kind != StepKind::kCheck) {
      return InvalidScenario(file, p + ".consumer", "no consumer named here or at $.consumer");
    }
    sc.steps.push_back(std::move(st));
  }
  return sc;
}

}  // namespace crosskey::rehearse
