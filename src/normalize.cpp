// Text normalization: NFKC, Latin case folding, emoji removal, PII masks, long vowels, repeats and
// whitespace, in three linear passes over UTF-32 code points.
#include <koe/normalize.hpp>

#include <koe/error.hpp>

#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utypes.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace koe {
namespace {

using text32 = std::u32string;

constexpr char32_t long_vowel_mark = U'\u30FC';  // ー
constexpr char32_t wave_dash = U'\u301C';        // 〜
constexpr char32_t ellipsis = U'\u2026';         // …
constexpr char32_t replacement_char = U'\uFFFD';

constexpr std::u32string_view url_placeholder = U"<url>";
constexpr std::u32string_view email_placeholder = U"<email>";
constexpr std::u32string_view phone_placeholder = U"<phone>";

// ---------------------------------------------------------------------------------------------
// Character classes. Full-width forms are listed too so that every rule still works with NFKC off.

constexpr bool is_ascii_digit(char32_t c) {
  return c >= U'0' && c <= U'9';
}
constexpr bool is_ascii_alpha(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}
constexpr bool is_ascii_alnum(char32_t c) {
  return is_ascii_digit(c) || is_ascii_alpha(c);
}

constexpr bool is_digit(char32_t c) {
  return is_ascii_digit(c) || (c >= 0xFF10 && c <= 0xFF19);
}
constexpr bool is_zero(char32_t c) {
  return c == U'0' || c == 0xFF10;
}

/// A letter or digit that makes a neighbouring `w` or number part of a Latin word or longer number.
constexpr bool is_word_char(char32_t c) {
  return is_ascii_alnum(c) || (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
         (c >= 0xFF41 && c <= 0xFF5A);
}

bool is_space(char32_t c) {
  if (c < 0x80) return c == U' ' || (c >= 0x09 && c <= 0x0D);
  return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0;
}

constexpr bool is_kana(char32_t c) {
  return (c >= 0x3041 && c <= 0x3096) ||  // hiragana
         (c >= 0x3099 && c <= 0x309F) ||  // voicing marks, ゝゞゟ
         (c >= 0x30A1 && c <= 0x30FA) ||  // katakana
         (c >= 0x30FC && c <= 0x30FF) ||  // ー ヽヾヿ
         (c >= 0x31F0 && c <= 0x31FF) ||  // small katakana for Ainu
         (c >= 0xFF66 && c <= 0xFF9F);    // half-width katakana, ｰ and voicing marks
}

/// ー and its half-width form: a long vowel wherever it stands.
constexpr bool is_long_vowel(char32_t c) {
  return c == long_vowel_mark || c == 0xFF70;
}

/// Dashes that IMEs and users put where ー belongs; only after kana do they mean a long vowel.
constexpr bool is_dash(char32_t c) {
  return c == U'-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFF0D;
}

constexpr bool is_wave(char32_t c) {
  return c == U'~' || c == wave_dash || c == 0xFF5E;
}

/// Punctuation whose runs of one repeated character collapse to a single one.
constexpr bool is_repeatable_punct(char32_t c) {
  switch (c) {
    case U'!':
    case U'?':
    case U',':
    case 0x3001:  // 、
    case 0x3002:  // 。
    case 0x30FB:  // ・
    case 0xFF01:  // ！
    case 0xFF0C:  // ，
    case 0xFF1F:  // ？
    case 0xFF61:  // ｡
    case 0xFF64:  // ､
    case 0xFF65:  // ･
      return true;
    default:
      return false;
  }
}

/// Characters that spell an ellipsis; NFKC turns … into "...", so both forms must meet here.
constexpr bool is_dot(char32_t c) {
  return c == U'.' || c == ellipsis || c == 0x2025 /* ‥ */ || c == 0xFF0E /* ． */;
}

constexpr bool is_laugh_w(char32_t c) {
  return c == U'w' || c == U'W' || c == 0xFF57 || c == 0xFF37;
}

/// Joiners that glue a URL, file name or number to the word before or after them.
constexpr bool is_word_glue(char32_t c) {
  return c == U'.' || c == U'-' || c == U'_' || c == U'@' || c == U'/' || c == U':';
}

// ---------------------------------------------------------------------------------------------
// Pass 1: decoding, NFKC, case folding and emoji removal.

const icu::Normalizer2& nfkc_normalizer() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    KOE_THROW_IF_NOT(
        U_SUCCESS(status) && n != nullptr, errc::io_failure,
        std::string("normalize: ICU NFKC data could not be loaded: ") + u_errorName(status));
    return n;
  }();
  return *instance;
}

