// The k-means centroid table and the bounds that let an assignment pass skip rows. Private:
// never installed.
#pragma once

#include <koe/cluster.hpp>

#include "parallel.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace koe::detail {

// Centroids kept term-major (dims × k) so that scoring one row against all centroids reads k
// contiguous floats per nonzero: the sparse structure is used, the corpus is never densified.
struct centroid_table {
  std::size_t k = 0, dims = 0;
  std::size_t stride = 0;  // floats per term: k rounded up to 8, one AVX register; the rest 0
  std::vector<float> t;    // t[j * stride + c]

  /// Fills the table from unit centroids (one row each), a range of terms per task: it is
  /// rebuilt every iteration.
  void from_rows(const dense_matrix& c) {
    k = static_cast<std::size_t>(c.rows());
    dims = static_cast<std::size_t>(c.cols());
    stride = (k + 7) / 8 * 8;
    t.resize(stride * dims);
    parallel_chunks(dims, term_grain, [&](std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j)
        for (std::size_t ci = 0; ci < stride; ++ci)
          t[j * stride + ci] =
              ci < k ? c(static_cast<Eigen::Index>(ci), static_cast<Eigen::Index>(j)) : 0.0f;
    });
  }

  /// How far each centroid of the table moves to become the same row of `c` (as many rows and
  /// columns as the table), split by sign: `gain[ci]` is the length of the part of the move where
  /// terms grew, `loss[ci]` where they shrank (together, the Euclidean distance). Rounded up to
  /// float; summed by fixed ranges of terms, added in range order.
  struct move {
    std::vector<float> gain, loss;
  };
  [[nodiscard]] move moves_to(const dense_matrix& c) const {
    const std::size_t blocks = block_count(dims, term_grain);
    std::vector<double> part(blocks * k * 2, 0.0);
    parallel_chunks(blocks, 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        double* gain = part.data() + b * k * 2;
        double* loss = gain + k;
        for (std::size_t j = b * term_grain; j < std::min(dims, (b + 1) * term_grain); ++j)
          for (std::size_t ci = 0; ci < k; ++ci) {
            const double d = static_cast<double>(
                                 c(static_cast<Eigen::Index>(ci), static_cast<Eigen::Index>(j))) -
                             static_cast<double>(t[j * stride + ci]);
            (d > 0 ? gain : loss)[ci] += d * d;
          }
      }
    });
    move out{std::vector<float>(k), std::vector<float>(k)};
    for (std::size_t ci = 0; ci < k; ++ci) {
      double gain = 0, loss = 0;
      for (std::size_t b = 0; b < blocks; ++b) {
        gain += part[b * k * 2 + ci];
        loss += part[b * k * 2 + k + ci];
      }
      out.gain[ci] = std::nextafter(static_cast<float>(std::sqrt(gain)), 4.0f);
      out.loss[ci] = std::nextafter(static_cast<float>(std::sqrt(loss)), 4.0f);
    }
    return out;
  }

 private:
  static constexpr std::size_t term_grain = 2048;
};

// What the bounds below need to know of the rows: the most entries in one row, the largest row
// norm, and whether any entry is negative.
struct row_extent {
  std::size_t most_entries = 0;
  double largest_norm = 0;
  bool nonnegative = true;
};

// Bounds that let an assignment pass skip the rows whose centroid cannot change (Hamerly's
// method, turned to similarities): for each row, a lower bound on its similarity to its own
// centroid and an upper bound on its similarity to any other. When a centroid moves by a vector
// d, a row's similarity to it changes by at most the length of d times the row's norm (at most
// `reach`, 1 for TF-IDF rows); so before each pass the lower bound drops by the move of the row's
// own centroid and the upper bound rises by the largest move of any other. A row is scored only
// where the two bounds come within `slack` of each other; any other row keeps its centroid, which
// is what scoring it would have found.
//
// Where no row has a negative entry (TF-IDF), a similarity can only rise through the terms where
// a centroid grew and only fall through those where it shrank, so the two bounds move by the
// length of those parts alone: each shorter than the whole move, often by a third.
struct similarity_bounds {
  std::vector<float> own, other;  // per row, valid where the row was scored once
  std::vector<float> own_move;    // per cluster: how far the similarity to it may fall
  std::vector<float> other_move;  // per cluster: how far the similarity to any other may rise
  float reach = 1;                // the largest row norm, rounded up
  // What the bounds can be off by, in float arithmetic: a score of a row with e entries is off by
  // at most (e + 2) 2^-24 times the row's norm (one rounding per product and per sum), four such
  // errors meet in one comparison, and each pass rounds the two stored bounds once. Set for a run
  // from its longest and largest row and its most passes, with room to spare.
  float slack = 0;
  bool nonnegative = false;  // no row has a negative entry
  bool ready = false;        // false: the coming pass scores every row (and sets the bounds)

  similarity_bounds(std::size_t n, const row_extent& rows, int passes)
      : own(n),
        other(n),
        reach(static_cast<float>(rows.largest_norm * (1 + 0x1p-20))),
        slack(static_cast<float>(std::ldexp(8.0 * static_cast<double>(rows.most_entries) +
                                                4.0 * std::max(passes, 1) + 64.0,
                                            -24) *
                                 std::max(1.0f, reach))),
        nonnegative(rows.nonnegative) {}

  /// Before a pass: how the centroids moved since the last one.
  void centroids_moved(const centroid_table::move& m) {
    const std::size_t k = m.gain.size();
    std::vector<float> rise(k), fall(k);
    for (std::size_t c = 0; c < k; ++c) {
      // The factors cover the rounding of these few float operations.
      const float whole = std::sqrt(m.gain[c] * m.gain[c] + m.loss[c] * m.loss[c]) * 1.0001f;
      rise[c] = (nonnegative ? m.gain[c] : whole) * reach * 1.0001f;
      fall[c] = (nonnegative ? m.loss[c] : whole) * reach * 1.0001f;
    }
    std::size_t far = 0;
    for (std::size_t c = 1; c < k; ++c)
      if (rise[c] > rise[far]) far = c;
    float next = 0;
    for (std::size_t c = 0; c < k; ++c)
      if (c != far) next = std::max(next, rise[c]);
    own_move = std::move(fall);
    other_move.assign(k, rise[far]);
    other_move[far] = next;
  }
};

}  // namespace koe::detail
