// The column store of a corpus's records.
#include <koe/error.hpp>
#include <koe/types.hpp>

#include <algorithm>
#include <stdexcept>

namespace koe {

std::vector<std::string> meta_values::to_vector() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::size_t j = 0; j < size(); ++j)
    out.emplace_back((*this)[j]);
  return out;
}

const char* to_string(record_status status) noexcept {
  switch (status) {
    case record_status::kept:
      return "kept";
    case record_status::empty:
      return "empty";
    case record_status::rejected:
      return "rejected";
  }
  return "kept";
}

record_status parse_record_status(std::string_view text) {
  for (const auto s : {record_status::kept, record_status::empty, record_status::rejected})
    if (text == to_string(s)) return s;
  KOE_THROW_IF_NOT(text.empty(), errc::invalid_argument,
                   "a record status is kept, empty or rejected (koe's own column, as "
                   "read_voices writes it), not '" +
                       std::string(text) + "'; rename a column of your own called status");
  return record_status::kept;
}

const char* to_string(assignment_status status) noexcept {
  switch (status) {
    case assignment_status::clustered:
      return "clustered";
    case assignment_status::noise:
      return "noise";
    case assignment_status::empty:
      return "empty";
    case assignment_status::rejected:
      return "rejected";
    case assignment_status::new_theme:
      return "new_theme";
  }
  return "clustered";
}

assignment_status parse_assignment_status(std::string_view text) {
  for (const auto s :
       {assignment_status::clustered, assignment_status::noise, assignment_status::empty,
        assignment_status::rejected, assignment_status::new_theme})
    if (text == to_string(s)) return s;
  throw error(errc::invalid_argument,
              "an assignment status is clustered, noise, empty, rejected or new_theme, not '" +
                  std::string(text) + "'");
}

document document_view::to_document() const {
  document d;
  d.record = record;
  d.line = line;
  d.id = id;
  d.text = text;
  d.timestamp = timestamp;
  d.meta = meta.to_vector();
  d.status = status;
  d.reason = reason;
  return d;
}

document_view document_table::operator[](std::size_t i) const {
  return {record_[i], line_[i], id_[i], text_[i], timestamp_[i], meta_values(*this, i),
          status_[i], reason(i)};
}

document_view document_table::at(std::size_t i) const {
  if (i >= size())
    throw std::out_of_range("document_table: record index " + std::to_string(i) + " of " +
                            std::to_string(size()));
  return (*this)[i];
}

std::string_view document_table::reason(std::size_t i) const noexcept {
  if (reasons_.empty()) return {};
  const auto it = std::lower_bound(reasons_.begin(), reasons_.end(), i,
                                   [](const auto& r, std::size_t at) { return r.first < at; });
  return it != reasons_.end() && it->first == i ? std::string_view(it->second) : std::string_view();
}

void document_table::push_back(const document& d) {
  const std::size_t i = size();
  if (d.meta.size() > meta_.size()) resize_meta(d.meta.size());
  record_.push(i, d.record, status_.capacity());
  line_.push(i, d.line, status_.capacity());
  status_.push_back(d.status);
  id_.push_back(d.id);
  text_.push_back(d.text);
  timestamp_.push_back(d.timestamp);
  for (std::size_t j = 0; j < meta_.size(); ++j)
    meta_[j].push_back(j < d.meta.size() ? std::string_view(d.meta[j]) : std::string_view());
  if (!d.reason.empty()) reasons_.emplace_back(i, d.reason);
}

void document_table::counted::push(std::size_t i, std::uint64_t v, std::size_t capacity) {
  if (counting_ && i == 0) first_ = v;
  if (counting_ && v != first_ + i) store(i, capacity);
  if (!counting_) values_.push_back(v);
}

void document_table::counted::store(std::size_t n, std::size_t capacity) {
  if (!counting_) return;
  values_.reserve(std::max(n, capacity));
  for (std::size_t k = 0; k < n; ++k)
    values_.push_back(first_ + k);
  counting_ = false;
}

void document_table::counted::append(std::size_t n, counted&& other, std::size_t m,
                                     std::size_t capacity) {
  if (n == 0) {
    *this = std::move(other);
    return;
  }
  bool counting = counting_;
  for (std::size_t k = 0; counting && k < m; ++k)
    counting = other[k] == first_ + n + k;
  if (counting) return;
  store(n, capacity);
  for (std::size_t k = 0; k < m; ++k)
    values_.push_back(other[k]);
}

void document_table::counted::clear() noexcept {
  counting_ = true;
  first_ = 0;
  values_.clear();
}

void document_table::set_reason(std::size_t i, std::string reason) {
  const auto it = std::lower_bound(reasons_.begin(), reasons_.end(), i,
                                   [](const auto& r, std::size_t at) { return r.first < at; });
  const bool found = it != reasons_.end() && it->first == i;
  if (reason.empty()) {
    if (found) reasons_.erase(it);
  } else if (found) {
    it->second = std::move(reason);
  } else {
    reasons_.emplace(it, i, std::move(reason));
  }
}

void document_table::resize_meta(std::size_t columns) {
  while (meta_.size() < columns) {
    text_column c;
    for (std::size_t i = 0; i < size(); ++i)
      c.push_back({});
    meta_.push_back(std::move(c));
  }
}

void document_table::append(document_table&& other) {
  const std::size_t n = size();
  const std::size_t m = other.size();
  if (m == 0) return;
  // Columns first, while this table still has its own number of records.
  const std::size_t columns = std::max(meta_.size(), other.meta_.size());
  resize_meta(columns);
  other.resize_meta(columns);
  // Record and line numbers stay implicit while they keep counting up by one.
  record_.append(n, std::move(other.record_), m, status_.capacity());
  line_.append(n, std::move(other.line_), m, status_.capacity());
  status_.insert(status_.end(), other.status_.begin(), other.status_.end());
  id_.append(std::move(other.id_));
  text_.append(std::move(other.text_));
  timestamp_.append(std::move(other.timestamp_));
  for (std::size_t j = 0; j < columns; ++j)
    meta_[j].append(std::move(other.meta_[j]));
  for (auto& r : other.reasons_)
    reasons_.emplace_back(r.first + n, std::move(r.second));
  other.clear();
}

void document_table::reserve(std::size_t n) {
  line_.reserve(n);
  status_.reserve(n);
  record_.reserve(n);
  id_.reserve(n);
  text_.reserve(n);
  timestamp_.reserve(n);
  for (auto& c : meta_)
    c.reserve(n);
}

void document_table::clear() noexcept {
  record_.clear();
  line_.clear();
  status_.clear();
  id_.clear();
  text_.clear();
  timestamp_.clear();
  meta_.clear();
  reasons_.clear();
}

}  // namespace koe
