// The fitted model: what a run learned, kept apart from the per-row results, equal across thread
// counts and reading paths, and different when the fit is.
#include <koe/io.hpp>
#include <koe/model.hpp>
#include <koe/pipeline.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";

koe::pipeline_options options(int k, int threads, int lsa = 0) {
  koe::pipeline_options o;
  o.cluster.k = k;
  o.cluster.seed = 11;
  o.threads = threads;
  o.lsa_dimensions = lsa;
  return o;
}

TEST(Model, HoldsWhatTheFitLearnedAndNothingPerRow) {
  koe::pipeline p(options(6, 2));
  const koe::analysis_result r = p.run(sample);
  const koe::model& m = r.fitted;
  ASSERT_TRUE(m.fitted());
  EXPECT_FALSE(m.dictionary.empty());
  EXPECT_EQ(m.normalization, p.options().normalize);
  EXPECT_EQ(m.tokenizer, p.options().tokenize);
  EXPECT_EQ(m.clustering, p.options().cluster);
  EXPECT_EQ(m.description, p.options().describe);
  // The vocabulary is the columns of the TF-IDF rows, with one df and one idf per term.
  EXPECT_EQ(static_cast<Eigen::Index>(m.vectorizer.vocabulary.size()), r.tfidf.rows.cols());
  EXPECT_EQ(m.vectorizer.df.size(), m.vectorizer.vocabulary.size());
  EXPECT_EQ(m.vectorizer.idf.size(), m.vectorizer.vocabulary.size());
  EXPECT_EQ(m.vectorizer.documents, r.row_document.size());
  // One unit centroid per cluster over the vocabulary, and the cluster table from describe.
  EXPECT_EQ(m.centroids.rows(), 6);
  EXPECT_EQ(m.centroids.cols(), r.tfidf.rows.cols());
  for (Eigen::Index c = 0; c < m.centroids.rows(); ++c)
    EXPECT_NEAR(m.centroids.row(c).norm(), 1.0f, 1e-4f);
  ASSERT_EQ(m.clusters.size(), r.descriptions.size());
  for (std::size_t c = 0; c < m.clusters.size(); ++c) {
    EXPECT_EQ(m.clusters[c].id, r.descriptions[c].id);
    EXPECT_EQ(m.clusters[c].label, r.descriptions[c].label);
    EXPECT_EQ(m.clusters[c].size, r.descriptions[c].size);
    ASSERT_FALSE(m.clusters[c].key_terms.empty());
    EXPECT_EQ(m.clusters[c].key_terms.front(), r.descriptions[c].terms.front().term);
  }
  // No LSA here; no k curve for a fixed k. The run's own copies were moved, not duplicated.
  EXPECT_EQ(m.lsa.dimensions, 0);
  EXPECT_EQ(m.lsa_basis.size(), 0);
  EXPECT_TRUE(m.k_curve.empty());
  EXPECT_EQ(r.clusters.centroids.size(), 0);
  EXPECT_TRUE(r.tfidf.model.vocabulary.empty());
}

TEST(Model, TheSameFitForAnyThreadCountAndEitherReadingPath) {
  const koe::analysis_result one = koe::pipeline(options(0, 1)).run(sample);
  const koe::analysis_result two = koe::pipeline(options(0, 2)).run(sample);
  const koe::analysis_result read_first =
      koe::pipeline(options(0, 2)).run(koe::read_corpus(sample, {}));
  ASSERT_FALSE(one.fitted.k_curve.empty());  // -k auto keeps its curve in the model
  EXPECT_TRUE(one.fitted == two.fitted);
  EXPECT_TRUE(one.fitted == read_first.fitted);
}

TEST(Model, KeepsTheLsaBasisWhenTheFitReduced) {
  const koe::analysis_result r = koe::pipeline(options(5, 2, 20)).run(sample);
  const koe::model& m = r.fitted;
  EXPECT_EQ(m.lsa.dimensions, 20);
  EXPECT_EQ(m.lsa.seed, 11u);
  EXPECT_EQ(static_cast<std::size_t>(m.lsa_basis.rows()), m.vectorizer.vocabulary.size());
  EXPECT_EQ(m.lsa_basis.cols(), 20);
  EXPECT_EQ(m.centroids.cols(), 20);
  // Projecting the fitted rows through the basis lands each near its cluster's own centroid far
  // more often than not (the basis is the space the centroids live in).
  const koe::dense_matrix x = koe::project_lsa(r.tfidf.rows, m.lsa_basis);
  std::size_t agree = 0, clustered = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const auto a = r.clusters.assignment[static_cast<std::size_t>(i)];
    if (a < 0) continue;
    ++clustered;
    Eigen::Index best = 0;
    (m.centroids * x.row(i).transpose()).maxCoeff(&best);
    agree += best == a ? 1 : 0;
  }
  ASSERT_GT(clustered, 0u);
  EXPECT_GT(static_cast<double>(agree) / static_cast<double>(clustered), 0.9);
}

TEST(Model, CopiesCompareEqualAndEachPartCounts) {
  const koe::analysis_result r = koe::pipeline(options(4, 2)).run(sample);
  const koe::model& m = r.fitted;
  koe::model c = m;
  EXPECT_TRUE(c == m);
  c.dictionary += "x";
  EXPECT_FALSE(c == m);
  c = m;
  c.normalization.remove_emoji = !c.normalization.remove_emoji;
  EXPECT_FALSE(c == m);
  c = m;
  c.tokenizer.extra_stopwords.push_back("x");
  EXPECT_FALSE(c == m);
  c = m;
  c.vectorizer.idf[0] += 1.0f;
  EXPECT_FALSE(c == m);
  c = m;
  c.centroids(0, 0) += 1.0f;
  EXPECT_FALSE(c == m);
  c = m;
  c.centroids.conservativeResize(c.centroids.rows() - 1, Eigen::NoChange);
  EXPECT_FALSE(c == m);  // another shape is unequal, not an assertion
  c = m;
  c.lsa_basis = koe::dense_matrix::Zero(2, 2);
  EXPECT_FALSE(c == m);
  c = m;
  c.clusters[0].label += "x";
  EXPECT_FALSE(c == m);
  c = m;
  c.clustering.seed += 1;
  EXPECT_FALSE(c == m);
  c = m;
  c.k_curve.push_back({2, 0.5});
  EXPECT_FALSE(c == m);
}

TEST(Model, AnotherSeedIsAnotherFit) {
  koe::pipeline_options o = options(6, 2);
  const koe::analysis_result a = koe::pipeline(o).run(sample);
  o.cluster.seed = 12;
  o.cluster.n_init = 1;
  const koe::analysis_result b = koe::pipeline(o).run(sample);
  EXPECT_FALSE(a.fitted == b.fitted);
  // The vocabulary does not depend on the seed.
  EXPECT_TRUE(a.fitted.vectorizer == b.fitted.vectorizer);
}

TEST(Model, AnEmptyModelIsNotFitted) {
  const koe::model m;
  EXPECT_FALSE(m.fitted());
  EXPECT_TRUE(m == koe::model{});
}

}  // namespace
