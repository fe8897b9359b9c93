// The koe command: argument parsing and printing only; all work happens in the library.
#include <koe/assess.hpp>
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/model_file.hpp>
#include <koe/model_trends.hpp>
#include <koe/options.hpp>
#include <koe/output_set.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>
#include <koe/tokenize.hpp>

#include "docs.hpp"

#ifdef KOE_MPI
#include "../mpi/session.hpp"
#endif

#include <tbb/global_control.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// An option of the command line as typed, bound to the descriptor it sets.
struct typed_option {
  const koe::option_descriptor* descriptor = nullptr;
  CLI::Option* parsed = nullptr;
  std::string text;
  std::vector<std::string> list;
  bool flag = false;
};

// Everything the command line says, besides the options of the job.
struct cli_args {
  std::string input, output, rejects;
  std::vector<std::string> inputs;  // koe cluster and assign: one file or several, read as one
  std::string prev;                 // koe cluster --prev: the previous model to refit against
  std::vector<std::string> models;  // koe trend: the chain of models, oldest first
  bool quiet = false, stats = false, show_normalized = false;
  // Whether parsing checks that the input files exist. koe-mpi's other ranks leave it to the
  // read, whose failure reaches rank 0 (a file missing on one machine is then reported there).
  bool check_paths = true;
  std::deque<typed_option> options;  // a deque: CLI11 keeps pointers into it
};

// The subcommands that take options of the job.
enum class command { tokenize, dictionary, cluster, assign, trend };

// Whether `c` takes the option `d`. `koe assign` reads, scores and assigns; it normalizes and
// tokenizes as the model says, so of the text options it takes only the dictionary's place and
// the thread count.
bool in_scope(const koe::option_descriptor& d, command c) {
  // `koe trend` reads models, not voices: it takes only the settings of its alerts (koe.toml).
  if (c == command::trend) return d.cli == "--config";
  switch (d.scope) {
    case koe::option_scope::read:
      return true;
    case koe::option_scope::text:
      return c != command::assign || d.cli == "--dicdir" || d.cli == "--threads";
    case koe::option_scope::model:
      return c == command::cluster;
    case koe::option_scope::scoring:
      return c == command::cluster || c == command::assign;
    case koe::option_scope::assign:
      return c == command::assign;
    case koe::option_scope::recorded:
      break;
  }
  return false;
}

// One command-line option per descriptor, with the descriptor's help and default.
void add_job_options(CLI::App& app, cli_args& a, command c) {
  const koe::job_options defaults;
  for (const auto& d : koe::option_descriptors()) {
    if (d.cli.empty() || !in_scope(d, c)) continue;
    typed_option& t = a.options.emplace_back();
    t.descriptor = &d;
    const std::string name(d.cli), help(d.help);
    if (d.kind == koe::option_kind::flag) {
      t.parsed = app.add_flag(name, t.flag, help);
      continue;
    }
    t.parsed = d.kind == koe::option_kind::text_list ? app.add_option(name, t.list, help)
                                                     : app.add_option(name, t.text, help);
    if (d.kind == koe::option_kind::number) t.parsed->type_name("NUMBER");
    if (d.kind == koe::option_kind::choice) {
      std::string names;
      for (const auto c : d.choices)
        names += (names.empty() ? "{" : ",") + std::string(c);
      t.parsed->type_name(names + "}");
    }
    const std::string shown = koe::option_text(
        koe::get_option(defaults, d, koe::option_surface::cli), koe::option_surface::cli);
    if (!shown.empty() && d.kind != koe::option_kind::text_list) t.parsed->default_str(shown);
  }
}

void add_common(CLI::App& app, cli_args& a, command c) {
  if (c == command::tokenize) {
    app.add_option("INPUT", a.input, "Voice file (CSV, TSV, JSON Lines or plain text)")
        ->required()
        ->check(CLI::ExistingPath);
  } else {
    CLI::Option* inputs =
        app.add_option("INPUT", a.inputs,
                       "Voice files (CSV, TSV, JSON Lines or plain text); several are read as one, "
                       "in the order given, and must share format and header")
            ->required();
    if (a.check_paths) inputs->check(CLI::ExistingPath);
  }
  app.add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  add_job_options(app, a, c);
}

