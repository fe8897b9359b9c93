/// What changed since the previous fit, as people read it: changes.json, the report's section
/// 前回からの変化 and the decisions a split cluster's parts are offered. All read the lineage
/// events of a refit (koe/lineage.hpp).
#pragma once

#include <koe/decisions.hpp>
#include <koe/export.hpp>
#include <koe/lineage.hpp>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace koe {

/// A decision offered to a cluster born from a split: its parent's decision, shown as a
/// candidate to carry over, never applied by itself.
struct KOE_EXPORT offered_decision {
  int id = 0;        ///< The part born from the split.
  int parent = 0;    ///< The split cluster whose decision is offered.
  decision offered;  ///< The parent's decision.
  std::string note;  ///< 「分裂前のクラスタ #3 の決定（採用）を引き継ぎ候補として表示」

  friend bool operator==(const offered_decision&, const offered_decision&) = default;
};

/// The events of a refit with what is needed to show them.
struct KOE_EXPORT lineage_report {
  std::string previous_period;        ///< Period label of the previous fit; may be empty.
  std::string period;                 ///< Period label of this fit; may be empty.
  std::vector<lineage_event> events;  ///< As `lineage` returns them.
  /// Label of each stable id: this fit's for its clusters, the previous model's for ids that no
  /// cluster of this fit holds. An id without one is shown as "#id".
  std::map<int, std::string> labels;
  /// Decisions offered to the parts of split clusters (`offer_split_decisions`), once the run's
  /// decisions are matched; listed in changes.json and under 分裂・統合 in the report.
  std::vector<offered_decision> offered;

  friend bool operator==(const lineage_report&, const lineage_report&) = default;
};

/// The report of `comparison`'s events: its period labels and `lineage(comparison, options)`.
[[nodiscard]] KOE_EXPORT lineage_report make_lineage_report(const refit_comparison& comparison,
                                                            std::map<int, std::string> labels,
                                                            const lineage_options& options = {});

/**
 * Writes changes.json (docs/outputs.md): `{"format_version", "previous_period", "period",
 * "counts": {kind: n}, "events": [{kind, id, label, parents, children, similarity,
 * share_before, share_after}]}`, events in the order given, kinds by their English names
 * (`to_string`). Bytes depend only on `report`.
 */
KOE_EXPORT void write_changes_json(std::ostream& out, const lineage_report& report);

/// The text `write_changes_json` writes.
[[nodiscard]] KOE_EXPORT std::string changes_json(const lineage_report& report);

/**
 * Writes the report section 前回からの変化 (one `<section>` of HTML, in Japanese): new themes,
 * the largest risers and fallers (share before → after), splits and merges, dormant and returned
 * clusters. Every label is escaped.
 */
KOE_EXPORT void write_changes_html(std::ostream& out, const lineage_report& report,
                                   std::size_t top = 5);

/**
 * For each cluster born from a split (`born` with parents) that has no decision of its own in
 * `decisions` (keyed by stable id; an undecided entry counts as none), the decision of its first
 * parent that has one, marked by a note. The part matched to the parent keeps the parent's id
 * and so its decision, and needs no offer. Ordered by id.
 */
[[nodiscard]] KOE_EXPORT std::vector<offered_decision> offer_split_decisions(
    const std::vector<lineage_event>& events, const std::map<int, decision>& decisions);

}  // namespace koe
