// Reads CSV, TSV, JSON Lines and plain-text voices, decoding to UTF-8 chunk by chunk.
#include <koe/io.hpp>

#include <koe/error.hpp>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf16.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace koe {
namespace {

// The fuzz build (scripts/fuzz.sh) makes chunks a few bytes long, so that every record, quote,
// line break and multi-byte character is split by a chunk boundary somewhere.
#ifndef KOE_IO_CHUNK_BYTES
#define KOE_IO_CHUNK_BYTES (std::size_t{1} << 20)
#endif
constexpr std::size_t chunk_bytes = KOE_IO_CHUNK_BYTES;
constexpr std::size_t detect_bytes = std::size_t{64} << 10;

// JSON values are written back out (meta columns, ids) by a serializer that recurses once per
// level, so a line of a million '[' would overflow the stack; no survey export nests this deep.
constexpr std::size_t max_json_depth = 64;
// Every document carries one meta slot per distinct JSON Lines key, so unbounded keys would make
// memory grow with records times keys: a 10 MB file of unique keys would need terabytes.
constexpr std::size_t max_json_keys = 1024;

// Valid UTF-8 never contains 0xFF, so the decoder can mark a byte sequence the source converter
// rejected as 0xFF, a kind letter, the bytes in hex, 0xFF. The mark travels through the record
// parsers like ordinary text (no delimiter, quote or newline in it) and is reported when the
// record holding it is validated, so the error names the right record and line.
constexpr char mark = '\xFF';
constexpr char mark_illegal = 'i';
constexpr char mark_unmappable = 'u';
constexpr char mark_incomplete = 't';

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr char hex_digits[] = "0123456789ABCDEF";

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

/// Length of the well-formed UTF-8 sequence at `p` (Unicode table 3-7), or 0 when ill-formed; then
/// `bad` is the length of its maximal ill-formed prefix, which is what an error message shows.
std::size_t utf8_length(const unsigned char* p, const unsigned char* end, std::size_t& bad) {
  const unsigned c = p[0];
  if (c < 0x80) return 1;
  std::size_t need = 0;
  unsigned lo = 0x80;
  unsigned hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2;
    lo = 0xA0;
  } else if (c == 0xED) {
    need = 2;
    hi = 0x9F;  // surrogates
  } else if (c >= 0xE1 && c <= 0xEF) {
    need = 2;
  } else if (c == 0xF0) {
    need = 3;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3;
    hi = 0x8F;  // beyond U+10FFFF
  } else {
    bad = 1;
    return 0;
  }
  for (std::size_t i = 1; i <= need; ++i) {
    if (p + i == end || p[i] < lo || p[i] > hi) {
      bad = i;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return need + 1;
}

/// Code point of the well-formed sequence of `len` bytes at `p`.
char32_t utf8_decode(const unsigned char* p, std::size_t len) {
  switch (len) {
    case 1:
      return p[0];
    case 2:
      return (char32_t{p[0] & 0x1Fu} << 6) | (p[1] & 0x3Fu);
    case 3:
      return (char32_t{p[0] & 0x0Fu} << 12) | (char32_t{p[1] & 0x3Fu} << 6) | (p[2] & 0x3Fu);
    default:
      return (char32_t{p[0] & 0x07u} << 18) | (char32_t{p[1] & 0x3Fu} << 12) |
             (char32_t{p[2] & 0x3Fu} << 6) | (p[3] & 0x3Fu);
  }
}

bool is_space(char32_t c) {
  // Unicode White_Space plus the invisible U+200B and U+FEFF, which spreadsheets leave behind.
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

/// True when valid UTF-8 `s` holds nothing but white space.
bool is_blank(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p != end) {
    std::size_t bad = 0;
    const std::size_t len = utf8_length(p, end, bad);
    if (len == 0 || !is_space(utf8_decode(p, len))) return false;
    p += len;
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

/// A reason a record cannot be read, and where in the text it was found.
struct problem {
  errc code;
  std::string what;
  std::size_t offset = 0;  ///< Byte offset in the checked text.
};

/**
 * Finds the first invalid UTF-8 sequence, conversion mark or NUL byte in `s`. `encoding` names
 * the source encoding; marks are only looked for when `converted`, since in UTF-8 input 0xFF is
 * just an invalid byte.
 */
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

struct converter_closer {
  void operator()(UConverter* c) const noexcept { ucnv_close(c); }
};

/// Turns the bytes of an input stream into UTF-8 chunks, converting and detecting as asked.
class decoder {
 public:
  decoder(std::istream& in, const std::string& name, const std::string& encoding)
      : in_(in), name_(name) {
    read_raw();
    const std::string_view head(raw_);
    // A byte order mark is proof of its encoding; none of the declared ones can start that way.
    if (head.starts_with("\xEF\xBB\xBF")) {
      raw_pos_ = 3;
      encoding_ = "utf-8";
    } else if (head.starts_with("\xFF\xFE")) {
      raw_pos_ = 2;
      encoding_ = "utf-16le";
    } else if (head.starts_with("\xFE\xFF")) {
      raw_pos_ = 2;
      encoding_ = "utf-16be";
    } else if (encoding == "auto") {
      encoding_ =
          detect_encoding(head.substr(0, detect_bytes), !eof_ || head.size() > detect_bytes);
    } else {
      encoding_ = encoding;
      // Converting UTF-8 from Shift_JIS mostly succeeds and yields plausible kanji, so without
      // this check the whole file would be clustered as mojibake without a single error.
      if (encoding_ != "utf-8") reject_utf8(head.substr(0, detect_bytes));
    }
    if (encoding_ != "utf-8") open_converter();
  }

  [[nodiscard]] const std::string& encoding() const noexcept { return encoding_; }
  /// True when bytes go through an ICU converter, so bad input shows up as marks.
  [[nodiscard]] bool converted() const noexcept { return conv_ != nullptr; }

  /// Replaces `out` with the next non-empty piece of UTF-8; false at the end of the input.
  bool next(std::string& out) {
    if (conv_) return convert(out);
    if (raw_pos_ == raw_.size()) {
      if (eof_) return false;
      read_raw();
      if (raw_.empty()) return false;
    }
    if (raw_pos_ > 0) raw_.erase(0, raw_pos_);
    raw_pos_ = 0;
    out.swap(raw_);
    raw_.clear();
    return true;
  }

 private:
  void read_raw() {
    raw_.resize(chunk_bytes);
    in_.read(raw_.data(), static_cast<std::streamsize>(raw_.size()));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw error(errc::io_failure, "cannot read " + name_);
    raw_.resize(got);
    raw_pos_ = 0;
    eof_ = got < chunk_bytes || in_.eof();
  }

  void reject_utf8(std::string_view sample) const {
    const auto at = utf8_evidence(sample, !eof_ || raw_.size() > detect_bytes);
    if (!at) return;
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(sample.begin(), sample.begin() + *at, '\n'));
    std::size_t bad = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(sample.data()) + *at;
    const std::string_view ch(sample.data() + *at, utf8_length(p, p + (sample.size() - *at), bad));
    throw error(errc::invalid_encoding, name_ + ":" + std::to_string(line) + ": declared " +
                                            encoding_ + " but the input is UTF-8 (<" +
                                            hex_bytes(ch) + "> is \"" + std::string(ch) +
                                            "\" in UTF-8); read it as utf-8 or auto");
  }

  void open_converter() {
    UErrorCode status = U_ZERO_ERROR;
    conv_.reset(ucnv_open(icu_name(encoding_), &status));
    if (U_SUCCESS(status))
      ucnv_setToUCallBack(conv_.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    if (U_FAILURE(status))
      throw error(errc::invalid_encoding, name_ + ": cannot open the ICU converter for " +
                                              encoding_ + ": " + u_errorName(status));
    units_.resize(chunk_bytes / 2);
  }

  bool convert(std::string& out) {
    out.clear();
    while (!done_ && out.size() < chunk_bytes) {
      if (raw_pos_ == raw_.size() && !eof_) read_raw();
      // Only the last bytes of the input may flush, or a character split between two reads
      // would be reported as incomplete.
      const bool flush = eof_;
      const char* src = raw_.data() + raw_pos_;
      UChar* target = units_.data();
      UErrorCode status = U_ZERO_ERROR;
      ucnv_toUnicode(conv_.get(), &target, units_.data() + units_.size(), &src,
                     raw_.data() + raw_.size(), nullptr, flush, &status);
      raw_pos_ = static_cast<std::size_t>(src - raw_.data());
      append_utf16(out, units_.data(), target, lead_);
      if (status == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(status)) {
        done_ = U_SUCCESS(status) && flush;
        continue;
      }
      char kind = mark_illegal;
      if (status == U_INVALID_CHAR_FOUND)
        kind = mark_unmappable;
      else if (status == U_TRUNCATED_CHAR_FOUND)
        kind = mark_incomplete;
      else if (status != U_ILLEGAL_CHAR_FOUND)
        throw error(errc::invalid_encoding,
                    name_ + ": cannot convert from " + encoding_ + ": " + u_errorName(status));
      // The stop callback leaves the converter ready to go on after the bad sequence.
      std::array<char, 32> bytes{};
      auto len = static_cast<std::int8_t>(bytes.size());
      UErrorCode ignored = U_ZERO_ERROR;
      ucnv_getInvalidChars(conv_.get(), bytes.data(), &len, &ignored);
      if (U_FAILURE(ignored)) len = 0;
      out += mark;
      out += kind;
      for (std::int8_t i = 0; i < len; ++i) {
        const auto b = static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
        out += hex_digits[b >> 4];
        out += hex_digits[b & 0xF];
      }
      out += mark;
    }
    return !out.empty();
  }

  std::istream& in_;
  const std::string& name_;
  std::string encoding_;
  std::string raw_;
  std::size_t raw_pos_ = 0;
  bool eof_ = false;
  bool done_ = false;
  std::unique_ptr<UConverter, converter_closer> conv_;
  std::vector<UChar> units_;
  UChar lead_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Record parsing

/// The fields of one delimited record, before any check but the quoting rules.
struct raw_record {
  std::vector<std::string> fields;  ///< The first `size` are this record's; the rest are spare.
  std::size_t size = 0;
  std::size_t line = 0;  ///< Physical line where the record starts.
  std::string problem;   ///< First quoting problem, empty when none.

  std::string& add() {
    if (size == fields.size()) fields.emplace_back();
    auto& f = fields[size++];
    f.clear();
    return f;
  }
  void set_problem(const char* what) {
    if (problem.empty()) problem = what;
  }
};

/// Splits a run of decoded text into lines or RFC 4180 records.
class scanner {
 public:
  /// Scans `text`, whose first line is line `first_line` of the input.
  scanner(std::string_view text, char delimiter, std::size_t first_line)
      : delimiter_(delimiter), buf_(text), line_(first_line) {
    for (const char c : {delimiter, '\n', '\r'})
      unquoted_stop_[static_cast<unsigned char>(c)] = true;
    for (const char c : {'"', '\n', '\r'})
      quoted_stop_[static_cast<unsigned char>(c)] = true;
  }

  /// Reads the next physical line without its line break; false at the end of the text.
  bool next_line(std::string& out, std::size_t& line) {
    if (!more()) return false;
    line = line_++;
    const std::size_t nl = buf_.find('\n', pos_);
    const std::size_t end = nl == std::string_view::npos ? buf_.size() : nl;
    out.assign(buf_.substr(pos_, end - pos_));
    pos_ = nl == std::string_view::npos ? end : nl + 1;
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return true;
  }

  /**
   * Reads the next record; false at the end of the input. Quoting problems do not stop it: the
   * record runs on, read leniently, to the line break where a well-formed record would end, so
   * that the next record starts where the writer meant it to.
   */
  bool next_record(raw_record& r) {
    if (!more()) return false;
    r.size = 0;
    r.problem.clear();
    r.line = line_;
    std::string* field = &r.add();
    enum class state { field_start, unquoted, quoted, after_quote } st = state::field_start;
    for (;;) {
      if (!more()) {
        if (st == state::quoted) r.set_problem("unterminated quote");
        return true;
      }
      const char* p = buf_.data() + pos_;
      const char* end = buf_.data() + buf_.size();
      switch (st) {
        case state::field_start:
          if (*p == '"') {
            ++pos_;
            st = state::quoted;
            break;
          }
          st = state::unquoted;
          [[fallthrough]];
        case state::unquoted: {
          const char* q = scan(p, end, unquoted_stop_);
          field->append(p, q);
          pos_ = static_cast<std::size_t>(q - buf_.data());
          if (q == end) break;
          const char c = *q;
          ++pos_;
          if (c == delimiter_) {
            field = &r.add();
            st = state::field_start;
          } else if (c == '\n') {
            ++line_;
            return true;
          } else if (cr_ends_line()) {
            return true;
          } else {
            field->push_back('\r');
          }
          break;
        }
        case state::quoted: {
          const char* q = scan(p, end, quoted_stop_);
          field->append(p, q);
          pos_ = static_cast<std::size_t>(q - buf_.data());
          if (q == end) break;
          const char c = *q;
          ++pos_;
          if (c == '"') {
            st = state::after_quote;
          } else if (c == '\n') {
            ++line_;
            field->push_back('\n');
          } else {
            field->push_back(cr_ends_line() ? '\n' : '\r');
          }
          break;
        }
        case state::after_quote: {
          const char c = *p;
          ++pos_;
          if (c == '"') {
            field->push_back('"');
            st = state::quoted;
          } else if (c == delimiter_) {
            field = &r.add();
            st = state::field_start;
          } else if (c == '\n') {
            ++line_;
            return true;
          } else if (c == '\r' && cr_ends_line()) {
            return true;
          } else {
            r.set_problem("unexpected character after closing quote");
            field->push_back(c);
            st = state::unquoted;
          }
          break;
        }
      }
    }
  }

 private:
  using stop_table = std::array<bool, 256>;

  static const char* scan(const char* p, const char* end, const stop_table& stop) {
    while (p != end && !stop[static_cast<unsigned char>(*p)])
      ++p;
    return p;
  }

  /// True while a byte is left at `pos_`.
  [[nodiscard]] bool more() const noexcept { return pos_ != buf_.size(); }

  /// After a CR: consumes a following LF. A CR ends a line only before LF or at the end.
  bool cr_ends_line() {
    if (!more()) return true;
    if (buf_[pos_] != '\n') return false;
    ++pos_;
    ++line_;
    return true;
  }

  char delimiter_;
  stop_table unquoted_stop_{};
  stop_table quoted_stop_{};
  std::string_view buf_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

/**
 * Cuts the decoded input into runs of whole records without parsing them, so that the runs can
 * be parsed apart (in parallel) into exactly the records a `scanner` finds in the whole input.
 * A record ends where `scanner` ends one: a line feed outside quotes (CR LF too; a CR alone is
 * text), or the end of the input; with '\n' as the delimiter every line is a record.
 */
class record_cutter {
 public:
  record_cutter(decoder& dec, char delimiter)
      : dec_(dec), delimiter_(delimiter), lines_(delimiter == '\n') {}

  /// Replaces `out` with the next `records` records (fewer at the end of the input), `count`
  /// with how many it holds and `line` with the line it starts on; false at the end.
  bool next(std::size_t records, std::string& out, std::size_t& count, std::size_t& line) {
    out.clear();
    count = 0;
    line = line_;
    while (count < records) {
      if (pos_ == buf_.size()) {
        pos_ = 0;
        if (!dec_.next(buf_)) {
          buf_.clear();
          // The input ended inside a record: the end of the input ends it.
          if (open_) ++count;
          open_ = false;
          st_ = state::start;
          break;
        }
      }
      const std::size_t from = pos_;
      pos_ = lines_ ? cut_lines(records - count, count) : cut_records(records - count, count);
      out.append(buf_, from, pos_ - from);
    }
    line_ += static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
    return count > 0;
  }

 private:
  /// Where `scanner::next_record` stands, reduced to what decides where a record ends: `start`
  /// is a field's start or just after a closing quote (a quote there opens quoting), `cr` just
  /// after a CR outside quotes (a line feed next ends the record; anything else is text).
  enum class state : std::uint8_t { start, plain, quoted, cr };

  /// Scans `buf_` from `pos_` until `want` more records end (added to `count`) or the chunk
  /// does; returns where it stopped.
  std::size_t cut_records(std::size_t want, std::size_t& count) {
    const char* const begin = buf_.data();
    const char* const end = begin + buf_.size();
    const char* p = begin + pos_;
    while (want > 0 && p != end) {
      // Outside quotes, a line without a quote ends its record at its line feed, whatever the
      // state: most records, found by two memchr calls.
      if (st_ != state::quoted) {
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', as_size(end - p)));
        if (nl != nullptr && std::memchr(p, '"', as_size(nl - p)) == nullptr) {
          p = nl + 1;
          end_record(want, count);
          continue;
        }
      }
      p = step(p, end, want, count);
    }
    return as_size(p - begin);
  }

  static std::size_t as_size(std::ptrdiff_t n) noexcept { return static_cast<std::size_t>(n); }

  void end_record(std::size_t& want, std::size_t& count) noexcept {
    st_ = state::start;
    open_ = false;
    --want;
    ++count;
  }

  /// Follows `scanner::next_record` byte by byte from `p` to the end of one record or of the
  /// chunk; returns where it stopped.
  const char* step(const char* p, const char* end, std::size_t& want, std::size_t& count) {
    open_ = true;
    for (; p != end; ++p) {
      if (st_ == state::quoted) {
        const auto* q = static_cast<const char*>(std::memchr(p, '"', as_size(end - p)));
        if (q == nullptr) return end;
        p = q;
        st_ = state::start;  // after a closing quote, or inside a doubled one
        continue;
      }
      const char c = *p;
      if (c == '"' && st_ == state::start) {
        st_ = state::quoted;
      } else if (c == '\n') {
        end_record(want, count);
        return p + 1;
      } else if (c == '\r') {
        st_ = state::cr;
      } else {
        st_ = c == delimiter_ ? state::start : state::plain;
      }
    }
    return end;
  }

  /// As `cut_records`, one record per line.
  std::size_t cut_lines(std::size_t want, std::size_t& count) {
    const char* const begin = buf_.data();
    const char* const end = begin + buf_.size();
    const char* p = begin + pos_;
    while (want > 0 && p != end) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', as_size(end - p)));
      if (nl == nullptr) {
        open_ = true;
        return buf_.size();
      }
      p = nl + 1;
      end_record(want, count);
    }
    return as_size(p - begin);
  }

  decoder& dec_;
  char delimiter_;
  bool lines_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  state st_ = state::start;
  bool open_ = false;  ///< Some byte of the current record is consumed.
};

// ---------------------------------------------------------------------------------------------
// Building the corpus

input_format format_from_name(const std::string& name) {
  const std::string ext = ascii_lower(std::filesystem::path(name).extension().string());
  if (ext == ".csv") return input_format::csv;
  if (ext == ".tsv" || ext == ".tab") return input_format::tsv;
  if (ext == ".jsonl" || ext == ".ndjson") return input_format::jsonl;
  return input_format::text;
}

/// Shortens a message at a character boundary, so that an echoed record cannot flood it.
std::string shorten(std::string s, std::size_t max_bytes = 200) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;
  s.resize(cut);
  return s + "...";
}

/// What parsing a run of records needs, settled before its first record: the input's name and
/// encoding, the options that shape a record and, for delimited input, the header's columns.
struct record_layout {
  std::string name;
  on_error errors = on_error::fail;
  std::size_t max_voice_bytes = 0;
  std::string encoding;
  bool converted = false;  ///< Bytes went through an ICU converter (see `check_text`).
  char delimiter = ',';
  std::vector<std::string> names;  ///< The header's fields.
  std::size_t text = 0;
  std::optional<std::size_t> id;
  std::optional<std::size_t> time;
  std::vector<std::size_t> meta;  ///< Fields kept as meta columns, in column order.

  [[noreturn]] void fail(std::size_t line, errc code, const std::string& what) const {
    throw error(code, name + ":" + std::to_string(line) + ": " + what);
  }
  [[nodiscard]] std::optional<problem> check(std::string_view s) const {
    return check_text(s, encoding, converted);
  }
};

/// Builds records into a table, with the checks, truncation and rejects every format shares.
class record_builder {
 public:
  explicit record_builder(const record_layout& layout) : layout_(layout) {}

  /// The records built so far; the builder starts over empty.
  document_table take() {
    document_table t = std::move(docs_);
    docs_ = document_table{};
    return t;
  }
  [[nodiscard]] std::size_t size() const noexcept { return docs_.size(); }

  /// A record that cannot be read: fatal, or kept as rejected.
  void reject(std::size_t record, std::size_t line, errc code, const std::string& what) {
    if (layout_.errors == on_error::fail) layout_.fail(line, code, what);
    document d;
    d.record = record;
    d.line = line;
    d.id = std::to_string(record);
    d.status = record_status::rejected;
    d.reason = "line " + std::to_string(line) + ": " + what;
    docs_.push_back(d);
  }

  /// The reused record, reset for a new record: its strings keep their buffers from record to
  /// record, so building allocates nothing per record.
  document& fresh(std::size_t record, std::size_t line, const std::string* id = nullptr) {
    doc_.record = record;
    doc_.line = line;
    if (id != nullptr)
      doc_.id = *id;
    else
      doc_.id = std::to_string(record);
    doc_.text.clear();
    doc_.timestamp.clear();
    for (auto& m : doc_.meta)
      m.clear();
    doc_.status = record_status::kept;
    doc_.reason.clear();
    return doc_;
  }

  /// Adds a readable record (copied into the table): truncated if too long, empty if blank, else
  /// kept.
  void add(document& d) {
    const std::size_t limit = layout_.max_voice_bytes;
    if (limit > 0 && d.text.size() > limit) {
      std::size_t cut = limit;
      while (cut > 0 && (static_cast<unsigned char>(d.text[cut]) & 0xC0) == 0x80)
        --cut;
      d.reason = "truncated from " + std::to_string(d.text.size()) + " to " + std::to_string(cut) +
                 " bytes";
      d.text.resize(cut);
    }
    // Blankness is judged on what later stages will see, hence after truncation.
    d.status = is_blank(d.text) ? record_status::empty : record_status::kept;
    docs_.push_back(d);
  }

  /// Builds the delimited records in `text`, which starts at line `first_line` with record
  /// number `first_record`.
  void parse_delimited(std::string_view text, std::size_t first_line, std::size_t first_record) {
    scanner scan(text, layout_.delimiter, first_line);
    raw_record r;
    for (std::size_t record = first_record; scan.next_record(r); ++record) {
      if (r.size == 1 && r.fields[0].empty() && r.problem.empty()) {
        // A blank line has no fields to count; it stands for a voice left empty.
        add(fresh(record, r.line));
        continue;
      }
      if (auto p = find_problem(r)) {
        reject(record, r.line, p->code, p->what);
        continue;
      }
      document& d = fresh(record, r.line, layout_.id ? &r.fields[*layout_.id] : nullptr);
      if (layout_.time) d.timestamp = r.fields[*layout_.time];
      d.text = r.fields[layout_.text];
      d.meta.resize(layout_.meta.size());
      for (std::size_t k = 0; k < layout_.meta.size(); ++k)
        d.meta[k] = r.fields[layout_.meta[k]];
      add(d);
    }
  }

  /// Builds one record per line of `text` (plain-text input), as `parse_delimited`.
  void parse_lines(std::string_view text, std::size_t first_line, std::size_t first_record) {
    scanner scan(text, '\n', first_line);
    std::string line_text;
    std::size_t line = 0;
    for (std::size_t record = first_record; scan.next_line(line_text, line); ++record) {
      if (auto p = layout_.check(line_text)) {
        reject(record, line, p->code, p->what);
        continue;
      }
      document& d = fresh(record, line);
      d.text.swap(line_text);
      add(d);
    }
  }

 private:
  /// First problem of a delimited record: encoding or NUL, then quoting, then the field count.
  [[nodiscard]] std::optional<problem> find_problem(const raw_record& r) const {
    const std::vector<std::string>& names = layout_.names;
    std::size_t newlines = 0;
    for (std::size_t i = 0; i < r.size; ++i) {
      const std::string& f = r.fields[i];
      if (auto p = layout_.check(f)) {
        p->what += " in field " + std::to_string(i + 1);
        if (i < names.size() && !names[i].empty()) p->what += " (" + names[i] + ")";
        // Quoted fields keep their line breaks, so the line of the bad byte can be told.
        newlines += static_cast<std::size_t>(
            std::count(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(p->offset), '\n'));
        if (newlines > 0) p->what += " on line " + std::to_string(r.line + newlines);
        return p;
      }
      newlines += static_cast<std::size_t>(std::count(f.begin(), f.end(), '\n'));
    }
    if (!r.problem.empty()) return problem{errc::malformed_record, r.problem};
    if (r.size != names.size())
      return problem{errc::malformed_record, "record has " + plural(r.size, "field") +
                                                 ", header has " + std::to_string(names.size())};
    return std::nullopt;
  }

  const record_layout& layout_;
  document_table docs_;
  document doc_;
};

/// The byte buffers of blocks parsed, for cutting the next ones: reused, they spare touching new
/// pages for every block.
class buffer_pool {
 public:
  std::string take() {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) return {};
    std::string s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  void give(std::string&& s) {
    s.clear();
    const std::lock_guard<std::mutex> lock(mutex_);
    if (free_.size() < max_kept) free_.push_back(std::move(s));
  }

 private:
  static constexpr std::size_t max_kept = 64;
  std::mutex mutex_;
  std::vector<std::string> free_;
};

#ifndef KOE_IO_BLOCK_RECORDS
#define KOE_IO_BLOCK_RECORDS 4096
#endif
/// Records per block when a whole corpus is read at once. The fuzz build makes it tiny, so that
/// records are cut apart everywhere.
constexpr std::size_t whole_read_block = KOE_IO_BLOCK_RECORDS;

/**
 * Reads an input in blocks of whole records. Delimited and plain-text blocks are only cut from
 * the input here (`record_cutter`) and handed over unparsed, to be parsed wherever the caller
 * likes; JSON Lines blocks are parsed here, since the keys of each object add meta columns in the
 * order they first appear. Without a taker the blocks are parsed at once and kept.
 */
class corpus_reader {
 public:
  corpus_reader(std::istream& in, const std::string& name, const io_options& options,
                std::size_t block_records, const unparsed_block_callback* take)
      : options_(options),
        dec_(in, name, canonical_encoding(options.encoding)),
        block_records_(block_records),
        take_(take) {
    layout_.name = name;
    layout_.errors = options.errors;
    layout_.max_voice_bytes = options.max_voice_bytes;
    layout_.encoding = dec_.encoding();
    layout_.converted = dec_.converted();
    corpus_.source = name;
    corpus_.encoding = dec_.encoding();
  }

  corpus read() {
    auto format = options_.format;
    if (format == input_format::auto_detect) format = format_from_name(layout_.name);
    try {
      switch (format) {
        case input_format::csv:
          read_delimited(',');
          break;
        case input_format::tsv:
          read_delimited('\t');
          break;
        case input_format::jsonl:
          read_jsonl();
          break;
        default:
          read_text();
          break;
      }
      // JSON Lines may add meta columns late; earlier documents get empty values for them.
      corpus_.documents.resize_meta(corpus_.meta_columns.size());
    } catch (const std::bad_alloc&) {
      // The records go first, so that building the message has memory to work with.
      corpus_ = corpus{};
      throw error(errc::out_of_memory, layout_.name + ": the corpus does not fit in memory (" +
                                           plural(records_, "record") + " read, up to line " +
                                           std::to_string(last_line_) + "); split the file");
    }
    return std::move(corpus_);
  }

 private:
  /// Cuts the next block; false at the end of the input.
  bool cut(record_cutter& cutter, std::string& bytes, std::size_t& records, std::size_t& line) {
    if (bytes.capacity() == 0) bytes = pool_->take();  // handed over with the last block
    if (!cutter.next(block_records_, bytes, records, line)) return false;
    records_ += records;
    last_line_ = line;
    return true;
  }

  void hand_over(unparsed_block&& block) {
    if (take_ != nullptr)
      (*take_)(std::move(block));
    else
      corpus_.documents.append(block());
  }

  void hand_over(document_table&& parsed) {
    if (parsed.size() == 0) return;
    if (take_ == nullptr) {
      corpus_.documents.append(std::move(parsed));
      return;
    }
    auto held = std::make_shared<document_table>(std::move(parsed));
    (*take_)([held] { return std::move(*held); });
  }

  /// Index of column `spec` (name or 1-based digits) in `names`; throws when there is none.
  std::size_t resolve(const std::string& spec, const char* role,
                      const std::vector<std::string>& names, std::size_t line,
                      const char* where) const {
    if (is_digits(spec)) {
      const std::size_t n = spec.size() > 9 ? 0 : std::stoul(spec);
      if (n >= 1 && n <= names.size()) return n - 1;
      layout_.fail(line, errc::missing_column,
                   std::string(role) + " column " + spec + " is out of range; " + where + " has " +
                       plural(names.size(), "column") + ": " + join_names(names));
    }
    const auto it = std::find(names.begin(), names.end(), spec);
    if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
    layout_.fail(line, errc::missing_column,
                 std::string(role) + " column \"" + spec + "\" not found; " + where +
                     " has: " + join_names(names));
  }

  static std::optional<std::size_t> find_name(const std::vector<std::string>& names,
                                              std::string_view name) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names.begin());
  }

  /// Reads the header of delimited input into `layout`; false when the input is empty.
  bool read_header(record_cutter& cutter, record_layout& layout) {
    std::string bytes;
    std::size_t records = 0;
    std::size_t line = 0;
    if (!cutter.next(1, bytes, records, line)) return false;
    scanner scan(bytes, layout.delimiter, line);
    raw_record r;
    scan.next_record(r);

    // Without a header nothing can be read, so its problems are fatal even when skipping.
    std::vector<std::string>& names = layout.names;
    for (std::size_t i = 0; i < r.size; ++i) {
      if (auto p = layout.check(r.fields[i]))
        layout.fail(r.line, p->code, "header: " + p->what + " in field " + std::to_string(i + 1));
      // Hand-written headers often have a space after each comma.
      const std::string& f = r.fields[i];
      const auto b = f.find_first_not_of(' ');
      names.push_back(b == std::string::npos ? std::string()
                                             : f.substr(b, f.find_last_not_of(' ') - b + 1));
    }
    if (!r.problem.empty()) layout.fail(r.line, errc::malformed_record, "header: " + r.problem);
    // A lone CR is text inside a record, so a file whose lines end in CR alone (old Mac Excel)
    // would read as one long header and zero records; no real column name holds a CR.
    for (std::size_t i = 0; i < r.size; ++i) {
      if (r.fields[i].find('\r') != std::string::npos)
        layout.fail(r.line, errc::malformed_record,
                    "header: carriage return in field " + std::to_string(i + 1) +
                        "; lines ended by CR alone are not supported, save the file with LF or "
                        "CRLF");
    }

    const std::size_t header_line = r.line;
    layout.text = options_.text_column.empty()
                      ? find_name(names, "text").value_or(0)
                      : resolve(options_.text_column, "text", names, header_line, "the header");
    if (!options_.id_column.empty())
      layout.id = resolve(options_.id_column, "id", names, header_line, "the header");
    else if (auto i = find_name(names, "id"); i && *i != layout.text)
      layout.id = i;
    if (!options_.time_column.empty()) {
      layout.time = resolve(options_.time_column, "timestamp", names, header_line, "the header");
    } else {
      for (const char* name : {"created_at", "timestamp"}) {
        if (auto i = find_name(names, name); i && *i != layout.text && i != layout.id) {
          layout.time = i;
          break;
        }
      }
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i == layout.text || i == layout.id || i == layout.time || !keeps_meta(names[i])) continue;
      layout.meta.push_back(i);
      corpus_.meta_columns.push_back(names[i]);
    }
    return true;
  }

  void read_delimited(char delimiter) {
    record_cutter cutter(dec_, delimiter);
    record_layout layout = layout_;
    layout.delimiter = delimiter;
    if (!read_header(cutter, layout)) return;
    hand_over_blocks(cutter, std::move(layout), &record_builder::parse_delimited);
  }

  void read_text() {
    record_cutter cutter(dec_, '\n');
    hand_over_blocks(cutter, layout_, &record_builder::parse_lines);
  }

  using block_parse = void (record_builder::*)(std::string_view, std::size_t, std::size_t);

  /// Cuts the rest of the input into blocks and hands each over, to be parsed by `parse`.
  void hand_over_blocks(record_cutter& cutter, record_layout layout, block_parse parse) {
    // Shared by the blocks, which may be parsed after this reader is gone.
    const auto shared = std::make_shared<const record_layout>(std::move(layout));
    std::string bytes;
    std::size_t records = 0;
    std::size_t line = 0;
    for (std::size_t next = 1; cut(cutter, bytes, records, line); next += records) {
      hand_over([shared, parse, pool = pool_, text = std::move(bytes), line, next]() mutable {
        record_builder b(*shared);
        (b.*parse)(text, line, next);
        pool->give(std::move(text));
        return b.take();
      });
    }
  }

  /// Keys that play a role in JSON Lines, settled by the first object as a header would be.
  struct json_keys {
    std::string text;
    std::string id;
    std::string time;
  };

  json_keys resolve_keys(const nlohmann::ordered_json& first, std::size_t line) const {
    std::vector<std::string> names;
    for (const auto& item : first.items())
      names.push_back(item.key());
    const auto pick = [&](const std::string& spec, const char* role) {
      return is_digits(spec) ? names[resolve(spec, role, names, line, "the first object")] : spec;
    };
    json_keys keys;
    if (!options_.text_column.empty())
      keys.text = pick(options_.text_column, "text");
    else
      keys.text = names.empty() || find_name(names, "text") ? "text" : names.front();
    keys.id = options_.id_column.empty() ? "id" : pick(options_.id_column, "id");
    if (!options_.time_column.empty())
      keys.time = pick(options_.time_column, "timestamp");
    else
      keys.time = !find_name(names, "created_at") && find_name(names, "timestamp") ? "timestamp"
                                                                                   : "created_at";
    return keys;
  }

  /// True when arrays and objects in JSON text `s` nest deeper than `max_json_depth`.
  static bool json_too_deep(std::string_view s) {
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : s) {
      if (in_string) {
        if (escaped)
          escaped = false;
        else if (c == '\\')
          escaped = true;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > max_json_depth) return true;
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      }
    }
    return false;
  }

  /// True unless `io_options::meta_columns` leaves the metadata column `name` out.
  [[nodiscard]] bool keeps_meta(const std::string& name) const {
    const auto& keep = options_.meta_columns;
    return !keep || std::find(keep->begin(), keep->end(), name) != keep->end();
  }

  /// The first key of `j` that would add a meta column beyond `max_json_keys`, if any.
  std::optional<std::string> first_key_beyond_limit(
      const nlohmann::ordered_json& j, const json_keys& keys,
      const std::unordered_map<std::string, std::size_t>& meta_index) const {
    std::size_t columns = corpus_.meta_columns.size();
    for (const auto& item : j.items()) {
      const std::string& key = item.key();
      if (key == keys.text || key == keys.id || key == keys.time || meta_index.contains(key) ||
          !keeps_meta(key))
        continue;
      // Keys of one object are unique, so each new one is one more column.
      if (++columns > max_json_keys) return key;
    }
    return std::nullopt;
  }

  static std::string json_text(const nlohmann::ordered_json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  }

  void read_jsonl() {
    record_cutter cutter(dec_, '\n');
    record_builder built(layout_);
    std::string bytes;
    std::size_t records = 0;
    std::size_t first_line = 0;
    std::size_t record = 0;
    while (cut(cutter, bytes, records, first_line)) {
      scanner scan(bytes, '\n', first_line);
      std::string line_text;
      std::size_t line = 0;
      while (scan.next_line(line_text, line))
        read_json_line(built, ++record, line, line_text);
      hand_over(built.take());
    }
  }

  /// Builds record `record` from the JSON object on line `line`.
  void read_json_line(record_builder& built, std::size_t record, std::size_t line,
                      const std::string& line_text) {
    auto& keys = json_keys_;
    auto& meta_index = meta_index_;
    if (auto p = layout_.check(line_text)) {
      built.reject(record, line, p->code, p->what);
      return;
    }
    if (line_text.find_first_not_of(" \t\r\f\v") == std::string::npos) {
      document d;
      d.record = record;
      d.line = line;
      d.id = std::to_string(record);
      built.add(d);
      return;
    }
    if (json_too_deep(line_text)) {
      built.reject(record, line, errc::malformed_record,
                   "JSON nested deeper than " + std::to_string(max_json_depth) + " levels");
      return;
    }
    nlohmann::ordered_json j;
    try {
      j = nlohmann::ordered_json::parse(line_text);
    } catch (const nlohmann::json::parse_error& e) {
      // Each record is one line, so the library's "line 1" is noise; its column is not.
      const std::string_view what = e.what();
      const auto at = what.find("column ");
      built.reject(record, line, errc::malformed_record,
                   shorten("invalid JSON at " +
                           std::string(at == std::string_view::npos ? what : what.substr(at))));
      return;
    }
    if (!j.is_object()) {
      built.reject(
          record, line, errc::malformed_record,
          std::string("not a JSON object but ") + (j.is_array() ? "an " : "a ") + j.type_name());
      return;
    }
    if (!keys) keys = resolve_keys(j, line);

    const auto text = j.find(keys->text);
    if (text == j.end()) {
      std::vector<std::string> names;
      for (const auto& item : j.items())
        names.push_back(item.key());
      built.reject(record, line, errc::malformed_record,
                   "no \"" + keys->text + "\" key; the object has: " + join_names(names));
      return;
    }
    if (!text->is_string()) {
      built.reject(
          record, line, errc::malformed_record,
          "text is not a string (key \"" + keys->text + "\" holds " + text->type_name() + ")");
      return;
    }
    document d;
    d.record = record;
    d.line = line;
    d.text = text->get<std::string>();
    if (d.text.find('\0') != std::string::npos) {
      built.reject(record, line, errc::malformed_record, "NUL character in text");
      return;
    }
    const auto id = j.find(keys->id);
    d.id = id != j.end() && !id->is_null() ? json_text(*id) : std::to_string(record);
    const auto time = j.find(keys->time);
    if (time != j.end() && !time->is_null()) d.timestamp = json_text(*time);
    if (auto key = first_key_beyond_limit(j, *keys, meta_index)) {
      built.reject(
          record, line, errc::malformed_record,
          shorten("key \"" + *key + "\" would be meta column " + std::to_string(max_json_keys + 1) +
                  "; koe carries at most " + std::to_string(max_json_keys)));
      return;
    }
    for (const auto& item : j.items()) {
      const std::string& key = item.key();
      if (key == keys->text || key == keys->id || key == keys->time || !keeps_meta(key)) continue;
      auto [it, added] = meta_index.try_emplace(key, corpus_.meta_columns.size());
      if (added) corpus_.meta_columns.push_back(key);
      if (d.meta.size() <= it->second) d.meta.resize(it->second + 1);
      d.meta[it->second] = json_text(item.value());
    }
    built.add(d);
  }

  const io_options& options_;
  record_layout layout_;  ///< What every block shares; delimited input adds the header's columns.
  decoder dec_;
  corpus corpus_;
  std::size_t block_records_ = 0;
  const unparsed_block_callback* take_ = nullptr;
  std::shared_ptr<buffer_pool> pool_ = std::make_shared<buffer_pool>();
  std::optional<json_keys> json_keys_;
  std::unordered_map<std::string, std::size_t> meta_index_;  ///< JSON Lines: key -> meta column.
  std::size_t records_ = 0;
  std::size_t last_line_ = 0;
};

}  // namespace

