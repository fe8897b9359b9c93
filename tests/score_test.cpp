#include <koe/assess.hpp>
#include <koe/error.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";

// One hand-made voice: its text, terms and metadata.
struct voice {
  std::string text;
  std::vector<std::string> terms;
  std::string rating{};
  std::string segment = "standard";
  std::string contributor = "user";
  std::string date = "2026-10-01";
};

// A hand-made cluster: its top terms (best first) and its voices.
struct group {
  std::vector<std::string> top;
  std::vector<voice> voices;
};

// Builds an analysis_result as the pipeline would leave it, without MeCab or k-means, so each
// signal can be checked on clusters whose contents are known exactly.
koe::analysis_result make_result(const std::vector<group>& groups) {
  koe::analysis_result r;
  r.input.source = "hand-made";
  r.input.meta_columns = {"rating", "segment", "contributor"};
  r.clusters.k = static_cast<int>(groups.size());
  std::size_t n = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    koe::cluster_description d;
    d.id = static_cast<int>(g);
    for (std::size_t i = 0; i < groups[g].top.size(); ++i)
      d.terms.push_back({groups[g].top[i], 1.0 / static_cast<double>(i + 1)});
    for (std::size_t i = 0; i < std::min<std::size_t>(3, groups[g].top.size()); ++i)
      d.label += (i ? "・" : "") + groups[g].top[i];
    for (const auto& v : groups[g].voices) {
      koe::document doc;
      doc.record = doc.line = n + 1;
      doc.id = "V" + std::to_string(n + 1);
      doc.text = v.text;
      doc.timestamp = v.date;
      doc.meta = {v.rating, v.segment, v.contributor};
      r.input.documents.push_back(doc);
      r.row_document.push_back(n);
      r.normalized.push_back(v.text);
      for (const auto& t : v.terms)
        r.terms.push(t);
      r.terms.end_row();
      r.clusters.assignment.push_back(static_cast<std::int32_t>(g));
      r.clusters.similarity.push_back(1.0f);
      r.clusters.noise.push_back(koe::noise_reason::none);
      if (d.representatives.size() < 3) d.representatives.push_back(n);
      ++n;
    }
    d.size = groups[g].voices.size();
    r.descriptions.push_back(d);
  }
  for (auto& d : r.descriptions)
    d.share = static_cast<double>(d.size) / static_cast<double>(n);
  return r;
}

std::vector<voice> repeat(const voice& v, std::size_t times) {
  std::vector<voice> out(times, v);
  for (std::size_t i = 0; i < times; ++i)
    out[i].contributor = v.contributor + std::to_string(i);
  return out;
}

const koe::candidate& by_cluster(const std::vector<koe::candidate>& c, int cluster) {
  return *std::find_if(c.begin(), c.end(),
                       [&](const koe::candidate& x) { return x.cluster == cluster; });
}

// Options with nothing but the signal under test switched on.
koe::score_options bare() {
  koe::score_options o;
  o.impact.negativity_weight = 0;
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_config);
    return e.what();
  }
  ADD_FAILURE() << "no koe::error thrown";
  return {};
}

