// Cluster descriptions: c-TF-IDF weights computed by hand on a tiny corpus, labels, the
// representatives closest to the centroid, repeats shown once and counted, cohesion and share.
#include <koe/describe.hpp>
#include <koe/error.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

// Three clusters and one noise row over a hand-made vocabulary. The clustering is written by
// hand (assignment and similarity), so describe is tested on its own.
struct tiny {
  std::vector<std::vector<std::string>> terms = {
      {"配送", "遅い"},          // 0: cluster 0
      {"配送", "遅い", "箱"},    // 1: cluster 0
      {"配送", "遅い"},          // 2: cluster 0, repeats row 0
      {"アプリ", "落ちる"},      // 3: cluster 1
      {"アプリ", "重い", "箱"},  // 4: cluster 1
      {"解約"},                  // 5: noise
      {"解約", "電話"},          // 6: cluster 2
  };
  std::vector<std::string> texts = {"配送が遅い",     "配送が遅い箱",   "配送が遅い",
                                    "アプリが落ちる", "アプリが重い箱", "解約",
                                    "解約の電話"};
  koe::tfidf_model model;
  koe::clustering c;

  tiny() {
    model.vocabulary = {"アプリ", "遅い", "解約", "箱", "落ちる", "配送", "重い", "電話"};
    for (std::size_t j = 0; j < model.vocabulary.size(); ++j)
      model.index[model.vocabulary[j]] = static_cast<std::int32_t>(j);
    model.df.assign(model.vocabulary.size(), 1);
    model.idf.assign(model.vocabulary.size(), 1.0f);
    model.documents = terms.size();
    c.k = 3;
    c.assignment = {0, 0, 0, 1, 1, -1, 2};
    c.similarity = {0.9f, 0.7f, 0.95f, 0.6f, 0.8f, 0.1f, 1.0f};
  }
};

double weight_of(const koe::cluster_description& d, const std::string& term) {
  for (const auto& t : d.terms)
    if (t.term == term) return t.weight;
  return -1;
}

TEST(Describe, TermWeightsAreClassBasedTfIdfComputedByHand) {
  const tiny t;
  const auto d = koe::describe(t.terms, t.model, t.c, t.texts);
  ASSERT_EQ(d.size(), 3u);
  // Term counts per cluster (noise row 5 left out):
  //   cluster 0: 配送 3, 遅い 3, 箱 1           (7 terms)
  //   cluster 1: アプリ 2, 落ちる 1, 重い 1, 箱 1 (5 terms)
  //   cluster 2: 解約 1, 電話 1                 (2 terms)
  // All clusters: 14 terms, A = 14 / 3; f(配送) = 3, f(箱) = 2, f(解約) = 1.
  const double a = 14.0 / 3.0;
  EXPECT_NEAR(weight_of(d[0], "配送"), (3.0 / 7.0) * std::log(1.0 + a / 3.0), 1e-12);
  EXPECT_NEAR(weight_of(d[0], "箱"), (1.0 / 7.0) * std::log(1.0 + a / 2.0), 1e-12);
  EXPECT_NEAR(weight_of(d[1], "アプリ"), (2.0 / 5.0) * std::log(1.0 + a / 2.0), 1e-12);
  EXPECT_NEAR(weight_of(d[1], "箱"), (1.0 / 5.0) * std::log(1.0 + a / 2.0), 1e-12);
  EXPECT_NEAR(weight_of(d[2], "解約"), (1.0 / 2.0) * std::log(1.0 + a / 1.0), 1e-12);
  // A term of the noise row alone counts nowhere.
  EXPECT_LT(weight_of(d[0], "解約"), 0);
  // Best first; equal weights keep vocabulary order (遅い before 配送).
  ASSERT_EQ(d[0].terms.size(), 3u);
  EXPECT_EQ(d[0].terms[0].term, "遅い");
  EXPECT_EQ(d[0].terms[1].term, "配送");
  EXPECT_EQ(d[0].terms[2].term, "箱");
  EXPECT_EQ(d[0].label, "遅い・配送・箱");
}

