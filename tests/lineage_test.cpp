// Lineage events named from hand-built refit comparisons, changes.json, the report section
// 前回からの変化 and the decisions offered to the parts of a split.
#include <koe/assess.hpp>
#include <koe/changes.hpp>
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/lineage.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using koe::lineage_event;
using koe::lineage_kind;
using koe::refit_comparison;
using counts = std::vector<std::vector<std::size_t>>;

// A comparison from its ids, matching and contingency (previous ids + 1 rows, new ids + 1
// columns). Shares follow from the counts; a matched pair has similarity 0.8, a new cluster
// that takes voices from a previous one without being matched to it 0.5, any other pair 0.1.
refit_comparison make(std::vector<int> previous_ids, std::vector<bool> dormant,
                      std::vector<int> ids, std::vector<int> match, counts table) {
  refit_comparison c;
  c.previous_period = "2026-09";
  c.period = "2026-10";
  const std::size_t p = previous_ids.size();
  const std::size_t n = ids.size();
  c.previous_ids = std::move(previous_ids);
  c.previous_dormant = std::move(dormant);
  c.ids = std::move(ids);
  c.match = std::move(match);
  c.contingency = std::move(table);
  std::size_t total = 0;
  for (const auto& row : c.contingency)
    total = std::accumulate(row.begin(), row.end(), total);
  for (std::size_t j = 0; j < p; ++j) {
    const auto& row = c.contingency[j];
    const double s = static_cast<double>(std::accumulate(row.begin(), row.end(), std::size_t{0}));
    c.previous_share.push_back(c.previous_dormant[j] ? 0.0 : s / static_cast<double>(total));
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t s = 0;
    for (std::size_t j = 0; j <= p; ++j)
      s += c.contingency[j][i];
    c.share.push_back(static_cast<double>(s) / static_cast<double>(total));
    std::vector<double> row;
    for (std::size_t j = 0; j < p; ++j)
      row.push_back(c.match[i] == static_cast<int>(j) ? 0.8 : c.contingency[j][i] > 0 ? 0.5 : 0.1);
    c.similarity.push_back(row);
  }
  return c;
}

// Every event kind: 1 continues, 2 splits into 2 and 7, 3 takes in 4, 5 goes dormant, dormant
// 6 returns, 8 is new.
refit_comparison every_kind() {
  return make({1, 2, 3, 4, 5, 6}, {false, false, false, false, false, true}, {1, 2, 3, 6, 7, 8},
              {0, 1, 2, 5, -1, -1},
              counts{{100, 0, 0, 0, 0, 0, 2},
                     {0, 60, 0, 0, 40, 0, 1},
                     {0, 0, 50, 0, 0, 0, 0},
                     {0, 0, 50, 0, 0, 0, 0},
                     {0, 0, 0, 0, 0, 0, 0},
                     {0, 0, 0, 0, 0, 0, 0},
                     {0, 0, 0, 30, 0, 40, 5}});
}

lineage_event event(lineage_kind kind, int id, std::vector<int> parents = {},
                    std::vector<int> children = {}) {
  lineage_event e;
  e.kind = kind;
  e.id = id;
  e.parents = std::move(parents);
  e.children = std::move(children);
  return e;
}

// The events with their figures left out, to compare kinds, ids, parents and children.
std::vector<lineage_event> shapes(std::vector<lineage_event> events) {
  for (auto& e : events) {
    e.similarity = 0;
    e.share_before = 0;
    e.share_after = 0;
  }
  return events;
}