corpus read_corpus(std::istream& in, const std::string& name, const io_options& options) {
  return corpus_reader(in, name, options, whole_read_block, nullptr).read();
}

namespace {

std::ifstream open_input(const std::filesystem::path& path, const io_options& options) {
  canonical_encoding(options.encoding);  // a bad option is reported before any file problem
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw error(errc::io_failure, "cannot open " + name + ": is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    throw error(errc::io_failure,
                "cannot open " + name + ": " +
                    (e != 0 ? std::generic_category().message(e) : std::string("unknown error")));
  }
  return in;
}

}  // namespace

corpus read_corpus(const std::filesystem::path& path, const io_options& options) {
  std::ifstream in = open_input(path, options);
  return read_corpus(in, path.string(), options);
}

corpus read_corpus_blocks(const std::filesystem::path& path, const io_options& options,
                          std::size_t block_records, const record_block_callback& take) {
  const unparsed_block_callback parse = [&take](unparsed_block&& block) { take(block()); };
  return read_corpus_unparsed(path, options, block_records, parse);
}

corpus read_corpus_unparsed(const std::filesystem::path& path, const io_options& options,
                            std::size_t block_records, const unparsed_block_callback& take) {
  KOE_THROW_IF_NOT(block_records > 0, errc::invalid_argument, "block_records must be > 0");
  std::ifstream in = open_input(path, options);
  return corpus_reader(in, path.string(), options, block_records, &take).read();
}

input_format parse_input_format(const std::string& name) {
  if (name == "csv") return input_format::csv;
  if (name == "tsv") return input_format::tsv;
  if (name == "jsonl") return input_format::jsonl;
  if (name == "text") return input_format::text;
  if (name == "auto") return input_format::auto_detect;
  throw error(errc::invalid_argument,
              "unknown input format \"" + name + "\" (expected csv, tsv, jsonl, text or auto)");
}

}  // namespace koe
