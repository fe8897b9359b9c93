#include <koe/cluster.hpp>
#include <koe/error.hpp>
#include <koe/vectorize.hpp>

#include "reference_lloyd.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using docs_t = std::vector<std::vector<std::string>>;

// Adjusted Rand index between two labelings (noise, -1, counts as its own label).
double adjusted_rand(const std::vector<int>& a, const std::vector<std::int32_t>& b) {
  std::map<std::pair<int, int>, double> n_ab;
  std::map<int, double> n_a, n_b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ++n_ab[{a[i], b[i]}];
    ++n_a[a[i]];
    ++n_b[b[i]];
  }
  auto c2 = [](double x) { return x * (x - 1) / 2; };
  double s_ab = 0, s_a = 0, s_b = 0;
  for (const auto& [k, v] : n_ab)
    s_ab += c2(v);
  for (const auto& [k, v] : n_a)
    s_a += c2(v);
  for (const auto& [k, v] : n_b)
    s_b += c2(v);
  const double expected = s_a * s_b / c2(static_cast<double>(a.size()));
  const double max = (s_a + s_b) / 2;
  return (s_ab - expected) / (max - expected);
}

// Planted groups: each document takes 3-5 words from its group's own vocabulary and sometimes
// one shared word, so groups are separable but not trivially disjoint.
docs_t planted(int groups, int per_group, std::vector<int>& truth, unsigned seed = 1) {
  docs_t docs;
  unsigned x = seed;
  auto next = [&] {
    x = x * 1103515245u + 12345u;
    return (x >> 16) & 0x7fff;
  };
  for (int g = 0; g < groups; ++g) {
    for (int i = 0; i < per_group; ++i) {
      std::vector<std::string> d;
      const int len = 3 + static_cast<int>(next() % 3);
      for (int t = 0; t < len; ++t)
        d.push_back("g" + std::to_string(g) + "w" + std::to_string(next() % 8));
      if (next() % 4 == 0) d.push_back("shared" + std::to_string(next() % 3));
      docs.push_back(std::move(d));
      truth.push_back(g);
    }
  }
  return docs;
}

TEST(Cluster, RecoversPlantedGroupsExactly) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(6, 60, truth));
  koe::cluster_options o;
  o.k = 6;
  o.seed = 3;
  const auto c = koe::cluster(m.rows, o);
  EXPECT_EQ(c.k, 6);
  EXPECT_DOUBLE_EQ(adjusted_rand(truth, c.assignment), 1.0);
}

TEST(Cluster, CentroidsHaveUnitLength) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(4, 30, truth));
  const auto c = koe::cluster(m.rows, {.k = 4});
  for (Eigen::Index i = 0; i < c.centroids.rows(); ++i)
    EXPECT_NEAR(c.centroids.row(i).norm(), 1.0f, 1e-5f);
}

TEST(Cluster, ClustersAreNumberedLargestFirst) {
  std::vector<int> truth;
  docs_t docs = planted(3, 20, truth);
  std::vector<int> more;
  const docs_t big = planted(1, 50, more, 9);
  docs.insert(docs.end(), big.begin(), big.end());  // group 0 again, now 70 voices
  const auto m = koe::vectorize(docs);
  const auto c = koe::cluster(m.rows, {.k = 3});
  std::vector<int> sizes(3, 0);
  for (auto a : c.assignment)
    ++sizes[static_cast<std::size_t>(a)];
  EXPECT_GE(sizes[0], sizes[1]);
  EXPECT_GE(sizes[1], sizes[2]);
}

TEST(Cluster, BitIdenticalForAnyThreadCount) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(12, 400, truth));
  for (int merge : {1, 3}) {
    koe::cluster_options o;
    o.k = 12;
    o.seed = 42;
    o.merge_factor = merge;
    koe::clustering reference;
    tbb::task_arena(1).execute([&] { reference = koe::cluster(m.rows, o); });
    for (int threads : {2, 8}) {
      koe::clustering c;
      tbb::task_arena(threads).execute([&] { c = koe::cluster(m.rows, o); });
      EXPECT_EQ(c.assignment, reference.assignment) << threads << " threads";
      EXPECT_EQ(c.similarity, reference.similarity) << threads << " threads";
      EXPECT_TRUE(c.centroids == reference.centroids) << threads << " threads";
      EXPECT_EQ(c.objective, reference.objective);
    }
  }
}