// `c` with its new clusters in the order `rows` and its previous columns in the order `columns`
// (position k holds the old position rows[k] / columns[k]).
refit_comparison permuted(const refit_comparison& c, const std::vector<std::size_t>& rows,
                          const std::vector<std::size_t>& columns) {
  refit_comparison out = c;
  const std::size_t p = columns.size();
  const std::size_t n = rows.size();
  std::vector<int> column_of(p);
  for (std::size_t k = 0; k < p; ++k) {
    column_of[columns[k]] = static_cast<int>(k);
    out.previous_ids[k] = c.previous_ids[columns[k]];
    out.previous_dormant[k] = c.previous_dormant[columns[k]];
    out.previous_share[k] = c.previous_share[columns[k]];
  }
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = rows[k];
    out.ids[k] = c.ids[i];
    out.share[k] = c.share[i];
    out.match[k] = c.match[i] < 0 ? -1 : column_of[static_cast<std::size_t>(c.match[i])];
    for (std::size_t l = 0; l < p; ++l)
      out.similarity[k][l] = c.similarity[i][columns[l]];
  }
  for (std::size_t l = 0; l <= p; ++l)
    for (std::size_t k = 0; k <= n; ++k) {
      const std::size_t j = l < p ? columns[l] : p;
      const std::size_t i = k < n ? rows[k] : n;
      out.contingency[l][k] = c.contingency[j][i];
    }
  return out;
}

TEST(Lineage, KindsHaveEnglishAndJapaneseNames) {
  EXPECT_STREQ(koe::to_string(lineage_kind::continued), "continued");
  EXPECT_STREQ(koe::to_string(lineage_kind::returned), "returned");
  EXPECT_STREQ(koe::to_japanese(lineage_kind::born), "新規");
  EXPECT_STREQ(koe::to_japanese(lineage_kind::split), "分裂");
  EXPECT_STREQ(koe::to_japanese(lineage_kind::merged), "統合");
  EXPECT_STREQ(koe::to_japanese(lineage_kind::dormant), "休眠");
}

TEST(Lineage, IdentityComparisonContinuesEveryCluster) {
  const auto c = make({3, 5, 9}, {false, false, false}, {3, 5, 9}, {0, 1, 2},
                      counts{{80, 0, 0, 1}, {0, 60, 0, 0}, {0, 0, 40, 2}, {1, 0, 0, 3}});
  const auto events = koe::lineage(c);
  ASSERT_EQ(events.size(), 3U);
  for (const auto& e : events) {
    EXPECT_EQ(e.kind, lineage_kind::continued);
    EXPECT_DOUBLE_EQ(e.similarity, 0.8);
    EXPECT_TRUE(e.parents.empty() && e.children.empty());
  }
  EXPECT_EQ(events[0].id, 3);
  EXPECT_DOUBLE_EQ(events[0].share_before, 81.0 / 187);
  EXPECT_DOUBLE_EQ(events[0].share_after, 81.0 / 187);
}

TEST(Lineage, EachKindIsFoundOnceInOrderOfKindThenId) {
  const std::vector<lineage_event> expected = {
      event(lineage_kind::continued, 1),      event(lineage_kind::born, 7, {2}),
      event(lineage_kind::born, 8),           event(lineage_kind::split, 2, {}, {2, 7}),
      event(lineage_kind::merged, 3, {3, 4}), event(lineage_kind::dormant, 4, {}, {3}),
      event(lineage_kind::dormant, 5),        event(lineage_kind::returned, 6),
  };
  EXPECT_EQ(shapes(koe::lineage(every_kind())), expected);
}

TEST(Lineage, FiguresOfEachKind) {
  const auto c = every_kind();
  const auto events = koe::lineage(c);
  const auto find = [&](lineage_kind k, int id) {
    return *std::find_if(events.begin(), events.end(),
                         [&](const lineage_event& e) { return e.kind == k && e.id == id; });
  };
  const double total = 378;
  EXPECT_DOUBLE_EQ(find(lineage_kind::born, 7).similarity, 0.5);  // with its split parent
  EXPECT_DOUBLE_EQ(find(lineage_kind::born, 7).share_before, 0);
  EXPECT_DOUBLE_EQ(find(lineage_kind::born, 8).similarity, 0.1);  // nearest previous cluster
  EXPECT_DOUBLE_EQ(find(lineage_kind::split, 2).share_before, 101 / total);
  EXPECT_DOUBLE_EQ(find(lineage_kind::split, 2).share_after, 60 / total);
  // A merge's share before is its parents' together.
  EXPECT_DOUBLE_EQ(find(lineage_kind::merged, 3).share_before, 100 / total);
  EXPECT_DOUBLE_EQ(find(lineage_kind::dormant, 5).share_after, 0);
  EXPECT_DOUBLE_EQ(find(lineage_kind::returned, 6).share_before, 0);
  EXPECT_DOUBLE_EQ(find(lineage_kind::returned, 6).share_after, 30 / total);
}

