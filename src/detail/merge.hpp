// The cold steps of clustering that need no row access: merging an over-clustered run down to
// k groups, and the knee of a silhouette curve.
#pragma once

#include <koe/cluster.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace koe::detail {

// On very short texts the silhouette keeps rising up to the largest k tried, because small
// groups of near-identical voices are always tight. There the knee of the curve is used: the
// point farthest above the straight line joining its two ends (the "Kneedle" rule).
int knee(const std::vector<k_score>& curve);

// Maps the `k_run` clusters of an over-clustered run to `k` groups of closest centroids.
void merge_down(std::vector<std::int32_t>& assignment, const dense_matrix& centroids,
                std::size_t k_run, std::size_t k);

}  // namespace koe::detail
