// Refitting against a previous model: the Hungarian matching, the append-only vocabulary, the
// identity on unchanged data, row order, a planted topic that leaves and comes back, the model
// file of a refit, and the command line giving the library's bytes.
#include <koe/assign.hpp>
#include <koe/decisions.hpp>
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/job.hpp>
#include <koe/lineage.hpp>
#include <koe/model_file.hpp>
#include <koe/pipeline.hpp>
#include <koe/refit.hpp>
#include <koe/score.hpp>

#include "detail/hungarian.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";
const std::string generated = KOE_TEST_DIR "/golden/generated.csv";

// Matched centroids of a refit of unchanged data agree to this cosine (Lloyd may move a voice or
// two that the first fit's tolerance stopped short of moving).
constexpr double same_centroid = 0.999;

koe::pipeline_options options(int k, std::uint64_t seed) {
  koe::pipeline_options o;
  o.cluster.k = k;
  o.cluster.seed = seed;
  o.threads = 2;
  return o;
}

// The records of `path` whose `column` is not in `drop`, renumbered; all of them when `drop` is
// empty; in reverse order with `reverse`.
koe::corpus subset(const std::string& path, const std::set<std::string>& drop, bool reverse = false,
                   const std::string& column = "topic") {
  koe::io_options io;
  io.time_column = "";
  const koe::corpus all = koe::read_corpus(path, io);
  const int col = all.meta_index(column);
  koe::corpus out;
  out.source = path;
  out.encoding = all.encoding;
  out.meta_columns = all.meta_columns;
  std::vector<koe::document> docs;
  for (std::size_t i = 0; i < all.documents.size(); ++i) {
    const koe::document_view v = all.documents[i];
    const std::string topic(col >= 0 ? v.meta[static_cast<std::size_t>(col)] : "");
    if (drop.contains(topic)) continue;
    koe::document d;
    d.id = std::string(v.id);
    d.text = std::string(v.text);
    d.meta = v.meta.to_vector();
    docs.push_back(std::move(d));
  }
  if (reverse) std::reverse(docs.begin(), docs.end());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].record = docs[i].line = i + 1;
    out.documents.push_back(docs[i]);
  }
  return out;
}

std::vector<int> ids_of(const koe::model& m) {
  std::vector<int> ids;
  for (const auto& c : m.clusters)
    ids.push_back(c.id);
  return ids;
}

// Voices per stable id: what a refit found, whatever its row order.
std::map<int, std::size_t> sizes_by_id(const koe::model& m) {
  std::map<int, std::size_t> s;
  for (const auto& c : m.clusters)
    s[c.id] = c.size;
  return s;
}

// The comparison's contingency keyed by (previous id or -1, new id or -1).
std::map<std::pair<int, int>, std::size_t> contingency_by_id(const koe::refit_comparison& c) {
  std::map<std::pair<int, int>, std::size_t> out;
  for (std::size_t i = 0; i < c.contingency.size(); ++i)
    for (std::size_t j = 0; j < c.contingency[i].size(); ++j) {
      const int before = i < c.previous_ids.size() ? c.previous_ids[i] : -1;
      const int after = j < c.ids.size() ? c.ids[j] : -1;
      if (c.contingency[i][j] > 0) out[{before, after}] = c.contingency[i][j];
    }
  return out;
}

// Each cluster of `a` with the same id in `b` has a centroid within `same_centroid` of it, in the
// columns both share.
void expect_same_centroids(const koe::model& a, const koe::model& b) {
  for (std::size_t i = 0; i < a.clusters.size(); ++i)
    for (std::size_t j = 0; j < b.clusters.size(); ++j) {
      if (a.clusters[i].id != b.clusters[j].id) continue;
      const auto n = std::min(a.centroids.cols(), b.centroids.cols());
      const double cos =
          a.centroids.row(static_cast<Eigen::Index>(i))
              .head(n)
              .cast<double>()
              .dot(b.centroids.row(static_cast<Eigen::Index>(j)).head(n).cast<double>());
      EXPECT_GE(cos, same_centroid) << "cluster " << a.clusters[i].id;
    }
}

// ---- the Hungarian method ---------------------------------------------------------------------