TEST(Describe, LabelSkipsATermContainedInOneAlreadyChosen) {
  tiny t;
  t.terms = {{"ログイン画面", "ログイン", "エラー"}, {"ログイン画面", "ログイン", "エラー"}};
  t.texts = {"a", "b"};
  t.model.vocabulary = {"エラー", "ログイン", "ログイン画面"};
  t.model.index.clear();
  for (std::size_t j = 0; j < t.model.vocabulary.size(); ++j)
    t.model.index[t.model.vocabulary[j]] = static_cast<std::int32_t>(j);
  t.c.k = 1;
  t.c.assignment = {0, 0};
  t.c.similarity = {1.0f, 1.0f};
  koe::describe_options o;
  o.label_terms = 2;
  const auto d = koe::describe(t.terms, t.model, t.c, t.texts, o);
  ASSERT_EQ(d.size(), 1u);
  // All three weigh the same, so vocabulary order: エラー, ログイン, then ログイン画面, which
  // contains ログイン and is skipped.
  EXPECT_EQ(d[0].label, "エラー・ログイン");
}

TEST(Describe, RepresentativesAreClosestFirstAndEachTextOnce) {
  const tiny t;
  const auto d = koe::describe(t.terms, t.model, t.c, t.texts);
  // Cluster 0: row 2 (0.95) then row 0 (0.9, the same text as row 2, so skipped) then row 1.
  EXPECT_EQ(d[0].representatives, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(d[0].duplicates, 1u);
  EXPECT_EQ(d[1].representatives, (std::vector<std::size_t>{4, 3}));
  EXPECT_EQ(d[1].duplicates, 0u);
  koe::describe_options one;
  one.representatives = 1;
  const auto d1 = koe::describe(t.terms, t.model, t.c, t.texts, one);
  EXPECT_EQ(d1[0].representatives, (std::vector<std::size_t>{2}));
}

TEST(Describe, RepeatsAreFoundByTextHashAsByText) {
  const tiny t;
  // Hashes equal exactly where the texts are equal.
  const std::vector<std::uint64_t> hash = {11, 12, 11, 13, 14, 15, 16};
  const auto by_text = koe::describe(t.terms, t.model, t.c, t.texts);
  const auto by_hash = koe::describe(koe::term_table(t.terms), t.model, t.c, hash);
  ASSERT_EQ(by_text.size(), by_hash.size());
  for (std::size_t i = 0; i < by_text.size(); ++i) {
    EXPECT_EQ(by_text[i].duplicates, by_hash[i].duplicates);
    EXPECT_EQ(by_text[i].representatives, by_hash[i].representatives);
    EXPECT_EQ(by_text[i].label, by_hash[i].label);
  }
  EXPECT_THROW(
      (void)koe::describe(koe::term_table(t.terms), t.model, t.c, std::vector<std::uint64_t>{1, 2}),
      koe::error);
}

TEST(Describe, SizeShareAndCohesion) {
  const tiny t;
  const auto d = koe::describe(t.terms, t.model, t.c, t.texts);
  EXPECT_EQ(d[0].size, 3u);
  EXPECT_EQ(d[1].size, 2u);
  EXPECT_EQ(d[2].size, 1u);
  // Share is over every row, noise included: 3 of 7.
  EXPECT_DOUBLE_EQ(d[0].share, 3.0 / 7.0);
  // Cohesion is the mean similarity of the members to their centroid.
  EXPECT_NEAR(d[0].cohesion, (0.9 + 0.7 + 0.95) / 3.0, 1e-6);
  EXPECT_NEAR(d[1].cohesion, (0.6 + 0.8) / 2.0, 1e-6);
  EXPECT_NEAR(d[2].cohesion, 1.0, 1e-6);
  for (std::size_t i = 0; i < d.size(); ++i)
    EXPECT_EQ(d[i].id, static_cast<int>(i));
}

TEST(Describe, AnEmptyClusterHasNoTermsAndNoRepresentatives) {
  tiny t;
  t.c.k = 4;  // cluster 3 has no member
  const auto d = koe::describe(t.terms, t.model, t.c, t.texts);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[3].size, 0u);
  EXPECT_TRUE(d[3].terms.empty());
  EXPECT_TRUE(d[3].representatives.empty());
  EXPECT_EQ(d[3].label, "");
  EXPECT_EQ(d[3].cohesion, 0.0);
}

}  // namespace
