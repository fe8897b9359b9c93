// koe-mpi end to end: for 1, 2 and 3 ranks, every output file and the printed tables are the
// bytes koe writes; bad records, skipped records and a rank that dies behave as docs/mpi.md says.
#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#ifndef KOE_MPI_PATH
#error "define KOE_MPI_PATH (the koe-mpi executable) and KOE_MPIEXEC (mpirun)"
#endif

namespace {

namespace fs = std::filesystem;
using koe::test::cli_result;
using koe::test::slurp;
using koe::test::temp_dir;

// Open MPI refuses root unless told, and looks for ssh even to start processes on this machine
// only; the tests run as root in CI, on machines without ssh. Under AddressSanitizer, what Open
// MPI keeps allocated until exit would read as leaks: koe-mpi runs without leak checks (the same
// code is leak-checked through koe).
const std::string mpi_environment =
    "export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
    "OMPI_MCA_plm_rsh_agent=false; "
    "export ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\"; ";

cli_result run_koe(const temp_dir& dir, const std::vector<std::string>& args) {
  return koe::test::run_program(KOE_CLI_PATH, dir.path(), args);
}

// `mpirun -n ranks koe-mpi args`, each rank with one thread unless `args` says otherwise.
cli_result run_mpi(const temp_dir& dir, int ranks, const std::vector<std::string>& args,
                   const std::string& environment = "") {
  std::vector<std::string> all = {"--oversubscribe", "-n", std::to_string(ranks), KOE_MPI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  return koe::test::run_program(KOE_MPIEXEC, dir.path(), all, mpi_environment + environment,
                                "timeout 300 ");
}

// Every file of `dir` by name, with its bytes.
std::map<std::string, std::string> files_of(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    out[e.path().filename().string()] = slurp(e.path());
  return out;
}

void expect_same_files(const fs::path& expected, const fs::path& got, const std::string& what) {
  const auto a = files_of(expected), b = files_of(got);
  std::vector<std::string> names_a, names_b;
  for (const auto& [name, bytes] : a)
    names_a.push_back(name);
  for (const auto& [name, bytes] : b)
    names_b.push_back(name);
  ASSERT_EQ(names_a, names_b) << what;
  for (const auto& [name, bytes] : a)
    EXPECT_TRUE(b.at(name) == bytes) << what << ": " << name << " differs";
}

// A corpus of `n` voices over twenty themes, with times and ratings, so that every stage and
// every output (trends, KPIs) has work; several reading blocks of 4,096 records each.
fs::path write_corpus(const temp_dir& dir, std::size_t n) {
  const std::vector<std::string> subjects = {"配送", "アプリ",   "ポイント", "返品", "サポート",
                                             "料金", "ログイン", "在庫",     "梱包", "クーポン"};
  const std::vector<std::string> problems = {"が遅い",           "がわかりにくい",
                                             "が高い",           "が使えない",
                                             "の説明が足りない", "をもっと増やしてほしい"};
  const std::vector<std::string> tails = {"です。", "と思います。", "。改善してください。",
                                          "ので困っています。", "！"};
  const fs::path file = dir.path() / "voices.csv";
  std::ofstream out(file, std::ios::binary);
  out << "id,text,created_at,rating\n";
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t theme = (i * 7 + i / 13) % 20;
    out << "V" << i << "," << subjects[theme % subjects.size()]
        << problems[(theme / 2 + i % 3) % problems.size()] << tails[(i / 5) % tails.size()]
        << ",2026-0" << 1 + i % 9 << "-" << 10 + i % 18 << "," << 1 + (i * 31 + theme) % 5 << "\n";
  }
  return file;
}

// `koe cluster FILE OPTIONS` against `koe-mpi cluster` on 1, 2 and 3 ranks.
void expect_cluster_same_bytes(const temp_dir& dir, const fs::path& file,
                               const std::vector<std::string>& options) {
  std::vector<std::string> args = {"cluster", file.string(), "-q", "-o",
                                   (dir.path() / "one").string()};
  args.insert(args.end(), options.begin(), options.end());
  const cli_result one = run_koe(dir, args);
  ASSERT_EQ(one.status, 0) << one.err;
  for (const int ranks : {1, 2, 3}) {
    const fs::path out = dir.path() / ("ranks" + std::to_string(ranks));
    args[4] = out.string();
    const cli_result many = run_mpi(dir, ranks, args);
    ASSERT_EQ(many.status, 0) << many.err;
    const std::string what = std::to_string(ranks) + " ranks";
    EXPECT_EQ(many.out, one.out) << what;
    expect_same_files(dir.path() / "one", out, what);
  }
}

TEST(Mpi, SampleGivesTheSameBytesOnAnyNumberOfRanks) {
  const temp_dir dir("koe-mpi");
  expect_cluster_same_bytes(dir, fs::path(KOE_DATA_DIR) / "sample" / "voices.csv",
                            {"-k", "auto", "--seed", "7", "--threads", "1"});
}

TEST(Mpi, FiftyThousandVoicesGiveTheSameBytesOnAnyNumberOfRanks) {
  const temp_dir dir("koe-mpi");
  const fs::path file = write_corpus(dir, 50000);
  expect_cluster_same_bytes(dir, file, {"-k", "12", "--seed", "3", "--threads", "2"});
}

TEST(Mpi, SeveralFilesGiveTheSameBytesAsOneProcess) {
  const temp_dir dir("koe-mpi");
  const fs::path whole = write_corpus(dir, 11000);
  // The corpus in two files, cut inside a block of 4,096 records, each with the header.
  std::ifstream in(whole, std::ios::binary);
  std::string header, line;
  std::getline(in, header);
  std::ofstream a(dir.path() / "a.csv", std::ios::binary),
      b(dir.path() / "b.csv", std::ios::binary);
  a << header << '\n';
  b << header << '\n';
  for (std::size_t record = 1; std::getline(in, line); ++record)
    (record <= 6000 ? a : b) << line << '\n';
  a.close();
  b.close();
  const std::vector<std::string> files = {(dir.path() / "a.csv").string(),
                                          (dir.path() / "b.csv").string()};
  std::vector<std::string> args = {"cluster", files[0], files[1], "-k", "7", "-q", "-o", ""};
  args.back() = (dir.path() / "one").string();
  const cli_result one = run_koe(dir, args);
  ASSERT_EQ(one.status, 0) << one.err;
  for (const int ranks : {1, 2, 3}) {
    args.back() = (dir.path() / ("ranks" + std::to_string(ranks))).string();
    std::vector<std::string> with_threads = args;
    with_threads.insert(with_threads.end(), {"--threads", "1"});
    const cli_result many = run_mpi(dir, ranks, with_threads);
    ASSERT_EQ(many.status, 0) << many.err;
    EXPECT_EQ(many.out, one.out);
    expect_same_files(dir.path() / "one", args.back(), std::to_string(ranks) + " ranks");
  }
}

TEST(Mpi, RefitAndAssignGiveTheSameBytesAsOneProcess) {
  const temp_dir dir("koe-mpi");
  const fs::path file = write_corpus(dir, 12000);
  const std::string fit = (dir.path() / "fit").string();
  ASSERT_EQ(run_koe(dir, {"cluster", file.string(), "-k", "8", "-q", "-o", fit}).status, 0);
  const std::string model = fit + "/model.koe";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"cluster", file.string(), "--prev", model, "-q", "-o"},
        std::vector<std::string>{"assign", file.string(), "--model", model, "-q", "-o"}}) {
    std::vector<std::string> a = args;
    a.push_back((dir.path() / "one").string());
    const cli_result one = run_koe(dir, a);
    ASSERT_EQ(one.status, 0) << one.err;
    a.back() = (dir.path() / "two").string();
    a.insert(a.end(), {"--threads", "1"});
    const cli_result two = run_mpi(dir, 2, a);
    ASSERT_EQ(two.status, 0) << two.err;
    EXPECT_EQ(two.out, one.out) << args[0];
    expect_same_files(dir.path() / "one", dir.path() / "two", args[0]);
    fs::remove_all(dir.path() / "one");
    fs::remove_all(dir.path() / "two");
  }
}