TEST(Hungarian, BeatsTheGreedyChoice) {
  // Greedy takes 0.9 first and is left with 0.1; the best total is 0.8 + 0.85.
  const std::vector<std::vector<double>> w = {{0.9, 0.8}, {0.85, 0.1}};
  EXPECT_EQ(koe::detail::max_weight_matching(w, 0.0), (std::vector<int>{1, 0}));
  // With a threshold above 0.1 greedy would leave row 1 alone; the matching does not.
  EXPECT_EQ(koe::detail::max_weight_matching(w, 0.5), (std::vector<int>{1, 0}));
}

TEST(Hungarian, TiesGoTheSameWayEveryTime) {
  const std::vector<std::vector<double>> w = {{0.7, 0.7}, {0.7, 0.7}};
  const std::vector<int> first = koe::detail::max_weight_matching(w, 0.5);
  EXPECT_EQ(first, (std::vector<int>{0, 1}));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(koe::detail::max_weight_matching(w, 0.5), first);
}

TEST(Hungarian, RectangularProblemsLeaveTheSurplusUnmatched) {
  // More new clusters than previous ones.
  const std::vector<std::vector<double>> tall = {{0.1, 0.9}, {0.95, 0.2}, {0.6, 0.7}};
  EXPECT_EQ(koe::detail::max_weight_matching(tall, 0.5), (std::vector<int>{1, 0, -1}));
  // More previous clusters than new ones.
  const std::vector<std::vector<double>> wide = {{0.2, 0.3, 0.9, 0.6}, {0.1, 0.8, 0.85, 0.1}};
  EXPECT_EQ(koe::detail::max_weight_matching(wide, 0.5), (std::vector<int>{2, 1}));
  EXPECT_EQ(koe::detail::max_weight_matching({}, 0.5), std::vector<int>{});
}

TEST(Hungarian, PairsBelowTheThresholdAreNeverMatched) {
  const std::vector<std::vector<double>> w = {{0.49, 0.1}, {0.2, 0.3}};
  EXPECT_EQ(koe::detail::max_weight_matching(w, 0.5), (std::vector<int>{-1, -1}));
  EXPECT_EQ(koe::detail::max_weight_matching(w, 0.3), (std::vector<int>{0, 1}));
  EXPECT_EQ(koe::match_clusters(w, 0.45), (std::vector<int>{0, -1}));
}

// ---- the vocabulary ---------------------------------------------------------------------------

TEST(RefitVocabulary, OldTermsKeepTheirIdsNewOnesAreAppendedUnusedOnesStay) {
  const koe::tfidf_model before =
      koe::vectorize({{"遅い", "配送"}, {"配送", "高い"}}, {.min_df = {1, false}}).model;
  const koe::tfidf_model period =
      koe::vectorize({{"アプリ", "配送"}, {"アプリ", "遅い"}}, {.min_df = {1, false}}).model;
  const koe::tfidf_model v = koe::extend_vocabulary(before, period);
  ASSERT_EQ(v.vocabulary.size(), 4u);
  for (std::size_t i = 0; i < before.vocabulary.size(); ++i)
    EXPECT_EQ(v.vocabulary[i], before.vocabulary[i]);
  EXPECT_EQ(v.vocabulary[3], "アプリ");
  const auto at = [&](const std::string& t) {
    return static_cast<std::size_t>(std::find(v.vocabulary.begin(), v.vocabulary.end(), t) -
                                    v.vocabulary.begin());
  };
  EXPECT_EQ(v.df[at("高い")], 0u);
  EXPECT_EQ(v.idf[at("高い")], 0.0f);
  EXPECT_FALSE(v.index.contains("高い"));
  EXPECT_EQ(v.df[at("配送")], 1u);
  EXPECT_EQ(v.index.at("アプリ"), 3);
  // The rows are a fresh fit's, columns permuted.
  const koe::sparse_matrix a = koe::transform({{"アプリ", "配送", "高い"}}, v);
  const koe::sparse_matrix b = koe::transform({{"アプリ", "配送", "高い"}}, period);
  EXPECT_EQ(a.nonZeros(), b.nonZeros());
  EXPECT_FLOAT_EQ(a.coeff(0, 3), b.coeff(0, period.index.at("アプリ")));
}

