// The koe executable end to end: exit statuses, koe tokenize's output, --help, --stats, and
// what reaches the terminal.
#include <koe/options.hpp>
#include <koe/pipeline.hpp>

// tests/CMakeLists.txt builds this suite only with koe_cli and passes KOE_CLI_PATH.
#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path bad_inputs = fs::path(KOE_TEST_DIR) / "bad_inputs";

fs::path bad(const std::string& name) {
  return bad_inputs / name;
}

class temp_dir : public koe::test::temp_dir {
 public:
  temp_dir() : koe::test::temp_dir("koe_cli") {}
};

using koe::test::cli_result;
using koe::test::cluster;
using koe::test::run_koe;
using koe::test::slurp;

class Cli : public ::testing::Test {};

TEST_F(Cli, UsageErrorsExitTwoAndBadInputOrOptionFilesExitOne) {
  // README: 0 on success, 1 on bad input or options (message on stderr), 2 on usage errors.
  const temp_dir dir;
  const std::string good = bad("good_voices.csv").string();
  const std::string out = (dir.path() / "out").string();
  const std::vector<std::vector<std::string>> usage = {
      {"cluster", good, "-o", out, "--frobnicate"},
      {"cluster", good, "-o", out, "--format", "xml"},
      {"cluster", good, "-o", out, "-k", "0"},
      {"cluster", good, "-o", out, "-k", "many"},
      {"cluster", good, "-o", out, "--on-error", "ignore"},
      {"cluster", good},
      {"tokenize", good, "--frobnicate"},
      {"frobnicate"},
      {},
  };
  for (const auto& args : usage) {
    const auto r = run_koe(dir, args);
    std::string line;
    for (const auto& a : args)
      line += " " + a;
    EXPECT_EQ(r.status, 2) << "koe" << line << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << "koe" << line;
    EXPECT_FALSE(fs::exists(dir.path() / "out" / "clusters.json")) << "koe" << line;
  }
  const fs::path config = dir.write("koe.toml", "[adoption]\nimpact_wieght = 2\n");
  const fs::path broken_config = dir.write("broken.toml", "[adoption\n");
  const fs::path decisions = dir.write("decisions.csv", "key,decision\n\"unterminated\n");
  const std::vector<std::vector<std::string>> bad_files = {
      {"--config", config.string()},
      {"--config", broken_config.string()},
      {"--config", (dir.path() / "absent.toml").string()},
      {"--decisions", decisions.string()},
      {"--decisions", (dir.path() / "absent.csv").string()},
  };
  for (const auto& extra : bad_files) {
    const auto r = cluster(dir, good, dir.path() / "out", extra);
    EXPECT_EQ(r.status, 1) << extra[0] << " " << extra[1] << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("koe: ", 0), 0u) << r.err;
    EXPECT_FALSE(fs::exists(dir.path() / "out" / "clusters.json")) << extra[1];
  }
}

// ---------------------------------------------------------------------------------------------
// The rest of the command line

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

