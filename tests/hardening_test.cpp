// Hostile and broken input, through the library and the koe executable: every record accounted
// for, or a clear error naming the file, line and cause. docs/bad-input.md lists these tests.
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/normalize.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>

#ifndef KOE_CLI_PATH
#define KOE_CLI_PATH ""  // koe_cli is not built (KOE_BUILD_CLI=OFF)
#endif
#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::string_literals;
namespace fs = std::filesystem;

// Sanitizers reserve terabytes of address space up front, so `ulimit -v` cannot be used with them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

/// Every test checks the library and the executable alike, so without the executable none runs.
class Hardening : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string_view(KOE_CLI_PATH).empty()) GTEST_SKIP() << "the koe executable is not built";
  }
};

const fs::path bad_inputs = fs::path(KOE_TEST_DIR) / "bad_inputs";

fs::path bad(const std::string& name) {
  return bad_inputs / name;
}

/// A directory of its own for each test, removed when the test ends.
class temp_dir : public koe::test::temp_dir {
 public:
  temp_dir() : koe::test::temp_dir("koe_hardening") {}
};

using koe::test::cli_result;
using koe::test::cluster;
using koe::test::run_koe;
using koe::test::shell_quote;
using koe::test::slurp;

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

koe::io_options skipping() {
  koe::io_options o;
  o.errors = koe::on_error::skip;
  return o;
}

koe::io_options with_encoding(const std::string& encoding) {
  koe::io_options o;
  o.encoding = encoding;
  return o;
}

/// Options for the small bad-input files: two clusters, so that a dozen voices suffice.
koe::pipeline_options small_run(const koe::io_options& io = {}) {
  koe::pipeline_options o;
  o.io = io;
  o.cluster.k = 2;
  return o;
}

/// The koe error of reading `file`, with its path replaced by "FILE".
std::pair<koe::errc, std::string> read_error(const fs::path& file, const koe::io_options& o) {
  try {
    (void)koe::read_corpus(file, o);
  } catch (const koe::error& e) {
    return {e.code(), replace_all(e.what(), file.string(), "FILE")};
  }
  ADD_FAILURE() << "reading " << file << " did not throw";
  return {koe::errc::invalid_config, ""};
}

void expect_accounted(const koe::corpus& c) {
  EXPECT_EQ(c.read(), c.count(koe::record_status::kept) + c.count(koe::record_status::empty) +
                          c.count(koe::record_status::rejected));
  for (const auto& d : c.documents)
    EXPECT_EQ(d.meta.size(), c.meta_columns.size()) << "record " << d.record;
}

// ---------------------------------------------------------------------------------------------
// The koe executable

/// Rows of a CSV file written by koe (RFC 4180 quoting), header included.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  return rows;
}

/// One row of assignments.csv.
struct assignment {
  std::string id, cluster, status, reason;
};

/// assignments.csv of `outdir`, checked for its header and the counts of clusters.json.
std::vector<assignment> read_outputs(const fs::path& outdir) {
  const auto rows = parse_csv(slurp(outdir / "assignments.csv"));
  std::vector<assignment> out;
  if (rows.empty()) {
    ADD_FAILURE() << "no assignments.csv in " << outdir;
    return out;
  }
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "cluster", "similarity", "status", "reason"}));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].size(), 5u) << "row " << i;
    if (rows[i].size() == 5) out.push_back({rows[i][0], rows[i][1], rows[i][3], rows[i][4]});
  }
  const auto j = nlohmann::json::parse(slurp(outdir / "clusters.json"));
  const auto& in = j.at("input");
  EXPECT_EQ(in.at("read").get<std::size_t>(), out.size()) << "one row per record read";
  EXPECT_EQ(in.at("read").get<std::size_t>(), in.at("kept").get<std::size_t>() +
                                                  in.at("empty").get<std::size_t>() +
                                                  in.at("rejected").get<std::size_t>());
  return out;
}

/// `got` is `expected`, or starts with it when `expected` ends in "..." (as cli_result::said).
::testing::AssertionResult fits(std::string_view got, const std::string& expected) {
  const bool ok = expected.ends_with("...")
                      ? got.starts_with(expected.substr(0, expected.size() - 3))
                      : got == expected;
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got \"" << got << "\", expected \"" << expected << "\"";
}

/// A record the reader must reject when skipping: its number and the reason without "line L: ".
struct expected_reject {
  std::size_t record;
  std::size_t line;
  std::string what;
};

