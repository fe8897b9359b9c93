// Trends across a chain of models: a hand-built chain of three fits with a merge and a split,
// its series and roll-ups by hand, the chain's checks, the files of `koe trend`, and an end-to-end
// run of a fit and two refits of the year sample.
#include <koe/error.hpp>
#include <koe/model_file.hpp>
#include <koe/model_trends.hpp>
#include <koe/output_set.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

koe::model_cluster cluster(int id, std::size_t size, const std::string& born,
                           std::vector<int> parents = {},
                           koe::cluster_status status = koe::cluster_status::active) {
  koe::model_cluster c;
  c.id = id;
  c.label = "クラスタ" + std::to_string(id);
  c.key_terms = {"語" + std::to_string(id)};
  c.size = size;
  c.born = born;
  c.status = status;
  c.parents = std::move(parents);
  return c;
}

koe::model fit(const std::string& period, std::uint32_t fits, std::size_t documents,
               std::vector<koe::model_cluster> active, std::vector<koe::model_cluster> dormant) {
  koe::model m;
  m.dictionary = "/var/lib/mecab/dic/ipadic-utf8";
  m.dictionary_id.name = "ipadic";
  m.dictionary_id.fingerprint = "0123456789abcdef";
  m.vectorizer.vocabulary = {"あ", "い", "う"};
  m.vectorizer.df = {1, 1, 1};
  m.vectorizer.idf = {1.0f, 1.0f, 1.0f};
  for (std::int32_t i = 0; i < 3; ++i)
    m.vectorizer.index.emplace(m.vectorizer.vocabulary[static_cast<std::size_t>(i)], i);
  m.vectorizer.documents = documents;
  m.lsa.dimensions = 0;
  m.centroids = koe::dense_matrix::Zero(static_cast<Eigen::Index>(active.size()), 3);
  for (Eigen::Index r = 0; r < m.centroids.rows(); ++r)
    m.centroids(r, r % 3) = 1.0f;
  m.dormant_centroids = koe::dense_matrix::Zero(static_cast<Eigen::Index>(dormant.size()), 3);
  for (Eigen::Index r = 0; r < m.dormant_centroids.rows(); ++r)
    m.dormant_centroids(r, 0) = 1.0f;
  m.clusters = std::move(active);
  m.dormant = std::move(dormant);
  m.period = period;
  m.fits = fits;
  m.next_id = 6;
  return m;
}

// 2026-01: 0 (40), 1 (30), 2 (20), 3 (5), noise 5 of 100.
// 2026-02: 0 and 1 merge into 0 (75, parents [0, 1]; 1 dormant); 2 splits into 2 (12) and 4
//          (10, parents [2]); 3 (8); noise 5 of 110.
// 2026-03: 0 (80), 2 (15), 4 (12), 3 (9), a new 5 (20), 1 still dormant; noise 4 of 140.
std::vector<koe::model> hand_chain() {
  const auto dormant = koe::cluster_status::dormant;
  std::vector<koe::model> chain;
  chain.push_back(fit("2026-01", 1, 100,
                      {cluster(0, 40, "2026-01"), cluster(1, 30, "2026-01"),
                       cluster(2, 20, "2026-01"), cluster(3, 5, "2026-01")},
                      {}));
  chain.push_back(fit("2026-02", 2, 110,
                      {cluster(0, 75, "2026-01", {0, 1}), cluster(2, 12, "2026-01"),
                       cluster(4, 10, "2026-02", {2}), cluster(3, 8, "2026-01")},
                      {cluster(1, 30, "2026-01", {}, dormant)}));
  chain.push_back(
      fit("2026-03", 3, 140,
          {cluster(0, 80, "2026-01", {0, 1}), cluster(2, 15, "2026-01"),
           cluster(4, 12, "2026-02", {2}), cluster(3, 9, "2026-01"), cluster(5, 20, "2026-03")},
          {cluster(1, 30, "2026-01", {}, dormant)}));
  return chain;
}

const std::vector<std::string> names = {"jan.koe", "feb.koe", "mar.koe"};

std::map<std::int32_t, std::size_t> index_of(const koe::chain_trends& t) {
  std::map<std::int32_t, std::size_t> out;
  for (std::size_t i = 0; i < t.trends.series.size(); ++i)
    out[t.trends.series[i].cluster] = i;
  return out;
}

