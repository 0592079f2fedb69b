#include "emulator/common/http/route_table.h"

#include "emulator/common/text.h"

namespace crosskey::wire {

void PathParams::Set(std::string_view name, std::string value) {
  for (auto& [n, v] : items_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  items_.emplace_back(name, std::move(value));
}

const std::string& PathParams::Get(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [n, v] : items_) {
    if (n == name) return v;
  }
  return kEmpty;
}

bool PathParams::Has(std::string_view name) const {
  for (const auto& item : items_) {
    if (item.first == name) return true;
  }
  return false;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) out.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return out;
}

bool QueryHolds(std::string_view condition, const std::map<std::string, std::string>& query) {
  while (!condition.empty()) {
    size_t comma = condition.find(',');
    std::string_view term = condition.substr(0, comma);
    condition = comma == std::string_view::npos ? std::string_view() : condition.substr(comma + 1);
    if (!term.empty() && term.front() == '-') {
      if (query.count(std::string(term.substr(1)))) return false;
      continue;
    }
    size_t eq = term.find('=');
    auto it = query.find(std::string(term.substr(0, eq)));
    std::string_view want = eq == std::string_view::npos ? std::string_view() : term.substr(eq + 1);
    std::string_view have = it == query.end() ? std::string_view() : std::string_view(it->second);
    if (have != want) return false;
  }
  return true;
}

PathPattern::PathPattern(std::string_view pattern) {
  for (std::string_view s : SplitPath(pattern)) {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
      std::string_view name = s.substr(1, s.size() - 2);
      Kind kind = Kind::kOne;
      if (name.back() == '?' || name.back() == '*' || name.back() == '+') {
        kind = name.back() == '?' ? Kind::kOptional : name.back() == '*' ? Kind::kRest : Kind::kRestOfOneOrMore;
        name.remove_suffix(1);
      }
      parts_.push_back({kind, std::string(name)});
    } else {
      parts_.push_back({Kind::kLiteral, std::string(s)});
    }
  }
}

bool PathPattern::Match(const std::vector<std::string_view>& segments, PathParams* params) const {
  return MatchFrom(0, 0, segments, params);
}

bool PathPattern::MatchFrom(size_t part, size_t segment, const std::vector<std::string_view>& segments,
                            PathParams* params) const {
  if (part == parts_.size()) return segment == segments.size();
  const Part& p = parts_[part];
  switch (p.kind) {
    case Kind::kLiteral:
      return segment < segments.size() && EqualsIgnoreCase(segments[segment], p.text) &&
             MatchFrom(part + 1, segment + 1, segments, params);
    case Kind::kOne:
      if (segment >= segments.size()) return false;
      params->Set(p.text, std::string(segments[segment]));
      return MatchFrom(part + 1, segment + 1, segments, params);
    case Kind::kOptional:
      if (segment < segments.size()) {
        params->Set(p.text, std::string(segments[segment]));
        if (MatchFrom(part + 1, segment + 1, segments, params)) return true;
      }
      params->Set(p.text, "");
      return MatchFrom(part + 1, segment, segments, params);
    case Kind::kRest:
    case Kind::kRestOfOneOrMore:
      // Shortest first: "{scope*}/providers/..." takes everything up to the first place the rest matches.
      for (size_t end = segment + (p.kind == Kind::kRest ? 0 : 1); end <= segments.size(); ++end) {
        if (MatchFrom(part + 1, end, segments, params)) {
          std::string joined;
          for (size_t i = segment; i < end; ++i) joined.append("/").append(segments[i]);
          params->Set(p.text, std::move(joined));
          return true;
        }
      }
      return false;
  }
  return false;
}

}  // namespace crosskey::wire
