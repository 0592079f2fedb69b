#include "emulator/deploy/unique_string.h"

#include <cstdio>

#include "emulator/crypto/encoding.h"

namespace crosskey::deploy {
namespace {

uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
uint32_t FMix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}
uint32_t ReadLe(std::string_view d, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(d[at + i])) << (8 * i);
  return v;
}
std::string Joined(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "-" : "") + parts[i];
  return s;
}

}  // namespace

uint64_t MurmurHash64(std::string_view data, uint32_t seed) {
  constexpr uint32_t c1 = 0x239b961bU, c2 = 0xab0e9789U;
  const size_t length = data.size();
  uint32_t h1 = seed, h2 = seed;
  size_t i = 0;
  for (; i + 7 < length; i += 8) {
    uint32_t k1 = ReadLe(data, i, 4), k2 = ReadLe(data, i + 4, 4);
    k1 *= c1;
    k1 = Rotl(k1, 15);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl(h1, 19);
    h1 += h2;
    h1 = h1 * 5 + 0x561ccd1bU;
    k2 *= c2;
    k2 = Rotl(k2, 17);
    k2 *= c1;
    h2 ^= k2;
    h2 = Rotl(h2, 13);
    h2 += h1;
    h2 = h2 * 5 + 0x0bcaa747U;
  }
  const size_t tail = length - i;
  if (tail > 0) {
    uint32_t k1 = ReadLe(data, i, tail >= 4 ? 4 : tail);
    k1 *= c1;
    k1 = Rotl(k1, 15);
    k1 *= c2;
    h1 ^= k1;
    if (tail > 4) {
      uint32_t k2 = ReadLe(data, i + 4, tail - 4);
      k2 *= c2;
      k2 = Rotl(k2, 17);
      k2 *= c1;
      h2 ^= k2;
    }
  }
  h1 ^= static_cast<uint32_t>(length);
  h2 ^= static_cast<uint32_t>(length);
  h1 += h2;
  h2 += h1;
  h1 = FMix(h1);
  h2 = FMix(h2);
  h1 += h2;
  h2 += h1;
  return (static_cast<uint64_t>(h2) << 32) | h1;
}

std::string UniqueString(const std::vector<std::string>& parts) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  uint64_t hash = MurmurHash64(Joined(parts));
  std::string out;
  for (int i = 0; i < 13; ++i) {
    out += kAlphabet[hash >> 59];
    hash <<= 5;
  }
  return out;
}

std::string TemplateGuid(const std::vector<std::string>& parts) {
  static constexpr unsigned char kNamespace[16] = {0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd,
                                                   0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30};
  std::string input(reinterpret_cast<const char*>(kNamespace), 16);
  input += Joined(parts);
  std::string digest = crypto::Sha1(input);
  unsigned char b[16];
  for (int i = 0; i < 16; ++i) b[i] = static_cast<unsigned char>(digest[i]);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x50);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof(out), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace crosskey::deploy
