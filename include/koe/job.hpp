/// One job from options to outputs: read, normalize, tokenize, vectorize, cluster, describe,
/// score and write, as `koe cluster` and Python's `koe.Pipeline` both run it.
#pragma once

#include <koe/assess.hpp>
#include <koe/assign.hpp>
#include <koe/changes.hpp>
#include <koe/export.hpp>
#include <koe/options.hpp>
#include <koe/pipeline.hpp>
#include <koe/programme.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace koe {

/**
 * A pipeline with its scoring settings and its last result. The scoring configuration and the
 * decisions are read when the job is made, so a typo in them fails before the long run.
 * Not thread-safe: one run at a time.
 *
 * **Example**
 * ```cpp
 * koe::job_options o;
 * o.pipeline.cluster.k = 8;
 * koe::job j(o);
 * j.run_to_files("voices.csv", "out/");
 * ```
 */
class KOE_EXPORT job {
 public:
  explicit job(const job_options& options);
  ~job();
  job(job&&) noexcept;
  job& operator=(job&&) noexcept;

  /// Called as a run advances (see `pipeline::on_progress`).
  void on_progress(progress_callback callback);
  /// Called where memory has just been freed, so that the allocator can give it back.
  void on_memory_freed(std::function<void()> callback);

  /**
   * Runs every stage on the file `input` and writes every output into `dir` (`write_outputs`),
   * holding only what the outputs need: no normalized texts, only the metadata columns scoring
   * reads, and no TF-IDF rows once clustered.
   */
  /// With `previous`, refits against that model (`pipeline::refit`; `koe cluster --prev`): its
  /// decisions stay in effect unless decisions were given.
  const analysis_result& run_to_files(const std::filesystem::path& input,
                                      const std::filesystem::path& dir, bool stats,
                                      const model* previous = nullptr);
  /// `run_to_files` over several files read as one input (`pipeline::run`).
  const analysis_result& run_to_files(const std::vector<std::filesystem::path>& inputs,
                                      const std::filesystem::path& dir, bool stats,
                                      const model* previous = nullptr);
  /// Runs every stage on `input`, keeping the TF-IDF rows; scoring waits for `adoption`. With
  /// `previous`, refits against it, as `run_to_files` does.
  const analysis_result& run(corpus input, const model* previous = nullptr);

  /// The last run's result; throws `errc::invalid_argument` before the first run.
  [[nodiscard]] const analysis_result& result() const;
  /// The last run's candidates, scored on first use.
  [[nodiscard]] const adoption_result& adoption();
  /// The last run's series, alerts and decision effects (`analyze_trends`, with the candidates
  /// of `adoption`); null when no voice has a time.
  [[nodiscard]] const trend_result* trends();
  /// The last run's lineage events with their labels (changes.json, the report's 前回からの変化);
  /// null unless it was a refit against a previous model.
  [[nodiscard]] const lineage_report* changes() const;
  /// The last run's owners, stages, KPIs and follow-ups (`analyze_programme`, with the
  /// candidates of `adoption`, the contact log of `job_options::contacts` and
  /// `job_options::as_of`).
  [[nodiscard]] const programme_result& programme();
  /// Writes the last run in `format`; the candidate formats score it first.
  void write(std::ostream& out, report_format format, bool stats);
  /// The LSA rows the last `run` clustered (empty without `--reduce`), recomputed bit for bit
  /// from its TF-IDF rows with `lsa_options_of`; `run_to_files` keeps no rows to do it from.
  [[nodiscard]] dense_matrix reduced() const;

  [[nodiscard]] const job_options& options() const noexcept;
  [[nodiscard]] pipeline& get_pipeline() noexcept;
  [[nodiscard]] const pipeline& get_pipeline() const noexcept;
  /// Seconds spent scoring and writing by `run_to_files`.
  [[nodiscard]] double score_seconds() const noexcept;
  [[nodiscard]] double write_seconds() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What `koe assign` produced: the batch assigned to a model, and its scoring.
struct KOE_EXPORT assign_run {
  assign_result assigned;
  adoption_result adoption;
  std::optional<trend_result>
      trends;                  ///< With the new-theme series; none when no voice has a time.
  programme_result programme;  ///< Owners, stages, KPIs and follow-ups of the batch.
};

/// `load_model`, after the checks of `koe assign --model`: a clear error when no file is given or
/// when it is a directory.
[[nodiscard]] KOE_EXPORT model load_model_to_assign(const std::filesystem::path& model_file);

/// The options `assign_to_files` gives its `assigner`: the reading options of `options` (with the
/// phrases its scoring looks for), its new-theme rule, `--allow-dictionary-change` and `--dicdir`.
[[nodiscard]] KOE_EXPORT assign_options assign_options_of(const job_options& options);
/// As above, with the scoring options already read from `options`.
[[nodiscard]] KOE_EXPORT assign_options assign_options_of(const job_options& options,
                                                          const score_options& scoring);

/**
 * `koe assign`: reads `input` with the reading options of `options` (io, threads, the metadata
 * scoring reads), assigns its voices to the clusters of `m` (`assigner`, with
 * `options.new_theme`, `options.allow_dictionary_change` and `--dicdir` when given), scores the
 * batch against the model's clusters and decisions (`options.decisions` instead, when given) and
 * writes every output into `dir` (`write_assign_outputs`). `m` is not changed.
 *
 * **Example**
 * ```cpp
 * koe::job_options o;
 * o.new_theme.mode = koe::new_theme_mode::fixed;
 * o.new_theme.similarity = 0.2;
 * koe::assign_run r = koe::assign_to_files(fit.fitted, "november.csv", "out/", o);
 * ```
 */
[[nodiscard]] KOE_EXPORT assign_run assign_to_files(const model& m,
                                                    const std::filesystem::path& input,
                                                    const std::filesystem::path& dir,
                                                    const job_options& options, bool stats = false);
/// `assign_to_files` over several files read as one input (`pipeline::run`).
[[nodiscard]] KOE_EXPORT assign_run
assign_to_files(const model& m, const std::vector<std::filesystem::path>& inputs,
                const std::filesystem::path& dir, const job_options& options, bool stats = false);

/**
 * `assign_to_files` with the model read from `model_file` (`load_model_to_assign`): a clear error
 * names the file when none is given, when it is a directory, missing or damaged.
 */
[[nodiscard]] KOE_EXPORT assign_run assign_to_files(const std::filesystem::path& model_file,
                                                    const std::filesystem::path& input,
                                                    const std::filesystem::path& dir,
                                                    const job_options& options, bool stats = false);

/// Looks up a report format by its short name (table, json, csv, candidates, trace, html,
/// candidates_table); throws `errc::invalid_argument` for any other.
[[nodiscard]] KOE_EXPORT report_format parse_report_format(const std::string& name);

}  // namespace koe
