// Decoding input to UTF-8 and checking text, for the readers of io*.cpp. Private.
#pragma once

#include <koe/error.hpp>

#include "utf8.hpp"

#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

// The fuzz build (scripts/fuzz.sh) makes chunks a few bytes long, so that every record, quote,
// line break and multi-byte character is split by a chunk boundary somewhere.
#ifndef KOE_IO_CHUNK_BYTES
#define KOE_IO_CHUNK_BYTES (std::size_t{1} << 20)
#endif
constexpr std::size_t chunk_bytes = KOE_IO_CHUNK_BYTES;
constexpr std::size_t detect_bytes = std::size_t{64} << 10;

// Valid UTF-8 never contains 0xFF, so the decoder can mark a byte sequence the source converter
// rejected as 0xFF, a kind letter, the bytes in hex, 0xFF. The mark travels through the record
// parsers like ordinary text (no delimiter, quote or newline in it) and is reported when the
// record holding it is validated, so the error names the right record and line.
constexpr char mark = '\xFF';
constexpr char mark_illegal = 'i';
constexpr char mark_unmappable = 'u';
constexpr char mark_incomplete = 't';

inline constexpr char hex_digits[] = "0123456789ABCDEF";

std::string ascii_lower(std::string_view s);
bool is_digits(std::string_view s);
/// "E3 81" for the bytes E3 81, as error messages show them.
std::string hex_bytes(std::string_view bytes);
/// "3 fields", "1 field".
std::string plural(std::size_t n, const char* noun);
/// The first names, comma separated, for a message.
std::string join_names(const std::vector<std::string>& names);

/// `utf8::valid_length` of the bytes [p, end), for the byte loops of the reader (`p < end`).
inline std::size_t utf8_length(const unsigned char* p, const unsigned char* end, std::size_t& bad) {
  return utf8::valid_length(
      std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p)), 0,
      bad);
}
/// True when valid UTF-8 `s` holds nothing but white space.
bool is_blank(std::string_view s);
/// Appends UTF-16 units as UTF-8; a lead surrogate at the end waits in `lead` for its trail,
/// because the converter may split a pair between two output buffers.
void append_utf16(std::string& out, const UChar* p, const UChar* end, UChar& lead);

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
std::optional<problem> check_text(std::string_view s, const std::string& encoding, bool converted);

/// Canonical name of a supported encoding option; throws on anything else.
std::string canonical_encoding(std::string_view name);
/// ICU's name of a canonical encoding that needs converting.
const char* icu_name(const std::string& encoding);
/// Guesses the encoding of the start of an input with no byte order mark.
std::string detect_encoding(std::string_view sample, bool cut);
/// Offset of the first wide character when `sample` is Japanese UTF-8 beyond doubt.
std::optional<std::size_t> utf8_evidence(std::string_view sample, bool cut);

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

}  // namespace koe::detail
