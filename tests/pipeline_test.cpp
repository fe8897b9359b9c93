#include <koe/assess.hpp>
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/options.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>

#include "reference_lloyd.hpp"
#include "same_record.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

koe::pipeline_options sample_options(int k, int threads) {
  koe::pipeline_options o;
  o.cluster.k = k;
  o.cluster.seed = 7;
  o.threads = threads;
  return o;
}

TEST(Pipeline, EveryRecordIsAccountedFor) {
  koe::pipeline p(sample_options(15, 0));
  const auto r = p.run(sample);
  EXPECT_EQ(r.input.read(), 400u);
  EXPECT_EQ(r.input.count(koe::record_status::kept) + r.input.count(koe::record_status::empty) +
                r.input.count(koe::record_status::rejected),
            r.input.read());
  EXPECT_EQ(r.row_document.size(), r.input.count(koe::record_status::kept));
  EXPECT_EQ(r.clusters.assignment.size(), r.row_document.size());
  std::ostringstream csv;
  koe::write_report(csv, r, koe::report_format::assignments_csv);
  std::size_t lines = 0;
  for (char c : csv.str())
    lines += c == '\n' ? 1 : 0;
  // Header plus one line per record; quoted newlines never occur in ids or reasons here.
  EXPECT_EQ(lines, r.input.read() + 1);
}

// Each planted topic of the sample lands mostly in one cluster. Mean purity (every topic's share
// in its largest cluster, averaged over topics) measured with k = 15: 0.62 at seed 7, 0.61 to 0.68
// over seeds 1 to 5.
TEST(Pipeline, PlantedTopicsOfTheSampleLandMostlyInOneCluster) {
  koe::pipeline p(sample_options(15, 0));
  const auto r = p.run(sample);
  const int topic = r.input.meta_index("topic");
  ASSERT_GE(topic, 0);
  std::map<std::string, std::map<int, int>> counts;
  for (std::size_t row = 0; row < r.row_document.size(); ++row) {
    const auto& d = r.input.documents[r.row_document[row]];
    const std::string t(d.meta[static_cast<std::size_t>(topic)]);
    if (t.empty() || t == "off_topic") continue;
    ++counts[t][r.clusters.assignment[row]];
  }
  double purity = 0;
  for (const auto& [t, by_cluster] : counts) {
    int total = 0, best = 0;
    for (const auto& [c, n] : by_cluster) {
      total += n;
      if (c >= 0) best = std::max(best, n);
    }
    purity += static_cast<double>(best) / total;
  }
  purity /= static_cast<double>(counts.size());
  EXPECT_GE(purity, 0.55) << "mean purity " << purity;
}

