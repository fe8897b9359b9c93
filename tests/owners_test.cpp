// Owners (担当): the owner rules and their matching, overrides by cluster id, the configuration's
// errors, owners.csv, report.html's 担当別 and the bundled rules on the sample.
#include <koe/assess.hpp>
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/programme.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>

#include "detail/report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

koe::owner_rule rule(std::string owner, std::string role, std::vector<std::string> terms,
                     std::vector<std::string> patterns = {}, std::string reason = "",
                     std::size_t line = 0) {
  koe::owner_rule r;
  r.owner = std::move(owner);
  r.role = std::move(role);
  r.terms = std::move(terms);
  r.patterns = std::move(patterns);
  r.reason = std::move(reason);
  r.line = line;
  return r;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_config) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

// A file under the test's own temporary folder, removed with it.
struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() /
           ("koe_owners_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
};

TEST(Owners, MostMatchedTermsWin) {
  koe::owner_options o;
  o.rules = {rule("物流", "配送", {"配送", "遅延"}, {}, "delivery", 3),
             rule("CS", "", {"問い合わせ", "電話", "返信"}, {}, "desk", 9)};
  const auto s = koe::owner_of({"配送", "問い合わせ", "電話", "遅延", "返信"}, o);
  ASSERT_TRUE(s.assigned);
  EXPECT_EQ(s.owner, "CS");
  EXPECT_EQ(s.role, "");
  EXPECT_EQ(s.matched_terms, (std::vector<std::string>{"問い合わせ", "電話", "返信"}));
  EXPECT_EQ(s.rule_reason, "desk");
  EXPECT_EQ(s.rule_line, 9u);
  EXPECT_FALSE(s.overridden);
}

TEST(Owners, OnlyTheFirstTopTermsCount) {
  koe::owner_options o;
  o.rules = {rule("物流", "", {"配送"}), rule("CS", "", {"電話", "返信"})};
  o.top_terms = 2;
  // 返信 is third: CS matches one term within the first two, as 物流 does, and 配送 ranks first.
  const auto s = koe::owner_of({"配送", "電話", "返信"}, o);
  EXPECT_EQ(s.owner, "物流");
  EXPECT_EQ(s.matched_terms, std::vector<std::string>{"配送"});
}

TEST(Owners, ATieGoesToTheBetterRankedTerm) {
  koe::owner_options o;
  o.rules = {rule("CS", "", {"電話"}, {}, "cs"), rule("物流", "", {"配送"}, {}, "logistics")};
  // One term each: 配送 ranks first, so 物流 wins although its rule comes later.
  const auto s = koe::owner_of({"配送", "電話", "味"}, o);
  EXPECT_EQ(s.owner, "物流");
  EXPECT_EQ(s.rule_reason, "logistics");
}

TEST(Owners, ATieOnTheSameTermGoesToTheEarlierRule) {
  koe::owner_options o;
  o.rules = {rule("開発", "通知", {"通知"}, {}, "app", 1),
             rule("マーケティング", "", {"通知"}, {}, "mail", 7)};
  const auto s = koe::owner_of({"通知", "設定"}, o);
  EXPECT_EQ(s.owner, "開発");
  EXPECT_EQ(s.role, "通知");
  EXPECT_EQ(s.rule_line, 1u);
}

TEST(Owners, OwnerAndRoleCountTogetherAndATermCountsOnce) {
  koe::owner_options o;
  // Two rules of one owner and role add up; a term named by both counts once. The same owner
  // with another role is another owner.
  o.rules = {rule("物流", "配送", {"配送", "遅延"}, {}, "first", 2),
             rule("物流", "梱包", {"梱包", "ゴミ", "箱"}, {}, "packing", 5),
             rule("物流", "配送", {"遅延", "不在"}, {}, "second", 8)};
  const auto s = koe::owner_of({"遅延", "梱包", "ゴミ", "不在", "配送"}, o);
  EXPECT_EQ(s.role, "配送");
  EXPECT_EQ(s.matched_terms, (std::vector<std::string>{"遅延", "不在", "配送"}));
  // The reason and line are those of the winner's first matching rule.
  EXPECT_EQ(s.rule_reason, "first");
  EXPECT_EQ(s.rule_line, 2u);
}

