// Trends: hand-counted series, Wilson intervals, period boundaries, the alert test's false-alarm
// rate and power on simulated months, the before/after effect, koe.toml's [alerts] and --period,
// and the CLI's trends.csv and alerts.json against clusters.json for any thread count.
#include <koe/error.hpp>
#include <koe/score_config.hpp>
#include <koe/trends.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using koe::period_unit;

std::optional<std::int64_t> month(const char* date) {
  return koe::period_of(date, period_unit::month);
}

// Rows of two clusters over 2026-01 .. 2026-04 with an empty February, noise and voices
// without a (usable) time.
koe::trend_rows hand_rows() {
  koe::trend_rows rows;
  rows.clusters = 2;
  auto add = [&rows](std::int32_t label, std::optional<std::int64_t> period) {
    rows.label.push_back(label);
    rows.period.push_back(period);
    rows.day.push_back(std::nullopt);
  };
  add(0, month("2026-01-05"));
  add(0, month("2026-01-20"));
  add(1, month("2026-01-31"));
  add(koe::trend_noise, month("2026-01-02"));
  add(1, month("2026-03-01"));
  add(1, month("2026-03-15"));
  add(0, month("2026-04-30"));
  add(koe::trend_noise, month("2026-04-01"));
  add(0, std::nullopt);  // no time
  add(koe::trend_noise, month("not a date"));
  return rows;
}

TEST(Trends, HandCountedSeriesIncludeEmptyPeriodsNoiseAndUntimedVoices) {
  const koe::trend_result t = koe::count_trends(hand_rows(), period_unit::month);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"2026-01", "2026-02", "2026-03", "2026-04"}));
  EXPECT_EQ(t.totals, (std::vector<std::size_t>{4, 0, 2, 2}));
  EXPECT_EQ(t.voices, 10U);
  EXPECT_EQ(t.untimed, 2U);
  EXPECT_DOUBLE_EQ(t.untimed_share(), 0.2);
  ASSERT_EQ(t.series.size(), 3U);  // two clusters and noise; no new-theme series for a fit
  auto counts = [&t](std::int32_t cluster) {
    std::vector<std::size_t> c;
    for (const auto& p : t.find(cluster)->points)
      c.push_back(p.count);
    return c;
  };
  EXPECT_EQ(counts(0), (std::vector<std::size_t>{2, 0, 0, 1}));
  EXPECT_EQ(counts(1), (std::vector<std::size_t>{1, 0, 2, 0}));
  EXPECT_EQ(counts(koe::trend_noise), (std::vector<std::size_t>{1, 0, 0, 1}));
  EXPECT_EQ(t.find(koe::trend_new_theme), nullptr);
  EXPECT_DOUBLE_EQ(t.find(0)->points[0].share, 0.5);
  EXPECT_EQ(t.find(0)->points[1].total, 0U);  // an empty period: share 0, interval [0, 1]
  EXPECT_DOUBLE_EQ(t.find(0)->points[1].high, 1.0);
  // The series add up to the period totals, and to the timed voices.
  std::size_t timed = 0;
  for (std::size_t p = 0; p < t.labels.size(); ++p) {
    std::size_t sum = 0;
    for (const auto& s : t.series)
      sum += s.points[p].count;
    EXPECT_EQ(sum, t.totals[p]);
    timed += sum;
  }
  EXPECT_EQ(timed + t.untimed, t.voices);
}

TEST(Trends, NewThemeSeriesWhenAModelWasGiven) {
  koe::trend_rows rows = hand_rows();
  rows.new_theme = true;
  rows.label[2] = koe::trend_new_theme;
  const koe::trend_result t = koe::count_trends(rows, period_unit::month);
  ASSERT_EQ(t.series.size(), 4U);
  EXPECT_EQ(t.series.back().cluster, koe::trend_new_theme);
  EXPECT_EQ(t.series.back().points[0].count, 1U);
  EXPECT_EQ(koe::series_name(koe::trend_new_theme), "new_theme");
  EXPECT_EQ(koe::series_name(koe::trend_noise), "noise");
  EXPECT_EQ(koe::series_name(7), "7");
}

