/// Assigning new voices to a fitted model's clusters, with the voices far from every cluster set
/// apart as new themes and grouped among themselves.
#pragma once

#include <koe/cluster.hpp>
#include <koe/describe.hpp>
#include <koe/export.hpp>
#include <koe/model.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/types.hpp>
#include <koe/vectorize.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace koe {

/// How `assigner` tells a new theme from a voice of a known cluster.
enum class new_theme_mode : std::uint8_t {
  automatic,  ///< A threshold per cluster, from its voices' similarities at the fit (see below).
  off,        ///< Every voice goes to its nearest cluster, under the fit's own noise rule.
  fixed,      ///< One threshold for every cluster: `new_theme_options::similarity`.
};

/// Options for setting new themes apart.
struct KOE_EXPORT new_theme_options {
  new_theme_mode mode = new_theme_mode::automatic;
  /// With `fixed`: a voice less similar than this to its nearest cluster is a new theme.
  double similarity = 0;
  /**
   * With `automatic`, cluster c's threshold is the `percentile`-th percentile of its voices'
   * similarities to its centroid at the fit (`model_cluster::similarity_percentiles`), but at
   * least `floor`: a new voice less similar to its nearest cluster than all but that share of
   * the cluster's own voices were is a new theme. A cluster without recorded percentiles has
   * the floor alone. Tuned on a held-out topic (docs/assign.md).
   */
  int percentile = 5;
  double floor = 0.02;  ///< The least threshold of `automatic`.
  /// How the new-theme voices are grouped among themselves: k-means with the automatic choice
  /// of k (at most one group per `voices_per_group` voices), on a vocabulary of their own.
  std::size_t voices_per_group = 5;
};

/// Why a voice is a new theme.
enum class new_theme_reason : std::uint8_t {
  none,             ///< It is not.
  below_threshold,  ///< Less similar to its nearest cluster than that cluster's threshold.
  no_known_terms,   ///< It has terms, but none in the model's vocabulary.
};

/// "", "below_threshold" or "no_known_terms", as assignments.csv's reason column writes it.
[[nodiscard]] KOE_EXPORT const char* to_string(new_theme_reason reason) noexcept;

/// Options for `assigner`.
struct KOE_EXPORT assign_options {
  new_theme_options new_theme;
  /// Assign even when the tokenizer's dictionary differs from the one the model was fitted
  /// with (otherwise `errc::dictionary_mismatch`).
  bool allow_dictionary_change = false;
  /// Load this MeCab dictionary directory instead of the model's (the check above still
  /// applies); empty = the model's.
  std::string dicdir;
  /**
   * How the new voices are read: `io`, `threads`, `keep_normalized` and `phrases` are used.
   * Normalizing, tokenizing, vectorizing and clustering follow the model, whatever the other
   * fields say.
   */
  pipeline_options reading;
};

/// The new-theme voices of a batch, grouped among themselves.
struct KOE_EXPORT new_theme_groups {
  std::vector<std::size_t> rows;  ///< Rows of the batch that are new themes, ascending.
  tfidf_model vectorizer;         ///< Fitted on those rows alone.
  /// Each of `rows`' group (parallel to `rows`; -1 when it has no term of that vocabulary) and
  /// similarity to its group's centroid; `k` groups, numbered by size, largest first.
  clustering groups;
  /// Per group: top terms, label, size, share of the new-theme voices, and representatives as
  /// rows of the batch.
  std::vector<cluster_description> descriptions;
};

/// What assigning one batch produced. The model is not part of it and is never changed.
struct KOE_EXPORT assign_result {
  /**
   * The batch as a run of its own: every record with its status, the rows (kept voices), their
   * terms and TF-IDF rows under the model's vocabulary, and `clusters` with the model's cluster
   * ids (-1 for noise and new themes) and each row's similarity to its nearest cluster.
   * `descriptions` has one entry per model cluster, with the model's label and key terms and
   * this batch's size, share, cohesion and representatives, so that the model's decisions find
   * their clusters again. `fitted` holds the model's options, cluster table, decisions and
   * period, without its vocabulary or matrices.
   */
  analysis_result batch;
  std::vector<new_theme_reason> new_theme;  ///< Per row; `none` unless a new theme.
  new_theme_options rule;                   ///< The new-theme rule applied.
  std::vector<double> thresholds;  ///< Per model cluster, the threshold applied (empty if off).
  new_theme_groups new_themes;
  std::string period_first;  ///< The batch's earliest timestamp, as written; empty if none.
  std::string period_last;   ///< The batch's latest timestamp.

  /// The status of record `record` (an index into `batch.input.documents`) in assignments.csv.
  [[nodiscard]] assignment_status status(std::size_t record) const;
  /// Records with `s`; the counts of every status add up to the records read.
  [[nodiscard]] std::size_t count(assignment_status s) const;
  /// The reason assignments.csv gives record `record` (the new-theme rule, the noise reason or
  /// the note from reading it).
  [[nodiscard]] std::string reason(std::size_t record) const;
};

/// One voice's assignment, as `assigner::assign_texts` returns it.
struct KOE_EXPORT assigned_voice {
  int cluster = -1;  ///< Model cluster id, -1 when none.
  float similarity = 0;
  assignment_status status = assignment_status::empty;
  std::string reason;  ///< As assignments.csv writes it.
};

