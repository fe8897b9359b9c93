// A plain Lloyd's algorithm that the tests hold koe's k-means against.
#pragma once

#include <koe/vectorize.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace koe::test {

// Spherical k-means from `c` (one centroid per row) until no row moves: double precision, one row
// at a time, no term-major table, no kept sums, no threads. Zero rows stay at -1.
inline std::vector<std::int32_t> reference_lloyd(const koe::sparse_matrix& m,
                                                 std::vector<std::vector<double>> c, int max_iter) {
  const auto n = static_cast<std::size_t>(m.rows());
  std::vector<std::int32_t> a(n, -1);
  for (int it = 0; it < max_iter; ++it) {
    for (auto& row : c) {
      double norm = 0;
      for (double v : row)
        norm += v * v;
      if (norm > 0)
        for (double& v : row)
          v /= std::sqrt(norm);
    }
    bool changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (m.outerIndexPtr()[i] == m.outerIndexPtr()[i + 1]) continue;
      std::int32_t best = 0;
      double best_sim = -1e300;
      for (std::size_t k = 0; k < c.size(); ++k) {
        double s = 0;
        for (koe::sparse_matrix::InnerIterator e(m, static_cast<Eigen::Index>(i)); e; ++e)
          s += e.value() * c[k][static_cast<std::size_t>(e.col())];
        if (s > best_sim) {
          best_sim = s;
          best = static_cast<std::int32_t>(k);
        }
      }
      changed = changed || a[i] != best;
      a[i] = best;
    }
    if (!changed) break;
    for (auto& row : c)
      std::fill(row.begin(), row.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] >= 0)
        for (koe::sparse_matrix::InnerIterator e(m, static_cast<Eigen::Index>(i)); e; ++e)
          c[static_cast<std::size_t>(a[i])][static_cast<std::size_t>(e.col())] += e.value();
  }
  return a;
}

}  // namespace koe::test
