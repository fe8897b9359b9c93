/// Plain value types shared by the pipeline stages.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace koe {

/// What became of one input record.
enum class record_status {
  kept,      ///< Has text after normalization; goes on to tokenizing and clustering.
  empty,     ///< Blank after normalization; counted, never clustered.
  rejected,  ///< Could not be read (see `document::reason`); only with `on_error::skip`.
};

/// One input record (a customer voice), in input order.
struct document {
  std::size_t record = 0;         ///< 1-based record number in the input.
  std::size_t line = 0;           ///< 1-based physical line where the record starts.
  std::string id;                 ///< Id column value, or the record number as text.
  std::string text;               ///< The voice as read (UTF-8), before normalization.
  std::string timestamp;          ///< Timestamp column value, empty when absent.
  std::vector<std::string> meta;  ///< Other columns, parallel to `corpus::meta_columns`.
  record_status status = record_status::kept;
  std::string reason;  ///< Why the record was rejected or truncated; empty otherwise.
};

/// Everything read from one input: every record accounted for.
struct corpus {
  std::string source;                     ///< Path (or name) the records came from.
  std::string encoding;                   ///< Encoding the input was decoded from.
  std::vector<std::string> meta_columns;  ///< Names of the carried metadata columns.
  std::vector<document> documents;        ///< One entry per record read, in input order.

  /// Counts by status; `read() == kept() + empty() + rejected()` always holds.
  [[nodiscard]] std::size_t read() const noexcept { return documents.size(); }
  [[nodiscard]] std::size_t count(record_status s) const noexcept {
    std::size_t n = 0;
    for (const auto& d : documents)
      n += d.status == s ? 1 : 0;
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
