// Merging an over-clustered run down to k groups (average linkage over the centroids) and the
// knee of a silhouette curve: serial steps over k or k_max items, not over the rows.
#include "detail/merge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace koe::detail {
namespace {

// Average-linkage (UPGMA) merging of unit centroids down to k groups; returns each centroid's
// group.
std::vector<std::size_t> merge_groups(const dense_matrix& c, std::size_t k) {
  const std::size_t m = static_cast<std::size_t>(c.rows());
  Eigen::MatrixXd d =
      Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(m)) -
      (c.cast<double>() * c.cast<double>().transpose());
  std::vector<std::size_t> group(m), weight(m, 1);
  std::iota(group.begin(), group.end(), 0);
  std::vector<char> alive(m, 1);
  for (std::size_t live = m; live > k; --live) {
    std::size_t bi = 0, bj = 0;
    double bd = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < m; ++i) {
      if (!alive[i]) continue;
      for (std::size_t j = i + 1; j < m; ++j) {
        if (alive[j] && d(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) < bd) {
          bd = d(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
          bi = i;
          bj = j;
        }
      }
    }
    for (std::size_t x = 0; x < m; ++x) {
      if (!alive[x] || x == bi || x == bj) continue;
      const auto xi = static_cast<Eigen::Index>(x);
      const double v = (static_cast<double>(weight[bi]) * d(static_cast<Eigen::Index>(bi), xi) +
                        static_cast<double>(weight[bj]) * d(static_cast<Eigen::Index>(bj), xi)) /
                       static_cast<double>(weight[bi] + weight[bj]);
      d(static_cast<Eigen::Index>(bi), xi) = d(xi, static_cast<Eigen::Index>(bi)) = v;
    }
    weight[bi] += weight[bj];
    alive[bj] = 0;
    for (auto& g : group)
      if (g == bj) g = bi;
  }
  return group;
}

}  // namespace

// On very short texts the silhouette keeps rising up to the largest k tried, because small
// groups of near-identical voices are always tight. There the knee of the curve is used: the
// point farthest above the straight line joining its two ends (the "Kneedle" rule).
int knee(const std::vector<k_score>& curve) {
  const auto& a = curve.front();
  const auto& b = curve.back();
  const double slope = (b.silhouette - a.silhouette) / static_cast<double>(b.k - a.k);
  int best_k = b.k;
  double best_gap = 0;
  for (const auto& p : curve) {
    const double gap = p.silhouette - (a.silhouette + slope * static_cast<double>(p.k - a.k));
    if (gap > best_gap) {
      best_gap = gap;
      best_k = p.k;
    }
  }
  return best_k;
}

// Maps the `k_run` clusters of an over-clustered run to `k` groups of closest centroids.
void merge_down(std::vector<std::int32_t>& assignment, const dense_matrix& centroids,
                std::size_t k_run, std::size_t k) {
  const std::vector<std::size_t> group = merge_groups(centroids, k);
  std::vector<std::int32_t> dense_id(k_run, -1);
  std::int32_t next = 0;
  for (std::size_t g = 0; g < k_run; ++g)
    if (dense_id[group[g]] < 0) dense_id[group[g]] = next++;
  for (auto& a : assignment)
    if (a >= 0) a = dense_id[group[static_cast<std::size_t>(a)]];
}

}  // namespace koe::detail