TEST_F(Cli, TokenizePrintsIdTabTermsAndMarksEmptyAndRejectedRecords) {
  const temp_dir dir;
  const fs::path file = dir.write("voices.csv",
                                  "id,text\n"
                                  "a1,アプリが重い\n"
                                  "a2,\n"
                                  "a3,x,y\n"
                                  "a4,ＡＰＰが重すぎる\n");
  const fs::path rejects = dir.path() / "rejects.csv";
  koe::pipeline p(koe::pipeline_options{});
  const auto terms = p.tokenize({"アプリが重い", "ＡＰＰが重すぎる"});
  const auto joined = [](const std::vector<std::string>& t) {
    std::string s;
    for (const auto& term : t)
      s += (s.empty() ? "" : " ") + term;
    return s;
  };
  ASSERT_FALSE(terms.at(0).empty());
  // A rejected record's fields cannot be trusted, so its id is its record number.
  const std::string reason = "line 4: record has 3 fields, header has 2";
  const auto t = run_koe(
      dir, {"tokenize", file.string(), "--on-error", "skip", "--rejects", rejects.string()});
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_EQ(lines_of(t.out),
            (std::vector<std::string>{"a1\t" + joined(terms[0]), "a2\t(empty)",
                                      "3\t(rejected: " + reason + ")", "a4\t" + joined(terms[1])}));
  EXPECT_TRUE(t.said("koe: rejected " + file.string() + " record 3: " + reason)) << t.err;
  EXPECT_TRUE(t.said("koe: read 4 = kept 2 + empty 1 + rejected 1")) << t.err;
  EXPECT_EQ(slurp(rejects), "record,line,id,reason\n3,4,3,\"" + reason + "\"\n");

  // --normalized puts the normalized text between the id and the terms; -q keeps stderr for
  // the rejects alone.
  const auto n =
      run_koe(dir, {"tokenize", file.string(), "--on-error", "skip", "--normalized", "-q"});
  ASSERT_EQ(n.status, 0) << n.err;
  EXPECT_EQ(lines_of(n.out),
            (std::vector<std::string>{"a1\tアプリが重い\t" + joined(terms[0]), "a2\t(empty)",
                                      "3\t(rejected: " + reason + ")",
                                      "a4\tappが重すぎる\t" + joined(terms[1])}));
  EXPECT_EQ(lines_of(n.err),
            std::vector<std::string>{"koe: rejected " + file.string() + " record 3: " + reason});
  // Without --on-error skip the bad record stops it, as it stops koe cluster.
  const auto f = run_koe(dir, {"tokenize", file.string()});
  EXPECT_EQ(f.status, 1);
  EXPECT_TRUE(f.said("koe: " + file.string() + ":4: record has 3 fields, header has 2")) << f.err;
}

TEST_F(Cli, HelpListsEveryOptionWithItsDefault) {
  const temp_dir dir;
  const auto cluster_help = run_koe(dir, {"cluster", "--help"});
  const auto tokenize_help = run_koe(dir, {"tokenize", "--help"});
  const auto assign_help = run_koe(dir, {"assign", "--help"});
  ASSERT_EQ(cluster_help.status, 0);
  ASSERT_EQ(tokenize_help.status, 0);
  ASSERT_EQ(assign_help.status, 0);
  // The defaults README and docs promise, spelled out.
  for (const char* shown :
       {"-k NUMBER=auto", "--seed NUMBER=1234", "--min-df NUMBER=2", "--max-df NUMBER=1.0",
        "--n-init NUMBER=3", "--max-iter NUMBER=100", "--tol NUMBER=1e-04", "--k-min NUMBER=2",
        "--k-max NUMBER=30", "--on-error {fail,skip}=fail",
        "--format {auto,csv,tsv,jsonl,text}=auto",
        "--encoding {utf-8,shift_jis,cp932,euc-jp,auto}=utf-8", "--max-voice-bytes NUMBER=16384",
        "--top NUMBER=5", "--threads NUMBER=0", "-o,--output TEXT REQUIRED", "--stats",
        "-q,--quiet"})
    EXPECT_NE(cluster_help.out.find("  " + std::string(shown)), std::string::npos) << shown;
  for (const char* shown : {"--normalized", "--rejects TEXT", "--on-error {fail,skip}=fail"})
    EXPECT_NE(tokenize_help.out.find("  " + std::string(shown)), std::string::npos) << shown;
  // And every option the library has, each command the ones that concern it, with the default
  // where it has one to show.
  const koe::job_options defaults;
  for (const auto& d : koe::option_descriptors()) {
    if (d.cli.empty()) continue;
    const bool text_stage =
        d.scope == koe::option_scope::read || d.scope == koe::option_scope::text;
    const std::string first = "  " + std::string(d.cli) + " ";
    // koe assign's own options are its alone; it also reads and scores, and of the text
    // options takes the dictionary's place and the thread count (the model has the rest).
    const bool assigning = d.scope == koe::option_scope::assign;
    const bool in_assign = assigning || d.scope == koe::option_scope::read ||
                           d.scope == koe::option_scope::scoring || d.cli == "--dicdir" ||
                           d.cli == "--threads";
    EXPECT_EQ(cluster_help.out.find(first) != std::string::npos, !assigning) << d.cli;
    EXPECT_EQ(tokenize_help.out.find(first) != std::string::npos, text_stage) << d.cli;
    EXPECT_EQ(assign_help.out.find(first) != std::string::npos, in_assign) << d.cli;
    const std::string& help = assigning ? assign_help.out : cluster_help.out;
    const std::string value = koe::option_text(
        koe::get_option(defaults, d, koe::option_surface::cli), koe::option_surface::cli);
    std::string entry = first;
    if (d.kind == koe::option_kind::number) {
      entry += "NUMBER=" + value;
    } else if (d.kind == koe::option_kind::choice) {
      for (std::size_t i = 0; i < d.choices.size(); ++i)
        entry += (i == 0 ? "{" : ",") + std::string(d.choices[i]);
      entry += "}=" + value;
    } else {
      continue;  // flags and texts show no default: their help says what the default is
    }
    EXPECT_FALSE(value.empty()) << d.cli;
    EXPECT_NE(help.find(entry), std::string::npos) << entry;
  }
}

