// Decisions as a lifecycle: the stage words and aliases of a decisions file, threads of rows per
// cluster with their history, days in a stage and the stuck flag, the adoption date, and what a
// job writes from them.
#include <koe/assess.hpp>
#include <koe/decisions.hpp>
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/job.hpp>
#include <koe/model_file.hpp>
#include <koe/programme.hpp>
#include <koe/score.hpp>
#include <koe/score_config.hpp>
#include <koe/trends.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

using koe::decision_status;
using koe::period_unit;

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const koe::error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

koe::decision row(int cluster, std::string key, decision_status status, std::string date,
                  std::size_t line, std::string reason = {}) {
  koe::decision d;
  d.cluster = cluster;
  d.key = std::move(key);
  d.status = status;
  d.date = std::move(date);
  d.line = line;
  d.reason = std::move(reason);
  return d;
}

koe::candidate candidate_of(int cluster, const std::string& key, std::size_t rank) {
  koe::candidate c;
  c.cluster = cluster;
  c.key = key;
  c.label = key;
  c.rank = rank;
  std::istringstream terms(key);
  for (std::string t; std::getline(terms, t, '+');)
    c.top_terms.push_back(t);
  return c;
}

std::int64_t day(const char* date) {
  return *koe::period_of(date, period_unit::day);
}

// A candidate whose history is `rows` (oldest first), as `apply_decisions` leaves it.
koe::candidate with_history(std::vector<koe::decision> rows) {
  koe::candidate c = candidate_of(3, "解約+方法+電話", 1);
  c.decision_history = std::move(rows);
  c.decision = c.decision_history.back();
  return c;
}

// ---------------------------------------------------------------------------------------------
// Reading

TEST(Stages, EveryStageIsReadInEnglishAnyCaseAndJapanese) {
  std::istringstream in(
      "key,decision\n"
      "a+b,Pending\nc+d,採用\ne+f,PLANNED\ng+h,商品化\ni+j,launched\nk+l,提供開始\n"
      "m+n,企画化\no+p,productized\nq+r,見送り\n");
  const auto d = koe::read_decisions(in, "d.csv");
  ASSERT_EQ(d.size(), 9u);
  const std::vector<decision_status> want = {
      decision_status::pending,     decision_status::adopted,     decision_status::planned,
      decision_status::productized, decision_status::launched,    decision_status::launched,
      decision_status::planned,     decision_status::productized, decision_status::rejected};
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(d[i].status, want[i]) << i;
}

TEST(Stages, AliasesOfTheStagesOptionsAreRead) {
  koe::stage_options stages;
  stages.aliases = {{"in_review", decision_status::pending},
                    {"Planning", decision_status::planned}};
  std::istringstream in("cluster,key,decision\n3,,In_Review\n3,,planning\n4,,PLANNING\n");
  const auto d = koe::read_decisions(in, "d.csv", stages);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].status, decision_status::pending);
  EXPECT_EQ(d[1].status, decision_status::planned);
  EXPECT_EQ(d[2].status, decision_status::planned);
  EXPECT_EQ(koe::parse_decision_word(" planning ", stages), decision_status::planned);
  EXPECT_FALSE(koe::parse_decision_word("undecided", stages).has_value());
  EXPECT_FALSE(koe::parse_decision_word("planning", {}).has_value());
}

TEST(Stages, AnUnknownWordNamesTheFileTheLineAndTheWordsAllowed) {
  koe::test::temp_dir dir("koe_stages");
  const auto path = dir.path() / "decisions.csv";
  std::ofstream(path, std::ios::binary) << "cluster,key,decision,reason,date\n"
                                           "3,解約+電話+方法,検討中,,2026-08-01\n"
                                           "3,,in_review,,2026-09-05\n";
  std::string msg = error_of([&] { (void)koe::read_decisions(path); });
  EXPECT_NE(msg.find(path.string() + ":3: decision 'in_review' is not a stage: pending, adopted, "
                                     "planned, productized, launched, rejected (検討中, 採用, "
                                     "企画化, 商品化, 提供開始, 見送り)"),
            std::string::npos)
      << msg;
  koe::stage_options stages;
  stages.aliases = {{"planning", decision_status::planned}};
  msg = error_of([&] { (void)koe::read_decisions(path, stages); });
  EXPECT_NE(msg.find("or an alias of [stages.aliases] (planning)"), std::string::npos) << msg;
}

