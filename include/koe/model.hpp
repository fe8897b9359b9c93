/// The fitted model: what a run learned, apart from the voices it learned it from.
#pragma once

#include <koe/cluster.hpp>
#include <koe/decisions.hpp>
#include <koe/describe.hpp>
#include <koe/export.hpp>
#include <koe/normalize.hpp>
#include <koe/tokenize.hpp>
#include <koe/vectorize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace koe {

/// Whether a cluster of a model takes voices.
enum class cluster_status : std::uint8_t {
  active,   ///< A centroid row of the model: voices go to it.
  dormant,  ///< Left unmatched by a refit: kept with its last centroid, takes no voice.
};

/// "active" or "dormant", as model files write it.
[[nodiscard]] KOE_EXPORT const char* to_string(cluster_status status) noexcept;

/// One period of a cluster's life: what a fit (or refit) of that period saw of it.
struct KOE_EXPORT cluster_period {
  std::string period;  ///< The fit's period label (`model::period`).
  std::string label;   ///< The cluster's label at that fit.
  std::size_t size = 0;
  double share = 0;  ///< Its share of that fit's kept voices.

  friend bool operator==(const cluster_period&, const cluster_period&) = default;
};

/// One cluster as the model keeps it.
struct KOE_EXPORT model_cluster {
  /// Stable cluster id. A fresh fit numbers clusters by size, largest first (0 … k−1); a refit
  /// keeps the id of the previous cluster each one is matched to and gives the others fresh ids
  /// from `model::next_id`, so ids can have gaps and never follow the row order.
  int id = 0;
  std::string label;
  std::vector<std::string> key_terms;  ///< Most distinctive terms, best first.
  std::size_t size = 0;                ///< Voices in the cluster at the fit, repeats included.
  double cohesion = 0;                 ///< Mean similarity of its voices to the centroid.
  /// The 0th, 1st, ..., 100th percentiles (101 values, ascending) of its voices' similarity to
  /// its centroid at the fit; what a later assignment calibrates its new-theme threshold on.
  /// Empty when not recorded.
  std::vector<double> similarity_percentiles;
  std::string born;  ///< Period label of the fit that first found it.
  cluster_status status = cluster_status::active;
  /// Previous ids it came from, as lineage events name them (a split or a merge); empty else.
  std::vector<int> parents;
  /// Its label, size and share at each fit of the chain it was active in, oldest first.
  std::vector<cluster_period> history;

  friend bool operator==(const model_cluster&, const model_cluster&) = default;
};

/**
 * Everything a fit learned that outlives the run: how texts are normalized and tokenized (with the
 * dictionary's identity), the vocabulary with its document frequencies, document count and idf,
 * the LSA basis when one was used, the centroids, the cluster table, the k curve and the options
 * that produced them. Per-record results (each voice's cluster, similarity, status, trace) live
 * beside it in `analysis_result`, never in it. A value type: copies compare equal.
 *
 * **Example**
 * ```cpp
 * koe::analysis_result r = koe::pipeline({}).run("voices.csv");
 * const koe::model& m = r.fitted;
 * std::cout << m.vectorizer.vocabulary.size() << " terms, " << m.clusters.size() << " clusters\n";
 * ```
 */
struct KOE_EXPORT model {
  normalize_options normalization;
  tokenize_options tokenizer;
  std::string dictionary;              ///< The MeCab dictionary as the tokenizer reports it.
  dictionary_identity dictionary_id;   ///< What the dictionary is, to tell another one apart.
  std::vector<std::string> stopwords;  ///< The stop words in effect, sorted.
  tfidf_model vectorizer;      ///< Vocabulary (term-id order), df, document count, idf, options.
  lsa_options lsa;             ///< `dimensions` is 0 when no LSA reduction was used.
  dense_matrix lsa_basis;      ///< vocabulary × dimensions; empty without LSA.
  cluster_options clustering;  ///< As given, `init` included when the fit started from one.
  describe_options description;
  dense_matrix centroids;  ///< k × (vocabulary or LSA dimensions), unit rows.
  std::vector<model_cluster> clusters;
  std::vector<k_score> k_curve;     ///< Filled when k was chosen automatically.
  std::vector<decision> decisions;  ///< The decisions in effect at the fit, as read.
  /// The earliest and latest timestamp of the voices, as written, when a time column was read;
  /// empty otherwise.
  std::string period_first;
  std::string period_last;
  /// This fit's period label: the YYYY-MM of `period_last` when a time column was read, else
  /// `pipeline_options::period_name`, else "run N" (N = 1 for a fresh fit, one more per refit).
  std::string period;
  /// Fits in the chain this model ends: 1 for a fresh fit, the previous model's plus 1 for a
  /// refit.
  std::uint32_t fits = 1;
  /// The id the next new cluster gets: above every id the chain ever gave, never reused.
  int next_id = 0;
  /// Clusters a refit left unmatched (status dormant), with their last centroids (one row
  /// each, as many columns as `centroids`), kept so that a later refit can give them back
  /// their ids. No voice is ever assigned to them.
  std::vector<model_cluster> dormant;
  dense_matrix dormant_centroids;

  /// True once a fit has filled it.
  [[nodiscard]] bool fitted() const noexcept { return centroids.rows() > 0; }
};

/// Equal when every part is; matrices compare by shape and value.
[[nodiscard]] KOE_EXPORT bool operator==(const model& a, const model& b);

/// The cluster table of a model from the run's descriptions.
[[nodiscard]] KOE_EXPORT std::vector<model_cluster> cluster_table(
    const std::vector<cluster_description>& descriptions);

/// The same, with each cluster's `similarity_percentiles` taken from the rows of `c` (its
/// assignment and similarities, as the fit left them).
[[nodiscard]] KOE_EXPORT std::vector<model_cluster> cluster_table(
    const std::vector<cluster_description>& descriptions, const clustering& c);

/**
 * The 0th, 1st, ..., 100th percentiles of `similarities` by nearest rank: with the n values
 * sorted ascending, percentile p is the value of rank ceil(p × n / 100), the 0th the smallest.
 * Every value is one of the inputs, so the result does not depend on how they were summed.
 * Empty for no values.
 *
 * **Example**
 * ```cpp
 * auto p = koe::nearest_rank_percentiles({0.2f, 0.4f, 0.6f, 0.8f});
 * // p[0] == 0.2, p[25] == 0.2, p[26] == 0.4, p[50] == 0.4, p[100] == 0.8
 * ```
 */
[[nodiscard]] KOE_EXPORT std::vector<double> nearest_rank_percentiles(
    std::vector<float> similarities);

}  // namespace koe