/**
 * The whole contract for a bad file: by default the library throws `code` with `message` ("FILE"
 * standing for the path) and the CLI prints "koe: MESSAGE" and exits 1; when skipping, exactly
 * `rejects` are rejected with "line L: what", every other record is read, the pipeline accounts
 * for all of them, and the CLI writes one assignments.csv row per record read.
 */
void expect_bad_records(const fs::path& file, koe::errc code, const std::string& message,
                        const std::vector<expected_reject>& rejects, std::size_t read,
                        const std::vector<std::string>& cli_options = {}, koe::io_options io = {}) {
  SCOPED_TRACE(file.filename().string());
  const auto [got_code, got_message] = read_error(file, io);
  EXPECT_EQ(got_code, code);
  EXPECT_TRUE(fits(got_message, message));

  const temp_dir dir;
  const auto failed = cluster(dir, file, dir.path() / "out", cli_options);
  EXPECT_EQ(failed.status, 1);
  EXPECT_TRUE(failed.said("koe: " + replace_all(message, "FILE", file.string()))) << failed.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "assignments.csv"));

  io.errors = koe::on_error::skip;
  const auto c = koe::read_corpus(file, io);
  EXPECT_EQ(c.read(), read);
  EXPECT_EQ(c.count(koe::record_status::rejected), rejects.size());
  expect_accounted(c);
  for (const auto& r : rejects) {
    ASSERT_LE(r.record, c.read());
    const auto& d = c.documents[r.record - 1];
    EXPECT_EQ(d.status, koe::record_status::rejected) << "record " << r.record;
    EXPECT_EQ(d.line, r.line);
    EXPECT_TRUE(fits(d.reason, "line " + std::to_string(r.line) + ": " + r.what));
  }

  koe::pipeline p(small_run(io));
  const auto result = p.run(file);
  expect_accounted(result.input);
  EXPECT_EQ(result.row_document.size() + result.input.count(koe::record_status::empty) +
                result.input.count(koe::record_status::rejected),
            read);

  auto skip_options = cli_options;
  skip_options.insert(skip_options.end(), {"--on-error", "skip"});
  const auto skipped = cluster(dir, file, dir.path() / "skip", skip_options);
  EXPECT_EQ(skipped.status, 0) << skipped.err;
  for (const auto& r : rejects) {
    EXPECT_TRUE(skipped.said("koe: rejected " + file.string() + " record " +
                             std::to_string(r.record) + ": line " + std::to_string(r.line) + ": " +
                             r.what))
        << skipped.err;
  }
  const auto rows = read_outputs(dir.path() / "skip");
  ASSERT_EQ(rows.size(), read);
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].status != "rejected") {
      EXPECT_TRUE(rows[i].status == "clustered" || rows[i].status == "noise" ||
                  rows[i].status == "empty")
          << rows[i].status;
      continue;
    }
    ++rejected;
    EXPECT_EQ(rows[i].id, std::to_string(i + 1));
    EXPECT_EQ(rows[i].cluster, "-1");
    EXPECT_EQ(rows[i].reason, c.documents[i].reason);
  }
  EXPECT_EQ(rejected, rejects.size());
}

/// A file koe reads without complaint: the library keeps every record and the CLI clusters them.
std::vector<assignment> expect_clustered(const fs::path& file, std::size_t read,
                                         const std::vector<std::string>& cli_options = {},
                                         const koe::io_options& io = {}) {
  SCOPED_TRACE(file.filename().string());
  const auto c = koe::read_corpus(file, io);
  EXPECT_EQ(c.read(), read);
  EXPECT_EQ(c.count(koe::record_status::rejected), 0u);
  expect_accounted(c);
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", cli_options);
  EXPECT_EQ(r.status, 0) << r.err;
  auto rows = read_outputs(dir.path() / "out");
  EXPECT_EQ(rows.size(), read);
  return rows;
}

/// A file with nothing to cluster: the library reads `read` records, none kept, and the CLI
/// says so and exits 1 without writing outputs.
void expect_nothing_to_cluster(const fs::path& file, std::size_t read,
                               const std::vector<std::string>& cli_options = {},
                               const koe::io_options& io = {}) {
  SCOPED_TRACE(file.filename().string());
  const auto c = koe::read_corpus(file, io);
  EXPECT_EQ(c.read(), read);
  EXPECT_EQ(c.count(koe::record_status::kept), 0u);
  expect_accounted(c);
  koe::pipeline p(small_run(io));
  try {
    (void)p.run(file);
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::empty_corpus);
  }
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", cli_options);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + file.string() + ": no voice with text to cluster (read " +
                     std::to_string(read) + ")"))
      << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "assignments.csv"));
}

