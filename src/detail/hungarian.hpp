// The Hungarian method: a one-to-one matching of rows to columns of greatest total weight, in
// O(n³) (shortest augmenting paths with potentials), for matching a refit's clusters to the
// previous model's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace koe::detail {

/**
 * For each row of `weight` (rows × columns, any shape, rows of equal length), the column it is
 * matched to, or -1: the one-to-one matching that maximizes the total weight of the pairs whose
 * weight is at least `min_weight`. Pairs below `min_weight` count as weight 0 and are never
 * returned, so a row whose every column is below it stays unmatched. Deterministic: the search
 * scans rows and columns in index order and moves on a strictly smaller reduced cost only, so
 * among matchings of equal total the lower indices win in the same way on every run.
 */
inline std::vector<int> max_weight_matching(const std::vector<std::vector<double>>& weight,
                                            double min_weight) {
  const std::size_t rows = weight.size();
  const std::size_t cols = rows == 0 ? 0 : weight[0].size();
  std::vector<int> match(rows, -1);
  if (rows == 0 || cols == 0) return match;
  // A square problem of size n (padding with weight 0), minimizing cost = top − weight.
  const std::size_t n = std::max(rows, cols);
  double top = 0;
  for (const auto& r : weight)
    for (const double w : r)
      if (w >= min_weight) top = std::max(top, w);
  const auto cost = [&](std::size_t i, std::size_t j) {
    const double w = (i < rows && j < cols && weight[i][j] >= min_weight) ? weight[i][j] : 0.0;
    return top - std::max(w, 0.0);
  };
  constexpr double inf = std::numeric_limits<double>::infinity();
  // 1-based: u, v the potentials, p[j] the row matched to column j (0 = none), way[j] the
  // previous column on the augmenting path.
  std::vector<double> u(n + 1, 0), v(n + 1, 0);
  std::vector<std::size_t> p(n + 1, 0), way(n + 1, 0);
  for (std::size_t i = 1; i <= n; ++i) {
    p[0] = i;
    std::size_t j0 = 0;
    std::vector<double> least(n + 1, inf);
    std::vector<char> used(n + 1, 0);
    do {
      used[j0] = 1;
      const std::size_t i0 = p[j0];
      double delta = inf;
      std::size_t j1 = 0;
      for (std::size_t j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < least[j]) {
          least[j] = cur;
          way[j] = j0;
        }
        if (least[j] < delta) {
          delta = least[j];
          j1 = j;
        }
      }
      for (std::size_t j = 0; j <= n; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          least[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const std::size_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  for (std::size_t j = 1; j <= n; ++j) {
    const std::size_t i = p[j] - 1;
    if (p[j] == 0 || i >= rows || j - 1 >= cols) continue;
    if (weight[i][j - 1] >= min_weight) match[i] = static_cast<int>(j - 1);
  }
  return match;
}

}  // namespace koe::detail
