/// Refitting against a previous model: an append-only vocabulary, k-means started from the
/// previous centroids and from this period's new themes, clusters matched to the previous ones
/// (Hungarian method) so that their ids stay, and the comparison lineage events are named from.
#pragma once

#include <koe/assign.hpp>
#include <koe/cluster.hpp>
#include <koe/describe.hpp>
#include <koe/export.hpp>
#include <koe/lineage.hpp>
#include <koe/model.hpp>
#include <koe/terms.hpp>
#include <koe/vectorize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace koe {

/**
 * The vocabulary of a refit: the terms of `previous` keep their ids, the terms of `period` (a
 * fresh fit's vocabulary of this period's voices) that `previous` lacks are appended in
 * `period`'s order (code-point order). A previous term that `period` does not keep stays, unused:
 * df 0 and idf 0, and out of `index`, so no voice is weighed on it and its id is never reused.
 * Every term in use gets `period`'s df and idf, so the TF-IDF rows are a fresh fit's, with the
 * columns in another order. `documents` and `options` are `period`'s.
 *
 * **Example**
 * ```cpp
 * // previous: {"配送", "遅い"}; period: {"アプリ", "配送"}
 * koe::tfidf_model v = koe::extend_vocabulary(previous, period);
 * // v.vocabulary == {"配送", "遅い", "アプリ"}; v.df[1] == 0, v.idf[1] == 0
 * ```
 */
[[nodiscard]] KOE_EXPORT tfidf_model extend_vocabulary(const tfidf_model& previous,
                                                       const tfidf_model& period);

/// `m` with zero columns appended up to `columns` (at least `m.cols()`): centroids of a
/// previous vocabulary in a vocabulary extended from it.
[[nodiscard]] KOE_EXPORT dense_matrix widen_columns(const dense_matrix& m, Eigen::Index columns);

/**
 * The period label of a fit (`model::period`): the YYYY-MM of `period_last` when it holds a date,
 * else `name` when given, else "run N" with N = `fits`.
 */
[[nodiscard]] KOE_EXPORT std::string period_label_of(const std::string& period_last,
                                                     const std::string& name, std::uint32_t fits);

/**
 * One-to-one matching of new clusters (rows of `similarity`) to previous ones (columns) that
 * maximizes the total similarity of the pairs at least `min_similarity` (the Hungarian method,
 * O(n³)): each row's column, or -1. Deterministic; ties go the same way on every run.
 */
[[nodiscard]] KOE_EXPORT std::vector<int> match_clusters(
    const std::vector<std::vector<double>>& similarity, double min_similarity);

/// How a refit starts k-means, and where the previous model puts this period's voices.
struct KOE_EXPORT refit_start {
  /// The initial centroids, in the refit's vocabulary: the previous clusters carried (their
  /// centroids widened), then one seed per new-theme group, then any extra seeds `-k N` asks for.
  dense_matrix init;
  std::vector<int> carried;  ///< Previous model row of each carried centroid, in `init` order.
  std::size_t new_theme_groups = 0;  ///< New-theme groups found and seeded.
  std::size_t extra_seeds = 0;       ///< Seeds added to reach a `-k N` above the above.
  /// This period's voices placed in the previous model (its rows; -1 for noise and new themes).
  placement previous;
};

/**
 * The start of a refit of the voices with terms `terms` against `previous`: every previous
 * active cluster that the previous model gives at least `lineage.min_voices` of the voices is
 * carried; the voices it calls new themes are grouped as `koe assign` groups them, and each group
 * holding at least as many voices as the previous model's smallest cluster would at its share
 * (and `lineage.min_voices`), with a cohesion (in `rows`' space) at least the previous clusters'
 * least, adds one seed, chosen by k-means++ among the voices of those groups (seeded with
 * `options.seed`). With `options.k` > 0 the start has exactly k centroids: the carried clusters
 * with the most voices first, then new-theme seeds, then k-means++ seeds among every voice; when
 * nothing is carried and no group qualifies, as many k-means++ seeds as the previous model had
 * clusters. Voices are taken in the order of their texts' hashes, so the start does not depend
 * on the input's row order. `rows` are the voices' TF-IDF rows in the refit's vocabulary (an
 * extension of the previous one). Deterministic.
 */
[[nodiscard]] KOE_EXPORT refit_start start_refit(const model& previous, const term_table& terms,
                                                 const std::vector<std::uint64_t>& text_hash,
                                                 const sparse_matrix& rows,
                                                 const cluster_options& options,
                                                 const lineage_options& lineage);

/**
 * The stable ids of a fit's clusters: a fresh fit's (ids 0 … k−1 in row order, born this
 * period, `next_id` k, one history entry each). `fitted.period` must be set; `descriptions` are
 * the fit's, one per cluster row.
 */
KOE_EXPORT void number_fresh_fit(model& fitted,
                                 const std::vector<cluster_description>& descriptions);

/**
 * Finishes a refit: matches the new clusters (rows of `fitted.centroids`) to the previous
 * model's active and dormant clusters (`match_clusters` on centroid cosine in the refit's
 * vocabulary, `lineage.min_similarity`); a matched cluster takes the previous id, birth, parents
 * and history, an unmatched one a fresh id from `previous.next_id`; previous clusters left
 * unmatched stay in `fitted.dormant` with their centroids. Sets each description's id to its
 * stable id and returns the comparison (`refit_comparison`), its contingency counted from
 * `start.previous` and `clusters` (this fit's rows of each voice).
 */
[[nodiscard]] KOE_EXPORT refit_comparison finish_refit(
    const model& previous, const refit_start& start, const clustering& clusters,
    const lineage_options& lineage, model& fitted, std::vector<cluster_description>& descriptions);

/**
 * Records a refit's lineage in its model: a cluster born from a split, or a merge, adds the
 * previous ids its event names (`lineage_event::parents`, its own id left out) to its
 * `model_cluster::parents`, after those it inherited. Other events change nothing.
 */
KOE_EXPORT void record_lineage(model& fitted, const std::vector<lineage_event>& events);

}  // namespace koe
