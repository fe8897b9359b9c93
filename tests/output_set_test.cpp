// Output sets: manifest.json lists one run's files; a folder that is unfinished or mixes two runs
// is refused. The crash test kills `koe cluster` at every step of writing and checks that no
// mixed set is ever accepted.
#include <koe/error.hpp>
#include <koe/output_set.hpp>
#include <koe/report.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

class temp_dir : public koe::test::temp_dir {
 public:
  temp_dir() : koe::test::temp_dir("koe_output_set") {}
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
}

std::function<void(std::ostream&)> text(std::string t) {
  return [t = std::move(t)](std::ostream& out) { out << t; };
}

// The message of the koe::error that `f` throws with `code`; fails the test when it does not.
std::string error_of(const std::function<void()>& f, koe::errc code) {
  try {
    f();
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no koe::error";
  return {};
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The folder as messages show it: "/tmp/x/".
std::string shown(const fs::path& dir) {
  return dir.string() + "/";
}

std::string no_manifest(const fs::path& dir) {
  return shown(dir) +
         ": no manifest.json — the run that wrote this folder did not finish (or it predates koe "
         "0.1.0)";
}

}  // namespace

TEST(OutputSet, ManifestListsEveryFileWithItsSizeAndChecksum) {
  const temp_dir dir;
  const auto m = koe::write_output_set(
      dir.path(), {{"a.txt", text("hello\n")}, {"b.csv", text("x,y\n1,2\n")}, {"c.txt", {}}});
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[0].name, "a.txt");
  EXPECT_EQ(m.files[0].size, 6u);
  EXPECT_EQ(m.files[0].xxh64, XXH64("hello\n", 6, 0));
  EXPECT_EQ(m.files[1].name, "b.csv");
  EXPECT_EQ(m.files[1].xxh64, XXH64("x,y\n1,2\n", 8, 0));
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"a.txt", "b.csv", "manifest.json"}));
  const auto j = nlohmann::json::parse(slurp(dir.path() / "manifest.json"));
  EXPECT_EQ(j["format"], "koe-output-set");
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["koe_version"], m.koe_version);
  EXPECT_EQ(j["run_id"], m.run_id);
  EXPECT_EQ(j["files"][1]["size"], 8);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(m.files[1].xxh64));
  EXPECT_EQ(j["files"][1]["xxh64"], hex);
  // The run id is the XXH64 of one line per file: name, size and checksum, tab-separated.
  std::string lines;
  for (const auto& f : j["files"])
    lines += f["name"].get<std::string>() + "\t" + std::to_string(f["size"].get<std::uint64_t>()) +
             "\t" + f["xxh64"].get<std::string>() + "\n";
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(XXH64(lines.data(), lines.size(), 0)));
  EXPECT_EQ(m.run_id, hex);
  const auto checked = koe::check_output_set(dir.path());
  EXPECT_EQ(checked.run_id, m.run_id);
  ASSERT_EQ(checked.files.size(), 2u);
  EXPECT_EQ(checked.files[1].xxh64, m.files[1].xxh64);
}

TEST(OutputSet, SameFilesGiveTheSameManifestBytesAndOtherFilesAnotherRunId) {
  const temp_dir one, two, three;
  koe::write_output_set(one.path(), {{"a.txt", text("same\n")}});
  koe::write_output_set(two.path(), {{"a.txt", text("same\n")}});
  const auto other = koe::write_output_set(three.path(), {{"a.txt", text("other\n")}});
  EXPECT_EQ(slurp(one.path() / "manifest.json"), slurp(two.path() / "manifest.json"));
  EXPECT_NE(koe::check_output_set(one.path()).run_id, other.run_id);
}