std::vector<std::size_t> counts(const koe::chain_trends& t, std::int32_t id) {
  std::vector<std::size_t> out;
  for (const auto& p : t.trends.series[index_of(t).at(id)].points)
    out.push_back(p.count);
  return out;
}

std::vector<bool> rolled(const koe::chain_trends& t, std::int32_t id) {
  std::vector<bool> out;
  for (const auto& p : t.clusters[index_of(t).at(id)].points)
    out.push_back(p.rolled_up);
  return out;
}

using sizes = std::vector<std::size_t>;
using flags = std::vector<bool>;

TEST(ModelTrends, HandChainGivesEachFitsPointByStableId) {
  const koe::chain_trends t = koe::model_trends(hand_chain(), names, {});
  EXPECT_EQ(t.trends.labels, (std::vector<std::string>{"2026-01", "2026-02", "2026-03"}));
  EXPECT_EQ(t.trends.totals, (sizes{100, 110, 140}));
  EXPECT_EQ(t.clustered, (sizes{95, 105, 136}));
  std::vector<std::int32_t> ids;
  for (const auto& s : t.trends.series)
    ids.push_back(s.cluster);
  EXPECT_EQ(ids, (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, koe::trend_noise}));
  EXPECT_EQ(counts(t, 1), (sizes{30, 0, 0}));
  EXPECT_EQ(counts(t, 2), (sizes{20, 12, 15}));
  EXPECT_EQ(counts(t, 3), (sizes{5, 8, 9}));
  EXPECT_EQ(counts(t, 5), (sizes{0, 0, 20}));
  EXPECT_EQ(counts(t, koe::trend_noise), (sizes{5, 5, 4}));
  const auto& one = t.clusters[index_of(t).at(1)].points;
  EXPECT_EQ(one[0].status, koe::chain_status::active);
  EXPECT_EQ(one[1].status, koe::chain_status::dormant);
  const auto& five = t.clusters[index_of(t).at(5)].points;
  EXPECT_EQ(five[0].status, koe::chain_status::unborn);
  EXPECT_EQ(five[2].status, koe::chain_status::active);
  EXPECT_EQ(rolled(t, 5), (flags{false, false, false}));
  const koe::proportion& p = t.trends.series[index_of(t).at(2)].points[1];
  EXPECT_EQ(p, koe::wilson(12, 110));
}

TEST(ModelTrends, MergedClustersPastIsItsParentsSum) {
  const koe::chain_trends t = koe::model_trends(hand_chain(), names, {});
  // 0 took 1 in at 2026-02: its January is 0's own 40 and 1's 30.
  EXPECT_EQ(counts(t, 0), (sizes{70, 75, 80}));
  EXPECT_EQ(rolled(t, 0), (flags{true, false, false}));
  EXPECT_EQ(t.clusters[index_of(t).at(0)].points[0].status, koe::chain_status::active);
  EXPECT_EQ(counts(t, 0)[0], 40 + counts(t, 1)[0]);
}

TEST(ModelTrends, SplitPartsPastIsItsParentsWholeCount) {
  const koe::chain_trends t = koe::model_trends(hand_chain(), names, {});
  // 4 split from 2 at 2026-02: its January is all of 2's, not a part of it.
  EXPECT_EQ(counts(t, 4), (sizes{20, 10, 12}));
  EXPECT_EQ(rolled(t, 4), (flags{true, false, false}));
  EXPECT_EQ(t.clusters[index_of(t).at(4)].points[0].status, koe::chain_status::unborn);
  EXPECT_EQ(rolled(t, 2), (flags{false, false, false}));
}

TEST(ModelTrends, RollUpFollowsParentsThatCameFromASplitThemselves) {
  // 2026-04: 3 and the split part 4 merge into a new 6 (parents [3, 4]); both go dormant.
  auto chain = hand_chain();
  const auto dormant = koe::cluster_status::dormant;
  chain.push_back(
      fit("2026-04", 4, 150,
          {cluster(0, 85, "2026-01", {0, 1}), cluster(2, 16, "2026-01"), cluster(5, 22, "2026-03"),
           cluster(6, 25, "2026-04", {3, 4})},
          {cluster(1, 30, "2026-01", {}, dormant), cluster(3, 9, "2026-01", {}, dormant),
           cluster(4, 12, "2026-02", {2}, dormant)}));
  chain.back().next_id = 7;
  std::vector<std::string> four = names;
  four.push_back("apr.koe");
  const koe::chain_trends t = koe::model_trends(chain, four, {});
  // January: 3's 5 and 4's rolled-up 20 (2's whole count); then 3 and 4 as they were.
  EXPECT_EQ(counts(t, 6), (sizes{25, 18, 21, 25}));
  EXPECT_EQ(rolled(t, 6), (flags{true, true, true, false}));
  EXPECT_EQ(counts(t, 4), (sizes{20, 10, 12, 0}));
  EXPECT_EQ(counts(t, 0), (sizes{70, 75, 80, 85}));
}

