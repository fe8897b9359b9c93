// The private helpers of src/detail that the stages share.
#include "detail/block_exchange.hpp"
#include "detail/bounds.hpp"
#include "detail/members.hpp"
#include "detail/merge.hpp"

#include <koe/cluster.hpp>
#include <koe/error.hpp>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace koe::detail {
// Defined in src/cluster.cpp: rows the assignment passes looked at, and those they scored.
extern std::atomic<std::uint64_t> assignment_rows_visited, assignment_rows_scored;
}  // namespace koe::detail

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
    // For each centroid, the row that gains most from its move and the row that loses most,
    // and what they really gain and lose: similarity after minus before, computed here.
    std::vector<double> rise(static_cast<std::size_t>(k)), fall(static_cast<std::size_t>(k));
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::RowVectorXd move = (after.row(j) - before.row(j)).cast<double>();
      Eigen::RowVectorXd up = move, down = -move;
      if (nonnegative) {
        up = up.cwiseMax(0.0);
        down = down.cwiseMax(0.0);
      }
      const Eigen::RowVectorXd gains = up.normalized() * norm, loses = down.normalized() * norm;
      const auto similarity = [&](const koe::dense_matrix& c, const Eigen::RowVectorXd& row) {
        return row.dot(c.row(j).cast<double>());
      };
      rise[static_cast<std::size_t>(j)] = similarity(after, gains) - similarity(before, gains);
      fall[static_cast<std::size_t>(j)] = similarity(before, loses) - similarity(after, loses);
    }
    // A row of cluster a loses at most own_move[a] to its own centroid and gains at most
    // other_move[a] towards any other; rows exist that lose and gain that much, so neither
    // bound can be lowered by more than rounding.
    for (Eigen::Index a = 0; a < k; ++a) {
      const auto ai = static_cast<std::size_t>(a);
      double worst_other = 0;
      for (Eigen::Index j = 0; j < k; ++j)
        if (j != a) worst_other = std::max(worst_other, rise[static_cast<std::size_t>(j)]);
      EXPECT_GE(bounds.own_move[ai], fall[ai]) << a;
      EXPECT_LE(bounds.own_move[ai], fall[ai] * 1.001 + 1e-6) << a;
      EXPECT_GE(bounds.other_move[ai], worst_other) << a;
      EXPECT_LE(bounds.other_move[ai], worst_other * 1.001 + 1e-6) << a;
    }
  }
}

// The bounds of src/detail/bounds.hpp let an assignment pass skip the rows that cannot change
// cluster. On weak, overlapping groups that take many passes to settle, most rows after the first
// pass must be skipped: a pass that scores every row (the bounds off) fails here.
TEST(Detail, AssignmentPassesSkipRowsTheBoundsSettle) {
  constexpr int groups = 12, per_group = 400, dims = 48;
  std::mt19937 gen(11);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  koe::dense_matrix rows(groups * per_group, dims);
  for (int i = 0; i < groups * per_group; ++i) {
    for (int j = 0; j < dims; ++j)
      rows(i, j) = std::abs(noise(gen));
    rows(i, (i % groups) * 4) += 0.5f;
    rows(i, (i % groups) * 4 + 1) += 0.3f;
    rows.row(i).normalize();
  }
  const std::uint64_t visited0 = koe::detail::assignment_rows_visited.load();
  const std::uint64_t scored0 = koe::detail::assignment_rows_scored.load();
  const koe::clustering c = koe::cluster(rows, {.k = groups, .n_init = 1, .tol = 0, .seed = 3});
  const std::uint64_t visited = koe::detail::assignment_rows_visited.load() - visited0;
  const std::uint64_t scored = koe::detail::assignment_rows_scored.load() - scored0;
  ASSERT_GE(c.iterations, 3) << "too few passes to tell";
  EXPECT_EQ(visited, static_cast<std::uint64_t>(c.iterations) * rows.rows());
  // The first pass scores every row; the later ones skip more than a quarter of theirs (63 %
  // scored here: random directions in 48 dimensions keep the bounds loose).
  EXPECT_LT(scored - static_cast<std::uint64_t>(rows.rows()),
            (visited - static_cast<std::uint64_t>(rows.rows())) / 4 * 3)
      << scored << " of " << visited << " rows scored in " << c.iterations << " passes";
}

// -k auto takes the knee where the silhouette still rises at the largest k: the point farthest
// above the chord joining the curve's ends.
TEST(Detail, KneeIsThePointFarthestAboveTheChord) {
  // Steep up to 5, then nearly flat: the chord from (2, 0.10) to (10, 0.62) passes 0.295 at 5,
  // 0.255 below the curve; at 4 the curve is 0.22 above it, at 6 0.21.
  const std::vector<koe::k_score> knee_at_5 = {{2, 0.10}, {3, 0.30}, {4, 0.45},
                                               {5, 0.55}, {6, 0.57}, {7, 0.59},
                                               {8, 0.60}, {9, 0.61}, {10, 0.62}};
  EXPECT_EQ(koe::detail::knee(knee_at_5), 5);
  // The same shape moved along: the knee follows.
  const std::vector<koe::k_score> knee_at_3 = {{2, 0.10}, {3, 0.50}, {4, 0.52}, {5, 0.54},
                                               {6, 0.56}, {7, 0.58}, {8, 0.60}};
  EXPECT_EQ(koe::detail::knee(knee_at_3), 3);
  // A straight line or a curve below its chord has no knee: the largest k stays.
  EXPECT_EQ(koe::detail::knee({{2, 0.1}, {3, 0.2}, {4, 0.3}, {5, 0.4}}), 5);
  EXPECT_EQ(koe::detail::knee({{2, 0.1}, {3, 0.11}, {4, 0.13}, {5, 0.4}}), 5);
}

}  // namespace

