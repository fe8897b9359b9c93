/// TF-IDF vectors from term lists, with scikit-learn's TfidfVectorizer definitions.
#pragma once

#include <koe/export.hpp>
#include <koe/terms.hpp>

#include <Eigen/SparseCore>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace koe {

/// Sparse matrix of documents × terms: CSR, float32 values, 32-bit indices.
using sparse_matrix = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int32_t>;

/// A document-frequency bound: a count of documents, or a fraction of them.
struct KOE_EXPORT df_bound {
  double value = 1.0;
  bool fraction = false;  ///< When true, `value` is a fraction of the documents in [0, 1].
  /// The bound as a document count for a corpus of `documents` documents.
  [[nodiscard]] double count(std::size_t documents) const noexcept {
    return fraction ? value * static_cast<double>(documents) : value;
  }

  friend bool operator==(const df_bound&, const df_bound&) = default;
};

/// Parses "2" (a count) or "0.5" / "1.0" (a fraction, written with a decimal point).
[[nodiscard]] KOE_EXPORT df_bound parse_df_bound(const std::string& text);

/// Options for `vectorize`; defaults are tuned for short voices.
struct KOE_EXPORT vectorize_options {
  df_bound min_df{2, false};     ///< Drop terms in fewer documents than this.
  df_bound max_df{1.0, true};    ///< Drop terms in more documents than this.
  std::size_t max_features = 0;  ///< Keep the most frequent terms only (0 = all).
  bool sublinear_tf = true;      ///< tf → 1 + ln(tf).
  bool use_idf = true;
  bool smooth_idf = true;  ///< idf = ln((1 + n) / (1 + df)) + 1, else ln(n / df) + 1.
  bool normalize = true;   ///< Scale each row to unit L2 length.

  friend bool operator==(const vectorize_options&, const vectorize_options&) = default;
};

/**
 * Corpus-wide term statistics as a mergeable partial state: each shard (a TBB chunk now, an MPI
 * rank later) counts its own documents, and `merge` adds states. Merging is associative and
 * commutative and the counts are exact, so any order of merges gives the same result.
 */
struct KOE_EXPORT term_statistics {
  struct KOE_EXPORT counts {
    std::uint64_t df = 0;     ///< Documents containing the term.
    std::uint64_t total = 0;  ///< Occurrences over all documents.
  };
  std::uint64_t documents = 0;
  std::unordered_map<std::string, counts> terms;

  /// Adds one document's terms.
  void add(const std::vector<std::string>& document_terms);
  /// Adds another shard's counts into this one.
  void merge(const term_statistics& other);
};

/// A fitted vocabulary and idf: enough to vectorize new documents the same way.
struct KOE_EXPORT tfidf_model {
  vectorize_options options;
  std::vector<std::string> vocabulary;  ///< Term of each column, sorted by code point.
  std::vector<std::uint64_t> df;        ///< Document frequency of each column.
  std::vector<float> idf;               ///< Inverse document frequency of each column.
  std::uint64_t documents = 0;          ///< Documents the model was fitted on.
  std::unordered_map<std::string, std::int32_t> index;  ///< Term → column.

  friend bool operator==(const tfidf_model&, const tfidf_model&) = default;
};

/// Counts `docs` in parallel (fixed chunks, merged in chunk order).
[[nodiscard]] KOE_EXPORT term_statistics
count_terms(const std::vector<std::vector<std::string>>& docs);

/// The same counts from interned terms (one counter per id, no string per occurrence).
[[nodiscard]] KOE_EXPORT term_statistics count_terms(const term_table& table);

/// Chooses the vocabulary and idf from merged statistics.
[[nodiscard]] KOE_EXPORT tfidf_model fit_tfidf(const term_statistics& stats,
                                               const vectorize_options& options);
/// `fit_tfidf(count_terms(table), options)` without the statistics' copy of every distinct term:
/// the counts stay indexed by id and the model copies only the terms it keeps.
[[nodiscard]] KOE_EXPORT tfidf_model fit_tfidf(const term_table& table,
                                               const vectorize_options& options);

/// TF-IDF rows of `docs` under `model`; terms outside the vocabulary are ignored. Parallel.
[[nodiscard]] KOE_EXPORT sparse_matrix transform(const std::vector<std::vector<std::string>>& docs,
                                                 const tfidf_model& model);

/// A fitted model together with the matrix of the documents it was fitted on.
/// TF-IDF rows of interned terms; equal to `transform(table.to_rows(), model)`.
[[nodiscard]] KOE_EXPORT sparse_matrix transform(const term_table& table, const tfidf_model& model);

struct KOE_EXPORT tfidf_matrix {
  tfidf_model model;
  sparse_matrix rows;

  tfidf_matrix() = default;
  tfidf_matrix(const tfidf_matrix&) = default;
  tfidf_matrix& operator=(const tfidf_matrix&) = default;
  // Eigen's sparse matrix has no move operations (a "move" would copy its arrays, hundreds of MB
  // at millions of voices): these swap them instead.
  tfidf_matrix(tfidf_matrix&& other) noexcept : model(std::move(other.model)) {
    rows.swap(other.rows);
  }
  tfidf_matrix& operator=(tfidf_matrix&& other) noexcept {
    if (this != &other) {
      model = std::move(other.model);
      rows.swap(other.rows);
    }
    return *this;
  }
  ~tfidf_matrix() = default;
};

/**
 * Fits a vocabulary on `docs` and returns their TF-IDF rows. Identical for any thread count.
 *
 * **Example**
 * ```cpp
 * auto m = koe::vectorize({{"配送", "遅い"}, {"配送", "早い"}}, {.min_df = {1, false}});
 * // m.model.vocabulary == {"早い", "遅い", "配送"} in code-point order
 * ```
 */
[[nodiscard]] KOE_EXPORT tfidf_matrix vectorize(const std::vector<std::vector<std::string>>& docs,
                                                const vectorize_options& options = {});

/// `vectorize` on interned terms: the pipeline's path. Equal to `vectorize(table.to_rows())`.
[[nodiscard]] KOE_EXPORT tfidf_matrix vectorize(const term_table& table,
                                                const vectorize_options& options = {});

}  // namespace koe