/**
 * Assigns new voices to the clusters of a fitted model: reads and tokenizes them as the model
 * was fitted (normalization, tokenizer options, stop words), weighs their terms with the
 * model's vocabulary and idf (terms outside it are dropped), projects them with the model's LSA
 * basis when it has one, and gives each voice its nearest centroid. Voices too far from it, or
 * with no term of the vocabulary, are new themes (`new_theme_options`), and those are clustered
 * among themselves. Every record is accounted for. On the voices the model was fitted on, with
 * `new_theme_mode::off`, each voice gets the fit's cluster and similarity wherever the fit left
 * it at its nearest centroid (docs/assign.md). The model must outlive the assigner and is never
 * changed. Not thread-safe: one call at a time.
 *
 * **Example**
 * ```cpp
 * koe::analysis_result fit = koe::pipeline({}).run("october.csv");
 * koe::assigner a(fit.fitted);
 * koe::assign_result r = a.run("november.csv");
 * std::cout << r.count(koe::assignment_status::new_theme) << " voices on new themes\n";
 * ```
 */
class KOE_EXPORT assigner {
 public:
  /// Loads the model's tokenizer; throws `errc::dictionary_mismatch` when its dictionary is not
  /// the model's (unless allowed) and `errc::invalid_argument` for a model that is not fitted.
  explicit assigner(const model& m, const assign_options& options = {});
  ~assigner();
  assigner(assigner&&) noexcept;
  assigner& operator=(assigner&&) noexcept;

  /// Reads `path` with `options.reading.io` and assigns its voices.
  [[nodiscard]] assign_result run(const std::filesystem::path& path);
  /// `run` over several files read as one input (`pipeline::run`).
  [[nodiscard]] assign_result run(const std::vector<std::filesystem::path>& paths);
  /// Reads and tokenizes `path` as `run` does, and stops there: what the reading ranks of
  /// koe-mpi run (`pipeline::read_terms` with the model's options).
  [[nodiscard]] analysis_result read_terms(const std::filesystem::path& path);
  [[nodiscard]] analysis_result read_terms(const std::vector<std::filesystem::path>& paths);
  /// Assigns the voices of an already read corpus.
  [[nodiscard]] assign_result run(corpus input);
  /// Assigns `texts` (one voice each, in order): what Python's `predict` returns.
  [[nodiscard]] std::vector<assigned_voice> assign_texts(const std::vector<std::string>& texts);

  /// The threshold of each model cluster under the options (empty with `off`).
  [[nodiscard]] const std::vector<double>& thresholds() const noexcept;
  [[nodiscard]] const model& fitted() const noexcept;
  [[nodiscard]] const assign_options& options() const noexcept;
  [[nodiscard]] const tokenizer& get_tokenizer() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/**
 * Writes `a` in `format`: clusters.json (this batch's count and share per model cluster, and the
 * new-theme groups), assignments.csv (the columns of a fit's, with the status new_theme), the
 * terminal table, and the candidate formats scored on the batch (`options.adoption`; report.html
 * then adds the share of the batch in decided clusters and 新しいテーマの兆し).
 */
KOE_EXPORT void write_assign_report(std::ostream& out, const assign_result& a, report_format format,
                                    const report_options& options = {});

/// Writes clusters.json and assignments.csv of `a` into `dir`, rejects.csv when records were
/// rejected, and with `options.adoption` also candidates.json, trace.csv and report.html, then
/// manifest.json: the output set `write_outputs` writes for a fit (`write_output_set`).
KOE_EXPORT void write_assign_outputs(const std::filesystem::path& dir, const assign_result& a,
                                     const report_options& options = {});

/// The new-theme threshold of each cluster of `m` under `options` (empty with `off`).
[[nodiscard]] KOE_EXPORT std::vector<double> new_theme_thresholds(const model& m,
                                                                  const new_theme_options& options);

/// Where a model puts voices already tokenized and weighed with its vocabulary.
struct KOE_EXPORT placement {
  /// Each row's model row (-1 for noise and new themes), similarity to its nearest cluster and
  /// noise reason.
  clustering clusters;
  std::vector<new_theme_reason> new_theme;  ///< Per row; `none` unless a new theme.
};

/**
 * The voices with terms `terms` and TF-IDF rows `x` (`transform(terms, m.vectorizer)`) placed in
 * the clusters of `m`: nearest centroid (projected with the LSA basis when there is one), then
 * the new-theme rule with `thresholds` (`new_theme_thresholds`; none when empty) and the fit's
 * noise rule, as `assigner` places a batch.
 */
[[nodiscard]] KOE_EXPORT placement place_voices(const model& m, const term_table& terms,
                                                const sparse_matrix& x,
                                                const std::vector<double>& thresholds);

/**
 * The rows of `new_theme` that are new themes, clustered among themselves as `assigner` groups
 * them: a vocabulary of their own (`m`'s vectorizing options, bounds relaxed for a small group),
 * k-means with the automatic k (at most one group per `voices_per_group` voices), descriptions
 * with representatives as rows of `terms`.
 */
[[nodiscard]] KOE_EXPORT new_theme_groups group_new_themes(
    const model& m, const term_table& terms, const std::vector<std::uint64_t>& text_hash,
    const std::vector<new_theme_reason>& new_theme, std::size_t voices_per_group);

/**
 * Throws `errc::dictionary_mismatch` when `tok` does not tokenize as `m` was fitted: another
 * MeCab dictionary (unless `allow_dictionary_change`), other stop words, or other tokenizer or
 * normalization options (`normalization`, `tokenizer`), naming what differs.
 */
KOE_EXPORT void check_same_tokenizing(const model& m, const tokenizer& tok,
                                      const normalize_options& normalization,
                                      const tokenize_options& tokenizer,
                                      bool allow_dictionary_change);

/// The tokenizer options that reproduce the model's tokenizing: its options, with its recorded
/// stop words in place of the stop-word files when it has them.
[[nodiscard]] KOE_EXPORT tokenize_options tokenize_options_of(const model& m);

}  // namespace koe