TEST(Lineage, EveryPreviousIdEndsInExactlyOneState) {
  const auto c = every_kind();
  const auto events = koe::lineage(c);
  for (std::size_t j = 0; j < c.previous_ids.size(); ++j) {
    const int id = c.previous_ids[j];
    const auto n = std::count_if(events.begin(), events.end(), [&](const lineage_event& e) {
      return e.id == id && e.kind != lineage_kind::born;
    });
    EXPECT_EQ(n, 1) << "previous id " << id;
  }
  // Born clusters carry ids no previous cluster had.
  for (const auto& e : events) {
    if (e.kind == lineage_kind::born) {
      EXPECT_EQ(std::count(c.previous_ids.begin(), c.previous_ids.end(), e.id), 0);
    }
  }
}

TEST(Lineage, DormantClusterLeftUnmatchedHasNoEvent) {
  const auto c = make({1, 2}, {false, true}, {1}, {0}, counts{{50, 0}, {0, 0}, {0, 0}});
  EXPECT_EQ(shapes(koe::lineage(c)), std::vector{event(lineage_kind::continued, 1)});
}

TEST(Lineage, MatchedDormantClusterReturns) {
  const auto c =
      make({1, 2}, {false, true}, {1, 2}, {0, 1}, counts{{50, 0, 0}, {0, 0, 0}, {0, 20, 0}});
  const std::vector expected = {event(lineage_kind::continued, 1),
                                event(lineage_kind::returned, 2)};
  EXPECT_EQ(shapes(koe::lineage(c)), expected);
}

TEST(Lineage, MergeOfTwoUnmatchedClustersIntoANewOne) {
  const auto c = make({1, 2}, {false, false}, {3}, {-1}, counts{{30, 0}, {30, 0}, {0, 0}});
  const std::vector expected = {event(lineage_kind::merged, 3, {1, 2}),
                                event(lineage_kind::dormant, 1, {}, {3}),
                                event(lineage_kind::dormant, 2, {}, {3})};
  EXPECT_EQ(shapes(koe::lineage(c)), expected);
}

TEST(Lineage, SplitOfAnUnmatchedClusterEndsItsId) {
  const auto c = make({1}, {false}, {2, 3}, {-1, -1}, counts{{30, 30, 0}, {0, 0, 0}});
  const std::vector expected = {event(lineage_kind::born, 2, {1}),
                                event(lineage_kind::born, 3, {1}),
                                event(lineage_kind::split, 1, {}, {2, 3})};
  EXPECT_EQ(shapes(koe::lineage(c)), expected);
}

// A previous cluster giving `part` of its 100 voices to an unmatched new cluster.
std::vector<lineage_event> split_at(std::size_t part, const koe::lineage_options& o = {}) {
  const auto c = make({1}, {false}, {1, 2}, {0, -1}, counts{{100 - part, part, 0}, {0, 0, 0}});
  return shapes(koe::lineage(c, o));
}

TEST(Lineage, SplitShareExactlyAtTheThresholdCounts) {
  koe::lineage_options o;
  o.min_part_share = 0.25;
  o.min_voices = 5;
  EXPECT_EQ(split_at(25, o)[0], event(lineage_kind::born, 2, {1}));
  EXPECT_EQ(split_at(25, o)[1], event(lineage_kind::split, 1, {}, {1, 2}));
  const std::vector below = {event(lineage_kind::continued, 1), event(lineage_kind::born, 2)};
  EXPECT_EQ(split_at(24, o), below);
}

TEST(Lineage, CountsBelowMinVoicesDecideNothing) {
  koe::lineage_options o;
  o.min_part_share = 0.2;
  o.min_voices = 5;
  // 4 of 10 voices: a clear share, but too few voices.
  auto c = make({1}, {false}, {1, 2}, {0, -1}, counts{{6, 4, 0}, {0, 0, 0}});
  const std::vector expected = {event(lineage_kind::continued, 1), event(lineage_kind::born, 2)};
  EXPECT_EQ(shapes(koe::lineage(c, o)), expected);
  c.contingency = counts{{5, 5, 0}, {0, 0, 0}};
  EXPECT_EQ(shapes(koe::lineage(c, o))[1], event(lineage_kind::split, 1, {}, {1, 2}));
  // A merge needs min_voices from each parent too.
  const auto m = make({1, 2}, {false, false}, {1}, {0}, counts{{40, 0}, {4, 0}, {0, 0}});
  const std::vector merged_not = {event(lineage_kind::continued, 1),
                                  event(lineage_kind::dormant, 2)};
  EXPECT_EQ(shapes(koe::lineage(m, o)), merged_not);
}

