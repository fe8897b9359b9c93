// Assigning new voices to a fitted model: what the fit records for it, the training voices
// getting their own clusters back, the new-theme rule and its groups, thread counts, bad input,
// the outputs, and a model that never changes.
#include <koe/assign.hpp>
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/job.hpp>
#include <koe/output_set.hpp>
#include <koe/pipeline.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";

koe::pipeline_options fit_options(int threads, int k = 8) {
  koe::pipeline_options o;
  o.cluster.k = k;
  o.cluster.seed = 11;
  o.threads = threads;
  return o;
}

koe::assign_options assign_options(int threads, koe::new_theme_mode mode) {
  koe::assign_options o;
  o.new_theme.mode = mode;
  o.reading.threads = threads;
  return o;
}

std::string csv_of(const koe::analysis_result& r) {
  std::ostringstream out;
  koe::write_report(out, r, koe::report_format::assignments_csv);
  return out.str();
}

std::string csv_of(const koe::assign_result& a) {
  std::ostringstream out;
  koe::write_assign_report(out, a, koe::report_format::assignments_csv);
  return out.str();
}

std::vector<std::vector<std::string>> lines_of(const std::string& csv) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string f;
    while (std::getline(s, f, ','))
      fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    out.push_back(std::move(fields));
  }
  return out;
}

// The sample's records with (`keep`) or without a topic, as a corpus of their own.
koe::corpus by_topic(const koe::corpus& all, const std::set<std::string>& topics, bool keep) {
  const int col = all.meta_index("topic");
  koe::corpus out;
  out.source = all.source;
  out.encoding = all.encoding;
  out.meta_columns = all.meta_columns;
  for (const koe::document_view d : all.documents)
    if ((topics.count(std::string(d.meta[static_cast<std::size_t>(col)])) > 0) == keep)
      out.documents.push_back(d.to_document());
  return out;
}

TEST(Assign, TheFitRecordsEachClustersSimilarityPercentiles) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  ASSERT_EQ(r.fitted.clusters.size(), 8u);
  for (const koe::model_cluster& c : r.fitted.clusters) {
    const std::vector<double>& p = c.similarity_percentiles;
    ASSERT_EQ(p.size(), 101u);
    EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));
    float lo = std::numeric_limits<float>::max(), hi = -lo;
    for (std::size_t row = 0; row < r.clusters.assignment.size(); ++row)
      if (r.clusters.assignment[row] == c.id) {
        lo = std::min(lo, r.clusters.similarity[row]);
        hi = std::max(hi, r.clusters.similarity[row]);
      }
    EXPECT_EQ(p.front(), static_cast<double>(lo));
    EXPECT_EQ(p.back(), static_cast<double>(hi));
  }
}

TEST(Assign, NearestRankPercentilesAreValuesOfTheInput) {
  const std::vector<double> p = koe::nearest_rank_percentiles({0.8f, 0.2f, 0.6f, 0.4f});
  ASSERT_EQ(p.size(), 101u);
  EXPECT_EQ(p[0], 0.2f);
  EXPECT_EQ(p[25], 0.2f);
  EXPECT_EQ(p[26], 0.4f);
  EXPECT_EQ(p[50], 0.4f);
  EXPECT_EQ(p[51], 0.6f);
  EXPECT_EQ(p[100], 0.8f);
  EXPECT_TRUE(koe::nearest_rank_percentiles({}).empty());
}

TEST(Assign, TheFitRecordsItsPeriodAndTheJobItsDecisions) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  // The sample's created_at column runs from 2026-07-02 to 2026-09-30 (as written).
  const koe::corpus c = koe::read_corpus(sample, {});
  std::string first = "9999", last;
  for (const koe::document_view d : c.documents)
    if (!d.timestamp.empty()) {
      first = std::min(first, std::string(d.timestamp));
      last = std::max(last, std::string(d.timestamp));
    }
  EXPECT_EQ(r.fitted.period_first, first);
  EXPECT_EQ(r.fitted.period_last, last);

  koe::job_options o;
  o.pipeline = fit_options(2);
  o.decisions_csv = "key,decision,reason,date\n配達+遅い,adopted,配送を見直す,2026-10-01\n";
  koe::job j(o);
  const koe::analysis_result& fit = j.run(koe::read_corpus(sample, {}));
  ASSERT_EQ(fit.fitted.decisions.size(), 1u);
  EXPECT_EQ(fit.fitted.decisions[0].status, koe::decision_status::adopted);
  EXPECT_EQ(fit.fitted.decisions[0].reason, "配送を見直す");
}