TEST(RefitVocabulary, PeriodLabels) {
  EXPECT_EQ(koe::period_label_of("2026-10-31T23:00:00+09:00", "x", 3), "2026-10");
  EXPECT_EQ(koe::period_label_of("", "秋", 3), "秋");
  EXPECT_EQ(koe::period_label_of("", "", 3), "run 3");
}

// ---- refits -----------------------------------------------------------------------------------

koe::analysis_result fit(const koe::corpus& c, const koe::pipeline_options& o) {
  return koe::pipeline(o).run(c);
}

koe::analysis_result refit(const koe::corpus& c, const koe::pipeline_options& o,
                           const koe::model& previous) {
  return koe::pipeline(o).refit(c, previous);
}

void expect_identity(const std::string& path, int k, std::uint64_t seed) {
  const koe::corpus c = subset(path, {});
  const koe::analysis_result first = fit(c, options(k, seed));
  const koe::analysis_result again = refit(c, options(0, seed), first.fitted);
  ASSERT_TRUE(again.refit.has_value());
  const koe::refit_comparison& cmp = *again.refit;
  EXPECT_EQ(ids_of(again.fitted).size(), ids_of(first.fitted).size()) << path;
  std::vector<int> a = ids_of(first.fitted), b = ids_of(again.fitted);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b) << path;
  for (std::size_t i = 0; i < cmp.match.size(); ++i) {
    ASSERT_GE(cmp.match[i], 0) << path << " cluster row " << i;
    EXPECT_EQ(cmp.previous_ids[static_cast<std::size_t>(cmp.match[i])], cmp.ids[i]);
  }
  EXPECT_TRUE(again.fitted.dormant.empty());
  EXPECT_EQ(again.fitted.next_id, first.fitted.next_id);
  EXPECT_EQ(again.fitted.vectorizer.vocabulary, first.fitted.vectorizer.vocabulary);
  EXPECT_EQ(again.fitted.fits, 2u);
  expect_same_centroids(first.fitted, again.fitted);
}

TEST(Refit, UnchangedSampleIsTheIdentity) {
  expect_identity(sample, 0, 1234);
}

TEST(Refit, UnchangedGeneratedCorpusIsTheIdentity) {
  expect_identity(generated, 12, 7);
}

TEST(Refit, AFreshFitNumbersByRowAndStartsTheChain) {
  const koe::analysis_result r = fit(subset(sample, {}), options(6, 11));
  const koe::model& m = r.fitted;
  EXPECT_FALSE(r.refit.has_value());
  for (std::size_t i = 0; i < m.clusters.size(); ++i) {
    EXPECT_EQ(m.clusters[i].id, static_cast<int>(i));
    EXPECT_EQ(r.descriptions[i].id, static_cast<int>(i));
    EXPECT_EQ(m.clusters[i].born, "run 1");
    ASSERT_EQ(m.clusters[i].history.size(), 1u);
    EXPECT_EQ(m.clusters[i].history[0].size, m.clusters[i].size);
  }
  EXPECT_EQ(m.next_id, 6);
  EXPECT_EQ(m.period, "run 1");
  EXPECT_EQ(m.fits, 1u);
}

TEST(Refit, ShuffledRowsGiveTheSameIdsAndCounts) {
  const koe::analysis_result first = fit(subset(sample, {"login"}), options(8, 11));
  const koe::analysis_result a = refit(subset(sample, {}), options(0, 11), first.fitted);
  const koe::analysis_result b = refit(subset(sample, {}, true), options(0, 11), first.fitted);
  EXPECT_EQ(sizes_by_id(a.fitted), sizes_by_id(b.fitted));
  EXPECT_EQ(contingency_by_id(*a.refit), contingency_by_id(*b.refit));
}

TEST(Refit, TheComparisonAccountsForEveryVoice) {
  const koe::analysis_result first = fit(subset(sample, {"login"}), options(8, 11));
  const koe::analysis_result r = refit(subset(sample, {}), options(0, 11), first.fitted);
  const koe::refit_comparison& c = *r.refit;
  EXPECT_EQ(c.previous_ids, ids_of(first.fitted));
  EXPECT_EQ(c.ids, ids_of(r.fitted));
  EXPECT_EQ(c.contingency.size(), c.previous_ids.size() + 1);
  std::size_t total = 0;
  for (const auto& row : c.contingency) {
    EXPECT_EQ(row.size(), c.ids.size() + 1);
    total = std::accumulate(row.begin(), row.end(), total);
  }
  EXPECT_EQ(total, r.row_document.size());
  EXPECT_EQ(c.similarity.size(), c.ids.size());
}

