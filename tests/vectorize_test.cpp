#include <koe/error.hpp>
#include <koe/vectorize.hpp>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using docs_t = std::vector<std::vector<std::string>>;

float at(const koe::tfidf_matrix& m, int row, const std::string& term) {
  const auto it = m.model.index.find(term);
  if (it == m.model.index.end()) return 0.0f;
  return m.rows.coeff(row, it->second);
}

TEST(Vectorize, MovingTheResultKeepsTheMatrixArrays) {
  // A move that copied the sparse arrays would double the largest allocation of a run.
  koe::vectorize_options o;
  o.min_df = {1, false};
  koe::tfidf_matrix m = koe::vectorize({{"a", "b"}, {"b", "c"}, {"c", "a"}}, o);
  const float* values = m.rows.valuePtr();
  ASSERT_NE(values, nullptr);
  koe::tfidf_matrix moved(std::move(m));
  EXPECT_EQ(moved.rows.valuePtr(), values);
  koe::tfidf_matrix assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.rows.valuePtr(), values);
  EXPECT_EQ(assigned.rows.nonZeros(), 6);
}

TEST(Vectorize, VocabularyIsSortedByCodePoint) {
  koe::vectorize_options o;
  o.min_df = {1, false};
  const auto m = koe::vectorize({{"配送", "遅い"}, {"配送", "早い"}, {"app"}}, o);
  EXPECT_EQ(m.model.vocabulary, (std::vector<std::string>{"app", "早い", "遅い", "配送"}));
}

TEST(Vectorize, TfidfMatchesAHandComputation) {
  // n = 3; df(a) = 2, df(b) = 1, df(c) = 1. Smooth idf: ln(4/3)+1, ln(2)+1. Raw tf.
  koe::vectorize_options o;
  o.min_df = {1, false};
  o.sublinear_tf = false;
  const auto m = koe::vectorize({{"a", "a", "b"}, {"a"}, {"c"}}, o);
  const double ia = std::log(4.0 / 3.0) + 1.0, ib = std::log(2.0) + 1.0;
  const double x = 2 * ia, y = ib, norm = std::sqrt(x * x + y * y);
  EXPECT_NEAR(at(m, 0, "a"), x / norm, 1e-6);
  EXPECT_NEAR(at(m, 0, "b"), y / norm, 1e-6);
  EXPECT_NEAR(at(m, 1, "a"), 1.0, 1e-6);
  EXPECT_NEAR(m.model.idf[m.model.index.at("a")], ia, 1e-6);
}

TEST(Vectorize, SublinearTfUsesOnePlusLog) {
  koe::vectorize_options o;
  o.min_df = {1, false};
  o.normalize = false;
  o.use_idf = false;
  const auto m = koe::vectorize({{"a", "a", "a", "b"}}, o);
  EXPECT_NEAR(at(m, 0, "a"), 1.0 + std::log(3.0), 1e-6);
  EXPECT_NEAR(at(m, 0, "b"), 1.0, 1e-6);
}

TEST(Vectorize, UnsmoothedIdfIsLogNOverDfPlusOne) {
  koe::vectorize_options o;
  o.min_df = {1, false};
  o.smooth_idf = false;
  const auto m = koe::vectorize({{"a"}, {"a", "b"}, {"c"}, {"c"}}, o);
  EXPECT_NEAR(m.model.idf[m.model.index.at("b")], std::log(4.0) + 1.0, 1e-6);
}

TEST(Vectorize, MinAndMaxDfFilterTerms) {
  koe::vectorize_options o;
  o.min_df = {2, false};
  o.max_df = {0.6, true};
  // common is in 3 of 4 documents (0.75 > 0.6), rare in 1, mid in 2.
  const auto m =
      koe::vectorize({{"common", "mid"}, {"common", "mid"}, {"common", "rare"}, {"x"}}, o);
  EXPECT_EQ(m.model.vocabulary, std::vector<std::string>{"mid"});
}

TEST(Vectorize, MaxFeaturesKeepsTheMostFrequentTerms) {
  koe::vectorize_options o;
  o.min_df = {1, false};
  o.max_features = 2;
  const auto m = koe::vectorize({{"a", "b", "b", "c", "c", "c"}, {"a"}}, o);
  // Totals: a=2, b=2, c=3; the tie between a and b keeps vocabulary order (a).
  EXPECT_EQ(m.model.vocabulary, (std::vector<std::string>{"a", "c"}));
}

TEST(Vectorize, DocumentWithoutKnownTermsIsAZeroRow) {
  const auto m = koe::vectorize({{"a"}, {"a"}, {"zzz"}, {}});
  EXPECT_EQ(m.rows.rows(), 4);
  EXPECT_EQ(m.rows.outerIndexPtr()[3] - m.rows.outerIndexPtr()[2], 0);
  EXPECT_EQ(m.rows.outerIndexPtr()[4] - m.rows.outerIndexPtr()[3], 0);
}

