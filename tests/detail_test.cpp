// The private helpers of src/detail that the stages share.
#include "detail/bounds.hpp"
#include "detail/members.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

// Each cluster's rows as a serial loop pushes them back, the list cluster_members must equal.
std::vector<std::vector<std::uint32_t>> pushed_back(const std::vector<std::int32_t>& assignment,
                                                    std::size_t k, std::size_t n) {
  std::vector<std::vector<std::uint32_t>> members(k);
  for (std::size_t i = 0; i < n; ++i)
    if (assignment[i] >= 0 && static_cast<std::size_t>(assignment[i]) < k)
      members[static_cast<std::size_t>(assignment[i])].push_back(static_cast<std::uint32_t>(i));
  return members;
}

TEST(Detail, ClusterMembersAreEachClustersRowsInOrderForAnyThreadCount) {
  // Several blocks of rows (a block is 65,536 rows), with noise (-1), an id past k, an empty
  // cluster (3 is never drawn) and rows past n that must be left out.
  constexpr std::size_t k = 7, n = 200'003;
  std::vector<std::int32_t> assignment(n + 50);
  std::mt19937 gen(5);
  std::uniform_int_distribution<std::int32_t> pick(-1, 7);
  for (auto& a : assignment)
    if ((a = pick(gen)) == 3) a = 0;
  const auto expected = pushed_back(assignment, k, n);
  ASSERT_TRUE(expected[3].empty());
  for (int threads : {1, 2, 4}) {
    tbb::task_arena(threads).execute([&] {
      const koe::detail::cluster_members<std::uint32_t> members(assignment, k, n);
      ASSERT_EQ(members.clusters(), k);
      for (std::size_t c = 0; c < k; ++c)
        EXPECT_EQ(std::vector<std::uint32_t>(members[c].begin(), members[c].end()), expected[c])
            << "cluster " << c << ", " << threads << " threads";
    });
  }
}

TEST(Detail, ClusterMembersOfNoRowsAreEmpty) {
  const std::vector<std::int32_t> none;
  const koe::detail::cluster_members<std::uint32_t> members(none, 3, 0);
  ASSERT_EQ(members.clusters(), 3u);
  for (std::size_t c = 0; c < 3; ++c)
    EXPECT_TRUE(members[c].empty());
}

// Unit rows of random entries in [lo, 1).
koe::dense_matrix random_unit_rows(std::mt19937& gen, Eigen::Index k, Eigen::Index dims, float lo) {
  std::uniform_real_distribution<float> value(lo, 1.0f);
  koe::dense_matrix c(k, dims);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index j = 0; j < dims; ++j)
      c(i, j) = value(gen);
    c.row(i).normalize();
  }
  return c;
}

// The worst rows for a bound: a row along the part of a centroid's move where its terms grew
// raises its similarity to that centroid by the row's norm times that part's length, which is
// what the bound allows and no more. Checked for rows of norm 2.5 (TF-IDF rows have norm 1) and
// for rows with entries of one sign and of any sign.
TEST(Detail, SimilarityBoundsCoverTheRowsAlongEachMove) {
  constexpr Eigen::Index k = 6, dims = 40;
  constexpr double norm = 2.5;
  for (const bool nonnegative : {true, false}) {
    std::mt19937 gen(nonnegative ? 3 : 4);
    const float lo = nonnegative ? 0.0f : -1.0f;
    const koe::dense_matrix before = random_unit_rows(gen, k, dims, lo);
    koe::dense_matrix after = before + 0.6f * random_unit_rows(gen, k, dims, lo);
    for (Eigen::Index i = 0; i < k; ++i)
      after.row(i).normalize();
    koe::detail::centroid_table table;
    table.from_rows(before);
    koe::detail::row_extent rows;
    rows.most_entries = static_cast<std::size_t>(dims);
    rows.largest_norm = norm;
    rows.nonnegative = nonnegative;
    koe::detail::similarity_bounds bounds(1, rows, 10);
    bounds.centroids_moved(table.moves_to(after));
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::RowVectorXd move = (after.row(j) - before.row(j)).cast<double>();
      // Rows of entries of one sign see only the grown part rise and the shrunk part fall.
      Eigen::RowVectorXd up = move, down = -move;
      if (nonnegative) {
        up = up.cwiseMax(0.0);
        down = down.cwiseMax(0.0);
      }
      const double rise = norm * up.norm(), fall = norm * down.norm();
      EXPECT_GE(bounds.own_move[static_cast<std::size_t>(j)], fall) << j;
      EXPECT_LE(bounds.own_move[static_cast<std::size_t>(j)], fall * 1.001 + 1e-6) << j;
      for (Eigen::Index a = 0; a < k; ++a)
        if (a != j) {
          EXPECT_GE(bounds.other_move[static_cast<std::size_t>(a)], rise) << a << j;
        }
      // And the row that gains that much exists: the bound cannot be lowered.
      const Eigen::RowVectorXd row = up.normalized() * norm;
      EXPECT_NEAR(row.dot(move), rise, 1e-9 + 1e-6 * rise) << j;
    }
  }
}

}  // namespace
