#include <koe/changes.hpp>
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/model_file.hpp>

#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <sstream>
#include <utility>

namespace koe {
namespace {

// The pipeline options a job runs with: the normalized texts are not kept (each is dropped once
// tokenized), the read texts and term rows wait in temporary files for the stages that read them
// again, the lexicon phrases scoring looks for are found while they are at hand, and the
// lineage thresholds are koe.toml's. Of the metadata a file holds, only the columns scoring reads
// are ever used (no output repeats the others), so only they are read.
pipeline_options prepared(const job_options& o, const score_options& s) {
  pipeline_options p = o.pipeline;
  p.keep_normalized = false;
  p.spill = o.spill;
  p.phrases = surface_phrases(s);
  p.lineage = s.lineage;
  p.io.meta_columns.emplace();
  for (const std::string* name :
       {&s.impact.rating_column, &s.impact.segment_column, &s.frequency.contributor_column})
    if (!name->empty()) p.io.meta_columns->push_back(*name);
  return p;
}

// The scoring settings of a job: koe.toml's (or the defaults), with --period for the trends, and
// for the growth score too unless koe.toml names its period (docs/trends.md).
score_options scoring_of(const job_options& o) {
  score_options s = o.config.empty() ? default_score_options() : load_score_config(o.config);
  if (o.period) {
    s.trends.period = *o.period;
    if (!s.frequency_period_given) s.frequency.period = *o.period;
  }
  return s;
}

// The decisions named by the options, their stage words read with koe.toml's [stages.aliases].
std::vector<decision> decisions_of(const job_options& o, const stage_options& stages) {
  if (!o.decisions.empty()) return read_decisions(o.decisions, stages);
  if (o.decisions_csv.empty()) return {};
  std::istringstream in(o.decisions_csv);
  return read_decisions(in, "decisions", stages);
}

class stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - start_).count();
    start_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

struct job::impl {
  job_options options;
  score_options scoring;
  std::vector<decision> given;      ///< The decisions read from the options.
  std::vector<decision> decisions;  ///< The decisions in effect for the last run.
  pipeline runner;
  std::function<void()> memory_freed = [] {};
  progress_callback progress;
  std::optional<analysis_result> result;
  std::optional<adoption_result> adoption;
  std::optional<trend_result> trends;
  std::optional<lineage_report> changes;  ///< A refit's events, with the labels to show them.
  std::vector<contact> contacts;          ///< The contact log read from the options.
  std::optional<programme_result> programme;
  double score_seconds = 0;
  double write_seconds = 0;

