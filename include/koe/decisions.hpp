/// Decisions carried across runs: a team's 採用 / 見送り / 検討中 per cluster, found again by the
/// cluster's key on later runs.
#pragma once

#include <koe/describe.hpp>
#include <koe/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

struct candidate;  // score.hpp

/**
 * What a team decided about a cluster: the stage its decision has reached. A request moves
 * 検討中 → 採用 → 企画化 → 商品化 → 提供開始, or ends at 見送り. The first four values keep the
 * numbers they had before the later stages existed (model files store the words, not numbers).
 */
enum class decision_status : std::uint8_t {
  undecided,    ///< No row of the decisions file matched the cluster.
  adopted,      ///< 採用.
  rejected,     ///< 見送り.
  pending,      ///< 検討中.
  planned,      ///< 企画化: the change is being planned.
  productized,  ///< 商品化: the change is being built.
  launched,     ///< 提供開始: customers have it.
};

/// The names of a decision: English as JSON, CSV and decisions files write it, Japanese as the
/// report, the reasons, the reply drafts and decisions files write it.
struct KOE_EXPORT decision_word {
  decision_status status;
  std::string_view english;
  std::string_view japanese;
};

/// One entry per `decision_status`, in enum order.
inline constexpr std::array<decision_word, 7> decision_words = {{
    {decision_status::undecided, "undecided", "未決定"},
    {decision_status::adopted, "adopted", "採用"},
    {decision_status::rejected, "rejected", "見送り"},
    {decision_status::pending, "pending", "検討中"},
    {decision_status::planned, "planned", "企画化"},
    {decision_status::productized, "productized", "商品化"},
    {decision_status::launched, "launched", "提供開始"},
}};

/// The stages in the order a request moves through them: 検討中, 採用, 企画化, 商品化, 提供開始.
inline constexpr std::array<decision_status, 5> stage_sequence = {
    decision_status::pending, decision_status::adopted, decision_status::planned,
    decision_status::productized, decision_status::launched};

/// Position of `status` in `stage_sequence` (0 for 検討中 … 4 for 提供開始); -1 for undecided
/// and 見送り, which are not on the way.
[[nodiscard]] constexpr int stage_index(decision_status status) noexcept {
  for (std::size_t i = 0; i < stage_sequence.size(); ++i)
    if (stage_sequence[i] == status) return static_cast<int>(i);
  return -1;
}

/// True for 採用 and every stage after it: what the adoption rate counts.
[[nodiscard]] constexpr bool reached_adoption(decision_status status) noexcept {
  return stage_index(status) >= stage_index(decision_status::adopted);
}

/// The stage after `status` on the way (企画化 after 採用); undecided after 提供開始, 見送り and
/// undecided.
[[nodiscard]] constexpr decision_status next_stage(decision_status status) noexcept {
  const int i = stage_index(status);
  return i >= 0 && static_cast<std::size_t>(i) + 1 < stage_sequence.size()
             ? stage_sequence[static_cast<std::size_t>(i) + 1]
             : decision_status::undecided;
}

/// The entry of `decision_words` for `status`.
[[nodiscard]] constexpr const decision_word& word_of(decision_status status) noexcept {
  const auto i = static_cast<std::size_t>(status);
  return decision_words[i < decision_words.size() ? i : 0];
}

/// Stable English name, as written to JSON and CSV: "adopted", ...
[[nodiscard]] KOE_EXPORT const char* to_string(decision_status status) noexcept;
/// Japanese name, as the report and the reasons write it: "採用", ...
[[nodiscard]] KOE_EXPORT const char* to_japanese(decision_status status) noexcept;

/// Options for carrying decisions and overrides across runs.
struct KOE_EXPORT decision_options {
  std::size_t key_terms = 3;  ///< Top terms in a cluster key.
  double min_overlap = 0.5;   ///< Least Jaccard overlap of key terms for a match.
};

/// One row of a decisions file.
struct KOE_EXPORT decision {
  std::string key;  ///< Cluster key the decision was made for (may be empty with `cluster`).
  decision_status status = decision_status::undecided;
  std::string reason;
  std::string date;      ///< As written (ISO dates recommended).
  std::size_t line = 0;  ///< Line in the decisions file; 0 when not from a file.
  double overlap = 0;    ///< Jaccard overlap with the matched cluster's key (after matching).
  /// Stable id of the cluster the decision was made for (the `cluster` column), -1 for none: a
  /// row with an id decides that cluster whatever its key terms have become; a row without one
  /// (or whose cluster is not in the run) is matched by `key`.
  int cluster = -1;

  friend bool operator==(const decision&, const decision&) = default;
};

/**
 * Key of a cluster: its first `terms` distinct top terms (skipping a term contained in one
 * already taken, as the label does), sorted and joined by "+". Unlike the cluster id it survives
 * a re-run with another seed. Example: "アプリ+レシピ+落ちる".
 */
[[nodiscard]] KOE_EXPORT std::string cluster_key(const cluster_description& d,
                                                 std::size_t terms = 3);

/// Jaccard overlap of the terms of two keys ("a+b+c").
[[nodiscard]] KOE_EXPORT double key_overlap(std::string_view a, std::string_view b);

/**
 * Reads a decisions file: UTF-8 CSV with a header naming `key` and `decision` (plus optional
 * `cluster`, `reason` and `date`, in any order). `cluster` is a cluster's stable id (as
 * clusters.json and assignments.csv print it); a row with one may leave `key` empty. Decisions are
 * adopted / rejected / pending, or 採用 / 見送り / 検討中. Throws `errc::invalid_config` naming
 * the file and line.
 *
 * **Example** (decisions.csv)
 * ```
 * key,decision,reason,date
 * 手続き+解約+電話,adopted,解約導線をアプリ内に追加する,2026-11-05
 * ```
 */
[[nodiscard]] KOE_EXPORT std::vector<decision> read_decisions(const std::filesystem::path& path);
/// The same from a stream; `name` is used in messages.
[[nodiscard]] KOE_EXPORT std::vector<decision> read_decisions(std::istream& in,
                                                              const std::string& name);

/**
 * Gives each candidate the decision row naming its cluster id (`decision::cluster`; overlap
 * 1), then each candidate left the row whose key overlaps its key most (Jaccard of key terms, at
 * least `options.min_overlap`). Among equal overlaps, the pair whose decision terms appear more
 * among the candidate's top terms wins, then the later row. One row decides at most one cluster,
 * and a later row with the same key terms replaces an earlier one. Returns the rows that matched
 * nothing.
 */
KOE_EXPORT std::vector<decision> apply_decisions(std::vector<candidate>& candidates,
                                                 const std::vector<decision>& decisions,
                                                 const decision_options& options = {});

}  // namespace koe
