// Spherical k-means with k-means++ seeding, over-clustering with average-linkage merging,
// silhouette-based choice of k, and randomized LSA. Every parallel loop writes to its own slots
// and every reduction runs in a fixed order, so results do not depend on the thread count.
#include <koe/cluster.hpp>
#include <koe/error.hpp>

#include "detail/bounds.hpp"
#include "detail/matrix_rows.hpp"
#include "detail/members.hpp"
#include "detail/merge.hpp"
#include "detail/parallel.hpp"
#include "detail/rng.hpp"
#include "detail/silhouette.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>

namespace koe {
namespace detail {

// Rows the assignment passes of every k-means run in this process looked at, and of those the
// rows they scored against every centroid (the rest were skipped by the bounds). Never reset;
// read by the tests (tests/detail_test.cpp), which take differences. Added once per block of
// rows, so the hot loop only counts in registers.
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): a counter for the tests
std::atomic<std::uint64_t> assignment_rows_visited{0}, assignment_rows_scored{0};

}  // namespace detail

namespace {

using detail::centroid_table;
using detail::dense_rows;
using detail::knee;
using detail::merge_down;
using detail::row_extent;
using detail::silhouette_impl;
using detail::similarity_bounds;
using detail::sparse_rows;
using detail::take_rows;

constexpr std::size_t row_grain = 512;

// Eight floats in one register (two on machines without AVX), as GCC and Clang provide it, and
// a view of any eight floats in memory as one: unaligned, and allowed to alias the floats.
using lanes8 = float __attribute__((vector_size(8 * sizeof(float))));
using lanes8_view = float __attribute__((vector_size(8 * sizeof(float)), aligned(4), may_alias));

inline const lanes8_view& lanes_at(const float* p) {
  return *reinterpret_cast<const lanes8_view*>(p);
}

inline lanes8_view& lanes_at(float* p) {
  return *reinterpret_cast<lanes8_view*>(p);
}

// out[0, stride) = the sum over one sparse row's entries (j, v) of v × t[j * stride, +stride).
// The hot loop of k-means. Thirty-two sums at a time stay in registers across the row's entries
// rather than being stored and loaded again for each entry (fewer instructions; no gain that
// could be measured at 1M voices, where the table's reads miss the cache). Compiled twice, for
// AVX2 and for any x86-64, chosen at load time; both multiply and add separately, each sum in
// entry order (no fused multiply-add), so every machine computes the same bits. Not under
// ThreadSanitizer: the clone resolver runs while the program is being loaded, before the
// sanitizer's runtime is ready.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(KOE_TSAN)
__attribute__((target_clones("avx2", "default")))
#endif
void accumulate_row(const std::int32_t* cols, const float* vals, std::size_t nnz, const float* t,
                    std::size_t stride, float* out) {
  std::size_t c0 = 0;
  for (; c0 + 32 <= stride; c0 += 32) {
    lanes8 a0{}, a1{}, a2{}, a3{};
    for (std::size_t e = 0; e < nnz; ++e) {
      const float v = vals[e];
      const float* c = t + static_cast<std::size_t>(cols[e]) * stride + c0;
      a0 += v * lanes_at(c);
      a1 += v * lanes_at(c + 8);
      a2 += v * lanes_at(c + 16);
      a3 += v * lanes_at(c + 24);
    }
    lanes_at(out + c0) = a0;
    lanes_at(out + c0 + 8) = a1;
    lanes_at(out + c0 + 16) = a2;
    lanes_at(out + c0 + 24) = a3;
  }
  for (; c0 + 8 <= stride; c0 += 8) {
    lanes8 a{};
    for (std::size_t e = 0; e < nnz; ++e)
      a += vals[e] * lanes_at(t + static_cast<std::size_t>(cols[e]) * stride + c0);
    lanes_at(out + c0) = a;
  }
  for (; c0 < stride; ++c0) {
    float a = 0;
    for (std::size_t e = 0; e < nnz; ++e)
      a += vals[e] * t[static_cast<std::size_t>(cols[e]) * stride + c0];
    out[c0] = a;
  }
}

// The largest of s[0, k), k > 0, taken four at a time (one SSE register on any x86-64) instead
// of one compare after another.
float largest(const float* s, std::size_t k) {
  using lanes4 = float __attribute__((vector_size(4 * sizeof(float))));
  using lanes4_view = float __attribute__((vector_size(4 * sizeof(float)), aligned(4), may_alias));
  float m = s[0];
  std::size_t c = 0;
  if (k >= 4) {
    lanes4 mv = *reinterpret_cast<const lanes4_view*>(s);
    for (c = 4; c + 4 <= k; c += 4) {
      const lanes4 x = *reinterpret_cast<const lanes4_view*>(s + c);
      mv = mv > x ? mv : x;
    }
    m = std::max(std::max(mv[0], mv[1]), std::max(mv[2], mv[3]));
  }
  for (; c < k; ++c)
    m = std::max(m, s[c]);
  return m;
}

// The first index of the largest of s[0, k), k > 0: what a scan keeping the first strict
// maximum finds.
std::size_t first_max(const float* s, std::size_t k) {
  const float m = largest(s, k);
  std::size_t best = 0;
  while (s[best] != m)
    ++best;
  return best;
}

template <class Rows>
void score_row(const Rows& rows, std::size_t i, const centroid_table& ct, float* out) {
  std::fill(out, out + ct.stride, 0.0f);
  rows.for_each(i, [&](std::size_t j, float v) {
    const float* c = ct.t.data() + j * ct.stride;
    for (std::size_t ci = 0; ci < ct.stride; ++ci)
      out[ci] += v * c[ci];
  });
}

void score_row(const sparse_rows& rows, std::size_t i, const centroid_table& ct, float* out) {
  const auto* outer = rows.m.outerIndexPtr();
  const auto begin = static_cast<std::size_t>(outer[i]);
  accumulate_row(rows.m.innerIndexPtr() + begin, rows.m.valuePtr() + begin,
                 static_cast<std::size_t>(outer[i + 1]) - begin, ct.t.data(), ct.stride, out);
}

// The sum of `body(block, begin, end)` over the fixed blocks of `row_grain` rows covering
// [0, n), computed in parallel and added in block order: the same bits for any thread count.
template <class Body>
double sum_by_block(std::size_t n, const Body& body) {
  std::vector<double> part(detail::block_count(n, row_grain), 0.0);
  detail::parallel_chunks(part.size(), 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b)
      part[b] = body(b, b * row_grain, std::min(n, (b + 1) * row_grain));
  });
  return std::accumulate(part.begin(), part.end(), 0.0);
}

