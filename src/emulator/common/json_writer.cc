#include "emulator/common/json_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>
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

constexpr uint64_t kBytes01 = 0x0101010101010101ULL;
constexpr uint64_t kBytes80 = 0x8080808080808080ULL;
// A byte of `v` is zero (the classic bit trick: exact for "any", which is all it answers).
constexpr uint64_t HasZeroByte(uint64_t v) { return (v - kBytes01) & ~v & kBytes80; }
constexpr bool PlainByte(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// The end of the run of bytes from `i` on that JSON takes as they are (printable ASCII but '"'
// and '\\'), eight at a time: the audit record is made of such strings on every call.
size_t PlainRunEnd(std::string_view s, size_t i) {
  while (i + 8 <= s.size()) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    uint64_t special = (w & kBytes80) |                  // >= 0x80
                       ((w - 0x20 * kBytes01) & ~w & kBytes80) |  // < 0x20
                       HasZeroByte(w ^ ('"' * kBytes01)) | HasZeroByte(w ^ ('\\' * kBytes01));
    if (special) break;
    i += 8;
  }
  while (i < s.size() && PlainByte(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = PlainRunEnd(s, i);  // copy plain ASCII runs at once
    if (run > i) {
      out->append(s.data() + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
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
