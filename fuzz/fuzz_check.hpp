// Invariant checks shared by the fuzz targets: a broken invariant prints why and aborts, which
// libFuzzer reports as a crash with the input that caused it.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace koe_fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\nINVARIANT BROKEN: %s\n", what.c_str());
  std::abort();
}

inline void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

/// True when `s` is well-formed UTF-8 (Unicode table 3-7: no overlongs, surrogates or > U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p != end) {
    const unsigned c = *p;
    std::size_t need = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    if (c < 0x80) {
      ++p;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c == 0xE0) {
      need = 2;
      lo = 0xA0;
    } else if (c == 0xED) {
      need = 2;
      hi = 0x9F;
    } else if (c >= 0xE1 && c <= 0xEF) {
      need = 2;
    } else if (c == 0xF0) {
      need = 3;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      need = 3;
    } else if (c == 0xF4) {
      need = 3;
      hi = 0x8F;
    } else {
      return false;
    }
    for (std::size_t i = 1; i <= need; ++i) {
      if (p + i == end || p[i] < lo || p[i] > hi) return false;
      lo = 0x80;
      hi = 0xBF;
    }
    p += need + 1;
  }
  return true;
}

}  // namespace koe_fuzz