char32_t fold_latin(char32_t c) {
  if (c < 0x80) return (c >= U'A' && c <= U'Z') ? c + (U'a' - U'A') : c;
  // Latin-1, Latin Extended-A/B, Latin Extended Additional and full-width Latin; other scripts
  // keep their case because the option promises Latin only.
  if ((c >= 0xC0 && c <= 0x24F) || (c >= 0x1E00 && c <= 0x1EFF) || (c >= 0xFF21 && c <= 0xFF3A)) {
    return static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT));
  }
  return c;
}

bool is_emoji(char32_t c) {
  // Kana and CJK ideographs are most of the text and never pictographs; skip the property lookup.
  if (c < 0xA9 || (c >= 0x3040 && c <= 0x9FFF)) return false;
  const auto cp = static_cast<UChar32>(c);
  return u_hasBinaryProperty(cp, UCHAR_EXTENDED_PICTOGRAPHIC) != 0 ||
         u_hasBinaryProperty(cp, UCHAR_EMOJI_PRESENTATION) != 0;
}

/// Presentation selectors and the keycap mark only ever style emoji, so they go wherever they are.
constexpr bool is_emoji_presentation_mark(char32_t c) {
  return c == 0xFE0E || c == 0xFE0F || c == 0x20E3;
}

/// ZWJ, skin tones and tag characters belong to an emoji sequence only right after an emoji.
constexpr bool is_emoji_sequence_glue(char32_t c) {
  return c == 0x200D || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F);
}

/// A mark that attaches to the character before it; after an emoji it goes with the emoji, and
/// left alone it would compose with the preceding letter on the next NFKC run.
bool is_combining_mark(char32_t c) {
  return c >= 0x300 &&
         (U_GET_GC_MASK(static_cast<UChar32>(c)) & (U_GC_MN_MASK | U_GC_ME_MASK)) != 0;
}

/// C0 and C1 control characters other than white space and NUL: never text, and an ESC or BEL
/// copied into a label would act on the terminal that prints it. NUL is kept, as documented; the
/// reader rejects it before it could get here.
constexpr bool is_control(char32_t c) {
  return (c >= 0x01 && c < 0x20 && !(c >= 0x09 && c <= 0x0D)) ||
         (c >= 0x7F && c <= 0x9F && c != 0x85);
}