TEST(Trends, NoTimedVoiceGivesNoPeriods) {
  koe::trend_rows rows;
  rows.clusters = 1;
  rows.label = {0, koe::trend_noise};
  rows.period = {std::nullopt, std::nullopt};
  rows.day = rows.period;
  const koe::trend_result t = koe::count_trends(rows, period_unit::week);
  EXPECT_TRUE(t.labels.empty());
  EXPECT_EQ(t.untimed, 2U);
  EXPECT_TRUE(koe::find_alerts(t, {}).empty());
}

TEST(Trends, WilsonIntervalsMatchKnownValues) {
  const koe::proportion a = koe::wilson(10, 100);
  EXPECT_NEAR(a.low, 0.0552291, 1e-6);
  EXPECT_NEAR(a.high, 0.1743657, 1e-6);
  const koe::proportion none = koe::wilson(0, 10);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.2775328, 1e-6);
  const koe::proportion all = koe::wilson(5, 5);
  EXPECT_NEAR(all.low, 0.5655175, 1e-6);
  EXPECT_EQ(all.high, 1.0);
  const koe::proportion half = koe::wilson(1, 2);
  EXPECT_NEAR(half.low, 0.0945312, 1e-6);
  EXPECT_NEAR(half.high, 0.9054688, 1e-6);
}

TEST(Trends, TwoProportionTestMatchesTheFormula) {
  const koe::proportion_test t = koe::two_proportion_test(17, 263, 26, 134);
  EXPECT_TRUE(t.defined);
  // With Yates' correction: (|26/134 - 17/263| - (1/263 + 1/134) / 2) / pooled SE.
  EXPECT_NEAR(t.z, 3.7520187, 1e-6);
  EXPECT_NEAR(t.p_greater, 8.7708177e-05, 1e-11);
  EXPECT_NEAR(t.p_two_sided, 1.7541635e-04, 1e-11);
  const koe::proportion_test down = koe::two_proportion_test(40, 1000, 30, 1000);
  EXPECT_NEAR(down.z, -1.0950396, 1e-6);
  EXPECT_NEAR(down.p_greater, 0.8632504, 1e-6);
  EXPECT_FALSE(koe::two_proportion_test(0, 10, 0, 10).defined);  // pooled share 0
  EXPECT_FALSE(koe::two_proportion_test(0, 0, 3, 10).defined);   // no baseline
}

TEST(Trends, PeriodBoundariesOfWeeksMonthsAndQuarters) {
  auto label = [](const char* date, period_unit unit) {
    return koe::period_label(*koe::period_of(date, unit), unit);
  };
  // ISO weeks: 2026 has 53 of them, and its last runs into 2027.
  EXPECT_EQ(label("2026-12-31", period_unit::week), "2026-W53");
  EXPECT_EQ(label("2027-01-03", period_unit::week), "2026-W53");
  EXPECT_EQ(label("2027-01-04", period_unit::week), "2027-W01");
  EXPECT_EQ(label("2024-12-29", period_unit::week), "2024-W52");
  EXPECT_EQ(label("2024-12-30", period_unit::week), "2025-W01");
  EXPECT_EQ(label("2026-01-31", period_unit::month), "2026-01");
  EXPECT_EQ(label("2026-02-01", period_unit::month), "2026-02");
  EXPECT_EQ(label("2026-03-31T23:59:59+09:00", period_unit::quarter), "2026-Q1");
  EXPECT_EQ(label("2026-04-01", period_unit::quarter), "2026-Q2");
  EXPECT_EQ(label("2026-12-31", period_unit::quarter), "2026-Q4");
  EXPECT_EQ(label("2027-01-01", period_unit::quarter), "2027-Q1");
  // A series across the year end: consecutive weeks, none skipped or doubled.
  koe::trend_rows rows;
  rows.clusters = 1;
  for (const char* d : {"2026-12-27", "2026-12-28", "2027-01-04"}) {
    rows.label.push_back(0);
    rows.period.push_back(koe::period_of(d, period_unit::week));
    rows.day.push_back(std::nullopt);
  }
  const koe::trend_result t = koe::count_trends(rows, period_unit::week);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"2026-W52", "2026-W53", "2027-W01"}));
}