TEST(Pipeline, OutputFilesAreByteIdenticalForAnyThreadCount) {
  const auto base = std::filesystem::temp_directory_path() /
                    ("koe_pipeline_threads_" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  std::string reference_json, reference_csv;
  for (int threads : {1, 2, 8}) {
    for (int k : {12, 0}) {
      const koe::pipeline_options o = sample_options(k, threads);
      koe::pipeline p(o);
      const auto r = p.run(sample);
      koe::report_options ro;
      ro.options = &o;
      const auto dir = base / (std::to_string(threads) + "_" + std::to_string(k));
      koe::write_outputs(dir, r, ro);
      if (threads == 1) continue;
      const auto ref = base / ("1_" + std::to_string(k));
      EXPECT_EQ(slurp(dir / "clusters.json"), slurp(ref / "clusters.json")) << threads;
      EXPECT_EQ(slurp(dir / "assignments.csv"), slurp(ref / "assignments.csv")) << threads;
    }
  }
  std::filesystem::remove_all(base);
}

// Reading a file streams blocks of records to normalizing tasks while the next block is read;
// running on a corpus read beforehand normalizes it in place. Both must give the same result.
TEST(Pipeline, ReadingWhileNormalizingMatchesRunningOnAReadCorpus) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("koe-stream-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "voices.jsonl";
  {
    // About 2.5 blocks of records: blank, emoji-only (blank once normalized), unreadable, and a
    // meta key that first appears in the third block.
    const std::string voices[] = {"アプリが重い", "配送が遅い", "ログインできない",
                                  "ポイントが少ない", "問い合わせの返事が来ない"};
    std::ofstream out(file, std::ios::binary);
    for (int i = 1; i <= 10000; ++i) {
      if (i % 997 == 0) {
        out << "{not json\n";
      } else if (i % 101 == 0) {
        out << R"({"id":"b)" << i << R"(","text":"   "})" << '\n';
      } else if (i % 103 == 0) {
        out << R"({"id":"e)" << i << R"(","text":"\ud83d\ude00"})" << '\n';
      } else {
        out << R"({"id":"v)" << i << R"(","text":")" << voices[i % 5] << "、" << i % 7
            << R"(回目","segment":"s)" << i % 3 << '"';
        if (i > 8500) out << R"(,"late":"x)" << i << '"';
        out << "}\n";
      }
    }
  }
  for (int threads : {1, 2}) {
    koe::pipeline_options o = sample_options(5, threads);
    o.io.errors = koe::on_error::skip;
    o.normalize.remove_emoji = true;
    koe::pipeline p(o);
    const auto streamed = p.run(file);
    const auto whole = p.run(koe::read_corpus(file, o.io));
    ASSERT_EQ(streamed.input.read(), 10000u);
    ASSERT_EQ(whole.input.read(), 10000u);
    EXPECT_EQ(streamed.input.meta_columns, whole.input.meta_columns);
    EXPECT_EQ(streamed.input.count(koe::record_status::rejected), 10u);
    EXPECT_EQ(streamed.input.count(koe::record_status::empty),
              whole.input.count(koe::record_status::empty));
    for (std::size_t i = 0; i < 10000; ++i) {
      ASSERT_TRUE(koe::test::same_record(streamed.input.documents[i].to_document(),
                                         whole.input.documents[i].to_document()))
          << i;
    }
    // Record 103 is emoji only: empty after normalizing, with the reason.
    EXPECT_EQ(streamed.input.documents[102].status, koe::record_status::empty);
    EXPECT_EQ(streamed.input.documents[102].reason, "blank after normalization");
    ASSERT_EQ(streamed.input.meta_columns, (std::vector<std::string>{"segment", "late"}));
    EXPECT_EQ(streamed.input.documents[9000].meta[1], "x9001");
    EXPECT_TRUE(streamed.input.documents[10].meta[1].empty());
    EXPECT_EQ(streamed.input.documents[10].meta[0], "s2");
    EXPECT_EQ(streamed.row_document, whole.row_document);
    EXPECT_EQ(streamed.normalized.to_strings(), whole.normalized.to_strings());
    EXPECT_EQ(streamed.clusters.assignment, whole.clusters.assignment);
  }
  std::filesystem::remove_all(dir);
}

// Dropping the normalized texts after tokenizing (what the CLI does) must change no output:
// repeats are told by hashes, lexicon phrases are found while the texts are at hand, or, when
// they were not looked for, in the raw texts normalized again.
TEST(Pipeline, DroppingTheNormalizedTextsChangesNoOutput) {
  const koe::score_options so = koe::default_score_options();
  ASSERT_FALSE(koe::surface_phrases(so).empty());
  auto outputs = [&](bool keep, bool spot) {
    koe::pipeline_options o = sample_options(12, 2);
    o.keep_normalized = keep;
    if (spot) o.phrases = koe::surface_phrases(so);
    koe::pipeline p(o);
    const auto r = p.run(sample);
    EXPECT_EQ(r.normalized.size(), keep ? r.row_document.size() : 0u);
    EXPECT_EQ(r.text_hash.size(), r.row_document.size());
    const koe::adoption_result a = koe::assess(r, so, {});
    koe::report_options ro;
    ro.adoption = &a;
    std::ostringstream all;
    for (auto f : {koe::report_format::clusters_json, koe::report_format::assignments_csv,
                   koe::report_format::candidates_json, koe::report_format::trace_csv})
      koe::write_report(all, r, f, ro);
    return all.str();
  };
  const std::string kept = outputs(true, false);
  EXPECT_EQ(outputs(false, true), kept);
  EXPECT_EQ(outputs(false, false), kept);
  // The sample has voices that only the text scan can score (lexicon entries ipadic splits).
  EXPECT_NE(kept.find("二重請求"), std::string::npos);
}