namespace {

// A block as reading makes one: records of every status, metadata, a reason, terms and hits.
void sample_block(koe::document_table& docs, koe::detail::normalized_part& part) {
  koe::document d;
  d.meta = {"店舗A", "5"};
  for (std::size_t i = 0; i < 5; ++i) {
    d.record = 4097 + i;
    d.line = 4098 + 2 * i;  // a quoted newline in each record
    d.id = "V-" + std::to_string(i);
    d.text = i == 3 ? "" : "配送が遅い " + std::to_string(i);
    d.timestamp = i == 1 ? "" : "2026-11-0" + std::to_string(i + 1);
    d.status = i == 3 ? koe::record_status::empty : koe::record_status::kept;
    docs.push_back(d);
  }
  docs.set_status(4, koe::record_status::rejected);
  docs.set_reason(4, "line 4106: invalid UTF-8 byte sequence <FF> in field 2 (text)");
  part.rows = {0, 1, 2};
  part.blank = {3};
  part.hashes = {11, 22, 33};
  part.hit_rows = {1};
  part.hit_phrases = {0};
  part.terms = koe::term_table({{"配送", "遅い"}, {"遅い"}, {"配送", "返品", "配送"}});
}

// The block of `sample_block`, encoded.
std::string sample_bytes() {
  koe::document_table docs;
  koe::detail::normalized_part part;
  sample_block(docs, part);
  return koe::detail::encode_block(docs, part);
}

}  // namespace

TEST(Detail, BlockHandedToAnotherProcessArrivesWhole) {
  koe::document_table docs;
  koe::detail::normalized_part part;
  sample_block(docs, part);
  const std::string bytes = sample_bytes();

  koe::document_table got;
  koe::detail::normalized_part back;
  koe::detail::decode_block(bytes, got, back);
  ASSERT_EQ(got.size(), docs.size());
  ASSERT_EQ(got.meta_size(), 2U);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const koe::document a = docs[i].to_document(), b = got[i].to_document();
    EXPECT_EQ(a.record, b.record);
    EXPECT_EQ(a.line, b.line);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.timestamp, b.timestamp);
    EXPECT_EQ(a.meta, b.meta);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
  }
  EXPECT_EQ(back.rows, part.rows);
  EXPECT_EQ(back.blank, part.blank);
  EXPECT_EQ(back.hashes, part.hashes);
  EXPECT_EQ(back.hit_rows, part.hit_rows);
  EXPECT_EQ(back.hit_phrases, part.hit_phrases);
  // The same terms in the same order of first appearance, so that appending gives the same ids.
  EXPECT_EQ(back.terms.terms(), part.terms.terms());
  EXPECT_EQ(back.terms.to_rows(), part.terms.to_rows());
  // Encoding what was decoded gives the same bytes.
  EXPECT_EQ(koe::detail::encode_block(got, back), bytes);
}

TEST(Detail, BlockWithNothingButRecordsArrivesWhole) {
  // A block of rejected records only: every list of the part is empty.
  koe::document_table docs;
  koe::document d;
  d.record = 1;
  d.line = 2;
  d.status = koe::record_status::rejected;
  d.reason = "line 2: NUL character in text";
  docs.push_back(d);
  const koe::detail::normalized_part part;
  const std::string bytes = koe::detail::encode_block(docs, part);
  koe::document_table got;
  koe::detail::normalized_part back;
  koe::detail::decode_block(bytes, got, back);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].reason, d.reason);
  EXPECT_TRUE(back.rows.empty() && back.blank.empty() && back.hashes.empty());
  EXPECT_EQ(back.terms.rows(), 0U);
  EXPECT_EQ(koe::detail::encode_block(got, back), bytes);
}

TEST(Detail, DamagedBlockIsRefusedNotMisread) {
  const std::string bytes = sample_bytes();
  koe::document_table got;
  koe::detail::normalized_part back;
  for (const std::size_t cut : {std::size_t{0}, std::size_t{7}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(koe::detail::decode_block(std::string_view(bytes).substr(0, cut), got, back),
                 koe::error)
        << "cut at " << cut;
  EXPECT_THROW(koe::detail::decode_block(bytes + "x", got, back), koe::error);
  std::string other = bytes;
  other[0] ^= 1;
  EXPECT_THROW(koe::detail::decode_block(other, got, back), koe::error);
}

TEST(Detail, FailureHandedOverIsThrownAgainWithItsCodeAndMessage) {
  const std::string what = "voices.csv:5002: invalid UTF-8 byte sequence <FF> in field 2 (text)";
  const std::string bytes = koe::detail::encode_failure(
      std::make_exception_ptr(koe::error(koe::errc::malformed_record, what)));
  try {
    koe::detail::throw_failure(bytes);
    FAIL() << "no exception";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::malformed_record);
    EXPECT_EQ(std::string(e.what()), what);
  }
  const std::string plain =
      koe::detail::encode_failure(std::make_exception_ptr(std::runtime_error("out of disk")));
  try {
    koe::detail::throw_failure(plain);
    FAIL() << "no exception";
  } catch (const koe::error&) {
    FAIL() << "a plain exception came back as a koe::error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "out of disk");
  }
}
