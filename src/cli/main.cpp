// The koe command: argument parsing and printing only; all work happens in the library.
#include <koe/error.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/assess.hpp>

#include <tbb/global_control.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#ifdef KOE_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>

// jemalloc reads this at start-up: transparent huge pages for the heap and its metadata, which
// spares most of the page faults of building a corpus of millions of strings. MALLOC_CONF in the
// environment still overrides it.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
#endif

namespace {

struct common_args {
  std::string input;
  std::string format = "auto";
  std::string text_column, id_column, time_column;
  std::string encoding = "utf-8";
  std::string on_error = "fail";
  int threads = 0;
  bool quiet = false;
  std::string dicdir;
  std::vector<std::string> userdic, stopwords;
  std::string compounds = "parts_and_join";
  bool no_negation = false, no_default_stopwords = false, remove_emoji = false;
  std::size_t max_voice_bytes = 16384;
};

void add_common(CLI::App& app, common_args& a) {
  app.add_option("INPUT", a.input, "Voice file (CSV, TSV, JSON Lines or plain text)")
      ->required()
      ->check(CLI::ExistingPath);
  app.add_option("--format", a.format, "Input format; auto picks it from the extension")
      ->check(CLI::IsMember({"auto", "csv", "tsv", "jsonl", "text"}))
      ->capture_default_str();
  app.add_option("--text-column", a.text_column,
                 "Column with the voice text: a name or a 1-based index (default: 'text', else "
                 "the first column)");
  app.add_option("--id-column", a.id_column,
                 "Column with a record id (default: 'id' if present, else the record number)");
  app.add_option("--time-column", a.time_column,
                 "Column with a timestamp (default: 'created_at' or 'timestamp' if present)");
  app.add_option("--encoding", a.encoding, "Input encoding; auto detects it with ICU")
      ->check(CLI::IsMember({"utf-8", "shift_jis", "cp932", "euc-jp", "auto"}))
      ->capture_default_str();
  app.add_option("--on-error", a.on_error,
                 "fail: stop at the first bad record; skip: reject it with a reason and go on")
      ->check(CLI::IsMember({"fail", "skip"}))
      ->capture_default_str();
  app.add_option("--max-voice-bytes", a.max_voice_bytes,
                 "Longer voices are truncated (with a reason in the output); 0 = no limit")
      ->capture_default_str();
  app.add_option("--threads", a.threads, "Worker threads (0 = all cores); results never change")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--dicdir", a.dicdir, "MeCab dictionary directory (default: system ipadic-utf8)");
  app.add_option("--userdic", a.userdic, "Compiled MeCab user dictionary (repeatable)");
  app.add_option("--stopwords", a.stopwords,
                 "Extra stop-word file, one term per line (repeatable)");
  app.add_flag("--no-default-stopwords", a.no_default_stopwords,
               "Do not load the bundled stop-word list");
  app.add_option("--compounds", a.compounds, "Noun runs: off, join, or parts_and_join")
      ->check(CLI::IsMember({"off", "join", "parts_and_join"}))
      ->capture_default_str();
  app.add_flag("--no-negation", a.no_negation, "Keep negation (ない) apart from its verb");
  app.add_flag("--remove-emoji", a.remove_emoji, "Drop emoji while normalizing");
  app.add_flag("-q,--quiet", a.quiet, "No progress on stderr");
}

koe::pipeline_options to_options(const common_args& a) {
  koe::pipeline_options o;
  o.io.format = koe::parse_input_format(a.format);
  o.io.text_column = a.text_column;
  o.io.id_column = a.id_column;
  o.io.time_column = a.time_column;
  o.io.encoding = a.encoding;
  o.io.errors = a.on_error == "skip" ? koe::on_error::skip : koe::on_error::fail;
  o.io.max_voice_bytes = a.max_voice_bytes;
  o.tokenize.dicdir = a.dicdir;
  o.tokenize.user_dictionaries = a.userdic;
  o.tokenize.stopword_files = a.stopwords;
  o.tokenize.use_default_stopwords = !a.no_default_stopwords;
  o.tokenize.join_negation = !a.no_negation;
  o.tokenize.compounds = a.compounds == "off"    ? koe::compound_mode::off
                         : a.compounds == "join" ? koe::compound_mode::join
                                                 : koe::compound_mode::parts_and_join;
  o.normalize.remove_emoji = a.remove_emoji;
  o.threads = a.threads;
  return o;
}

std::string summary_line(const koe::corpus& c) {
  std::ostringstream s;
  s << "read " << c.read() << " = kept " << c.count(koe::record_status::kept) << " + empty "
    << c.count(koe::record_status::empty) << " + rejected "
    << c.count(koe::record_status::rejected);
  return s.str();
}

void print_rejects(const koe::corpus& c) {
  for (const auto& d : c.documents)
    if (d.status == koe::record_status::rejected)
      std::cerr << "koe: rejected " << c.source << " record " << d.record << ": " << d.reason
                << '\n';
}

// Gives the pages of freed memory back to the system. The allocator keeps freed pages a while
// for reuse; between stages, where one stage's temporaries are dead and the next allocates
// arrays of other sizes, holding them on only raises the peak (about 400 MiB at 10M voices).
void release_free_memory() {
#ifdef KOE_WITH_JEMALLOC
  const std::string purge = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".purge";
  (void)mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0);
#endif
}