// ---------------------------------------------------------------------------------------------
// Encodings

TEST_F(Hardening, InvalidUtf8InTheMiddleOfAFieldNamesTheLineAndBytes) {
  expect_bad_records(bad("invalid_utf8_mid_field.csv"), koe::errc::invalid_encoding,
                     "FILE:5: invalid UTF-8 byte sequence <E3 81> in field 2 (text)",
                     {{4, 5, "invalid UTF-8 byte sequence <E3 81> in field 2 (text)"}}, 13);
}

TEST_F(Hardening, ShiftJisFileDeclaredUtf8FailsAtItsFirstJapaneseByte) {
  const fs::path file = bad("shift_jis.csv");
  const auto [code, message] = read_error(file, {});
  EXPECT_EQ(code, koe::errc::invalid_encoding);
  EXPECT_EQ(message, "FILE:2: invalid UTF-8 byte sequence <83> in field 2 (text)");
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + replace_all(message, "FILE", file.string()))) << r.err;
  // Skipping rejects every voice, which leaves nothing to cluster: still a clear error.
  const auto c = koe::read_corpus(file, skipping());
  EXPECT_EQ(c.count(koe::record_status::rejected), 12u);
  expect_accounted(c);
  const auto s = cluster(dir, file, dir.path() / "skip", {"--on-error", "skip"});
  EXPECT_EQ(s.status, 1);
  EXPECT_TRUE(s.said("koe: " + file.string() + ": no voice with text to cluster (read 12)"))
      << s.err;
}

TEST_F(Hardening, ShiftJisFileIsReadWhenDeclaredOrDetected) {
  expect_clustered(bad("shift_jis.csv"), 12, {"--encoding", "shift_jis"},
                   with_encoding("shift_jis"));
  expect_clustered(bad("shift_jis.csv"), 12, {"--encoding", "auto"}, with_encoding("auto"));
  EXPECT_EQ(koe::read_corpus(bad("shift_jis.csv"), with_encoding("auto")).encoding, "shift_jis");
  EXPECT_EQ(koe::read_corpus(bad("shift_jis.csv"), with_encoding("shift_jis")).documents.at(0).text,
            "アプリが重い");
}

TEST_F(Hardening, Utf8FileDeclaredShiftJisOrEucJpIsAnErrorNotMojibake) {
  for (const std::string encoding : {"shift_jis", "cp932", "euc-jp"}) {
    const fs::path file = bad("good_voices.csv");
    const std::string message = "FILE:2: declared " + encoding +
                                " but the input is UTF-8 (<E3 82 A2> is \"ア\" in UTF-8); read "
                                "it as utf-8 or auto";
    const auto [code, got] = read_error(file, with_encoding(encoding));
    EXPECT_EQ(code, koe::errc::invalid_encoding);
    EXPECT_EQ(got, message);
    // The whole file is in question, so skipping does not help.
    auto o = skipping();
    o.encoding = encoding;
    EXPECT_EQ(read_error(file, o).second, message);
    const temp_dir dir;
    const auto r = cluster(dir, file, dir.path() / "out", {"--encoding", encoding});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.said("koe: " + replace_all(message, "FILE", file.string()))) << r.err;
  }
}

TEST_F(Hardening, ShortShiftJisWhoseBytesHappenToBeValidUtf8IsStillConverted) {
  // E3 81 81 41 is "ぁA" in UTF-8 and "縺、" in Shift_JIS: one wide character is too little
  // evidence to overrule the caller, so the check waits for several.
  std::istringstream in("text\n\xE3\x81\x81\x41\n");
  const auto c = koe::read_corpus(in, "short.csv", with_encoding("shift_jis"));
  EXPECT_EQ(c.documents.at(0).text, "縺、");
}

TEST_F(Hardening, EucJpFileDeclaredUtf8FailsAndIsReadWhenDeclared) {
  const fs::path file = bad("euc_jp.csv");
  const auto [code, message] = read_error(file, {});
  EXPECT_EQ(code, koe::errc::invalid_encoding);
  EXPECT_EQ(message, "FILE:2: invalid UTF-8 byte sequence <A5> in field 2 (text)");
  expect_clustered(file, 12, {"--encoding", "euc-jp"}, with_encoding("euc-jp"));
}