// The job's options from the ones given; the library checks each.
koe::job_options to_options(const cli_args& a) {
  koe::job_options o;
  for (const typed_option& t : a.options) {
    if (t.parsed->count() == 0) continue;
    const koe::option_descriptor& d = *t.descriptor;
    koe::option_value v;
    if (d.kind == koe::option_kind::flag)
      v = d.cli_negated ? !t.flag : t.flag;
    else if (d.kind == koe::option_kind::text_list)
      v = t.list;
    else
      v = t.text;
    koe::set_option(o, d, v, koe::option_surface::cli);
  }
  return o;
}

std::vector<std::filesystem::path> input_files(const cli_args& a) {
  return {a.inputs.begin(), a.inputs.end()};
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
      std::cerr << "koe: rejected " << koe::terminal_text(c.source) << " record " << d.record
                << ": " << koe::terminal_text(d.reason) << '\n';
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

// On a terminal, a progress bar on stderr that redraws itself at each step.
koe::progress_callback make_progress(bool quiet) {
  const bool draw = !quiet && isatty(STDERR_FILENO) != 0;
  return [draw](const std::string& stage, double done) {
    if (!draw) return;
    const int width = 20;
    const int filled = static_cast<int>(done * width);
    std::fprintf(stderr, "\r\033[K[%-*s] %s", width,
                 std::string(static_cast<std::size_t>(filled), '#').c_str(), stage.c_str());
    if (stage == "done") std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

int run_tokenize(const cli_args& a, const koe::job_options& o) {
  koe::pipeline p(o.pipeline);
  const koe::corpus c = koe::read_corpus(a.input, p.options().io);
  std::vector<std::string> texts;
  for (const auto& d : c.documents)
    if (d.status == koe::record_status::kept) texts.emplace_back(d.text);
  const auto terms = p.tokenize(texts);
  std::size_t row = 0;
  for (const auto& d : c.documents) {
    std::cout << koe::terminal_text(d.id) << '\t';
    if (d.status == koe::record_status::kept) {
      const auto& t = terms[row++];
      if (a.show_normalized)
        std::cout << koe::terminal_text(koe::normalize(d.text, p.options().normalize)) << '\t';
      for (std::size_t i = 0; i < t.size(); ++i)
        std::cout << (i ? " " : "") << koe::terminal_text(t[i]);
    } else {
      std::cout << (d.status == koe::record_status::empty
                        ? "(empty)"
                        : "(rejected: " + koe::terminal_text(d.reason) + ")");
    }
    std::cout << '\n';
  }
  print_rejects(c);
  if (!a.rejects.empty()) {
    std::ostringstream out;
    koe::write_rejects_csv(out, c);
    koe::write_file_atomically(a.rejects, out.str());
  }
  if (!a.quiet) std::cerr << "koe: " << summary_line(c) << '\n';
  return 0;
}

int run_dictionary(const koe::job_options& o) {
  const koe::tokenizer tok(o.pipeline.tokenize);
  const koe::dictionary_identity& id = tok.identity();
  std::cout << "directory\t" << koe::terminal_text(tok.dictionary()) << '\n'
            << "sys.dic\t" << koe::terminal_text(id.name) << '\n'
            << "charset\t" << koe::terminal_text(id.charset) << '\n'
            << "layout\t" << id.layout << '\n'
            << "fingerprint\t" << id.fingerprint << '\n';
  for (const auto& u : id.user_dictionaries)
    std::cout << "user dictionary\t" << koe::terminal_text(u) << '\n';
  std::cout << "stop words\t" << tok.stopwords().size() << '\n';
  return 0;
}

void print_stats(const koe::analysis_result& r, const koe::job& j) {
  for (const auto& t : r.timings)
    std::cerr << "koe: " << t.stage << ' ' << t.seconds << " s (peak memory "
              << (t.peak_rss_bytes >> 20) << " MiB)\n";
  std::cerr << "koe: score " << j.score_seconds() << " s\n";
  std::cerr << "koe: write " << j.write_seconds() << " s\n";
  std::cerr << "koe: peak memory " << (koe::peak_rss_bytes() >> 20) << " MiB (by the end of "
            << "describe: " << (r.peak_rss_bytes >> 20) << " MiB)\n";
}

// The files a run wrote, as its manifest lists them (checked against it on the way).
void print_written(const std::string& dir) {
  std::string names;
  for (const koe::output_file& f : koe::check_output_set(dir).files)
    names += f.name + ", ";
  std::cerr << "koe: wrote " << dir << "/{" << names << "manifest.json}\n";
}
int run_cluster(const cli_args& a, koe::job& j, const koe::model* previous) {
  j.on_memory_freed(release_free_memory);
  j.on_progress(make_progress(a.quiet));
  const koe::analysis_result& r = j.run_to_files(input_files(a), a.output, a.stats, previous);
  print_rejects(r.input);
  j.write(std::cout, koe::report_format::table, false);
  std::cout << '\n';
  j.write(std::cout, koe::report_format::candidates_table, a.stats);
  for (const auto& d : j.adoption().unmatched_decisions)
    std::cerr << "koe: decision on line " << d.line << " (" << koe::terminal_text(d.key)
              << ") matches no cluster of this run\n";
  if (a.stats) print_stats(r, j);
  if (!a.quiet) print_written(a.output);
  return 0;
}

int run_cluster(const cli_args& a, const koe::job_options& o) {
  koe::job j(o);
  std::optional<koe::model> previous;
  if (!a.prev.empty()) previous = koe::load_model(a.prev);
  return run_cluster(a, j, previous ? &*previous : nullptr);
}

// koe verify: what the folder's manifest lists, once every file is checked against it.
int run_verify(const std::string& dir) {
  try {
    const koe::output_manifest m = koe::check_output_set(dir);
    std::cout << koe::terminal_text(dir) << ": one complete output set, run "
              << koe::terminal_text(m.run_id) << " (koe " << koe::terminal_text(m.koe_version)
              << ")\n";
    for (const auto& f : m.files)
      std::cout << "  " << koe::terminal_text(f.name) << '\t' << f.size << " bytes\txxh64 "
                << std::hex << std::setw(16) << std::setfill('0') << f.xxh64 << std::dec
                << std::setfill(' ') << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "koe: " << koe::terminal_text(e.what()) << '\n';
    return 1;
  }
}

int run_assign(const cli_args& a, const koe::job_options& o, const koe::model& m) {
  const koe::assign_run run = koe::assign_to_files(m, input_files(a), a.output, o, a.stats);
  const koe::assign_result& r = run.assigned;
  print_rejects(r.batch.input);
  koe::report_options ro;
  ro.adoption = &run.adoption;
  ro.report_top = o.report_top;
  koe::write_assign_report(std::cout, r, koe::report_format::table, ro);
  std::cout << '\n';
  koe::write_assign_report(std::cout, r, koe::report_format::candidates_table, ro);
  for (const auto& d : run.adoption.unmatched_decisions)
    std::cerr << "koe: decision on line " << d.line << " (" << koe::terminal_text(d.key)
              << ") matches no cluster of the model\n";
  if (a.stats)
    for (const auto& t : r.batch.timings)
      std::cerr << "koe: " << t.stage << ' ' << t.seconds << " s (peak memory "
                << (t.peak_rss_bytes >> 20) << " MiB)\n";
  if (!a.quiet) print_written(a.output);
  return 0;
}

int run_assign(const cli_args& a, const koe::job_options& o) {
  return run_assign(a, o, koe::load_model_to_assign(o.model));
}

#ifdef KOE_MPI
// koe-mpi cluster and assign: every rank gets ready as koe would (`ready`, which throws what koe
// would say), then reads its share of the input's blocks (`read`); rank 0 gathers them and runs
// the rest as koe does (`run`), so the outputs are the same bytes (docs/mpi.md).
template <class Ready, class Read, class Run>
int run_ranks(koe_mpi::session& mpi, bool stats, const Ready& ready, const Read& read,
              const Run& run) {
  std::string failure;
  try {
    ready();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!mpi.all_ready(failure.empty(), failure)) {
    if (mpi.gathers() && !failure.empty()) std::cerr << "koe: " << failure << '\n';
    return 1;
  }
  if (!mpi.gathers()) {
    // What goes wrong here reaches rank 0: a bad block is handed over as such, and a rank that
    // stops early says why in its last word.
    std::string why;
    try {
      read();
    } catch (const std::exception& e) {
      why = e.what();
    }
    mpi.finish_reading(why);
    if (stats) mpi.print_stats();
    return 0;
  }
  try {
    const int status = run();
    mpi.finish_reading({});
    if (stats) mpi.print_stats();
    return status;
  } catch (...) {
    mpi.finish_reading({});
    throw;
  }
}

// Rank 0 runs the stages after reading with its machine's idle cores, unless mpirun bound it to
// fewer (its default for two ranks or fewer): then those stages run slower, so it says so.
void warn_if_bound(const koe_mpi::session& mpi, const cli_args& a, const koe::job_options& o) {
  const int wanted = std::min<int>(o.pipeline.threads * mpi.local_ranks(),
                                   static_cast<int>(std::thread::hardware_concurrency()));
  const int bound = koe_mpi::session::bound_cores();
  if (!mpi.gathers() || a.quiet || bound == 0 || bound >= wanted) return;
  std::cerr << "koe-mpi: rank 0 may run on " << bound << " core" << (bound == 1 ? "" : "s")
            << " only, where its machine has " << wanted
            << " for the stages after reading; run mpirun with --bind-to none (docs/mpi.md)\n";
}

// The options of one rank: without --threads, its share of the cores it may run on (so that the
// ranks of one machine do not each start a thread per core), and the exchange of its blocks.
koe::job_options rank_options(koe_mpi::session& mpi, const cli_args& a, koe::job_options o) {
  if (o.pipeline.threads <= 0) {
    const int bound = koe_mpi::session::bound_cores();
    const int cores = std::min(bound > 0 ? bound : INT_MAX,
                               static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
    o.pipeline.threads = std::max(1, cores / mpi.local_ranks());
  }
  o.pipeline.exchange = mpi.exchange(o.pipeline.threads);
  warn_if_bound(mpi, a, o);
  return o;
}

int run_cluster_ranks(koe_mpi::session& mpi, const cli_args& a, const koe::job_options& given) {
  const koe::job_options o = rank_options(mpi, a, given);
  std::optional<koe::job> j;
  std::optional<koe::model> previous;
  return run_ranks(
      mpi, a.stats,
      [&] {
        j.emplace(o);
        if (!a.prev.empty()) previous = koe::load_model(a.prev);
      },
      [&] { (void)j->get_pipeline().read_terms(input_files(a)); },
      [&] { return run_cluster(a, *j, previous ? &*previous : nullptr); });
}

int run_assign_ranks(koe_mpi::session& mpi, const cli_args& a, const koe::job_options& given) {
  const koe::job_options o = rank_options(mpi, a, given);
  std::optional<koe::model> m;
  std::optional<koe::assigner> reader;
  return run_ranks(
      mpi, a.stats,
      [&] {
        m = koe::load_model_to_assign(o.model);
        reader.emplace(*m, koe::assign_options_of(o));
      },
      [&] { (void)reader->read_terms(input_files(a)); }, [&] { return run_assign(a, o, *m); });
}
#endif

// koe trend: the series of a chain of models, written as an output set.
int run_trend(const cli_args& a, const koe::job_options& o) {
  const koe::trend_options alerts = o.config.empty() ? koe::default_score_options().trends
                                                     : koe::load_score_config(o.config).trends;
  const std::vector<std::filesystem::path> files(a.models.begin(), a.models.end());
  const koe::chain_trends t = koe::model_trends_of_files(files, alerts);
  koe::write_chain_trend_outputs(a.output, t);
  const koe::trend_result& r = t.trends;
  for (const auto& alert : r.alerts)
    std::cout << "alert " << koe::series_name(alert.cluster) << ": "
              << koe::terminal_text(alert.reason) << '\n';
  if (!a.quiet)
    std::cerr << "koe: " << r.labels.size() << " fits (" << koe::terminal_text(r.labels.front())
              << " .. " << koe::terminal_text(r.labels.back()) << "), " << t.clusters.size() - 1
              << " cluster ids, " << r.alerts.size() << " alerts; wrote " << a.output
              << "/{trends.csv, alerts.json, trend.html, manifest.json}\n";
  return 0;
}

struct commands {
  CLI::App* tokenize = nullptr;
  CLI::App* cluster = nullptr;
  CLI::App* dictionary = nullptr;
  CLI::App* verify = nullptr;
  std::string verify_dir;
  CLI::App* assign = nullptr;
  CLI::App* trend = nullptr;
};

void add_trend_command(CLI::App& app, commands& c, cli_args& tr) {
  c.trend = app.add_subcommand(
      "trend",
      "Series of each cluster's share across a chain of models (each a koe cluster --prev refit\n"
      "of the one before), by stable id, with alerts on a significant rise in the latest fit;\n"
      "writes OUTDIR/trends.csv, alerts.json, trend.html and manifest.json (docs/trends.md).\n"
      "Example: koe trend jan/model.koe feb/model.koe mar/model.koe -o trend/");
  c.trend->add_option("MODEL", tr.models, "Model files (OUTDIR/model.koe), oldest first")
      ->required()
      ->check(CLI::ExistingFile);
  c.trend->add_option("-o,--output", tr.output, "Output directory")->required();
  c.trend->add_flag("-q,--quiet", tr.quiet, "No summary on stderr");
  add_job_options(*c.trend, tr, command::trend);
}

void add_commands(CLI::App& app, commands& c, cli_args& tok, cli_args& cl, cli_args& dic,
                  cli_args& as) {
  c.tokenize = app.add_subcommand(
      "tokenize",
      "Print each voice's terms (id, TAB, terms) to check the dictionary and filters.\n"
      "Example: koe tokenize voices.csv --text-column comment");
  add_common(*c.tokenize, tok, command::tokenize);
  c.tokenize->add_flag("--normalized", tok.show_normalized, "Also print the normalized text");
  c.tokenize->add_option("--rejects", tok.rejects,
                         "With --on-error skip, write rejected records (record,line,id,reason) "
                         "here");
  c.cluster = app.add_subcommand(
      "cluster",
      "Group voices into labelled clusters and rank them as adoption candidates; writes\n"
      "OUTDIR/clusters.json, assignments.csv, candidates.json, trace.csv and report.html.\n"
      "Example: koe cluster voices.csv -k auto --seed 7 -o out/ --decisions decisions.csv");
  add_common(*c.cluster, cl, command::cluster);
  c.cluster->add_option("-o,--output", cl.output, "Output directory")->required();
  c.cluster->add_option("--prev", cl.prev,
                        "Refit against this model (OUTDIR/model.koe of an earlier koe cluster): "
                        "clusters keep their ids, the vocabulary grows (docs/continuity.md)");
  c.cluster->add_flag("--stats", cl.stats,
                      "Print per-stage time and peak memory, and add them to clusters.json");
  c.dictionary = app.add_subcommand(
      "dictionary",
      "Print the MeCab dictionary koe reads (directory, sys.dic, charset, feature layout,\n"
      "XXH64 fingerprint, user dictionaries) and the number of stop words in effect.\n"
      "Example: koe dictionary --dicdir /var/lib/mecab/dic/unidic");
  add_job_options(*c.dictionary, dic, command::dictionary);
  c.verify = app.add_subcommand(
      "verify",
      "Check that OUTDIR holds the complete output set of one run: manifest.json is there and\n"
      "every file it lists has the size and checksum listed. Exit status 0 when it does, 1 when\n"
      "the run did not finish or the files come from different runs.\n"
      "Example: koe verify out/");
  c.verify->add_option("OUTDIR", c.verify_dir, "Output directory of koe cluster")->required();
  c.assign = app.add_subcommand(
      "assign",
      "Put new voices into the clusters of a saved model (OUTDIR/model.koe of koe cluster);\n"
      "voices far from every cluster are new themes, grouped among themselves. Writes the\n"
      "files of koe cluster for this batch (see docs/assign.md).\n"
      "Example: koe assign november.csv --model october/model.koe -o november/");
  add_common(*c.assign, as, command::assign);
  c.assign->add_option("-o,--output", as.output, "Output directory")->required();
  c.assign->add_flag("--stats", as.stats,
                     "Print per-stage time and peak memory, and add them to clusters.json");
}

}  // namespace

int main(int argc, char** argv) {
#ifdef KOE_MPI
  koe_mpi::session mpi(argc, argv);
  // Only rank 0 speaks: usage errors and help are printed once.
  std::ostringstream unheard;
  std::ostream& out = mpi.gathers() ? std::cout : unheard;
  std::ostream& err = mpi.gathers() ? std::cerr : unheard;
#else
  std::ostream& out = std::cout;
  std::ostream& err = std::cerr;
#endif
  CLI::App app{
      "koe (声): Japanese customer voices to labelled clusters.\n"
      "Examples:\n"
      "  koe tokenize data/sample/voices.csv | head\n"
      "  koe cluster data/sample/voices.csv -k auto -o out/\n"
      "  koe dictionary\n"
      "  koe verify out/\n"
      "  koe assign next.csv --model out/model.koe -o next/\n"
      "  koe trend jan/model.koe feb/model.koe -o trend/"};
  app.set_version_flag("--version", std::string("koe ") + KOE_VERSION);
  app.require_subcommand(1);
  cli_args tok_args, cl_args, dic_args, as_args, tr_args;
  commands cmd;
#ifdef KOE_MPI
  cl_args.check_paths = as_args.check_paths = mpi.gathers();
#endif
  add_commands(app, cmd, tok_args, cl_args, dic_args, as_args);
  add_trend_command(app, cmd, tr_args);
  // Hidden commands that print the manual page and the bash completion (the build installs both).
  CLI::App* man = app.add_subcommand("man", "Print the manual page (roff)")->group("");
  CLI::App* completion = app.add_subcommand("completion", "Print a completion script")->group("");
  std::string shell;
  completion->add_option("SHELL", shell, "Shell")->required()->check(CLI::IsMember({"bash"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  if (man->parsed() || completion->parsed()) {
    if (man->parsed()) koe_cli::write_man_page(std::cout, app, KOE_VERSION);
    if (completion->parsed()) koe_cli::write_bash_completion(std::cout, app);
    return 0;
  }
#ifdef KOE_MPI
  if (cmd.verify->parsed() && !mpi.gathers()) return 0;
#endif
  if (cmd.verify->parsed()) return run_verify(cmd.verify_dir);
  const cli_args& a = cmd.tokenize->parsed()     ? tok_args
                      : cmd.dictionary->parsed() ? dic_args
                      : cmd.assign->parsed()     ? as_args
                      : cmd.trend->parsed()      ? tr_args
                                                 : cl_args;
  koe::job_options o;
  try {
    o = to_options(a);
  } catch (const std::exception& e) {
    // A value the option does not take is a usage error, as CLI11's own are.
    err << "koe: " << e.what() << "\nRun with --help for more information.\n";
    return 2;
  }
  try {
    std::optional<tbb::global_control> threads;
    int most_threads = o.pipeline.threads;
#ifdef KOE_MPI
    // Rank 0 runs the stages after reading with the threads of its machine's ranks.
    if (mpi.gathers()) most_threads *= mpi.local_ranks();
#endif
    if (most_threads > 0)
      threads.emplace(tbb::global_control::max_allowed_parallelism,
                      static_cast<std::size_t>(most_threads));
#ifdef KOE_MPI
    if (cmd.cluster->parsed()) return run_cluster_ranks(mpi, a, o);
    if (cmd.assign->parsed()) return run_assign_ranks(mpi, a, o);
    // The other commands read no large input: rank 0 runs them alone.
    if (!mpi.gathers()) return 0;
#endif
    if (cmd.dictionary->parsed()) return run_dictionary(o);
    if (cmd.tokenize->parsed()) return run_tokenize(a, o);
    if (cmd.trend->parsed()) return run_trend(a, o);
    return cmd.assign->parsed() ? run_assign(a, o) : run_cluster(a, o);
  } catch (const std::exception& e) {
    std::cerr << "koe: " << e.what() << '\n';
    return 1;
  }
}
