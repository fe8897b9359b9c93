// UTF-8 text as characters and terminal columns: decoding one code point at a time, counting
// characters, clipping to a number of characters or columns, and padding to a column width.
//
// Every function takes any bytes. Text that is valid UTF-8 (every text koe keeps is) is read as
// written; a byte that does not start a well-formed sequence is read as one character, U+FFFD,
// so clipping never cuts a valid character in two and never loops forever.
//
// **Example**
// ```cpp
// namespace utf8 = koe::detail::utf8;
// utf8::count("ｱｲｳ");              // 3 characters (9 bytes)
// utf8::width("ｱｲｳ");              // 3 columns: half-width katakana are narrow
// utf8::width("アイウ");           // 6 columns: full-width katakana are wide
// utf8::clip_chars("あいうえお", 2);  // "あい…"
// utf8::clip_width("あいうえお", 5);  // "あい…" (4 + 1 columns)
// utf8::pad("ｱ", 4);               // "ｱ   "
// ```
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace koe::detail::utf8 {

/// One decoded character: its code point and the bytes it takes.
struct code_point {
  char32_t value = 0;     ///< The code point, or U+FFFD for a malformed byte.
  std::size_t bytes = 0;  ///< Bytes read: 1 to 4 (1 for a malformed byte).
};

/// The replacement character read in place of a malformed byte.
inline constexpr char32_t replacement = 0xFFFD;

/// Bytes of the well-formed UTF-8 sequence that starts at byte `i` of `s` (`i < s.size()`), by
/// Unicode's table 3-7: no overlong form, no surrogate, nothing past U+10FFFF, nothing cut off by
/// the end of `s`. 0 when it is ill-formed; then `bad` is the length of its maximal ill-formed
/// prefix (1 to 3), the bytes an error message shows.
[[nodiscard]] constexpr std::size_t valid_length(std::string_view s, std::size_t i,
                                                 std::size_t& bad) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t need = 0;
  unsigned lo = 0x80;
  unsigned hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
  } else if (lead == 0xE0) {
    need = 2;
    lo = 0xA0;  // overlong below U+0800
  } else if (lead == 0xED) {
    need = 2;
    hi = 0x9F;  // surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    need = 2;
  } else if (lead == 0xF0) {
    need = 3;
    lo = 0x90;  // overlong below U+10000
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    need = 3;
  } else if (lead == 0xF4) {
    need = 3;
    hi = 0x8F;  // past U+10FFFF
  } else {
    bad = 1;
    return 0;
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k == s.size() || byte(k) < lo || byte(k) > hi) {
      bad = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return need + 1;
}

/// The character that starts at byte `i` of `s` (`i < s.size()`). A sequence that is not
/// well-formed (`valid_length` is 0) is malformed: its first byte reads as U+FFFD.
[[nodiscard]] constexpr code_point decode(std::string_view s, std::size_t i) noexcept {
  std::size_t bad = 0;
  const std::size_t n = valid_length(s, i, bad);
  if (n == 0) return {replacement, 1};
  const auto byte = [&](std::size_t k) { return char32_t{static_cast<unsigned char>(s[i + k])}; };
  constexpr char32_t lead_bits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t c = byte(0) & lead_bits[n];
  for (std::size_t k = 1; k < n; ++k)
    c = (c << 6) | (byte(k) & 0x3Fu);
  return {c, n};
}

/// Calls `fn(code_point, byte_offset)` for each character of `s`, in order. `fn` may return
/// `bool`; `false` stops the walk. Returns the byte offset where the walk stopped.
template <class Fn>
constexpr std::size_t for_each(std::string_view s, Fn&& fn) {
  std::size_t i = 0;
  while (i < s.size()) {
    const code_point cp = decode(s, i);
    if constexpr (std::is_same_v<decltype(fn(cp, i)), bool>) {
      if (!fn(cp, i)) return i;
    } else {
      fn(cp, i);
    }
    i += cp.bytes;
  }
  return i;
}

/// Characters (code points) in `s`.
[[nodiscard]] constexpr std::size_t count(std::string_view s) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i += decode(s, i).bytes)
    ++n;
  return n;
}

/// `s` fit to show on one terminal line: each control character (C0, tabs and line breaks
/// included, DEL and C1, NEL included) becomes a space and each malformed byte U+FFFD, so that no
/// escape sequence reaches a terminal and no voice breaks a table's line.
[[nodiscard]] inline std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each(s, [&](code_point cp, std::size_t at) {
    const char32_t c = cp.value;
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
      out += ' ';
    else if (c == replacement && cp.bytes == 1)
      out += "\xEF\xBF\xBD";
    else
      out.append(s.substr(at, cp.bytes));
  });
  return out;
}

/// The horizontal ellipsis "…" that marks a clipped text (one character, one column).
inline constexpr std::string_view ellipsis = "\xE2\x80\xA6";

/// The first `chars` characters of `s`, followed by "…" when anything was cut off (so the result
/// may hold `chars + 1` characters); `s` itself when it has no more than `chars`.
[[nodiscard]] inline std::string clip_chars(std::string_view s, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < s.size() && n < chars; ++n)
    i += decode(s, i).bytes;
  if (i >= s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  out += ellipsis;
  return out;
}

/**
 * Terminal columns taken by code point `c`, from its Unicode East Asian Width (ICU's
 * UCHAR_EAST_ASIAN_WIDTH): Wide and Fullwidth take 2; nonspacing and enclosing marks, format
 * characters (zero-width joiners, spaces and the like), Hangul medial vowels and final consonants,
 * and control characters take 0; every other character takes 1, Ambiguous ones included (as
 * terminals outside CJK locales draw them, and as the ellipsis "…" is counted).
 */
[[nodiscard]] std::size_t width(char32_t c) noexcept;

/// Terminal columns taken by `s`: the sum of `width` over its characters.
[[nodiscard]] std::size_t width(std::string_view s) noexcept;

/// At most `columns` terminal columns of `s`: `s` itself when it fits, else its longest prefix
/// that fits together with a trailing "…" (one column). Never cuts a character in two.
[[nodiscard]] std::string clip_width(std::string_view s, std::size_t columns);

/// `s` followed by spaces up to `columns` terminal columns; `s` itself when it is as wide or wider.
[[nodiscard]] std::string pad(std::string_view s, std::size_t columns);

}  // namespace koe::detail::utf8
