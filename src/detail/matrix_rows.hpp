// Row access shared by the clustering code: the (column, value) pairs of one row of a sparse or a
// dense matrix through one interface, and a matrix of chosen rows.
#pragma once

#include <koe/cluster.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace koe::detail {

// Uniform access to sparse and dense rows: visit the (column, value) pairs of row i.
struct sparse_rows {
  const sparse_matrix& m;
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(m.rows()); }
  [[nodiscard]] std::size_t dims() const { return static_cast<std::size_t>(m.cols()); }
  template <class F>
  void for_each(std::size_t i, F&& f) const {
    const auto* outer = m.outerIndexPtr();
    const auto* inner = m.innerIndexPtr();
    const float* val = m.valuePtr();
    for (auto p = outer[i]; p < outer[i + 1]; ++p)
      f(static_cast<std::size_t>(inner[p]), val[p]);
  }
  [[nodiscard]] bool is_zero(std::size_t i) const {
    return m.outerIndexPtr()[i] == m.outerIndexPtr()[i + 1];
  }
};

struct dense_rows {
  const dense_matrix& m;
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(m.rows()); }
  [[nodiscard]] std::size_t dims() const { return static_cast<std::size_t>(m.cols()); }
  template <class F>
  void for_each(std::size_t i, F&& f) const {
    const float* row = m.data() + i * dims();
    for (std::size_t j = 0; j < dims(); ++j)
      f(j, row[j]);
  }
  [[nodiscard]] bool is_zero(std::size_t i) const {
    const float* row = m.data() + i * dims();
    return std::all_of(row, row + dims(), [](float v) { return v == 0.0f; });
  }
};

// Rows `index` of `m` as a new matrix (used to cluster a sample for the automatic choice of k).
inline sparse_matrix take_rows(const sparse_matrix& m, const std::vector<std::size_t>& index) {
  sparse_matrix out(static_cast<Eigen::Index>(index.size()), m.cols());
  std::vector<Eigen::Triplet<float, std::int32_t>> t;
  for (std::size_t r = 0; r < index.size(); ++r)
    for (sparse_matrix::InnerIterator it(m, static_cast<Eigen::Index>(index[r])); it; ++it)
      t.emplace_back(static_cast<std::int32_t>(r), static_cast<std::int32_t>(it.col()), it.value());
  out.setFromTriplets(t.begin(), t.end());
  return out;
}

inline dense_matrix take_rows(const dense_matrix& m, const std::vector<std::size_t>& index) {
  dense_matrix out(static_cast<Eigen::Index>(index.size()), m.cols());
  for (std::size_t r = 0; r < index.size(); ++r)
    out.row(static_cast<Eigen::Index>(r)) = m.row(static_cast<Eigen::Index>(index[r]));
  return out;
}

/// True when `a` and `b` have the same shape and the same values (Eigen's `==` needs equal shapes).
inline bool same_matrix(const dense_matrix& a, const dense_matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.size() == 0 || a == b);
}

}  // namespace koe::detail