// The corpus with invalid bytes put into the text of the given records (1-based).
fs::path with_bad_records(const temp_dir& dir, const fs::path& good,
                          const std::vector<std::size_t>& records) {
  std::ifstream in(good, std::ios::binary);
  const fs::path file = dir.path() / "bad.csv";
  std::ofstream out(file, std::ios::binary);
  std::string line;
  std::getline(in, line);
  out << line << '\n';
  for (std::size_t record = 1; std::getline(in, line); ++record) {
    if (std::find(records.begin(), records.end(), record) != records.end())
      line.insert(line.find(',') + 1, "\xff");
    out << line << '\n';
  }
  return file;
}

TEST(Mpi, FirstBadRecordInFileOrderIsTheOneReportedWhicheverRankReadIt) {
  const temp_dir dir("koe-mpi");
  const fs::path good = write_corpus(dir, 14000);
  // Blocks hold 4,096 records and go round the ranks: with two ranks, block 1 (records
  // 4097-8192) is rank 1's and block 2 rank 0's. Either may hold the first bad record.
  for (const std::vector<std::size_t>& bad :
       {std::vector<std::size_t>{5000, 9000}, std::vector<std::size_t>{9000, 13000}}) {
    const fs::path file = with_bad_records(dir, good, bad);
    const std::vector<std::string> args = {
        "cluster", file.string(), "-k", "5", "-q", "-o", (dir.path() / "out").string()};
    const cli_result one = run_koe(dir, args);
    ASSERT_EQ(one.status, 1);
    ASSERT_NE(one.err.find(":" + std::to_string(bad[0] + 1) + ": invalid UTF-8"), std::string::npos)
        << one.err;
    for (const int ranks : {2, 3}) {
      const cli_result many = run_mpi(dir, ranks, args);
      EXPECT_EQ(many.status, 1) << ranks << " ranks";
      EXPECT_TRUE(many.said(one.err.substr(0, one.err.size() - 1))) << many.err;
      EXPECT_EQ(many.err.find(":" + std::to_string(bad[1] + 1) + ": "), std::string::npos);
      EXPECT_FALSE(fs::exists(dir.path() / "out")) << "outputs left behind";
    }
  }
}