TEST(Owners, PatternsMatchWholeTermsAndCaseIsFolded) {
  koe::owner_options o;
  o.rules = {rule("開発", "決済", {}, {"*決済", "pay*"}, "payments")};
  auto s = koe::owner_of({"カード決済", "PayPay", "決済エラー"}, o);
  ASSERT_TRUE(s.assigned);
  EXPECT_EQ(s.matched_terms, (std::vector<std::string>{"カード決済", "PayPay"}));
  s = koe::owner_of({"決済エラー"}, o);
  EXPECT_FALSE(s.assigned);
}

TEST(Owners, NoMatchIsUnassignedNeverADefault) {
  koe::owner_options o;
  o.rules = {rule("物流", "", {"配送"})};
  const auto s = koe::owner_of({"味", "量"}, o);
  EXPECT_FALSE(s.assigned);
  EXPECT_TRUE(s.owner.empty());
  EXPECT_TRUE(s.matched_terms.empty());
  EXPECT_FALSE(koe::owner_of({"配送"}, koe::owner_options{}).assigned);
}

TEST(Owners, AnOverrideByClusterIdWins) {
  koe::owner_options o;
  o.rules = {rule("物流", "", {"配送"}, {}, "delivery", 4)};
  o.overrides = {{12, "CS", "窓口", "配送の苦情は窓口が受ける"}};
  std::vector<koe::candidate> cs(3);
  cs[0].cluster = 12;
  cs[0].top_terms = {"配送"};
  cs[1].cluster = 3;
  cs[1].top_terms = {"配送"};
  cs[2].cluster = 5;
  cs[2].top_terms = {"味"};
  koe::assign_owners(cs, o);
  EXPECT_TRUE(cs[0].owner.assigned);
  EXPECT_TRUE(cs[0].owner.overridden);
  EXPECT_EQ(cs[0].owner.owner, "CS");
  EXPECT_EQ(cs[0].owner.role, "窓口");
  EXPECT_EQ(cs[0].owner.rule_reason, "配送の苦情は窓口が受ける");
  EXPECT_EQ(cs[0].owner.rule_line, 0u);
  EXPECT_TRUE(cs[0].owner.matched_terms.empty());
  EXPECT_EQ(cs[1].owner.owner, "物流");
  EXPECT_FALSE(cs[1].owner.overridden);
  EXPECT_FALSE(cs[2].owner.assigned);
}

TEST(OwnersConfig, RulesFileIsReadWithLines) {
  const temp_dir dir;
  const auto path = dir.write("owners.toml",
                              "# rules\n[[rule]]\nowner = \" 物流 \"\nrole = \"配送\"\n"
                              "terms = [\"配送\", \"SMS\"]\nreason = \"r\"\n\n[[rule]]\n"
                              "owner = \"開発\"\npatterns = [\"*決済\"]\n");
  const auto rules = koe::read_owner_rules(path);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].owner, "物流");
  EXPECT_EQ(rules[0].role, "配送");
  EXPECT_EQ(rules[0].terms, (std::vector<std::string>{"配送", "sms"}));
  EXPECT_EQ(rules[0].reason, "r");
  EXPECT_EQ(rules[0].line, 2u);
  EXPECT_EQ(rules[1].patterns, std::vector<std::string>{"*決済"});
  EXPECT_EQ(rules[1].line, 8u);
}

