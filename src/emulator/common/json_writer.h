#pragma once
// One flat JSON object written straight to text, field by field, for the per-request paths
// (the Key Vault audit record, the wrap/unwrap answer) where building an nlohmann::json tree
// and dumping it costs more than the work it describes. Strings are escaped as JSON requires;
// bytes that are not valid UTF-8 become U+FFFD, as nlohmann's dump(error_handler_t::replace)
// does, so the output always parses.
#include <cstdint>
#include <string>
#include <string_view>

namespace crosskey {

class JsonObjectWriter {
 public:
  JsonObjectWriter() { out_.reserve(512); out_ += '{'; }
  JsonObjectWriter& Str(std::string_view key, std::string_view value);
  JsonObjectWriter& Int(std::string_view key, int64_t value);
  JsonObjectWriter& Num(std::string_view key, double value);
  // The finished object; the writer is left empty.
  std::string Finish() &&;

 private:
  void Key(std::string_view key);
  std::string out_;
  bool first_ = true;
};

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace crosskey
