// The private helpers of src/detail that the stages share.
#include "detail/members.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

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

}  // namespace