TEST(OutputSet, WriterRemovesOnlyKoesTemporaryFilesAndTheFilesItNoLongerWrites) {
  const temp_dir dir;
  const fs::path d = dir.path();
  for (const char* f : {"a.txt.tmp.123", "manifest.json.tmp.9", "gone.txt.tmp.7", "gone.txt",
                        "a.txt.tmp.12x", "a.txt.tmp.", "user.tmp.5", "notes.txt", "a.txt.tmp"})
    spit(d / f, "old");
  fs::create_directory(d / "sub");
  koe::write_output_set(d, {{"a.txt", text("new\n")}, {"gone.txt", {}}});
  EXPECT_EQ(names_in(d),
            (std::vector<std::string>{"a.txt", "a.txt.tmp", "a.txt.tmp.", "a.txt.tmp.12x",
                                      "manifest.json", "notes.txt", "sub", "user.tmp.5"}));
}

TEST(OutputSet, WriterRefusesNamesOutsideTheFolderOrTwice) {
  const temp_dir dir;
  for (const char* name : {"../x", "a/b", "", ".", "..", "manifest.json"})
    error_of(
        [&] {
          koe::write_output_set(dir.path(), {{name, text("x")}});
        },
        koe::errc::invalid_argument);
  error_of(
      [&] {
        koe::write_output_set(dir.path(), {{"a", text("x")}, {"a", {}}});
      },
      koe::errc::invalid_argument);
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(OutputSet, WriterThatFailsHalfwayLeavesAFolderThatIsRefused) {
  const temp_dir dir;
  koe::write_output_set(dir.path(), {{"a.txt", text("old a\n")}, {"b.txt", text("old b\n")}});
  const auto failing = [](std::ostream&) {
    throw koe::error(koe::errc::internal, "writer failed");
  };
  error_of(
      [&] {
        koe::write_output_set(dir.path(), {{"a.txt", text("new a\n")}, {"b.txt", failing}});
      },
      koe::errc::internal);
  EXPECT_EQ(slurp(dir.path() / "a.txt"), "new a\n");
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"a.txt", "b.txt"}));
  EXPECT_EQ(error_of([&] { koe::check_output_set(dir.path()); }, koe::errc::mixed_outputs),
            no_manifest(dir.path()));
}

TEST(OutputSet, FolderWithoutManifestIsRefusedAsUnfinished) {
  const temp_dir dir;
  spit(dir.path() / "clusters.json", "{}");
  EXPECT_EQ(error_of([&] { koe::check_output_set(dir.path()); }, koe::errc::mixed_outputs),
            no_manifest(dir.path()));
  EXPECT_EQ(error_of([&] { koe::check_output_set(dir.path() / "none"); }, koe::errc::io_failure),
            "cannot open " + shown(dir.path() / "none") + ": no such folder");
}

TEST(OutputSet, FileOfAnotherRunIsRefused) {
  const temp_dir dir;
  const fs::path d = dir.path();
  koe::write_output_set(d, {{"a.csv", text("id,cluster\n1,0\n")}, {"b.txt", text("b\n")}});
  const std::string differs = (d / "a.csv").string() + " does not match " +
                              (d / "manifest.json").string() + " (written by another run?)";
  spit(d / "a.csv", "id,cluster\n1,1\n");  // same size, other bytes
  EXPECT_EQ(error_of([&] { koe::check_output_set(d); }, koe::errc::mixed_outputs), differs);
  spit(d / "a.csv", "id,cluster\n1,10\n");
  EXPECT_EQ(error_of([&] { koe::check_output_set(d); }, koe::errc::mixed_outputs), differs);
  spit(d / "a.csv", "id,cluster\n1,0\n");
  EXPECT_NO_THROW(koe::check_output_set(d));
  fs::remove(d / "b.txt");
  EXPECT_EQ(error_of([&] { koe::check_output_set(d); }, koe::errc::mixed_outputs),
            (d / "b.txt").string() + " is missing; " + (d / "manifest.json").string() +
                " lists it (the folder was changed after the run?)");
}

