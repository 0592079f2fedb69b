#include "emulator/common/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace crosskey {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t Utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      size_t run = i + 1;  // copy plain ASCII runs at once
      while (run < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[run]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++run;
      }
      out->append(s.data() + i, run - i);
      i = run;
      continue;
    }
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
      }
      ++i;
    } else if (size_t n = Utf8Length(s, i)) {
      out->append(s.data() + i, n);
      i += n;
    } else {
      out->append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not UTF-8
      ++i;
    }
  }
  out->push_back('"');
}

void JsonObjectWriter::Key(std::string_view key) {
  if (!first_) out_ += ',';
  first_ = false;
  AppendJsonString(&out_, key);
  out_ += ':';
}

JsonObjectWriter& JsonObjectWriter::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(&out_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Num(std::string_view key, double value) {
  Key(key);
  if (!std::isfinite(value)) {
    out_ += "null";
    return *this;
  }
  char buf[32];  // as printf's %.6g, without its locale lookups
  auto end = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general, 6).ptr;
  out_.append(buf, static_cast<size_t>(end - buf));
  return *this;
}

std::string JsonObjectWriter::Finish() && {
  out_ += '}';
  first_ = true;
  return std::move(out_);
}

}  // namespace crosskey