// splitmix64: a fixed, portable stream of random numbers for the simulations below.
class splitmix {
 public:
  explicit splitmix(std::uint64_t seed) : state_(seed) {}
  double uniform() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }
  // A binomial draw by inversion: walk the distribution function from 0 until it passes a
  // uniform draw (exact up to rounding, and the same everywhere).
  std::size_t binomial(std::size_t n, double p) {
    const double u = uniform();
    double pmf = std::pow(1 - p, static_cast<double>(n));
    double cdf = pmf;
    std::size_t k = 0;
    while (cdf < u && k < n) {
      pmf *= static_cast<double>(n - k) / static_cast<double>(k + 1) * p / (1 - p);
      ++k;
      cdf += pmf;
    }
    return k;
  }

 private:
  std::uint64_t state_;
};

struct simulated_rates {
  double false_alarm = 0;  ///< Share of stationary runs flagged in their last month.
  double power = 0;        ///< Share of runs with a burst in the last month flagged.
};

// `runs` simulated years of `months` months with `voices` voices each: a cluster at `base`
// share, and in the burst runs `base + burst` in the last month only.
simulated_rates simulate(std::size_t runs, std::size_t months, std::size_t voices, double base,
                         double burst, const koe::trend_options& o, std::uint64_t seed) {
  splitmix rng(seed);
  std::size_t alarms = 0, caught = 0;
  const std::vector<std::size_t> totals(months, voices);
  for (std::size_t run = 0; run < runs; ++run) {
    std::vector<std::size_t> counts(months);
    for (auto& c : counts)
      c = rng.binomial(voices, base);
    alarms += koe::latest_rise(counts, totals, o).rises ? 1 : 0;
    counts.back() = rng.binomial(voices, base + burst);
    caught += koe::latest_rise(counts, totals, o).rises ? 1 : 0;
  }
  return {static_cast<double>(alarms) / static_cast<double>(runs),
          static_cast<double>(caught) / static_cast<double>(runs)};
}

// 20,000 simulated years of 12 months, 2,000 voices a month, a cluster at a 3% share: each run
// tests its last month once (against the 11 before, pooled), so 20,000 stationary months are
// tested at each level. The margin is three binomial standard errors of the measured rate at
// that many tests (0.0021 at 1%, 0.0046 at 5%): a test that holds alpha exceeds it by more than
// that about once in 700 such measurements. The burst: the last month at 5% instead of 3%.
TEST(Trends, AlertFalseAlarmRateStaysAtAlphaAndAPlantedBurstIsFlagged) {
  constexpr std::size_t runs = 20000, months = 12, voices = 2000;
  for (double alpha : {0.01, 0.05}) {
    koe::trend_options o;
    o.alpha = alpha;
    const simulated_rates r = simulate(runs, months, voices, 0.03, 0.02, o, 20261207);
    const double margin = 3 * std::sqrt(alpha * (1 - alpha) / runs);
    std::cout << "alpha " << alpha << ": false alarms " << r.false_alarm << " (at most "
              << alpha + margin << "), power against +2 points " << r.power << '\n';
    EXPECT_LE(r.false_alarm, alpha + margin);
    EXPECT_GE(r.power, 0.95);
  }
  // A smaller service: 500 voices a month. The burst is flagged about half the time.
  koe::trend_options o;
  const simulated_rates small = simulate(runs, months, 500, 0.03, 0.02, o, 7);
  std::cout << "500 voices a month, alpha 0.01: false alarms " << small.false_alarm << ", power "
            << small.power << '\n';
  EXPECT_LE(small.false_alarm, 0.01 + 3 * std::sqrt(0.01 * 0.99 / runs));
  EXPECT_GE(small.power, 0.4);
}

