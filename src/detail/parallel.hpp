// Loop helpers shared by the parallel stages. Private: never installed.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>

namespace koe::detail {

/// Calls `body(begin, end)` over [0, n) in chunks of at most `grain` items, in parallel in the
/// current task arena. Each index is visited exactly once; bodies must write only to their own
/// slots.
template <class Body>
void parallel_chunks(std::size_t n, std::size_t grain, const Body& body) {
  if (n == 0) return;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain == 0 ? 1 : grain),
                    [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
}

/// Number of fixed blocks of `block` items covering [0, n); block boundaries never depend on the
/// number of threads, so per-block partial results merged in block order are deterministic.
constexpr std::size_t block_count(std::size_t n, std::size_t block) noexcept {
  return block == 0 ? 0 : (n + block - 1) / block;
}

}  // namespace koe::detail