// What the similarity bounds need to know of the rows, found by blocks in parallel.
template <class Rows>
row_extent extent_of(const Rows& rows) {
  std::vector<row_extent> part(detail::block_count(rows.size(), row_grain));
  detail::parallel_chunks(part.size(), 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      row_extent& e = part[b];
      double largest = 0;
      for (std::size_t i = b * row_grain; i < std::min(rows.size(), (b + 1) * row_grain); ++i) {
        std::size_t entries = 0;
        double sq = 0;
        rows.for_each(i, [&](std::size_t, float v) {
          ++entries;
          sq += static_cast<double>(v) * v;
          e.nonnegative = e.nonnegative && v >= 0;
        });
        e.most_entries = std::max(e.most_entries, entries);
        largest = std::max(largest, sq);
      }
      e.largest_norm = std::sqrt(largest);
    }
  });
  row_extent all;
  for (const row_extent& e : part) {
    all.most_entries = std::max(all.most_entries, e.most_entries);
    all.largest_norm = std::max(all.largest_norm, e.largest_norm);
    all.nonnegative = all.nonnegative && e.nonnegative;
  }
  return all;
}

// The rows that moved from one cluster to another in an assignment pass, by block of
// `row_grain` rows: (row, its cluster before) in row order. Rows that had no cluster (the first
// pass) are only counted: that pass's sums are counted afresh. The lists keep their capacity from
// one pass to the next.
using moved_rows = std::vector<std::vector<std::pair<std::uint32_t, std::int32_t>>>;

