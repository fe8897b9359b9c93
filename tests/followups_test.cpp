// Follow-ups: the contact log, the next contact per contributor, the drafts, followups.csv, and
// that a stage once told is never proposed again (by hand and across two runs of the CLI).
#include <koe/error.hpp>
#include <koe/programme.hpp>
#include <koe/score_config.hpp>

#include "detail/programme.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <sstream>
#include <tuple>

#ifdef KOE_CLI_PATH
#include "cli_runner.hpp"
#endif

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_config) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no koe::error thrown";
  return {};
}

std::vector<koe::contact> contacts_of(const std::string& text, const koe::stage_options& s = {}) {
  std::istringstream in(text);
  return koe::read_contacts(in, "contacts.csv", s);
}

TEST(Followups, ContactLogReadsColumnsInAnyOrderWithStageWordsAndProgress) {
  koe::stage_options stages;
  stages.aliases["in_review"] = koe::decision_status::pending;
  const auto log = contacts_of(
      "date,note,stage,cluster,contributor\n"
      "2026-11-01,first,adopted,3,u1\n"
      "\n"
      "2026-11-20,,提供開始,3,u2\n"
      "2026-12-01,,progress,4,u1\n"
      "2026-12-02,,In_Review,4,u3\n",
      stages);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].contributor, "u1");
  EXPECT_EQ(log[0].cluster, 3);
  EXPECT_EQ(log[0].stage, koe::decision_status::adopted);
  EXPECT_FALSE(log[0].progress);
  EXPECT_EQ(log[0].date, "2026-11-01");
  EXPECT_EQ(log[0].line, 2u);
  EXPECT_EQ(log[1].stage, koe::decision_status::launched);
  EXPECT_EQ(log[1].line, 4u);
  EXPECT_TRUE(log[2].progress);
  EXPECT_EQ(log[2].stage, koe::decision_status::undecided);
  EXPECT_EQ(log[3].stage, koe::decision_status::pending);
}

TEST(Followups, ContactLogErrorsNameTheFileAndLine) {
  const std::string head = "contributor,cluster,stage,date\n";
  EXPECT_NE(error_of([] {
              (void)contacts_of("contributor,cluster,date\nu1,1,2026-01-01\n");
            }).find("contacts.csv:1: the header has no 'stage' column"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)contacts_of(head + "u1,1,adopted,2026-01-01\nu1,x,adopted,2026-01-02\n");
            }).find("contacts.csv:3: cluster 'x' is not a cluster id"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)contacts_of(head + "u1,-1,adopted,2026-01-01\n");
            }).find("contacts.csv:2: cluster '-1'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)contacts_of(head + "u1,1,shipped,2026-01-01\n");
            }).find("contacts.csv:2: stage 'shipped' is not a stage"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)contacts_of(head + "u1,1,adopted,2027-02-30\n");
            }).find("contacts.csv:2: date '2027-02-30' is not a date (YYYY-MM-DD)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)contacts_of(head + "u1,1,adopted,2027/01/05\n");
            }).find("contacts.csv:2: date '2027/01/05'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)contacts_of(head + "\n,1,adopted,2027-01-05\n");
            }).find("contacts.csv:3: contributor is empty"),
            std::string::npos);
  EXPECT_THROW((void)koe::read_contacts("/nonexistent/contacts.csv"), koe::error);
}

TEST(Followups, AddDaysCrossesMonthEndsLeapDaysAndYearEnds) {
  EXPECT_EQ(koe::add_days("2027-01-31", 30), "2027-03-02");
  EXPECT_EQ(koe::add_days("2028-02-15", 14), "2028-02-29");
  EXPECT_EQ(koe::add_days("2028-02-29", 1), "2028-03-01");
  EXPECT_EQ(koe::add_days("2027-02-28", 1), "2027-03-01");
  EXPECT_EQ(koe::add_days("2026-12-25", 14), "2027-01-08");
  EXPECT_EQ(koe::add_days("2027-01-01", -1), "2026-12-31");
  EXPECT_EQ(koe::add_days("2100-02-28", 1), "2100-03-01");  // not a leap year
  EXPECT_EQ(koe::add_days("", 3), "");
  EXPECT_EQ(koe::add_days("someday", 3), "");
}

// A run made by hand: voices (id, contributor, cluster index), clusters with stable ids, and one
// candidate and stage state per cluster.
struct hand_run {
  koe::corpus records;
  std::vector<std::size_t> row_document;
  std::vector<std::int32_t> assignment;
  std::vector<koe::cluster_description> clusters;
  std::vector<koe::candidate> candidates;
  std::vector<koe::stage_state> stages;
  koe::score_options options;