// koe's silhouette against scikit-learn's on the same rows, computed with
//   sklearn.metrics.silhouette_score(X[sample], labels[sample], metric="cosine")
// (scikit-learn 1.2, values printed with repr()). koe takes unit rows; scikit-learn normalizes
// them itself. A singleton cluster counts 0 in both; koe leaves noise rows (-1) out entirely.
TEST(Cluster, SilhouetteMatchesScikitLearnWithCosineDistance) {
  const std::vector<std::vector<float>> x = {{3, 1, 0, 0}, {4, 1, 1, 0}, {2, 0, 1, 0}, {0, 3, 1, 0},
                                             {1, 4, 0, 1}, {0, 2, 0, 0}, {0, 0, 1, 3}, {1, 0, 0, 4},
                                             {0, 1, 2, 2}, {5, 5, 5, 5}};
  std::vector<Eigen::Triplet<float>> entries;
  for (std::size_t i = 0; i < x.size(); ++i) {
    float norm = 0;
    for (float v : x[i])
      norm += v * v;
    for (std::size_t j = 0; j < x[i].size(); ++j)
      if (x[i][j] != 0)
        entries.emplace_back(static_cast<int>(i), static_cast<int>(j), x[i][j] / std::sqrt(norm));
  }
  koe::sparse_matrix rows(static_cast<Eigen::Index>(x.size()), 4);
  rows.setFromTriplets(entries.begin(), entries.end());
  const std::vector<std::size_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<std::int32_t> three = {0, 0, 0, 1, 1, 1, 2, 2, 2, 1};
  EXPECT_NEAR(koe::silhouette(rows, three, all), 0.6707429579468328, 1e-6);
  EXPECT_NEAR(koe::silhouette(rows, three, {0, 2, 3, 4, 6, 7, 9}), 0.6685803718484122, 1e-6);
  const std::vector<std::int32_t> singleton = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3};
  EXPECT_NEAR(koe::silhouette(rows, singleton, all), 0.548559489997889, 1e-6);
  const std::vector<std::int32_t> noise = {0, 0, 0, 1, 1, 1, 2, 2, 2, -1};
  EXPECT_NEAR(koe::silhouette(rows, noise, all), 0.8319086262781933, 1e-6);
}

TEST(Cluster, DifferentSeedsCanDifferButSameSeedRepeats) {
  // Five clusters over eight planted groups: where the centres start decides which groups share
  // one, so some seed among eight must land elsewhere than seed 1.
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(8, 50, truth));
  const koe::cluster_options one{.k = 5, .n_init = 1, .seed = 1};
  const auto a = koe::cluster(m.rows, one);
  const auto b = koe::cluster(m.rows, one);
  EXPECT_EQ(a.assignment, b.assignment);
  EXPECT_EQ(a.objective, b.objective);
  int differing = 0;
  for (std::uint64_t seed = 2; seed <= 8; ++seed) {
    auto o = one;
    o.seed = seed;
    const auto c = koe::cluster(m.rows, o);
    differing += c.assignment != a.assignment ? 1 : 0;
  }
  EXPECT_GT(differing, 0) << "every seed gave seed 1's clusters";
}

// `groups` distinct unit rows (each leaning on its neighbour's axis), every one repeated
// `copies` times, interleaved: row i is a copy of group i % groups.
koe::dense_matrix duplicated_rows(int groups, int copies) {
  koe::dense_matrix m = koe::dense_matrix::Zero(groups * copies, groups);
  for (int i = 0; i < groups * copies; ++i) {
    m(i, i % groups) = 1.0f;
    m(i, (i + 1) % groups) = 0.3f;
    m.row(i).normalize();
  }
  return m;
}

// Checks a clustering of duplicated_rows: every cluster non-empty and holding exactly one group,
// so every row is its centroid (the best objective there is), and the same at any thread count.
void expect_one_group_per_cluster(const koe::dense_matrix& m, const koe::cluster_options& o,
                                  int groups) {
  koe::clustering reference;
  tbb::task_arena(1).execute([&] { reference = koe::cluster(m, o); });
  ASSERT_EQ(reference.k, o.k);
  std::vector<int> size(static_cast<std::size_t>(o.k), 0);
  std::map<int, std::int32_t> cluster_of_group;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    const std::int32_t c = reference.assignment[static_cast<std::size_t>(i)];
    ASSERT_GE(c, 0) << "row " << i;
    ++size[static_cast<std::size_t>(c)];
    const auto [at, fresh] = cluster_of_group.emplace(static_cast<int>(i % groups), c);
    EXPECT_EQ(at->second, c) << "group " << i % groups << " is split";
  }
  for (int c = 0; c < o.k; ++c)
    EXPECT_GT(size[static_cast<std::size_t>(c)], 0) << "cluster " << c << " is empty";
  EXPECT_NEAR(reference.objective, static_cast<double>(m.rows()), 1e-3 * m.rows());
  for (const int threads : {2, 4}) {
    koe::clustering c;
    tbb::task_arena(threads).execute([&] { c = koe::cluster(m, o); });
    EXPECT_EQ(c.assignment, reference.assignment) << threads << " threads";
    EXPECT_TRUE(c.centroids == reference.centroids) << threads << " threads";
    EXPECT_EQ(c.objective, reference.objective) << threads << " threads";
  }
}

