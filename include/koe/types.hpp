/// Plain value types shared by the pipeline stages.
#pragma once

#include <koe/export.hpp>
#include <koe/text_column.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koe {

/// What became of one input record.
enum class record_status : std::uint8_t {
  kept,      ///< Has text after normalization; goes on to tokenizing and clustering.
  empty,     ///< Blank after normalization; counted, never clustered.
  rejected,  ///< Could not be read (see `document::reason`); only with `on_error::skip`.
};

/// "kept", "empty" or "rejected", as outputs and Python's frames write a status.
[[nodiscard]] KOE_EXPORT const char* to_string(record_status status) noexcept;

/// The status named by `to_string` (an empty text reads as kept); throws `errc::invalid_argument`
/// for any other text.
[[nodiscard]] KOE_EXPORT record_status parse_record_status(std::string_view text);

/// What became of one record in the end, as assignments.csv's `status` column writes it: the
/// record's `record_status`, and for a kept voice what clustering or assigning made of it.
enum class assignment_status : std::uint8_t {
  clustered,  ///< In a cluster (`koe assign`: an existing cluster of the model).
  noise,      ///< Kept but in no cluster (no terms, or below the least similarity).
  empty,      ///< `record_status::empty`.
  rejected,   ///< `record_status::rejected`.
  new_theme,  ///< `koe assign` only: far from every cluster of the model, or no known term.
};

/// "clustered", "noise", "empty", "rejected" or "new_theme".
[[nodiscard]] KOE_EXPORT const char* to_string(assignment_status status) noexcept;

/// The status named by `to_string`; throws `errc::invalid_argument` for any other text.
[[nodiscard]] KOE_EXPORT assignment_status parse_assignment_status(std::string_view text);

/// One input record (a customer voice): the owning form, for building a corpus by hand.
struct KOE_EXPORT document {
  std::size_t record = 0;         ///< 1-based record number in the input.
  std::size_t line = 0;           ///< 1-based physical line where the record starts.
  std::string id;                 ///< Id column value, or the record number as text.
  std::string text;               ///< The voice as read (UTF-8), before normalization.
  std::string timestamp;          ///< Timestamp column value, empty when absent.
  std::vector<std::string> meta;  ///< Other columns, parallel to `corpus::meta_columns`.
  record_status status = record_status::kept;
  std::string reason;  ///< Why the record was rejected or truncated; empty otherwise.
};

class document_table;

/// The metadata values of one stored record, parallel to `corpus::meta_columns`.
class KOE_EXPORT meta_values {
 public:
  meta_values(const document_table& table, std::size_t row) noexcept : table_(&table), row_(row) {}
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] std::string_view operator[](std::size_t column) const noexcept;
  /// Owning copies of the values.
  [[nodiscard]] std::vector<std::string> to_vector() const;
  friend bool operator==(const meta_values& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t j = 0; j < b.size(); ++j)
      if (a[j] != b[j]) return false;
    return true;
  }

 private:
  const document_table* table_;
  std::size_t row_;
};

/// One stored record, as views into its `document_table` (valid while the table is unchanged).
struct KOE_EXPORT document_view {
  std::size_t record = 0;
  std::size_t line = 0;
  std::string_view id;
  std::string_view text;
  std::string_view timestamp;
  meta_values meta;
  record_status status = record_status::kept;
  std::string_view reason;

  /// An owning copy.
  [[nodiscard]] document to_document() const;
};

/**
 * The records of a corpus, stored by column: each text, id and metadata value in a
 * `text_column`, reasons (rare) out of line. A record costs its bytes of text, id and metadata
 * plus 9 bytes and 12 per column that holds a value (text, id, timestamp, each metadata column),
 * where a vector of `document` takes 176 bytes and a heap block per longer string, which is
 * what lets 10 million voices fit in a few gigabytes. Records are read back as
 * `document_view`s.
 *
 * **Example**
 * ```cpp
 * koe::document_table t;
 * koe::document d;
 * d.record = 1; d.line = 2; d.id = "A-1"; d.text = "配送が遅い";
 * t.push_back(d);
 * // t.size() == 1; t[0].text == "配送が遅い"; t[0].status == koe::record_status::kept
 * ```
 */
class KOE_EXPORT document_table {
 public:
  class KOE_EXPORT iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = document_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = document_view;