  hand_run() { records.meta_columns = {"contributor"}; }

  // A cluster with stable id `id` at `stage` since `since`.
  void cluster(int id, const std::string& label, koe::decision_status stage,
               const std::string& since) {
    koe::cluster_description d;
    d.id = id;
    d.label = label;
    clusters.push_back(d);
    koe::candidate c;
    c.cluster = id;
    c.label = label;
    c.decision.status = stage;
    c.decision.date = since;
    c.decision.reason = "理由あり";
    candidates.push_back(c);
    koe::stage_state s;
    s.cluster = id;
    s.stage = stage;
    s.since = since;
    stages.push_back(s);
  }

  void voice(const std::string& id, const std::string& who, std::size_t cluster_index,
             const std::string& text = "配送が遅い") {
    koe::document d;
    d.record = d.line = records.documents.size() + 1;
    d.id = id;
    d.text = text;
    d.meta = {who};
    row_document.push_back(records.documents.size());
    records.documents.push_back(d);
    assignment.push_back(static_cast<std::int32_t>(cluster_index));
  }

  koe::score_input input() const {
    koe::score_input in;
    in.records = &records;
    in.row_document = row_document;
    in.assignment = assignment;
    in.clusters = clusters;
    return in;
  }

  std::vector<koe::followup> plan(const std::vector<koe::contact>& log,
                                  const std::string& as_of = "2026-12-01") const {
    return koe::detail::plan_followups(input(), candidates, stages, log,
                                       koe::period_of(as_of, koe::period_unit::day), options);
  }
};

koe::contact told(const std::string& who, int cluster, koe::decision_status stage,
                  const std::string& date) {
  koe::contact c;
  c.contributor = who;
  c.cluster = cluster;
  c.stage = stage;
  c.date = date;
  return c;
}

TEST(Followups, UntoldStageGetsAStageMessageAndAToldOneAProgressNote) {
  hand_run run;
  run.cluster(7, "配送・遅延", koe::decision_status::adopted, "2026-11-01");
  run.voice("V1", "u1", 0);
  run.voice("V2", "u1", 0);
  auto plan = run.plan({});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].contributor, "u1");
  EXPECT_EQ(plan[0].cluster, 7);
  EXPECT_EQ(plan[0].voices, (std::vector<std::string>{"V1", "V2"}));
  EXPECT_EQ(plan[0].stage, koe::decision_status::adopted);
  EXPECT_FALSE(plan[0].progress);
  EXPECT_EQ(plan[0].stage_since, "2026-11-01");
  EXPECT_EQ(plan[0].last_contact, "");
  EXPECT_EQ(plan[0].next_contact, "2026-11-15");
  EXPECT_EQ(plan[0].draft, "『配送・遅延』についてのご意見をもとに、採用が決まりました。");

  plan = run.plan({told("u1", 7, koe::decision_status::adopted, "2026-11-20")});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_TRUE(plan[0].progress);
  EXPECT_EQ(plan[0].stage, koe::decision_status::adopted);
  EXPECT_EQ(plan[0].last_contact, "2026-11-20");
  EXPECT_EQ(plan[0].next_contact, "2026-12-20");
  EXPECT_EQ(plan[0].draft, "『配送・遅延』は現在採用です（30 日）。進み次第お知らせします。");

  // A stage change long ago is told no earlier than the last contact.
  plan = run.plan({told("u1", 7, koe::decision_status::pending, "2026-11-25")});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_FALSE(plan[0].progress);
  EXPECT_EQ(plan[0].next_contact, "2026-11-25");
  // A stage whose day is unknown is told on the programme's date.
  run.stages[0].since.clear();
  plan = run.plan({});
  EXPECT_EQ(plan.at(0).next_contact, "2026-12-01");
}