TEST(Assign, TrainingVoicesGetTheFitsClusterAndSimilarityWithNewThemeOff) {
  const std::string generated = KOE_TEST_DIR "/golden/generated.csv";
  for (const int threads : {1, 2}) {
    for (const auto& [input, k] : {std::pair{sample, 8}, std::pair{generated, 12}}) {
      const koe::analysis_result r = koe::pipeline(fit_options(threads, k)).run(input);
      koe::assigner a(r.fitted, assign_options(threads, koe::new_theme_mode::off));
      const koe::assign_result back = a.run(input);
      // Byte for byte: the ids, clusters, similarities, statuses and reasons of every record.
      EXPECT_EQ(csv_of(back), csv_of(r)) << input << ", " << threads << " threads";
      EXPECT_EQ(back.count(koe::assignment_status::new_theme), 0u);
    }
  }
}

TEST(Assign, AfterMergingClustersTheFitEndsWithEachVoiceAtItsNearestCentroid) {
  // The fit of the golden generated-lsa case, without and with its LSA reduction. The fit runs
  // Lloyd again from the merged groups, so its voices end at their nearest centroids, where
  // assign puts them; only a voice Lloyd's tolerance stopped short of moving may differ.
  for (const int lsa : {0, 30}) {
    koe::pipeline_options o = fit_options(2, 10);
    o.cluster.seed = 3;
    o.cluster.merge_factor = 2;
    o.cluster.min_similarity = 0.05;
    o.lsa_dimensions = lsa;
    const std::string generated = KOE_TEST_DIR "/golden/generated.csv";
    const koe::analysis_result r = koe::pipeline(o).run(generated);
    koe::assigner a(r.fitted, assign_options(2, koe::new_theme_mode::off));
    const auto fit = lines_of(csv_of(r)), got = lines_of(csv_of(a.run(generated)));
    ASSERT_EQ(fit.size(), got.size());
    std::size_t moved = 0;
    for (std::size_t i = 1; i < fit.size(); ++i)
      moved += fit[i][1] == got[i][1] ? 0 : 1;
    std::cout << "merge factor 2" << (lsa > 0 ? ", LSA 30" : "") << ": " << moved << " of "
              << fit.size() - 1 << " training voices go to another cluster\n";
    // Measured: 1 with and 1 without LSA; 39 and 67 when the fit kept the merged groups as they
    // were, and 67 projected rows that were not the fit's own.
    EXPECT_LE(moved, 2u);
  }
}

TEST(Assign, WithTheDefaultRuleTrainingVoicesDifferOnlyWhereTheRuleFires) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  koe::assigner a(r.fitted, assign_options(2, koe::new_theme_mode::automatic));
  const koe::assign_result back = a.run(sample);
  const auto fit = lines_of(csv_of(r)), got = lines_of(csv_of(back));
  ASSERT_EQ(fit.size(), got.size());
  std::size_t fired = 0;
  for (std::size_t i = 1; i < fit.size(); ++i) {
    if (got[i][3] == "new_theme") {
      ++fired;
      continue;
    }
    EXPECT_EQ(fit[i], got[i]) << "record " << i;
  }
  // About the percentile's share of each cluster, and the voices whose terms all fell below
  // min_df at the fit.
  const std::size_t rows = r.row_document.size();
  RecordProperty("new_theme_training_voices", static_cast<int>(fired));
  std::cout << "training voices set apart as new themes: " << fired << " of " << rows << '\n';
  EXPECT_GT(fired, 0u);
  EXPECT_LT(fired, rows / 4);
}

TEST(Assign, AVoiceJustBelowItsClustersThresholdIsANewThemeAndOneAtItIsNot) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  // The auto rule on a model whose cluster 0 has its 5th percentile at one voice's similarity.
  std::size_t row = 0;
  while (r.clusters.assignment[row] != 0)
    ++row;
  const float s = r.clusters.similarity[row];
  koe::model m = r.fitted;
  koe::assign_options o = assign_options(2, koe::new_theme_mode::automatic);
  o.new_theme.floor = -1;
  const std::size_t record = r.row_document[row];
  for (const bool below : {false, true}) {
    m.clusters[0].similarity_percentiles.assign(101, -1.0);
    m.clusters[0].similarity_percentiles[5] =
        below ? std::nextafter(static_cast<double>(s), 2.0) : static_cast<double>(s);
    koe::assigner a(m, o);
    EXPECT_EQ(a.thresholds()[0], m.clusters[0].similarity_percentiles[5]);
    const koe::assign_result back = a.run(sample);
    EXPECT_EQ(back.status(record),
              below ? koe::assignment_status::new_theme : koe::assignment_status::clustered);
    EXPECT_EQ(back.reason(record), below ? "below_threshold" : "");
    EXPECT_EQ(back.batch.clusters.similarity[row], s);
  }
  // The floor wins over a lower percentile.
  m.clusters[0].similarity_percentiles[5] = 0.1;
  o.new_theme.floor = 0.3;
  EXPECT_EQ(koe::new_theme_thresholds(m, o.new_theme)[0], 0.3);
}

