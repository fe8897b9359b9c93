// Decoding to UTF-8 (ICU converters, charset detection) and checking decoded text.
#include <koe/error.hpp>

#include "detail/io_text.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "E3 81" for the bytes E3 81, as error messages show them.
std::string hex_bytes(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (!out.empty()) out += ' ';
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0xF];
  }
  return out;
}

std::string plural(std::size_t n, const char* noun) {
  return std::to_string(n) + ' ' + noun + (n == 1 ? "" : "s");
}

std::string join_names(const std::vector<std::string>& names) {
  constexpr std::size_t shown = 30;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > shown) out += ", ...";
  return out;
}

// ---------------------------------------------------------------------------------------------
// UTF-8

bool is_space(char32_t c) {
  // Unicode White_Space plus the invisible U+200B and U+FEFF, which spreadsheets leave behind.
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

/// True when valid UTF-8 `s` holds nothing but white space.
bool is_blank(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const utf8::code_point c = utf8::decode(s, i);
    if (c.value == utf8::replacement || !is_space(c.value)) return false;
    i += c.bytes;
  }
  return true;
}

void put_utf8(char*& w, char32_t c) {
  if (c < 0x80) {
    *w++ = static_cast<char>(c);
  } else if (c < 0x800) {
    *w++ = static_cast<char>(0xC0 | (c >> 6));
    *w++ = static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *w++ = static_cast<char>(0xE0 | (c >> 12));
    *w++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | (c >> 18));
    *w++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *w++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (c & 0x3F));
  }
}