TEST(OutputSet, MalformedOrNewerManifestIsRefusedWithTheCause) {
  const temp_dir dir;
  const fs::path d = dir.path();
  koe::write_output_set(d, {{"a.txt", text("a\n")}});
  const auto good = nlohmann::ordered_json::parse(slurp(d / "manifest.json"));
  const std::string path = (d / "manifest.json").string();
  const auto refused = [&](const std::string& manifest, const std::string& expected) {
    spit(d / "manifest.json", manifest);
    EXPECT_EQ(error_of([&] { koe::check_output_set(d); }, koe::errc::mixed_outputs), expected)
        << manifest;
  };
  const auto with = [&](const std::function<void(nlohmann::ordered_json&)>& change) {
    auto j = good;
    change(j);
    return j.dump();
  };
  // A truncated manifest: the JSON parser's own words follow (they vary with its version).
  spit(d / "manifest.json", "{\"format\": \"koe-output-set\", ");
  EXPECT_EQ(error_of([&] { koe::check_output_set(d); }, koe::errc::mixed_outputs)
                .rfind(path + " is malformed: parse error at line 1, column ", 0),
            0u);
  refused("[]", path + " is not a koe output manifest");
  refused(with([](auto& j) { j["format"] = "other"; }), path + " is not a koe output manifest");
  refused(with([](auto& j) { j["format_version"] = 2; }),
          path + " has format version 2; this koe (" + good["koe_version"].get<std::string>() +
              ") reads version 1 and older: use a newer koe");
  refused(with([](auto& j) { j["format_version"] = 0; }), path + " is malformed: format version 0");
  refused(with([](auto& j) { j.erase("files"); }),
          path + " is malformed: \"files\" is missing or not a list");
  refused(with([](auto& j) { j["files"][0]["name"] = "../a.txt"; }),
          path + " is malformed: '../a.txt' is not a file name of the folder");
  refused(with([](auto& j) { j["files"].push_back(j["files"][0]); }),
          path + " is malformed: 'a.txt' is listed twice");
  refused(with([](auto& j) { j["files"][0]["size"] = -1; }),
          path + " is malformed: \"size\" is missing or not a size");
  refused(with([](auto& j) { j["files"][0]["xxh64"] = "XYZ"; }),
          path + " is malformed: 'XYZ' is not 16 lowercase hex digits");
  refused(with([](auto& j) { j["files"][0]["size"] = 3; }),
          path + " is malformed: its run_id does not match its list of files");
  refused(std::string(std::size_t{2} << 20, ' '),
          path + " is malformed: 2097152 bytes, more than any koe manifest");
}

TEST(OutputSet, DamagedManifestIsAlwaysAKoeErrorNeverACrash) {
  const temp_dir dir;
  const fs::path d = dir.path();
  koe::write_output_set(d, {{"a.txt", text("a\n")}, {"b.txt", text("bb\n")}});
  const std::string good = slurp(d / "manifest.json");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    std::string bad = good;
    // One to three damages: a byte changed, dropped or inserted, or the tail cut off.
    for (std::uint64_t n = 1 + rng() % 3; n > 0 && !bad.empty(); --n) {
      const std::size_t at = rng() % bad.size();
      const char byte = static_cast<char>(rng() % 256);
      switch (rng() % 4) {
        case 0:
          bad[at] = byte;
          break;
        case 1:
          bad.erase(at, 1);
          break;
        case 2:
          bad.insert(at, 1, byte);
          break;
        default:
          bad.resize(at);
          break;
      }
    }
    spit(d / "manifest.json", bad);
    try {
      const auto m = koe::check_output_set(d);
      // Accepted only when it still lists both files as written (e.g. a space added).
      ASSERT_EQ(m.files.size(), 2u) << bad;
    } catch (const koe::error& e) {
      ASSERT_EQ(e.code(), koe::errc::mixed_outputs) << e.what();
    }
  }
}