TEST(Stages, TheStagesTableOfKoeTomlIsReadAndChecked) {
  const koe::score_options o = koe::parse_score_config(
      "[stages]\nstuck_days = { pending = 10, adopted = 0, planned = 60, productized = 200 }\n"
      "[stages.aliases]\nIn_Review = \"pending\"\n\"planning\" = \"企画化\"\n"
      "[reply.decision_words]\nplanned = \"企画中\"\nlaunched = \"提供中\"\n",
      "koe.toml");
  EXPECT_EQ(o.stages.pending_days, 10);
  EXPECT_EQ(o.stages.adopted_days, 0);
  EXPECT_EQ(o.stages.planned_days, 60);
  EXPECT_EQ(o.stages.productized_days, 200);
  ASSERT_EQ(o.stages.aliases.size(), 2u);
  EXPECT_EQ(o.stages.aliases.at("in_review"), decision_status::pending);
  EXPECT_EQ(o.stages.aliases.at("planning"), decision_status::planned);
  EXPECT_EQ(o.reply.planned, "企画中");
  EXPECT_EQ(o.reply.productized, "商品化");
  EXPECT_EQ(o.reply.launched, "提供中");
  // The defaults.
  const koe::stage_options d;
  EXPECT_EQ(d.pending_days, 30);
  EXPECT_EQ(d.adopted_days, 45);
  EXPECT_EQ(d.planned_days, 90);
  EXPECT_EQ(d.productized_days, 120);

  auto msg_of = [](const std::string& toml) {
    return error_of([&] { (void)koe::parse_score_config(toml, "koe.toml"); });
  };
  std::string msg = msg_of("\n[stages.aliases]\nsoon = \"maybe\"\n");
  EXPECT_NE(msg.find("koe.toml:3: stages.aliases.soon: 'maybe' is not a stage"), std::string::npos)
      << msg;
  msg = msg_of("[stages.aliases]\nadopted = \"rejected\"\n");
  EXPECT_NE(msg.find("koe.toml:2: stages.aliases.adopted: 'adopted' already names adopted"),
            std::string::npos)
      << msg;
  msg = msg_of("[stages.aliases]\nsoon = \"pending\"\nSOON = \"planned\"\n");
  EXPECT_NE(msg.find("' is already an alias of "), std::string::npos) << msg;
  msg = msg_of("[stages]\nstuck_days = { pending = -1 }\n");
  EXPECT_NE(msg.find("koe.toml:2: stages.stuck_days.pending: value -1 is outside"),
            std::string::npos)
      << msg;
  msg = msg_of("[stages]\nstuck_days = { launched = 5 }\n");
  EXPECT_NE(msg.find("stages.stuck_days.launched: unknown key"), std::string::npos) << msg;
  msg = msg_of("[stages]\nstuck_day = 5\n");
  EXPECT_NE(msg.find("stages.stuck_day: unknown key (did you mean 'stuck_days'?)"),
            std::string::npos)
      << msg;
  msg = msg_of("[reply.decision_words]\nlaunch = \"x\"\n");
  EXPECT_NE(msg.find("did you mean 'launched'?"), std::string::npos) << msg;
}

// ---------------------------------------------------------------------------------------------
// Threads and history