TEST(OwnersConfig, RulesFileErrorsNameFileKeyAndLine) {
  const temp_dir dir;
  auto msg = error_of([&] {
    (void)koe::read_owner_rules(
        dir.write("a.toml",
                  "[[rule]]\nowner = \"物流\"\nterms = [\"配送\"]\n\n[[rule]]\n"
                  "owner = \"CS\"\nterm = [\"電話\"]\n"));
  });
  EXPECT_NE(msg.find("a.toml:7: rule.term: unknown key (did you mean 'terms'?)"), std::string::npos)
      << msg;
  msg = error_of(
      [&] { (void)koe::read_owner_rules(dir.write("b.toml", "[[rule]]\nterms = [\"配送\"]\n")); });
  EXPECT_NE(msg.find("b.toml:1: rule.owner: missing or empty"), std::string::npos) << msg;
  msg = error_of([&] {
    (void)koe::read_owner_rules(
        dir.write("c.toml", "\n[[rule]]\nowner = \"  \"\nterms = [\"x\"]\n"));
  });
  EXPECT_NE(msg.find("c.toml:2: rule.owner: missing or empty"), std::string::npos) << msg;
  msg = error_of([&] {
    (void)koe::read_owner_rules(
        dir.write("d.toml", "[[rule]]\nowner = \"物流\"\nreason = \"r\"\n"));
  });
  EXPECT_NE(msg.find("d.toml:1: rule.terms: a rule needs terms or patterns"), std::string::npos)
      << msg;
  msg = error_of([&] {
    (void)koe::read_owner_rules(
        dir.write("e.toml", "[[rule]]\nowner = \"物流\"\nterms = \"配送\"\n"));
  });
  EXPECT_NE(msg.find("e.toml:3: rule.terms: expected an array of strings"), std::string::npos)
      << msg;
  // A missing file is named too.
  try {
    (void)koe::read_owner_rules(dir.path / "missing.toml");
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.toml"), std::string::npos) << e.what();
  }
}

TEST(OwnersConfig, KoeTomlAddsRulesAndOverrides) {
  const temp_dir dir;
  dir.write("mine.toml", "[[rule]]\nowner = \"物流\"\nterms = [\"配送\"]\n");
  const auto o = koe::parse_score_config(
      "[data]\nowner_rules = \"mine.toml\"\n\n[owners]\ntop_terms = 4\n\n[[owners.rule]]\n"
      "owner = \"CS\"\nterms = [\"電話\"]\n\n[[owners.override]]\ncluster = 7\nowner = \"開発\"\n"
      "role = \"アプリ\"\nreason = \"why\"\n",
      "koe.toml", dir.path);
  ASSERT_EQ(o.owners.rules.size(), 2u);
  EXPECT_EQ(o.owners.rules[0].owner, "物流");
  EXPECT_EQ(o.owners.rules[1].owner, "CS");
  EXPECT_EQ(o.owners.rules[1].line, 7u);
  EXPECT_EQ(o.owners.top_terms, 4u);
  ASSERT_EQ(o.owners.overrides.size(), 1u);
  EXPECT_EQ(o.owners.overrides[0].cluster, 7);
  EXPECT_EQ(o.owners.overrides[0].owner, "開発");
  EXPECT_EQ(o.owners.overrides[0].role, "アプリ");
  EXPECT_EQ(o.owners.overrides[0].reason, "why");
}