TEST(Assign, AHeldOutTopicLandsMostlyInNewThemesAndKnownTopicsSeldom) {
  koe::io_options io;
  const koe::corpus all = koe::read_corpus(sample, io);
  const std::set<std::string> held = {"cancellation"};
  const koe::analysis_result fit = koe::pipeline(fit_options(2, 0)).run(by_topic(all, held, false));
  koe::assigner a(fit.fitted, assign_options(2, koe::new_theme_mode::automatic));
  const koe::assign_result got = a.run(by_topic(all, held, true));
  const std::size_t held_rows = got.batch.row_document.size();
  const std::size_t landed = got.new_themes.rows.size();
  std::cout << "held-out topic: " << landed << " of " << held_rows << " voices are new themes; "
            << got.new_themes.descriptions.size() << " groups\n";
  EXPECT_GT(2 * landed, held_rows);
  ASSERT_FALSE(got.new_themes.descriptions.empty());
  // The groups describe the held-out voices, and every representative is one of them.
  for (const koe::cluster_description& d : got.new_themes.descriptions)
    for (const std::size_t rep : d.representatives)
      EXPECT_NE(got.new_theme[rep], koe::new_theme_reason::none);
}

TEST(Assign, TheSameResultForAnyThreadCount) {
  const koe::analysis_result r = koe::pipeline(fit_options(1, 6)).run(sample);
  std::string first_csv, first_json;
  for (const int threads : {1, 2, 4}) {
    koe::assign_options o = assign_options(threads, koe::new_theme_mode::fixed);
    o.new_theme.similarity = 0.3;  // enough new themes to group
    koe::assigner a(r.fitted, o);
    const koe::assign_result got = a.run(sample);
    std::ostringstream json;
    koe::write_assign_report(json, got, koe::report_format::clusters_json);
    if (threads == 1) {
      first_csv = csv_of(got);
      first_json = json.str();
      EXPECT_GT(got.new_themes.descriptions.size(), 1u);
      continue;
    }
    EXPECT_EQ(csv_of(got), first_csv) << threads;
    EXPECT_EQ(json.str(), first_json) << threads;
  }
}

TEST(Assign, EveryRecordIsAccountedForWithBadInput) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  const koe::test::temp_dir dir("koe_assign");
  const auto bad = dir.write("bad.csv",
                             "id,text\n1,配達が遅い\n2,\"壊れた\"行\n3,   \n4,アプリが重い,余分\n"
                             "5,ログインできない\n6,量子もつれの話\n");
  koe::assign_options o = assign_options(2, koe::new_theme_mode::automatic);
  o.reading.io.errors = koe::on_error::skip;
  koe::assigner a(r.fitted, o);
  const koe::assign_result got = a.run(bad);
  std::size_t total = 0;
  for (const auto s : {koe::assignment_status::clustered, koe::assignment_status::noise,
                       koe::assignment_status::new_theme, koe::assignment_status::empty,
                       koe::assignment_status::rejected})
    total += got.count(s);
  EXPECT_EQ(total, got.batch.input.read());
  EXPECT_EQ(got.batch.input.read(), 6u);
  EXPECT_EQ(got.count(koe::assignment_status::rejected), 2u);
  EXPECT_EQ(got.count(koe::assignment_status::empty), 1u);
  EXPECT_EQ(lines_of(csv_of(got)).size(), 7u);
  // As `koe cluster`: the first bad record stops a run that does not skip, and a file without
  // a voice is an error.
  koe::assigner strict(r.fitted, assign_options(2, koe::new_theme_mode::automatic));
  try {
    (void)strict.run(bad);
    ADD_FAILURE() << "a malformed record was accepted";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::malformed_record);
    EXPECT_NE(std::string(e.what()).find(bad.string() + ":3:"), std::string::npos) << e.what();
  }
  const auto header_only = dir.write("header.csv", "id,text\n");
  try {
    (void)strict.run(header_only);
    ADD_FAILURE() << "a file of no voices was assigned";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::empty_corpus);
    EXPECT_NE(std::string(e.what()).find("no voice with text to assign (read 0)"),
              std::string::npos);
  }
}