TEST(ModelTrends, OwnPointsAndNoiseAddUpToEachFitsKeptVoices) {
  const koe::chain_trends t = koe::model_trends(hand_chain(), names, {});
  for (std::size_t f = 0; f < 3; ++f) {
    std::size_t sum = 0;
    for (std::size_t i = 0; i < t.trends.series.size(); ++i) {
      const koe::chain_point& p = t.clusters[i].points[f];
      sum += p.own;
      if (!p.rolled_up) {
        EXPECT_EQ(p.own, t.trends.series[i].points[f].count);
      }
    }
    EXPECT_EQ(sum, t.trends.totals[f]) << "fit " << f;
  }
}

TEST(ModelTrends, AlertsAreTheOneFileTestOnTheChain) {
  const koe::chain_trends t = koe::model_trends(hand_chain(), names, {});
  ASSERT_EQ(t.trends.alerts.size(), 1U);
  EXPECT_EQ(t.trends.alerts[0].cluster, 5);
  EXPECT_EQ(t.trends.alerts[0].period, "2026-03");
  EXPECT_EQ(t.trends.alerts[0].baseline_from, "2026-01");
  EXPECT_EQ(t.trends.alerts[0].test, koe::two_proportion_test(0, 210, 20, 140));
  koe::trend_options strict;
  strict.min_count = 21;
  EXPECT_TRUE(koe::model_trends(hand_chain(), names, strict).trends.alerts.empty());
}

void expect_refused(std::vector<koe::model> chain, koe::errc code, const std::string& words) {
  try {
    (void)koe::model_trends(
        chain,
        std::vector<std::string>(names.begin(), names.begin() + static_cast<long>(chain.size())),
        {});
    ADD_FAILURE() << "accepted; expected: " << words;
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(ModelTrends, ChainChecksNameTheFile) {
  expect_refused({}, koe::errc::invalid_argument, "no model");
  auto chain = hand_chain();
  std::swap(chain[1], chain[2]);
  expect_refused(chain, koe::errc::invalid_argument, "mar.koe (after feb.koe): fits 2");
  chain = hand_chain();
  chain[2].period = "2026-01";
  expect_refused(chain, koe::errc::invalid_argument, "mar.koe: period \"2026-01\" is also");
  chain = hand_chain();
  chain[2].period = "2025-12";
  expect_refused(chain, koe::errc::invalid_argument, "comes before \"2026-02\"");
  chain = hand_chain();
  chain[1].dictionary_id.fingerprint = "fedcba9876543210";
  expect_refused(chain, koe::errc::dictionary_mismatch, "feb.koe (after jan.koe)");
  chain = hand_chain();
  chain[2].tokenizer.fold_numbers = !chain[2].tokenizer.fold_numbers;
  expect_refused(chain, koe::errc::invalid_argument, "normalizes or tokenizes otherwise");
  chain = hand_chain();
  chain[1].vectorizer.documents = 50;
  expect_refused(chain, koe::errc::invalid_model, "feb.koe: its clusters hold 105 voices");
  chain = hand_chain();
  chain[0].centroids = koe::dense_matrix();
  expect_refused(chain, koe::errc::invalid_model, "jan.koe: the model is not fitted");
  EXPECT_THROW((void)koe::model_trends(hand_chain(), std::vector<std::string>{"a"}, {}),
               koe::error);
}

TEST(ModelTrends, CsvAddsStatusAndRollUpToTheOneFileColumns) {
  const koe::chain_trends t = koe::model_trends(hand_chain(), names, {});
  std::ostringstream out;
  koe::write_chain_trends_csv(out, t);
  const std::string csv = out.str();
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "period,cluster,count,share,low,high,status,rolled_up,own");
  EXPECT_NE(csv.find("\n2026-01,0,70,0.700000,"), std::string::npos);
  EXPECT_NE(csv.find(",active,1,40\n2026-02,0,75,"), std::string::npos);
  EXPECT_NE(csv.find("\n2026-01,4,20,0.200000,"), std::string::npos);
  EXPECT_NE(csv.find(",unborn,1,0\n2026-02,4,10,"), std::string::npos);
  EXPECT_NE(csv.find("\n2026-02,1,0,0.000000,0.000000,"), std::string::npos);
  EXPECT_NE(csv.find("\n2026-03,noise,4,"), std::string::npos);
  std::size_t lines = 0;
  for (const char c : csv)
    lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, 1 + 7 * 3U);
}