TEST(Stages, AThreadInShuffledFileOrderBecomesItsHistory) {
  std::vector<koe::candidate> c = {candidate_of(3, "解約+方法+電話", 1),
                                   candidate_of(5, "届く+遅れる+配送", 2)};
  const std::vector<koe::decision> d = {
      row(3, "", decision_status::planned, "2026-10-01", 2),
      row(5, "配送+遅れる+届く", decision_status::rejected, "2026-10-12", 3, "配送網の改善は来期"),
      row(3, "解約+電話+方法", decision_status::pending, "2026-08-01", 4),
      row(3, "", decision_status::adopted, "2026-09-05", 5, "解約導線をアプリ内に追加")};
  const auto unmatched = koe::apply_decisions(c, d);
  EXPECT_TRUE(unmatched.empty());
  const koe::candidate& x = c[0];
  ASSERT_EQ(x.decision_history.size(), 3u);
  EXPECT_EQ(x.decision_history[0].status, decision_status::pending);
  EXPECT_EQ(x.decision_history[1].status, decision_status::adopted);
  EXPECT_EQ(x.decision_history[2].status, decision_status::planned);
  EXPECT_EQ(x.decision.status, decision_status::planned);
  EXPECT_EQ(x.decision.line, 2u);
  EXPECT_EQ(x.decision, x.decision_history.back());
  EXPECT_NE(x.reasons.back().find("（経過: 検討中 → 採用 → 企画化）"), std::string::npos)
      << x.reasons.back();
  ASSERT_EQ(c[1].decision_history.size(), 1u);
  EXPECT_EQ(c[1].decision.status, decision_status::rejected);

  const koe::stage_state s = koe::stage_of(x, day("2026-10-13"), {});
  EXPECT_EQ(s.cluster, 3);
  EXPECT_EQ(s.stage, decision_status::planned);
  EXPECT_EQ(s.since, "2026-10-01");
  EXPECT_EQ(s.days, 12);
  EXPECT_EQ(s.limit, 90);
  EXPECT_FALSE(s.stuck);
  EXPECT_EQ(s.adopted_on, "2026-09-05");
  EXPECT_EQ(s.summary, "企画化から 12 日、商品化待ち");
  EXPECT_EQ(koe::stage_of(c[1], day("2026-10-13"), {}).summary, "見送り（配送網の改善は来期）");
}

TEST(Stages, AThreadWithoutAnIdIsMatchedByItsKeyAsOneUnit) {
  std::vector<koe::candidate> c = {candidate_of(0, "ログイン+できない+アカウント", 1),
                                   candidate_of(1, "アプリ+落ちる+重い", 2)};
  const std::vector<koe::decision> d = {
      row(-1, "アカウント+ログイン+できない", decision_status::pending, "2026-08-01", 2),
      row(-1, "アプリ+落ちる+重い", decision_status::adopted, "2026-09-01", 3),
      row(-1, "できない＋ログイン＋アカウント", decision_status::adopted, "2026-09-01", 4),
      row(-1, "存在しない+話題+キー", decision_status::pending, "2026-09-02", 5),
      row(-1, "存在しない+話題+キー", decision_status::planned, "2026-09-03", 6)};
  const auto unmatched = koe::apply_decisions(c, d);
  ASSERT_EQ(c[0].decision_history.size(), 2u);
  EXPECT_EQ(c[0].decision.status, decision_status::adopted);
  EXPECT_EQ(c[0].decision.key, "できない＋ログイン＋アカウント");
  EXPECT_DOUBLE_EQ(c[0].decision_history[0].overlap, 1.0);
  EXPECT_EQ(c[1].decision.line, 3u);
  // A thread that matched nothing comes back as its current row, once.
  ASSERT_EQ(unmatched.size(), 1u);
  EXPECT_EQ(unmatched[0].line, 6u);
  EXPECT_EQ(unmatched[0].status, decision_status::planned);
}

