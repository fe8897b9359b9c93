/// Continuity across refits: which clusters of a fit made against a previous model continue, are
/// born, split, merge, go dormant or return, decided from centroid similarities together with the
/// voices of this period as both models assign them.
#pragma once

#include <koe/export.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace koe {

/// Thresholds of the lineage rules; koe.toml's `[lineage]` table sets them
/// (docs/continuity.md says how they were chosen).
struct KOE_EXPORT lineage_options {
  /// Least centroid cosine for a new cluster to take a previous cluster's id (Hungarian matching).
  double min_similarity = 0.3;
  /// A previous cluster splits when at least this share of its voices of this period (as the
  /// previous model assigns them) goes to each of two or more new clusters; a new cluster is a
  /// merge when at least this share of its voices comes from each of two or more previous ones.
  double min_part_share = 0.25;
  /// Counts of voices below this decide no split, merge or parent.
  std::size_t min_voices = 5;
  /// Least centroid cosine between a split part and its parent, or a merged cluster and a parent
  /// it takes in, when they are not the matched pair: below it, the voices a previous cluster
  /// gives to an unmatched new cluster are a new theme the previous model had placed there, not
  /// a split (docs/continuity.md, "Thresholds").
  double min_part_similarity = 0.4;

  friend bool operator==(const lineage_options&, const lineage_options&) = default;
};

/// What a refit against a previous model found before events are named: the input of `lineage`.
/// "Previous columns" are the previous model's active clusters in its row order, then its dormant
/// clusters.
struct KOE_EXPORT refit_comparison {
  std::string previous_period;    ///< Period label of the previous fit ("2026-09"); may be empty.
  std::string period;             ///< Period label of this fit.
  std::vector<int> previous_ids;  ///< Stable id of each previous column.
  std::vector<bool> previous_dormant;  ///< Whether each previous column was already dormant.
  std::vector<double>
      previous_share;         ///< Each previous column's share at the previous fit (0 if dormant).
  std::vector<int> ids;       ///< Stable id of each new cluster, in this fit's row order.
  std::vector<double> share;  ///< Each new cluster's share of this fit's kept voices.
  /// Cosine of each new centroid (row) with each previous column's centroid (column), both
  /// expressed in this fit's vocabulary: ids.size() rows of previous_ids.size().
  std::vector<std::vector<double>> similarity;
  /// For each new cluster, the previous column it was matched to (Hungarian method, at least
  /// `lineage_options::min_similarity`), or -1.
  std::vector<int> match;
  /// This period's kept voices counted by (previous model's cluster, new cluster):
  /// (previous_ids.size() + 1) × (ids.size() + 1); the last row holds voices the previous model
  /// puts in new_theme or noise, the last column voices this fit calls noise.
  std::vector<std::vector<std::size_t>> contingency;
};

/// Kinds of lineage event.
enum class lineage_kind : std::uint8_t { continued, born, split, merged, dormant, returned };

/// Stable English name, as changes.json writes it: "continued", "born", ...
[[nodiscard]] KOE_EXPORT const char* to_string(lineage_kind kind) noexcept;
/// Japanese name, as the report writes it: 継続, 新規, 分裂, 統合, 休眠, 再来.
[[nodiscard]] KOE_EXPORT const char* to_japanese(lineage_kind kind) noexcept;

/// One event of a refit.
struct KOE_EXPORT lineage_event {
  lineage_kind kind = lineage_kind::continued;
  int id = 0;                 ///< The cluster the event is about (stable id).
  std::vector<int> parents;   ///< born from a split, merged: the previous ids it came from.
  std::vector<int> children;  ///< split: the new ids its voices went to, the matched one first.
  double similarity = 0;    ///< Centroid cosine with the matched (or main parent) previous cluster.
  double share_before = 0;  ///< Share at the previous fit (0 for born).
  double share_after = 0;   ///< Share at this fit (0 for dormant).

  friend bool operator==(const lineage_event&, const lineage_event&) = default;
};

/**
 * The events of a refit, one per new cluster and one per previous column left unmatched (split
 * parts and merges named from `contingency`), ordered by kind, then id. Deterministic: depends on
 * the comparison's values only.
 */
[[nodiscard]] KOE_EXPORT std::vector<lineage_event> lineage(const refit_comparison& comparison,
                                                            const lineage_options& options = {});

}  // namespace koe
