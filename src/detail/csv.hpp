// Writing CSV (RFC 4180): fields separated by commas, records ended by a line feed, a field
// quoted only when it holds a comma, a double quote, a carriage return or a line feed, with each
// double quote inside doubled.
//
// **Example**
// ```cpp
// std::string s;
// koe::detail::csv::row(s).field("V1").field("say \"hi\", twice").field(3).end();
// // s == "V1,\"say \"\"hi\"\", twice\",3\n"
// ```
#pragma once

#include <charconv>
#include <concepts>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>

namespace koe::detail::csv {

/// True when RFC 4180 requires `field` to be quoted.
[[nodiscard]] constexpr bool needs_quotes(std::string_view field) noexcept {
  // One pass over the bytes: find_first_of would search the set once per byte, and the long
  // columns (voices, replies) make this the writers' hottest loop.
  for (const char c : field)
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  return false;
}

/// Appends `field` to `out` as one CSV field, quoted only when it must be.
inline void append_field(std::string& out, std::string_view field) {
  if (!needs_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

/// `field` as one CSV field, quoted only when it must be.
[[nodiscard]] inline std::string quote(std::string_view field) {
  std::string out;
  append_field(out, field);
  return out;
}

/// Builds one record at the end of a string: each `field` is appended after a comma (none before
/// the first), and `end` closes the record with a line feed. Not thread-safe; cheap to make, so
/// one is made per record.
class row {
 public:
  explicit row(std::string& out) noexcept : out_(&out) {}

  /// Appends one field, quoted only when it must be.
  row& field(std::string_view s) {
    separate();
    append_field(*out_, s);
    return *this;
  }
  row& field(const char* s) { return field(std::string_view(s)); }
  row& field(const std::string& s) { return field(std::string_view(s)); }
  /// Appends an integer in decimal (it never needs quotes).
  template <std::integral Int>
  row& field(Int n) {
    separate();
    char buf[24];
    const char* end = std::to_chars(buf, buf + sizeof buf, n).ptr;
    out_->append(buf, static_cast<std::size_t>(end - buf));
    return *this;
  }
  /// Appends `count` empty fields.
  row& empty(std::size_t count = 1) {
    for (std::size_t i = 0; i < count; ++i)
      field(std::string_view());
    return *this;
  }
  /// Ends the record with a line feed; the next field starts a new record.
  void end() {
    *out_ += '\n';
    first_ = true;
  }

 private:
  void separate() {
    if (!first_) *out_ += ',';
    first_ = false;
  }

  std::string* out_;
  bool first_ = true;
};

/// Appends one record of `fields` to `out`.
inline void append_row(std::string& out, std::initializer_list<std::string_view> fields) {
  row r(out);
  for (const std::string_view f : fields)
    r.field(f);
  r.end();
}

/// Writes one record of `fields` to `out`.
inline void write_row(std::ostream& out, std::initializer_list<std::string_view> fields) {
  std::string s;
  append_row(s, fields);
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

}  // namespace koe::detail::csv
