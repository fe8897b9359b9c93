/// Spherical k-means (cosine) over TF-IDF or reduced rows, parallel and deterministic.
#pragma once

#include <koe/export.hpp>
#include <koe/vectorize.hpp>

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace koe {

/// Dense rows (for example LSA-reduced vectors), row-major.
using dense_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Options for `cluster`.
struct KOE_EXPORT cluster_options {
  /**
   * Number of clusters; 0 = choose automatically in [k_min, k_max]: the k with the best mean
   * cosine silhouette on a deterministic sample, or, when the silhouette still rises at k_max (as
   * on very short texts), the knee of the silhouette curve. The curve is kept in `k_curve`.
   */
  int k = 0;
  int k_min = 2;   ///< Smallest k tried by the automatic choice.
  int k_max = 30;  ///< Largest k tried by the automatic choice.
  int n_init = 3;  ///< Restarts with different seeds; the best objective wins.
  int max_iter = 100;
  double tol = 1e-4;  ///< Stop when the objective improves by less than this fraction.
  std::uint64_t seed = 1234;
  /// Rows less similar than this to their centroid are noise (reason "low similarity").
  double min_similarity = 0.0;
  /**
   * Over-clustering: k-means runs with `merge_factor` × k clusters, then the closest centroids
   * (average linkage, cosine) are merged down to k. On short texts this avoids one giant cluster
   * plus slivers. 1 disables it.
   */
  int merge_factor = 1;
  /// The automatic choice clusters at most this many rows (a deterministic sample) per k.
  std::size_t auto_sample = 20000;
  /// Silhouette is computed on at most this many of those rows.
  std::size_t silhouette_sample = 2000;
  /// Seeding (greedy k-means++) looks at most at this many rows, a deterministic sample; the
  /// Lloyd iterations always use every row. 0 = seed on every row.
  std::size_t seed_sample = 100000;
  /**
   * Start from these centroids (one row per cluster, as many columns as the rows clustered)
   * instead of seeding: last run's model, or a reference to compare with. When given, `k` must
   * be 0 or its row count, and one run is made (`n_init` and `merge_factor` do not apply).
   */
  dense_matrix init = dense_matrix();
};

/// Equal when every field is, the initial centroids compared by shape and value.
[[nodiscard]] KOE_EXPORT bool operator==(const cluster_options& a, const cluster_options& b);

/// Why a row is not in a cluster.
enum class noise_reason : std::uint8_t {
  none,            ///< The row is clustered.
  no_terms,        ///< Nothing left after tokenizing and filtering (a zero row).
  low_similarity,  ///< Below `cluster_options::min_similarity` to its nearest centroid.
};

/// One point of the automatic k choice: mean cosine silhouette at k.
struct KOE_EXPORT k_score {
  int k = 0;
  double silhouette = 0;

  friend bool operator==(const k_score&, const k_score&) = default;
};

/// Result of `cluster`.
struct KOE_EXPORT clustering {
  int k = 0;
  std::vector<std::int32_t> assignment;  ///< Cluster of each row, -1 for noise.
  std::vector<float> similarity;         ///< Cosine similarity of each row to its centroid.
  std::vector<noise_reason> noise;       ///< Per row; `none` when clustered.
  dense_matrix centroids;                ///< k × columns, unit length.
  double objective = 0;                  ///< Sum of similarities of clustered rows.
  int iterations = 0;                    ///< Iterations of the winning restart.
  std::vector<k_score> k_curve;          ///< Filled when k was chosen automatically.
};

/**
 * Clusters the rows of `rows` (unit length or zero) by spherical k-means with k-means++ seeding.
 * The same options and seed give bit-identical results for any number of threads.
 *
 * **Example**
 * ```cpp
 * auto m = koe::vectorize(terms);
 * koe::clustering c = koe::cluster(m.rows, {.k = 12, .seed = 7});
 * ```
 */
[[nodiscard]] KOE_EXPORT clustering cluster(const sparse_matrix& rows,
                                            const cluster_options& options = {});
/// The same over dense rows (for example after `reduce_lsa`).
[[nodiscard]] KOE_EXPORT clustering cluster(const dense_matrix& rows,
                                            const cluster_options& options = {});

/**
 * Each row's nearest centroid among `centroids` (unit rows, as many columns as `rows`), scored
 * with the very arithmetic `cluster` uses for its final similarities: a row that a fit left at
 * its nearest centroid gets back the fit's cluster and bit-identical similarity. Ties go to the
 * lower index; a zero row gets cluster -1, similarity 0 and `noise_reason::no_terms`. Nothing is
 * marked `low_similarity` (that is the caller's rule). `centroids` is left empty in the result.
 * Parallel; the same for any number of threads.
 *
 * **Example**
 * ```cpp
 * koe::clustering c = koe::nearest_centroids(koe::transform(terms, m.vectorizer), m.centroids);
 * ```
 */
[[nodiscard]] KOE_EXPORT clustering nearest_centroids(const sparse_matrix& rows,
                                                      const dense_matrix& centroids);
/// The same over dense rows (for example projected with `project_lsa`).
[[nodiscard]] KOE_EXPORT clustering nearest_centroids(const dense_matrix& rows,
                                                      const dense_matrix& centroids);

/**
 * Mean cosine silhouette of `assignment` over the rows listed in `sample` (noise rows skipped).
 * Parallel; deterministic.
 */
[[nodiscard]] KOE_EXPORT double silhouette(const sparse_matrix& rows,
                                           const std::vector<std::int32_t>& assignment,
                                           const std::vector<std::size_t>& sample);

/// Options for the LSA reduction.
struct KOE_EXPORT lsa_options {
  int dimensions = 100;
  int oversample = 10;  ///< Extra random directions for the randomized range finder.
  int power_iterations = 2;
  std::uint64_t seed = 1234;

  friend bool operator==(const lsa_options&, const lsa_options&) = default;
};

/// Truncated SVD of `rows` by randomized projection: rows × dimensions, each row scaled to unit
/// length (zero rows stay zero). Parallel over row blocks; deterministic.
[[nodiscard]] KOE_EXPORT dense_matrix reduce_lsa(const sparse_matrix& rows,
                                                 const lsa_options& options = {});

/// An LSA reduction with the basis that maps further rows into the same space.
struct KOE_EXPORT lsa_fit {
  dense_matrix rows;   ///< As `reduce_lsa` returns them.
  dense_matrix basis;  ///< columns × dimensions: a row's coordinates are row · basis.
};

/// `reduce_lsa`, keeping the basis (the right singular vectors found, V = Bᵀ·U·Σ⁻¹).
[[nodiscard]] KOE_EXPORT lsa_fit fit_lsa(const sparse_matrix& rows,
                                         const lsa_options& options = {});

/// Rows of new voices in a fitted LSA space: each row times `basis`, scaled to unit length (zero
/// rows stay zero). The fitted rows themselves project to within rounding of their own reduction
/// where the reduction kept the rows' whole rank.
[[nodiscard]] KOE_EXPORT dense_matrix project_lsa(const sparse_matrix& rows,
                                                  const dense_matrix& basis);

}  // namespace koe