TEST(OutputSet, SingleFileIsCheckedWithItsSetOrAcceptedAlone) {
  const temp_dir dir;
  const fs::path d = dir.path();
  // Alone in its folder: accepted.
  spit(d / "model.koe", "model");
  EXPECT_FALSE(koe::check_output_file(d / "model.koe").has_value());
  // Beside another run's outputs without a manifest: that run did not finish.
  spit(d / "clusters.json", "{}");
  EXPECT_EQ(error_of([&] { koe::check_output_file(d / "model.koe"); }, koe::errc::mixed_outputs),
            no_manifest(d) + "; " + (d / "model.koe").string() + " may not belong with " +
                (d / "clusters.json").string());
  fs::remove(d / "clusters.json");
  spit(d / "trace.csv.tmp.4242", "partial");
  error_of([&] { koe::check_output_file(d / "model.koe"); }, koe::errc::mixed_outputs);
  fs::remove(d / "trace.csv.tmp.4242");
  // In a complete set: checked with it, and it must be listed.
  const auto m = koe::write_output_set(d, {{"model.koe", text("model 2")}, {"a.csv", text("a")}});
  const auto found = koe::check_output_file(d / "model.koe");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->run_id, m.run_id);
  spit(d / "old.csv", "left over");
  EXPECT_EQ(error_of([&] { koe::check_output_file(d / "old.csv"); }, koe::errc::mixed_outputs),
            (d / "old.csv").string() + " is not listed in " + (d / "manifest.json").string() +
                " (left by another run?)");
  spit(d / "a.csv", "b");
  error_of([&] { koe::check_output_file(d / "model.koe"); }, koe::errc::mixed_outputs);
  EXPECT_EQ(error_of([&] { koe::check_output_file(d / "none.koe"); }, koe::errc::io_failure),
            "cannot open " + (d / "none.koe").string() + ": no such file");
}

TEST(OutputSet, WriteFileAtomicallyStillWritesOneFile) {
  const temp_dir dir;
  koe::write_file_atomically(dir.path() / "x.json", "{}\n");
  EXPECT_EQ(slurp(dir.path() / "x.json"), "{}\n");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"x.json"});
}

// ---------------------------------------------------------------------------------------------
// koe cluster killed at every step, and koe verify

#ifdef KOE_CLI_PATH

namespace {

const fs::path sample = fs::path(KOE_DATA_DIR) / "sample" / "voices.csv";

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct run_result {
  int status = -1;  ///< Exit code, or 128 + signal.
  std::string out, err;
};

// Runs koe with `args` (the process itself, so that its signal is seen), with KOE_TEST_KILL_AT
// set to `kill_at` when it is not empty.
run_result run_koe(const temp_dir& dir, const std::vector<std::string>& args,
                   const std::string& kill_at = "") {
  const fs::path out = dir.path() / "koe.stdout", err = dir.path() / "koe.stderr";
  std::string command = "exec env -u KOE_TEST_KILL_AT";
  if (!kill_at.empty()) command += " KOE_TEST_KILL_AT=" + shell_quote(kill_at);
  command += " " + shell_quote(KOE_CLI_PATH);
  for (const auto& a : args)
    command += " " + shell_quote(a);
  command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
  const int raw = std::system(command.c_str());
  run_result r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) r.status = 128 + WTERMSIG(raw);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

run_result cluster(const temp_dir& dir, const fs::path& input, const fs::path& out,
                   const std::string& seed, const std::string& kill_at = "",
                   const std::string& threads = "2") {
  return run_koe(dir,
                 {"cluster", input.string(), "-k", "6", "--seed", seed, "--on-error", "skip", "-q",
                  "--threads", threads, "-o", out.string()},
                 kill_at);
}

::testing::AssertionResult same_files(const fs::path& a, const fs::path& b) {
  std::string names;
  for (const auto& name : names_in(a))
    names += " " + name;
  if (names_in(a) != names_in(b)) return ::testing::AssertionFailure() << a << " holds" << names;
  for (const auto& name : names_in(a))
    if (slurp(a / name) != slurp(b / name))
      return ::testing::AssertionFailure() << name << " differs";
  return ::testing::AssertionSuccess();
}

bool accepted(const fs::path& dir) {
  try {
    koe::check_output_set(dir);
    return true;
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::mixed_outputs) << e.what();
    return false;
  }
}

}  // namespace