TEST(ModelTrends, FilesAndCommandLineGiveTheSameRows) {
  const koe::test::temp_dir dir("model_trends");
  std::vector<std::filesystem::path> files;
  std::vector<std::string> args = {"trend"};
  const auto chain = hand_chain();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    files.push_back(dir.path() / names[i]);
    koe::save_model(chain[i], files.back());
    args.push_back(files.back().string());
  }
  const koe::chain_trends t = koe::model_trends_of_files(files, {});
  std::ostringstream expected;
  koe::write_chain_trends_csv(expected, koe::model_trends(chain, names, {}));
  std::ostringstream from_files;
  koe::write_chain_trends_csv(from_files, t);
  EXPECT_EQ(from_files.str(), expected.str());
  args.insert(args.end(), {"-o", (dir.path() / "out").string(), "-q"});
  const auto r = koe::test::run_koe(dir, args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(koe::test::slurp(dir.path() / "out" / "trends.csv"), expected.str());
  const koe::output_manifest m = koe::check_output_set(dir.path() / "out");
  ASSERT_EQ(m.files.size(), 3U);
  EXPECT_EQ(m.files[2].name, "trend.html");
  const std::string html = koe::test::slurp(dir.path() / "out" / "trend.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  const auto alerts = nlohmann::json::parse(koe::test::slurp(dir.path() / "out" / "alerts.json"));
  ASSERT_EQ(alerts["alerts"].size(), 1U);
  EXPECT_EQ(alerts["alerts"][0]["cluster"], "5");
  EXPECT_NE(r.out.find("alert 5: "), std::string::npos);
}

TEST(ModelTrends, CommandLineRefusesABrokenChainNamingTheFile) {
  const koe::test::temp_dir dir("model_trends");
  auto chain = hand_chain();
  koe::save_model(chain[0], dir.path() / "a.koe");
  koe::save_model(chain[1], dir.path() / "b.koe");
  const std::string a = (dir.path() / "a.koe").string(), b = (dir.path() / "b.koe").string();
  auto r = koe::test::run_koe(dir, {"trend", b, a, "-o", (dir.path() / "out").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + a + " (after " + b + "): fits 1 is not above the previous 2..."))
      << r.err;
  {
    std::ofstream bad(dir.path() / "bad.koe");
    bad << "not a model";
  }
  r = koe::test::run_koe(
      dir, {"trend", a, (dir.path() / "bad.koe").string(), "-o", (dir.path() / "out").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bad.koe"), std::string::npos) << r.err;
  // A flipped byte: the full reader's checksum error, naming the file.
  std::string bytes = koe::test::slurp(dir.path() / "b.koe");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  {
    std::ofstream flipped(dir.path() / "flipped.koe", std::ios::binary);
    flipped << bytes;
  }
  r = koe::test::run_koe(dir, {"trend", a, (dir.path() / "flipped.koe").string(), "-o",
                               (dir.path() / "out").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("flipped.koe"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("checksum"), std::string::npos) << r.err;
  r = koe::test::run_koe(dir, {"trend", "-o", (dir.path() / "out").string()});
  EXPECT_EQ(r.status, 2);
}

TEST(ModelTrends, CommandLineTakesTheAlertSettingsOfKoeToml) {
  const koe::test::temp_dir dir("model_trends");
  std::vector<std::string> args = {"trend"};
  const auto chain = hand_chain();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    koe::save_model(chain[i], dir.path() / names[i]);
    args.push_back((dir.path() / names[i]).string());
  }
  {
    std::ofstream toml(dir.path() / "koe.toml");
    toml << "[alerts]\nmin_count = 21\n";
  }
  args.insert(args.end(), {"-o", (dir.path() / "out").string(), "-q", "--config",
                           (dir.path() / "koe.toml").string()});
  const auto r = koe::test::run_koe(dir, args);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto alerts = nlohmann::json::parse(koe::test::slurp(dir.path() / "out" / "alerts.json"));
  EXPECT_EQ(alerts["min_count"], 21);
  EXPECT_TRUE(alerts["alerts"].empty());
  // Options of the voice reader are not options of koe trend.
  args.insert(args.end(), {"--seed", "1"});
  EXPECT_EQ(koe::test::run_koe(dir, args).status, 2);
}

// A fit of 2026-01 of the year sample and refits of 2026-02 and 2026-03 against it, then
// `koe trend` over the three models: every active id's own point is its clusters.json size.
TEST(ModelTrends, YearSampleFitAndRefitsGiveConsistentSeries) {
  const koe::test::temp_dir dir("model_trends");
  const std::filesystem::path year = std::filesystem::path(KOE_DATA_DIR) / "sample" / "year";
  std::vector<std::string> trend_args = {"trend"};
  std::string prev;
  for (const std::string month : {"2026-01", "2026-02", "2026-03"}) {
    const std::string out = (dir.path() / month).string();
    std::vector<std::string> args = {
        "cluster", (year / (month + ".csv")).string(), "-o", out, "-q", "--seed", "1"};
    if (!prev.empty()) args.insert(args.end(), {"--prev", prev});
    const auto r = koe::test::run_koe(dir, args);
    ASSERT_EQ(r.status, 0) << month << ": " << r.err;
    prev = out + "/model.koe";
    trend_args.push_back(prev);
  }
  trend_args.insert(trend_args.end(), {"-o", (dir.path() / "trend").string(), "-q"});
  const auto r = koe::test::run_koe(dir, trend_args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NO_THROW((void)koe::check_output_set(dir.path() / "trend"));
  // A run's own folder is not overwritten.
  std::vector<std::string> into_run = trend_args;
  into_run[into_run.size() - 2] = (dir.path() / "2026-03").string();
  const auto refused = koe::test::run_koe(dir, into_run);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("koe trend's files to a folder of their own"), std::string::npos)
      << refused.err;
  EXPECT_NO_THROW((void)koe::check_output_set(dir.path() / "2026-03"));
  // The command reads a summary of each file; loading the models whole gives the same rows.
  std::vector<koe::model> whole;
  std::vector<std::string> paths;
  for (std::size_t i = 1; i < 4; ++i) {
    whole.push_back(koe::load_model(trend_args[i]));
    paths.push_back(trend_args[i]);
  }
  std::ostringstream from_whole;
  koe::write_chain_trends_csv(from_whole, koe::model_trends(whole, paths, {}));
  EXPECT_EQ(koe::test::slurp(dir.path() / "trend" / "trends.csv"), from_whole.str());
  // period,cluster -> count, status, rolled_up
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> rows;
  std::istringstream csv(koe::test::slurp(dir.path() / "trend" / "trends.csv"));
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');)
      f.push_back(x);
    ASSERT_EQ(f.size(), 9U) << line;
    rows[{f[0], f[1]}] = {f[2], f[6], f[7], f[8]};
  }
  std::set<std::string> ids_seen;
  for (const std::string month : {"2026-01", "2026-02", "2026-03"}) {
    const auto clusters =
        nlohmann::json::parse(koe::test::slurp(dir.path() / month / "clusters.json"));
    const koe::model m = koe::load_model(dir.path() / month / "model.koe");
    ASSERT_EQ(m.period, month);
    for (const auto& c : clusters["clusters"]) {
      const std::string id = std::to_string(c["id"].get<int>());
      ids_seen.insert(id);
      const auto it = rows.find({month, id});
      ASSERT_NE(it, rows.end()) << month << " " << id;
      EXPECT_EQ(it->second[1], "active") << month << " " << id;
      EXPECT_EQ(it->second[3], std::to_string(c["size"].get<std::size_t>())) << month << " " << id;
      if (it->second[2] == "0") {
        EXPECT_EQ(it->second[0], it->second[3]) << month << " " << id;
      }
    }
  }
  // Every id of the chain has a row in every month: one series per stable id.
  for (const auto& id : ids_seen)
    for (const std::string month : {"2026-01", "2026-02", "2026-03"})
      EXPECT_EQ(rows.count({month, id}), 1U) << month << " " << id;
}

}  // namespace