/// Appends UTF-16 units as UTF-8; a lead surrogate at the end waits in `lead` for its trail,
/// because the converter may split a pair between two output buffers.
void append_utf16(std::string& out, const UChar* p, const UChar* end, UChar& lead) {
  const std::size_t old = out.size();
  out.resize(old + 3 * static_cast<std::size_t>(end - p) + 4);
  char* w = out.data() + old;
  for (; p != end; ++p) {
    const UChar u = *p;
    if (lead != 0) {
      const UChar l = lead;
      lead = 0;
      if (U16_IS_TRAIL(u)) {
        put_utf8(w, U16_GET_SUPPLEMENTARY(l, u));
        continue;
      }
      put_utf8(w, l);
    }
    if (U16_IS_LEAD(u))
      lead = u;
    else
      put_utf8(w, u);
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
}

std::optional<problem> check_text(std::string_view s, const std::string& encoding, bool converted) {
  const auto* begin = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = begin + s.size();
  for (const auto* p = begin; p != end;) {
    if (*p >= 0x01 && *p < 0x80) {
      ++p;
      continue;
    }
    const auto offset = static_cast<std::size_t>(p - begin);
    if (*p == 0) return problem{errc::malformed_record, "NUL byte", offset};
    if (converted && *p == 0xFF && p + 1 != end) {
      const auto* q = std::find(p + 1, end, 0xFF);
      std::string bytes;
      for (const auto* h = p + 2; h + 1 < q; h += 2) {
        const auto nibble = [](unsigned char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
        bytes += static_cast<char>(nibble(h[0]) * 16 + nibble(h[1]));
      }
      const std::string shown = "<" + hex_bytes(bytes) + ">";
      if (p[1] == mark_unmappable)
        return problem{errc::invalid_encoding, "unmappable " + encoding + " byte sequence " + shown,
                       offset};
      if (p[1] == mark_incomplete)
        return problem{errc::invalid_encoding,
                       "incomplete " + encoding + " byte sequence " + shown + " at end of input",
                       offset};
      return problem{errc::invalid_encoding, "invalid " + encoding + " byte sequence " + shown,
                     offset};
    }
    std::size_t bad = 0;
    const std::size_t len = utf8_length(p, end, bad);
    if (len == 0) {
      const std::string_view bytes(reinterpret_cast<const char*>(p), bad);
      return problem{errc::invalid_encoding,
                     "invalid " + (converted ? encoding : std::string("UTF-8")) +
                         " byte sequence <" + hex_bytes(bytes) + ">",
                     offset};
    }
    p += len;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/// Canonical name of a supported encoding option; throws on anything else.
std::string canonical_encoding(std::string_view name) {
  std::string key;
  for (const char c : ascii_lower(name))
    if (c != '-' && c != '_') key += c;
  if (key.empty() || key == "utf8") return "utf-8";
  if (key == "shiftjis" || key == "sjis") return "shift_jis";
  if (key == "cp932" || key == "windows31j" || key == "ms932") return "cp932";
  if (key == "eucjp") return "euc-jp";
  if (key == "auto") return "auto";
  throw error(errc::invalid_argument, "unknown encoding \"" + std::string(name) +
                                          "\" (expected utf-8, shift_jis, cp932, euc-jp or auto)");
}

const char* icu_name(const std::string& encoding) {
  // windows-31j is ICU's unambiguous alias of its Shift_JIS table; real Shift_JIS files are
  // almost always written by Windows, so NEC and IBM extensions (①, Ⅱ, ㈱) must map too.
  if (encoding == "shift_jis" || encoding == "cp932") return "windows-31j";
  if (encoding == "euc-jp") return "EUC-JP";
  if (encoding == "utf-16le") return "UTF-16LE";
  return "UTF-16BE";
}

/// Guesses the encoding of the start of an input with no byte order mark.
std::string detect_encoding(std::string_view sample, bool cut) {
  // ICU scores valid UTF-8 Japanese as plausible Shift_JIS, so UTF-8 is settled first: it wins
  // when the sample is valid, or when stray bad bytes are rare among many good sequences.
  const auto* p = reinterpret_cast<const unsigned char*>(sample.data());
  const auto* end = p + sample.size();
  std::size_t good = 0;
  std::size_t invalid = 0;
  while (p != end) {
    std::size_t bad = 0;
    const std::size_t len = utf8_length(p, end, bad);
    if (len == 0) {
      if (cut && p + bad == end) break;  // a character split by the end of the sample
      ++invalid;
      p += bad;
    } else {
      good += len > 1 ? 1 : 0;
      p += len;
    }
  }
  if (invalid == 0 || good >= 10 * invalid) return "utf-8";

  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> detector(ucsdet_open(&status),
                                                                      &ucsdet_close);
  if (U_FAILURE(status)) return "utf-8";
  ucsdet_setText(detector.get(), sample.data(), static_cast<std::int32_t>(sample.size()), &status);
  std::int32_t count = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(detector.get(), &count, &status);
  if (U_FAILURE(status)) return "utf-8";
  // Matches come best first; the first Japanese one wins over Chinese and Korean look-alikes.
  for (std::int32_t i = 0; i < count; ++i) {
    UErrorCode s = U_ZERO_ERROR;
    const std::string name = ucsdet_getName(matches[i], &s);
    if (U_FAILURE(s)) continue;
    if (name == "Shift_JIS") return "shift_jis";
    if (name == "EUC-JP") return "euc-jp";
  }
  // Not Japanese that ICU knows: decoding as UTF-8 reports each bad record with its line.
  return "utf-8";
}

/**
 * Offset of the first character of three or more bytes when `sample` is Japanese UTF-8 beyond
 * doubt: well-formed throughout (but for a character cut by the end of the sample when `cut`) and
 * holding several such characters. Shift_JIS and EUC-JP text almost never passes, since their
 * lead and trail bytes would have to line up as UTF-8 sequences again and again.
 */
std::optional<std::size_t> utf8_evidence(std::string_view sample, bool cut) {
  constexpr std::size_t enough = 4;
  const auto* begin = reinterpret_cast<const unsigned char*>(sample.data());
  const auto* end = begin + sample.size();
  std::size_t wide = 0;
  std::optional<std::size_t> first;
  for (const auto* p = begin; p != end;) {
    std::size_t bad = 0;
    const std::size_t len = utf8_length(p, end, bad);
    if (len == 0) {
      if (cut && p + bad == end) break;
      return std::nullopt;
    }
    if (len >= 3) {
      if (!first) first = static_cast<std::size_t>(p - begin);
      ++wide;
    }
    p += len;
  }
  return wide >= enough ? first : std::nullopt;
}

}  // namespace koe::detail
