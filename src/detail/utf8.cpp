// Terminal widths of UTF-8 text, from ICU's character properties.
#include "utf8.hpp"

#include <unicode/uchar.h>

namespace koe::detail::utf8 {

std::size_t width(char32_t c) noexcept {
  const auto u = static_cast<UChar32>(c);
  switch (u_charType(u)) {
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_FORMAT_CHAR:
    case U_CONTROL_CHAR:
      return 0;
    default:
      break;
  }
  // Conjoining jamo after the leading consonant join it in one syllable block.
  switch (u_getIntPropertyValue(u, UCHAR_HANGUL_SYLLABLE_TYPE)) {
    case U_HST_VOWEL_JAMO:
    case U_HST_TRAILING_JAMO:
      return 0;
    default:
      break;
  }
  switch (u_getIntPropertyValue(u, UCHAR_EAST_ASIAN_WIDTH)) {
    case U_EA_WIDE:
    case U_EA_FULLWIDTH:
      return 2;
    default:
      return 1;
  }
}

std::size_t width(std::string_view s) noexcept {
  std::size_t w = 0;
  for_each(s, [&](code_point cp, std::size_t) { w += width(cp.value); });
  return w;
}

std::string clip_width(std::string_view s, std::size_t columns) {
  if (width(s) <= columns) return std::string(s);
  // Room is kept for the ellipsis, which takes one column.
  std::size_t used = 0;
  const std::size_t end = for_each(s, [&](code_point cp, std::size_t) {
    const std::size_t w = width(cp.value);
    if (used + w + 1 > columns) return false;
    used += w;
    return true;
  });
  std::string out(s.substr(0, end));
  out += ellipsis;
  return out;
}

std::string pad(std::string_view s, std::size_t columns) {
  std::string out(s);
  const std::size_t w = width(s);
  if (w < columns) out.append(columns - w, ' ');
  return out;
}

}  // namespace koe::detail::utf8
