#include "emulator/rehearse/rehearsal.h"

#include <algorithm>
#include <cstdio>

#include "emulator/common/text.h"
#include "emulator/rehearse/errors.h"

namespace crosskey::rehearse {
namespace {
std::string ErrorOf(const Json& error) {
  if (!error.is_object()) return "";
  std::string code = error.value("innerCode", error.value("code", ""));
  std::string message = error.value("message", "");
  // Entra refusals carry their AADSTS number in the text: show it.
  auto at = message.find("AADSTS");
  if (at != std::string::npos) {
    auto end = message.find(':', at);
    code += " " + message.substr(at, end == std::string::npos ? std::string::npos : end - at);
  }
  return code;
}

// Whether `seen` carries the step's expected error; a miss is appended to *detail.
bool ErrorMatches(const std::string& expected, const std::string& seen, std::string* detail) {
  if (expected.empty()) return true;
  if (seen.find(expected) != std::string::npos) return true;
  *detail += (detail->empty() ? "" : "; ") + std::string("expected error ") + expected + ", saw " + (seen.empty() ? "none" : seen);
  return false;
}

// The data plane's name for a consumer kind (/_emulator/data/{kind}/...).
std::string DataKind(const std::string& kind) {
  if (kind == "storage" || kind == "cosmos" || kind == "disks" || kind == "sql") return kind;
  return "";
}

// advance and check: the control call must succeed.
bool ControlStepOk(const ApiResponse& r, std::string* detail) {
  if (r.status != 200) *detail = Planes::ErrorText(r);
  return r.status == 200;
}

// revoke and restore: a step expecting an error passes only when the action fails with it.
bool ChainStepOk(const Step& step, const StatusOr<std::string>& done, std::string* detail) {
  if (done.ok()) {
    *detail = *done;
    if (!step.expect_error.empty()) {
      *detail += "; expected error " + step.expect_error + ", but it succeeded";
      return false;
    }
    return true;
  }
  *detail = done.error().message;
  return !step.expect_error.empty() && ErrorMatches(step.expect_error, done.error().message, detail);
}

// write and read, through the control API's data routes, as the platform's client would.
bool DataStepOk(Planes& planes, const Step& step, const ConsumerView& c, std::string* detail) {
  std::string kind = DataKind(c.kind);
  if (kind.empty()) {
    *detail = c.name + " (" + c.kind + ") holds no data: read and write its disks or databases";
    return false;
  }
  std::string path = "/data/" + kind + "/" + c.name + "?item=" + UrlEncode(step.item);
  auto r = step.kind == StepKind::kWrite ? planes.ControlRaw("PUT", path, step.data) : planes.ControlRaw("GET", path, "");
  bool ok = r.status >= 200 && r.status < 300;
  std::string seen = ok ? "" : Planes::ErrorText(r);
  if (!step.expect_error.empty()) {
    if (ok) {
      *detail = "expected error " + step.expect_error + ", but it succeeded";
      return false;
    }
    *detail = seen;
    return ErrorMatches(step.expect_error, seen, detail);
  }
  if (!ok) {
    *detail = seen;
    return false;
  }
  if (step.kind == StepKind::kRead) {
    *detail = std::to_string(r.body.size()) + " bytes";
    if (step.expect_data && r.body != step.data) {
      *detail = "read \"" + r.body.substr(0, 60) + "\", expected \"" + step.data + "\"";
      return false;
    }
  } else {
    *detail = std::to_string(step.data.size()) + " bytes";
  }
  return true;
}

// expect: both the state and the error, when given, must hold; every miss is reported.
bool ExpectationHolds(const Step& step, const ConsumerView& c, std::string* detail) {
  bool ok = true;
  if (!step.expect_state.empty() && !EqualsIgnoreCase(c.state, step.expect_state)) {
    *detail = "expected state " + step.expect_state + ", saw " + c.state;
    ok = false;
  }
  if (!step.expect_error.empty()) {
    std::string seen = c.error.is_object() ? c.error.dump() : "";
    ok = ErrorMatches(step.expect_error, seen, detail) && ok;
  }
  return ok;
}
}  // namespace

std::string Elapsed(int64_t s) {
  char buf[48];
  if (s < 0) s = 0;
  int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60;
  if (d) std::snprintf(buf, sizeof buf, "T+%lldd%02lldh%02lldm", (long long)d, (long long)h, (long long)m);
  else if (h) std::snprintf(buf, sizeof buf, "T+%lldh%02lldm%02llds", (long long)h, (long long)m, (long long)sec);
  else if (m) std::snprintf(buf, sizeof buf, "T+%lldm%02llds", (long long)m, (long long)sec);
  else std::snprintf(buf, sizeof buf, "T+%llds", (long long)sec);
  return buf;
}

StatusOr<ConsumerView> Rehearsal::Consumer(const std::string& ref) {
  auto r = planes_.Control("GET", "/consumers");
  if (r.status != 200 || !r.json.is_object()) return errors::ConsumersUnavailable(Planes::ErrorText(r));
  for (const auto& v : r.json.value("value", Json::array())) {
    if (!EqualsIgnoreCase(v.value("name", ""), ref) && !EqualsIgnoreCase(v.value("id", ""), ref)) continue;
    ConsumerView c;
    c.raw = v;
    c.id = v.value("id", "");
    c.name = v.value("name", "");
    c.kind = v.value("kind", "");
    c.owner_id = v.value("ownerId", c.id);
    c.state = v.value("state", "");
    c.chain = v.value("chain", Json());
    c.error = v.value("error", Json());
    return c;
  }
  return errors::ConsumerNotFound(ref);
}

bool Rehearsal::ExpectError(const std::string& expected, const std::string& seen, std::string* detail) const {
  return ErrorMatches(expected, seen, detail);
}

bool Rehearsal::Do(const Step& step, std::string* detail) {
  switch (step.kind) {
    case StepKind::kAdvance: return ControlStepOk(planes_.Control("POST", "/clock", {{"advanceSeconds", step.seconds}}), detail);
    case StepKind::kCheck: return ControlStepOk(planes_.Control("POST", "/consumers/check"), detail);
    case StepKind::kRevoke:
    case StepKind::kRestore: {
      auto c = Consumer(step.consumer);
      if (!c.ok()) {
        *detail = c.error().message;
        return false;
      }
      auto done = step.kind == StepKind::kRevoke ? revocations_.Revoke(step.path, *c) : revocations_.Restore(step.path, *c);
      return ChainStepOk(step, done, detail);
    }
    case StepKind::kRevalidate: {
      auto c = Consumer(step.consumer);
      if (!c.ok()) {
        *detail = c.error().message;
        return false;
      }
      return ChainStepOk(step, revocations_.RevalidateProtector(*c), detail);
    }
    case StepKind::kWrite:
    case StepKind::kRead: {
      auto c = Consumer(step.consumer);
      if (!c.ok()) {
        *detail = c.error().message;
        return false;
      }
      return DataStepOk(planes_, step, *c, detail);
    }
    case StepKind::kExpect: {
      auto c = Consumer(step.consumer);
      if (!c.ok()) {
        *detail = c.error().message;
        return false;
      }
      return ExpectationHolds(step, *c, detail);
    }
  }
  return false;
}

Json Rehearsal::Run(const Scenario& sc, const Json& fixture_json) {
  Json timeline = {{"scenario", sc.name}, {"description", sc.description}, {"file", sc.file}, {"passed", false},
                   {"steps", Json::array()}};
  auto fail_setup = [&](const std::string& what, const ApiResponse& r) {
    timeline["error"] = what + ": " + Planes::ErrorText(r);
    return timeline;
  };
  if (!fixture_json.is_null()) {
    auto r = planes_.Control("POST", "/state", fixture_json);
    if (r.status != 200) return fail_setup("load fixture " + sc.fixture, r);
    planes_.Reset();
  }
  if (sc.settings.is_object()) {
    auto r = planes_.Control("POST", "/consumers/settings", sc.settings);
    if (r.status != 200) return fail_setup("consumer settings", r);
  }
  // The clock stands still between steps, so a timeline reads the same on every run; it is
  // left as it was found.
  auto clock = planes_.Control("GET", "/clock");
  bool was_frozen = clock.json.is_object() && clock.json.value("frozen", false);
  if (!was_frozen) planes_.Control("POST", "/clock", {{"freeze", true}});
  int64_t start = planes_.Now();
  timeline["startEpoch"] = start;
  bool passed = true;
  for (size_t i = 0; i < sc.steps.size(); ++i) {
    const Step& step = sc.steps[i];
    std::string detail;
    bool ok = Do(step, &detail);
    passed = passed && ok;
    Json row = {{"index", i}, {"step", step.Describe()}, {"consumer", step.consumer}, {"ok", ok}, {"detail", detail}};
    if (!step.note.empty()) row["note"] = step.note;
    int64_t now = planes_.Now();
    row["epoch"] = now;
    row["time"] = IsoTime(now);
    row["elapsedSeconds"] = now - start;
    if (!step.consumer.empty()) {
      auto c = Consumer(step.consumer);
      if (c.ok()) {
        row["state"] = c->state;
        row["error"] = ErrorOf(c->error);
        row["tokenExpiresEpoch"] = c->raw.value("tokenExpiresEpoch", Json());
      }
    }
    timeline["steps"].push_back(row);
  }
  if (!was_frozen) planes_.Control("POST", "/clock", {{"freeze", false}});
  timeline["passed"] = passed;
  return timeline;
}

void Rehearsal::Print(const Json& t, std::ostream& out) {
  out << "scenario " << t.value("scenario", "") << (t.value("description", "").empty() ? "" : ": " + t.value("description", ""))
      << "\n";
  if (t.contains("error")) out << "  setup failed: " << t["error"].get<std::string>() << "\n";
  int64_t start = t.value("startEpoch", int64_t{0});
  Json last_token;
  for (const auto& row : t.value("steps", Json::array())) {
    char line[512];
    std::string state = row.value("state", "");
    std::string error = row.value("error", "");
    std::string token;
    // The platform's cached token, when it changes: paths 6-8 bite only once it expires.
    Json tok = row.value("tokenExpiresEpoch", Json());
    if (tok != last_token) {
      token = tok.is_number_integer() ? "platform token valid until " + Elapsed(tok.get<int64_t>() - start)
                                      : "platform holds no token";
      last_token = tok;
    }
    std::snprintf(line, sizeof line, "  %-12s %-20s  %-24s %-13s %-34s %s", Elapsed(row.value("elapsedSeconds", int64_t{0})).c_str(),
                  row.value("time", "").c_str(), row.value("step", "").c_str(), state.c_str(), error.c_str(),
                  row.value("ok", false) ? "ok" : "FAILED");
    out << line;
    std::string detail = row.value("detail", "");
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    if (!detail.empty() || !token.empty()) out << "  (" << detail << (detail.empty() || token.empty() ? "" : "; ") << token << ")";
    if (row.contains("note")) out << "  # " << row["note"].get<std::string>();
    out << "\n";
  }
  size_t failed = 0;
  for (const auto& row : t.value("steps", Json::array())) failed += !row.value("ok", false);
  out << (t.value("passed", false) ? "PASS " : "FAIL ") << t.value("scenario", "") << " (" << t["steps"].size()
      << " steps, " << failed << " failed)\n";
}

}  // namespace crosskey::rehearse
