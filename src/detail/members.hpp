// The rows of each cluster, gathered in parallel. Private: never installed.
#pragma once

#include "parallel.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace koe::detail {

/// The rows of each of `k` clusters in ascending order, as one array cut by cluster: the rows i
/// of [0, n) with `assignment[i] == c` are `(*this)[c]`. Rows assigned to no cluster (negative)
/// or to one not below `k` are left out. Counted and placed in parallel in fixed blocks of rows,
/// each block's rows after those of the blocks before it, so the lists are the same for any
/// number of threads: the rows a serial loop would push back, without growing k vectors.
template <class Index>
class cluster_members {
 public:
  cluster_members(std::span<const std::int32_t> assignment, std::size_t k, std::size_t n)
      : cluster_members(k, block_count(n, block), [&](std::size_t b, const auto& fn) {
          const std::size_t end = std::min(n, (b + 1) * block);
          for (std::size_t i = b * block; i < end; ++i)
            fn(assignment[i], i);
        }) {}

  /// The same from any (cluster, row) pairs given in `blocks` blocks: `visit(b, fn)` calls
  /// `fn(cluster, row)` for each pair of block b, in the order the rows are to be listed.
  template <class Visit>
  cluster_members(std::size_t k, std::size_t blocks, const Visit& visit) : start_(k + 1, 0) {
    const auto in_range = [k](std::int32_t c) { return c >= 0 && static_cast<std::size_t>(c) < k; };
    std::vector<std::size_t> at(blocks * k, 0);  // per block: its count, then where it writes
    parallel_chunks(blocks, 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b)
        visit(b, [&](std::int32_t c, std::size_t) {
          if (in_range(c)) ++at[b * k + static_cast<std::size_t>(c)];
        });
    });
    for (std::size_t c = 0; c < k; ++c) {
      std::size_t next = start_[c];
      for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t count = at[b * k + c];
        at[b * k + c] = next;
        next += count;
      }
      start_[c + 1] = next;
    }
    // Left uninitialized: every slot is written below, by the block whose rows it holds.
    rows_.reset(new Index[start_[k]]);
    parallel_chunks(blocks, 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b)
        visit(b, [&](std::int32_t c, std::size_t i) {
          if (in_range(c)) rows_[at[b * k + static_cast<std::size_t>(c)]++] = static_cast<Index>(i);
        });
    });
  }

  [[nodiscard]] std::size_t clusters() const noexcept { return start_.size() - 1; }
  [[nodiscard]] std::span<const Index> operator[](std::size_t c) const noexcept {
    return {rows_.get() + start_[c], start_[c + 1] - start_[c]};
  }

 private:
  static constexpr std::size_t block = std::size_t{1} << 16;

  std::unique_ptr<Index[]> rows_;
  std::vector<std::size_t> start_;  ///< where each cluster's rows begin; k + 1 entries
};

}  // namespace koe::detail