TEST(OwnersConfig, KoeTomlErrorsNameKeyAndLine) {
  auto msg = error_of([] {
    (void)koe::parse_score_config("[owners]\n\n[[owners.override]]\nowner = \"CS\"\n", "k.toml");
  });
  EXPECT_NE(msg.find("k.toml:3: owners.override.cluster: missing"), std::string::npos) << msg;
  msg = error_of([] {
    (void)koe::parse_score_config("[[owners.override]]\ncluster = 2\nrole = \"x\"\n", "k.toml");
  });
  EXPECT_NE(msg.find("k.toml:1: owners.override.owner: missing or empty"), std::string::npos)
      << msg;
  msg = error_of([] {
    (void)koe::parse_score_config(
        "[[owners.override]]\ncluster = 2\nowner = \"a\"\n[[owners.override]]\ncluster = 2\n"
        "owner = \"b\"\n",
        "k.toml");
  });
  EXPECT_NE(msg.find("k.toml:5: owners.override.cluster: cluster 2 already has an override"),
            std::string::npos)
      << msg;
  msg = error_of([] {
    (void)koe::parse_score_config("[[owners.override]]\ncluster = -1\nowner = \"a\"\n", "k.toml");
  });
  EXPECT_NE(msg.find("k.toml:2: owners.override.cluster: value -1 is outside"), std::string::npos)
      << msg;
  msg = error_of([] { (void)koe::parse_score_config("[owners]\ntop_term = 3\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: owners.top_term: unknown key (did you mean 'top_terms'?)"),
            std::string::npos)
      << msg;
  msg = error_of([] { (void)koe::parse_score_config("[owners]\nrule = 3\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: owners.rule: expected [[owners.rule]] tables"), std::string::npos)
      << msg;
  msg = error_of(
      [] { (void)koe::parse_score_config("\n[[owners.rule]]\nowner = \"CS\"\n", "k.toml"); });
  EXPECT_NE(msg.find("k.toml:2: owners.rule.terms: a rule needs terms or patterns"),
            std::string::npos)
      << msg;
  msg = error_of([] {
    (void)koe::parse_score_config("[data]\nowner_rules = \"nowhere.toml\"\n", "k.toml", "/");
  });
  EXPECT_NE(msg.find("k.toml:2: data.owner_rules: file not found"), std::string::npos) << msg;
}

TEST(OwnersConfig, BundledRulesLoad) {
  const koe::score_options o = koe::default_score_options();
  EXPECT_FALSE(o.owners.rules.empty());
  for (const auto& r : o.owners.rules) {
    EXPECT_FALSE(r.owner.empty());
    EXPECT_FALSE(r.reason.empty()) << r.owner << " line " << r.line;
    EXPECT_GT(r.line, 0u);
  }
  EXPECT_EQ(koe::read_owner_rules(KOE_DATA_DIR "/owner-rules.toml").size(), o.owners.rules.size());
  EXPECT_EQ(koe::load_score_config(KOE_DATA_DIR "/koe.toml").owners.rules.size(),
            o.owners.rules.size());
}

// A candidate made by hand.
koe::candidate make(int cluster, std::size_t rank, std::string label, std::string owner,
                    std::string role = "") {
  koe::candidate c;
  c.cluster = cluster;
  c.rank = rank;
  c.label = std::move(label);
  c.scores.adoption = 1.0 / static_cast<double>(rank + 1);
  if (!owner.empty()) {
    c.owner.assigned = true;
    c.owner.owner = std::move(owner);
    c.owner.role = std::move(role);
    c.owner.matched_terms = {"a", "b"};
    c.owner.rule_reason = "because";
  }
  return c;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

TEST(OwnersCsv, GroupedByOwnerInOrderOfTheirBestCandidate) {
  // Not in rank order on purpose: the writer orders by rank itself.
  std::vector<koe::candidate> cs = {make(30, 3, "梱包", "物流", "梱包"),
                                    make(10, 1, "解約", "CS", "契約"),
                                    make(40, 4, "味", ""),
                                    make(20, 2, "遅延", "物流", "配送"),
                                    make(50, 5, "請求", "CS", "請求"),
                                    make(60, 6, "謎", "")};
  cs[1].recommended = true;
  cs[4].owner.overridden = true;
  cs[4].owner.matched_terms.clear();
  koe::programme_result p;
  p.stages.resize(cs.size());
  p.stages[1].stage = koe::decision_status::adopted;
  p.stages[1].days = 45;
  p.stages[1].stuck = true;
  p.stages[1].summary = "採用から 45 日、企画化待ち";
  std::ostringstream out;
  koe::write_owners_csv(out, cs, p);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0],
            "owner,role,cluster,label,rank,adoption,recommended,decision,stage_summary,"
            "days_in_stage,stuck,matched_terms,rule");
  EXPECT_EQ(lines[1],
            "CS,契約,10,解約,1,0.500000,true,adopted,採用から 45 日、企画化待ち,45,true,"
            "a+b,because");
  EXPECT_EQ(lines[2], "CS,請求,50,請求,5,0.166667,false,undecided,,,false,,override");
  EXPECT_EQ(lines[3], "物流,配送,20,遅延,2,0.333333,false,undecided,,,false,a+b,because");
  EXPECT_EQ(lines[4], "物流,梱包,30,梱包,3,0.250000,false,undecided,,,false,a+b,because");
  EXPECT_EQ(lines[5], "担当未定,,40,味,4,0.200000,false,undecided,,,false,,");
  EXPECT_EQ(lines[6], "担当未定,,60,謎,6,0.142857,false,undecided,,,false,,");
}

TEST(OwnersCsv, UserTextIsQuotedNotEscaped) {
  std::vector<koe::candidate> cs = {make(1, 1, "a,b", "<script>alert(\"x\")</script>")};
  cs[0].owner.rule_reason = "r, \"q\"";
  koe::programme_result p;
  std::ostringstream out;
  koe::write_owners_csv(out, cs, p);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "\"<script>alert(\"\"x\"\")</script>\",,1,\"a,b\",1,0.500000,false,undecided,"
            ",,false,a+b,\"r, \"\"q\"\"\"");
}