TEST(Assign, TheModelIsTheSameAfterAssigning) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  const koe::model before = r.fitted;
  koe::assigner a(r.fitted, assign_options(2, koe::new_theme_mode::automatic));
  (void)a.run(sample);
  (void)a.assign_texts({"配達が遅い", "量子もつれ"});
  EXPECT_TRUE(before == r.fitted);
}

TEST(Assign, ADifferentDictionaryIsRefusedUnlessAllowed) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  ASSERT_FALSE(r.fitted.dictionary_id.fingerprint.empty());
  koe::model m = r.fitted;
  m.dictionary_id.fingerprint = "0123456789abcdef0123";
  try {
    koe::assigner a(m);
    ADD_FAILURE() << "another dictionary was accepted";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::dictionary_mismatch);
    const std::string what = e.what();
    EXPECT_NE(what.find("0123456789abcdef"), std::string::npos) << what;
    EXPECT_NE(what.find(r.fitted.dictionary_id.fingerprint.substr(0, 16)), std::string::npos)
        << what;
    EXPECT_NE(what.find("--allow-dictionary-change"), std::string::npos) << what;
  }
  koe::assign_options o;
  o.allow_dictionary_change = true;
  koe::assigner allowed(m, o);
  EXPECT_EQ(allowed.assign_texts({"配達が遅い"}).size(), 1u);
  // The same dictionary found elsewhere is the same dictionary.
  m = r.fitted;
  m.dictionary = "/somewhere/else";
  m.dictionary_id.name = "/somewhere/else/sys.dic";
  EXPECT_NO_THROW(koe::assigner{m});
}

TEST(Assign, TextsGetAStatusEachAndUnknownTermsAreNewThemes) {
  const koe::analysis_result r = koe::pipeline(fit_options(2)).run(sample);
  koe::assigner a(r.fitted);
  const std::vector<koe::assigned_voice> v =
      a.assign_texts({"配達が遅い", "", "量子コンピュータの超伝導", "配達が遅い"});
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].status, koe::assignment_status::clustered);
  EXPECT_GE(v[0].cluster, 0);
  EXPECT_EQ(v[1].status, koe::assignment_status::empty);
  EXPECT_EQ(v[2].status, koe::assignment_status::new_theme);
  EXPECT_EQ(v[2].reason, "no_known_terms");
  EXPECT_EQ(v[2].cluster, -1);
  EXPECT_EQ(v[3].cluster, v[0].cluster);
  EXPECT_EQ(v[3].similarity, v[0].similarity);
}

TEST(Assign, AnLsaModelGivesTheTrainingVoicesBackTheirClustersAndSimilarities) {
  // The fit clusters its voices projected with the LSA basis, as assign projects new ones, so
  // the training voices come back byte for byte.
  koe::pipeline_options o = fit_options(2, 6);
  o.lsa_dimensions = 40;
  const koe::analysis_result r = koe::pipeline(o).run(sample);
  koe::assigner a(r.fitted, assign_options(2, koe::new_theme_mode::off));
  const koe::assign_result back = a.run(sample);
  EXPECT_EQ(csv_of(back), csv_of(r));
}