TEST(Lineage, PartsUnlikeTheirParentAreNoSplitOrMerge) {
  // 7 takes 40 of 2's 101 voices but its centroid is far from 2's: a new theme the previous model
  // had placed in 2. Likewise 4's voices went to 3, whose centroid is far from 4's.
  auto c = every_kind();
  c.similarity[4][1] = 0.44;
  c.similarity[2][3] = 0.44;
  koe::lineage_options o;
  o.min_part_similarity = 0.45;
  const std::vector<lineage_event> expected = {
      event(lineage_kind::continued, 1), event(lineage_kind::continued, 2),
      event(lineage_kind::continued, 3), event(lineage_kind::born, 7),
      event(lineage_kind::born, 8),      event(lineage_kind::dormant, 4),
      event(lineage_kind::dormant, 5),   event(lineage_kind::returned, 6),
  };
  EXPECT_EQ(shapes(koe::lineage(c, o)), expected);
  o.min_part_similarity = 0.44;
  EXPECT_EQ(shapes(koe::lineage(c, o)), shapes(koe::lineage(every_kind(), o)));
}

TEST(Lineage, VoicesGoingToAnotherContinuedClusterAreNoSplit) {
  // A quarter of 1's voices now fall in 2, which continues: boundaries moved, nothing split.
  const auto c =
      make({1, 2}, {false, false}, {1, 2}, {0, 1}, counts{{75, 25, 0}, {25, 75, 0}, {0, 0, 0}});
  const std::vector expected = {event(lineage_kind::continued, 1),
                                event(lineage_kind::continued, 2)};
  EXPECT_EQ(shapes(koe::lineage(c)), expected);
}

TEST(Lineage, OrderOfRowsAndColumnsDoesNotChangeTheEvents) {
  const auto c = every_kind();
  const auto expected = koe::lineage(c);
  std::vector<std::size_t> rows(c.ids.size()), columns(c.previous_ids.size());
  std::iota(rows.begin(), rows.end(), 0);
  std::iota(columns.begin(), columns.end(), 0);
  for (int round = 0; round < 24; ++round) {
    std::next_permutation(rows.begin(), rows.end());
    std::rotate(columns.begin(), columns.begin() + 1 + round % 3, columns.end());
    if (round % 2 == 1) std::reverse(columns.begin(), columns.end());
    EXPECT_EQ(koe::lineage(permuted(c, rows, columns)), expected) << "round " << round;
  }
}

TEST(Lineage, BadShapesAreRefused) {
  auto c = every_kind();
  c.match[0] = 1;  // column 1 is matched twice
  EXPECT_THROW((void)koe::lineage(c), koe::error);
  c = every_kind();
  c.contingency.pop_back();
  EXPECT_THROW((void)koe::lineage(c), koe::error);
  c = every_kind();
  c.similarity[2].push_back(0);
  EXPECT_THROW((void)koe::lineage(c), koe::error);
  c = every_kind();
  c.match[4] = 6;
  EXPECT_THROW((void)koe::lineage(c), koe::error);
}

