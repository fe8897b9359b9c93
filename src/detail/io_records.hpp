// Cutting decoded text into records and building documents from them, for the readers of
// io*.cpp. Private.
#pragma once

#include <koe/error.hpp>
#include <koe/io.hpp>

#include "csv_grammar.hpp"
#include "io_text.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

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

/// Splits a run of decoded text into lines or RFC 4180 records (`detail::csv`).
class scanner {
 public:
  /// Scans `text`, whose first line is line `first_line` of the input.
  scanner(std::string_view text, char delimiter, std::size_t first_line)
      : classes_(detail::csv::make_classes(delimiter)), buf_(text), line_(first_line) {
    // A run of bytes that only extend the field in its state is appended at once; a LF never
    // belongs to a run, so that every one is counted.
    for (std::size_t s = 0; s < detail::csv::states; ++s) {
      for (std::size_t c = 0; c < 256; ++c) {
        const auto cls = static_cast<std::size_t>(classes_[c]);
        const detail::csv::transition t = detail::csv::transitions[s][cls];
        runs_[s][c] = c != '\n' && t.next == static_cast<detail::csv::state>(s) &&
                      t.actions == detail::csv::keep_byte;
      }
    }
  }

  /// Reads the next physical line without its line break; false at the end of the text.
  bool next_line(std::string& out, std::size_t& line) {
    if (pos_ == buf_.size()) return false;
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
    namespace csv = detail::csv;
    if (pos_ == buf_.size()) return false;
    r.size = 0;
    r.problem.clear();
    r.line = line_;
    std::string* field = &r.add();
    csv::state st = csv::state::field_start;
    const char* p = buf_.data() + pos_;
    const char* const end = buf_.data() + buf_.size();
    while (p != end) {
      const run_table& run = runs_[static_cast<std::size_t>(st)];
      const char* q = p;
      while (q != end && run[static_cast<unsigned char>(*q)])
        ++q;
      field->append(p, q);
      if (q == end) {
        p = q;
        break;
      }
      const char c = *q;
      p = q + 1;
      if (c == '\n') ++line_;
      const csv::transition t =
          csv::transitions[static_cast<std::size_t>(st)]
                          [static_cast<std::size_t>(classes_[static_cast<unsigned char>(c)])];
      st = t.next;
      if ((t.actions & csv::stray_after_quote) != 0)
        r.set_problem("unexpected character after closing quote");
      if ((t.actions & csv::keep_cr) != 0) field->push_back('\r');
      if ((t.actions & csv::keep_byte) != 0) field->push_back(c);
      if ((t.actions & csv::next_field) != 0) field = &r.add();
      if ((t.actions & csv::end_record) != 0) {
        pos_ = static_cast<std::size_t>(p - buf_.data());
        return true;
      }
    }
    pos_ = buf_.size();
    const std::uint8_t f = csv::finish(st);
    if ((f & csv::append_lf) != 0) field->push_back('\n');
    if ((f & csv::unterminated) != 0) r.set_problem("unterminated quote");
    return true;
  }

 private:
  using run_table = std::array<bool, 256>;

  detail::csv::class_table classes_;
  std::array<run_table, detail::csv::states> runs_{};
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
      : dec_(dec), classes_(detail::csv::make_classes(delimiter)), lines_(delimiter == '\n') {}

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
          st_ = detail::csv::state::field_start;
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
  /// Scans `buf_` from `pos_` until `want` more records end (added to `count`) or the chunk
  /// does; returns where it stopped.
  std::size_t cut_records(std::size_t want, std::size_t& count) {
    const char* const begin = buf_.data();
    const char* const end = begin + buf_.size();
    const char* p = begin + pos_;
    while (want > 0 && p != end) {
      // Outside quotes, a line without a quote ends its record at its line feed, whatever the
      // state: most records, found by two memchr calls.
      if (!detail::csv::in_quotes(st_)) {
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
    st_ = detail::csv::state::field_start;
    open_ = false;
    --want;
    ++count;
  }

  /// Follows the grammar `scanner::next_record` follows, byte by byte from `p` to the end of one
  /// record or of the chunk; returns where it stopped.
  const char* step(const char* p, const char* end, std::size_t& want, std::size_t& count) {
    namespace csv = detail::csv;
    open_ = true;
    for (; p != end; ++p) {
      if (csv::in_quotes(st_)) {
        // Only a quote leaves the quotes (see csv::shortcuts_hold).
        const auto* q = static_cast<const char*>(std::memchr(p, '"', as_size(end - p)));
        if (q == nullptr) return end;
        p = q;
      }
      const csv::transition t =
          csv::transitions[static_cast<std::size_t>(st_)]
                          [static_cast<std::size_t>(classes_[static_cast<unsigned char>(*p)])];
      st_ = t.next;
      if ((t.actions & csv::end_record) != 0) {
        end_record(want, count);
        return p + 1;
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
  detail::csv::class_table classes_;
  bool lines_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  detail::csv::state st_ = detail::csv::state::field_start;
  bool open_ = false;  ///< Some byte of the current record is consumed.
};

// ---------------------------------------------------------------------------------------------
// Building documents

/// Shortens a message at a character boundary, so that an echoed record cannot flood it.
inline std::string shorten(std::string s, std::size_t max_bytes = 200) {
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
  /// Before "line N" in a rejected record's reason: the file's name and a space when the input
  /// is several files, else empty.
  std::string where;

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
    d.reason = layout_.where + "line " + std::to_string(line) + ": " + what;
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

}  // namespace koe::detail