TEST_F(Cli, StatsPrintsEveryStageAndAddsThemToClustersJson) {
  const temp_dir dir;
  const auto r = cluster(dir, bad("good_voices.csv"), dir.path() / "out", {"--stats"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(dir.path() / "out" / "clusters.json"));
  ASSERT_TRUE(j.contains("stats")) << j.dump();
  const auto& stats = j.at("stats");
  EXPECT_GT(stats.at("peak_rss_bytes").get<std::uint64_t>(), 0u);
  const auto& seconds = stats.at("seconds");
  ASSERT_TRUE(seconds.is_object());
  EXPECT_FALSE(seconds.empty());
  for (const auto& [stage, value] : seconds.items()) {
    EXPECT_GE(value.get<double>(), 0.0) << stage;
    const std::string line = "koe: " + stage + " ";
    EXPECT_NE(("\n" + r.err).find("\n" + line), std::string::npos) << stage << "\n" << r.err;
  }
  for (const char* stage : {"read", "tokenize", "vectorize", "cluster", "describe"})
    EXPECT_TRUE(seconds.contains(stage)) << stage << ": " << seconds.dump();
  for (const std::string line : {"koe: score ", "koe: write ", "koe: peak memory "})
    EXPECT_NE(("\n" + r.err).find("\n" + line), std::string::npos) << line << "\n" << r.err;
  // Without --stats neither the lines nor the field.
  const auto plain = cluster(dir, bad("good_voices.csv"), dir.path() / "plain");
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_FALSE(
      nlohmann::json::parse(slurp(dir.path() / "plain" / "clusters.json")).contains("stats"));
  EXPECT_EQ(plain.err.find("peak memory"), std::string::npos) << plain.err;
}

/// Where `printed` holds a C0 control other than tab and line feed, DEL or a C1 control (U+0080
/// to U+009F in UTF-8); npos when it holds none.
std::size_t first_control(const std::string& printed) {
  for (std::size_t i = 0; i < printed.size(); ++i) {
    const auto c = static_cast<unsigned char>(printed[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return i;
    if (c == 0xc2 && i + 1 < printed.size() && static_cast<unsigned char>(printed[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(printed[i + 1]) <= 0x9f)
      return i;
  }
  return std::string::npos;
}

// koe cluster's table prints the representative voice as read (koe::job keeps no normalized
// text) and koe tokenize prints ids as read: an id of "\x1b]0;...\x07" would retitle the
// terminal. Both go through koe::terminal_text.
TEST_F(Cli, ControlCharactersNeverReachTheTerminal) {
  // Every voice, and every id, carries the escapes, so whichever voice a table shows has them.
  const std::string voice = "アプリが\x1b[31m重い\x07\x08\x7f\u0085\u009b2J";
  std::string bytes = "id,text\n";
  for (int i = 0; i < 12; ++i)
    bytes += "v\x1b]0;" + std::to_string(i) + "\x07," + voice + "\n";
  const temp_dir dir;
  const fs::path file = dir.write("escapes.csv", bytes);
  const auto r = run_koe(dir, {"cluster", file.string(), "-k", "1", "--min-df", "1", "--stats",
                               "-o", (dir.path() / "out").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  // The cluster table shows the voice itself, the candidates table the cluster's label, made of
  // its terms: both are on stdout.
  const auto candidates = r.out.find("\n\n");
  ASSERT_NE(candidates, std::string::npos) << r.out;
  EXPECT_NE(r.out.substr(0, candidates).find("アプリが"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("アプリ", candidates), std::string::npos) << r.out;
  EXPECT_EQ(first_control(r.out), std::string::npos) << r.out;
  EXPECT_EQ(first_control(r.err), std::string::npos) << r.err;
  for (const bool normalized : {false, true}) {
    std::vector<std::string> args = {"tokenize", file.string(), "-q"};
    if (normalized) args.emplace_back("--normalized");
    const auto t = run_koe(dir, args);
    ASSERT_EQ(t.status, 0) << t.err;
    ASSERT_NE(t.out.find("重い"), std::string::npos) << t.out;
    EXPECT_EQ(first_control(t.out), std::string::npos) << t.out;
    EXPECT_EQ(first_control(t.err), std::string::npos) << t.err;
  }
}

// ---------------------------------------------------------------------------------------------
// Small inputs

/// The data rows of `file` (a CSV with a header), one string per line.
std::vector<std::string> data_lines(const fs::path& file) {
  std::vector<std::string> lines = lines_of(slurp(file));
  if (!lines.empty()) lines.erase(lines.begin());
  return lines;
}

TEST_F(Cli, TwoVoicesSharingNoWordAreStillClustered) {
  // The default min_df (2) would drop every term of two voices that share no word; then it is
  // 1, so both keep their terms and each is accounted for.
  const temp_dir dir;
  const fs::path file = dir.write("two.csv", "id,text\n1,配送が遅い\n2,アプリがすぐ落ちる\n");
  const fs::path out = dir.path() / "out";
  const auto r = run_koe(dir, {"cluster", file.string(), "-k", "auto", "-q", "-o", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = data_lines(out / "assignments.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].rfind("1,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("2,", 0), 0u) << rows[1];
  for (const auto& row : rows)
    EXPECT_NE(row.find(",clustered,"), std::string::npos) << row;
  // A min_df given on the command line is kept: then nothing is left, and the error says what
  // to try.
  const auto strict = run_koe(dir, {"cluster", file.string(), "-k", "auto", "--min-df", "0.9", "-q",
                                    "-o", (dir.path() / "strict").string()});
  EXPECT_EQ(strict.status, 1);
  EXPECT_NE(strict.err.find("try a lower --min-df"), std::string::npos) << strict.err;
}

TEST_F(Cli, FourRecordsWithOneBrokenGiveFourRowsWhenSkipping) {
  const temp_dir dir;
  const fs::path file = dir.write("four.csv",
                                  "id,text\nb1,配送が遅い\nb2,アプリがすぐ落ちる\nb3,x,y\n"
                                  "b4,解約の方法がわからない\n");
  const fs::path out = dir.path() / "out";
  const auto r = run_koe(dir, {"cluster", file.string(), "-k", "auto", "--on-error", "skip", "-q",
                               "-o", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = data_lines(out / "assignments.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_NE(rows[2].find("rejected"), std::string::npos) << rows[2];
  for (const std::size_t i : {0u, 1u, 3u})
    EXPECT_NE(rows[i].find(",clustered,"), std::string::npos) << rows[i];
}

}  // namespace

namespace {

// The sample's header and its records [first, last) (1-based record numbers), as a file.
fs::path sample_part(const temp_dir& dir, const std::string& name, std::size_t first,
                     std::size_t last) {
  std::ifstream in(fs::path(KOE_DATA_DIR) / "sample" / "voices.csv", std::ios::binary);
  std::string line, out;
  std::getline(in, line);
  out = line + '\n';
  for (std::size_t record = 1; std::getline(in, line); ++record)
    if (record >= first && record < last) out += line + '\n';
  return dir.write(name, out);
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST_F(Cli, TextsInTemporaryFilesOrInMemoryGiveTheSameFiles) {
  // By default the texts and term rows wait in temporary files in TMPDIR; --in-memory keeps them
  // in memory, and a TMPDIR that cannot be written leaves them there too. No file may differ.
  const temp_dir dir;
  const fs::path sample = fs::path(KOE_DATA_DIR) / "sample" / "voices.csv";
  const std::vector<std::string> args = {"cluster", sample.string(), "-k", "8", "-q"};
  auto run = [&](const char* name, const std::vector<std::string>& extra,
                 const std::string& prefix) {
    std::vector<std::string> a = args;
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back("-o");
    a.push_back((dir.path() / name).string());
    const cli_result r = run_koe(dir, a, prefix);
    EXPECT_EQ(r.status, 0) << name << ": " << r.err;
    EXPECT_EQ(r.err, "") << name;
    return r;
  };
  const cli_result spilled = run("spilled", {}, "");
  const cli_result kept = run("kept", {"--in-memory"}, "");
  const cli_result nowhere = run("nowhere", {}, "TMPDIR=/nonexistent/koe-no-such-dir ");
  EXPECT_EQ(kept.out, spilled.out);
  EXPECT_EQ(nowhere.out, spilled.out);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "spilled")) {
    const fs::path name = e.path().filename();
    EXPECT_TRUE(slurp(dir.path() / "kept" / name) == slurp(e.path())) << name;
    EXPECT_TRUE(slurp(dir.path() / "nowhere" / name) == slurp(e.path())) << name;
    ++files;
  }
  EXPECT_GE(files, 9u);
}

TEST_F(Cli, SeveralInputFilesGiveTheOutputsOfTheirConcatenation) {
  const temp_dir dir;
  const fs::path whole = sample_part(dir, "whole.csv", 1, 100000);
  const fs::path a = sample_part(dir, "a.csv", 1, 150);
  const fs::path b = sample_part(dir, "b.csv", 150, 100000);
  const fs::path one = dir.path() / "one", two = dir.path() / "two";
  const cli_result r1 = run_koe(dir, {"cluster", whole.string(), "-k", "6", "-q", "-o", one});
  ASSERT_EQ(r1.status, 0) << r1.err;
  const cli_result r2 =
      run_koe(dir, {"cluster", a.string(), b.string(), "-k", "6", "-q", "-o", two});
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(r2.out, r1.out);
  for (const char* f : {"assignments.csv", "trace.csv", "candidates.json", "model.koe",
                        "owners.csv", "kpis.csv", "trends.csv"})
    EXPECT_TRUE(slurp(one / f) == slurp(two / f)) << f;
  // The files that name the input name both files.
  const std::string both = a.string() + ", " + b.string();
  for (const char* f : {"clusters.json", "report.html"}) {
    const std::string got = slurp(two / f);
    EXPECT_NE(got.find(both), std::string::npos) << f;
    EXPECT_EQ(replaced(got, both, "INPUT"), replaced(slurp(one / f), whole.string(), "INPUT")) << f;
  }
}

TEST_F(Cli, SeveralInputFilesShareFormatAndHeaderAndKeepTheirOwnLines) {
  const temp_dir dir;
  const fs::path a = sample_part(dir, "a.csv", 1, 150);
  const std::string out = (dir.path() / "out").string();
  // Another header.
  const fs::path other = dir.write("other.csv", "id,comment\n1,配送が遅い\n");
  cli_result r = run_koe(dir, {"cluster", a.string(), other.string(), "-q", "-o", out});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + other.string() +
                     ":1: header: columns id, comment differ from "
                     "those of " +
                     a.string() + "..."))
      << r.err;
  // Another format.
  const fs::path jsonl = dir.write("more.jsonl", "{\"id\": \"1\", \"text\": \"配送が遅い\"}\n");
  r = run_koe(dir, {"cluster", a.string(), jsonl.string(), "-q", "-o", out});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + jsonl.string() + ": not in the format of " + a.string() + "..."))
      << r.err;
  // A bad record of the second file is named by that file and its own line.
  std::string lines = slurp(sample_part(dir, "b.csv", 150, 160));
  lines.insert(lines.find('\n', lines.find('\n') + 1) + 1, "X1,\xff\n");
  const fs::path b = dir.write("b-bad.csv", lines);
  r = run_koe(dir, {"cluster", a.string(), b.string(), "-q", "-o", out});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + b.string() + ":3: invalid UTF-8...")) << r.err;
  // Skipped, its line is its file's and its reason names that file (its record number runs on
  // from the first file's, as the test above shows).
  r = run_koe(
      dir, {"cluster", a.string(), b.string(), "-k", "3", "--on-error", "skip", "-q", "-o", out});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string rejects = slurp(fs::path(out) / "rejects.csv");
  EXPECT_NE(rejects.find(",3,"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find(b.string() + " line 3: invalid UTF-8"), std::string::npos) << rejects;
}