TEST(OutputSet, KillingTheWriterAtAnyStepNeverLeavesAMixedSetThatIsAccepted) {
  const temp_dir dir;
  const fs::path d = dir.path();
  // The previous run: another seed, and a rejected record, so it also wrote rejects.csv.
  const fs::path previous_input = d / "previous.csv";
  spit(previous_input, slurp(sample) + "BAD1,配達,1,standard,survey,u,2026-07-02,x,extra\n");
  ASSERT_EQ(cluster(dir, previous_input, d / "previous", "2").status, 0);
  ASSERT_TRUE(fs::exists(d / "previous" / "rejects.csv"));
  ASSERT_EQ(cluster(dir, sample, d / "expected", "1234").status, 0);
  const koe::output_manifest expected = koe::check_output_set(d / "expected");
  ASSERT_NE(expected.run_id, koe::check_output_set(d / "previous").run_id);
  // The same input, options and seed give the same bytes, manifest included, on any thread count.
  ASSERT_EQ(cluster(dir, sample, d / "one-thread", "1234", "", "1").status, 0);
  EXPECT_TRUE(same_files(d / "one-thread", d / "expected"));

  // Every step of the writer, in order.
  std::vector<std::string> steps = {"manifest-removed", "cleaned"};
  for (const auto& f : expected.files) {
    steps.push_back("temp:" + f.name);
    steps.push_back("renamed:" + f.name);
  }
  steps.push_back("temp:manifest.json");
  steps.push_back("renamed:manifest.json");
  ASSERT_GE(steps.size(), 14u);  // clusters, assignments, candidates, trace, report at least

  const fs::path out = d / "out";
  for (const auto& step : steps) {
    SCOPED_TRACE(step);
    fs::remove_all(out);
    fs::copy(d / "previous", out);
    const run_result killed = cluster(dir, sample, out, "1234", step);
    ASSERT_EQ(killed.status, 128 + SIGKILL) << "the writer did not reach the step: " << killed.err;
    const bool last = step == steps.back();
    // A file renamed into place is the new run's, beside the previous run's others: mixed.
    if (step.rfind("renamed:", 0) == 0 && !last) {
      const std::string name = step.substr(8);
      EXPECT_EQ(slurp(out / name), slurp(d / "expected" / name));
    }
    EXPECT_EQ(accepted(out), last);
    const run_result verify = run_koe(dir, {"verify", out.string()});
    EXPECT_EQ(verify.status, last ? 0 : 1) << verify.err;
    if (!last) {
      EXPECT_EQ(verify.err, "koe: " + no_manifest(out) + "\n");
      EXPECT_THROW(koe::check_output_file(out / "assignments.csv"), koe::error);
    } else {
      // Accepted only as the new run's complete set (its temporary file is gone with the rename).
      EXPECT_TRUE(same_files(out, d / "expected"));
      EXPECT_TRUE(koe::check_output_file(out / "clusters.json").has_value());
    }
    // The next full run leaves the new run's set and nothing else: no temporary file, no
    // rejects.csv of the previous run.
    ASSERT_EQ(cluster(dir, sample, out, "1234").status, 0);
    EXPECT_TRUE(same_files(out, d / "expected"));
    EXPECT_EQ(koe::check_output_set(out).run_id, expected.run_id);
  }
}

TEST(OutputSet, VerifyPrintsTheSetOrWhyItIsRefused) {
  const temp_dir dir;
  const fs::path out = dir.path() / "out";
  ASSERT_EQ(cluster(dir, sample, out, "7").status, 0);
  const koe::output_manifest m = koe::check_output_set(out);
  const run_result ok = run_koe(dir, {"verify", out.string()});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind(out.string() + ": one complete output set, run " + m.run_id, 0), 0u)
      << ok.out;
  for (const auto& f : m.files)
    EXPECT_NE(ok.out.find("  " + f.name + "\t" + std::to_string(f.size) + " bytes\txxh64 "),
              std::string::npos)
        << f.name;
  std::string trace = slurp(out / "trace.csv");
  trace[trace.size() / 2] ^= 1;
  spit(out / "trace.csv", trace);
  const run_result bad = run_koe(dir, {"verify", out.string()});
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err, "koe: " + (out / "trace.csv").string() + " does not match " +
                         (out / "manifest.json").string() + " (written by another run?)\n");
  EXPECT_EQ(run_koe(dir, {"verify", (dir.path() / "none").string()}).status, 1);
  EXPECT_EQ(run_koe(dir, {"verify"}).status, 2);
}

#endif