TEST(Changes, JsonHoldsEveryEventWithItsFields) {
  const auto r = koe::make_lineage_report(every_kind(), {{1, "風呂"}, {2, "食事"}, {7, "朝食"}});
  const auto j = nlohmann::json::parse(koe::changes_json(r));
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["previous_period"], "2026-09");
  EXPECT_EQ(j["period"], "2026-10");
  EXPECT_EQ(j["counts"]["born"], 2);
  EXPECT_EQ(j["counts"]["returned"], 1);
  ASSERT_EQ(j["events"].size(), r.events.size());
  const auto& split = j["events"][3];
  EXPECT_EQ(split["kind"], "split");
  EXPECT_EQ(split["id"], 2);
  EXPECT_EQ(split["label"], "食事");
  EXPECT_EQ(split["children"], nlohmann::json::array({2, 7}));
  EXPECT_EQ(split["parents"], nlohmann::json::array());
  EXPECT_DOUBLE_EQ(split["similarity"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(split["share_before"].get<double>(), 0.267196);
  EXPECT_DOUBLE_EQ(split["share_after"].get<double>(), 0.15873);
  EXPECT_TRUE(j["events"][2]["label"].is_null());
  EXPECT_EQ(j["events"][1]["parents"], nlohmann::json::array({2}));
  std::ostringstream out;
  koe::write_changes_json(out, r);
  EXPECT_EQ(out.str(), koe::changes_json(r));
}

TEST(Changes, ReportSectionEscapesLabelsAndNamesEveryChange) {
  const auto r = koe::make_lineage_report(every_kind(), {{8, "<script>&\"'"}, {2, "食事"}});
  std::ostringstream out;
  koe::write_changes_html(out, r);
  const std::string html = out.str();
  EXPECT_NE(html.find("<h2>前回からの変化</h2>"), std::string::npos);
  EXPECT_NE(html.find("2026-09 → 2026-10"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("#8 &lt;script&gt;&amp;&quot;&#39;"), std::string::npos);
  EXPECT_NE(html.find("分裂: #2 食事 → #2 食事、#7"), std::string::npos);
  EXPECT_NE(html.find("統合: #3 + #4 → #3"), std::string::npos);
  EXPECT_NE(html.find("休眠: #4（#3 に統合）"), std::string::npos);
  EXPECT_NE(html.find("再来: #6"), std::string::npos);
  EXPECT_NE(html.find("減ったテーマ"), std::string::npos);
  EXPECT_EQ(std::count(html.begin(), html.end(), '<'), std::count(html.begin(), html.end(), '>'));
}

TEST(Changes, ReportHasTheSectionOnlyWhenGivenChanges) {
  const auto dir = std::filesystem::temp_directory_path() / "koe_lineage_report_test";
  std::filesystem::create_directories(dir);
  const auto csv = dir / "voices.csv";
  {
    std::ofstream f(csv, std::ios::binary);
    f << "id,text\n";
    for (int i = 0; i < 6; ++i)
      f << "A" << i << ",アプリが落ちる\nB" << i << ",配送が遅い\n";
  }
  koe::pipeline_options po;
  po.cluster.k = 2;
  const auto r = koe::pipeline(po).run(csv);
  const auto a = koe::assess(r, koe::default_score_options());
  koe::report_options ro;
  ro.adoption = &a;
  std::ostringstream without;
  koe::write_report(without, r, koe::report_format::report_html, ro);
  EXPECT_EQ(without.str().find("前回からの変化"), std::string::npos);
  const auto changes = koe::make_lineage_report(every_kind(), {{8, "配送"}});
  ro.changes = &changes;
  std::ostringstream with;
  koe::write_report(with, r, koe::report_format::report_html, ro);
  const std::string html = with.str();
  const auto section = html.find("<h2>前回からの変化</h2>");
  ASSERT_NE(section, std::string::npos);
  EXPECT_LT(html.find("<h2>件数</h2>"), section);
  EXPECT_LT(section, html.find("<h2>採用候補</h2>"));
  EXPECT_NE(html.find("#8 配送"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Changes, SplitPartsAreOfferedTheirParentsDecision) {
  koe::decision adopted;
  adopted.key = "朝食+食事+時間";
  adopted.status = koe::decision_status::adopted;
  adopted.reason = "朝食の時間を延ばす";
  const auto events = koe::lineage(every_kind());
  const auto offers = koe::offer_split_decisions(events, {{2, adopted}});
  ASSERT_EQ(offers.size(), 1U);
  EXPECT_EQ(offers[0].id, 7);
  EXPECT_EQ(offers[0].parent, 2);
  EXPECT_EQ(offers[0].offered, adopted);
  EXPECT_EQ(offers[0].note, "分裂前のクラスタ #2 の決定（採用）を引き継ぎ候補として表示");
  // A part with a decision of its own, or a parent without one, is offered nothing.
  koe::decision own;
  own.status = koe::decision_status::rejected;
  EXPECT_TRUE(koe::offer_split_decisions(events, {{2, adopted}, {7, own}}).empty());
  EXPECT_TRUE(koe::offer_split_decisions(events, {{2, koe::decision{}}}).empty());
  EXPECT_TRUE(koe::offer_split_decisions(events, {{8, adopted}}).empty());

  // A report carrying the offer lists it in changes.json and in the report section.
  auto r = koe::make_lineage_report(every_kind(), {{2, "食事"}, {7, "朝食<b>"}});
  EXPECT_TRUE(nlohmann::json::parse(koe::changes_json(r))["offered_decisions"].empty());
  r.offered = offers;
  const auto j = nlohmann::json::parse(koe::changes_json(r));
  ASSERT_EQ(j["offered_decisions"].size(), 1U);
  EXPECT_EQ(j["offered_decisions"][0]["id"], 7);
  EXPECT_EQ(j["offered_decisions"][0]["parent"], 2);
  EXPECT_EQ(j["offered_decisions"][0]["decision"], "adopted");
  EXPECT_EQ(j["offered_decisions"][0]["reason"], "朝食の時間を延ばす");
  std::ostringstream html;
  koe::write_changes_html(html, r);
  EXPECT_NE(html.str().find("引き継ぎ候補: #7 朝食&lt;b&gt; — " + offers[0].note),
            std::string::npos)
      << html.str();
}

// The message of the koe::error `f` throws, or "" when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const koe::error& e) {
    return e.what();
  }
  return "";
}

TEST(LineageConfig, TableSetsTheThresholds) {
  const auto o = koe::parse_score_config(
      "[lineage]\nmin_similarity = 0.4\nmin_part_share = 0.3\nmin_voices = 8\n"
      "min_part_similarity = 0.6\n",
      "koe.toml");
  EXPECT_DOUBLE_EQ(o.lineage.min_similarity, 0.4);
  EXPECT_DOUBLE_EQ(o.lineage.min_part_share, 0.3);
  EXPECT_EQ(o.lineage.min_voices, 8U);
  EXPECT_DOUBLE_EQ(o.lineage.min_part_similarity, 0.6);
  // The bundled example states the defaults.
  EXPECT_EQ(koe::load_score_config(KOE_DATA_DIR "/koe.toml").lineage, koe::lineage_options{});
  EXPECT_EQ(koe::parse_score_config("", "koe.toml").lineage, koe::lineage_options{});
}

TEST(LineageConfig, UnknownKeysAndValuesOutOfRangeNameTheFileAndLine) {
  auto msg =
      error_of([] { (void)koe::parse_score_config("[lineage]\nmin_voice = 3\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: lineage.min_voice: unknown key (did you mean 'min_voices'?)"),
            std::string::npos)
      << msg;
  msg = error_of(
      [] { (void)koe::parse_score_config("[lineage]\nmin_part_share = 0.6\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: lineage.min_part_share: value 0.6000 is outside [0.01, 0.50]"),
            std::string::npos)
      << msg;
  msg = error_of([] { (void)koe::parse_score_config("\n[lineage]\nmin_voices = 0\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:3: lineage.min_voices"), std::string::npos) << msg;
  msg = error_of(
      [] { (void)koe::parse_score_config("[lineage]\nmin_similarity = \"high\"\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: lineage.min_similarity: expected a number"), std::string::npos)
      << msg;
}

TEST(LineageConfig, JobGivesTheThresholdsToThePipeline) {
  const auto path = std::filesystem::temp_directory_path() / "koe_lineage_test.toml";
  std::ofstream(path) << "[lineage]\nmin_part_share = 0.35\nmin_voices = 12\n";
  koe::job_options o;
  o.config = path;
  const koe::job j(o);
  EXPECT_DOUBLE_EQ(j.get_pipeline().options().lineage.min_part_share, 0.35);
  EXPECT_EQ(j.get_pipeline().options().lineage.min_voices, 12U);
  std::filesystem::remove(path);
}

}  // namespace