TEST(Trends, AlertNamesItsTestAndCountsAndNoneOnASteadySeries) {
  koe::trend_rows rows;
  rows.clusters = 2;
  // Three months of 100 voices: cluster 0 at 5%, 5%, then 30%; cluster 1 steady at 20%.
  const std::vector<std::size_t> burst = {5, 5, 30};
  for (std::size_t m = 0; m < 3; ++m) {
    const auto ordinal = koe::period_of("2026-0" + std::to_string(m + 1), period_unit::month);
    for (std::size_t i = 0; i < 100; ++i) {
      rows.label.push_back(i < burst[m] ? 0 : i < burst[m] + 20 ? 1 : koe::trend_noise);
      rows.period.push_back(ordinal);
      rows.day.push_back(std::nullopt);
    }
  }
  const koe::trend_result t = koe::count_trends(rows, period_unit::month);
  const auto alerts = koe::find_alerts(t, {});
  ASSERT_EQ(alerts.size(), 1U);
  const koe::trend_alert& a = alerts[0];
  EXPECT_EQ(a.cluster, 0);
  EXPECT_EQ(a.period, "2026-03");
  EXPECT_EQ(a.baseline_from, "2026-01");
  EXPECT_EQ(a.baseline_to, "2026-02");
  EXPECT_EQ(a.test.after.count, 30U);
  EXPECT_EQ(a.test.before.count, 10U);
  EXPECT_EQ(a.test.before.total, 200U);
  EXPECT_GT(a.test.z, 5);
  EXPECT_NE(a.reason.find("z = "), std::string::npos);
  EXPECT_NE(a.reason.find("30/100"), std::string::npos);
  // Below the minimum count, the same rise is not flagged.
  koe::trend_options strict;
  strict.min_count = 31;
  EXPECT_TRUE(koe::find_alerts(t, strict).empty());
  // A baseline of the last period only.
  koe::trend_options last_one;
  last_one.baseline_periods = 1;
  const auto near = koe::find_alerts(t, last_one);
  ASSERT_EQ(near.size(), 1U);
  EXPECT_EQ(near[0].baseline_from, "2026-02");
}

TEST(Trends, EffectOfADecisionOnAHandBuiltCase) {
  koe::trend_rows rows;
  rows.clusters = 1;
  // Before 2026-09-05: 10 of 100 voices in cluster 0; from that day on: 2 of 100.
  for (std::size_t i = 0; i < 200; ++i) {
    const bool before = i < 100;
    rows.label.push_back(before ? (i < 10 ? 0 : koe::trend_noise)
                                : (i < 102 ? 0 : koe::trend_noise));
    rows.day.push_back(koe::period_of(before ? "2026-09-04" : "2026-09-05", period_unit::day));
    rows.period.push_back(koe::period_of("2026-09", period_unit::month));
  }
  koe::decision d;
  d.status = koe::decision_status::adopted;
  d.reason = "解約導線をアプリ内に追加";
  d.date = "2026-09-05";
  const auto e = koe::decision_effect_of(rows, 0, d, 0.05);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->test.before.count, 10U);
  EXPECT_EQ(e->test.before.total, 100U);
  EXPECT_EQ(e->test.after.count, 2U);
  EXPECT_EQ(e->test.after.total, 100U);
  EXPECT_TRUE(e->significant);  // z = -2.08, two-sided p = 0.037
  EXPECT_NEAR(e->test.z, -2.0842197, 1e-6);
  EXPECT_NEAR(e->test.p_two_sided, 0.0371402, 1e-6);
  EXPECT_EQ(e->sentence.substr(0, e->sentence.find("（有意")),
            "解約導線をアプリ内に追加（2026-09-05）後、この声の割合は 10.0% → 2.0%");
  // A date with no day, and a decision without a reason.
  d.date = "next week";
  EXPECT_FALSE(koe::decision_effect_of(rows, 0, d, 0.05).has_value());
  d.date = "2026-12-01";
  d.reason.clear();
  const auto later = koe::decision_effect_of(rows, 0, d, 0.05);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->change, "採用した対応");
  EXPECT_EQ(later->test.after.total, 0U);
  EXPECT_NE(later->sentence.find("以降の声はまだありません"), std::string::npos);
}

