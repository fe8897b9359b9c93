// The parts of scoring on their own: period labels, decision words and files, label terms and the
// configuration tables.
#include <koe/decisions.hpp>
#include <koe/describe.hpp>
#include <koe/error.hpp>
#include <koe/score.hpp>
#include <koe/score_config.hpp>
#include <koe/trace.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using koe::period_unit;

std::string label(std::string_view timestamp, period_unit unit) {
  const auto p = koe::period_of(timestamp, unit);
  return p ? koe::period_label(*p, unit) : std::string("none");
}

TEST(ScoreParts, PeriodLabelsOfEachUnit) {
  EXPECT_EQ(label("2026-10-03", period_unit::day), "2026-10-03");
  EXPECT_EQ(label("2026/10/3", period_unit::day), "2026-10-03");
  EXPECT_EQ(label("2026-10-03T12:00:00+09:00", period_unit::month), "2026-10");
  EXPECT_EQ(label("2026-10", period_unit::day), "2026-10-01");
  EXPECT_EQ(label("2026-11-30", period_unit::quarter), "2026-Q4");
  EXPECT_EQ(label("2026-01-01", period_unit::quarter), "2026-Q1");
  EXPECT_EQ(label("2026-12-31", period_unit::year), "2026");
  EXPECT_EQ(label("1969-12-31", period_unit::month), "1969-12");
  EXPECT_EQ(label("1969-12-31", period_unit::quarter), "1969-Q4");
  EXPECT_EQ(label("1969-12-31", period_unit::day), "1969-12-31");
}

TEST(ScoreParts, WeekLabelsFollowIso8601AtYearEdges) {
  EXPECT_EQ(label("2026-10-03", period_unit::week), "2026-W40");
  // 2021-01-01 is a Friday: its week is the last of 2020, which has 53.
  EXPECT_EQ(label("2021-01-01", period_unit::week), "2020-W53");
  EXPECT_EQ(label("2021-01-04", period_unit::week), "2021-W01");
  // 2024-12-30 is a Monday whose Thursday is in 2025.
  EXPECT_EQ(label("2024-12-30", period_unit::week), "2025-W01");
  EXPECT_EQ(label("2024-12-29", period_unit::week), "2024-W52");
  EXPECT_EQ(label("2026-01-01", period_unit::week), "2026-W01");  // a Thursday
  EXPECT_EQ(label("2027-01-01", period_unit::week), "2026-W53");  // a Friday
  EXPECT_EQ(label("1970-01-01", period_unit::week), "1970-W01");
  EXPECT_EQ(label("1969-12-28", period_unit::week), "1969-W52");
}

TEST(ScoreParts, ConsecutivePeriodsHaveConsecutiveOrdinals) {
  for (auto unit : {period_unit::day, period_unit::week, period_unit::month, period_unit::quarter,
                    period_unit::year}) {
    const auto p = koe::period_of("2026-10-03", unit);
    ASSERT_TRUE(p);
    EXPECT_NE(koe::period_label(*p - 1, unit), koe::period_label(*p, unit));
  }
  EXPECT_EQ(
      koe::period_label(*koe::period_of("2026-01-15", period_unit::month) - 1, period_unit::month),
      "2025-12");
  EXPECT_EQ(
      koe::period_label(*koe::period_of("2026-01-01", period_unit::day) - 1, period_unit::day),
      "2025-12-31");
  // A day past the month's end counts on into the next month.
  EXPECT_EQ(koe::period_of("2026-02-31", period_unit::day),
            koe::period_of("2026-03-03", period_unit::day));
}

TEST(ScoreParts, TextsWithoutADateHaveNoPeriod) {
  for (const char* s : {"", "yesterday", "26-10-03", "2026-13-01", "2026-10-32", "2026"})
    EXPECT_FALSE(koe::period_of(s, period_unit::day)) << s;
}