fs::path temp_file(const std::string& name, const std::string& contents) {
  const fs::path dir = fs::temp_directory_path() / "koe_score_test";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << contents;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Frequency

TEST(Score, FrequencyCountsRepeatedVoicesAndDistinctContributors) {
  group a{{"解約"}, repeat({"解約したい", {"解約"}}, 6)};
  // The same person writing twice is two voices but one contributor.
  a.voices[1].contributor = a.voices[0].contributor;
  a.voices.push_back(a.voices[0]);
  group b{{"梱包"}, repeat({"梱包が多い", {"梱包"}}, 3)};
  auto o = bare();
  o.frequency.full_share = 1;  // both clusters are far above the default saturation
  const auto c = koe::score(make_result({a, b}), o);
  const auto& fa = by_cluster(c, 0).frequency;
  EXPECT_EQ(fa.voices, 7u);
  EXPECT_NEAR(fa.share, 0.7, 1e-12);
  EXPECT_TRUE(fa.has_contributors);
  EXPECT_EQ(fa.contributors, 5u);
  EXPECT_GT(by_cluster(c, 0).scores.frequency, by_cluster(c, 1).scores.frequency);
}

TEST(Score, GrowthComparesTheLatestPeriodShareWithThePreviousOne) {
  group rising{{"ログイン"}, {}}, steady{{"配送"}, {}};
  for (int i = 0; i < 8; ++i)
    rising.voices.push_back({"ログインできない",
                             {"ログインできない"},
                             "",
                             "standard",
                             "u",
                             i < 2 ? "2026-09-15" : "2026-10-15"});
  for (int i = 0; i < 20; ++i)
    steady.voices.push_back({"配送が遅い",
                             {"配送"},
                             "",
                             "standard",
                             "u",
                             i < 10 ? "2026/09/03" : "2026-10-08T10:00:00+09:00"});
  auto o = bare();
  o.frequency.full_share = 1;
  const auto c = koe::score(make_result({rising, steady}), o);
  const auto& f = by_cluster(c, 0).frequency;
  ASSERT_TRUE(f.has_growth);
  EXPECT_EQ(f.latest_period, "2026-10");
  EXPECT_EQ(f.previous_period, "2026-09");
  EXPECT_EQ(f.latest_voices, 6u);
  EXPECT_EQ(f.previous_voices, 2u);
  EXPECT_NEAR(f.latest_share, 6.0 / 16.0, 1e-12);
  EXPECT_NEAR(f.previous_share, 2.0 / 12.0, 1e-12);
  EXPECT_GT(f.growth, 1.5);
  EXPECT_LT(by_cluster(c, 1).frequency.growth, 1.0);

  o.frequency.growth_weight = 0;
  const auto flat = koe::score(make_result({rising, steady}), o);
  EXPECT_GT(by_cluster(c, 0).scores.frequency, by_cluster(flat, 0).scores.frequency);

  o.frequency.period = koe::period_unit::week;
  const auto weekly = koe::score(make_result({rising, steady}), o);
  // 2026-10-15 is a Thursday in ISO week 42; 2026-10-08 (the steady cluster) is in week 41.
  EXPECT_EQ(by_cluster(weekly, 0).frequency.latest_period, "2026-W42");
  EXPECT_EQ(by_cluster(weekly, 0).frequency.previous_period, "2026-W41");
}

TEST(Score, GrowthNeedsEnoughVoicesInTheTwoPeriods) {
  group tiny{{"ポイント"}, {{"ポイント", {"ポイント"}, "", "standard", "u", "2026-10-01"}}};
  group other{{"配送"}, repeat({"配送", {"配送"}, "", "standard", "u", "2026-09-01"}, 10)};
  const auto c = koe::score(make_result({tiny, other}), bare());
  EXPECT_FALSE(by_cluster(c, 0).frequency.has_growth);
  EXPECT_EQ(by_cluster(c, 0).frequency.growth, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Impact

TEST(Score, FiveExtremeVoicesDoNotOutrankFiveHundredWithAClearEffect) {
  group rest{{"量"}, {}}, big{{"配送"}, {}}, small{{"アプリ"}, {}};
  for (int i = 0; i < 1000; ++i)
    rest.voices.push_back({"量", {"量"}, std::to_string(3 + i % 3)});
  for (int i = 0; i < 500; ++i)
    big.voices.push_back({"配送", {"配送"}, std::to_string(1 + i % 3)});
  for (int i = 0; i < 5; ++i)
    small.voices.push_back({"アプリ", {"アプリ"}, "1"});
  auto o = bare();
  const auto c = koe::score(make_result({rest, big, small}), o);
  const auto& b = by_cluster(c, 1).impact;
  const auto& s = by_cluster(c, 2).impact;
  ASSERT_TRUE(b.has_rating);
  // The small cluster's raw gap is larger: only its wide interval keeps it below.
  EXPECT_GT(s.gap, b.gap);
  EXPECT_GT(b.gap_low, s.gap_low);
  EXPECT_GT(s.gap_high - s.gap_low, 5 * (b.gap_high - b.gap_low));
  EXPECT_GT(by_cluster(c, 1).scores.impact, by_cluster(c, 2).scores.impact);
  EXPECT_LT(by_cluster(c, 1).rank, by_cluster(c, 2).rank);
  EXPECT_EQ(by_cluster(c, 0).impact.rating_term, 0.0);  // rated better than the rest
}

// The rating interval against values computed outside koe, with SciPy, from the rule of
// docs/scoring.md (each group's sample variance floored at the variance of all ratings, Welch-
// Satterthwaite degrees of freedom, Student's t quantile):
//   va = max(var(a, ddof=1), var(all, ddof=1)); vr likewise; A = va/na; B = vr/nr
//   se = sqrt(A + B); df = (A + B)^2 / (A^2/(na-1) + B^2/(nr-1))
//   t = scipy.stats.t.ppf(1 - (1 - confidence)/2, df); gap = mean(rest) - mean(a)
//   low, high = gap -/+ t * se
struct welch_case {
  std::vector<int> cluster, rest;
  double confidence;
  bool higher_is_better;
  double gap, low, high;  // from SciPy 1.10, printed with repr()
  // koe's own t quantile agrees with SciPy's to 1e-12 at 38 degrees of freedom but only to about
  // 3e-9 at 4 to 6: the room each case allows.
  double tolerance;
};

std::vector<int> cycle(int from, int period, int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i)
    v.push_back(from + i % period);
  return v;
}

TEST(Score, RatingIntervalIsWelchWithAStudentQuantile) {
  const std::vector<welch_case> cases = {
      // Both variances floored, df = 38.
      {cycle(1, 2, 20), cycle(3, 3, 20), 0.95, true, 2.45, 1.5448085045710394, 3.355191495428961,
       1e-9},
      {cycle(1, 2, 20), cycle(3, 3, 20), 0.99, true, 2.45, 1.237548925220016, 3.6624510747799843,
       1e-9},
      // The cluster's own variance (4.8) is above the floor, df = 5.7736...; lower is better
      // flips the gap.
      {{1, 5, 1, 5, 1, 5},
       cycle(3, 2, 20),
       0.95,
       false,
       -0.5,
       -2.7913246353622143,
       1.7913246353622143,
       1e-8},
      // Five voices against a thousand, df = 4.0401...
      {{1, 1, 1, 1, 2},
       cycle(3, 3, 1000),
       0.90,
       true,
       2.7990000000000004,
       1.9993668720337605,
       3.5986331279662402,
       1e-8},
  };
  for (const auto& w : cases) {
    group a{{"a"}, {}}, b{{"b"}, {}};
    for (int r : w.cluster)
      a.voices.push_back({"a", {"a"}, std::to_string(r)});
    for (int r : w.rest)
      b.voices.push_back({"b", {"b"}, std::to_string(r)});
    auto o = bare();
    o.impact.confidence = w.confidence;
    o.impact.higher_rating_is_better = w.higher_is_better;
    const auto c = koe::score(make_result({a, b}), o);
    const auto& i = by_cluster(c, 0).impact;
    SCOPED_TRACE(std::to_string(w.cluster.size()) + " against " + std::to_string(w.rest.size()) +
                 " at " + std::to_string(w.confidence));
    EXPECT_NEAR(i.gap, w.gap, 1e-12);
    EXPECT_NEAR(i.gap_low, w.low, w.tolerance);
    EXPECT_NEAR(i.gap_high, w.high, w.tolerance);
  }
}

TEST(Score, SeverityMatchesTermsAndTheSurfaceOfMultiMorphemeEntries) {
  group money{{"請求"},
              {{"二重請求されています", {"二", "重", "請求"}},
               {"返金してほしい", {"返金"}},
               {"請求書が見たい", {"請求書"}}}};
  group calm{{"一生懸命"},
             {{"一生懸命作りました", {"一生懸命", "作る"}},
              {"おいしい", {"おいしい"}},
              {"楽しい", {"楽しい"}}}};
  auto o = bare();
  o.impact.severity = {{"二重請求", 3}, {"請求", 2}, {"返金", 3}, {"命", 3}};
  o.impact.rating_weight = 0;
  const auto c = koe::score(make_result({money, calm}), o);
  const auto& m = by_cluster(c, 0).impact;
  ASSERT_TRUE(m.has_severity);
  EXPECT_EQ(m.severe_voices, 2u);  // 請求書 is another term, and too short for the surface rule
  EXPECT_NEAR(m.severity_term, (1.0 + 1.0 + 0.0) / 3.0, 1e-12);
  std::map<std::string, std::size_t> hits(m.severity_hits.begin(), m.severity_hits.end());
  EXPECT_EQ(hits["二重請求"], 1u);
  EXPECT_EQ(hits["請求"], 1u);
  EXPECT_EQ(hits["返金"], 1u);
  // 命 is one character: never matched inside 一生懸命.
  EXPECT_EQ(by_cluster(c, 1).impact.severe_voices, 0u);
  EXPECT_GT(by_cluster(c, 0).scores.impact, by_cluster(c, 1).scores.impact);
}

TEST(Score, SegmentWeightsRaiseTheImpactOfPremiumClusters) {
  group premium{{"a"}, repeat({"a", {"a"}, "", "premium"}, 4)};
  group mixed{{"b"}, repeat({"b", {"b"}, "", "free"}, 4)};
  mixed.voices[0].segment = "premium";
  auto o = bare();
  o.impact.segment_weights = {{"premium", 2.0}};
  const auto c = koe::score(make_result({premium, mixed}), o);
  ASSERT_TRUE(by_cluster(c, 0).impact.has_segment);
  EXPECT_NEAR(by_cluster(c, 0).impact.segment_term, 1.0, 1e-12);
  EXPECT_NEAR(by_cluster(c, 1).impact.mean_segment_weight, 1.25, 1e-12);
  EXPECT_NEAR(by_cluster(c, 1).impact.segment_term, 0.25, 1e-12);
  EXPECT_GT(by_cluster(c, 0).scores.impact, by_cluster(c, 1).scores.impact);
  // Without weights the signal is absent, not zero for everyone.
  EXPECT_FALSE(by_cluster(koe::score(make_result({premium, mixed}), bare()), 0).impact.has_segment);
}

TEST(Score, NegativityIsTheShareOfVoicesWithANegatedTerm) {
  group neg{{"ログイン"},
            {{"ログインできない", {"ログイン", "できない"}},
             {"届かない", {"届かない"}},
             {"ない", {"ない"}},  // the bare auxiliary is not a negated term
             {"ログインした", {"ログイン", "する"}}}};
  koe::score_options o;
  o.impact.rating_weight = o.impact.severity_weight = 0;
  const auto c = koe::score(make_result({neg}), o);
  EXPECT_EQ(c[0].impact.negated_voices, 2u);
  EXPECT_NEAR(c[0].impact.negativity_term, 0.5, 1e-12);
  EXPECT_NEAR(c[0].scores.impact, 0.5, 1e-12);
}

TEST(Score, SmallButSevereClusterIsFlaggedAndKept) {
  group big{{"量"}, repeat({"量が少ない", {"量", "少ない"}}, 60)};
  group allergy{{"アレルギー"}, repeat({"アレルギー表示が違う", {"アレルギー", "表示"}}, 2)};
  auto o = bare();
  o.impact.severity = {{"アレルギー", 3}};
  const auto c = koe::score(make_result({big, allergy}), o);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(by_cluster(c, 1).small_high_impact);
  EXPECT_FALSE(by_cluster(c, 0).small_high_impact);
  const auto& reasons = by_cluster(c, 1).reasons;
  EXPECT_TRUE(std::any_of(reasons.begin(), reasons.end(), [](const std::string& s) {
    return s.find("少数でも影響度が高い") != std::string::npos;
  }));
}

TEST(Score, CriticalTermsAreTracedToTheClustersTheyFellInto) {
  group big{{"量"}, repeat({"量が少ない", {"量", "少ない"}}, 20)};
  for (int i = 0; i < 3; ++i)
    big.voices[static_cast<std::size_t>(i)].terms.push_back("アレルギー");
  group label{{"表示"}, repeat({"アレルギー表示", {"アレルギー", "表示"}}, 2)};
  auto o = bare();
  o.impact.severity = {{"アレルギー", 3}, {"少ない", 1}};
  const auto r = make_result({big, label});
  const auto c = koe::critical_signals(r, o);
  ASSERT_EQ(c.size(), 1u);  // 少ない weighs 1: not critical
  EXPECT_EQ(c[0].term, "アレルギー");
  EXPECT_EQ(c[0].voices, 5u);
  EXPECT_EQ(c[0].clusters, (std::vector<std::pair<int, std::size_t>>{{0, 3}, {1, 2}}));
  EXPECT_TRUE(koe::critical_signals(r, o, 6).empty());
}

// ---------------------------------------------------------------------------------------------
// Difficulty

std::vector<koe::difficulty_rule> sample_rules() {
  return {{koe::difficulty_level::low, {"表示", "文言"}, {}, "wording", ""},
          {koe::difficulty_level::medium, {"解約", "ボタン"}, {}, "one flow", ""},
          {koe::difficulty_level::high, {"アプリ"}, {"*連携", "api*", "?払い"}, "platform", ""}};
}

TEST(Score, RulesPickTheLevelWithMostMatchingTopTerms) {
  const auto rules = sample_rules();
  auto s = koe::rate_difficulty({"解約", "ボタン", "アプリ", "表示"}, rules);
  EXPECT_EQ(s.level, koe::difficulty_level::medium);
  EXPECT_EQ(s.matched_terms, (std::vector<std::string>{"解約", "ボタン"}));
  EXPECT_EQ(s.rule_reasons, (std::vector<std::string>{"one flow"}));
  // One term each: the tie goes to the higher effort.
  EXPECT_EQ(koe::rate_difficulty({"表示", "アプリ"}, rules).level, koe::difficulty_level::high);
  EXPECT_EQ(koe::rate_difficulty({"表示", "解約"}, rules).level, koe::difficulty_level::medium);
}

TEST(Score, RulePatternsAreGlobsOverTheWholeTerm) {
  const auto rules = sample_rules();
  EXPECT_EQ(koe::rate_difficulty({"line連携"}, rules).level, koe::difficulty_level::high);
  EXPECT_EQ(koe::rate_difficulty({"API連携"}, rules).level, koe::difficulty_level::high);
  EXPECT_EQ(koe::rate_difficulty({"d払い"}, rules).level, koe::difficulty_level::high);
  EXPECT_EQ(koe::rate_difficulty({"コンビニ払い"}, rules).level, koe::difficulty_level::unknown);
  EXPECT_EQ(koe::rate_difficulty({"連携する"}, rules).level, koe::difficulty_level::unknown);
  EXPECT_TRUE(koe::glob_match("*", ""));
  EXPECT_TRUE(koe::glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(koe::glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(koe::glob_match("??", "配送"));  // ? is one character, not one byte
  EXPECT_FALSE(koe::glob_match("?", "配送"));
}

TEST(Score, ClusterMatchedByNoRuleIsUnknownNeverLow) {
  group g{{"天気", "雨"}, repeat({"雨", {"雨"}}, 3)};
  auto o = bare();
  o.difficulty.rules = sample_rules();
  const auto c = koe::score(make_result({g}), o);
  EXPECT_EQ(c[0].difficulty.level, koe::difficulty_level::unknown);
  EXPECT_EQ(c[0].scores.difficulty, o.difficulty.unknown);
  EXPECT_GT(c[0].scores.difficulty, o.difficulty.low);
  EXPECT_GT(c[0].scores.difficulty, o.adoption.difficulty_split);  // not a quick win by default
  EXPECT_NE(c[0].reasons[2].find("未判定"), std::string::npos);
}

TEST(Score, OverrideFoundByKeyFixesTheLevel) {
  group g{{"解約", "ボタン", "電話"}, repeat({"解約", {"解約"}}, 3)};
  auto o = bare();
  o.difficulty.rules = sample_rules();
  // Written for an earlier run whose key shared two of three terms.
  o.difficulty.overrides = {{"解約+電話+退会", koe::difficulty_level::high, "基幹の改修が要る"}};
  const auto c = koe::score(make_result({g}), o);
  EXPECT_EQ(c[0].key, "ボタン+解約+電話");
  EXPECT_TRUE(c[0].difficulty.overridden);
  EXPECT_EQ(c[0].difficulty.level, koe::difficulty_level::high);
  EXPECT_EQ(c[0].scores.difficulty, o.difficulty.high);
  o.difficulty.overrides = {{"退会+電話+窓口", koe::difficulty_level::high, ""}};
  EXPECT_FALSE(koe::score(make_result({g}), o)[0].difficulty.overridden);
}

// ---------------------------------------------------------------------------------------------
// Adoption and quadrants

TEST(Score, AdoptionIsTheWeightedMeanOfTheScores) {
  group g{{"解約"}, repeat({"解約できない", {"解約", "できない"}}, 4)};
  koe::score_options o;
  o.adoption = {.frequency_weight = 1,
                .impact_weight = 2,
                .ease_weight = 1,
                .min_frequency = 0.9,
                .min_impact = 0.1,
                .max_difficulty = 1};
  const auto c = koe::score(make_result({g}), o);
  const auto& s = c[0].scores;
  EXPECT_NEAR(s.adoption, (s.frequency + 2 * s.impact + (1 - s.difficulty)) / 4, 1e-12);
  EXPECT_EQ(c[0].rank, 1u);
  EXPECT_EQ(c[0].recommended, s.frequency >= 0.9);
}

TEST(Score, QuadrantsSplitImpactAndDifficulty) {
  group hi_easy{{"表示"}, repeat({"表示できない", {"表示", "できない"}}, 5)};
  group hi_hard{{"アプリ"}, repeat({"アプリが使えない", {"アプリ", "使えない"}}, 5)};
  group lo_easy{{"文言"}, repeat({"文言", {"文言"}}, 5)};
  group lo_hard{{"api連携"}, repeat({"api連携", {"api連携"}}, 5)};
  koe::score_options o;
  o.impact.rating_weight = o.impact.severity_weight = 0;
  o.difficulty.rules = sample_rules();
  const auto c = koe::score(make_result({hi_easy, hi_hard, lo_easy, lo_hard}), o);
  EXPECT_EQ(by_cluster(c, 0).quad, koe::quadrant::quick_win);
  EXPECT_EQ(by_cluster(c, 1).quad, koe::quadrant::big_bet);
  EXPECT_EQ(by_cluster(c, 2).quad, koe::quadrant::fill_in);
  EXPECT_EQ(by_cluster(c, 3).quad, koe::quadrant::reconsider);
  EXPECT_STREQ(koe::to_string(koe::quadrant::quick_win), "quick_win");
}

TEST(Score, EveryScoreCarriesAReason) {
  const auto r = make_result(
      {{{"解約"}, repeat({"解約", {"解約"}, "1"}, 4)}, {{"量"}, repeat({"量", {"量"}, "4"}, 4)}});
  const auto c = koe::score(r, koe::default_score_options());
  for (const auto& x : c) {
    ASSERT_GE(x.reasons.size(), 5u);
    EXPECT_EQ(x.reasons[0].rfind("頻度", 0), 0u);
    EXPECT_EQ(x.reasons[1].rfind("影響度", 0), 0u);
    EXPECT_EQ(x.reasons[2].rfind("難易度", 0), 0u);
    EXPECT_EQ(x.reasons[3].rfind("採用スコア", 0), 0u);
  }
  EXPECT_NE(by_cluster(c, 0).reasons[1].find("解約×4"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Configuration

TEST(Score, ExampleConfigurationLoads) {
  const auto o = koe::load_score_config(KOE_DATA_DIR "/koe.toml");
  EXPECT_EQ(o.impact.segment_weights.at("premium"), 2.0);
  EXPECT_EQ(o.adoption.impact_weight, 2.0);
  EXPECT_EQ(o.frequency.period, koe::period_unit::month);
  ASSERT_EQ(o.difficulty.overrides.size(), 1u);
  EXPECT_EQ(o.difficulty.overrides[0].level, koe::difficulty_level::medium);
  EXPECT_GT(o.impact.severity.size(), 100u);
  EXPECT_GE(o.difficulty.rules.size(), 5u);
  EXPECT_EQ(o.reply.adopted, "採用");
}

TEST(Score, ConfigWithAnUnknownKeyNamesTheKeyAndTheLine) {
  const std::string text = "[frequency]\nperiod = \"week\"\n\n[impact]\nconfidense = 0.9\n";
  const std::string msg = error_of([&] { (void)koe::parse_score_config(text, "koe.toml"); });
  EXPECT_NE(msg.find("koe.toml:5:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("impact.confidense"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'confidence'"), std::string::npos) << msg;
  const std::string top = error_of([&] { (void)koe::parse_score_config("[adopt]\n", "k.toml"); });
  EXPECT_NE(top.find("k.toml:1: adopt: unknown key"), std::string::npos) << top;
}

TEST(Score, ConfigWithABadValueNamesTheKeyAndTheLine) {
  auto msg = error_of([] {
    (void)koe::parse_score_config("# weights\n[adoption]\n\nimpact_weight = \"high\"\n", "c.toml");
  });
  EXPECT_NE(msg.find("c.toml:4: adoption.impact_weight: expected a number"), std::string::npos)
      << msg;
  msg = error_of([] { (void)koe::parse_score_config("[impact]\nconfidence = 1.5\n", "c.toml"); });
  EXPECT_NE(msg.find("c.toml:2: impact.confidence"), std::string::npos) << msg;
  msg =
      error_of([] { (void)koe::parse_score_config("[frequency]\nperiod = \"fortnight\"\n", "c"); });
  EXPECT_NE(msg.find("c:2: frequency.period"), std::string::npos) << msg;
  msg = error_of([] {
    (void)koe::parse_score_config("[[difficulty.override]]\nkey = \"a+b\"\nlevel = \"hard\"\n",
                                  "c");
  });
  EXPECT_NE(msg.find("c:3: difficulty.override.level"), std::string::npos) << msg;
  msg =
      error_of([] { (void)koe::parse_score_config("[reply]\n\ntemplate = \"{name}様\"\n", "c"); });
  EXPECT_NE(msg.find("c:3: reply.template"), std::string::npos) << msg;
  EXPECT_NE(msg.find("{name}"), std::string::npos) << msg;
  msg = error_of([] { (void)koe::parse_score_config("[impact\n", "c.toml"); });
  EXPECT_NE(msg.find("c.toml:1:"), std::string::npos) << msg;
}

TEST(Score, ConfigExtendsTheLexiconAndTheRules) {
  const auto o = koe::parse_score_config(
      "[impact.severity]\n\"重い\" = 2\n\"解約\" = 0\n"
      "[[difficulty.rule]]\nlevel = \"low\"\npatterns = [\"*表示\"]\nreason = \"label\"\n",
      "koe.toml");
  auto find = [&](const std::string& t) {
    return std::find_if(o.impact.severity.begin(), o.impact.severity.end(),
                        [&](const koe::severity_entry& e) { return e.term == t; });
  };
  ASSERT_NE(find("重い"), o.impact.severity.end());
  EXPECT_EQ(find("重い")->weight, 2);
  EXPECT_EQ(find("解約"), o.impact.severity.end());
  EXPECT_EQ(o.difficulty.rules.back().level, koe::difficulty_level::low);
  EXPECT_EQ(o.difficulty.rules.back().source, "koe.toml:4");
  EXPECT_EQ(koe::rate_difficulty({"アレルギー表示"}, o.difficulty.rules).level,
            koe::difficulty_level::low);
}

TEST(Score, BundledRulesAndLexiconParse) {
  const auto rules = koe::read_difficulty_rules(KOE_DATA_DIR "/difficulty-rules.toml");
  ASSERT_FALSE(rules.empty());
  EXPECT_EQ(koe::rate_difficulty({"アプリ", "落ちる"}, rules).level, koe::difficulty_level::high);
  EXPECT_EQ(koe::rate_difficulty({"paypay"}, rules).level, koe::difficulty_level::high);
  const auto lex = koe::read_severity_lexicon(KOE_DATA_DIR "/severity-ja.txt");
  EXPECT_EQ(lex.size(), 136u);
  const auto bad = temp_file("bad-lexicon.txt", "# c\n解約\t3\n返金\t9\n");
  const std::string msg = error_of([&] { (void)koe::read_severity_lexicon(bad); });
  EXPECT_NE(msg.find("bad-lexicon.txt:3:"), std::string::npos) << msg;
}

// ---------------------------------------------------------------------------------------------
// Keys and decisions

TEST(Score, ClusterKeyIsTheSortedTopTermsAndOverlapIsJaccard) {
  koe::cluster_description d;
  d.terms = {{"ログイン", 3}, {"ログイン画面", 2}, {"できない", 1.5}, {"PW", 1}, {"出る", 0.5}};
  // ログイン画面 contains ログイン, so it is skipped as in the label.
  EXPECT_EQ(koe::cluster_key(d), "pw+できない+ログイン");
  EXPECT_DOUBLE_EQ(koe::key_overlap("a+b+c", "c+b+a"), 1.0);
  EXPECT_DOUBLE_EQ(koe::key_overlap("a+b+c", "a+b+d"), 0.5);
  EXPECT_DOUBLE_EQ(koe::key_overlap("a + b＋c", "a+b+c"), 1.0);
  EXPECT_DOUBLE_EQ(koe::key_overlap("a+b+c", "d+e"), 0.0);
}

TEST(Score, DecisionsFileAcceptsEnglishAndJapaneseWords) {
  std::istringstream in(
      "\xEF\xBB\xBFkey,decision,reason,date\r\n"
      "手続き+解約+電話,adopted,\"解約導線を追加する, 11月中\",2026-11-05\r\n"
      "アプリ+落ちる,見送り,,\r\n"
      ",,,\r\n"
      "ゴミ+梱包,検討中,,2026-11-01\r\n");
  const auto d = koe::read_decisions(in, "decisions.csv");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].status, koe::decision_status::adopted);
  EXPECT_EQ(d[0].reason, "解約導線を追加する, 11月中");
  EXPECT_EQ(d[0].date, "2026-11-05");
  EXPECT_EQ(d[0].line, 2u);
  EXPECT_EQ(d[1].status, koe::decision_status::rejected);
  EXPECT_EQ(d[2].status, koe::decision_status::pending);
  EXPECT_EQ(d[2].line, 5u);
}

TEST(Score, DecisionsFileErrorsNameTheLine) {
  std::istringstream bad("key,decision\na+b,adopted\nc+d,maybe\n");
  auto msg = error_of([&] { (void)koe::read_decisions(bad, "decisions.csv"); });
  EXPECT_NE(msg.find("decisions.csv:3:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("maybe"), std::string::npos) << msg;
  std::istringstream no_column("key,status\na+b,adopted\n");
  msg = error_of([&] { (void)koe::read_decisions(no_column, "d.csv"); });
  EXPECT_NE(msg.find("'decision' column"), std::string::npos) << msg;
  std::istringstream no_key("cluster,decision\na+b,adopted\n");
  msg = error_of([&] { (void)koe::read_decisions(no_key, "d.csv"); });
  EXPECT_NE(msg.find("key"), std::string::npos) << msg;
}

TEST(Score, DecisionsMatchByOverlapAndUnmatchedOnesAreReturned) {
  const auto r = make_result(
      {{{"解約", "電話", "手続き"}, repeat({"解約", {"解約"}}, 3)},
       {{"ログイン", "できない", "アカウント"}, repeat({"ログイン", {"ログイン"}}, 3)}});
  auto c = koe::score(r, bare());
  const std::vector<koe::decision> d = {
      {"手続き+解約+退会", koe::decision_status::adopted, "導線を追加", "2026-11-01", 2, 0},
      {"配送+遅延+遅い", koe::decision_status::rejected, "", "", 3, 0},
      {"できない+ログイン+アカウント", koe::decision_status::pending, "", "", 4, 0},
      {"アカウント+ログイン+できない", koe::decision_status::rejected, "外部認証待ち", "", 5, 0}};
  const auto unmatched = koe::apply_decisions(c, d);
  EXPECT_EQ(by_cluster(c, 0).decision.status, koe::decision_status::adopted);
  EXPECT_DOUBLE_EQ(by_cluster(c, 0).decision.overlap, 0.5);
  // The later row with the same key terms replaces the earlier one.
  EXPECT_EQ(by_cluster(c, 1).decision.status, koe::decision_status::rejected);
  EXPECT_EQ(by_cluster(c, 1).decision.line, 5u);
  ASSERT_EQ(unmatched.size(), 1u);
  EXPECT_EQ(unmatched[0].line, 3u);
}

TEST(Score, DecisionsCarryAcrossARerunWithAnotherSeed) {
  koe::pipeline_options po;
  po.cluster.k = 15;
  po.cluster.seed = 1234;
  const auto first = koe::pipeline(po).run(sample);
  const auto opt = koe::default_score_options();
  const auto before = koe::score(first, opt);
  auto with_term = [](const std::vector<koe::candidate>& c, const std::string& term) {
    return std::find_if(c.begin(), c.end(), [&](const koe::candidate& x) {
      return ("+" + x.key + "+").find("+" + term + "+") != std::string::npos;
    });
  };
  const auto cancel = with_term(before, "解約");
  const auto login = with_term(before, "ログイン");
  ASSERT_NE(cancel, before.end());
  ASSERT_NE(login, before.end());
  const std::vector<koe::decision> decided = {
      {cancel->key, koe::decision_status::adopted, "解約導線を見直す", "2026-11-05", 2, 0},
      {login->key, koe::decision_status::rejected, "認証基盤の更新待ち", "2026-11-05", 3, 0}};

  po.cluster.seed = 7;
  const auto second = koe::pipeline(po).run(sample);
  const auto a = koe::assess(second, opt, decided);
  EXPECT_TRUE(a.unmatched_decisions.empty());
  std::map<koe::decision_status, const koe::candidate*> got;
  for (const auto& c : a.candidates)
    if (c.decision.status != koe::decision_status::undecided) got[c.decision.status] = &c;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[koe::decision_status::adopted]->key.find("解約"), std::string::npos);
  EXPECT_NE(got[koe::decision_status::rejected]->key.find("ログイン"), std::string::npos);
  // The decision reaches each voice of the cluster in the trace.
  std::size_t adopted_rows = 0;
  for (const auto& t : a.trace)
    adopted_rows += t.decision == koe::decision_status::adopted ? 1 : 0;
  EXPECT_EQ(adopted_rows, got[koe::decision_status::adopted]->frequency.voices);
}

// ---------------------------------------------------------------------------------------------
// Trace and replies

TEST(Score, TraceHasOneRowPerInputRecord) {
  koe::pipeline_options po;
  po.cluster.k = 15;
  const auto r = koe::pipeline(po).run(sample);
  const auto a = koe::assess(r, koe::default_score_options());
  ASSERT_EQ(a.trace.size(), r.input.read());
  ASSERT_EQ(a.trace.size(), 400u);
  std::size_t replies = 0, empty = 0, noise = 0;
  const int contributor = r.input.meta_index("contributor");
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    const auto& t = a.trace[i];
    const std::string_view reply = a.trace.replies[i];
    const auto& d = r.input.documents[i];
    EXPECT_EQ(t.status, d.status);
    if (d.status != koe::record_status::kept) {
      ++empty;
      EXPECT_FALSE(t.clustered);
      EXPECT_TRUE(reply.empty());
      continue;
    }
    noise += t.clustered ? 0 : 1;
    EXPECT_EQ(!reply.empty(), !d.meta[static_cast<std::size_t>(contributor)].empty()) << d.id;
    replies += reply.empty() ? 0 : 1;
    if (t.clustered) {
      EXPECT_GE(t.rank, 1u);
      EXPECT_FALSE(a.label_of(t).empty());
    }
  }
  EXPECT_EQ(empty, 3u);
  EXPECT_GT(replies, 300u);
  EXPECT_LT(replies, 397u);  // 30 rows have no contributor
  EXPECT_GT(noise + empty, 0u);
}

TEST(Score, ReplyDraftsFillThePlaceholders) {
  group g{{"解約", "電話"}, repeat({"解約\nしたいのに\t電話がつながらない", {"解約"}}, 3)};
  g.voices[2].contributor = "";
  const auto r = make_result({g});
  koe::score_options o = bare();
  auto c = koe::score(r, o);
  (void)koe::apply_decisions(c, {{c[0].key, koe::decision_status::adopted,
                                  "アプリ内で解約できるようにします。", "", 1, 0}});
  const auto t = koe::trace(r, c, o);
  ASSERT_EQ(t.size(), 3u);
  ASSERT_EQ(t.replies.size(), 3u);
  EXPECT_EQ(t.replies[0],
            "ご意見『解約 したいのに 電話がつながらない』は『解約・電話』についての声 3 "
            "件とともに検討し、採用となりました。アプリ内で解約できるようにします。");
  EXPECT_TRUE(t.replies[2].empty());  // no contributor, nobody to reply to

  o.reply.voice_chars = 4;
  o.reply.decided_template = "{{{id}}} {voice} → {decision}（{count}件）";
  EXPECT_EQ(koe::trace(r, c, o).replies[0], "{V1} 解約 し… → 採用（3件）");
  EXPECT_THROW((void)koe::fill_reply("{oops}", {}), koe::error);
  EXPECT_EQ(koe::fill_reply("{a}{{b}}", {{"a", "x"}}), "x{b}");
}

TEST(Score, UndecidedClustersGetThePendingWording) {
  group g{{"梱包"}, repeat({"梱包が多い", {"梱包"}}, 2)};
  const auto r = make_result({g});
  const auto c = koe::score(r, bare());
  EXPECT_EQ(koe::trace(r, c, bare()).replies[0],
            "ご意見『梱包が多い』は『梱包』についての声 2 件とともに、現在検討中です。");
}

TEST(Score, ScoresAreDeterministic) {
  // Two runs of the pipeline at different thread counts, each scored in an arena of another
  // size: the candidates come out byte for byte the same.
  koe::pipeline_options po;
  po.cluster.k = 12;
  po.threads = 1;
  const auto r1 = koe::pipeline(po).run(sample);
  po.threads = 4;
  const auto r2 = koe::pipeline(po).run(sample);
  const auto opt = koe::default_score_options();
  koe::adoption_result a1, a2;
  tbb::task_arena(1).execute([&] { a1 = koe::assess(r1, opt); });
  tbb::task_arena(8).execute([&] { a2 = koe::assess(r2, opt); });
  koe::report_options ro;
  ro.adoption = &a1;
  std::ostringstream j1, j2;
  koe::write_report(j1, r1, koe::report_format::candidates_json, ro);
  ro.adoption = &a2;
  koe::write_report(j2, r2, koe::report_format::candidates_json, ro);
  EXPECT_EQ(j1.str(), j2.str());
  ASSERT_GT(a1.candidates.size(), 1u);
  for (std::size_t i = 1; i < a1.candidates.size(); ++i)
    EXPECT_GE(a1.candidates[i - 1].scores.adoption, a1.candidates[i].scores.adoption);
}

TEST(Score, NotesNameTheMissingSignals) {
  koe::analysis_result r = make_result({{{"a"}, repeat({"a", {"a"}}, 3)}});
  r.input.meta_columns = {"x", "y", "z"};
  koe::document_table untimed;
  for (const auto& d : r.input.documents) {
    koe::document x = d.to_document();
    x.timestamp.clear();
    untimed.push_back(x);
  }
  r.input.documents = std::move(untimed);
  const auto notes = koe::signal_notes(r, koe::score_options{});
  auto has = [&](const std::string& s) {
    return std::any_of(notes.begin(), notes.end(),
                       [&](const std::string& n) { return n.find(s) != std::string::npos; });
  };
  EXPECT_TRUE(has("評価の列"));
  EXPECT_TRUE(has("深刻語の辞書が空"));
  EXPECT_TRUE(has("伸び"));
  EXPECT_TRUE(has("投稿者の列"));
  EXPECT_TRUE(has("難易度のルールが空"));
}

// ---------------------------------------------------------------------------------------------
// Explicit inputs

TEST(Score, ScoreInputOfARunScoresAsTheRunDoes) {
  const auto r = make_result({{{"解約", "電話"}, repeat({"解約したい", {"解約"}, "2"}, 4)},
                              {{"ログイン"}, repeat({"ログインできない", {"ログイン"}, "4"}, 3)}});
  auto o = bare();
  o.impact.severity = {{"解約", 2}};
  const koe::score_input in = koe::score_input_of(r);
  EXPECT_EQ(in.rows(), 7u);
  EXPECT_EQ(in.clusters.size(), 2u);
  const auto a = koe::score(r, o), b = koe::score(in, o);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].cluster, b[i].cluster);
    EXPECT_EQ(a[i].reasons, b[i].reasons);
  }
  const koe::scored_clusters all = koe::score_clusters(in, o);
  ASSERT_EQ(all.candidates.size(), a.size());
  EXPECT_EQ(all.candidates[0].reasons, a[0].reasons);
  EXPECT_EQ(all.notes, koe::signal_notes(r, o));
}

TEST(Score, SurfaceEntriesAreFoundAlikeInKeptTextsRawTextsAndPhraseHits) {
  const auto r = make_result({{{"請求"},
                               {{"二重請求されています", {"二", "重", "請求"}},
                                {"ありえない二重請求", {"ありえる", "ない"}},
                                {"請求書", {"請求書"}}}}});
  auto o = bare();
  o.impact.severity = {{"二重請求", 3}, {"ありえない", 2}};
  o.impact.rating_weight = 0;
  auto hits_of = [&](const koe::score_input& in) {
    const auto c = koe::score(in, o);
    return std::make_pair(c.at(0).impact.severity_hits, c.at(0).impact.severity_term);
  };
  koe::score_input kept = koe::score_input_of(r);
  const auto expected = hits_of(kept);
  ASSERT_EQ(expected.first.size(), 2u);
  EXPECT_EQ(expected.first[0], (std::pair<std::string, std::size_t>{"二重請求", 2}));

  koe::score_input raw = kept;  // texts gone, no phrase hits: the raw texts are normalized again
  raw.normalized = nullptr;
  EXPECT_EQ(hits_of(raw), expected);

  // Texts gone, the pipeline's phrase hits read instead (phrases in another order).
  const std::vector<std::string> phrases = {"ありえない", "二重請求"};
  const std::vector<std::pair<std::size_t, std::uint32_t>> spotted = {{0, 1}, {1, 0}, {1, 1}};
  koe::score_input hits = raw;
  hits.phrases = phrases;
  hits.phrase_hits = spotted;
  EXPECT_EQ(hits_of(hits), expected);
}

}  // namespace