// Best centroid of every valid row; ties go to the lower cluster index. `similarity` is set for
// the rows scored, which are all valid rows unless `bounds` are ready. Returns how many rows
// changed cluster.
template <class Rows>
std::size_t assign_rows(const Rows& rows, const std::vector<char>& valid, const centroid_table& ct,
                        std::vector<std::int32_t>& assignment, std::vector<float>& similarity,
                        similarity_bounds& bounds, moved_rows& moved) {
  moved.resize(detail::block_count(rows.size(), row_grain));
  std::vector<std::size_t> newly(moved.size(), 0);  // rows given their first cluster, per block
  detail::parallel_chunks(moved.size(), 1, [&](std::size_t b0, std::size_t b1) {
    std::vector<float> s(ct.stride);
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t begin = b * row_grain, end = std::min(rows.size(), begin + row_grain);
      std::array<std::int32_t, row_grain> before;  // each entry written before it is read
      std::uint64_t visited = 0, scored = 0;
      for (std::size_t i = begin; i < end; ++i) {
        before[i - begin] = assignment[i];
        if (!valid[i]) continue;
        ++visited;
        if (bounds.ready) {
          const auto a = static_cast<std::size_t>(assignment[i]);
          const float own = bounds.own[i] - bounds.own_move[a];
          const float other = bounds.other[i] + bounds.other_move[a];
          if (own - other > bounds.slack) {
            bounds.own[i] = own;
            bounds.other[i] = other;
            continue;
          }
        }
        score_row(rows, i, ct, s.data());
        ++scored;
        const std::size_t best = first_max(s.data(), ct.k);
        assignment[i] = static_cast<std::int32_t>(best);
        similarity[i] = s[best];
        bounds.own[i] = s[best];
        s[best] = -std::numeric_limits<float>::infinity();
        bounds.other[i] = largest(s.data(), ct.k);
      }
      detail::assignment_rows_visited.fetch_add(visited, std::memory_order_relaxed);
      detail::assignment_rows_scored.fetch_add(scored, std::memory_order_relaxed);
      // Listed apart from the loop above: with the pushes inside it, the pass took 1.6 times
      // as long (61 against 38 ms at 1M rows, 2 threads).
      auto& m = moved[b];
      m.clear();
      std::size_t unassigned = 0;
      for (std::size_t i = begin; i < end; ++i) {
        if (before[i - begin] == assignment[i]) continue;
        if (before[i - begin] < 0) {
          ++unassigned;
        } else {
          m.emplace_back(static_cast<std::uint32_t>(i), before[i - begin]);
        }
      }
      newly[b] = unassigned;
    }
  });
  bounds.ready = true;
  std::size_t changed = 0;
  for (std::size_t b = 0; b < moved.size(); ++b)
    changed += moved[b].size() + newly[b];
  return changed;
}

// Per-cluster sums of the member rows, kept across Lloyd iterations: after a full count, only
// the rows that changed cluster are taken out of one sum and added to another, each cluster by
// one task in row order, so the sums (and the run) do not depend on the thread count.
template <class Rows>
class centroid_sums {
 public:
  centroid_sums(const Rows& rows, std::size_t k)
      : rows_(rows), k_(k), sum_(k, std::vector<double>(rows.dims(), 0.0)), size_(k, 0) {}

  void recount(const std::vector<std::int32_t>& assignment) {
    const detail::cluster_members<std::uint32_t> members(assignment, k_, assignment.size());
    detail::parallel_chunks(k_, 1, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t ci = c0; ci < c1; ++ci) {
        std::vector<double>& sum = sum_[ci];
        std::fill(sum.begin(), sum.end(), 0.0);
        size_[ci] = members[ci].size();
        for (std::size_t i : members[ci])
          rows_.for_each(i, [&](std::size_t j, float v) { sum[j] += v; });
      }
    });
  }

  /// Moves the rows of `moved` (`changed` in all) from their cluster before to their cluster in
  /// `after`. Each cluster takes out the rows that left it and adds those that joined it, in
  /// row order, as a walk over the moved rows would, but reads only its own.
  void move(const moved_rows& moved, std::size_t changed, const std::vector<std::int32_t>& after) {
    std::size_t listed = 0;
    for (const auto& block : moved)
      listed += block.size();
    // Most rows moved (counting afresh is cheaper), or some were given their first cluster.
    if (changed * 2 > after.size() || listed != changed) {
      recount(after);
      return;
    }
    const detail::cluster_members<std::uint32_t> left(k_, moved.size(),
                                                      [&](std::size_t b, const auto& fn) {
                                                        for (const auto& [i, before] : moved[b])
                                                          fn(before, i);
                                                      });
    const detail::cluster_members<std::uint32_t> joined(k_, moved.size(),
                                                        [&](std::size_t b, const auto& fn) {
                                                          for (const auto& [i, before] : moved[b])
                                                            fn(after[i], i);
                                                        });
    detail::parallel_chunks(k_, 1, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t ci = c0; ci < c1; ++ci) {
        std::vector<double>& sum = sum_[ci];
        const std::span<const std::uint32_t> out = left[ci], in = joined[ci];
        std::size_t a = 0, e = 0;
        while (a < out.size() || e < in.size()) {
          if (e == in.size() || (a < out.size() && out[a] < in[e])) {
            rows_.for_each(out[a++], [&](std::size_t j, float v) { sum[j] -= v; });
          } else {
            rows_.for_each(in[e++], [&](std::size_t j, float v) { sum[j] += v; });
          }
        }
        size_[ci] = size_[ci] - out.size() + in.size();
      }
    });
  }

  [[nodiscard]] const std::vector<std::size_t>& sizes() const noexcept { return size_; }

  /// The sum over clusters of centroid `c` (row ci) times the cluster's sum: every member row's
  /// similarity to `c`, added up. Each cluster's by one task, added in cluster order.
  [[nodiscard]] double similarity_total(const dense_matrix& c) const {
    std::vector<double> part(k_, 0.0);
    detail::parallel_chunks(k_, 1, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t ci = c0; ci < c1; ++ci) {
        double dot = 0;
        for (std::size_t j = 0; j < sum_[ci].size(); ++j)
          dot +=
              static_cast<double>(c(static_cast<Eigen::Index>(ci), static_cast<Eigen::Index>(j))) *
              sum_[ci][j];
        part[ci] = dot;
      }
    });
    return std::accumulate(part.begin(), part.end(), 0.0);
  }

  /// The unit-length centroids; an empty cluster's row is zero.
  [[nodiscard]] dense_matrix centroids() const {
    dense_matrix c =
        dense_matrix::Zero(static_cast<Eigen::Index>(k_), static_cast<Eigen::Index>(rows_.dims()));
    detail::parallel_chunks(k_, 1, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t ci = c0; ci < c1; ++ci) {
        if (size_[ci] == 0) continue;
        const std::vector<double>& sum = sum_[ci];
        double norm = 0;
        for (double v : sum)
          norm += v * v;
        if (norm <= 0) continue;
        norm = 1.0 / std::sqrt(norm);
        for (std::size_t j = 0; j < sum.size(); ++j)
          c(static_cast<Eigen::Index>(ci), static_cast<Eigen::Index>(j)) =
              static_cast<float>(sum[j] * norm);
      }
    });
    return c;
  }

 private:
  const Rows& rows_;
  std::size_t k_;
  std::vector<std::vector<double>> sum_;
  std::vector<std::size_t> size_;
};