TEST(Stages, UndatedRowsTakeTheDateOfTheNearestDatedRowAbove) {
  const std::vector<koe::decision> d = {
      row(3, "", decision_status::pending, "", 2),  // before every dated row
      row(3, "", decision_status::planned, "2026-10-01", 3),
      row(3, "", decision_status::productized, "", 4),  // counts as 2026-10-01, after line 3
      row(4, "", decision_status::adopted, "2026-11-01", 5),
      row(3, "", decision_status::adopted, "2026-09-05", 6),
      row(3, "", decision_status::launched, "not a date", 7)};  // counts as 2026-09-05
  EXPECT_EQ(koe::ledger_order(d), (std::vector<std::size_t>{0, 4, 5, 1, 2, 3}));
  std::vector<koe::candidate> c = {candidate_of(3, "a+b+c", 1)};
  (void)koe::apply_decisions(c, d);
  ASSERT_EQ(c[0].decision_history.size(), 5u);
  EXPECT_EQ(c[0].decision.status, decision_status::productized);
  EXPECT_EQ(c[0].decision.line, 4u);
  // Its own row has no date: the stage's date is not known, and neither are its days.
  const koe::stage_state s = koe::stage_of(c[0], day("2026-11-01"), {});
  EXPECT_EQ(s.since, "");
  EXPECT_EQ(s.days, -1);
  EXPECT_FALSE(s.stuck);
  EXPECT_EQ(s.adopted_on, "2026-09-05");
  EXPECT_EQ(s.summary, "商品化（日付なし）、提供開始待ち");
}

TEST(Stages, ASingleRowPerKeyDecidesAsBefore) {
  std::vector<koe::candidate> c = {candidate_of(0, "手続き+解約+電話", 1),
                                   candidate_of(1, "ゴミ+梱包+多い", 2)};
  const std::vector<koe::decision> d = {
      row(-1, "手続き+解約+退会", decision_status::adopted, "2026-11-05", 2, "導線を追加"),
      row(-1, "ゴミ+梱包+多い", decision_status::rejected, "2026-10-30", 3, "安全基準"),
      row(-1, "配送+遅延+遅い", decision_status::pending, "", 4)};
  const auto unmatched = koe::apply_decisions(c, d);
  EXPECT_EQ(c[0].decision.status, decision_status::adopted);
  EXPECT_DOUBLE_EQ(c[0].decision.overlap, 0.5);
  ASSERT_EQ(c[0].decision_history.size(), 1u);
  EXPECT_EQ(c[0].reasons.back(),
            "判断: 採用（2026-11-05） 導線を追加 — 決定ファイル 2行目のキー「手続き+解約+退会」と"
            "一致（重なり 0.50）");
  EXPECT_EQ(c[1].reasons.back(),
            "判断: 見送り（2026-10-30） 安全基準 — 決定ファイル 3行目のキー「ゴミ+梱包+多い」と"
            "一致（重なり 1.00）");
  ASSERT_EQ(unmatched.size(), 1u);
  EXPECT_EQ(unmatched[0].line, 4u);
}

// ---------------------------------------------------------------------------------------------
// Days in a stage, stuck, summaries

