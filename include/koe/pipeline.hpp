/// The whole job: read, normalize, tokenize, vectorize, cluster and describe, in one task arena.
#pragma once

#include <koe/cluster.hpp>
#include <koe/describe.hpp>
#include <koe/export.hpp>
#include <koe/io.hpp>
#include <koe/lineage.hpp>
#include <koe/model.hpp>
#include <koe/normalize.hpp>
#include <koe/tokenize.hpp>
#include <koe/types.hpp>
#include <koe/vectorize.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace koe {

namespace detail {
class block_exchange;
}

/// Every stage's options in one place.
struct KOE_EXPORT pipeline_options {
  io_options io;
  normalize_options normalize;
  tokenize_options tokenize;
  vectorize_options vectorize;
  cluster_options cluster;
  int lsa_dimensions = 0;  ///< Reduce to this many LSA dimensions before clustering (0 = off).
  describe_options describe;
  int threads = 0;  ///< Worker threads (0 = all cores). Never changes the results.
  /// Keep each row's normalized text in `analysis_result::normalized`. When off, the texts are
  /// given back block by block as they are tokenized, which saves about their size per voice in
  /// every later stage; repeats are still told by `analysis_result::text_hash`, and the phrases
  /// below are found while the texts are at hand.
  bool keep_normalized = true;
  /// When reading a file (`run(path)`, `refit`, `read_terms`), move each record's text, once
  /// normalized, and each row's term ids, once tokenized, to unnamed temporary files in
  /// `TMPDIR`, read back through memory maps where they are used again: the texts then take no
  /// resident memory after reading but for the few an output quotes (representatives, reply
  /// drafts), and the term rows none while clustering. The dictionary's pages are given back
  /// once reading ends too (`tokenizer::drop_pages`). Every result and output is the same
  /// either way; where a file cannot be written, what it would hold stays in memory.
  bool spill = false;
  /// Phrases to look for in each normalized voice while it is at hand (for scoring, the
  /// lexicon entries of `koe::surface_phrases`); found ones go to `analysis_result::phrase_hits`.
  std::vector<std::string> phrases;
  /// Thresholds for matching clusters to a previous model's and naming lineage events in a refit.
  lineage_options lineage;
  /// The period label of a fit whose voices have no timestamp (`model::period`); empty = "run N".
  std::string period_name;
  /// Set by koe-mpi only (docs/mpi.md): how this process shares the reading of a file with the
  /// other processes of the run. Null: one process reads everything. Never changes the results.
  std::shared_ptr<detail::block_exchange> exchange;
};

/// Wall time of one stage.
struct KOE_EXPORT stage_time {
  std::string stage;
  double seconds = 0;
  std::size_t peak_rss_bytes = 0;  ///< Peak resident memory of the process by the stage's end.
};

/// Everything a run produced: the records, per-row results, and the fitted model beside them.
/// Rows are the kept voices, in input order.
struct KOE_EXPORT analysis_result {
  corpus input;                           ///< Every record read, with its status.
  std::vector<std::size_t> row_document;  ///< Index into `input.documents` of each row.
  text_column normalized;  ///< Normalized text of each row (empty unless `keep_normalized`).
  /// Hash of each row's normalized text: equal texts have equal hashes, so repeated voices are
  /// found without keeping the texts.
  std::vector<std::uint64_t> text_hash;
  std::vector<std::string> phrases;  ///< `pipeline_options::phrases`, as looked for.
  /// (row, index into `phrases`) of each phrase found, by row, then by phrase.
  std::vector<std::pair<std::size_t, std::uint32_t>> phrase_hits;
  term_table terms;  ///< Terms of each row, interned.
  /// TF-IDF rows of the kept voices (`tfidf.rows`); the vectorizer they were made with is
  /// `fitted.vectorizer`, so `tfidf.model` is left empty.
  tfidf_matrix tfidf;
  /// Each row's cluster, similarity and noise reason; the centroids and the k curve are in
  /// `fitted`, so `clusters.centroids` and `clusters.k_curve` are left empty.
  clustering clusters;
  std::vector<cluster_description> descriptions;  ///< Per cluster, with representative rows.
  std::vector<stage_time> timings;
  std::size_t peak_rss_bytes = 0;  ///< Peak resident memory of the process so far.
  /// What the fit learned: normalization and tokenizer options, dictionary, vocabulary and idf,
  /// LSA basis, centroids, cluster table, k curve. Everything above is per record or per run.
  model fitted;
  /// A refit's comparison with the previous model (`pipeline::refit`); none for a fresh fit.
  std::optional<refit_comparison> refit;
  /// The lineage events of that comparison (`lineage`, with `pipeline_options::lineage`), ordered
  /// by kind, then id; empty for a fresh fit.
  std::vector<lineage_event> changes;
};