// Unit-length mean direction of each cluster's members, each summed by one task in row order.
template <class Rows>
dense_matrix compute_centroids(const Rows& rows, const std::vector<std::int32_t>& assignment,
                               std::size_t k, std::vector<std::size_t>& sizes) {
  centroid_sums<Rows> sums(rows, k);
  sums.recount(assignment);
  sizes = sums.sizes();
  return sums.centroids();
}

// Deterministic sample of `m` items of `from` (sorted), by a partial Fisher-Yates shuffle.
std::vector<std::size_t> sample_of(const std::vector<std::size_t>& from, std::size_t m,
                                   std::uint64_t seed) {
  if (from.size() <= m) return from;
  std::vector<std::size_t> pool(from);
  detail::rng r(seed);
  for (std::size_t i = 0; i < m; ++i)
    std::swap(pool[i], pool[i + r.below(pool.size() - i)]);
  pool.resize(m);
  std::sort(pool.begin(), pool.end());
  return pool;
}

template <class Rows>
void set_row_as_centroid(const Rows& rows, std::size_t i, dense_matrix& c, std::size_t ci) {
  c.row(static_cast<Eigen::Index>(ci)).setZero();
  rows.for_each(i, [&](std::size_t j, float v) {
    c(static_cast<Eigen::Index>(ci), static_cast<Eigen::Index>(j)) = v;
  });
}

// Squared cosine distance of a similarity, the potential k-means++ draws by.
inline double potential_of(float s) {
  const double d = std::max(0.0, 1.0 - static_cast<double>(s));
  return d * d;
}

// What greedy seeding keeps while it chooses centres. Everything is kept by position in `from`
// (the rows to seed from, ascending), and the rows are cut into fixed blocks of `row_grain` rows:
// `first[b]` is the position of block b's first row in `from`. Per-block sums run over the same
// rows in the same order whether `from` is every row or a sample, and whatever the thread count.
struct seeding_state {
  std::size_t trials = 0;
  std::vector<std::size_t> first;
  std::vector<float> best;  ///< Similarity of each row to its nearest chosen centre.
  std::vector<float> sims;  ///< Similarity of each row to each candidate of the step.
  std::vector<double> cumulative, partial;
  std::vector<std::size_t> cand;
  centroid_table ct;  ///< The candidates, term-major.

  seeding_state(std::size_t n, const std::vector<std::size_t>& from, std::size_t k,
                std::size_t dims)
      : trials(2 + static_cast<std::size_t>(std::log(static_cast<double>(k)))),
        first(detail::block_count(n, row_grain) + 1),
        best(from.size(), -1.0f),
        sims(from.size() * trials, 0.0f),
        cumulative(from.size()),
        partial((first.size() - 1) * trials),
        cand(trials) {
    for (std::size_t b = 0; b < first.size(); ++b)
      first[b] = static_cast<std::size_t>(
          std::lower_bound(from.begin(), from.end(), std::min(n, b * row_grain)) - from.begin());
    ct.k = trials;
    ct.dims = dims;
    ct.stride = (trials + 7) / 8 * 8;  // whole registers: a partial one is summed lane by lane
    ct.t.assign(ct.stride * ct.dims, 0.0f);
  }
};