    iterator() = default;
    iterator(const document_table* t, std::size_t i) noexcept : t_(t), i_(i) {}
    document_view operator*() const { return (*t_)[i_]; }
    iterator& operator++() noexcept {
      ++i_;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.i_ == b.i_; }
    friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }

   private:
    const document_table* t_ = nullptr;
    std::size_t i_ = 0;
  };

  [[nodiscard]] std::size_t size() const noexcept { return status_.size(); }
  [[nodiscard]] bool empty() const noexcept { return status_.empty(); }
  [[nodiscard]] document_view operator[](std::size_t i) const;
  /// `(*this)[i]`, after checking `i`; throws `std::out_of_range`.
  [[nodiscard]] document_view at(std::size_t i) const;
  [[nodiscard]] document_view back() const { return (*this)[size() - 1]; }
  [[nodiscard]] iterator begin() const noexcept { return {this, 0}; }
  [[nodiscard]] iterator end() const noexcept { return {this, size()}; }

  [[nodiscard]] record_status status(std::size_t i) const noexcept { return status_[i]; }
  [[nodiscard]] std::string_view id(std::size_t i) const noexcept { return id_[i]; }
  /// True when some record has a timestamp.
  [[nodiscard]] bool has_timestamps() const noexcept { return timestamp_.bytes() > 0; }
  [[nodiscard]] std::string_view text(std::size_t i) const noexcept { return text_[i]; }
  [[nodiscard]] std::string_view reason(std::size_t i) const noexcept;
  /// Number of metadata values each record carries.
  [[nodiscard]] std::size_t meta_size() const noexcept { return meta_.size(); }
  [[nodiscard]] std::string_view meta(std::size_t i, std::size_t column) const noexcept {
    return column < meta_.size() ? meta_[column][i] : std::string_view();
  }

  /// Adds a record (copied into the table's storage).
  void push_back(const document& d);
  void set_status(std::size_t i, record_status s) noexcept { status_[i] = s; }
  void set_reason(std::size_t i, std::string reason);
  /// Gives every record `columns` metadata values (new ones empty).
  void resize_meta(std::size_t columns);
  /// Moves `other`'s records after these: the merge of tables read in parallel blocks.
  void append(document_table&& other);
  void reserve(std::size_t n);
  void clear() noexcept;
  /// Moves the texts read so far to a temporary file, read back through a memory map as they are
  /// used (`text_column::spill`); with `all` false the last block, which later records may still
  /// fill, stays. False where the file cannot be made or written: the texts then stay in memory.
  bool spill_texts(bool all) { return text_.spill(all); }
  /// Bytes of text moved to the temporary file by `spill_texts`.
  [[nodiscard]] std::size_t spilled_text_bytes() const noexcept { return text_.spilled_bytes(); }

 private:
  /// Numbers of each record (its record number, its line): nothing per record while they count
  /// up by one from the first, as in most files; stored one by one once one breaks the count.
  class KOE_EXPORT counted {
   public:
    [[nodiscard]] std::uint64_t operator[](std::size_t i) const noexcept {
      return counting_ ? first_ + i : values_[i];
    }
    /// Adds the number of the record at index `i` (the table's size before it); `capacity` is
    /// the table's, for storing the numbers once they stop counting.
    void push(std::size_t i, std::uint64_t v, std::size_t capacity);
    /// Puts the `m` numbers of `other` after these `n`.
    void append(std::size_t n, counted&& other, std::size_t m, std::size_t capacity);
    void reserve(std::size_t n) {
      if (!counting_) values_.reserve(n);
    }
    void clear() noexcept;

   private:
    /// Stores the first `n` numbers, counting no more.
    void store(std::size_t n, std::size_t capacity);

    bool counting_ = true;
    std::uint64_t first_ = 0;
    std::vector<std::uint64_t> values_;  ///< Once `counting_` is false.
  };

  counted record_;
  counted line_;
  std::vector<record_status> status_;
  text_column id_;
  text_column text_;
  text_column timestamp_;
  std::vector<text_column> meta_;
  std::vector<std::pair<std::size_t, std::string>> reasons_;  ///< By record index, ascending.
};

inline std::size_t meta_values::size() const noexcept {
  return table_->meta_size();
}
inline std::string_view meta_values::operator[](std::size_t column) const noexcept {
  return table_->meta(row_, column);
}

/// Everything read from one input: every record accounted for.
struct KOE_EXPORT corpus {
  std::string source;                     ///< Path (or name) the records came from.
  std::string encoding;                   ///< Encoding the input was decoded from.
  std::vector<std::string> meta_columns;  ///< Names of the carried metadata columns.
  document_table documents;               ///< One entry per record read, in input order.

  /// Counts by status; `read() == kept() + empty() + rejected()` always holds.
  [[nodiscard]] std::size_t read() const noexcept { return documents.size(); }
  [[nodiscard]] std::size_t count(record_status s) const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < documents.size(); ++i)
      n += documents.status(i) == s ? 1 : 0;
    return n;
  }
  /// Index into `meta_columns` of `name`, or -1.
  [[nodiscard]] int meta_index(const std::string& name) const noexcept {
    for (std::size_t i = 0; i < meta_columns.size(); ++i)
      if (meta_columns[i] == name) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace koe
