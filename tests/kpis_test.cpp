// The three KPIs on hand-counted corpora: participation (new and returning contributors over three
// months), adoption rates and median days to adoption on a hand-built history, satisfaction of
// the contributors whose voice fed an adopted change against the others, missing columns, and
// kpis.csv and the report's section.
#include <koe/programme.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>

#include "detail/programme.hpp"
#include "detail/report.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace {

// One kept voice: its date, the index of its cluster (-1 = noise), contributor and rating.
struct voice {
  const char* date;
  int cluster;
  const char* contributor;
  const char* rating;
};

// A corpus and the score_input over it, every voice kept; cluster i has the stable id `ids[i]`.
struct hand_input {
  koe::corpus records;
  std::vector<std::size_t> row_document;
  std::vector<std::int32_t> assignment;
  std::vector<koe::cluster_description> clusters;

  hand_input(const std::vector<voice>& voices, const std::vector<int>& ids,
             std::vector<std::string> columns) {
    records.meta_columns = std::move(columns);
    for (std::size_t i = 0; i < voices.size(); ++i) {
      koe::document d;
      d.record = i + 1;
      d.line = i + 2;
      d.id = "V" + std::to_string(i + 1);
      d.text = "声";
      d.timestamp = voices[i].date;
      for (const std::string& c : records.meta_columns)
        d.meta.push_back(c == "contributor" ? voices[i].contributor : voices[i].rating);
      records.documents.push_back(d);
      row_document.push_back(i);
      assignment.push_back(voices[i].cluster);
    }
    for (const int id : ids) {
      koe::cluster_description c;
      c.id = id;
      clusters.push_back(c);
    }
  }

  [[nodiscard]] koe::score_input in() const {
    koe::score_input in;
    in.records = &records;
    in.row_document = row_document;
    in.assignment = assignment;
    in.clusters = clusters;
    return in;
  }
};

// A candidate of cluster `id` and its state: at `stage`, adopted on `adopted_on`.
struct history {
  std::vector<koe::candidate> candidates;
  std::vector<koe::stage_state> stages;

  void add(int id, koe::decision_status stage, const char* adopted_on = "") {
    koe::candidate c;
    c.cluster = id;
    candidates.push_back(c);
    koe::stage_state s;
    s.cluster = id;
    s.stage = stage;
    s.adopted_on = adopted_on;
    stages.push_back(s);
  }
};

const std::vector<std::string> both_columns = {"contributor", "rating"};

std::vector<koe::kpi_row> kpis_of(const hand_input& h, const history& past) {
  return koe::detail::programme_kpis(h.in(), past.candidates, past.stages, koe::score_options{});
}

std::vector<std::string> periods_of(const std::vector<koe::kpi_row>& rows) {
  std::vector<std::string> out;
  for (const auto& k : rows)
    out.push_back(k.period);
  return out;
}