/// Called with (stage name, fraction done in [0, 1]) as a run advances.
using progress_callback = std::function<void(const std::string&, double)>;

/**
 * Runs the stages with one tokenizer and one task arena. Not thread-safe: one `run` at a time.
 *
 * **Example**
 * ```cpp
 * koe::pipeline_options opt;
 * opt.cluster.k = 12;
 * koe::pipeline p(opt);
 * koe::analysis_result r = p.run("voices.csv");
 * for (const auto& d : r.descriptions) std::cout << d.label << ' ' << d.size << '\n';
 * ```
 */
class KOE_EXPORT pipeline {
 public:
  explicit pipeline(const pipeline_options& options = {});
  ~pipeline();
  pipeline(pipeline&&) noexcept;
  pipeline& operator=(pipeline&&) noexcept;

  /// Reads `path` with `options().io` and runs every stage.
  [[nodiscard]] analysis_result run(const std::filesystem::path& path);
  /// `run` over several files read as one input, in the order given (`koe cluster A.csv B.csv`):
  /// record numbers run on from file to file, line numbers and messages are each file's, and
  /// every file must be in the format and have the header of the first. The result's source is
  /// the names joined by ", ".
  [[nodiscard]] analysis_result run(const std::vector<std::filesystem::path>& paths);
  /// Runs every stage on an already read corpus.
  [[nodiscard]] analysis_result run(corpus input);
  /**
   * Reads `path` and refits against `previous` (a model of an earlier fit, docs/continuity.md):
   * the vocabulary grows from the previous one (terms keep their ids), k-means starts from the
   * previous centroids and this period's new themes, and the clusters matched to previous ones
   * keep their ids (`koe/refit.hpp`); `analysis_result::refit` holds the comparison. The options
   * must tokenize as `previous` was fitted (`errc::dictionary_mismatch` otherwise); LSA is
   * refused (`errc::invalid_argument`).
   */
  [[nodiscard]] analysis_result refit(const std::filesystem::path& path, const model& previous);
  /// `refit` over several files read as one input (see `run`).
  [[nodiscard]] analysis_result refit(const std::vector<std::filesystem::path>& paths,
                                      const model& previous);
  /// `refit` on an already read corpus.
  [[nodiscard]] analysis_result refit(corpus input, const model& previous);
  /**
   * Reads `path` and normalizes and tokenizes its voices as `run` does, then stops: the result
   * holds the records, rows, text hashes, phrase hits and terms, and of `fitted` only what the
   * options say (normalization, tokenizer, dictionary) and the period the timestamps cover.
   * What `koe::assigner` reads new voices with.
   */
  [[nodiscard]] analysis_result read_terms(const std::filesystem::path& path);
  /// `read_terms` over several files read as one input (see `run`).
  [[nodiscard]] analysis_result read_terms(const std::vector<std::filesystem::path>& paths);
  /// `read_terms` on an already read corpus.
  [[nodiscard]] analysis_result read_terms(corpus input);
  /// Normalizes and tokenizes `texts` only (in order), as `run` would.
  [[nodiscard]] std::vector<std::vector<std::string>> tokenize(
      const std::vector<std::string>& texts);

  [[nodiscard]] const pipeline_options& options() const noexcept;
  [[nodiscard]] const tokenizer& get_tokenizer() const noexcept;
  void on_progress(progress_callback callback);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Peak resident set size of this process in bytes (0 where unknown).
[[nodiscard]] KOE_EXPORT std::size_t peak_rss_bytes();

}  // namespace koe
