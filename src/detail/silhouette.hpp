// Mean cosine silhouette over a sample of rows: a template over the row views of
// detail/matrix_rows.hpp, for the automatic k choice and for `koe::silhouette`.
#pragma once

#include "parallel.hpp"

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace koe::detail {

template <class Rows>
double silhouette_impl(const Rows& rows, const std::vector<std::int32_t>& assignment,
                       const std::vector<std::size_t>& sample_in) {
  std::vector<std::size_t> sample;
  for (std::size_t i : sample_in)
    if (assignment[i] >= 0) sample.push_back(i);
  if (sample.size() < 2) return 0;
  const std::int32_t k = *std::max_element(assignment.begin(), assignment.end()) + 1;
  std::vector<double> s(sample.size(), 0.0);
  tbb::enumerable_thread_specific<std::vector<float>> scratch(
      std::vector<float>(rows.dims(), 0.0f));
  detail::parallel_chunks(sample.size(), 16, [&](std::size_t b, std::size_t e) {
    auto& dense = scratch.local();
    std::vector<double> sum(static_cast<std::size_t>(k));
    std::vector<std::size_t> count(static_cast<std::size_t>(k));
    for (std::size_t a = b; a < e; ++a) {
      const std::size_t i = sample[a];
      rows.for_each(i, [&](std::size_t j, float v) { dense[j] = v; });
      std::fill(sum.begin(), sum.end(), 0.0);
      std::fill(count.begin(), count.end(), 0);
      for (std::size_t j : sample) {
        if (j == i) continue;
        float dot = 0;
        rows.for_each(j, [&](std::size_t t, float v) { dot += v * dense[t]; });
        const auto cj = static_cast<std::size_t>(assignment[j]);
        sum[cj] += 1.0 - static_cast<double>(dot);
        ++count[cj];
      }
      rows.for_each(i, [&](std::size_t j, float) { dense[j] = 0.0f; });
      const auto ci = static_cast<std::size_t>(assignment[i]);
      if (count[ci] == 0) continue;  // a singleton contributes 0, as is conventional
      const double in = sum[ci] / static_cast<double>(count[ci]);
      double out = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c)
        if (c != ci && count[c] > 0) out = std::min(out, sum[c] / static_cast<double>(count[c]));
      if (!std::isfinite(out)) continue;
      const double denom = std::max(in, out);
      s[a] = denom > 0 ? (out - in) / denom : 0.0;
    }
  });
  return std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(sample.size());
}

}  // namespace koe::detail