TEST_F(Hardening, Utf16WithByteOrderMarkIsConvertedWhateverTheDeclaredEncoding) {
  for (const char* name : {"utf16le_bom.csv", "utf16be_bom.csv"}) {
    expect_clustered(bad(name), 12);
    const auto c = koe::read_corpus(bad(name), with_encoding("shift_jis"));
    EXPECT_EQ(c.documents.at(0).text, "アプリが重い");
    EXPECT_EQ(c.encoding, name == "utf16le_bom.csv"s ? "utf-16le" : "utf-16be");
  }
}

TEST_F(Hardening, Utf16WithoutByteOrderMarkFailsOnTheNulBytesOfTheHeader) {
  const fs::path file = bad("utf16le_no_bom.csv");
  const auto [code, message] = read_error(file, skipping());
  EXPECT_EQ(code, koe::errc::malformed_record);
  EXPECT_EQ(message, "FILE:1: header: NUL byte in field 1");
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", {"--on-error", "skip"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + file.string() + ":1: header: NUL byte in field 1")) << r.err;
}

// ---------------------------------------------------------------------------------------------
// Record structure

TEST_F(Hardening, NulByteInAFieldIsMalformed) {
  expect_bad_records(bad("nul_byte.csv"), koe::errc::malformed_record,
                     "FILE:5: NUL byte in field 2 (text)", {{4, 5, "NUL byte in field 2 (text)"}},
                     13);
}

TEST_F(Hardening, UnterminatedQuoteAtTheEndOfTheFileIsMalformed) {
  expect_bad_records(bad("unterminated_quote_at_eof.csv"), koe::errc::malformed_record,
                     "FILE:14: unterminated quote", {{13, 14, "unterminated quote"}}, 13);
}

TEST_F(Hardening, QuoteInsideAnUnquotedFieldIsKeptAsText) {
  const auto c = koe::read_corpus(bad("quote_in_unquoted_field.csv"));
  EXPECT_EQ(c.documents.at(3).text, "彼は\"最悪\"と言った");
  expect_clustered(bad("quote_in_unquoted_field.csv"), 13);
}

TEST_F(Hardening, TextAfterAClosingQuoteIsMalformed) {
  expect_bad_records(bad("text_after_closing_quote.csv"), koe::errc::malformed_record,
                     "FILE:5: unexpected character after closing quote",
                     {{4, 5, "unexpected character after closing quote"}}, 13);
}

TEST_F(Hardening, RecordWithTooManyColumnsIsMalformed) {
  expect_bad_records(bad("too_many_columns.csv"), koe::errc::malformed_record,
                     "FILE:5: record has 4 fields, header has 2",
                     {{4, 5, "record has 4 fields, header has 2"}}, 13);
}

TEST_F(Hardening, RecordWithTooFewColumnsIsMalformed) {
  expect_bad_records(bad("too_few_columns.csv"), koe::errc::malformed_record,
                     "FILE:5: record has 1 field, header has 2",
                     {{4, 5, "record has 1 field, header has 2"}}, 13);
}

TEST_F(Hardening, LinesEndedByCarriageReturnAloneAreAHeaderError) {
  // Before the check such a file read as one long header and zero records, without an error.
  const fs::path file = bad("cr_line_endings.csv");
  const auto [code, message] = read_error(file, skipping());
  EXPECT_EQ(code, koe::errc::malformed_record);
  EXPECT_EQ(message,
            "FILE:1: header: carriage return in field 2; lines ended by CR alone are not "
            "supported, save the file with LF or CRLF");
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + replace_all(message, "FILE", file.string()))) << r.err;
}

TEST_F(Hardening, HeaderOnlyFileHasNothingToCluster) {
  expect_nothing_to_cluster(bad("header_only.csv"), 0);
}

TEST_F(Hardening, EmptyFileHasNothingToCluster) {
  expect_nothing_to_cluster(bad("empty.csv"), 0);
  const temp_dir dir;
  for (const char* name : {"empty.jsonl", "empty.tsv", "empty.txt"})
    expect_nothing_to_cluster(dir.write(name, ""), 0);
}

TEST_F(Hardening, MissingTextColumnNameIsAnErrorListingTheHeader) {
  const fs::path file = bad("good_voices.csv");
  koe::io_options o = skipping();
  o.text_column = "comment";
  const auto [code, message] = read_error(file, o);
  EXPECT_EQ(code, koe::errc::missing_column);
  EXPECT_EQ(message, "FILE:1: text column \"comment\" not found; the header has: id, text");
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", {"--text-column", "comment"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + replace_all(message, "FILE", file.string()))) << r.err;
}

TEST_F(Hardening, WithoutATextHeaderTheFirstColumnIsTheText) {
  // Documented in io_options::text_column; "id,comment" therefore clusters the ids.
  const auto c = koe::read_corpus(bad("no_text_header.csv"));
  EXPECT_EQ(c.documents.at(0).text, "g1");
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"comment"});
}

