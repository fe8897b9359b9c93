/// Readable descriptions of clusters: distinctive terms, label, representatives, duplicates.
#pragma once

#include <koe/cluster.hpp>
#include <koe/export.hpp>
#include <koe/text_column.hpp>
#include <koe/vectorize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace koe {

/// A term and its class-based TF-IDF weight in one cluster.
struct KOE_EXPORT term_weight {
  std::string term;
  double weight = 0;
};

/// Description of one cluster.
struct KOE_EXPORT cluster_description {
  int id = 0;
  std::string label;                         ///< Top terms joined by "・".
  std::size_t size = 0;                      ///< Voices in the cluster, repeats included.
  double share = 0;                          ///< size / rows (kept voices).
  double cohesion = 0;                       ///< Mean cosine similarity to the centroid.
  std::size_t duplicates = 0;                ///< Voices repeating an earlier voice of the cluster.
  std::vector<term_weight> terms;            ///< Most distinctive terms, best first.
  std::vector<std::size_t> representatives;  ///< Rows closest to the centroid, distinct texts.
};

/// Options for `describe`.
struct KOE_EXPORT describe_options {
  std::size_t top_terms = 10;
  std::size_t label_terms = 3;
  std::size_t representatives = 5;

  friend bool operator==(const describe_options&, const describe_options&) = default;
};

/**
 * Describes each cluster of `c`. Term weights are class-based TF-IDF: a term's frequency in the
 * cluster times ln(1 + A / f), where A is the mean number of terms per cluster and f the term's
 * frequency over all clusters, so terms common everywhere sink. `texts` (normalized voices,
 * parallel to the rows) decide which voices repeat each other.
 */
[[nodiscard]] KOE_EXPORT std::vector<cluster_description> describe(
    const std::vector<std::vector<std::string>>& terms, const tfidf_model& model,
    const clustering& c, const std::vector<std::string>& texts,
    const describe_options& options = {});
/// The same from interned terms: the pipeline's path.
[[nodiscard]] KOE_EXPORT std::vector<cluster_description> describe(
    const term_table& terms, const tfidf_model& model, const clustering& c,
    const std::vector<std::string>& texts, const describe_options& options = {});
/// The same with each row's text known by its hash (`analysis_result::text_hash`): rows with
/// equal hashes repeat each other.
[[nodiscard]] KOE_EXPORT std::vector<cluster_description> describe(
    const term_table& terms, const tfidf_model& model, const clustering& c,
    const std::vector<std::uint64_t>& text_hash, const describe_options& options = {});
/// The same with the texts in a column.
[[nodiscard]] KOE_EXPORT std::vector<cluster_description> describe(
    const term_table& terms, const tfidf_model& model, const clustering& c,
    const text_column& texts, const describe_options& options = {});

/**
 * The terms a label is made of: the first `n` of `terms` (best first), skipping a term that
 * overlaps one already taken (ログイン beside ログイン画面 says nothing new). With `fold_latin`,
 * a taken term has its Latin capitals folded to lower case, as cluster keys write them (the
 * overlap is then tested against the folded form, so the choice can differ from the label's
 * when a term has capitals).
 */
[[nodiscard]] KOE_EXPORT std::vector<std::string> label_terms(const std::vector<term_weight>& terms,
                                                              std::size_t n,
                                                              bool fold_latin = false);

}  // namespace koe
