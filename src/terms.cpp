// Interned terms: ids in order of first appearance, rows as runs of ids.
#include <koe/error.hpp>
#include <koe/terms.hpp>

#include <limits>

namespace koe {

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
  offsets_.push_back(ids_.size());
}

void term_table::append(const term_table& other) {
  std::vector<id_type> map(other.strings_.size());
  for (std::size_t i = 0; i < map.size(); ++i)
    map[i] = intern(other.strings_[i]);
  const std::size_t base = ids_.size();
  ids_.reserve(base + other.ids_.size());
  for (id_type id : other.ids_)
    ids_.push_back(map[id]);
  offsets_.reserve(offsets_.size() + other.rows());
  for (std::size_t r = 1; r < other.offsets_.size(); ++r)
    offsets_.push_back(base + other.offsets_[r]);
}

void term_table::reserve(std::size_t rows, std::size_t occurrences) {
  offsets_.reserve(offsets_.size() + rows);
  ids_.reserve(ids_.size() + occurrences);
}

}  // namespace koe
