/// Interned terms: every distinct term stored once, each row a run of 32-bit ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <koe/export.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace koe {

namespace detail {
class spill_file;
}

/**
 * The terms of many rows (voices), interned. Ids follow the order in which terms first appear,
 * row by row, so a table is the same however its rows were split for building: `append` is the
 * merge of two partial tables (associative: (a + b) + c == a + (b + c)), used for TBB blocks now
 * and usable for MPI ranks later.
 *
 * **Example**
 * ```cpp
 * koe::term_table t({{"配送", "遅い"}, {"配送", "早い"}});
 * // t.size() == 3 distinct terms; t.row(1) == {0, 2}; t.term(2) == "早い"
 * ```
 */
class KOE_EXPORT term_table {
 public:
  using id_type = std::uint32_t;

  term_table();
  ~term_table();
  /// A copy holds its rows in memory, whether or not `other` spilled them.
  term_table(const term_table& other);
  term_table& operator=(const term_table& other);
  term_table(term_table&& other) noexcept;
  term_table& operator=(term_table&& other) noexcept;
  /// Interns `rows` in order.
  explicit term_table(const std::vector<std::vector<std::string>>& rows);

  /// Number of rows.
  [[nodiscard]] std::size_t rows() const noexcept {
    return offsets_.empty() ? 0 : offsets_.size() - 1;  // (empty once moved from)
  }
  /// Number of distinct terms (ids are 0 … size() - 1).
  [[nodiscard]] std::size_t size() const noexcept { return strings_.size(); }
  /// Number of term occurrences over all rows.
  [[nodiscard]] std::size_t occurrences() const noexcept { return spilled_ + ids_.size(); }
  [[nodiscard]] bool empty() const noexcept { return rows() == 0; }

  /// Ids of row `r`'s terms, in the order the tokenizer produced them.
  [[nodiscard]] std::span<const id_type> row(std::size_t r) const noexcept {
    const std::size_t at = offsets_[r];
    const std::size_t n = offsets_[r + 1] - at;
    return at < spilled_ ? std::span<const id_type>(mapped_ + at, n)
                         : std::span<const id_type>(ids_.data() + (at - spilled_), n);
  }
  [[nodiscard]] const std::string& term(id_type id) const noexcept { return strings_[id]; }
  /// Every distinct term, indexed by id.
  [[nodiscard]] const std::vector<std::string>& terms() const noexcept { return strings_; }
  [[nodiscard]] std::optional<id_type> find(std::string_view term) const;

  /// Row `r`'s terms as strings.
  [[nodiscard]] std::vector<std::string> row_terms(std::size_t r) const;
  /// Every row's terms as strings (for callers that want plain lists).
  [[nodiscard]] std::vector<std::vector<std::string>> to_rows() const;

  /// Adds `term` to the row being built and returns its id.
  id_type push(std::string_view term);
  /// Interns `term` without adding it to a row; its id, new or existing.
  id_type add(std::string_view term) { return intern(term); }
  /// Adds the term with id `id`, which must already be in the table (`id < size()`), to the row
  /// being built: `push` without looking the string up again.
  void push_id(id_type id) { ids_.push_back(id); }
  /// Ends the row being built (an empty row when nothing was pushed).
  void end_row();
  /// Appends `other`'s rows after these, mapping its ids into this table's.
  void append(const term_table& other);
  /// Reserves room for `rows` more rows and `occurrences` more ids.
  void reserve(std::size_t rows, std::size_t occurrences);

  /// Moves the ids of the rows ended so far to a temporary file (`detail::spill_file`) and frees
  /// them; rows stay readable through a memory map of the file, whose pages take memory only
  /// while read (`drop_pages` gives them back). Rows added later stay in memory until the next
  /// spill. Does nothing while a row is being built; false where the file cannot be made or
  /// written (the ids then stay in memory). Spans taken before are invalidated.
  bool spill();
  /// Gives back the memory of the spilled rows read so far (they are read again as used).
  void drop_pages() noexcept;
  /// `drop_pages` for rows [first, last) (and the rows that share their pages): for a pass over
  /// the rows that gives back each chunk's memory once done with it. Rows stay readable, and the
  /// table is not changed, so other threads may go on reading any row meanwhile.
  void drop_rows(std::size_t first, std::size_t last) const noexcept;
  /// Term occurrences whose ids are in the temporary file.
  [[nodiscard]] std::size_t spilled() const noexcept { return spilled_; }

 private:
  struct KOE_EXPORT hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  id_type intern(std::string_view term);

  std::vector<std::string> strings_;
  std::unordered_map<std::string, id_type, hash, std::equal_to<>> index_;
  std::vector<id_type> ids_;  ///< Ids of the occurrences from `spilled_` on.
  std::vector<std::size_t> offsets_{0};
  std::size_t spilled_ = 0;  ///< Occurrences before this one are at `mapped_`.
  const id_type* mapped_ = nullptr;
  std::unique_ptr<detail::spill_file> spill_;
};

/**
 * A set of phrases to spot in texts, such as lexicon entries that the tokenizer splits into
 * several morphemes (二重請求 is 二重 + 請求 to ipadic) and so can only be found in the text.
 * One pass over a text checks, at each character, only the phrases that start with it.
 *
 * **Example**
 * ```cpp
 * koe::phrase_set p({"二重請求", "ありえない"});
 * std::vector<std::uint32_t> hits;
 * p.find("二重請求はありえない", hits);  // hits == {0, 1}
 * ```
 */
class KOE_EXPORT phrase_set {
 public:
  phrase_set() = default;
  explicit phrase_set(std::vector<std::string> phrases);

  [[nodiscard]] const std::vector<std::string>& phrases() const noexcept { return phrases_; }
  [[nodiscard]] bool empty() const noexcept { return phrases_.empty(); }
  /// Replaces `hits` with the indices of the phrases found in `text`, ascending, each once.
  void find(std::string_view text, std::vector<std::uint32_t>& hits) const;

 private:
  struct KOE_EXPORT hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::vector<std::string> phrases_;
  /// Phrase indices by the phrase's first UTF-8 character (owned keys: copies stay valid).
  std::unordered_map<std::string, std::vector<std::uint32_t>, hash, std::equal_to<>> by_first_;
  /// Rules out most positions without a lookup: by the low 16 bits of a character's bytes.
  std::vector<bool> may_start_;
};

}  // namespace koe