TEST(Pipeline, SpillingTheTextsChangesNoRecordAndNoOutput) {
  // A file of several reading blocks: the sample's records 30 times over, each copy's ids
  // prefixed (a record starts on a line that begins with its id, V and four digits).
  const koe::test::temp_dir dir("koe_spill");
  const std::filesystem::path input = dir.path() / "many.csv";
  {
    const std::string all = slurp(sample);
    const std::size_t body = all.find('\n') + 1;
    std::ofstream out(input, std::ios::binary);
    out << all.substr(0, body);
    for (int copy = 0; copy < 30; ++copy) {
      std::istringstream lines(all.substr(body));
      for (std::string line; std::getline(lines, line);) {
        if (line.size() > 5 && line[0] == 'V' && line[5] == ',') out << 'C' << copy << '-';
        out << line << '\n';
      }
    }
  }
  const koe::score_options so = koe::default_score_options();
  auto run = [&](bool spill) {
    koe::pipeline_options o = sample_options(12, 2);
    o.spill = spill;
    return koe::pipeline(o).run(input);
  };
  auto outputs = [&](const koe::analysis_result& r) {
    const koe::adoption_result a = koe::assess(r, so, {});
    koe::report_options ro;
    ro.adoption = &a;
    std::ostringstream all;
    for (auto f : {koe::report_format::clusters_json, koe::report_format::assignments_csv,
                   koe::report_format::candidates_json, koe::report_format::trace_csv,
                   koe::report_format::report_html})
      koe::write_report(all, r, f, ro);
    return all.str();
  };
  const koe::analysis_result kept = run(false);
  const koe::analysis_result spilled = run(true);
  const koe::document_table& a = kept.input.documents;
  const koe::document_table& b = spilled.input.documents;
  EXPECT_EQ(a.spilled_text_bytes(), 0u);
  std::size_t bytes = 0;
  ASSERT_GT(a.size(), 2 * 4096u);  // three blocks
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(koe::test::same_record(a[i].to_document(), b[i].to_document())) << "record " << i;
    bytes += a[i].text.size();
  }
  // Every text and term id went to the files, none stayed behind.
  EXPECT_EQ(b.spilled_text_bytes(), bytes);
  EXPECT_EQ(kept.terms.spilled(), 0u);
  EXPECT_EQ(spilled.terms.spilled(), spilled.terms.occurrences());
  EXPECT_EQ(spilled.terms.to_rows(), kept.terms.to_rows());
  EXPECT_EQ(outputs(spilled), outputs(kept));
}

TEST(Pipeline, VoiceBlankAfterNormalizationIsEmptyNotNoise) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("koe_pipeline_blank_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "v.csv");
    f << "id,text\n";
    for (int i = 0; i < 10; ++i)
      f << "a" << i << ",配送が遅い\n";
    for (int i = 0; i < 10; ++i)
      f << "b" << i << ",アプリが落ちる\n";
    f << "e1,😀😀\n";
  }
  koe::pipeline_options o = sample_options(2, 0);
  o.normalize.remove_emoji = true;
  koe::pipeline p(o);
  const auto r = p.run(dir / "v.csv");
  EXPECT_EQ(r.input.documents.back().status, koe::record_status::empty);
  EXPECT_EQ(r.input.documents.back().reason, "blank after normalization");
  EXPECT_EQ(r.row_document.size(), 20u);
  std::filesystem::remove_all(dir);
}

