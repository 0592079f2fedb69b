#pragma once
// A plane's routes declared as data: method, path pattern, operation id, whether the operation
// writes state, and a handler. A plane builds one RouteTable from its list; the router matches
// a request once and every later step (fault rules, audit, throttling, persistence) reads the
// operation id from the match instead of working it out again.
// Patterns are '/'-separated segments: literals (matched ignoring case), "{name}" (one
// segment), "{name?}" (one segment or none), "{name*}" (any number of segments, the rest of a
// scope such as "/subscriptions/s/resourceGroups/g") and "{name+}" (one segment or more).
// Thread-safety: a built table is immutable; Find is safe to call concurrently.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace crosskey::wire {

// Whether a route changes state that the durable store must hold before the answer leaves.
enum class Writes : uint8_t {
  kNo,
  kYes,
  kUserSignIn,  // login: only user sign-ins (password, refresh token) issue refresh tokens to keep
};

// The values a pattern captured, by name. Thread-safety: a value type.
class PathParams {
 public:
  void Set(std::string_view name, std::string value);
  // The captured value, empty when the pattern had no such name or an optional one was absent.
  const std::string& Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  void Clear() { items_.clear(); }

 private:
  std::vector<std::pair<std::string_view, std::string>> items_;
};

// One compiled path pattern. Thread-safety: immutable after construction.
class PathPattern {
 public:
  explicit PathPattern(std::string_view pattern);
  bool Match(const std::vector<std::string_view>& segments, PathParams* params) const;

 private:
  enum class Kind : uint8_t { kLiteral, kOne, kOptional, kRest, kRestOfOneOrMore };
  struct Part {
    Kind kind;
    std::string text;  // the literal, or the parameter's name
  };
  bool MatchFrom(size_t part, size_t segment, const std::vector<std::string_view>& segments, PathParams* params) const;
  std::vector<Part> parts_;
};

// Path split on '/', empty segments dropped; the views point into `path`.
std::vector<std::string_view> SplitPath(std::string_view path);

// A route's query condition: comma-separated "name=value" (equal), "name=" (absent or empty)
// or "-name" (absent); "" always holds.
bool QueryHolds(std::string_view condition, const std::map<std::string, std::string>& query);

// One declared route; Handler is the plane's handler type.
template <typename Handler>
struct Route {
  const char* method;      // upper-case HTTP method
  const char* pattern;     // see the file comment
  const char* operation;   // the operation id users see: fault rules, audit filter, docs
  const char* audit_name;  // Azure's diagnostic-log operationName, "" when the plane logs none
  Writes writes;
  Handler handler;
  const char* query = "";  // see QueryHolds: the Blob plane tells operations apart by ?restype and ?comp
};

// The routes of one plane, in declaration order: the first route that matches wins, so a
// literal segment is declared before a parameter that would also match it.
// Thread-safety: immutable after construction.
template <typename Handler>
class RouteTable {
 public:
  struct Match {
    const Route<Handler>* route = nullptr;  // null: no route has this method and path
    PathParams params;
    bool ok() const { return route != nullptr; }
  };

  explicit RouteTable(std::vector<Route<Handler>> routes) : routes_(std::move(routes)) {
    patterns_.reserve(routes_.size());
    for (const auto& r : routes_) patterns_.emplace_back(r.pattern);
  }

  Match Find(std::string_view method, std::string_view path,
             const std::map<std::string, std::string>& query = {}) const {
    Match m;
    auto segments = SplitPath(path);
    for (size_t i = 0; i < routes_.size(); ++i) {
      if (method != routes_[i].method) continue;
      if (*routes_[i].query && !QueryHolds(routes_[i].query, query)) continue;
      m.params.Clear();
      if (patterns_[i].Match(segments, &m.params)) {
        m.route = &routes_[i];
        return m;
      }
    }
    m.params.Clear();
    return m;
  }

  // True when some route, of any method, matches the path (a 405 rather than a 501).
  bool HasPath(std::string_view path) const {
    auto segments = SplitPath(path);
    PathParams ignored;
    for (const auto& p : patterns_) {
      if (p.Match(segments, &ignored)) return true;
    }
    return false;
  }

  const std::vector<Route<Handler>>& routes() const { return routes_; }

 private:
  std::vector<Route<Handler>> routes_;
  std::vector<PathPattern> patterns_;
};

// Runs a matched route's handler. A JSON property of an unexpected type (nlohmann throws on
// the handler's get<>) is the client's mistake: answered with the plane's 400 from
// `bad_input(what)`, never a 500.
template <typename Handler, typename Call, typename BadInput>
auto RunHandler(const Handler& handler, const Call& call, BadInput&& bad_input) -> decltype(handler(call)) {
  try {
    return handler(call);
  } catch (const nlohmann::json::exception& e) {
    return bad_input(e.what());
  }
}

}  // namespace crosskey::wire