TEST(Assign, AssignToFilesWritesTheOutputsAndCarriesTheModelsDecisions) {
  koe::job_options fo;
  fo.pipeline = fit_options(2);
  koe::job fit_job(fo);
  const koe::analysis_result& fit = fit_job.run(koe::read_corpus(sample, {}));
  // Adopt the fit's largest cluster by its key.
  const std::string key = koe::cluster_key(fit.descriptions[0]);
  koe::model m = fit.fitted;
  m.decisions = {koe::decision{key, koe::decision_status::adopted, "改善する", "2026-10-01", 2}};
  const koe::test::temp_dir dir("koe_assign");
  koe::job_options o;
  o.pipeline.threads = 2;
  const koe::assign_run run = koe::assign_to_files(m, sample, dir.path(), o);
  for (const char* name : {"clusters.json", "assignments.csv", "candidates.json", "trace.csv",
                           "report.html", "manifest.json"})
    EXPECT_TRUE(std::filesystem::exists(dir.path() / name)) << name;
  EXPECT_NO_THROW((void)koe::check_output_set(dir.path()));
  std::ifstream html(dir.path() / "report.html");
  const std::string page((std::istreambuf_iterator<char>(html)), {});
  EXPECT_NE(page.find("新しいテーマの兆し"), std::string::npos);
  EXPECT_NE(page.find("判断済みのまとまりに入った声"), std::string::npos);
  // Every voice assigned to the adopted cluster is traced to the adoption.
  std::size_t adopted = 0;
  for (std::size_t i = 0; i < run.adoption.trace.size(); ++i) {
    const koe::trace_row& t = run.adoption.trace[i];
    if (t.status == koe::record_status::kept && t.clustered && t.cluster == 0) {
      EXPECT_EQ(t.decision, koe::decision_status::adopted);
      ++adopted;
    }
  }
  EXPECT_GT(adopted, 0u);
  EXPECT_TRUE(run.adoption.unmatched_decisions.empty());
}

TEST(Assign, StatusNamesReadBack) {
  for (const auto s : {koe::assignment_status::clustered, koe::assignment_status::noise,
                       koe::assignment_status::empty, koe::assignment_status::rejected,
                       koe::assignment_status::new_theme})
    EXPECT_EQ(koe::parse_assignment_status(koe::to_string(s)), s);
  EXPECT_THROW((void)koe::parse_assignment_status("kept"), koe::error);
  EXPECT_STREQ(koe::to_string(koe::new_theme_reason::below_threshold), "below_threshold");
  EXPECT_STREQ(koe::to_string(koe::new_theme_reason::no_known_terms), "no_known_terms");
}

// The koe executable: koe cluster writes model.koe, koe assign reads it.
#ifdef KOE_CLI_PATH

struct cli_result {
  int status = -1;
  std::string err;
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

cli_result run_koe(const koe::test::temp_dir& dir, const std::vector<std::string>& args) {
  std::string command = "exec " + shell_quote(KOE_CLI_PATH);
  for (const auto& a : args)
    command += " " + shell_quote(a);
  const std::filesystem::path err = dir.path() / "cli.stderr";
  command += " >/dev/null 2>" + shell_quote(err.string()) + " </dev/null";
  const int raw = std::system(command.c_str());
  cli_result r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  std::ifstream f(err);
  r.err.assign(std::istreambuf_iterator<char>(f), {});
  return r;
}

TEST(Assign, CliAssignsToTheModelAKoeClusterRunSaved) {
  const koe::test::temp_dir dir("koe_assign_cli");
  const std::string fit = (dir.path() / "fit").string(), out = (dir.path() / "out").string();
  ASSERT_EQ(run_koe(dir, {"cluster", sample, "-k", "8", "--seed", "11", "-q", "-o", fit}).status,
            0);
  const std::string model = fit + "/model.koe";
  const cli_result r = run_koe(dir, {"assign", sample, "--model", model, "-q", "-o", out,
                                     "--new-theme", "off", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream a(fit + "/assignments.csv"), b(out + "/assignments.csv");
  const std::string fit_csv((std::istreambuf_iterator<char>(a)), {});
  const std::string got_csv((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(got_csv, fit_csv);
  for (const char* name : {"clusters.json", "candidates.json", "trace.csv", "report.html"})
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "out" / name)) << name;
}

TEST(Assign, CliErrorsNameTheModelAndExitWithOne) {
  const koe::test::temp_dir dir("koe_assign_cli");
  const std::string out = (dir.path() / "out").string();
  const auto damaged = dir.write("damaged.koe", "not a model at all");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"assign", sample, "-o", out}, "--model"},
      {{"assign", sample, "--model", dir.path().string(), "-o", out}, dir.path().string()},
      {{"assign", sample, "--model", (dir.path() / "none.koe").string(), "-o", out}, "none.koe"},
      {{"assign", sample, "--model", damaged.string(), "-o", out}, "damaged.koe"},
  };
  for (const auto& [args, named] : cases) {
    const cli_result r = run_koe(dir, args);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  }
  EXPECT_EQ(run_koe(dir, {"assign", sample, "--model", damaged.string(), "-o", out, "--new-theme",
                          "sometimes"})
                .status,
            2);
  EXPECT_EQ(
      run_koe(dir, {"assign", sample, "--model", damaged.string(), "-o", out, "-k", "3"}).status,
      2);
}

#endif

}  // namespace