/// Bidirectional formatting characters: invisible, yet MeCab would make each a term of its own.
constexpr bool is_bidi_control(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

/// Receives decoded code points and applies the per-character rules of pass 1.
class prepass {
 public:
  prepass(const normalize_options& options, std::size_t size_hint)
      : fold_case_(options.fold_case), remove_emoji_(options.remove_emoji) {
    out_.reserve(size_hint);
  }

  void push(char32_t c) {
    if (fold_case_) c = fold_latin(c);
    if (remove_emoji_) {
      if (is_emoji(c)) {
        in_emoji_ = dropped_ = true;
        return;
      }
      if (is_emoji_presentation_mark(c)) {
        // The base before it ("1" of a keycap) stays, but marks after it belong to the emoji.
        in_emoji_ = dropped_ = true;
        return;
      }
      if (in_emoji_ && (is_emoji_sequence_glue(c) || is_combining_mark(c))) {
        dropped_ = true;
        return;
      }
      in_emoji_ = false;
      // "good👍bad" must not become one word "goodbad".
      if (dropped_ && !out_.empty() && is_ascii_alnum(out_.back()) && is_ascii_alnum(c)) {
        out_.push_back(U' ');
      }
      dropped_ = false;
    }
    out_.push_back(c);
  }

  text32 take() { return std::move(out_); }

 private:
  // Copies, not a reference to the options: stores into the output could alias a reference and
  // force a reload per character.
  const bool fold_case_;
  const bool remove_emoji_;
  text32 out_;
  bool in_emoji_ = false;
  bool dropped_ = false;
};

bool is_ascii(std::string_view text) {
  for (const char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

void throw_icu_failure(UErrorCode status) {
  throw error(status == U_MEMORY_ALLOCATION_ERROR ? errc::out_of_memory : errc::io_failure,
              std::string("normalize: ICU failed: ") + u_errorName(status));
}

/// Drops bidirectional formatting characters and turns other control characters into spaces
/// (a space, not nothing: "a<ESC>b" was two words to whoever typed it). All of them lie in the BMP
/// outside the surrogates, so code units can be looked at one by one.
void strip_controls(icu::UnicodeString& u) {
  const char16_t* units = u.getBuffer();
  const int32_t length = u.length();
  int32_t i = 0;
  while (i < length && !is_control(units[i]) && !is_bidi_control(units[i]))
    ++i;
  if (i == length) return;
  icu::UnicodeString out(units, i);
  for (; i < length; ++i) {
    const char16_t c = units[i];
    if (is_bidi_control(c)) continue;
    out.append(is_control(c) ? u' ' : c);
  }
  if (out.isBogus()) throw_icu_failure(U_MEMORY_ALLOCATION_ERROR);
  u = std::move(out);
}

text32 decode(std::string_view text, const normalize_options& options) {
  prepass pass(options, text.size());
  // ASCII is already in NFKC and cannot hold emoji, so ICU has nothing to do.
  if (is_ascii(text)) {
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      pass.push(is_control(c) ? U' ' : c);
    }
    return pass.take();
  }
  KOE_THROW_IF_NOT(text.size() <= static_cast<std::size_t>(std::numeric_limits<int32_t>::max()),
                   errc::invalid_argument, "normalize: text is longer than 2 GiB");
  // fromUTF8 replaces every ill-formed sequence with U+FFFD, which is what makes normalize total.
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (u.isBogus()) throw_icu_failure(U_MEMORY_ALLOCATION_ERROR);
  // Before NFKC, because a removed mark between a letter and its accent would otherwise leave
  // them uncomposed until the next run, and normalizing twice must give what once gives.
  strip_controls(u);
  if (options.nfkc) {
    UErrorCode status = U_ZERO_ERROR;
    u = nfkc_normalizer().normalize(u, status);
    if (U_FAILURE(status)) throw_icu_failure(status);
  }
  const char16_t* units = u.getBuffer();
  const int32_t length = u.length();
  for (int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U16_NEXT(units, i, length, c);
    // A lone surrogate cannot come out of fromUTF8; guard anyway so the output is always UTF-8.
    pass.push(U_IS_SURROGATE(c) ? replacement_char : static_cast<char32_t>(c));
  }
  return pass.take();
}

// ---------------------------------------------------------------------------------------------
// Pass 2: URL, e-mail and phone masks.

/// True if `s` holds the lower-case ASCII `literal` at `pos`, ignoring ASCII case.
bool starts_with_ci(const text32& s, std::size_t pos, std::string_view literal) {
  if (s.size() - pos < literal.size()) return false;
  for (std::size_t k = 0; k < literal.size(); ++k) {
    char32_t c = s[pos + k];
    if (c >= U'A' && c <= U'Z') c += U'a' - U'A';
    if (c != static_cast<unsigned char>(literal[k])) return false;
  }
  return true;
}

/// RFC 3986 characters; anything else (space, kana, 「」, <>) ends a URL written in running text.
constexpr bool is_url_char(char32_t c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  switch (c) {
    case U'"':
    case U'<':
    case U'>':
    case U'\\':
    case U'^':
    case U'`':
    case U'{':
    case U'|':
    case U'}':
      return false;
    default:
      return true;
  }
}

/// Sentence punctuation that follows a URL far more often than it ends one.
constexpr bool is_url_trailer(char32_t c) {
  switch (c) {
    case U'.':
    case U',':
    case U':':
    case U';':
    case U'!':
    case U'?':
    case U'\'':
    case U'*':
      return true;
    default:
      return false;
  }
}

/// True if `s[pos]` continues a word, host or file name: "awww", "a.www", "x/www".
bool glued_to_word_before(const text32& s, std::size_t pos) {
  if (pos == 0) return false;
  const char32_t prev = s[pos - 1];
  return is_word_char(prev) || (is_word_glue(prev) && pos >= 2 && is_word_char(s[pos - 2]));
}

/// True if `s[pos]` is followed by more of a word, host or file name: "wwwa", "www.example".
bool glued_to_word_after(const text32& s, std::size_t pos) {
  if (pos >= s.size()) return false;
  const char32_t next = s[pos];
  return is_word_char(next) ||
         (is_word_glue(next) && pos + 1 < s.size() && is_word_char(s[pos + 1]));
}

/// Length of the URL starting at `pos`, or 0.
std::size_t match_url(const text32& s, std::size_t pos) {
  const char32_t first = s[pos] | 0x20;  // ASCII lower case
  if (first != U'h' && first != U'w') return 0;
  std::size_t begin = 0;
  if (starts_with_ci(s, pos, "https://")) {
    begin = pos + 8;
  } else if (starts_with_ci(s, pos, "http://")) {
    begin = pos + 7;
  } else if (starts_with_ci(s, pos, "www.") && !glued_to_word_before(s, pos)) {
    begin = pos + 4;
  } else {
    return 0;
  }
  if (begin >= s.size() || !is_ascii_alnum(s[begin])) return 0;
  std::size_t end = begin;
  std::size_t open = 0;
  std::size_t close = 0;
  while (end < s.size() && is_url_char(s[end])) {
    open += s[end] == U'(' ? 1 : 0;
    close += s[end] == U')' ? 1 : 0;
    ++end;
  }
  // "(https://x.jp/a)" keeps its closing parenthesis outside; "…/Foo_(bar)" keeps it inside.
  while (end > begin) {
    const char32_t last = s[end - 1];
    if (is_url_trailer(last)) {
      --end;
    } else if (last == U')' && close > open) {
      --end;
      --close;
    } else {
      break;
    }
  }
  return end - pos;
}

/// Conservative local-part characters; rarer RFC 5322 ones would swallow neighbouring text.
constexpr bool is_email_local_char(char32_t c) {
  return is_ascii_alnum(c) || c == U'.' || c == U'_' || c == U'%' || c == U'+' || c == U'-';
}

/// Length of the domain after the '@' at `at` (two or more labels, alphabetic TLD), or 0.
std::size_t match_email_domain(const text32& s, std::size_t at) {
  std::size_t p = at + 1;
  std::size_t labels = 0;
  std::size_t end = p;
  bool tld_ok = false;
  while (p < s.size() && is_ascii_alnum(s[p])) {
    std::size_t q = p;
    bool has_alpha = false;
    while (q < s.size() && (is_ascii_alnum(s[q]) || s[q] == U'-')) {
      has_alpha = has_alpha || is_ascii_alpha(s[q]);
      ++q;
    }
    // A label never ends with '-'; a trailing one belongs to the text.
    while (s[q - 1] == U'-')
      --q;
    ++labels;
    end = q;
    tld_ok = has_alpha && q - p >= 2;
    if (q + 1 < s.size() && s[q] == U'.' && is_ascii_alnum(s[q + 1])) {
      p = q + 1;
    } else {
      break;
    }
  }
  return labels >= 2 && tld_ok ? end - (at + 1) : 0;
}

/// Dashes, ー and dots that people put between the digit groups of a phone number.
constexpr bool is_phone_dash(char32_t c) {
  return is_dash(c) || is_long_vowel(c) || c == U'.' || c == 0xFF0E;
}
constexpr bool is_open_paren(char32_t c) {
  return c == U'(' || c == 0xFF08;
}
constexpr bool is_close_paren(char32_t c) {
  return c == U')' || c == 0xFF09;
}
constexpr bool is_plus(char32_t c) {
  return c == U'+' || c == 0xFF0B;
}

/// A joiner after which a following number continues the previous one ("2024-05", "1.5").
constexpr bool is_number_glue(char32_t c) {
  return is_phone_dash(c) || c == U'/' || c == U',' || c == U':' || c == U'_';
}

/// Digit groups of a phone number candidate, e.g. {3, 4, 4} for 090-1234-5678.
struct digit_groups {
  static constexpr std::size_t max_groups = 5;
  std::array<std::size_t, max_groups> length{};
  std::array<std::size_t, max_groups> end{};  ///< One past the last digit of each group.
  std::array<int, max_groups> depth{};        ///< Parentheses still open after each group.
  std::size_t count = 0;
};

std::size_t skip_spaces(const text32& s, std::size_t p) {
  while (p < s.size() && is_space(s[p]))
    ++p;
  return p;
}

std::size_t skip_spaces_and_dashes(const text32& s, std::size_t p) {
  p = skip_spaces(s, p);
  while (p < s.size() && is_phone_dash(s[p]))
    ++p;
  return skip_spaces(s, p);
}

/// Skips a separator between digit groups: ")", spaces, dashes, spaces, "(", each optional.
std::size_t skip_phone_separator(const text32& s, std::size_t p, int& depth) {
  if (p < s.size() && is_close_paren(s[p])) {
    if (depth == 0) return p;
    --depth;
    ++p;
  }
  p = skip_spaces_and_dashes(s, p);
  if (p < s.size() && is_open_paren(s[p]) && depth == 0) {
    ++depth;
    ++p;
  }
  return p;
}

/// Reads digit groups from `p` while they could still belong to one phone number.
digit_groups scan_digit_groups(const text32& s, std::size_t p, int depth) {
  digit_groups g;
  std::size_t digits = 0;
  while (g.count < digit_groups::max_groups) {
    std::size_t q = p;
    while (q < s.size() && is_digit(s[q]))
      ++q;
    digits += q - p;
    // A group is never split: "0312345678901" is one long number, not a phone and a tail.
    if (digits > 11) break;
    g.length[g.count] = q - p;
    g.end[g.count] = q;
    g.depth[g.count] = depth;
    ++g.count;
    int next_depth = depth;
    const std::size_t r = skip_phone_separator(s, q, next_depth);
    // A separator only counts when another group follows; otherwise the number ends at q.
    if (r == q || r >= s.size() || !is_digit(s[r])) break;
    depth = next_depth;
    p = r;
  }
  return g;
}

/// Layouts of Japanese numbers in the first `count` groups: 090-1234-5678, 03-1234-5678,
/// 0120-123-456, 0312345678 and, after +81, the same without the leading 0.
bool valid_phone_layout(const digit_groups& g, std::size_t count, bool international) {
  const std::size_t min_digits = international ? 9 : 10;
  const std::size_t min_first = international ? 1 : 2;
  const std::size_t max_first = international ? 4 : 5;
  const auto& len = g.length;
  std::size_t digits = 0;
  for (std::size_t k = 0; k < count; ++k)
    digits += len[k];
  if (g.depth[count - 1] != 0 || digits < min_digits || digits > min_digits + 1) return false;
  switch (count) {
    case 1:
      return true;
    case 2:
      return len[0] >= min_first && len[0] <= max_first && len[1] >= 4;
    case 3:
      return len[0] >= min_first && len[0] <= max_first && len[1] >= 1 && len[1] <= 4 &&
             len[2] >= 3 && len[2] <= 4;
    default:
      return false;
  }
}

/// True if the number may end at `end`: "090-1234-5678-9" or "…5678abc" is some other code.
bool phone_may_end_at(const text32& s, std::size_t end) {
  if (end >= s.size()) return true;
  const char32_t next = s[end];
  if (is_word_char(next) || next == U'@') return false;
  return !(is_number_glue(next) && end + 1 < s.size() && is_digit(s[end + 1]));
}

/// Length of the phone number starting at `pos`, or 0. Dates, prices and years never match: they
/// do not start with 0 or +81, or their digit count is not that of a phone number.
std::size_t match_phone(const text32& s, std::size_t pos) {
  if (!is_digit(s[pos]) && !is_plus(s[pos]) && !is_open_paren(s[pos])) return 0;
  if (pos > 0) {
    const char32_t prev = s[pos - 1];
    if (is_word_char(prev) || is_plus(prev) || prev == U'@') return 0;
    if (pos >= 2 && is_number_glue(prev) && is_digit(s[pos - 2])) return 0;
  }
  std::size_t p = pos;
  int depth = 0;
  bool international = false;
  if (is_plus(s[p])) {
    if (p + 2 >= s.size() || s[p + 1] != U'8' || s[p + 2] != U'1') return 0;
    international = true;
    p = skip_spaces_and_dashes(s, p + 3);
    // "+81 (0)3-1234-5678": the trunk 0 in parentheses is written for domestic callers.
    if (p + 2 < s.size() && is_open_paren(s[p]) && is_zero(s[p + 1]) && is_close_paren(s[p + 2])) {
      p = skip_spaces_and_dashes(s, p + 3);
    }
  } else if (is_open_paren(s[p])) {
    depth = 1;
    ++p;
  }
  if (p >= s.size() || !is_digit(s[p])) return 0;
  if (international == is_zero(s[p])) return 0;
  // Domestic numbers never start with 00 (that prefix dials abroad).
  if (!international && p + 1 < s.size() && is_zero(s[p + 1])) return 0;
  const digit_groups g = scan_digit_groups(s, p, depth);
  // Spaces also separate a phone number from a number after it ("090 1234 5678 2回"), so the
  // longest valid prefix of the groups wins.
  for (std::size_t count = g.count; count > 0; --count) {
    if (valid_phone_layout(g, count, international) && phone_may_end_at(s, g.end[count - 1])) {
      return g.end[count - 1] - pos;
    }
  }
  return 0;
}

/// True if some character could start a mask, so that most voices skip pass 2 without copying.
bool may_hold_mask(const text32& s, const normalize_options& options) {
  for (const char32_t c : s) {
    if (options.mask_urls && (c == U'h' || c == U'H' || c == U'w' || c == U'W')) return true;
    if (options.mask_emails && c == U'@') return true;
    if (options.mask_phones && (is_digit(c) || is_plus(c))) return true;
  }
  return false;
}

text32 apply_masks(text32 s, const normalize_options& options) {
  if (!may_hold_mask(s, options)) return s;
  text32 out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (options.mask_urls) {
      if (const std::size_t n = match_url(s, i); n != 0) {
        out += url_placeholder;
        i += n;
        continue;
      }
    }
    if (options.mask_emails && s[i] == U'@') {
      // The local part was already copied to `out` unchanged, so it is taken back from there.
      std::size_t local = out.size();
      while (local > 0 && is_email_local_char(out[local - 1]))
        --local;
      while (local < out.size() && out[local] == U'.')
        ++local;
      if (local < out.size()) {
        if (const std::size_t n = match_email_domain(s, i); n != 0) {
          out.resize(local);
          out += email_placeholder;
          i += 1 + n;
          continue;
        }
      }
    }
    if (options.mask_phones) {
      if (const std::size_t n = match_phone(s, i); n != 0) {
        out += phone_placeholder;
        i += n;
        continue;
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pass 3: long vowels, repeats and whitespace, written straight out as UTF-8.

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

/// True if the run of w at [begin, end) stands alone as laughter rather than inside a Latin word,
/// a host name ("www.example") or a file name.
bool is_laughter(const text32& s, std::size_t begin, std::size_t end) {
  return !glued_to_word_before(s, begin) && !glued_to_word_after(s, end);
}

/// Writes the output: rules that look at the previous output character live here.
class writer {
 public:
  writer(const normalize_options& options, std::size_t size_hint) : trim_(options.trim) {
    out_.reserve(size_hint);
  }

  /// The character before the current one, before trimming; 0 at the start.
  [[nodiscard]] char32_t last() const { return last_; }

  void put(char32_t c) {
    if (trim_ && is_space(c)) {
      pending_space_ = true;
      last_ = U' ';
      return;
    }
    if (pending_space_) {
      if (!out_.empty()) out_.push_back(' ');
      pending_space_ = false;
    }
    append_utf8(out_, c);
    last_ = c;
  }

  std::string take() { return std::move(out_); }

 private:
  const bool trim_;  // a copy for the same reason as in `prepass`
  std::string out_;
  char32_t last_ = 0;
  bool pending_space_ = false;
};

/// Applies the long-vowel rule to `c` at `s[i]`; returns 0 if `c` merges into the previous mark.
char32_t unify_long_vowel(const text32& s, std::size_t i, char32_t last) {
  const char32_t c = s[i];
  const bool after_kana = is_kana(last);
  char32_t mapped = c;
  if (is_long_vowel(c)) {
    mapped = long_vowel_mark;
  } else if (is_wave(c)) {
    mapped = after_kana ? long_vowel_mark : wave_dash;
  } else if (is_dash(c) && after_kana) {
    // "タイプ-A" is a hyphenated name, not a long vowel.
    const bool before_latin = i + 1 < s.size() && is_word_char(s[i + 1]);
    if (!before_latin) mapped = long_vowel_mark;
  }
  if ((mapped == long_vowel_mark || mapped == wave_dash) && mapped == last) return 0;
  return mapped;
}

std::string finish(const text32& s, const normalize_options& options, std::size_t size_hint) {
  writer w(options, size_hint);
  const bool unify_long_vowels = options.unify_long_vowels;
  const bool collapse_repeats = options.collapse_repeats;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = s[i];
    if (unify_long_vowels && (is_long_vowel(c) || is_wave(c) || is_dash(c))) {
      c = unify_long_vowel(s, i, w.last());
      ++i;
      if (c != 0) w.put(c);
      continue;
    }
    if (collapse_repeats) {
      if (is_dot(c)) {
        std::size_t end = i;
        while (end < s.size() && is_dot(s[end]))
          ++end;
        // A lone "." is a period or a decimal point; anything longer is an ellipsis.
        w.put(end - i >= 2 || c == ellipsis || c == 0x2025 ? ellipsis : c);
        i = end;
        continue;
      }
      if (is_laugh_w(c)) {
        std::size_t end = i;
        while (end < s.size() && is_laugh_w(s[end]))
          ++end;
        if (end - i >= 2 && is_laughter(s, i, end)) {
          w.put(c);
        } else {
          for (std::size_t k = i; k < end; ++k)
            w.put(s[k]);
        }
        i = end;
        continue;
      }
      if ((is_repeatable_punct(c) || c == U'笑' || c == U'草') && c == w.last()) {
        ++i;
        continue;
      }
    }
    w.put(c);
    ++i;
  }
  return w.take();
}

}  // namespace

std::string normalize(std::string_view text, const normalize_options& options) {
  text32 s = decode(text, options);
  if (options.mask_urls || options.mask_emails || options.mask_phones) {
    s = apply_masks(std::move(s), options);
  }
  return finish(s, options, text.size());
}

}  // namespace koe