// A topic leaves (its cluster sleeps), another arrives (a fresh id), the first comes back (its
// old id).
TEST(Refit, APlantedTopicSleepsAndReturnsWithItsId) {
  const koe::analysis_result p1 = fit(subset(sample, {"app_crash"}), options(0, 1234));
  const koe::analysis_result p2 =
      refit(subset(sample, {"delivery_delay"}), options(0, 1234), p1.fitted);
  ASSERT_FALSE(p2.fitted.dormant.empty());
  const int slept = p2.fitted.dormant.front().id;
  EXPECT_LT(slept, p1.fitted.next_id);
  bool fresh = false;
  for (const auto& c : p2.fitted.clusters)
    fresh = fresh || c.id >= p1.fitted.next_id;
  EXPECT_TRUE(fresh) << "the arriving topic has no cluster of its own";
  const koe::analysis_result p3 = refit(subset(sample, {"app_crash"}), options(0, 1234), p2.fitted);
  bool back = false;
  for (const auto& c : p3.fitted.clusters)
    back = back || c.id == slept;
  EXPECT_TRUE(back) << "cluster " << slept << " did not come back";
  // Ids are never reused.
  EXPECT_GE(p3.fitted.next_id, p2.fitted.next_id);
}

// Every cluster of a refit and every previous active cluster is named by exactly one event, and
// the model keeps the parents its born and merged events name.
TEST(Refit, EventsNameEachClusterOnceAndTheModelKeepsTheirParents) {
  const koe::analysis_result p1 = fit(subset(sample, {"app_crash"}), options(0, 1234));
  const koe::analysis_result p2 =
      refit(subset(sample, {"delivery_delay"}), options(0, 1234), p1.fitted);
  ASSERT_TRUE(p2.refit.has_value());
  ASSERT_EQ(p2.changes, koe::lineage(*p2.refit, options(0, 1234).lineage));
  std::map<int, int> named_new, named_previous;
  for (const koe::lineage_event& e : p2.changes) {
    if (e.kind == koe::lineage_kind::dormant) {
      ++named_previous[e.id];
    } else {
      ++named_new[e.id];
    }
  }
  for (const auto& c : p2.fitted.clusters)
    EXPECT_EQ(named_new[c.id], 1) << "cluster " << c.id;
  EXPECT_EQ(named_new.size(), p2.fitted.clusters.size());
  // A cluster of the previous fit that sleeps now was named dormant (or merged) once.
  std::set<int> active_before;
  for (const auto& c : p1.fitted.clusters)
    active_before.insert(c.id);
  for (const auto& c : p2.fitted.dormant) {
    if (!active_before.contains(c.id)) continue;
    EXPECT_EQ(named_previous[c.id], 1) << "previous cluster " << c.id;
  }
  bool dormant_event = false;
  for (const koe::lineage_event& e : p2.changes)
    dormant_event = dormant_event || e.kind == koe::lineage_kind::dormant;
  EXPECT_EQ(dormant_event, !p2.fitted.dormant.empty());
  for (const koe::lineage_event& e : p2.changes) {
    if (e.kind != koe::lineage_kind::born && e.kind != koe::lineage_kind::merged) continue;
    const auto c = std::find_if(p2.fitted.clusters.begin(), p2.fitted.clusters.end(),
                                [&](const koe::model_cluster& m) { return m.id == e.id; });
    ASSERT_NE(c, p2.fitted.clusters.end());
    for (const int parent : e.parents) {
      if (parent == e.id) continue;
      EXPECT_NE(std::find(c->parents.begin(), c->parents.end(), parent), c->parents.end())
          << "cluster " << e.id << " lost parent " << parent;
    }
  }
}