TEST_F(Hardening, JsonLinesBrokenLineIsMalformedWithItsColumn) {
  // koe's part of the message: the file, line and column, and "invalid JSON"; the parser's own
  // wording after it is nlohmann_json's and may change with it.
  expect_bad_records(bad("broken_line.jsonl"), koe::errc::malformed_record,
                     "FILE:4: invalid JSON at column 38: ...",
                     {{4, 4, "invalid JSON at column 38: ..."}}, 13);
}

TEST_F(Hardening, JsonLinesTextThatIsNotAStringIsMalformed) {
  expect_bad_records(bad("non_string_text.jsonl"), koe::errc::malformed_record,
                     "FILE:4: text is not a string (key \"text\" holds number)",
                     {{4, 4, "text is not a string (key \"text\" holds number)"},
                      {5, 5, "text is not a string (key \"text\" holds null)"},
                      {6, 6, "text is not a string (key \"text\" holds array)"}},
                     15);
}

TEST_F(Hardening, JsonNumberTooLargeForAnyTypeIsMalformedNotACrash) {
  // Found by fuzz_read: nlohmann_json throws out_of_range (not a parse error) for 9E3779.
  const temp_dir dir;
  std::string bytes = "{\"text\":\"アプリが重い\",\"score\":9E3779}\n";
  for (int i = 0; i < 12; ++i)
    bytes += "{\"text\":\"" + std::string(i % 2 ? "ログインできない" : "アプリが重い") + "\"}\n";
  const fs::path file = dir.write("huge.jsonl", bytes);
  expect_bad_records(file, koe::errc::malformed_record,
                     "FILE:1: a JSON number too large to read (beyond a 64-bit float)",
                     {{1, 1, "a JSON number too large to read (beyond a 64-bit float)"}}, 13);
}

TEST_F(Hardening, DeeplyNestedJsonIsRejectedInsteadOfOverflowingTheStack) {
  // Found by hand before fuzzing: writing a 200,000-deep meta value back out recursed per level.
  const temp_dir dir;
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  std::string bytes = "{\"text\":\"アプリが重い\",\"x\":" + deep + "}\n";
  for (int i = 0; i < 12; ++i)
    bytes += "{\"text\":\"" + std::string(i % 2 ? "ログインできない" : "アプリが重い") + "\"}\n";
  const fs::path file = dir.write("deep.jsonl", bytes);
  expect_bad_records(file, koe::errc::malformed_record, "FILE:1: JSON nested deeper than 64 levels",
                     {{1, 1, "JSON nested deeper than 64 levels"}}, 13);
  // Brackets inside strings do not count.
  std::istringstream in("{\"text\":\"" + std::string(100, '[') + "\"}\n");
  EXPECT_EQ(koe::read_corpus(in, "s.jsonl", {}).documents.at(0).text, std::string(100, '['));
}

TEST_F(Hardening, JsonLinesWithTooManyDistinctKeysRejectsTheRecordsBeyondTheLimit) {
  // 2,000 records of unique keys would otherwise need 2,000 x 2,000 meta slots.
  std::string bytes;
  for (int i = 0; i < 2000; ++i)
    bytes += "{\"text\":\"a\",\"k" + std::to_string(i) + "\":1}\n";
  std::istringstream in(bytes);
  const auto c = koe::read_corpus(in, "keys.jsonl", skipping());
  EXPECT_EQ(c.read(), 2000u);
  EXPECT_EQ(c.meta_columns.size(), 1024u);
  EXPECT_EQ(c.count(koe::record_status::rejected), 2000u - 1024u);
  EXPECT_EQ(c.documents.at(1024).reason,
            "line 1025: key \"k1024\" would be meta column 1025; koe carries at most 1024");
  expect_accounted(c);
}

TEST_F(Hardening, BinaryGarbageFailsOnItsHeaderAndSkippingCannotHelp) {
  const fs::path file = bad("binary_garbage.bin");
  auto o = skipping();
  o.format = koe::input_format::csv;
  const auto [code, message] = read_error(file, o);
  EXPECT_EQ(code, koe::errc::invalid_encoding);
  EXPECT_EQ(message, "FILE:1: header: invalid UTF-8 byte sequence <AD> in field 1");
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", {"--format", "csv", "--on-error", "skip"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: " + replace_all(message, "FILE", file.string()))) << r.err;
}