TEST(ScoreParts, DecisionWordsAreOneTable) {
  for (const auto& w : koe::decision_words) {
    EXPECT_EQ(koe::to_string(w.status), w.english);
    EXPECT_EQ(koe::to_japanese(w.status), w.japanese);
  }
  const koe::reply_options ro;
  EXPECT_EQ(ro.adopted, "採用");
  EXPECT_EQ(ro.rejected, "見送り");
  EXPECT_EQ(ro.pending, "検討中");
  std::istringstream in("key,decision\na+b,採用\nc+d,REJECTED\ne+f,検討中\n");
  const auto d = koe::read_decisions(in, "d.csv");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].status, koe::decision_status::adopted);
  EXPECT_EQ(d[1].status, koe::decision_status::rejected);
  EXPECT_EQ(d[2].status, koe::decision_status::pending);
  std::istringstream undecided("key,decision\na+b,undecided\n");
  EXPECT_THROW((void)koe::read_decisions(undecided, "d.csv"), koe::error);
}

TEST(ScoreParts, DecisionsFileParseErrorNamesFileAndLine) {
  koe::test::temp_dir dir("koe_score_parts");
  const auto path = dir.path() / "decisions.csv";
  std::ofstream(path, std::ios::binary) << "key,decision,reason\n"
                                           "a+b,adopted,ok\n"
                                           "\n"
                                           "c+d,perhaps,not sure\n";
  try {
    (void)koe::read_decisions(path);
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_config);
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string() + ":4:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("perhaps"), std::string::npos) << msg;
  }
}

TEST(ScoreParts, LabelAndKeyChooseTheSameTerms) {
  const std::vector<koe::term_weight> terms = {
      {"ログイン画面", 1.0}, {"ログイン", 0.9}, {"エラー", 0.8}, {"表示", 0.7}, {"遅い", 0.6}};
  EXPECT_EQ(koe::label_terms(terms, 3),
            (std::vector<std::string>{"ログイン画面", "エラー", "表示"}));
  koe::cluster_description d;
  d.terms = terms;
  EXPECT_EQ(koe::cluster_key(d, 3), "エラー+ログイン画面+表示");
  // Capitals (kept when case folding is off) are folded in the key; the choice compares the
  // folded key term with the term as written, so WiFi設定 is not inside "wifi".
  const std::vector<koe::term_weight> latin = {{"WiFi", 1.0}, {"WiFi設定", 0.9}, {"遅い", 0.8}};
  EXPECT_EQ(koe::label_terms(latin, 2), (std::vector<std::string>{"WiFi", "遅い"}));
  EXPECT_EQ(koe::label_terms(latin, 2, true), (std::vector<std::string>{"wifi", "wifi設定"}));
}

TEST(ScoreParts, ConfigTablesEachSetTheirOptions) {
  const auto o = koe::parse_score_config(
      "[columns]\nrating = \"score\"\n"
      "[frequency]\nperiod = \"week\"\n"
      "[impact]\nconfidence = 0.9\n"
      "[difficulty]\ntop_terms = 5\n"
      "[adoption]\nimpact_weight = 3\n"
      "[quadrant]\nimpact_split = 0.4\n"
      "[small_clusters]\nshare = 0.1\n"
      "[decisions]\nkey_terms = 4\n"
      "[reply.decision_words]\nadopted = \"対応\"\n",
      "koe.toml");
  EXPECT_EQ(o.impact.rating_column, "score");
  EXPECT_EQ(o.frequency.period, period_unit::week);
  EXPECT_DOUBLE_EQ(o.impact.confidence, 0.9);
  EXPECT_EQ(o.difficulty.top_terms, 5u);
  EXPECT_DOUBLE_EQ(o.adoption.impact_weight, 3.0);
  EXPECT_DOUBLE_EQ(o.adoption.impact_split, 0.4);
  EXPECT_DOUBLE_EQ(o.adoption.small_share, 0.1);
  EXPECT_EQ(o.decisions.key_terms, 4u);
  EXPECT_EQ(o.reply.adopted, "対応");
  EXPECT_EQ(o.reply.rejected, "見送り");
  try {
    (void)koe::parse_score_config("[frequency]\n\nperiod = \"fortnight\"\n", "koe.toml");
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_NE(std::string(e.what()).find("koe.toml:3: frequency.period"), std::string::npos)
        << e.what();
  }
}

TEST(ScoreParts, ReplyTemplatesFillAndRejectUnknownPlaceholders) {
  EXPECT_EQ(koe::fill_reply("{label}: {{x}}", {{"label", "ログイン"}}), "ログイン: {x}");
  EXPECT_THROW((void)koe::fill_reply("{nope}", {}), koe::error);
}

}  // namespace
