/// Reading customer voices from CSV, TSV, JSON Lines and plain text, in UTF-8, Shift_JIS or EUC-JP.
#pragma once

#include <koe/export.hpp>
#include <koe/types.hpp>

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace koe {

/// Input file format.
enum class input_format {
  auto_detect,  ///< Chosen from the file extension (.csv, .tsv/.tab, .jsonl/.ndjson, else text).
  csv,          ///< RFC 4180: comma separated, quoted fields may hold commas, quotes, newlines.
  tsv,          ///< Tab separated with the same quoting rules as CSV.
  jsonl,        ///< One JSON object per line.
  text,         ///< One voice per line, no header.
};

/// What to do with a record that cannot be read.
enum class on_error {
  fail,  ///< Throw `koe::error` naming the file, line and cause.
  skip,  ///< Keep the record as `record_status::rejected` ("line LINE: what is wrong"); go on.
};

/// Options for `read_corpus`.
struct KOE_EXPORT io_options {
  input_format format = input_format::auto_detect;
  /// Text column: a header name, or a 1-based index written as digits. Empty = "text", else the
  /// first column. In JSON Lines the keys of the first object stand in for the header.
  std::string text_column;
  std::string id_column;    ///< Id column (name or 1-based index); empty = "id" if present.
  std::string time_column;  ///< Timestamp column; empty = "created_at" / "timestamp" if present.
  /// "utf-8" (default), "shift_jis", "cp932", "euc-jp", or "auto" (ICU charset detection on the
  /// first 64 KiB). A UTF-8 or UTF-16 byte order mark overrides it; `corpus::encoding` tells which
  /// encoding was used.
  std::string encoding = "utf-8";
  on_error errors = on_error::fail;
  /// Voices longer than this many bytes are truncated at a character boundary and marked with a
  /// reason. 0 disables the limit.
  std::size_t max_voice_bytes = 16384;
  /// Metadata columns to keep, by header name (JSON Lines: by key); unset keeps every column
  /// besides text, id and time. A caller that reads only a few of them (scoring reads the
  /// rating, segment and contributor columns) saves the memory of the others, which are then
  /// not stored and not listed in `corpus::meta_columns`.
  std::optional<std::vector<std::string>> meta_columns;
};

/**
 * Reads every record of `path`. Each record becomes one `document`, kept, empty (blank text) or,
 * with `on_error::skip`, rejected with a reason; with `on_error::fail` the first bad record throws
 * a `koe::error` whose message reads "FILE:LINE: what is wrong".
 *
 * **Example**
 * ```cpp
 * koe::io_options opt;
 * opt.text_column = "comment";
 * koe::corpus c = koe::read_corpus("voices.csv", opt);
 * ```
 */
[[nodiscard]] KOE_EXPORT corpus read_corpus(const std::filesystem::path& path,
                                            const io_options& options = {});

/// The column names a timestamp is looked for under when `io_options::time_column` is empty, in
/// order of preference.
inline constexpr std::array<std::string_view, 2> time_column_names = {"created_at", "timestamp"};

/**
 * The timestamp column the reader takes among a table's column names when none is named: the
 * first of `time_column_names` present, else empty. Python's column roles use the same rule.
 */
[[nodiscard]] KOE_EXPORT std::string default_time_column(const std::vector<std::string>& names);

/// Receives the records of `read_corpus_blocks`, a block at a time, in input order.
using record_block_callback = std::function<void(document_table&& block)>;

/**
 * Reads `path` as `read_corpus` does, but hands the records over as they are read, in blocks of
 * `block_records` (the last may be smaller), so that a caller can work on one block while the
 * next is read. Returns the corpus without its records (source, encoding, meta columns); the
 * blocks, appended in order, are its `documents`. Blocks read before a meta column first
 * appears (JSON Lines) have fewer columns; `document_table::append` pads them.
 */
[[nodiscard]] KOE_EXPORT corpus read_corpus_blocks(const std::filesystem::path& path,
                                                   const io_options& options,
                                                   std::size_t block_records,
                                                   const record_block_callback& take);

/**
 * Records cut from an input but not yet parsed: calling it parses them into a table, throwing
 * for the block's first bad record under `on_error::fail`. Blocks are independent of each other
 * and of the reader, so they may be parsed in any thread and in any order; appended in input
 * order they are the corpus's `documents`. Call it once.
 */
using unparsed_block = std::function<document_table()>;

/// Receives the blocks of `read_corpus_unparsed`, in input order.
using unparsed_block_callback = std::function<void(unparsed_block&& block)>;

/**
 * As `read_corpus_blocks`, but each block is handed over before it is parsed, so that the
 * parsing can run in parallel: the reader only decodes the input and finds where records end
 * (by the quoting rules, which a parser must follow anyway). JSON Lines blocks come parsed,
 * since each object's keys may add meta columns, in the order they first appear.
 *
 * **Example** (parsing in parallel while reading)
 * ```cpp
 * std::deque<koe::document_table> parsed;
 * tbb::task_group tasks;
 * koe::corpus c = koe::read_corpus_unparsed(path, {}, 4096, [&](koe::unparsed_block&& b) {
 *   koe::document_table& slot = parsed.emplace_back();
 *   tasks.run([&slot, b = std::move(b)] { slot = b(); });
 * });
 * tasks.wait();  // then append `parsed` in order to c.documents
 * ```
 */
[[nodiscard]] KOE_EXPORT corpus read_corpus_unparsed(const std::filesystem::path& path,
                                                     const io_options& options,
                                                     std::size_t block_records,
                                                     const unparsed_block_callback& take);

/// Same as `read_corpus`, from a stream; `name` is used in messages.
[[nodiscard]] KOE_EXPORT corpus read_corpus(std::istream& in, const std::string& name,
                                            const io_options& options);

/// Each format's name, as options and messages write it.
inline constexpr std::array<std::pair<std::string_view, input_format>, 5> input_format_names = {{
    {"auto", input_format::auto_detect},
    {"csv", input_format::csv},
    {"tsv", input_format::tsv},
    {"jsonl", input_format::jsonl},
    {"text", input_format::text},
}};

/// Parses a format name ("csv", "tsv", "jsonl", "text", "auto"); throws on anything else.
[[nodiscard]] KOE_EXPORT input_format parse_input_format(const std::string& name);

}  // namespace koe