TEST(Stages, DaysCountAcrossMonthEndsAndLeapDays) {
  const auto adopted = with_history({row(3, "", decision_status::pending, "2026-01-05", 2),
                                     row(3, "", decision_status::adopted, "2026-01-31", 3)});
  // 2026-01-31 → 2026-03-01: 29 days (February 2026 has 28).
  koe::stage_state s = koe::stage_of(adopted, day("2026-03-01"), {});
  EXPECT_EQ(s.since, "2026-01-31");
  EXPECT_EQ(s.days, 29);
  EXPECT_EQ(s.limit, 45);
  EXPECT_FALSE(s.stuck);
  EXPECT_EQ(s.summary, "採用から 29 日、企画化待ち");

  const auto leap = with_history({row(3, "", decision_status::adopted, "2028-01-15", 2)});
  s = koe::stage_of(leap, day("2028-02-29"), {});
  EXPECT_EQ(s.days, 45);  // at the limit, not past it
  EXPECT_FALSE(s.stuck);
  s = koe::stage_of(leap, day("2028-03-01"), {});
  EXPECT_EQ(s.days, 46);
  EXPECT_TRUE(s.stuck);
  EXPECT_EQ(s.summary, "採用から 46 日、企画化待ち（45 日を超えて停滞）");

  const auto pending = with_history({row(3, "", decision_status::pending, "2027-12-31", 2)});
  s = koe::stage_of(pending, day("2028-02-29"), {});
  EXPECT_EQ(s.days, 60);
  EXPECT_TRUE(s.stuck);
  EXPECT_EQ(s.summary, "検討中 60 日（30 日を超えて停滞）");
  EXPECT_EQ(s.adopted_on, "");
  koe::stage_options never;
  never.pending_days = 0;
  s = koe::stage_of(pending, day("2028-02-29"), never);
  EXPECT_EQ(s.limit, 0);
  EXPECT_FALSE(s.stuck);
  EXPECT_EQ(s.summary, "検討中 60 日");
  // A row dated after the programme's date has been there no time yet.
  EXPECT_EQ(koe::stage_of(pending, day("2027-12-01"), {}).days, 0);
  // Without a programme date the days are unknown.
  s = koe::stage_of(pending, std::nullopt, {});
  EXPECT_EQ(s.days, -1);
  EXPECT_EQ(s.summary, "検討中（2027-12-31 から）");
}

TEST(Stages, TheSinceDateIsTheFirstRowOfTheLastRunAtTheStage) {
  // 採用, back to 検討中, 採用 again twice: the last run starts on 2026-10-01.
  const auto c = with_history({row(3, "", decision_status::adopted, "2026-08-01", 2),
                               row(3, "", decision_status::pending, "2026-09-01", 3),
                               row(3, "", decision_status::adopted, "2026-10-01", 4),
                               row(3, "", decision_status::adopted, "2026-10-20", 5)});
  const koe::stage_state s = koe::stage_of(c, day("2026-10-31"), {});
  EXPECT_EQ(s.since, "2026-10-01");
  EXPECT_EQ(s.days, 30);
  EXPECT_EQ(s.adopted_on, "2026-08-01");
}

TEST(Stages, SummariesOfEveryKind) {
  const auto launched = with_history({row(3, "", decision_status::adopted, "2026-09-05", 2),
                                      row(3, "", decision_status::launched, "2026-11-15", 3)});
  koe::stage_state s = koe::stage_of(launched, day("2027-06-01"), {});
  EXPECT_EQ(s.summary, "提供開始（2026-11-15）");
  EXPECT_EQ(s.limit, 0);
  EXPECT_FALSE(s.stuck);
  const auto rejected =
      with_history({row(5, "", decision_status::rejected, "2026-10-12", 2, "配送網の改善は来期")});
  EXPECT_EQ(koe::stage_of(rejected, day("2027-06-01"), {}).summary, "見送り（配送網の改善は来期）");
  EXPECT_EQ(koe::stage_of(with_history({row(5, "", decision_status::rejected, "", 2)}),
                          day("2027-06-01"), {})
                .summary,
            "見送り");
  const koe::candidate undecided = candidate_of(1, "a+b+c", 1);
  s = koe::stage_of(undecided, day("2027-06-01"), {});
  EXPECT_EQ(s.stage, decision_status::undecided);
  EXPECT_EQ(s.summary, "未決定");
  EXPECT_EQ(s.days, -1);
  const auto undated = with_history({row(3, "", decision_status::adopted, "", 2)});
  EXPECT_EQ(koe::stage_of(undated, day("2027-06-01"), {}).summary, "採用（日付なし）、企画化待ち");
  // A candidate decided in code, without a history, has its one decision as its history.
  koe::candidate in_code = candidate_of(2, "a+b+c", 1);
  in_code.decision = row(2, "", decision_status::productized, "2026-10-01", 0);
  s = koe::stage_of(in_code, day("2026-10-11"), {});
  EXPECT_EQ(s.summary, "商品化から 10 日、提供開始待ち");
  EXPECT_EQ(s.adopted_on, "2026-10-01");
}