TEST(Refit, VocabularyIdsAreNeverReusedAcrossRefits) {
  const koe::analysis_result p1 = fit(subset(sample, {"login"}), options(6, 11));
  const koe::analysis_result p2 = refit(subset(sample, {"app_crash"}), options(0, 11), p1.fitted);
  const koe::analysis_result p3 =
      refit(subset(sample, {"delivery_delay"}), options(0, 11), p2.fitted);
  const auto& v1 = p1.fitted.vectorizer.vocabulary;
  const auto& v2 = p2.fitted.vectorizer.vocabulary;
  const auto& v3 = p3.fitted.vectorizer.vocabulary;
  ASSERT_GE(v2.size(), v1.size());
  ASSERT_GE(v3.size(), v2.size());
  EXPECT_TRUE(std::equal(v1.begin(), v1.end(), v2.begin()));
  EXPECT_TRUE(std::equal(v2.begin(), v2.end(), v3.begin()));
  EXPECT_EQ(std::set<std::string>(v3.begin(), v3.end()).size(), v3.size());
  // A term of period 1 that period 2 does not keep is there, unused.
  std::size_t unused = 0;
  for (std::size_t i = 0; i < v2.size(); ++i)
    unused += p2.fitted.vectorizer.df[i] == 0 ? 1 : 0;
  EXPECT_GT(unused, 0u);
}

TEST(Refit, AFormatTwoModelRoundTripsWithItsDormantClusters) {
  const koe::analysis_result p1 = fit(subset(sample, {"app_crash"}), options(0, 1234));
  const koe::analysis_result p2 =
      refit(subset(sample, {"delivery_delay"}), options(0, 1234), p1.fitted);
  const std::string bytes = koe::encode_model(p2.fitted);
  const koe::model back = koe::decode_model(bytes, "memory");
  EXPECT_TRUE(back == p2.fitted);
  EXPECT_EQ(koe::encode_model(back), bytes);
  EXPECT_EQ(back.dormant.size(), p2.fitted.dormant.size());
}

// -k N fixes the count: the carried clusters with the most voices first, then seeds.
TEST(Refit, AGivenKIsTheNumberOfClusters) {
  const koe::corpus c = subset(sample, {});
  const koe::analysis_result first = fit(c, options(6, 11));
  const koe::analysis_result more = refit(c, options(8, 11), first.fitted);
  EXPECT_EQ(more.fitted.clusters.size(), 8u);
  EXPECT_EQ(more.fitted.next_id,
            6 + 8 -
                static_cast<int>(std::count_if(more.refit->match.begin(), more.refit->match.end(),
                                               [](int m) { return m >= 0; })));
  const koe::analysis_result fewer = refit(c, options(4, 11), first.fitted);
  EXPECT_EQ(fewer.fitted.clusters.size(), 4u);
  EXPECT_GE(fewer.fitted.dormant.size(), 2u);
  EXPECT_EQ(fewer.fitted.clusters.size() + fewer.fitted.dormant.size(),
            static_cast<std::size_t>(fewer.fitted.next_id));
}

TEST(Refit, AssigningToARefittedModelGivesStableIds) {
  const koe::analysis_result p1 = fit(subset(sample, {"app_crash"}), options(0, 1234));
  const koe::analysis_result p2 =
      refit(subset(sample, {"delivery_delay"}), options(0, 1234), p1.fitted);
  std::set<int> active, dormant;
  for (const auto& c : p2.fitted.clusters)
    active.insert(c.id);
  for (const auto& c : p2.fitted.dormant)
    dormant.insert(c.id);
  ASSERT_NE(ids_of(p2.fitted), std::vector<int>(ids_of(p2.fitted).size()))
      << "the refit's ids follow its rows; the test needs gaps";
  koe::assigner a(p2.fitted);
  const koe::assign_result r = a.run(subset(sample, {}));
  for (const auto& d : r.batch.descriptions)
    EXPECT_TRUE(active.contains(d.id)) << d.id;
  for (const auto& v : a.assign_texts({"配達が遅い", "アプリがすぐ落ちる", "解約したい"})) {
    EXPECT_TRUE(v.cluster == -1 || active.contains(v.cluster)) << v.cluster;
    EXPECT_FALSE(dormant.contains(v.cluster)) << v.cluster;
  }
}