// Draws the step's candidates with probability proportional to each row's potential (uniformly
// when every row sits on a chosen centre) and writes them into the candidate table.
template <class Rows>
void draw_candidates(const Rows& rows, const std::vector<std::size_t>& from, seeding_state& st,
                     detail::rng& r) {
  double total = 0;
  for (std::size_t a = 0; a < from.size(); ++a) {
    total += potential_of(st.best[a]);
    st.cumulative[a] = total;
  }
  for (std::size_t t = 0; t < st.trials; ++t) {
    if (total > 0) {
      const double target = r.uniform() * total;
      const auto at = std::upper_bound(st.cumulative.begin(), st.cumulative.end(), target);
      st.cand[t] = at == st.cumulative.end()
                       ? from.back()
                       : from[static_cast<std::size_t>(at - st.cumulative.begin())];
    } else {
      st.cand[t] = from[r.below(from.size())];
    }
    rows.for_each(st.cand[t], [&](std::size_t j, float v) { st.ct.t[j * st.ct.stride + t] = v; });
  }
}

// Scores every row against the candidates, with per-block potentials summed in block order so
// that the choice does not depend on the thread count; returns the candidate that lowers the
// total potential most (`trials` when none gives a finite one) and clears the table.
template <class Rows>
std::size_t best_candidate(const Rows& rows, const std::vector<std::size_t>& from,
                           seeding_state& st) {
  const std::size_t trials = st.trials;
  detail::parallel_chunks(st.first.size() - 1, 1, [&](std::size_t b0, std::size_t b1) {
    std::vector<float> scores(st.ct.stride);
    for (std::size_t b = b0; b < b1; ++b) {
      double* pot = st.partial.data() + b * trials;
      std::fill(pot, pot + trials, 0.0);
      for (std::size_t a = st.first[b]; a < st.first[b + 1]; ++a) {
        float* s = st.sims.data() + a * trials;
        score_row(rows, from[a], st.ct, scores.data());
        std::copy_n(scores.begin(), trials, s);
        for (std::size_t t = 0; t < trials; ++t)
          pot[t] += potential_of(std::max(st.best[a], s[t]));
      }
    }
  });
  std::size_t chosen_t = trials;
  double best_potential = std::numeric_limits<double>::infinity();
  for (std::size_t t = 0; t < trials; ++t) {
    double potential = 0;
    for (std::size_t b = 0; b + 1 < st.first.size(); ++b)
      potential += st.partial[b * trials + t];
    if (potential < best_potential) {
      best_potential = potential;
      chosen_t = t;
    }
  }
  for (std::size_t t = 0; t < trials; ++t)
    rows.for_each(st.cand[t], [&](std::size_t j, float) { st.ct.t[j * st.ct.stride + t] = 0.0f; });
  return chosen_t;
}

// Greedy k-means++ with cosine distance: each step draws a few candidates with probability
// proportional to the squared distance to the nearest chosen centre, and keeps the candidate that
// lowers the total squared distance most (plain k-means++ often seeds two centres in one group
// when, as with short texts, distances within and between groups are alike). The candidates of a
// step are scored together in one pass over the rows, through a small term-major table.
template <class Rows>
dense_matrix seed_plus_plus(const Rows& rows, const std::vector<std::size_t>& from, std::size_t k,
                            detail::rng& r) {
  dense_matrix c =
      dense_matrix::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(rows.dims()));
  const std::size_t m = from.size();
  seeding_state st(rows.size(), from, k, rows.dims());

  const std::size_t pick = from[r.below(m)];
  set_row_as_centroid(rows, pick, c, 0);
  {
    std::vector<float> center(rows.dims(), 0.0f);
    rows.for_each(pick, [&](std::size_t j, float v) { center[j] = v; });
    detail::parallel_chunks(m, row_grain * 4, [&](std::size_t a0, std::size_t a1) {
      for (std::size_t a = a0; a < a1; ++a) {
        float s = 0;
        rows.for_each(from[a], [&](std::size_t j, float v) { s += v * center[j]; });
        st.best[a] = s;
      }
    });
  }
  for (std::size_t ci = 1; ci < k; ++ci) {
    const std::size_t fallback = from[r.below(m)];
    draw_candidates(rows, from, st, r);
    const std::size_t chosen_t = best_candidate(rows, from, st);
    if (chosen_t == st.trials) {
      set_row_as_centroid(rows, fallback, c, ci);
      continue;
    }
    set_row_as_centroid(rows, st.cand[chosen_t], c, ci);
    detail::parallel_chunks(m, row_grain * 4, [&](std::size_t a0, std::size_t a1) {
      for (std::size_t a = a0; a < a1; ++a)
        st.best[a] = std::max(st.best[a], st.sims[a * st.trials + chosen_t]);
    });
  }
  return c;
}

