// Reads CSV, TSV, JSON Lines and plain-text voices, decoding to UTF-8 chunk by chunk.
#include <koe/io.hpp>

#include <koe/error.hpp>

#include "detail/block_reader.hpp"
#include "detail/io_records.hpp"
#include "detail/io_text.hpp"
#include "detail/open_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
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

using namespace detail;

// JSON values are written back out (meta columns, ids) by a serializer that recurses once per
// level, so a line of a million '[' would overflow the stack; no survey export nests this deep.
constexpr std::size_t max_json_depth = 64;
// Every document carries one meta slot per distinct JSON Lines key, so unbounded keys would make
// memory grow with records times keys: a 10 MB file of unique keys would need terabytes.
constexpr std::size_t max_json_keys = 1024;

input_format format_from_name(const std::string& name) {
  const std::string ext = ascii_lower(std::filesystem::path(name).extension().string());
  if (ext == ".csv") return input_format::csv;
  if (ext == ".tsv" || ext == ".tab") return input_format::tsv;
  if (ext == ".jsonl" || ext == ".ndjson") return input_format::jsonl;
  return input_format::text;
}

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

  /// Reads every block, handing each to the taker (or, without one, parsing and keeping it).
  corpus read() {
    try {
      unparsed_block block;
      while (next(block)) {
        if (take_ != nullptr)
          (*take_)(std::move(block));
        else
          corpus_.documents.append(block());
        block = nullptr;
      }
    } catch (const std::bad_alloc&) {
      out_of_memory();
    }
    return finish();
  }

  /**
   * Replaces `block` with the next block of records, unparsed (JSON Lines: parsed); false at the
   * end of the input. The first call reads the header of delimited input.
   */
  bool next(unparsed_block& block) {
    try {
      if (!started_) start();
      if (!cutter_) return false;
      if (format_ == input_format::jsonl) return next_jsonl(block);
      std::string bytes = pool_->take();
      std::size_t records = 0;
      std::size_t line = 0;
      if (!cut(*cutter_, bytes, records, line)) {
        cutter_.reset();
        return false;
      }
      block = [shared = shared_, parse = parse_, pool = pool_, text = std::move(bytes), line,
               first = next_record_]() mutable {
        record_builder b(*shared);
        (b.*parse)(text, line, first);
        pool->give(std::move(text));
        return b.take();
      };
      next_record_ += records;
      return true;
    } catch (const std::bad_alloc&) {
      out_of_memory();
    }
  }

  /**
   * Cuts the next block as `next` does, for another process to parse: only its number of
   * `records` and (JSON Lines, parsed here all the same) the meta columns its keys add are kept,
   * and its bytes go back to the pool. False at the end of the input.
   */
  bool skip(std::size_t& records) {
    try {
      if (!started_) start();
      if (!cutter_) return false;
      if (format_ == input_format::jsonl) {
        const std::size_t first = next_record_;
        unparsed_block parsed;
        if (!next_jsonl(parsed)) return false;
        records = next_record_ - first;
        return true;
      }
      std::string bytes = pool_->take();
      std::size_t line = 0;
      if (!cut(*cutter_, bytes, records, line)) {
        cutter_.reset();
        return false;
      }
      pool_->give(std::move(bytes));
      next_record_ += records;
      return true;
    } catch (const std::bad_alloc&) {
      out_of_memory();
    }
  }

  /**
   * Makes this reader go on where `previous`, the reader of the file before, ended: record
   * numbers continue, the file must be in the same format with the same header, and JSON Lines
   * keys keep the meta columns they found. Rejected records name their file. Call it before the
   * first `next`.
   */
  void continue_from(const corpus_reader& previous) {
    next_record_ = previous.next_record_;
    // An empty file has no header: the one before it still stands.
    std::vector<std::string> names = previous.shared_     ? previous.shared_->names
                                     : previous.previous_ ? previous.previous_->names
                                                          : std::vector<std::string>{};
    previous_ = {previous.format_, previous.layout_.name, std::move(names)};
    layout_.where = layout_.name + " ";
    corpus_.meta_columns = previous.corpus_.meta_columns;
    json_keys_ = previous.json_keys_;
    meta_index_ = previous.meta_index_;
  }
  /// Names rejected records' files from the first file on (the input is several files).
  void name_files() { layout_.where = layout_.name + " "; }

  /// The corpus without the records handed over: source, encoding, meta columns.
  corpus finish() {
    // JSON Lines may add meta columns late; earlier documents get empty values for them.
    corpus_.documents.resize_meta(corpus_.meta_columns.size());
    return std::move(corpus_);
  }

 private:
  using block_parse = void (record_builder::*)(std::string_view, std::size_t, std::size_t);

  [[noreturn]] void out_of_memory() {
    // The records go first, so that building the message has memory to work with.
    corpus_ = corpus{};
    throw error(errc::out_of_memory, layout_.name + ": the corpus does not fit in memory (" +
                                         plural(records_, "record") + " read, up to line " +
                                         std::to_string(last_line_) + "); split the file");
  }

  /// Settles the format and reads the header of delimited input.
  void start() {
    started_ = true;
    format_ = options_.format;
    if (format_ == input_format::auto_detect) format_ = format_from_name(layout_.name);
    if (previous_ && previous_->format != format_)
      throw error(errc::invalid_argument,
                  layout_.name + ": not in the format of " + previous_->name +
                      "; the files of one run must all be CSV, TSV, JSON Lines or text");
    record_layout layout = layout_;
    switch (format_) {
      case input_format::csv:
      case input_format::tsv:
        layout.delimiter = format_ == input_format::csv ? ',' : '\t';
        cutter_.emplace(dec_, layout.delimiter);
        if (!read_header(*cutter_, layout)) {
          cutter_.reset();
          return;
        }
        parse_ = &record_builder::parse_delimited;
        break;
      case input_format::jsonl:
        cutter_.emplace(dec_, '\n');
        return;
      default:
        format_ = input_format::text;
        cutter_.emplace(dec_, '\n');
        parse_ = &record_builder::parse_lines;
        break;
    }
    // Shared by the blocks, which may be parsed after this reader is gone.
    shared_ = std::make_shared<const record_layout>(std::move(layout));
  }

  /// Cuts the next block; false at the end of the input.
  bool cut(record_cutter& cutter, std::string& bytes, std::size_t& records, std::size_t& line) {
    if (!cutter.next(block_records_, bytes, records, line)) return false;
    records_ += records;
    last_line_ = line;
    return true;
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
    if (previous_ && !previous_->names.empty() && names != previous_->names)
      layout.fail(header_line, errc::missing_column,
                  "header: columns " + join_names(names) + " differ from those of " +
                      previous_->name + ": " + join_names(previous_->names));
    if (previous_) corpus_.meta_columns.clear();  // the header gives them again
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
      for (const std::string_view name : time_column_names) {
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
    else if (keys.time = default_time_column(names); keys.time.empty())
      keys.time = time_column_names.front();  // may still appear in a later object
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

  /// `next` for JSON Lines: parses the next block here, since its keys may add meta columns.
  bool next_jsonl(unparsed_block& block) {
    record_builder built(layout_);
    std::string bytes;
    std::size_t records = 0;
    std::size_t first_line = 0;
    while (cut(*cutter_, bytes, records, first_line)) {
      scanner scan(bytes, '\n', first_line);
      std::string line_text;
      std::size_t line = 0;
      while (scan.next_line(line_text, line))
        read_json_line(built, next_record_++, line, line_text);
      document_table parsed = built.take();
      if (parsed.size() == 0) continue;
      auto held = std::make_shared<document_table>(std::move(parsed));
      block = [held] { return std::move(*held); };
      return true;
    }
    cutter_.reset();
    return false;
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
    } catch (const nlohmann::json::out_of_range&) {
      // A number too large for any C++ type (1E400): the library throws this, not a parse error.
      built.reject(record, line, errc::malformed_record,
                   "a JSON number too large to read (beyond a 64-bit float)");
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
  bool started_ = false;
  input_format format_ = input_format::text;
  std::optional<record_cutter> cutter_;  ///< Until the end of the input.
  std::shared_ptr<const record_layout> shared_;
  block_parse parse_ = nullptr;
  std::size_t next_record_ = 1;  ///< Number of the next block's first record.
  std::shared_ptr<buffer_pool> pool_ = std::make_shared<buffer_pool>();
  std::optional<json_keys> json_keys_;
  std::unordered_map<std::string, std::size_t> meta_index_;  ///< JSON Lines: key -> meta column.
  std::size_t records_ = 0;
  std::size_t last_line_ = 0;
  /// What this reader must agree with in the file before, when it goes on from one.
  struct predecessor {
    input_format format = input_format::text;
    std::string name;
    std::vector<std::string> names;  ///< Its header, for delimited input.
  };
  std::optional<predecessor> previous_;
};

}  // namespace

corpus read_corpus(std::istream& in, const std::string& name, const io_options& options) {
  return corpus_reader(in, name, options, whole_read_block, nullptr).read();
}

namespace {

std::ifstream open_input(const std::filesystem::path& path, const io_options& options) {
  canonical_encoding(options.encoding);  // a bad option is reported before any file problem
  return detail::open_binary(path);
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

/// Reads several files as one input: each file in turn, through its own reader that goes on
/// where the one before ended.
struct detail::block_reader::impl {
  io_options options;
  std::vector<std::filesystem::path> paths;
  std::size_t block_records;
  std::size_t current = 0;  ///< Index into `paths` of the file being read.
  std::string name;         ///< The current reader's decoder refers to it.
  std::ifstream in;
  std::unique_ptr<corpus_reader> reader;
  std::vector<std::string> encodings;  ///< Each file's, for the corpus's.

  impl(std::vector<std::filesystem::path> p, const io_options& o, std::size_t blocks)
      : options(o), paths(std::move(p)), block_records(blocks) {
    KOE_THROW_IF_NOT(!paths.empty(), errc::invalid_argument, "no input file given");
    open(nullptr);
  }

  void open(const corpus_reader* previous) {
    name = paths[current].string();
    in = open_input(paths[current], options);
    auto next = std::make_unique<corpus_reader>(in, name, options, block_records, nullptr);
    if (previous != nullptr)
      next->continue_from(*previous);
    else if (paths.size() > 1)
      next->name_files();
    reader = std::move(next);
  }

  bool next(unparsed_block& block) {
    return advance([&] { return reader->next(block); });
  }

  bool skip(std::size_t& records) {
    return advance([&] { return reader->skip(records); });
  }

  /// `step()` on the current file, then on the next ones while it finds the file ended.
  template <class Step>
  bool advance(const Step& step) {
    while (!step()) {
      if (current + 1 == paths.size()) return false;
      // The finished reader reads neither `in` nor `name` again; the next one takes its state.
      const std::unique_ptr<corpus_reader> done = std::move(reader);
      ++current;
      open(done.get());
      encodings.push_back(done->finish().encoding);
    }
    return true;
  }

  corpus finish() {
    corpus c = reader->finish();
    if (paths.size() == 1) return c;
    encodings.push_back(c.encoding);
    c.source.clear();
    for (const auto& p : paths)
      c.source += (c.source.empty() ? "" : ", ") + p.string();
    std::vector<std::string> distinct;
    for (const std::string& e : encodings)
      if (std::find(distinct.begin(), distinct.end(), e) == distinct.end()) distinct.push_back(e);
    c.encoding = join_names(distinct);
    return c;
  }
};

detail::block_reader::block_reader(const std::filesystem::path& path, const io_options& options,
                                   std::size_t block_records)
    : block_reader(std::vector<std::filesystem::path>{path}, options, block_records) {}

detail::block_reader::block_reader(const std::vector<std::filesystem::path>& paths,
                                   const io_options& options, std::size_t block_records) {
  KOE_THROW_IF_NOT(block_records > 0, errc::invalid_argument, "block_records must be > 0");
  impl_ = std::make_unique<impl>(paths, options, block_records);
}
detail::block_reader::~block_reader() = default;

bool detail::block_reader::next(unparsed_block& block) {
  return impl_->next(block);
}

bool detail::block_reader::skip(std::size_t& records) {
  return impl_->skip(records);
}

corpus detail::block_reader::finish() {
  return impl_->finish();
}

input_format parse_input_format(const std::string& name) {
  for (const auto& [word, format] : input_format_names)
    if (name == word) return format;
  throw error(errc::invalid_argument,
              "unknown input format \"" + name + "\" (expected csv, tsv, jsonl, text or auto)");
}

std::string default_time_column(const std::vector<std::string>& names) {
  for (const std::string_view name : time_column_names)
    if (std::find(names.begin(), names.end(), name) != names.end()) return std::string(name);
  return {};
}

}  // namespace koe