std::string csv_of(const std::vector<koe::kpi_row>& rows) {
  koe::programme_result p;
  p.kpis = rows;
  std::ostringstream out;
  koe::write_kpis_csv(out, p);
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

bool has_note(const koe::kpi_row& k, const std::string& text) {
  for (const auto& n : k.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

TEST(Kpis, ParticipationCountsNewAndReturningContributorsOverThreeMonths) {
  const hand_input h({{"2026-01-05", 0, "a", ""},
                      {"2026-01-10", 0, "b", ""},
                      {"2026-01-20", -1, "a", ""},
                      {"2026-02-03", 0, "a", ""},
                      {"2026-02-04", 0, "c", ""},
                      {"2026-02-05", 0, "", ""},  // no contributor
                      {"2026-03-01", 0, "b", ""},
                      {"2026-03-02", 0, " c ", ""},  // the same c
                      {"2026-03-03", 0, "d", ""},
                      {"", 0, "e", ""}},  // no date: only in "all"
                     {7}, both_columns);
  const auto k = kpis_of(h, {});
  ASSERT_EQ(periods_of(k), (std::vector<std::string>{"2026-01", "2026-02", "2026-03", "all"}));
  auto expect = [&k](std::size_t i, std::size_t voices, std::size_t people, std::size_t fresh,
                     std::size_t back, double per) {
    SCOPED_TRACE(k[i].period);
    EXPECT_TRUE(k[i].has_contributors);
    EXPECT_EQ(k[i].voices, voices);
    EXPECT_EQ(k[i].contributors, people);
    EXPECT_EQ(k[i].new_contributors, fresh);
    EXPECT_EQ(k[i].returning_contributors, back);
    EXPECT_DOUBLE_EQ(k[i].voices_per_contributor, per);
  };
  expect(0, 3, 2, 2, 0, 1.5);  // a, b
  expect(1, 3, 2, 1, 1, 1.0);  // c new, a back; the voice without a contributor is not counted
  expect(2, 3, 3, 1, 2, 1.0);  // d new, b and c back
  // The whole run: everyone is new to it; returning = wrote in two periods or more (a, b, c).
  expect(3, 10, 5, 5, 3, 9.0 / 5.0);
  EXPECT_TRUE(has_note(k[3], "日時のない声 1 件"));
  EXPECT_FALSE(has_note(k[2], "日時のない声"));
}

TEST(Kpis, AdoptionRatesAndMedianDaysFollowTheHistory) {
  // Clusters 10 (adopted 2026-02-15), 20 (提供開始, adopted 2026-01-10), 30 (pending),
  // 40 (adopted, no date), 50 (adopted 2026-02-20).
  history past;
  past.add(10, koe::decision_status::adopted, "2026-02-15");
  past.add(20, koe::decision_status::launched, "2026-01-10");
  past.add(30, koe::decision_status::pending);
  past.add(40, koe::decision_status::adopted);
  past.add(50, koe::decision_status::adopted, "2026-02-20");
  const hand_input h({{"2026-01-05", 0, "", ""},
                      {"2026-01-25", 0, "", ""},
                      {"2026-01-20", 1, "", ""},
                      {"2026-01-02", 2, "", ""},
                      {"2026-01-03", -1, "", ""},
                      {"2026-02-01", 0, "", ""},
                      {"2026-02-10", 2, "", ""},
                      {"2026-02-10", 4, "", ""},
                      {"2026-03-01", 1, "", ""},
                      {"2026-03-05", 3, "", ""},
                      {"2026-03-02", -1, "", ""}},
                     {10, 20, 30, 40, 50}, {});
  const auto k = kpis_of(h, past);
  ASSERT_EQ(k.size(), 4U);
  auto expect = [&k](std::size_t i, std::size_t clusters, std::size_t adopted,
                     std::size_t adopted_voices, std::size_t voices) {
    SCOPED_TRACE(k[i].period);
    EXPECT_EQ(k[i].voices, voices);
    EXPECT_EQ(k[i].clusters, clusters);
    EXPECT_EQ(k[i].adopted_clusters, adopted);
    EXPECT_DOUBLE_EQ(k[i].cluster_adoption_rate, double(adopted) / double(clusters));
    EXPECT_EQ(k[i].adopted_voices, adopted_voices);
    EXPECT_DOUBLE_EQ(k[i].voice_adoption_rate, double(adopted_voices) / double(voices));
  };
  expect(0, 3, 2, 3, 5);   // 10, 20 adopted of 10, 20, 30; noise is a voice but no cluster
  expect(1, 3, 2, 2, 3);   // 10, 50 of 10, 30, 50
  expect(2, 2, 2, 2, 3);   // 20, 40
  expect(3, 5, 4, 7, 11);  // the whole run
  // January: 10 from 01-05 to 02-15 = 41 days; 20 was adopted before its first January voice.
  EXPECT_EQ(k[0].median_days_to_adoption.value_or(-1), 41.0);
  // February: 10 from 02-01 (14 days) and 50 from 02-10 (10 days).
  EXPECT_EQ(k[1].median_days_to_adoption.value_or(-1), 12.0);
  // March: 20 adopted before, 40 without a date.
  EXPECT_FALSE(k[2].median_days_to_adoption.has_value());
  // The run: 10 from 01-05 (41) and 50 from 02-10 (10).
  EXPECT_EQ(k[3].median_days_to_adoption.value_or(-1), 25.5);
}

// Cluster 10 adopted on 2026-02-15, cluster 20 pending; a's January voice fed the adoption.
hand_input heard_input() {
  return hand_input({{"2026-01-10", 0, "a", "2"},
                     {"2026-01-12", 1, "b", "3"},
                     {"2026-02-10", 1, "a", "3"},  // before the adoption: other
                     {"2026-02-20", 1, "a", "5"},  // after it: heard
                     {"2026-02-20", 1, "b", "4"},  // b never wrote in 10: other
                     {"2026-02-25", 0, "c", "4"},  // in 10 after its adoption: fed nothing
                     {"2026-02-21", -1, "", "1"},  // no contributor: in the mean only
                     {"2026-03-01", 1, "b", "5"},
                     {"2026-03-02", 1, "d", ""}},  // not rated
                    {10, 20}, both_columns);
}

history heard_history() {
  history past;
  past.add(10, koe::decision_status::adopted, "2026-02-15");
  past.add(20, koe::decision_status::pending);
  return past;
}

TEST(Kpis, SatisfactionSplitsHeardContributorsAroundTheAdoptionDate) {
  const hand_input h = heard_input();
  const auto k = kpis_of(h, heard_history());
  ASSERT_EQ(periods_of(k), (std::vector<std::string>{"2026-01", "2026-02", "2026-03", "all"}));
  for (const auto& row : k)
    EXPECT_TRUE(row.has_rating);
  // January: nobody had been heard yet.
  EXPECT_EQ(k[0].rating.n, 2U);
  EXPECT_EQ(k[0].heard_rating.n, 0U);
  EXPECT_EQ(k[0].other_rating.n, 2U);
  EXPECT_DOUBLE_EQ(k[0].other_rating.mean, 2.5);
  // February: 3 5 4 4 1 rated; heard 5 (a); other 3 (a, before), 4 (b) and 4 (c, who wrote in
  // 10 only after its adoption).
  EXPECT_EQ(k[1].rating.n, 5U);
  EXPECT_NEAR(k[1].rating.mean, 3.4, 1e-12);
  EXPECT_NEAR(k[1].rating.low, 1.516923, 1e-6);  // t(0.975, 4) = 2.776445
  EXPECT_NEAR(k[1].rating.high, 5.283077, 1e-6);
  EXPECT_EQ(k[1].heard_rating.n, 1U);
  EXPECT_DOUBLE_EQ(k[1].heard_rating.mean, 5.0);
  EXPECT_DOUBLE_EQ(k[1].heard_rating.low, 5.0);  // one voice: the mean alone
  EXPECT_EQ(k[1].other_rating.n, 3U);
  EXPECT_NEAR(k[1].other_rating.mean, 11.0 / 3.0, 1e-12);
  EXPECT_NEAR(k[1].other_rating.low, 2.232449, 1e-6);  // t(0.975, 2) = 4.302653
  // March: one rated voice; its interval is the mean alone.
  EXPECT_EQ(k[2].other_rating.n, 1U);
  EXPECT_DOUBLE_EQ(k[2].other_rating.low, 5.0);
  EXPECT_DOUBLE_EQ(k[2].other_rating.high, 5.0);
  // The run: heard 5; other 2, 3, 3, 4, 4, 5.
  EXPECT_EQ(k[3].heard_rating.n, 1U);
  EXPECT_EQ(k[3].other_rating.n, 6U);
  EXPECT_DOUBLE_EQ(k[3].other_rating.mean, 21.0 / 6.0);
  EXPECT_EQ(k[3].rating.n, 8U);
}

TEST(Kpis, CsvHeaderAndOneRowExactly) {
  const hand_input h = heard_input();
  const auto lines = lines_of(csv_of(kpis_of(h, heard_history())));
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(lines[0],
            "period,voices,contributors,new_contributors,returning_contributors,"
            "voices_per_contributor,clusters,adopted_clusters,cluster_adoption_rate,"
            "adopted_voices,voice_adoption_rate,median_days_to_adoption,rating_n,rating_mean,"
            "rating_low,rating_high,heard_n,heard_mean,heard_low,heard_high,other_n,other_mean,"
            "other_low,other_high,notes");
  // February: a, b, c (c new); clusters 10 and 20, 10 adopted, its February voice after the
  // adoption (no days); five rated voices.
  EXPECT_EQ(lines[2],
            "2026-02,5,3,1,2,1.333333,2,1,0.500000,1,0.200000,,5,3.400000,1.516923,5.283077,"
            "1,5.000000,5.000000,5.000000,3,3.666667,2.232449,5.100884,");
  // January: nobody heard yet: n = 0 and empty figures, never zeros.
  EXPECT_EQ(lines[1].substr(lines[1].find(",2,2.500000,")),
            ",2,2.500000,-3.853102,8.853102,0,,,,2,2.500000,-3.853102,8.853102,");
}

TEST(Kpis, MissingColumnsGiveNotesAndEmptyCellsNeverZeros) {
  history past;
  past.add(10, koe::decision_status::adopted, "2026-01-20");
  const hand_input h({{"2026-01-05", 0, "", ""}, {"2026-01-06", -1, "", ""}}, {10}, {});
  const auto k = kpis_of(h, past);
  ASSERT_EQ(k.size(), 2U);
  for (const auto& row : k) {
    EXPECT_FALSE(row.has_contributors);
    EXPECT_FALSE(row.has_rating);
    EXPECT_TRUE(has_note(row, "投稿者の列がないため参加の指標は出せません"));
    EXPECT_TRUE(has_note(row, "評価の列がないため"));
  }
  const auto lines = lines_of(csv_of(k));
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[1],
            "2026-01,2,,,,,1,1,1.000000,1,0.500000,15.000000,,,,,,,,,,,,,"
            "投稿者の列がないため参加の指標は出せません（列名: contributor）; "
            "評価の列がないため満足度は出せません（列名: rating）");
  // The report says データなし with the reason.
  koe::programme_result p;
  p.kpis = k;
  koe::report_options ro;
  ro.programme = &p;
  std::ostringstream html;
  koe::detail::kpis_section(html, ro);
  EXPECT_NE(html.str().find("三つの指標"), std::string::npos);
  EXPECT_NE(html.str().find("データなし（評価の列がありません）"), std::string::npos);
  EXPECT_NE(html.str().find("データなし（投稿者の列がありません）"), std::string::npos);
}

TEST(Kpis, WithoutDatesThereIsOneRowForTheWholeRun) {
  const hand_input h({{"", 0, "a", "4"}, {"", 0, "b", "2"}, {"", 0, "a", ""}}, {10}, both_columns);
  history past;
  past.add(10, koe::decision_status::adopted);
  const auto k = kpis_of(h, past);
  ASSERT_EQ(periods_of(k), (std::vector<std::string>{"all"}));
  EXPECT_EQ(k[0].contributors, 2U);
  EXPECT_EQ(k[0].new_contributors, 2U);
  EXPECT_EQ(k[0].returning_contributors, 0U);
  EXPECT_EQ(k[0].adopted_clusters, 1U);
  EXPECT_FALSE(k[0].median_days_to_adoption.has_value());
  EXPECT_EQ(k[0].rating.n, 2U);
  EXPECT_EQ(k[0].heard_rating.n, 0U);  // heard needs dates
  EXPECT_EQ(k[0].other_rating.n, 2U);
  koe::programme_result p;
  p.kpis = k;
  koe::report_options ro;
  ro.programme = &p;
  std::ostringstream html;
  koe::detail::kpis_section(html, ro);
  EXPECT_NE(html.str().find("全期間の値"), std::string::npos);
}

TEST(Kpis, ReportTilesCompareTheLatestPeriodWithThePreviousOne) {
  const hand_input h = heard_input();
  koe::programme_result p;
  p.kpis = kpis_of(h, heard_history());
  koe::report_options ro;
  ro.programme = &p;
  std::ostringstream out;
  koe::detail::kpis_section(out, ro);
  const std::string html = out.str();
  EXPECT_NE(html.find("2026-03 の値と、前期間 2026-02 からの変化"), std::string::npos);
  EXPECT_NE(html.find("<b>2 人</b>"), std::string::npos);  // March: b, d
  EXPECT_NE(html.find("↓ −1 人"), std::string::npos);      // February: a, b, c
  EXPECT_NE(html.find("<div class=\"scroll\">"), std::string::npos);
  EXPECT_NE(html.find("採用につながった人 5.00"), std::string::npos);
  // Without the programme there is no section.
  std::ostringstream none;
  koe::detail::kpis_section(none, koe::report_options{});
  EXPECT_TRUE(none.str().empty());
}

TEST(Kpis, ReportTableShowsTheLatestTwelvePeriodsAndTheWholeRun) {
  // One voice a month from 2025-01 to 2026-02: fourteen periods.
  std::vector<std::string> dates;
  for (int m = 0; m < 14; ++m)
    dates.push_back(std::to_string(2025 + m / 12) + "-" + (m % 12 < 9 ? "0" : "") +
                    std::to_string(m % 12 + 1) + "-15");
  std::vector<voice> voices;
  for (const auto& d : dates)
    voices.push_back({d.c_str(), 0, "a", "3"});
  const hand_input h(voices, {10}, both_columns);
  koe::programme_result p;
  p.kpis = kpis_of(h, {});
  ASSERT_EQ(p.kpis.size(), 15U);
  koe::report_options ro;
  ro.programme = &p;
  std::ostringstream out;
  koe::detail::kpis_section(out, ro);
  const std::string html = out.str();
  EXPECT_NE(html.find("直近 12 期間と全期間（全 14 期間は kpis.csv）"), std::string::npos);
  EXPECT_EQ(html.find("<td class=\"t\">2025-02</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"t\">2025-03</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"t\">all</td>"), std::string::npos);
  EXPECT_EQ(csv_of(p.kpis).find("2025-02,1,1,0,1,"), csv_of(p.kpis).find("2025-02"));
}

}  // namespace