// Each valid row's similarity to the centroid it is assigned to, and their sum (added by block).
template <class Rows>
double score_assigned(const Rows& rows, const std::vector<char>& valid, const centroid_table& ct,
                      const std::vector<std::int32_t>& assignment, std::vector<float>& similarity) {
  return sum_by_block(rows.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
    std::vector<float> s(ct.stride);
    double sum = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (!valid[i]) continue;
      score_row(rows, i, ct, s.data());
      similarity[i] = s[static_cast<std::size_t>(assignment[i])];
      sum += similarity[i];
    }
    return sum;
  });
}

struct run_result {
  std::vector<std::int32_t> assignment;
  std::vector<float> similarity;
  dense_matrix centroids;
  double objective = -std::numeric_limits<double>::infinity();
  int iterations = 0;
};

template <class Rows>
run_result lloyd(const Rows& rows, const std::vector<char>& valid,
                 const std::vector<std::size_t>& valid_index, const row_extent& extent,
                 std::size_t k, const cluster_options& opt, std::uint64_t seed,
                 const dense_matrix* start = nullptr) {
  detail::rng r(seed);
  run_result res;
  const std::size_t n = rows.size();
  res.assignment.assign(n, -1);
  res.similarity.assign(n, 0.0f);
  dense_matrix c;
  if (start != nullptr) {
    c = *start;
    for (Eigen::Index ci = 0; ci < c.rows(); ++ci)
      if (const float norm = c.row(ci).norm(); norm > 0) c.row(ci) /= norm;
  } else if (opt.seed_sample > 0 && valid_index.size() > opt.seed_sample) {
    // Seed on a sample: the centres only need to land in distinct groups, and Lloyd's
    // iterations over every row move them to the groups' means.
    c = seed_plus_plus(rows, sample_of(valid_index, opt.seed_sample, r.below(UINT64_MAX)), k, r);
  } else {
    c = seed_plus_plus(rows, valid_index, k, r);
  }
  centroid_table ct;
  centroid_sums<Rows> sums(rows, k);
  similarity_bounds bounds(n, extent, opt.max_iter);
  moved_rows moved;
  double previous = -std::numeric_limits<double>::infinity();
  for (int it = 0; it < std::max(1, opt.max_iter); ++it) {
    if (bounds.ready) bounds.centroids_moved(ct.moves_to(c));
    ct.from_rows(c);
    const std::size_t changed =
        assign_rows(rows, valid, ct, res.assignment, res.similarity, bounds, moved);
    res.iterations = it + 1;
    if (it == 0) {
      sums.recount(res.assignment);
    } else {
      sums.move(moved, changed, res.assignment);
    }
    // The objective: every valid row's similarity to the centroid it was given in this pass.
    const double obj = sums.similarity_total(c);
    c = sums.centroids();
    // Empty clusters take the rows farthest from their centroids, lowest index first on ties.
    std::vector<std::size_t> empty;
    for (std::size_t ci = 0; ci < k; ++ci)
      if (sums.sizes()[ci] == 0) empty.push_back(ci);
    if (!empty.empty()) {
      // Rows the pass skipped have not had their similarity set against these centroids.
      score_assigned(rows, valid, ct, res.assignment, res.similarity);
      std::vector<std::size_t> order(valid_index);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return res.similarity[a] < res.similarity[b];
      });
      for (std::size_t e = 0; e < empty.size() && e < order.size(); ++e) {
        set_row_as_centroid(rows, order[e], c, empty[e]);
        res.assignment[order[e]] = static_cast<std::int32_t>(empty[e]);
      }
      sums.recount(res.assignment);
      c = sums.centroids();
      bounds.ready = false;
      previous = -std::numeric_limits<double>::infinity();
      continue;
    }
    if (changed == 0 || obj - previous <= opt.tol * std::abs(obj)) break;
    previous = obj;
  }
  // Final similarities against the centroids of the final members.
  ct.from_rows(c);
  res.objective = score_assigned(rows, valid, ct, res.assignment, res.similarity);
  res.centroids = std::move(c);
  return res;
}

template <class Rows, class Matrix>
clustering cluster_impl(const Matrix& matrix, const cluster_options& opt);

// The rows with at least one term, as a mask and as a list; throws when there are none.
template <class Rows>
std::vector<char> valid_rows(const Rows& rows, std::vector<std::size_t>& valid_index) {
  const std::size_t n = rows.size();
  std::vector<char> valid(n, 0);
  detail::parallel_chunks(n, 4096, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      valid[i] = rows.is_zero(i) ? 0 : 1;
  });
  valid_index.clear();
  valid_index.reserve(static_cast<std::size_t>(std::count(valid.begin(), valid.end(), 1)));
  for (std::size_t i = 0; i < n; ++i)
    if (valid[i]) valid_index.push_back(i);
  KOE_THROW_IF_NOT(!valid_index.empty(), errc::empty_corpus,
                   "no voice has any term left after filtering; nothing to cluster (try a lower "
                   "--min-df, or fewer stop words)");
  return valid;
}