TEST(Trends, AlertsTableOfKoeTomlIsReadAndCheckedWithFileAndLine) {
  const koe::score_options o = koe::parse_score_config(
      "[alerts]\nalpha = 0.05\nmin_count = 3\nbaseline_periods = 6\n", "koe.toml");
  EXPECT_DOUBLE_EQ(o.trends.alpha, 0.05);
  EXPECT_EQ(o.trends.min_count, 3U);
  EXPECT_EQ(o.trends.baseline_periods, 6U);
  EXPECT_FALSE(o.frequency_period_given);
  try {
    (void)koe::parse_score_config("[alerts]\nalpha = 0.05\nalfa = 0.1\n", "koe.toml");
    FAIL() << "an unknown key was accepted";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_config);
    EXPECT_NE(std::string(e.what()).find("koe.toml:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("alerts.alfa"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)koe::parse_score_config("[alerts]\nalpha = 2\n", "koe.toml"), koe::error);
  const koe::score_options q =
      koe::parse_score_config("[frequency]\nperiod = \"quarter\"\n", "koe.toml");
  EXPECT_TRUE(q.frequency_period_given);
  EXPECT_EQ(q.trends.period, period_unit::quarter);
}

// trends.csv as (period, cluster) → count.
std::map<std::pair<std::string, std::string>, std::size_t> read_trends_csv(
    const std::string& text) {
  std::map<std::pair<std::string, std::string>, std::size_t> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "period,cluster,count,share,low,high");
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');)
      f.push_back(x);
    EXPECT_EQ(f.size(), 6U) << line;
    if (f.size() == 6) out[{f[0], f[1]}] = std::stoul(f[2]);
  }
  return out;
}

TEST(Trends, CliWritesTrendsAndAlertsThatAgreeWithClustersJsonForAnyThreadCount) {
  koe::test::temp_dir dir("trends");
  const std::string sample = std::string(KOE_DATA_DIR) + "/sample/voices.csv";
  std::string csv[2], alerts[2];
  for (int t = 0; t < 2; ++t) {
    const auto out = dir.path() / ("out" + std::to_string(t));
    const auto r = koe::test::cluster(dir, sample, out,
                                      {"--threads", std::to_string(t + 1), "--period", "month"});
    ASSERT_EQ(r.status, 0) << r.err;
    csv[t] = koe::test::slurp(out / "trends.csv");
    alerts[t] = koe::test::slurp(out / "alerts.json");
    const auto manifest = nlohmann::json::parse(koe::test::slurp(out / "manifest.json"));
    std::set<std::string> listed;
    for (const auto& f : manifest["files"])
      listed.insert(f["name"].get<std::string>());
    EXPECT_TRUE(listed.count("trends.csv") && listed.count("alerts.json"));
  }
  EXPECT_EQ(csv[0], csv[1]);
  EXPECT_EQ(alerts[0], alerts[1]);
  const auto counts = read_trends_csv(csv[0]);
  const auto clusters = nlohmann::json::parse(koe::test::slurp(dir.path() / "out0/clusters.json"));
  const auto& trends = clusters["trends"];
  EXPECT_EQ(trends["period"], "month");
  const auto periods = trends["periods"].get<std::vector<std::string>>();
  const auto totals = trends["totals"].get<std::vector<std::size_t>>();
  // Every cluster's trend is trends.csv's rows of it, and its counts add up to its size.
  std::vector<std::size_t> sums(periods.size(), 0);
  for (const auto& c : clusters["clusters"]) {
    std::size_t size = 0;
    for (std::size_t p = 0; p < periods.size(); ++p) {
      const std::size_t n = c["trend"][p]["count"];
      EXPECT_EQ(counts.at({periods[p], std::to_string(c["id"].get<int>())}), n);
      sums[p] += n;
      size += n;
    }
    EXPECT_EQ(size, c["size"].get<std::size_t>());  // the sample's voices all have a date
  }
  for (std::size_t p = 0; p < periods.size(); ++p) {
    sums[p] += counts.at({periods[p], "noise"});
    EXPECT_EQ(sums[p], totals[p]) << periods[p];
  }
  const std::size_t timed = std::accumulate(totals.begin(), totals.end(), std::size_t{0});
  EXPECT_EQ(timed + trends["untimed"].get<std::size_t>(),
            clusters["input"]["kept"].get<std::size_t>());
  const auto a = nlohmann::json::parse(alerts[0]);
  EXPECT_EQ(a["alerts"].size(), trends["alerts"].get<std::size_t>());
  EXPECT_EQ(a["latest_period"], periods.back());
}