TEST(Cluster, GreedySeedingOfDuplicatedRowsPicksEveryDistinctRow) {
  // As many clusters as distinct rows, each repeated forty times: once a copy of a row is a
  // centre, its copies add nothing to the potential, so the seeds land on ten distinct rows.
  const auto m = duplicated_rows(10, 40);
  for (const std::uint64_t seed : {1, 2, 3})
    expect_one_group_per_cluster(m, {.k = 10, .n_init = 1, .seed = seed}, 10);
}

TEST(Cluster, EmptyClustersAreReseededWithTheFarthestRows) {
  // Seeding from six rows cannot find ten distinct centres: some seeds repeat, their clusters
  // come out empty after the first pass, and only re-seeding them from the rows farthest from
  // their centroids gives every group a cluster.
  const auto m = duplicated_rows(10, 40);
  for (const std::uint64_t seed : {1, 2, 3})
    expect_one_group_per_cluster(m, {.k = 10, .n_init = 1, .seed = seed, .seed_sample = 6}, 10);
}

TEST(Cluster, AutomaticKFindsThePlantedNumberOnSeparatedData) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(7, 40, truth));
  koe::cluster_options o;
  o.k = 0;
  o.k_min = 2;
  o.k_max = 15;
  const auto c = koe::cluster(m.rows, o);
  EXPECT_EQ(c.k, 7);
  EXPECT_EQ(c.k_curve.size(), 14u);
  EXPECT_DOUBLE_EQ(adjusted_rand(truth, c.assignment), 1.0);
}

TEST(Cluster, ZeroRowsAreNoiseWithReason) {
  std::vector<int> truth;
  docs_t docs = planted(3, 20, truth);
  docs.push_back({});
  docs.push_back({"unseen_only_once"});
  const auto m = koe::vectorize(docs);
  const auto c = koe::cluster(m.rows, {.k = 3});
  const std::size_t n = docs.size();
  EXPECT_EQ(c.assignment[n - 1], -1);
  EXPECT_EQ(c.assignment[n - 2], -1);
  EXPECT_EQ(c.noise[n - 1], koe::noise_reason::no_terms);
  EXPECT_EQ(c.noise[0], koe::noise_reason::none);
}

TEST(Cluster, LowSimilarityRowsBecomeNoise) {
  std::vector<int> truth;
  docs_t docs = planted(3, 30, truth);
  // Mostly words of its own, seen twice so they survive min_df, plus one of group 0.
  docs.push_back({"odd1", "odd2", "odd3", "odd4", "odd5", "odd6", "g0w1"});
  docs.push_back({"odd1", "odd2", "odd3", "odd4", "odd5", "odd6", "odd7"});
  docs.push_back({"odd7"});
  const auto m = koe::vectorize(docs);
  koe::cluster_options o;
  o.k = 3;
  o.min_similarity = 0.2;
  const auto c = koe::cluster(m.rows, o);
  bool any = false;
  for (std::size_t i = 0; i < c.noise.size(); ++i)
    if (c.noise[i] == koe::noise_reason::low_similarity) {
      any = true;
      EXPECT_EQ(c.assignment[i], -1);
      EXPECT_LT(c.similarity[i], 0.2f);
    }
  EXPECT_TRUE(any);
}

TEST(Cluster, OverClusteringMergesBackToK) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(5, 60, truth));
  koe::cluster_options o;
  o.k = 5;
  o.merge_factor = 3;
  const auto c = koe::cluster(m.rows, o);
  EXPECT_EQ(c.k, 5);
  EXPECT_EQ(c.centroids.rows(), 5);
  EXPECT_DOUBLE_EQ(adjusted_rand(truth, c.assignment), 1.0);
}

TEST(Cluster, MoreClustersThanRowsIsCapped) {
  const auto m = koe::vectorize({{"a", "b"}, {"a", "b"}, {"c", "d"}, {"c", "d"}});
  const auto c = koe::cluster(m.rows, {.k = 10});
  EXPECT_LE(c.k, 4);
}