// At each step the pipeline reports: freed memory given back, and on a terminal a progress bar
// on stderr that redraws itself.
koe::progress_callback make_progress(bool quiet) {
  const bool draw = !quiet && isatty(STDERR_FILENO) != 0;
  return [draw](const std::string& stage, double done) {
    release_free_memory();
    if (!draw) return;
    const int width = 20;
    const int filled = static_cast<int>(done * width);
    std::fprintf(stderr, "\r\033[K[%-*s] %s", width,
                 std::string(static_cast<std::size_t>(filled), '#').c_str(), stage.c_str());
    if (stage == "done") std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

int run_tokenize(const common_args& a, bool show_normalized, const std::string& rejects) {
  koe::pipeline p(to_options(a));
  const koe::corpus c = koe::read_corpus(a.input, p.options().io);
  std::vector<std::string> texts;
  for (const auto& d : c.documents)
    if (d.status == koe::record_status::kept) texts.emplace_back(d.text);
  const auto terms = p.tokenize(texts);
  std::size_t row = 0;
  for (const auto& d : c.documents) {
    std::cout << d.id << '\t';
    if (d.status == koe::record_status::kept) {
      const auto& t = terms[row++];
      if (show_normalized) std::cout << koe::normalize(d.text, p.options().normalize) << '\t';
      for (std::size_t i = 0; i < t.size(); ++i)
        std::cout << (i ? " " : "") << t[i];
    } else {
      std::cout << (d.status == koe::record_status::empty
                        ? "(empty)"
                        : "(rejected: " + std::string(d.reason) + ")");
    }
    std::cout << '\n';
  }
  print_rejects(c);
  if (!rejects.empty()) {
    std::ostringstream out;
    koe::write_rejects_csv(out, c);
    koe::write_file_atomically(rejects, out.str());
  }
  if (!a.quiet) std::cerr << "koe: " << summary_line(c) << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "koe (声): Japanese customer voices to labelled clusters.\n"
      "Examples:\n"
      "  koe tokenize data/sample/voices.csv | head\n"
      "  koe cluster data/sample/voices.csv -k auto -o out/"};
  app.set_version_flag("--version", std::string("koe ") + KOE_VERSION);
  app.require_subcommand(1);

  common_args tok_args;
  bool show_normalized = false;
  auto* tok = app.add_subcommand(
      "tokenize",
      "Print each voice's terms (id, TAB, terms) to check the dictionary and filters.\n"
      "Example: koe tokenize voices.csv --text-column comment");
  add_common(*tok, tok_args);
  tok->add_flag("--normalized", show_normalized, "Also print the normalized text");
  std::string tok_rejects;
  tok->add_option("--rejects", tok_rejects,
                  "With --on-error skip, write rejected records (record,line,id,reason) here");

  common_args cl_args;
  std::string k_text = "auto", reduce, outdir, min_df = "2", max_df = "1.0";
  std::uint64_t seed = 1234;
  int n_init = 3, max_iter = 100, merge_factor = 1, k_max = 30, k_min = 2;
  double min_similarity = 0.0;
  std::size_t max_features = 0, seed_sample = koe::cluster_options{}.seed_sample;
  bool stats = false;
  std::string config, decisions;
  std::size_t top = 5;
  auto* cl = app.add_subcommand(
      "cluster",
      "Group voices into labelled clusters and rank them as adoption candidates; writes\n"
      "OUTDIR/clusters.json, assignments.csv, candidates.json, trace.csv and report.html.\n"
      "Example: koe cluster voices.csv -k auto --seed 7 -o out/ --decisions decisions.csv");
  add_common(*cl, cl_args);
  cl->add_option("-k", k_text, "Number of clusters, or 'auto' (best cosine silhouette)")
      ->capture_default_str();
  cl->add_option("--k-min", k_min, "Smallest k tried by -k auto")->capture_default_str();
  cl->add_option("--k-max", k_max, "Largest k tried by -k auto")->capture_default_str();
  cl->add_option("--seed", seed, "Random seed; the same seed gives the same result")
      ->capture_default_str();
  cl->add_option("--n-init", n_init, "k-means restarts; the best objective wins")
      ->capture_default_str();
  cl->add_option("--max-iter", max_iter, "k-means iterations at most")->capture_default_str();
  cl->add_option("--seed-sample", seed_sample,
                 "k-means++ seeding looks at this many voices, a fixed sample (0 = all)")
      ->capture_default_str();
  cl->add_option("--merge-factor", merge_factor,
                 "Over-cluster to this many times k, then merge the closest clusters down to k")
      ->capture_default_str();
  cl->add_option("--min-similarity", min_similarity,
                 "Voices less similar than this to their cluster become noise")
      ->capture_default_str();
  cl->add_option("--min-df", min_df, "Drop terms in fewer documents (count, or fraction like 0.01)")
      ->capture_default_str();
  cl->add_option("--max-df", max_df, "Drop terms in more documents (count, or fraction like 0.5)")
      ->capture_default_str();
  cl->add_option("--max-features", max_features, "Keep only the most frequent terms (0 = all)")
      ->capture_default_str();
  cl->add_option("--reduce", reduce, "Dimension reduction before clustering, e.g. lsa:100");
  cl->add_option("-o,--output", outdir, "Output directory")->required();
  cl->add_option("--config", config,
                 "Scoring configuration (koe.toml); default: built-in weights with the bundled "
                 "severity lexicon and difficulty rules")
      ->check(CLI::ExistingFile);
  cl->add_option("--decisions", decisions,
                 "Decisions CSV (key,decision,reason,date) carried to the matching clusters")
      ->check(CLI::ExistingFile);
  cl->add_option("--top", top, "Candidates shown in detail in report.html and on stdout")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cl->add_flag("--stats", stats,
               "Print per-stage time and peak memory, and add them to clusters.json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    const common_args& a = tok->parsed() ? tok_args : cl_args;
    std::optional<tbb::global_control> threads;
    if (a.threads > 0)
      threads.emplace(tbb::global_control::max_allowed_parallelism,
                      static_cast<std::size_t>(a.threads));
    if (tok->parsed()) return run_tokenize(a, show_normalized, tok_rejects);

    koe::pipeline_options o = to_options(a);
    if (k_text == "auto") {
      o.cluster.k = 0;
    } else {
      try {
        o.cluster.k = std::stoi(k_text);
      } catch (const std::exception&) {
        o.cluster.k = -1;
      }
      if (o.cluster.k <= 0) {
        std::cerr << "koe: -k must be a positive number or 'auto', not '" << k_text << "'\n";
        return 1;
      }
    }
    o.cluster.k_min = k_min;
    o.cluster.k_max = k_max;
    o.cluster.seed = seed;
    o.cluster.n_init = n_init;
    o.cluster.max_iter = max_iter;
    o.cluster.merge_factor = merge_factor;
    o.cluster.seed_sample = seed_sample;
    o.cluster.min_similarity = min_similarity;
    o.vectorize.min_df = koe::parse_df_bound(min_df);
    o.vectorize.max_df = koe::parse_df_bound(max_df);
    o.vectorize.max_features = max_features;
    if (!reduce.empty()) {
      int dims = 0;
      if (reduce.rfind("lsa:", 0) == 0) {
        try {
          dims = std::stoi(reduce.substr(4));
        } catch (const std::exception&) {
          dims = 0;
        }
      }
      if (dims <= 0) {
        std::cerr << "koe: --reduce must look like lsa:100, not '" << reduce << "'\n";
        return 1;
      }
      o.lsa_dimensions = dims;
    }

    // Configuration and decisions are read before the long run, so a typo fails at once.
    const koe::score_options so =
        config.empty() ? koe::default_score_options() : koe::load_score_config(config);
    const std::vector<koe::decision> decided =
        decisions.empty() ? std::vector<koe::decision>{} : koe::read_decisions(decisions);

    // The normalized texts are not written anywhere: each is dropped once tokenized, and the
    // lexicon phrases scoring looks for in them are found while they are at hand.
    o.keep_normalized = false;
    o.phrases = koe::surface_phrases(so);
    // Of the metadata, only the columns scoring reads are ever used (no output repeats the
    // others), so only they are kept.
    o.io.meta_columns.emplace();
    for (const std::string* name :
         {&so.impact.rating_column, &so.impact.segment_column, &so.frequency.contributor_column})
      if (!name->empty()) o.io.meta_columns->push_back(*name);
    koe::pipeline p(o);
    p.on_progress(make_progress(a.quiet));
    koe::analysis_result r = p.run(a.input);
    // Nothing below reads the TF-IDF matrix; its memory goes back before scoring needs more.
    // (A swap: Eigen's assignment from an empty matrix would keep the old arrays' capacity.)
    koe::sparse_matrix().swap(r.tfidf.rows);
    release_free_memory();
    auto lap_start = std::chrono::steady_clock::now();
    auto lap = [&lap_start] {
      const auto now = std::chrono::steady_clock::now();
      const double s = std::chrono::duration<double>(now - lap_start).count();
      lap_start = now;
      return s;
    };
    const koe::adoption_result adoption = koe::assess(r, so, decided);
    const double score_seconds = lap();
    koe::report_options ro;
    ro.options = &o;
    ro.include_stats = stats;
    ro.adoption = &adoption;
    ro.report_top = top;
    koe::write_outputs(outdir, r, ro);
    const double write_seconds = lap();
    print_rejects(r.input);
    koe::write_report(std::cout, r, koe::report_format::table);
    std::cout << '\n';
    koe::write_report(std::cout, r, koe::report_format::candidates_table, ro);
    for (const auto& d : adoption.unmatched_decisions)
      std::cerr << "koe: decision on line " << d.line << " (" << d.key
                << ") matches no cluster of this run\n";
    if (stats) {
      for (const auto& t : r.timings)
        std::cerr << "koe: " << t.stage << ' ' << t.seconds << " s (peak memory "
                  << (t.peak_rss_bytes >> 20) << " MiB)\n";
      std::cerr << "koe: score " << score_seconds << " s\n";
      std::cerr << "koe: write " << write_seconds << " s\n";
      std::cerr << "koe: peak memory " << (koe::peak_rss_bytes() >> 20) << " MiB (by the end of "
                << "describe: " << (r.peak_rss_bytes >> 20) << " MiB)\n";
    }
    if (!a.quiet)
      std::cerr << "koe: wrote " << outdir
                << "/{clusters.json, assignments.csv, candidates.json, trace.csv, report.html}\n";
    return 0;
  } catch (const koe::error& e) {
    std::cerr << "koe: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "koe: " << e.what() << '\n';
    return 1;
  }
}