TEST(Followups, AStageIsNeverProposedTwiceAndAFinalStageClosesTheThread) {
  hand_run run;
  run.cluster(2, "解約", koe::decision_status::pending, "2026-10-01");
  run.voice("V1", "u1", 0);
  std::vector<koe::contact> log;
  std::set<koe::decision_status> proposed;
  const std::vector<std::pair<koe::decision_status, std::string>> moves = {
      {koe::decision_status::pending, "2026-10-01"},
      {koe::decision_status::adopted, "2026-11-01"},
      {koe::decision_status::planned, "2026-12-10"},
      {koe::decision_status::launched, "2027-03-01"}};
  for (const auto& [stage, since] : moves) {
    run.stages[0].stage = stage;
    run.stages[0].since = since;
    // Three runs at each stage, the team sending whatever is proposed.
    for (int pass = 0; pass < 3; ++pass) {
      const auto plan = run.plan(log, "2027-06-01");
      if (stage == koe::decision_status::launched && pass > 0) {
        EXPECT_TRUE(plan.empty()) << "a told 提供開始 closes the thread";
        continue;
      }
      ASSERT_EQ(plan.size(), 1u);
      const koe::followup& f = plan[0];
      if (f.progress) {
        EXPECT_GT(pass, 0);
        log.push_back(told("u1", 2, koe::decision_status::undecided, f.next_contact));
        log.back().progress = true;
      } else {
        EXPECT_EQ(pass, 0);
        EXPECT_EQ(f.stage, stage);
        EXPECT_TRUE(proposed.insert(f.stage).second) << "proposed twice: " << to_string(f.stage);
        log.push_back(told("u1", 2, f.stage, f.next_contact));
      }
    }
  }
  EXPECT_EQ(proposed.size(), 4u);
  // 見送り told closes it too.
  run.stages[0].stage = koe::decision_status::rejected;
  EXPECT_TRUE(run.plan({told("u1", 2, koe::decision_status::rejected, "2026-10-05")}).empty());
}

TEST(Followups, OneRowPerContributorDueFirstWithTheOtherClusters) {
  hand_run run;
  run.cluster(5, "A", koe::decision_status::adopted, "2026-11-10");   // due 11-24
  run.cluster(3, "B", koe::decision_status::pending, "2026-11-01");   // due 11-15
  run.cluster(9, "C", koe::decision_status::rejected, "2026-11-01");  // due 11-15
  run.cluster(4, "D", koe::decision_status::undecided, "");           // no thread
  run.voice("V1", "zed", 0);
  run.voice("V2", "zed", 1);
  run.voice("V3", "zed", 2);
  run.voice("V4", "zed", 3);
  run.voice("V5", "amy", 0);
  run.voice("V6", "", 1);  // no contributor: no thread
  run.voice("V7", "bob", 3);
  run.voice("V8", "zed", 1);
  const auto plan = run.plan({});
  ASSERT_EQ(plan.size(), 2u);
  // zed: clusters 3 and 9 are both due 11-15; the lower id leads.
  EXPECT_EQ(plan[0].contributor, "zed");
  EXPECT_EQ(plan[0].cluster, 3);
  EXPECT_EQ(plan[0].voices, (std::vector<std::string>{"V2", "V8"}));
  EXPECT_EQ(plan[0].other_clusters, (std::vector<int>{5, 9}));
  EXPECT_EQ(plan[0].next_contact, "2026-11-15");
  EXPECT_EQ(plan[1].contributor, "amy");
  EXPECT_EQ(plan[1].next_contact, "2026-11-24");
  EXPECT_TRUE(plan[1].other_clusters.empty());
  // Once zed was told 見送り on 9, only 5 remains beside 3.
  const auto later = run.plan({told("zed", 9, koe::decision_status::rejected, "2026-11-02")});
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].other_clusters, (std::vector<int>{5}));
}

TEST(Followups, DraftsFillEveryPlaceholder) {
  hand_run run;
  run.options.followup.templates["launched"] =
      "{stage}|{date}|{days}|{voice}|{id}|{label}|{count}|{decision}|{reason}|{effect}|{{x}}";
  run.options.reply.voice_chars = 4;
  run.cluster(1, "L", koe::decision_status::launched, "2026-11-11");
  run.candidates[0].frequency.voices = 12;
  run.voice("V9", "u", 0, "とても 遅い\n配送");
  const auto plan = run.plan({});
  ASSERT_EQ(plan.size(), 1u);
  // {effect}: a launched change counts as adopted from its date; no voice came after it yet.
  EXPECT_EQ(
      plan[0].draft,
      "提供開始|2026-11-11|20|とても …|V9|L|12|提供開始|理由あり|理由あり（2026-11-11）以降の声は"
      "まだありません（それまでの割合 0.0%）|{x}");
}