  impl(const job_options& o, score_options s)
      : options(o),
        scoring(std::move(s)),
        given(decisions_of(o, scoring.stages)),  // after `scoring`, declared before it
        decisions(given),
        runner(prepared(o, scoring)),
        contacts(o.contacts.empty() ? std::vector<contact>{}
                                    : read_contacts(o.contacts, scoring.stages)) {
    // At each step, freed memory may go back before the progress is told.
    runner.on_progress([this](const std::string& stage, double done) {
      memory_freed();
      if (progress) progress(stage, done);
    });
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  impl(impl&&) = delete;
  impl& operator=(impl&&) = delete;
  ~impl() = default;

  /// A refit without decisions given keeps the previous model's (they follow its ids and keys).
  void carry_decisions(const model* previous) {
    const bool named = !options.decisions.empty() || !options.decisions_csv.empty();
    decisions = previous != nullptr && !named ? previous->decisions : given;
  }

  /// What changed since the previous fit, for changes.json and the report; none for a fresh fit.
  void note_changes() {
    changes.reset();
    const analysis_result& r = *result;
    if (!r.refit) return;
    lineage_report report{r.refit->previous_period, r.refit->period, r.changes, {}, {}};
    // Ids no cluster of this fit holds are the previous model's, now dormant here.
    for (const model_cluster& c : r.fitted.dormant)
      report.labels[c.id] = c.label;
    for (const model_cluster& c : r.fitted.clusters)
      report.labels[c.id] = c.label;
    changes = std::move(report);
  }

  report_options report_settings(bool stats) const {
    report_options ro;
    ro.options = &options.pipeline;
    ro.include_stats = stats;
    ro.adoption = adoption ? &*adoption : nullptr;
    ro.trends = trends ? &*trends : nullptr;
    ro.changes = changes ? &*changes : nullptr;
    ro.programme = programme ? &*programme : nullptr;
    ro.report_top = options.report_top;
    return ro;
  }
};

job::job(const job_options& options)
    : impl_(std::make_unique<impl>(options, scoring_of(options))) {}
job::~job() = default;
job::job(job&&) noexcept = default;
job& job::operator=(job&&) noexcept = default;

void job::on_progress(progress_callback callback) {
  impl_->progress = std::move(callback);
}

void job::on_memory_freed(std::function<void()> callback) {
  impl_->memory_freed = callback ? std::move(callback) : [] {};
}

const analysis_result& job::run_to_files(const std::filesystem::path& input,
                                         const std::filesystem::path& dir, bool stats,
                                         const model* previous) {
  return run_to_files(std::vector<std::filesystem::path>{input}, dir, stats, previous);
}

const analysis_result& job::run_to_files(const std::vector<std::filesystem::path>& input,
                                         const std::filesystem::path& dir, bool stats,
                                         const model* previous) {
  impl_->result.reset();
  impl_->adoption.reset();
  impl_->trends.reset();
  impl_->programme.reset();
  analysis_result& r = impl_->result.emplace(
      previous != nullptr ? impl_->runner.refit(input, *previous) : impl_->runner.run(input));
  impl_->carry_decisions(previous);
  impl_->note_changes();
  r.fitted.decisions = impl_->decisions;
  // Nothing below reads the TF-IDF matrix; its memory goes back before scoring needs more.
  // (A swap: Eigen's assignment from an empty matrix would keep the old arrays' capacity.)
  sparse_matrix().swap(r.tfidf.rows);
  impl_->memory_freed();
  stopwatch clock;
  (void)adoption();
  impl_->score_seconds = clock.lap();
  write_outputs(dir, r, impl_->report_settings(stats));
  impl_->write_seconds = clock.lap();
  return r;
}

const analysis_result& job::run(corpus input, const model* previous) {
  impl_->result.reset();
  impl_->adoption.reset();
  impl_->trends.reset();
  impl_->programme.reset();
  impl_->result = previous != nullptr ? impl_->runner.refit(std::move(input), *previous)
                                      : impl_->runner.run(std::move(input));
  impl_->carry_decisions(previous);
  impl_->note_changes();
  impl_->result->fitted.decisions = impl_->decisions;
  return *impl_->result;
}

const analysis_result& job::result() const {
  KOE_THROW_IF_NOT(impl_->result.has_value(), errc::invalid_argument,
                   "this model has not been fitted yet");
  return *impl_->result;
}

const adoption_result& job::adoption() {
  const analysis_result& r = result();
  if (!impl_->adoption) {
    impl_->adoption = assess(r, impl_->scoring, impl_->decisions);
    if (impl_->changes) {
      // A split cluster's decision, as matched in this run, is offered to its other parts.
      std::map<int, decision> decided;
      for (const candidate& c : impl_->adoption->candidates)
        if (c.decision.status != decision_status::undecided) decided[c.cluster] = c.decision;
      impl_->changes->offered = offer_split_decisions(impl_->changes->events, decided);
    }
    if (r.input.documents.has_timestamps())
      impl_->trends =
          analyze_trends(score_input_of(r), impl_->adoption->candidates, impl_->scoring.trends);
    impl_->programme = analyze_programme(score_input_of(r), impl_->adoption->candidates,
                                         impl_->contacts, impl_->scoring, impl_->options.as_of);
  }
  return *impl_->adoption;
}

const lineage_report* job::changes() const {
  return impl_->changes ? &*impl_->changes : nullptr;
}

const programme_result& job::programme() {
  (void)adoption();
  return *impl_->programme;
}

const trend_result* job::trends() {
  (void)adoption();
  return impl_->trends ? &*impl_->trends : nullptr;
}

void job::write(std::ostream& out, report_format format, bool stats) {
  const analysis_result& r = result();
  // Only the candidate formats read the scores; the others do not wait for them.
  if (format == report_format::candidates_json || format == report_format::trace_csv ||
      format == report_format::report_html || format == report_format::candidates_table ||
      format == report_format::trends_csv || format == report_format::alerts_json ||
      format == report_format::clusters_json || format == report_format::owners_csv ||
      format == report_format::kpis_csv || format == report_format::followups_csv)
    (void)adoption();
  write_report(out, r, format, impl_->report_settings(stats));
}

dense_matrix job::reduced() const {
  const analysis_result& r = result();
  const pipeline_options& o = impl_->options.pipeline;
  if (o.lsa_dimensions <= 0) return {};
  KOE_THROW_IF_NOT(r.tfidf.rows.rows() > 0 || r.row_document.empty(), errc::invalid_argument,
                   "the TF-IDF rows of this run were given back; run it with `run` to keep them");
  dense_matrix x;
  tbb::task_arena arena(o.threads > 0 ? o.threads : tbb::task_arena::automatic);
  arena.execute([&] { x = reduce_lsa(r.tfidf.rows, lsa_options_of(o)); });
  return x;
}

const job_options& job::options() const noexcept {
  return impl_->options;
}
pipeline& job::get_pipeline() noexcept {
  return impl_->runner;
}
const pipeline& job::get_pipeline() const noexcept {
  return impl_->runner;
}
double job::score_seconds() const noexcept {
  return impl_->score_seconds;
}
double job::write_seconds() const noexcept {
  return impl_->write_seconds;
}

model load_model_to_assign(const std::filesystem::path& model_file) {
  KOE_THROW_IF_NOT(!model_file.empty(), errc::invalid_argument,
                   "no model given: koe assign needs --model FILE (the model.koe of a fit)");
  std::error_code ec;
  KOE_THROW_IF_NOT(!std::filesystem::is_directory(model_file, ec), errc::io_failure,
                   model_file.string() + " is a directory, not a model file (give its model.koe)");
  return load_model(model_file);
}

assign_options assign_options_of(const job_options& options, const score_options& scoring) {
  assign_options ao;
  ao.new_theme = options.new_theme;
  ao.allow_dictionary_change = options.allow_dictionary_change;
  ao.dicdir = options.pipeline.tokenize.dicdir;
  ao.reading = prepared(options, scoring);
  return ao;
}

assign_options assign_options_of(const job_options& options) {
  return assign_options_of(options, scoring_of(options));
}

assign_run assign_to_files(const model& m, const std::filesystem::path& input,
                           const std::filesystem::path& dir, const job_options& options,
                           bool stats) {
  return assign_to_files(m, std::vector<std::filesystem::path>{input}, dir, options, stats);
}

assign_run assign_to_files(const model& m, const std::vector<std::filesystem::path>& input,
                           const std::filesystem::path& dir, const job_options& options,
                           bool stats) {
  const score_options scoring = scoring_of(options);
  // The decisions given now, else the ones the model was fitted with.
  const bool given = !options.decisions.empty() || !options.decisions_csv.empty();
  const std::vector<decision> decisions =
      given ? decisions_of(options, scoring.stages) : m.decisions;
  assigner a(m, assign_options_of(options, scoring));
  assign_run run;
  run.assigned = a.run(input);
  // No output reads the TF-IDF rows (a swap: see run_to_files).
  sparse_matrix().swap(run.assigned.batch.tfidf.rows);
  run.adoption = assess(run.assigned.batch, scoring, decisions);
  // The batch's trends, with the new-theme share beside the clusters'.
  if (run.assigned.batch.input.documents.has_timestamps())
    run.trends = analyze_trends(score_input_of(run.assigned.batch), run.adoption.candidates,
                                scoring.trends, run.assigned.new_theme);
  const std::vector<contact> contacts = options.contacts.empty()
                                            ? std::vector<contact>{}
                                            : read_contacts(options.contacts, scoring.stages);
  run.programme = analyze_programme(score_input_of(run.assigned.batch), run.adoption.candidates,
                                    contacts, scoring, options.as_of);
  report_options ro;
  ro.include_stats = stats;
  ro.adoption = &run.adoption;
  ro.trends = run.trends ? &*run.trends : nullptr;
  ro.programme = &run.programme;
  ro.report_top = options.report_top;
  write_assign_outputs(dir, run.assigned, ro);
  return run;
}

assign_run assign_to_files(const std::filesystem::path& model_file,
                           const std::filesystem::path& input, const std::filesystem::path& dir,
                           const job_options& options, bool stats) {
  return assign_to_files(load_model_to_assign(model_file), input, dir, options, stats);
}

report_format parse_report_format(const std::string& name) {
  static const std::pair<const char*, report_format> formats[] = {
      {"table", report_format::table},
      {"json", report_format::clusters_json},
      {"csv", report_format::assignments_csv},
      {"candidates", report_format::candidates_json},
      {"trace", report_format::trace_csv},
      {"html", report_format::report_html},
      {"candidates_table", report_format::candidates_table},
      {"trends", report_format::trends_csv},
      {"alerts", report_format::alerts_json},
      {"changes", report_format::changes_json},
      {"owners", report_format::owners_csv},
      {"kpis", report_format::kpis_csv},
      {"followups", report_format::followups_csv},
  };
  const auto* f = std::find_if(std::begin(formats), std::end(formats),
                               [&](const auto& p) { return name == p.first; });
  KOE_THROW_IF_NOT(f != std::end(formats), errc::invalid_argument,
                   "report format must be table, json, csv, candidates, trace, html, "
                   "candidates_table, trends, alerts, changes, owners, kpis or followups, not '" +
                       name + "'");
  return f->second;
}

}  // namespace koe