TEST_F(Hardening, BinaryGarbageAsTextRejectsEveryLineAndAccountsForAll) {
  const fs::path file = bad("binary_garbage.bin");
  const auto c = koe::read_corpus(file, skipping());
  expect_accounted(c);
  EXPECT_GT(c.read(), 0u);
  EXPECT_EQ(c.count(koe::record_status::kept), 0u);
  expect_nothing_to_cluster(file, c.read(), {"--on-error", "skip"}, skipping());
}

// ---------------------------------------------------------------------------------------------
// Files and directories

TEST_F(Hardening, DirectoryAsInputIsAnIoFailure) {
  const temp_dir dir;
  try {
    (void)koe::read_corpus(dir.path());
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::io_failure);
    EXPECT_EQ(std::string(e.what()), "cannot open " + dir.path().string() + ": is a directory");
  }
  const auto r = cluster(dir, dir.path(), dir.path() / "out");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.said("koe: cannot open " + dir.path().string() + ": is a directory")) << r.err;
}

// Root reads a file whatever its mode, so as root (which CI is) the reading happens as the
// user nobody: in a child process for the library, through setpriv for the executable.
constexpr uid_t nobody_uid = 65534;
constexpr gid_t nobody_gid = 65534;

/// Exit status of `read_locked` run in a child process as nobody: 0 when it did its checks.
int as_nobody(const std::function<int()>& read_locked) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(nobody_gid) != 0 || ::setuid(nobody_uid) != 0)
      ::_exit(90);
    ::_exit(read_locked());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(Hardening, UnreadableFileIsAnIoFailure) {
  const bool root = ::geteuid() == 0;
  const temp_dir dir;
  const fs::path file = dir.write("locked.csv", slurp(bad("good_voices.csv")));
  fs::permissions(file, fs::perms::none);
  const std::string expected = "cannot open " + file.string() + ": Permission denied";
  const auto read_locked = [&] {
    try {
      (void)koe::read_corpus(file);
    } catch (const koe::error& e) {
      if (e.code() == koe::errc::io_failure && e.what() == expected) return 0;
      std::fprintf(stderr, "got: %s\n", e.what());
      return 1;
    }
    std::fprintf(stderr, "no error\n");
    return 2;
  };
  EXPECT_EQ(root ? as_nobody(read_locked) : read_locked(), 0);
  const std::string wrapper =
      root ? "setpriv --reuid=nobody --regid=nogroup --clear-groups -- " : "";
  const auto r =
      run_koe(dir, {"cluster", file.string(), "-k", "2", "-q", "-o", (dir.path() / "out").string()},
              "", wrapper);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(r.said("koe: " + expected)) << r.err;
}

TEST_F(Hardening, OutputDirectoryUnderARegularFileIsAnIoFailure) {
  const temp_dir dir;
  const fs::path blocker = dir.write("file", "x");
  const fs::path outdir = blocker / "out";
  koe::pipeline p(small_run());
  const auto result = p.run(bad("good_voices.csv"));
  try {
    koe::write_outputs(outdir, result);
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::io_failure);
    EXPECT_EQ(std::string(e.what()),
              "cannot create output directory " + outdir.string() + ": Not a directory");
  }
  const auto r = cluster(dir, bad("good_voices.csv"), outdir);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(
      r.said("koe: cannot create output directory " + outdir.string() + ": Not a directory"))
      << r.err;
  EXPECT_EQ(slurp(blocker), "x");
}

// ---------------------------------------------------------------------------------------------
// Size

TEST_F(Hardening, FiveMegabyteVoiceIsTruncatedWithAReason) {
  const temp_dir dir;
  // 5 MiB of one voice, quoted with commas and line breaks inside, amid ordinary voices.
  std::string huge;
  while (huge.size() < (std::size_t{5} << 20))
    huge += "アプリが重い, とても重い\n";
  std::string bytes = slurp(bad("good_voices.csv")) + "big,\"" + huge + "\"\n";
  const fs::path file = dir.write("huge.csv", bytes);
  const auto c = koe::read_corpus(file);
  ASSERT_EQ(c.read(), 13u);
  const auto d = c.documents[12];
  EXPECT_EQ(d.status, koe::record_status::kept);
  EXPECT_EQ(d.text.size(), 16383u);  // the last whole character before 16,384 bytes
  EXPECT_EQ(d.reason, "truncated from " + std::to_string(huge.size()) + " to 16383 bytes");
  EXPECT_EQ(d.text, huge.substr(0, 16383));

  const auto r = cluster(dir, file, dir.path() / "out");
  EXPECT_EQ(r.status, 0) << r.err;
  const auto rows = read_outputs(dir.path() / "out");
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[12].id, "big");
  EXPECT_EQ(rows[12].reason, d.reason);
}

