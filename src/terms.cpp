// Interned terms: ids in order of first appearance, rows as runs of ids.
#include <koe/error.hpp>
#include <koe/terms.hpp>

#include <algorithm>
#include <limits>
#include <utility>

#include "detail/spill_file.hpp"

namespace koe {

term_table::term_table() = default;
term_table::~term_table() = default;

term_table::term_table(const term_table& other)
    : strings_(other.strings_), index_(other.index_), offsets_(other.offsets_) {
  ids_.reserve(other.occurrences());
  if (other.spilled_ > 0) ids_.assign(other.mapped_, other.mapped_ + other.spilled_);
  ids_.insert(ids_.end(), other.ids_.begin(), other.ids_.end());
}

term_table& term_table::operator=(const term_table& other) {
  if (this != &other) *this = term_table(other);
  return *this;
}

term_table::term_table(term_table&& other) noexcept
    : strings_(std::move(other.strings_)),
      index_(std::move(other.index_)),
      ids_(std::move(other.ids_)),
      offsets_(std::move(other.offsets_)),
      spilled_(std::exchange(other.spilled_, 0)),
      mapped_(std::exchange(other.mapped_, nullptr)),
      spill_(std::move(other.spill_)) {}

term_table& term_table::operator=(term_table&& other) noexcept {
  if (this == &other) return *this;
  // Nothing here allocates: a moved-from table is left with no rows and no offsets at all.
  strings_ = std::move(other.strings_);
  index_ = std::move(other.index_);
  ids_ = std::move(other.ids_);
  offsets_ = std::move(other.offsets_);
  spilled_ = std::exchange(other.spilled_, 0);
  mapped_ = std::exchange(other.mapped_, nullptr);
  spill_ = std::move(other.spill_);
  other.strings_.clear();
  other.index_.clear();
  other.ids_.clear();
  other.offsets_.clear();
  return *this;
}

bool term_table::spill() {
  if (ids_.empty()) return true;
  if (offsets_.empty() || spilled_ + ids_.size() != offsets_.back()) return true;  // mid-row
  if (!spill_) spill_ = std::make_unique<detail::spill_file>();
  if (!spill_->ok() ||
      !spill_->write({reinterpret_cast<const char*>(ids_.data()), ids_.size() * sizeof(id_type)}))
    return false;
  const char* m = spill_->map();
  if (m == nullptr) return false;
  mapped_ = reinterpret_cast<const id_type*>(m);
  spilled_ += ids_.size();
  std::vector<id_type>().swap(ids_);
  return true;
}

void term_table::drop_pages() noexcept {
  if (spill_) spill_->drop_pages();
}

void term_table::drop_rows(std::size_t first, std::size_t last) const noexcept {
  if (!spill_ || first >= last || last >= offsets_.size()) return;
  const std::size_t to = std::min(offsets_[last], spilled_);
  if (offsets_[first] < to)
    spill_->drop_pages(offsets_[first] * sizeof(id_type), to * sizeof(id_type));
}

term_table::term_table(const std::vector<std::vector<std::string>>& rows) {
  std::size_t n = 0;
  for (const auto& r : rows)
    n += r.size();
  reserve(rows.size(), n);
  for (const auto& r : rows) {
    for (const auto& t : r)
      push(t);
    end_row();
  }
}

std::optional<term_table::id_type> term_table::find(std::string_view term) const {
  if (auto it = index_.find(term); it != index_.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> term_table::row_terms(std::size_t r) const {
  std::vector<std::string> out;
  out.reserve(row(r).size());
  for (id_type id : row(r))
    out.push_back(strings_[id]);
  return out;
}

std::vector<std::vector<std::string>> term_table::to_rows() const {
  std::vector<std::vector<std::string>> out(rows());
  for (std::size_t r = 0; r < out.size(); ++r)
    out[r] = row_terms(r);
  return out;
}

term_table::id_type term_table::intern(std::string_view term) {
  if (auto it = index_.find(term); it != index_.end()) return it->second;
  KOE_THROW_IF_NOT(strings_.size() < std::numeric_limits<id_type>::max(), errc::invalid_argument,
                   "more than 2^32 - 1 distinct terms; split the corpus");
  const auto id = static_cast<id_type>(strings_.size());
  strings_.emplace_back(term);
  index_.emplace(strings_.back(), id);
  return id;
}

term_table::id_type term_table::push(std::string_view term) {
  const id_type id = intern(term);
  ids_.push_back(id);
  return id;
}

void term_table::end_row() {
  if (offsets_.empty()) offsets_.push_back(0);  // a moved-from table, used again
  offsets_.push_back(spilled_ + ids_.size());
}

namespace {

// Room for `n` more items, growing at least geometrically: a table built by appending thousands of
// parts then copies each id a bounded number of times, not once per part.
template <class Vector>
void grow_for(Vector& v, std::size_t n) {
  const std::size_t needed = v.size() + n;
  if (needed > v.capacity()) v.reserve(std::max(needed, 2 * v.capacity()));
}

}  // namespace

void term_table::append(const term_table& other) {
  std::vector<id_type> map(other.strings_.size());
  for (std::size_t i = 0; i < map.size(); ++i)
    map[i] = intern(other.strings_[i]);
  if (offsets_.empty()) offsets_.push_back(0);  // a moved-from table, used again
  const std::size_t base = occurrences();
  grow_for(ids_, other.occurrences());
  for (std::size_t r = 0; r < other.rows(); ++r)
    for (const id_type id : other.row(r))
      ids_.push_back(map[id]);
  grow_for(offsets_, other.rows());
  for (std::size_t r = 1; r < other.offsets_.size(); ++r)
    offsets_.push_back(base + other.offsets_[r]);
}

void term_table::reserve(std::size_t rows, std::size_t occurrences) {
  offsets_.reserve(offsets_.size() + rows);
  ids_.reserve(ids_.size() + occurrences);
}

namespace {

std::size_t char_bytes(unsigned char c) noexcept {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

std::uint32_t start_key(std::string_view s, std::size_t n) noexcept {
  std::uint32_t k = 0;
  for (std::size_t i = 0; i < n; ++i)
    k = (k << 6) ^ static_cast<unsigned char>(s[i]);
  return k & 0xFFFFu;
}

}  // namespace

phrase_set::phrase_set(std::vector<std::string> phrases) : phrases_(std::move(phrases)) {
  KOE_THROW_IF_NOT(phrases_.size() < std::numeric_limits<std::uint32_t>::max(),
                   errc::invalid_argument, "too many phrases");
  may_start_.assign(std::size_t{1} << 16, false);
  for (std::size_t i = 0; i < phrases_.size(); ++i) {
    const std::string& p = phrases_[i];
    if (p.empty()) continue;
    const std::size_t n = std::min(p.size(), char_bytes(static_cast<unsigned char>(p[0])));
    by_first_[p.substr(0, n)].push_back(static_cast<std::uint32_t>(i));
    may_start_[start_key(p, n)] = true;
  }
}

void phrase_set::find(std::string_view text, std::vector<std::uint32_t>& hits) const {
  hits.clear();
  if (by_first_.empty()) return;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t n =
        std::min(text.size() - at, char_bytes(static_cast<unsigned char>(text[at])));
    const std::string_view first = text.substr(at, n);
    if (may_start_[start_key(first, n)]) {
      if (const auto it = by_first_.find(first); it != by_first_.end()) {
        for (const std::uint32_t i : it->second)
          if (text.substr(at).starts_with(phrases_[i])) hits.push_back(i);
      }
    }
    at += n;
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
}

}  // namespace koe