TEST(Refit, ADecisionNamingAClusterIdDecidesThatCluster) {
  std::istringstream in(
      "key,decision,cluster,reason\n"
      ",adopted,7,改善する\n"
      "配送+遅い,rejected,,見送り\n");
  const std::vector<koe::decision> rows = koe::read_decisions(in, "decisions.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cluster, 7);
  EXPECT_EQ(rows[1].cluster, -1);
  std::vector<koe::candidate> cands(2);
  cands[0].cluster = 3;
  cands[0].key = "配送+遅い";
  cands[1].cluster = 7;
  cands[1].key = "アプリ+落ちる";
  const auto unmatched = koe::apply_decisions(cands, rows);
  EXPECT_TRUE(unmatched.empty());
  EXPECT_EQ(cands[1].decision.status, koe::decision_status::adopted);
  EXPECT_EQ(cands[0].decision.status, koe::decision_status::rejected);
  std::istringstream bad("key,decision,cluster\n,adopted,x\n");
  EXPECT_THROW((void)koe::read_decisions(bad, "decisions.csv"), koe::error);
}

TEST(Refit, LsaAndAnotherTokenizingAreRefused) {
  const koe::corpus c = subset(sample, {});
  const koe::analysis_result first = fit(c, options(6, 11));
  koe::pipeline_options lsa = options(0, 11);
  lsa.lsa_dimensions = 20;
  try {
    (void)refit(c, lsa, first.fitted);
    ADD_FAILURE() << "LSA refit accepted";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("--reduce"), std::string::npos) << e.what();
  }
  koe::pipeline_options other = options(0, 11);
  other.tokenize.extra_stopwords = {"配達"};
  try {
    (void)refit(c, other, first.fitted);
    ADD_FAILURE() << "other stop words accepted";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::dictionary_mismatch);
    EXPECT_NE(std::string(e.what()).find("stop words"), std::string::npos) << e.what();
  }
}

#ifdef KOE_CLI_PATH
std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Refit, TheCommandLineWritesTheLibrarysModel) {
  const koe::test::temp_dir dir("koe_refit");
  const std::string koe = KOE_CLI_PATH;
  const auto run = [&](const std::string& args) {
    const std::string cmd =
        koe + " cluster " + sample + " -q --threads 2 --seed 5 " + args + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  };
  run("-k 6 -o " + (dir.path() / "a").string());
  run("--prev " + (dir.path() / "a" / "model.koe").string() + " -o " + (dir.path() / "b").string());
  koe::job_options o;
  o.pipeline.cluster.k = 0;
  o.pipeline.cluster.seed = 5;
  o.pipeline.threads = 2;
  koe::job j(o);
  const koe::model previous = koe::load_model(dir.path() / "a" / "model.koe");
  (void)j.run_to_files(sample, dir.path() / "c", false, &previous);
  EXPECT_EQ(read_bytes(dir.path() / "b" / "model.koe"), read_bytes(dir.path() / "c" / "model.koe"));
  EXPECT_EQ(read_bytes(dir.path() / "b" / "assignments.csv"),
            read_bytes(dir.path() / "c" / "assignments.csv"));
  // changes.json comes with a refit only, and is part of its output set.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a" / "changes.json"));
  EXPECT_EQ(read_bytes(dir.path() / "b" / "changes.json"),
            read_bytes(dir.path() / "c" / "changes.json"));
  EXPECT_NE(read_bytes(dir.path() / "b" / "manifest.json").find("\"changes.json\""),
            std::string::npos);
  EXPECT_EQ(read_bytes(dir.path() / "a" / "manifest.json").find("changes.json"), std::string::npos);
}
TEST(Refit, TheCommandLineRefusesAMissingModelAndLsa) {
  const koe::test::temp_dir dir("koe_refit");
  const std::string koe = KOE_CLI_PATH;
  const auto status = [&](const std::string& args) {
    const std::string cmd = koe + " cluster " + sample + " -q " + args + " > /dev/null 2> " +
                            (dir.path() / "err.txt").string();
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(
      status("--prev " + (dir.path() / "none.koe").string() + " -o " + (dir.path() / "x").string()),
      1);
  EXPECT_NE(read_bytes(dir.path() / "err.txt").find("none.koe"), std::string::npos);
  ASSERT_EQ(status("-k 4 -o " + (dir.path() / "a").string()), 0);
  EXPECT_EQ(status("--reduce lsa:20 --prev " + (dir.path() / "a" / "model.koe").string() + " -o " +
                   (dir.path() / "b").string()),
            1);
  EXPECT_NE(read_bytes(dir.path() / "err.txt").find("--reduce"), std::string::npos);
}
#endif

}  // namespace