TEST(Vectorize, MergingShardStatisticsEqualsCountingTheWhole) {
  const docs_t all = {{"a", "b"}, {"b", "c", "c"}, {"a"}, {"d", "a"}};
  koe::term_statistics whole, left, right;
  for (const auto& d : all)
    whole.add(d);
  for (std::size_t i = 0; i < 2; ++i)
    left.add(all[i]);
  for (std::size_t i = 2; i < 4; ++i)
    right.add(all[i]);
  right.merge(left);  // order of merging does not matter
  EXPECT_EQ(right.documents, whole.documents);
  for (const auto& [term, c] : whole.terms) {
    EXPECT_EQ(right.terms.at(term).df, c.df) << term;
    EXPECT_EQ(right.terms.at(term).total, c.total) << term;
  }
}

TEST(Vectorize, ParseDfBoundTellsCountsFromFractions) {
  EXPECT_FALSE(koe::parse_df_bound("2").fraction);
  EXPECT_TRUE(koe::parse_df_bound("0.5").fraction);
  EXPECT_TRUE(koe::parse_df_bound("1.0").fraction);
  EXPECT_THROW((void)koe::parse_df_bound("abc"), koe::error);
  EXPECT_THROW((void)koe::parse_df_bound("1.5"), koe::error);
}

docs_t synthetic_docs(std::size_t n) {
  docs_t docs(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < 1 + i % 7; ++j)
      docs[i].push_back("t" + std::to_string((i * 31 + j * 17) % 997));
  return docs;
}

TEST(Vectorize, SameMatrixForAnyThreadCount) {
  const docs_t docs = synthetic_docs(20000);
  koe::tfidf_matrix reference;
  tbb::task_arena(1).execute([&] { reference = koe::vectorize(docs); });
  for (int threads : {2, 8}) {
    koe::tfidf_matrix m;
    tbb::task_arena(threads).execute([&] { m = koe::vectorize(docs); });
    EXPECT_EQ(m.model.vocabulary, reference.model.vocabulary);
    ASSERT_EQ(m.rows.nonZeros(), reference.rows.nonZeros());
    EXPECT_TRUE(std::equal(m.rows.valuePtr(), m.rows.valuePtr() + m.rows.nonZeros(),
                           reference.rows.valuePtr()));
  }
}

// The same token lists through scikit-learn's TfidfVectorizer give the same matrix.
TEST(Vectorize, MatchesScikitLearnTfidfVectorizer) {
  if (std::system("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-sklearn is not installed";
  const auto dir = std::filesystem::temp_directory_path() /
                   ("koe_vectorize_parity_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  docs_t docs = synthetic_docs(500);
  docs.push_back({"配送", "遅い", "配送"});
  docs.push_back({"配送", "アプリ"});
  docs.push_back({});
  {
    std::ofstream f(dir / "docs.txt");
    for (const auto& d : docs) {
      for (std::size_t i = 0; i < d.size(); ++i)
        f << (i ? "\t" : "") << d[i];
      f << '\n';
    }
  }
  struct variant {
    bool sublinear, smooth;
    int min_df;
  };
  for (const variant v :
       {variant{true, true, 2}, variant{false, true, 1}, variant{true, false, 1}}) {
    const std::string cmd = "/usr/bin/python3 " KOE_TEST_DIR "/tools/sklearn_tfidf.py " +
                            (dir / "docs.txt").string() + " " + (dir / "out.txt").string() + " " +
                            (v.sublinear ? "1" : "0") + " " + (v.smooth ? "1" : "0") + " " +
                            std::to_string(v.min_df);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    koe::vectorize_options o;
    o.sublinear_tf = v.sublinear;
    o.smooth_idf = v.smooth;
    o.min_df = {static_cast<double>(v.min_df), false};
    const auto m = koe::vectorize(docs, o);
    std::ifstream in(dir / "out.txt");
    std::string line;
    std::getline(in, line);  // vocabulary, tab separated
    std::vector<std::string> vocab;
    std::istringstream vs(line);
    for (std::string t; std::getline(vs, t, '\t');)
      vocab.push_back(t);
    EXPECT_EQ(vocab, m.model.vocabulary);
    std::size_t entries = 0;
    int row = 0, col = 0;
    double value = 0;
    while (in >> row >> col >> value) {
      ++entries;
      EXPECT_NEAR(m.rows.coeff(row, col), value, 1e-6) << row << "," << col;
    }
    EXPECT_EQ(entries, static_cast<std::size_t>(m.rows.nonZeros()));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