// Automatic k: cluster a deterministic sample at each k and keep the best mean silhouette (or
// the knee, when the curve still rises at the largest k). The curve goes to `curve`.
template <class Rows, class Matrix>
std::size_t choose_k(const Matrix& matrix, const std::vector<std::size_t>& valid_index,
                     const cluster_options& opt, std::vector<k_score>& curve) {
  const std::vector<std::size_t> sample = sample_of(valid_index, opt.auto_sample, opt.seed ^ 0x5A);
  const Matrix sub = take_rows(matrix, sample);
  std::vector<std::size_t> sub_all(sample.size());
  std::iota(sub_all.begin(), sub_all.end(), 0);
  const std::vector<std::size_t> sil = sample_of(sub_all, opt.silhouette_sample, opt.seed ^ 0xA5);
  const std::size_t k_hi =
      std::min<std::size_t>(static_cast<std::size_t>(opt.k_max), sample.size() - 1);
  cluster_options probe = opt;
  probe.min_similarity = 0;
  double best = -std::numeric_limits<double>::infinity();
  std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(opt.k_min), sample.size());
  for (std::size_t kk = static_cast<std::size_t>(opt.k_min); kk <= k_hi; ++kk) {
    probe.k = static_cast<int>(kk);
    const clustering c = cluster_impl<Rows>(sub, probe);
    const double s = silhouette_impl(Rows{sub}, c.assignment, sil);
    curve.push_back({static_cast<int>(kk), s});
    if (s > best) {
      best = s;
      k = kk;
    }
  }
  if (curve.size() >= 3 && k == k_hi) k = static_cast<std::size_t>(knee(curve));
  return k;
}

// Numbers the clusters by size, largest first; ties keep the earlier first member first.
void number_by_size(std::vector<std::int32_t>& assignment, std::size_t k) {
  const std::size_t n = assignment.size();
  std::vector<std::size_t> sizes(k, 0), first(k, n);
  for (std::size_t i = 0; i < n; ++i) {
    if (assignment[i] < 0) continue;
    const auto a = static_cast<std::size_t>(assignment[i]);
    ++sizes[a];
    first[a] = std::min(first[a], i);
  }
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sizes[a] != sizes[b] ? sizes[a] > sizes[b] : first[a] < first[b];
  });
  std::vector<std::int32_t> rank(k);
  for (std::size_t r = 0; r < k; ++r)
    rank[order[r]] = static_cast<std::int32_t>(r);
  for (auto& a : assignment)
    if (a >= 0) a = rank[static_cast<std::size_t>(a)];
}

// The final centroids, each row's similarity to its own, noise (rows with no terms, rows below
// `min_similarity`) and the objective, for the numbered assignment.
template <class Rows>
void finish(const Rows& rows, const std::vector<char>& valid, std::vector<std::int32_t> assignment,
            std::size_t k, const cluster_options& opt, clustering& out) {
  const std::size_t n = rows.size();
  std::vector<std::size_t> final_sizes;
  out.centroids = compute_centroids(rows, assignment, k, final_sizes);
  out.k = static_cast<int>(k);
  out.similarity.assign(n, 0.0f);
  out.noise.assign(n, noise_reason::none);
  centroid_table ct;
  ct.from_rows(out.centroids);
  out.objective = sum_by_block(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    std::vector<float> s(ct.stride);
    double sum = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (!valid[i]) {
        out.noise[i] = noise_reason::no_terms;
        assignment[i] = -1;
        continue;
      }
      score_row(rows, i, ct, s.data());
      out.similarity[i] = s[static_cast<std::size_t>(assignment[i])];
      if (out.similarity[i] < opt.min_similarity) {
        out.noise[i] = noise_reason::low_similarity;
        assignment[i] = -1;
      } else {
        sum += out.similarity[i];
      }
    }
    return sum;
  });
  out.assignment = std::move(assignment);
}