TEST_F(Hardening, MaxVoiceBytesIsConfigurableAndZeroTurnsItOff) {
  const fs::path file = bad("good_voices.csv");
  koe::io_options o;
  o.max_voice_bytes = 7;  // two kana and one byte of a third
  const auto c = koe::read_corpus(file, o);
  EXPECT_EQ(c.documents.at(0).text, "アプ");
  EXPECT_EQ(c.documents.at(0).reason, "truncated from 18 to 6 bytes");
  o.max_voice_bytes = 0;
  EXPECT_TRUE(koe::read_corpus(file, o).documents.at(0).reason.empty());

  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", {"--max-voice-bytes", "9"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto rows = read_outputs(dir.path() / "out");
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_EQ(rows[3].reason, "truncated from 33 to 9 bytes");  // アプリが重くて使えない
}

// A truncated voice that ends up as noise keeps "truncated from ..." after the noise reason.
TEST_F(Hardening, TruncationReasonSurvivesWhenTheVoiceBecomesNoise) {
  const temp_dir dir;
  std::string bytes = slurp(bad("good_voices.csv")) + "b1,";
  for (int i = 0; i < 20; ++i)
    bytes += "！";
  const fs::path file = dir.write("noise.csv", bytes + "\n");
  const auto r = cluster(dir, file, dir.path() / "out", {"--max-voice-bytes", "30"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto rows = read_outputs(dir.path() / "out");
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[12].status, "noise");
  EXPECT_NE(rows[12].reason.find("truncated from 60 to 30 bytes"), std::string::npos)
      << rows[12].reason;
}

TEST_F(Hardening, MillionBlankLinesAreEveryOneAnEmptyRecord) {
  const temp_dir dir;
  std::string bytes = slurp(bad("good_voices.csv"));
  bytes.append(1000000, '\n');
  const fs::path file = dir.write("blank.csv", bytes);
  const auto c = koe::read_corpus(file);
  ASSERT_EQ(c.read(), 1000012u);
  EXPECT_EQ(c.count(koe::record_status::empty), 1000000u);
  EXPECT_EQ(c.documents.back().line, 1000013u);
  const auto r = cluster(dir, file, dir.path() / "out");
  EXPECT_EQ(r.status, 0) << r.err;
  const auto rows = read_outputs(dir.path() / "out");
  ASSERT_EQ(rows.size(), 1000012u);
  EXPECT_EQ(rows.back().status, "empty");
  expect_nothing_to_cluster(dir.write("only_blank.txt", std::string(1000000, '\n')), 1000000);
}

TEST_F(Hardening, CorpusThatDoesNotFitInMemoryGetsACleanMessage) {
  if (sanitized) GTEST_SKIP() << "a sanitizer build cannot run under ulimit -v";
  const temp_dir dir;
  // Ten million one-byte voices: 20 MB on disk, about 2 GB as documents, over the 1 GiB limit.
  std::string bytes;
  bytes.reserve(20000000);
  for (int i = 0; i < 10000000; ++i)
    bytes += "a\n";
  const fs::path file = dir.write("many.txt", bytes);
  bytes = std::string();
  const auto r = run_koe(
      dir, {"cluster", file.string(), "-o", (dir.path() / "out").string(), "-q", "--threads", "1"},
      "ulimit -v 1048576; ");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("koe: " + file.string() + ": the corpus does not fit in memory ("),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------------------------
// Unusual characters

TEST_F(Hardening, VoiceOfOnlyEmojiIsNoiseOrEmptyWhenEmojiAreRemoved) {
  const fs::path file = bad("emoji_only.csv");
  const auto rows = expect_clustered(file, 13);
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[3].status, "noise");
  EXPECT_EQ(rows[3].reason, "no terms after filtering");
  const temp_dir dir;
  const auto r = cluster(dir, file, dir.path() / "out", {"--remove-emoji"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto removed = read_outputs(dir.path() / "out");
  ASSERT_EQ(removed.size(), 13u);
  EXPECT_EQ(removed[3].status, "empty");
  EXPECT_EQ(removed[3].reason, "blank after normalization");
}

TEST_F(Hardening, VoiceOfOnlyPunctuationIsNoise) {
  const auto rows = expect_clustered(bad("punctuation_only.csv"), 13);
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[3].status, "noise");
  EXPECT_EQ(rows[3].reason, "no terms after filtering");
}

TEST_F(Hardening, ControlCharactersBecomeSpacesAndNeverReachTheTerminal) {
  const fs::path file = bad("control_characters.csv");
  const auto c = koe::read_corpus(file);
  EXPECT_EQ(c.documents.at(3).text, "アプリが\x1b[31m重い\x07\x08\x7f\u0085\u009b2J");
  EXPECT_EQ(koe::normalize(c.documents.at(3).text), "アプリが [31m重い 2j");
  EXPECT_EQ(koe::normalize("a\x01"
                           "b\x1b"
                           "c"),
            "a b c");
  expect_clustered(file, 13);
}

TEST_F(Hardening, RightToLeftAndCombiningMarksAreKeptWithoutBidiControls) {
  const fs::path file = bad("rtl_and_combining.csv");
  const auto c = koe::read_corpus(file);
  EXPECT_EQ(koe::normalize(c.documents.at(3).text), "アプリが重い مرحبا שלום");
  EXPECT_EQ(koe::normalize(c.documents.at(4).text).substr(0, 9), "が\u00e9\u0301\u0301");
  expect_clustered(file, 14);
  koe::pipeline p(small_run());
  const auto terms = p.tokenize({std::string(c.documents.at(3).text)});
  for (const auto& t : terms.at(0))
    EXPECT_EQ(t.find("\u202e"), std::string::npos) << "a bidi control became a term";
}

TEST_F(Hardening, NormalizeStaysIdempotentAcrossRemovedMarks) {
  // A left-to-right mark between a letter and its accent must not leave them uncomposed.
  const std::string once = koe::normalize("e\u200e\u0301");
  EXPECT_EQ(once, "\u00e9");
  EXPECT_EQ(koe::normalize(once), once);
}

// koe assign reads as koe cluster does: on every file of the bad-input table, with and without
// --on-error skip, it exits with cluster's status and says the same first thing; where both
// write assignments.csv, every record is there, and a record cluster rejected or found empty
// is rejected or empty with the same reason.
TEST_F(Hardening, AssignReadsEveryBadInputAsClusterDoes) {
  const temp_dir dir;
  const fs::path model_dir = dir.path() / "model";
  ASSERT_EQ(cluster(dir, bad("good_voices.csv"), model_dir).status, 0);
  const std::string model = (model_dir / "model.koe").string();
  const auto first_line = [](const std::string& err) { return err.substr(0, err.find('\n')); };
  std::size_t files = 0, with_rows = 0;
  for (const auto& entry : fs::directory_iterator(bad_inputs)) {
    const fs::path file = entry.path();
    if (file.extension() == ".py") continue;
    ++files;
    for (const bool skip : {false, true}) {
      std::vector<std::string> extra;
      if (skip) extra = {"--on-error", "skip"};
      const fs::path c_out = dir.path() / "c", a_out = dir.path() / "a";
      fs::remove_all(c_out);
      fs::remove_all(a_out);
      const cli_result c = cluster(dir, file, c_out, extra);
      std::vector<std::string> args = {"assign", file.string(), "--model",     model,
                                       "-q",     "-o",          a_out.string()};
      args.insert(args.end(), extra.begin(), extra.end());
      const cli_result a = run_koe(dir, args);
      const std::string what = file.filename().string() + (skip ? " (skip)" : "");
      EXPECT_EQ(a.status, c.status) << what << "\n" << a.err << "\n" << c.err;
      if (c.status != 0) {
        // The one word that differs: "nothing to assign" where cluster has "to cluster".
        EXPECT_EQ(replace_all(first_line(a.err), "to assign", "to cluster"), first_line(c.err))
            << what;
        continue;
      }
      const auto c_rows = parse_csv(slurp(c_out / "assignments.csv"));
      const auto a_rows = parse_csv(slurp(a_out / "assignments.csv"));
      ASSERT_EQ(a_rows.size(), c_rows.size()) << what;
      ++with_rows;
      for (std::size_t i = 1; i < c_rows.size(); ++i) {
        EXPECT_EQ(a_rows[i].at(0), c_rows[i].at(0)) << what << " row " << i;
        const std::string& status = c_rows[i].at(3);
        if (status == "rejected" || status == "empty") {
          EXPECT_EQ(a_rows[i].at(3), status) << what << " row " << i;
          EXPECT_EQ(a_rows[i].at(4), c_rows[i].at(4)) << what << " row " << i;
        }
      }
    }
  }
  EXPECT_GE(files, 20u);
  EXPECT_GE(with_rows, 10u);
}

}  // namespace