TEST(Stages, AJumpStraightToPlannedIsAdoptedThatDay) {
  const auto c = with_history({row(3, "", decision_status::pending, "2026-08-01", 2),
                               row(3, "", decision_status::planned, "2026-10-01", 3)});
  const koe::decision* a = koe::adoption_row(c.decision_history);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->line, 3u);
  EXPECT_EQ(koe::stage_of(c, day("2026-10-05"), {}).adopted_on, "2026-10-01");
  // An undated first adoption gives way to the first dated row at 採用 or later.
  const std::vector<koe::decision> h = {row(3, "", decision_status::adopted, "", 2),
                                        row(3, "", decision_status::planned, "2026-10-01", 3)};
  EXPECT_EQ(koe::adoption_row(h)->line, 3u);
  EXPECT_EQ(koe::adoption_row({row(3, "", decision_status::pending, "2026-10-01", 2)}), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Effects and the job

TEST(Stages, TheEffectOfALaunchedChangeCountsFromItsAdoption) {
  koe::trend_rows rows;
  rows.clusters = 1;
  // 10 of 100 voices in cluster 3 before 2026-09-05, 2 of 100 from then until 2026-11-14, none
  // of 100 after the launch.
  const char* days[] = {"2026-09-04", "2026-10-01", "2026-11-20"};
  for (std::size_t p = 0; p < 3; ++p)
    for (std::size_t i = 0; i < 100; ++i) {
      const std::size_t in_cluster = p == 0 ? 10 : p == 1 ? 2 : 0;
      rows.label.push_back(i < in_cluster ? 3 : koe::trend_noise);
      rows.day.push_back(koe::period_of(days[p], period_unit::day));
      rows.period.push_back(koe::period_of(days[p], period_unit::month));
    }
  const auto launched = with_history(
      {row(3, "", decision_status::pending, "2026-08-01", 2),
       row(3, "", decision_status::adopted, "2026-09-05", 3, "解約導線をアプリ内に追加"),
       row(3, "", decision_status::productized, "2026-10-01", 4),
       row(3, "", decision_status::launched, "2026-11-15", 5)});
  const auto e = koe::decision_effects(rows, {launched}, 0.05);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].date, "2026-09-05");
  EXPECT_EQ(e[0].change, "解約導線をアプリ内に追加");
  EXPECT_EQ(e[0].test.before.count, 10u);
  EXPECT_EQ(e[0].test.after.count, 2u);
  EXPECT_EQ(e[0].test.after.total, 200u);
  // Pending and rejected decisions have no effect to measure.
  const auto pending = with_history({row(3, "", decision_status::pending, "2026-09-05", 2)});
  const auto rejected = with_history({row(3, "", decision_status::rejected, "2026-09-05", 2)});
  EXPECT_TRUE(koe::decision_effects(rows, {pending, rejected}, 0.05).empty());
}