TEST(Followups, TemplateErrorsNameTheKeyAndLine) {
  auto msg = error_of([] {
    (void)koe::parse_score_config(
        "[followup]\nafter_stage_change_days = 7\n\n[followup.templates]\n"
        "adopted = \"ok {label}\"\nprogress = \"{label} {nope}\"\n",
        "koe.toml");
  });
  EXPECT_NE(msg.find("koe.toml:6: followup.templates.progress: unknown placeholder {nope}"),
            std::string::npos)
      << msg;
  msg = error_of(
      [] { (void)koe::parse_score_config("[followup.templates]\nshipped = \"x\"\n", "koe.toml"); });
  EXPECT_NE(msg.find("koe.toml:2: followup.templates.shipped: unknown key"), std::string::npos)
      << msg;
  msg = error_of(
      [] { (void)koe::parse_score_config("[followup]\nwithout_change_days = -1\n", "koe.toml"); });
  EXPECT_NE(msg.find("koe.toml:2: followup.without_change_days"), std::string::npos) << msg;
  msg = error_of(
      [] { (void)koe::parse_score_config("[followup.templates]\npending = \"{x\"\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: followup.templates.pending: '{' without '}'"), std::string::npos)
      << msg;

  const auto o = koe::parse_score_config(
      "[followup]\nafter_stage_change_days = 7\n[followup.templates]\nadopted = \"A {label}\"\n",
      "koe.toml");
  EXPECT_EQ(o.followup.after_stage_change_days, 7);
  EXPECT_EQ(o.followup.without_change_days, 30);
  EXPECT_EQ(o.followup.templates.at("adopted"), "A {label}");
  EXPECT_EQ(o.followup.templates.at("pending"), koe::followup_options{}.templates.at("pending"));
  // The shipped koe.toml spells out the defaults.
  const auto shipped = koe::load_score_config(KOE_DATA_DIR "/koe.toml");
  EXPECT_EQ(shipped.followup.templates, koe::followup_options{}.templates);
  EXPECT_EQ(shipped.followup.after_stage_change_days, 14);
  EXPECT_EQ(shipped.followup.without_change_days, 30);
}

TEST(Followups, HtmlUnsafeTextStaysPlainInTheCsv) {
  hand_run run;
  run.options.followup.templates["pending"] = "<b>{label}</b> & \"{voice}\", ok";
  run.cluster(1, "<i>x</i>", koe::decision_status::pending, "2026-11-01");
  run.voice("V1", "a,b", 0, "<script>");
  koe::programme_result p;
  p.as_of = "2026-11-15";
  p.has_contributors = true;
  p.followups = run.plan({}, p.as_of);
  std::ostringstream out;
  koe::write_followups_csv(out, p);
  EXPECT_EQ(out.str(),
            "contributor,voices,cluster,label,stage,stage_since,last_contact,next_contact,due,"
            "draft,other_clusters\n"
            "\"a,b\",V1,1,<i>x</i>,pending,2026-11-01,,2026-11-15,yes,"
            "\"<b><i>x</i></b> & \"\"<script>\"\", ok\",\n");
}

#ifdef KOE_CLI_PATH

// The records of a CSV file (RFC 4180 quoting), header first.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        row.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        row.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.emplace_back();
    } else if (c == '\n') {
      rows.push_back(row);
      row.assign(1, "");
    } else {
      row.back() += c;
    }
  }
  return rows;
}

TEST(Followups, ASecondRunWithTheContactsAppendedNeverRepeatsAStage) {
  koe::test::temp_dir dir("koe_followups");
  const auto decisions = dir.write(
      "decisions.csv", "key,cluster,decision,date\n,0,adopted,2026-07-20\n,1,pending,2026-07-25\n");
  const std::string voices = KOE_DATA_DIR "/sample/voices.csv";
  auto run = [&](const std::string& out, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--decisions", decisions.string(), "--as-of", "2026-09-01"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = koe::test::cluster(dir, voices, dir.path() / out, args);
    EXPECT_EQ(r.status, 0) << r.err;
    return csv_rows(koe::test::slurp(dir.path() / out / "followups.csv"));
  };
  const auto first = run("out1", {});
  ASSERT_GT(first.size(), 2u);
  ASSERT_EQ(first[0][0], "contributor");
  ASSERT_EQ(first[0][2], "cluster");
  ASSERT_EQ(first[0][4], "stage");
  ASSERT_EQ(first[0][7], "next_contact");
  // The team sends every proposal and appends it to the log: the columns line up.
  std::string log = "contributor,cluster,stage,date\n";
  std::set<std::tuple<std::string, std::string, std::string>> told;
  for (std::size_t i = 1; i < first.size(); ++i) {
    EXPECT_NE(first[i][4], "progress");
    told.insert({first[i][0], first[i][2], first[i][4]});
    log += first[i][0] + "," + first[i][2] + "," + first[i][4] + "," + first[i][7] + "\n";
  }
  const auto contacts = dir.write("contacts.csv", log);
  const auto second = run("out2", {"--contacts", contacts.string()});
  ASSERT_GT(second.size(), 1u);
  std::size_t progress = 0;
  for (std::size_t i = 1; i < second.size(); ++i) {
    EXPECT_FALSE(told.contains({second[i][0], second[i][2], second[i][4]}))
        << second[i][0] << " told " << second[i][4] << " twice";
    progress += second[i][4] == "progress";
  }
  EXPECT_GT(progress, 0u);
}

#endif

}  // namespace