TEST(Pipeline, CorpusWithNothingToClusterIsAClearError) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("koe_pipeline_nothing_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "v.csv");
    f << "id,text\n1,\n2,  \n";
  }
  koe::pipeline p(sample_options(2, 0));
  try {
    (void)p.run(dir / "v.csv");
    FAIL();
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::empty_corpus);
    EXPECT_NE(std::string(e.what()).find("v.csv"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// Blocks of records are parsed by parallel tasks, so a later block may fail before an earlier
// one is parsed; the error reported must still be the first bad record in the file.
TEST(Pipeline, TheFirstBadRecordInTheFileIsTheOneReported) {
  const koe::test::temp_dir dir("koe_pipeline");
  std::string csv = "id,text\n";
  for (int i = 1; i <= 12000; ++i) {
    if (i == 6000 || i == 11000)
      csv += std::to_string(i) + ",\"closed\"then more\n";  // text after a closing quote
    else
      csv += std::to_string(i) + ",アプリが重い" + std::to_string(i % 13) + "\n";
  }
  const std::filesystem::path file = dir.write("v.csv", csv);
  for (const int threads : {1, 2, 4}) {
    koe::pipeline p(sample_options(2, threads));
    try {
      (void)p.run(file);
      ADD_FAILURE() << "no error with " << threads << " threads";
    } catch (const koe::error& e) {
      EXPECT_EQ(e.code(), koe::errc::malformed_record);
      EXPECT_NE(std::string(e.what()).find("v.csv:6001: "), std::string::npos)
          << threads << " threads: " << e.what();
    }
  }
}

TEST(Pipeline, AtomicWriteLeavesNoTemporaryFiles) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("koe_pipeline_atomic_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  koe::write_file_atomically(dir / "x.json", "{}\n");
  koe::write_file_atomically(dir / "x.json", "{\"a\":1}\n");
  EXPECT_EQ(slurp(dir / "x.json"), "{\"a\":1}\n");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
    ++files;
  EXPECT_EQ(files, 1u);
  std::filesystem::remove_all(dir);
}

TEST(Pipeline, RejectedRecordsGetARejectsFileWithLineAndReason) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("koe_pipeline_rejects_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "v.csv");
    f << "id,text,rating\n";
    for (int i = 0; i < 6; ++i)
      f << "a" << i << ",配送が遅い,1\n";
    f << "bad,配送,1,extra\n";
    for (int i = 0; i < 6; ++i)
      f << "b" << i << ",アプリが落ちる,2\n";
  }
  koe::pipeline_options o = sample_options(2, 0);
  o.io.errors = koe::on_error::skip;
  koe::pipeline p(o);
  const auto r = p.run(dir / "v.csv");
  koe::write_outputs(dir / "out", r);
  const std::string rejects = slurp(dir / "out" / "rejects.csv");
  EXPECT_EQ(rejects.rfind("record,line,id,reason\n7,8,", 0), 0u) << rejects;
  EXPECT_NE(rejects.find("record has 4 fields, header has 3"), std::string::npos) << rejects;
  // A clean re-run into the same directory removes the stale file.
  koe::pipeline clean(sample_options(2, 0));
  std::ofstream(dir / "v.csv", std::ios::trunc)
      << "id,text\n1,配送が遅い\n2,配送が遅い\n3,アプリが落ちる\n4,アプリが落ちる\n";
  koe::write_outputs(dir / "out", clean.run(dir / "v.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "rejects.csv"));
  std::filesystem::remove_all(dir);
}

// Every byte `koe cluster` writes, for a run configured as the CLI configures it: koe::job (no
// normalized text kept, the lexicon's phrases looked for, only the metadata scoring reads), its
// thread count set both ways the CLI sets it, and the two tables it prints.
std::map<std::string, std::string> cli_outputs(const koe::job_options& base,
                                               const std::string& input, int threads,
                                               const std::filesystem::path& dir) {
  // TBB caps every arena at the machine's cores unless this raises the cap.
  const tbb::global_control cap(tbb::global_control::max_allowed_parallelism,
                                static_cast<std::size_t>(threads));
  EXPECT_EQ(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism),
            static_cast<std::size_t>(threads));
  koe::job_options o = base;
  o.pipeline.threads = threads;
  koe::job j(o);
  const auto out = dir / ("t" + std::to_string(threads));
  (void)j.run_to_files(input, out, false);
  std::map<std::string, std::string> files;
  for (const char* f :
       {"clusters.json", "assignments.csv", "candidates.json", "trace.csv", "report.html"}) {
    std::ifstream in(out / f, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files[f] = bytes.str();
  }
  std::ostringstream tables;
  j.write(tables, koe::report_format::table, false);
  j.write(tables, koe::report_format::candidates_table, false);
  files["stdout"] = tables.str();
  return files;
}

TEST(Pipeline, CliConfiguredRunIsByteIdenticalAtOneTwoAndSixteenThreads) {
  // Ten thousand voices (twenty blocks of k-means rows): the golden corpus, each voice joined
  // with others so that the texts differ.
  const koe::test::temp_dir dir("koe_pipeline");
  std::ifstream in(KOE_TEST_DIR "/golden/generated.csv");
  std::string header, line;
  std::getline(in, header);
  // Its columns: id, text, topic, rating, segment, created_at (no quoting, no commas in text).
  std::vector<std::pair<std::string, std::string>> rows;  // text, the columns after it
  while (std::getline(in, line)) {
    const auto text = line.find(',') + 1, rest = line.find(',', text);
    rows.emplace_back(line.substr(text, rest - text), line.substr(rest));
  }
  ASSERT_GE(rows.size(), 1000u);
  std::string bytes = header + "\n";
  for (std::size_t i = 0; i < 10000; ++i) {
    const auto& [text, rest] = rows[i % rows.size()];
    bytes += "v" + std::to_string(i) + "," + text + " " +
             rows[(i * 7 + i / rows.size()) % rows.size()].first + rest + "\n";
  }
  const auto input = dir.write("voices.csv", bytes);
  for (const bool lsa : {false, true}) {
    koe::job_options o;
    o.config = KOE_DATA_DIR "/koe.toml";
    o.decisions = KOE_TEST_DIR "/golden/decisions.csv";
    o.pipeline.cluster.k = 12;
    o.pipeline.cluster.seed = 7;
    if (lsa) {
      o.pipeline.lsa_dimensions = 30;
      o.pipeline.cluster.merge_factor = 2;
    }
    const auto one = cli_outputs(o, input.string(), 1, dir.path() / (lsa ? "lsa" : "plain"));
    ASSERT_FALSE(one.at("assignments.csv").empty());
    for (const int threads : {2, 16}) {
      const auto many =
          cli_outputs(o, input.string(), threads, dir.path() / (lsa ? "lsa" : "plain"));
      for (const auto& [name, content] : one)
        EXPECT_TRUE(content == many.at(name))
            << name << " differs at " << threads << " threads" << (lsa ? " with LSA" : "");
    }
  }
}

// On real voices (../shared/corpora, when present): k-means as the pipeline runs it lands where a
// plain Lloyd's algorithm lands from the same start, so its clustering quality (NMI against the
// corpus labels) is the plain algorithm's. The start is one voice of each label.
TEST(Pipeline, FastKMeansMatchesAPlainLloydOnTheSharedCorpora) {
  const std::filesystem::path root = KOE_SHARED_DIR "/corpora";
  if (!std::filesystem::is_directory(root)) GTEST_SKIP() << root << " is absent";
  std::size_t checked = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    const auto file = dir.path() / "voices.tsv";
    if (!std::filesystem::exists(file)) continue;
    koe::pipeline_options o;
    o.io.text_column = "text";
    o.cluster.k = 2;  // the pipeline's own clustering is not what is compared
    o.cluster.n_init = 1;
    koe::pipeline p(o);
    const koe::analysis_result r = p.run(file);
    const int label_col = r.input.meta_index("label");
    ASSERT_GE(label_col, 0) << file;
    const koe::sparse_matrix& m = r.tfidf.rows;
    std::map<std::string, std::size_t> first_row;
    for (std::size_t row = 0; row < r.row_document.size(); ++row) {
      const auto& d = r.input.documents[r.row_document[row]];
      if (m.outerIndexPtr()[row] != m.outerIndexPtr()[row + 1])
        first_row.emplace(d.meta[static_cast<std::size_t>(label_col)], row);
    }
    const std::size_t k = first_row.size();
    koe::dense_matrix init = koe::dense_matrix::Zero(static_cast<Eigen::Index>(k), m.cols());
    std::vector<std::vector<double>> start(k,
                                           std::vector<double>(static_cast<std::size_t>(m.cols())));
    std::size_t c = 0;
    for (const auto& [label, row] : first_row) {
      for (koe::sparse_matrix::InnerIterator e(m, static_cast<Eigen::Index>(row)); e; ++e) {
        init(static_cast<Eigen::Index>(c), e.col()) = e.value();
        start[c][static_cast<std::size_t>(e.col())] = e.value();
      }
      ++c;
    }
    koe::cluster_options co;
    co.init = init;
    co.tol = 0;
    co.max_iter = 300;
    const std::vector<std::int32_t> plain = koe::test::reference_lloyd(m, start, co.max_iter);
    const koe::clustering fast = koe::cluster(m, co);
    // Same partition: every pair of rows together in one is together in the other.
    std::map<std::int32_t, std::int32_t> to_fast;
    std::set<std::int32_t> used;
    std::size_t disagree = 0;
    for (std::size_t row = 0; row < plain.size(); ++row) {
      if (plain[row] < 0) continue;
      auto [it, fresh] = to_fast.emplace(plain[row], fast.assignment[row]);
      if (fresh && !used.insert(fast.assignment[row]).second) ++disagree;
      if (it->second != fast.assignment[row]) ++disagree;
    }
    EXPECT_EQ(disagree, 0u) << file << ": " << plain.size() << " rows, k = " << k;
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no voices.tsv under " << root;
}

}  // namespace