TEST(Cluster, AllZeroMatrixIsAnEmptyCorpusError) {
  const auto m = koe::vectorize({{"a"}, {"b"}});  // min_df = 2 removes everything
  try {
    (void)koe::cluster(m.rows, {.k = 2});
    FAIL();
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::empty_corpus);
  }
}

TEST(Cluster, LsaRowsAreUnitLengthAndClusterTheSameGroups) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(4, 50, truth));
  const koe::dense_matrix r = koe::reduce_lsa(m.rows, {.dimensions = 8});
  EXPECT_EQ(r.cols(), 8);
  for (Eigen::Index i = 0; i < r.rows(); ++i)
    EXPECT_NEAR(r.row(i).norm(), 1.0f, 1e-4f);
  const auto c = koe::cluster(r, {.k = 4});
  EXPECT_DOUBLE_EQ(adjusted_rand(truth, c.assignment), 1.0);
}

TEST(Cluster, LsaIsBitIdenticalForAnyThreadCount) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(6, 300, truth));
  koe::dense_matrix reference, other;
  tbb::task_arena(1).execute([&] { reference = koe::reduce_lsa(m.rows, {.dimensions = 10}); });
  tbb::task_arena(4).execute([&] { other = koe::reduce_lsa(m.rows, {.dimensions = 10}); });
  EXPECT_TRUE(reference == other);
}

TEST(Cluster, LsaBasisMapsTheFittedRowsBackToTheirReduction) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(5, 40, truth));
  // Enough dimensions to keep the matrix's whole rank, so the basis reproduces every row.
  const koe::lsa_options o{.dimensions = static_cast<int>(m.rows.cols())};
  const koe::lsa_fit fit = koe::fit_lsa(m.rows, o);
  EXPECT_TRUE(fit.rows == koe::reduce_lsa(m.rows, o));
  ASSERT_EQ(fit.basis.rows(), m.rows.cols());
  ASSERT_EQ(fit.basis.cols(), fit.rows.cols());
  const koe::dense_matrix projected = koe::project_lsa(m.rows, fit.basis);
  ASSERT_EQ(projected.rows(), fit.rows.rows());
  for (Eigen::Index i = 0; i < projected.rows(); ++i)
    EXPECT_GT(projected.row(i).dot(fit.rows.row(i)), 0.999f) << "row " << i;
  // A row of the wrong width is an error, not a silent mismatch.
  EXPECT_THROW((void)koe::project_lsa(m.rows, koe::dense_matrix::Zero(3, 2)), koe::error);
}