TEST(Trends, PeriodOptionChangesThePeriodsAndIsRefusedWhenUnknown) {
  koe::test::temp_dir dir("trends");
  const std::string sample = std::string(KOE_DATA_DIR) + "/sample/voices.csv";
  const auto r = koe::test::cluster(dir, sample, dir.path() / "q", {"--period", "quarter"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = koe::test::slurp(dir.path() / "q/trends.csv");
  EXPECT_NE(csv.find("\n2026-Q3,0,"), std::string::npos) << csv.substr(0, 200);
  const auto bad = koe::test::cluster(dir, sample, dir.path() / "x", {"--period", "fortnight"});
  EXPECT_EQ(bad.status, 2) << bad.err;
}

}  // namespace

namespace {

TEST(Trends, EffectReachesCandidatesJsonAndTheReplyDrafts) {
  koe::test::temp_dir dir("trends");
  const std::string sample = std::string(KOE_DATA_DIR) + "/sample/voices.csv";
  const auto decisions = dir.write("decisions.csv",
                                   "key,decision,reason,date\n"
                                   "解約+電話+方法,adopted,解約導線をアプリ内に追加,2026-09-01\n");
  const auto config =
      dir.write("koe.toml", "[reply]\ntemplate = \"ご意見『{voice}』: {decision}。{effect}\"\n");
  const auto out = dir.path() / "out";
  const auto r = koe::test::run_koe(
      dir, {"cluster", sample, "-k", "auto", "--seed", "1234", "-q", "-o", out.string(),
            "--decisions", decisions.string(), "--config", config.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto candidates = nlohmann::json::parse(koe::test::slurp(out / "candidates.json"));
  const nlohmann::json* effect = nullptr;
  for (const auto& c : candidates)
    if (c.contains("effect")) effect = &c["effect"];
  ASSERT_NE(effect, nullptr);
  EXPECT_EQ((*effect)["date"], "2026-09-01");
  EXPECT_EQ((*effect)["change"], "解約導線をアプリ内に追加");
  const std::size_t before = (*effect)["before"]["total"], after = (*effect)["after"]["total"];
  const auto clusters = nlohmann::json::parse(koe::test::slurp(out / "clusters.json"));
  EXPECT_EQ(before + after, clusters["input"]["kept"].get<std::size_t>());
  const std::string sentence = (*effect)["sentence"];
  EXPECT_EQ(sentence.rfind("解約導線をアプリ内に追加（2026-09-01）後、この声の割合は ", 0), 0U)
      << sentence;
  EXPECT_NE(koe::test::slurp(out / "trace.csv").find(sentence), std::string::npos);
  EXPECT_NE(koe::test::slurp(out / "report.html").find(sentence), std::string::npos);
}

}  // namespace

namespace {

TEST(Trends, AssignAddsTheNewThemeSeries) {
  koe::test::temp_dir dir("trends");
  const std::string sample = std::string(KOE_DATA_DIR) + "/sample/voices.csv";
  const auto fit = dir.path() / "fit";
  ASSERT_EQ(koe::test::cluster(dir, sample, fit).status, 0);
  const auto out = dir.path() / "batch";
  const auto r = koe::test::run_koe(dir, {"assign", sample, "--model", (fit / "model.koe").string(),
                                          "--new-theme", "0.3", "-q", "-o", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto counts = read_trends_csv(koe::test::slurp(out / "trends.csv"));
  std::size_t fresh = 0, all = 0;
  for (const auto& [key, n] : counts) {
    fresh += key.second == "new_theme" ? n : 0;
    all += n;
  }
  EXPECT_GT(fresh, 0U);
  EXPECT_EQ(all, 397U);  // the sample's kept voices, every one dated
  const auto alerts = nlohmann::json::parse(koe::test::slurp(out / "alerts.json"));
  EXPECT_EQ(alerts["untimed"], 0);
}

}  // namespace