TEST(OwnersHtml, OneBlockPerOwnerUnassignedLastAndEscaped) {
  koe::adoption_result a;
  a.candidates = {make(10, 1, "解約", "<script>x</script>"), make(20, 2, "味", ""),
                  make(30, 3, "遅延", "物流")};
  a.candidates[0].owner.rule_reason = "<b>";
  koe::programme_result p;
  p.stages.resize(3);
  p.stages[0].stage = koe::decision_status::planned;
  p.stages[0].summary = "企画化から 10 日";
  p.stages[0].stuck = true;
  p.stages[2].stage = koe::decision_status::launched;
  p.stages[2].summary = "提供開始（2026-11-15）";
  koe::report_options ro;
  ro.adoption = &a;
  ro.programme = &p;
  std::ostringstream out;
  koe::detail::owners_section(out, ro);
  const std::string html = out.str();
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  const auto script = html.find("&lt;script&gt;");
  const auto logistics = html.find("<h3>物流");
  const auto unassigned = html.find("<h3>担当未定");
  ASSERT_NE(unassigned, std::string::npos);
  EXPECT_LT(script, logistics);
  EXPECT_LT(logistics, unassigned);
  EXPECT_NE(html.find("担当を決めてください"), std::string::npos);
  EXPECT_NE(html.find("企画化から 10 日"), std::string::npos);
  EXPECT_NE(html.find("停滞"), std::string::npos);
  EXPECT_NE(html.find("未完了の判断 1 件"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"scroll\">"), std::string::npos);
  // Without the programme there is no section.
  ro.programme = nullptr;
  std::ostringstream none;
  koe::detail::owners_section(none, ro);
  EXPECT_TRUE(none.str().empty());
}

TEST(OwnersSample, EveryLargeClusterGetsAnOwner) {
  const temp_dir dir;
  koe::job_options o;
  o.pipeline.cluster.seed = 1234;
  koe::job j(o);
  (void)j.run_to_files(KOE_DATA_DIR "/sample/voices.csv", dir.path / "out", false);
  const auto& cs = j.adoption().candidates;
  ASSERT_FALSE(cs.empty());
  std::size_t unassigned = 0;
  for (const auto& c : cs) {
    if (!c.owner.assigned) {
      ++unassigned;
      continue;
    }
    EXPECT_FALSE(c.owner.matched_terms.empty()) << c.label;
  }
  EXPECT_EQ(unassigned, 0u);
  std::ifstream in(dir.path / "out" / "owners.csv");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(lines_of(bytes.str()).size(), cs.size() + 1);
}

// An override from koe.toml carries a user's text into every output: escaped in report.html,
// quoted as CSV in owners.csv, as it is in candidates.json.
TEST(OwnersSample, AnOverrideInKoeTomlReachesEveryOutputEscaped) {
  const temp_dir dir;
  koe::job_options o;
  o.pipeline.cluster.seed = 1234;
  int id = -1;
  {
    koe::job first(o);
    (void)first.run_to_files(KOE_DATA_DIR "/sample/voices.csv", dir.path / "first", false);
    id = first.adoption().candidates.front().cluster;
  }
  o.config = dir.write("koe.toml", "[[owners.override]]\ncluster = " + std::to_string(id) +
                                       "\nowner = \"<script>alert(1)</script>\"\n"
                                       "role = \"a,b\"\nreason = \"決めた\"\n")
                 .string();
  koe::job j(o);
  (void)j.run_to_files(KOE_DATA_DIR "/sample/voices.csv", dir.path / "out", false);
  const koe::candidate& best = j.adoption().candidates.front();
  ASSERT_EQ(best.cluster, id);
  EXPECT_TRUE(best.owner.overridden);
  auto read = [&](const char* name) {
    std::ifstream in(dir.path / "out" / name, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  };
  const std::string html = read("report.html");
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  const auto csv = lines_of(read("owners.csv"));
  ASSERT_GE(csv.size(), 2u);
  const std::string start = "<script>alert(1)</script>,\"a,b\"," + std::to_string(id) + ",";
  EXPECT_TRUE(csv[1].starts_with(start)) << csv[1];
  EXPECT_NE(csv[1].find(",override"), std::string::npos) << csv[1];
}

}  // namespace