template <class Rows, class Matrix>
clustering cluster_impl(const Matrix& matrix, const cluster_options& opt) {
  const Rows rows{matrix};
  KOE_THROW_IF_NOT(opt.k >= 0 && opt.k_min >= 1 && opt.k_max >= opt.k_min, errc::invalid_argument,
                   "k must be positive (or 0 for automatic) and k_min <= k_max");
  KOE_THROW_IF_NOT(opt.n_init >= 1 && opt.merge_factor >= 1, errc::invalid_argument,
                   "n_init and merge_factor must be at least 1");
  KOE_THROW_IF_NOT(
      opt.init.rows() == 0 || (static_cast<std::size_t>(opt.init.cols()) == rows.dims() &&
                               (opt.k == 0 || opt.k == opt.init.rows())),
      errc::invalid_argument,
      "initial centroids must have one row per cluster and " + std::to_string(rows.dims()) +
          " columns");
  std::vector<std::size_t> valid_index;
  const std::vector<char> valid = valid_rows(rows, valid_index);

  clustering out;
  std::size_t k = static_cast<std::size_t>(opt.k);
  if (k == 0 && opt.init.rows() == 0) k = choose_k<Rows>(matrix, valid_index, opt, out.k_curve);
  k = std::max<std::size_t>(1, std::min(k, valid_index.size()));
  const bool started = opt.init.rows() > 0;
  if (started) k = static_cast<std::size_t>(opt.init.rows());
  const std::size_t k_run =
      started ? k : std::min(valid_index.size(), k * static_cast<std::size_t>(opt.merge_factor));

  run_result best;
  const row_extent extent = extent_of(rows);
  for (int r = 0; r < (started ? 1 : opt.n_init); ++r) {
    run_result cur = lloyd(rows, valid, valid_index, extent, k_run, opt,
                           detail::mix_seed(opt.seed + static_cast<std::uint64_t>(r)),
                           started ? &opt.init : nullptr);
    if (cur.objective > best.objective) best = std::move(cur);
  }

  std::vector<std::int32_t> assignment = std::move(best.assignment);
  if (k_run > k) {
    // Lloyd again from the merged groups' means, so that each row ends nearest its own centroid
    // (where assigning it to the fitted model puts it).
    merge_down(assignment, best.centroids, k_run, k);
    std::vector<std::size_t> sizes;
    const dense_matrix merged = compute_centroids(rows, assignment, k, sizes);
    run_result refined = lloyd(rows, valid, valid_index, extent, k, opt, opt.seed, &merged);
    assignment = std::move(refined.assignment);
    best.iterations += refined.iterations;
  }
  number_by_size(assignment, k);
  out.iterations = best.iterations;
  finish(rows, valid, std::move(assignment), k, opt, out);
  return out;
}

// Each row's nearest centroid, as `finish` scores a row against its own.
template <class Rows>
clustering nearest_impl(const Rows& rows, const dense_matrix& centroids) {
  KOE_THROW_IF_NOT(
      centroids.rows() > 0 && static_cast<std::size_t>(centroids.cols()) == rows.dims(),
      errc::invalid_argument,
      "nearest centroids need at least one centroid of " + std::to_string(rows.dims()) +
          " columns");
  const std::size_t n = rows.size();
  clustering out;
  out.k = static_cast<int>(centroids.rows());
  out.assignment.assign(n, -1);
  out.similarity.assign(n, 0.0f);
  out.noise.assign(n, noise_reason::none);
  centroid_table ct;
  ct.from_rows(centroids);
  detail::parallel_chunks(n, row_grain, [&](std::size_t begin, std::size_t end) {
    std::vector<float> s(ct.stride);
    for (std::size_t i = begin; i < end; ++i) {
      if (rows.is_zero(i)) {
        out.noise[i] = noise_reason::no_terms;
        continue;
      }
      score_row(rows, i, ct, s.data());
      const std::size_t best = first_max(s.data(), ct.k);
      out.assignment[i] = static_cast<std::int32_t>(best);
      out.similarity[i] = s[best];
    }
  });
  return out;
}

}  // namespace

clustering nearest_centroids(const sparse_matrix& rows, const dense_matrix& centroids) {
  return nearest_impl(sparse_rows{rows}, centroids);
}

clustering nearest_centroids(const dense_matrix& rows, const dense_matrix& centroids) {
  return nearest_impl(dense_rows{rows}, centroids);
}

bool operator==(const cluster_options& a, const cluster_options& b) {
  return a.k == b.k && a.k_min == b.k_min && a.k_max == b.k_max && a.n_init == b.n_init &&
         a.max_iter == b.max_iter && a.tol == b.tol && a.seed == b.seed &&
         a.min_similarity == b.min_similarity && a.merge_factor == b.merge_factor &&
         a.auto_sample == b.auto_sample && a.silhouette_sample == b.silhouette_sample &&
         a.seed_sample == b.seed_sample && detail::same_matrix(a.init, b.init);
}

clustering cluster(const sparse_matrix& rows, const cluster_options& options) {
  return cluster_impl<sparse_rows>(rows, options);
}

clustering cluster(const dense_matrix& rows, const cluster_options& options) {
  return cluster_impl<dense_rows>(rows, options);
}

double silhouette(const sparse_matrix& rows, const std::vector<std::int32_t>& assignment,
                  const std::vector<std::size_t>& sample) {
  return silhouette_impl(sparse_rows{rows}, assignment, sample);
}

}  // namespace koe