TEST(Cluster, SilhouetteIsHighForSeparatedGroups) {
  std::vector<int> truth;
  const auto m = koe::vectorize(planted(3, 30, truth));
  const auto c = koe::cluster(m.rows, {.k = 3});
  std::vector<std::size_t> all(truth.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  EXPECT_GT(koe::silhouette(m.rows, c.assignment, all), 0.2);
  std::vector<std::int32_t> shuffled(c.assignment.size());
  for (std::size_t i = 0; i < shuffled.size(); ++i)
    shuffled[i] = static_cast<std::int32_t>(i % 3);
  EXPECT_LT(koe::silhouette(m.rows, shuffled, all), 0.05);
}

// The fast path (term-major centroid table, vector kernel, sums kept across iterations, threads)
// must land where the plain algorithm lands from the same start. Both number clusters by their
// starting centroid here: a started run keeps that order except for sorting by size, so the
// comparison goes through the adjusted Rand index, which ignores numbering.
TEST(Cluster, FastPathMatchesAPlainLloydFromTheSameStart) {
  std::vector<int> truth;
  const docs_t docs = planted(6, 150, truth, 11);
  const koe::sparse_matrix m = koe::vectorize(docs).rows;
  // Deliberately poor start: rows 0..5 all come from the first two groups.
  const std::size_t k = 6;
  koe::dense_matrix init = koe::dense_matrix::Zero(static_cast<Eigen::Index>(k), m.cols());
  std::vector<std::vector<double>> start(k,
                                         std::vector<double>(static_cast<std::size_t>(m.cols())));
  for (std::size_t c = 0; c < k; ++c) {
    const auto row = static_cast<Eigen::Index>(c * 37 % 300);
    for (koe::sparse_matrix::InnerIterator e(m, row); e; ++e) {
      init(static_cast<Eigen::Index>(c), e.col()) = e.value();
      start[c][static_cast<std::size_t>(e.col())] = e.value();
    }
  }
  koe::cluster_options o;
  o.init = init;
  o.tol = 0;  // both run until no row moves
  o.max_iter = 300;
  const std::vector<std::int32_t> expected = koe::test::reference_lloyd(m, start, o.max_iter);
  std::vector<int> plain(expected.begin(), expected.end());
  for (int threads : {1, 2}) {
    koe::clustering c;
    tbb::task_arena(threads).execute([&] { c = koe::cluster(m, o); });
    EXPECT_DOUBLE_EQ(adjusted_rand(plain, c.assignment), 1.0) << threads << " threads";
  }
  // And the start matters: this one does not find all six planted groups.
  EXPECT_LT(adjusted_rand(truth, expected), 0.999);
}

// Overlapping groups of rows with entries of any size (not unit rows), signed or not: many rows
// lie near a boundary between clusters, and centroids keep moving for many passes.
koe::sparse_matrix overlapping_rows(bool signed_values, unsigned seed) {
  constexpr int n = 12000, dims = 400, groups = 10, own_terms = 40;
  std::mt19937 r(seed);
  std::vector<Eigen::Triplet<float, std::int32_t>> t;
  for (int i = 0; i < n; ++i) {
    const int g = i % groups;
    std::map<int, float> row;
    const int entries = 3 + static_cast<int>(r() % 8);
    for (int e = 0; e < entries; ++e) {
      // Most entries from the group's own columns, which overlap the next group's by half.
      const int col = r() % 10 < 7 ? (g * own_terms / 2 + static_cast<int>(r() % own_terms)) % dims
                                   : static_cast<int>(r() % dims);
      float v = 0.25f + static_cast<float>(r() % 1000) / 250.0f;
      if (signed_values && r() % 4 == 0) v = -v;
      row[col] = v;
    }
    for (const auto& [col, v] : row)
      t.emplace_back(i, col, v);
  }
  koe::sparse_matrix m(n, dims);
  m.setFromTriplets(t.begin(), t.end());
  return m;
}

TEST(Cluster, RowsThatThePassesSkipEndWhereFullPassesPutThem) {
  // A pass skips the rows that its bounds show cannot change cluster; the result must be the
  // plain Lloyd's, pass for pass. Both kinds of bounds (entries of one sign, and of any sign)
  // over rows longer than unit length.
  for (const bool signed_values : {false, true}) {
    const koe::sparse_matrix m = overlapping_rows(signed_values, 5);
    const std::size_t k = 30;
    koe::dense_matrix init = koe::dense_matrix::Zero(static_cast<Eigen::Index>(k), m.cols());
    std::vector<std::vector<double>> start(k,
                                           std::vector<double>(static_cast<std::size_t>(m.cols())));
    for (std::size_t c = 0; c < k; ++c)
      for (koe::sparse_matrix::InnerIterator e(m, static_cast<Eigen::Index>(c * 397)); e; ++e) {
        init(static_cast<Eigen::Index>(c), e.col()) = e.value();
        start[c][static_cast<std::size_t>(e.col())] = e.value();
      }
    koe::cluster_options o;
    o.init = init;
    o.tol = 0;
    o.min_similarity = -2;  // signed rows may be least unlike a centroid and still negative
    // After a few passes (a skipped row that should have moved would show there, before later
    // passes could mend it) and at the end.
    for (const int passes : {2, 3, 4, 5, 6, 7, 8, 10, 12, 300}) {
      o.max_iter = passes;
      const std::vector<std::int32_t> expected = koe::test::reference_lloyd(m, start, passes);
      for (int threads : {1, 2}) {
        koe::clustering c;
        tbb::task_arena(threads).execute([&] { c = koe::cluster(m, o); });
        if (passes == 300) {
          EXPECT_GT(c.iterations, 8) << "too few passes to use the bounds";
        }
        EXPECT_DOUBLE_EQ(
            adjusted_rand(std::vector<int>(expected.begin(), expected.end()), c.assignment), 1.0)
            << (signed_values ? "signed" : "nonnegative") << ", " << passes << " passes, "
            << threads << " threads";
      }
    }
  }
}

TEST(Cluster, InitialCentroidsMustMatchTheColumns) {
  std::vector<int> truth;
  const koe::sparse_matrix m = koe::vectorize(planted(2, 20, truth)).rows;
  koe::cluster_options o;
  o.init = koe::dense_matrix::Ones(2, m.cols() + 1);
  EXPECT_THROW((void)koe::cluster(m, o), koe::error);
  o.init = koe::dense_matrix::Ones(2, m.cols());
  o.k = 3;
  EXPECT_THROW((void)koe::cluster(m, o), koe::error);
}

}  // namespace