TEST(Stages, AJobReadsAliasesAndWritesHistoryStageAndModel) {
  koe::test::temp_dir dir("koe_stages_job");
  std::ofstream(dir.path() / "koe.toml", std::ios::binary)
      << "[stages]\nstuck_days = { planned = 30 }\n"
         "[stages.aliases]\nin_review = \"pending\"\nplanning = \"企画化\"\n";
  koe::job_options o;
  o.pipeline.cluster.k = 6;
  o.pipeline.cluster.seed = 1234;
  o.config = (dir.path() / "koe.toml").string();
  o.decisions_csv =
      "cluster,key,decision,reason,date\n"
      "0,,in_review,,2026-07-10\n"
      "0,,PLANNING,,2026-08-20\n"
      "0,,adopted,解約導線をアプリ内に追加,2026-08-01\n";
  koe::job j(o);
  const auto out = dir.path() / "out";
  const koe::analysis_result& r = j.run_to_files(sample, out, false);
  const koe::adoption_result& a = j.adoption();
  const koe::programme_result& p = j.programme();
  EXPECT_EQ(p.as_of, "2026-10-31");
  std::size_t at = a.candidates.size();
  for (std::size_t i = 0; i < a.candidates.size(); ++i)
    if (a.candidates[i].cluster == 0) at = i;
  ASSERT_LT(at, a.candidates.size());
  const koe::candidate& c = a.candidates[at];
  ASSERT_EQ(c.decision_history.size(), 3u);
  EXPECT_EQ(c.decision.status, decision_status::planned);
  const koe::stage_state& s = p.stages[at];
  EXPECT_EQ(s.summary, "企画化から 72 日、商品化待ち（30 日を超えて停滞）");
  EXPECT_EQ(s.adopted_on, "2026-08-01");

  // candidates.json: the history and the stage.
  const auto cands = nlohmann::json::parse(read_file(out / "candidates.json"));
  const auto& d = cands[at]["decision"];
  EXPECT_EQ(d["status"], "planned");
  ASSERT_EQ(d["history"].size(), 3u);
  EXPECT_EQ(d["history"][1], (nlohmann::json{{"decision", "adopted"},
                                             {"date", "2026-08-01"},
                                             {"reason", "解約導線をアプリ内に追加"}}));
  EXPECT_EQ(d["stage"]["stage"], "planned");
  EXPECT_EQ(d["stage"]["since"], "2026-08-20");
  EXPECT_EQ(d["stage"]["days"], 72);
  EXPECT_EQ(d["stage"]["limit"], 30);
  EXPECT_EQ(d["stage"]["stuck"], true);
  EXPECT_EQ(d["stage"]["adopted_on"], "2026-08-01");
  for (const auto& other : cands)
    if (other["cluster"] != 0) {
      EXPECT_FALSE(other["decision"].contains("history"));
      EXPECT_EQ(other["decision"]["stage"]["summary"], "未決定");
      EXPECT_TRUE(other["decision"]["stage"]["days"].is_null());
    }

  // report.html: the section, the card, the badge.
  const std::string html = read_file(out / "report.html");
  EXPECT_NE(html.find("<h2>採用した声の現在地</h2>"), std::string::npos);
  EXPECT_NE(html.find("現在地: 企画化から 72 日、商品化待ち（30 日を超えて停滞）"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge flag\">停滞</span>"), std::string::npos);
  // The owner column names each decided cluster's owner (the bundled rules, or 担当未定).
  EXPECT_NE(html.find("<th>担当</th>"), std::string::npos);

  // Replies tell the later stage with the decided template.
  std::size_t told = 0;
  for (std::size_t i = 0; i < a.trace.size(); ++i)
    if (a.trace[i].cluster == 0 && !a.trace.replies[i].empty()) {
      EXPECT_NE(std::string(a.trace.replies[i])
                    .find("検討し、企画化となりました。解約導線をアプリ内に追加"),
                std::string::npos);
      ++told;
    }
  EXPECT_GT(told, 0u);

  // The model keeps every row as read, and loads back equal.
  ASSERT_EQ(r.fitted.decisions.size(), 3u);
  EXPECT_EQ(r.fitted.decisions[1].status, decision_status::planned);
  const koe::model back = koe::load_model(out / "model.koe");
  EXPECT_TRUE(back == r.fitted);
  koe::model every = r.fitted;
  every.decisions.clear();
  for (const koe::decision_word& w : koe::decision_words)
    every.decisions.push_back(row(1, "a+b", w.status, "2026-10-01", every.decisions.size() + 2));
  EXPECT_TRUE(koe::decode_model(koe::encode_model(every), "memory") == every);

  // Without the aliases, the same file is an error naming the line.
  o.config.clear();
  const std::string msg = error_of([&] { koe::job bare(o); });
  EXPECT_NE(msg.find("decisions:2: decision 'in_review' is not a stage"), std::string::npos) << msg;
}

}  // namespace