TEST(Mpi, SkippingAccountsForEveryRecordAsOneProcessDoes) {
  const temp_dir dir("koe-mpi");
  const fs::path file = with_bad_records(dir, write_corpus(dir, 14000), {3, 5000, 9000, 13999});
  std::vector<std::string> args = {"cluster", file.string(), "-k",
                                   "5",       "--on-error",  "skip",
                                   "-q",      "-o",          (dir.path() / "one").string()};
  const cli_result one = run_koe(dir, args);
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_NE(one.err.find("record 13999: line 14000"), std::string::npos) << one.err;
  args.back() = (dir.path() / "three").string();
  args.insert(args.end(), {"--threads", "1"});
  const cli_result three = run_mpi(dir, 3, args);
  ASSERT_EQ(three.status, 0) << three.err;
  EXPECT_EQ(three.err, one.err);
  EXPECT_EQ(three.out, one.out);
  expect_same_files(dir.path() / "one", dir.path() / "three", "--on-error skip");
}

TEST(Mpi, RankFallingBehindNeverStallsTheRun) {
  // Rank 1 dawdles; rank 0 keeps one waiting block per rank: rank 2 runs ahead and must wait
  // while rank 1's blocks still come through.
  const temp_dir dir("koe-mpi");
  const fs::path file = write_corpus(dir, 40000);
  std::vector<std::string> args = {"cluster", file.string(), "-k", "6", "-q", "-o",
                                   "",        "--threads",   "1"};
  args[6] = (dir.path() / "one").string();
  const cli_result one = run_koe(dir, args);
  ASSERT_EQ(one.status, 0) << one.err;
  args[6] = (dir.path() / "three").string();
  const cli_result three =
      run_mpi(dir, 3, args, "export KOE_TEST_MPI_SLOW_RANK=1 KOE_TEST_MPI_MOST_WAITING=1; ");
  ASSERT_EQ(three.status, 0) << three.err;
  EXPECT_EQ(three.out, one.out);
  expect_same_files(dir.path() / "one", dir.path() / "three", "a slow rank");
}

TEST(Mpi, JsonLinesWithALateKeyGiveTheSameBytes) {
  // A metadata key that first appears in the third block: every rank must add the column at
  // the same place.
  const temp_dir dir("koe-mpi");
  std::string lines;
  for (int i = 0; i < 10000; ++i) {
    lines += "{\"id\": \"J" + std::to_string(i) + "\", \"text\": \"" +
             (i % 3 == 0   ? "配送が遅い"
              : i % 3 == 1 ? "アプリが重い"
                           : "ポイントが使えない") +
             std::to_string(i % 7) + "\"";
    if (i > 8200) lines += ", \"store\": \"S" + std::to_string(i % 4) + "\"";
    lines += "}\n";
  }
  const fs::path file = dir.write("voices.jsonl", lines);
  expect_cluster_same_bytes(dir, file, {"-k", "3", "--threads", "1"});
}

TEST(Mpi, RankThatDiesEndsTheRunWithAnErrorAndNeverHangs) {
  const temp_dir dir("koe-mpi");
  const fs::path file = write_corpus(dir, 14000);
  const cli_result r = run_mpi(
      dir, 3, {"cluster", file.string(), "-k", "5", "-q", "-o", (dir.path() / "out").string()},
      "export KOE_TEST_MPI_EXIT_RANK=1; ");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.status, 124) << "timed out: a rank waited for ever";
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "manifest.json"));
}

TEST(Mpi, UsageErrorIsPrintedOnceNotByEveryRank) {
  const temp_dir dir("koe-mpi");
  const std::string sample = (fs::path(KOE_DATA_DIR) / "sample" / "voices.csv").string();
  const cli_result r =
      run_mpi(dir, 3, {"cluster", sample, "-o", (dir.path() / "out").string(), "--no-such-option"});
  EXPECT_EQ(r.status, 2) << "the status of koe's usage errors";
  const std::string said = r.out + r.err;
  const std::size_t first = said.find("--no-such-option");
  ASSERT_NE(first, std::string::npos) << said;
  EXPECT_EQ(said.find("--no-such-option", first + 1), std::string::npos) << said;
}

}  // namespace
