/// Decisions carried across runs: a team's ledger of stage changes per cluster (検討中 → 採用 →
/// 企画化 → 商品化 → 提供開始, or 見送り), found again by the cluster's stable id or key on later
/// runs.
#pragma once

#include <koe/describe.hpp>
#include <koe/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

struct candidate;      // score.hpp
struct stage_options;  // programme.hpp

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

/// One row of a decisions file: a stage a cluster reached, with the date it did.
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
 * The stage a decisions file's word names: a stage's English name (any case) or Japanese name
 * (`decision_words`; "undecided" is not a decision), or an alias of `stages.aliases` (koe.toml
 * `[stages.aliases]`, English compared in any case). None for any other word.
 */
[[nodiscard]] KOE_EXPORT std::optional<decision_status> parse_decision_word(
    std::string_view word, const stage_options& stages);

/**
 * Reads a decisions file: UTF-8 CSV with a header naming `key` and `decision` (plus optional
 * `cluster`, `reason` and `date`, in any order). `cluster` is a cluster's stable id (as
 * clusters.json and assignments.csv print it); a row with one may leave `key` empty. A decision
 * is a stage, as `parse_decision_word` reads it: pending, adopted, planned, productized,
 * launched, rejected, or 検討中, 採用, 企画化, 商品化, 提供開始, 見送り, or an alias of
 * `stages`. The file is a ledger: one row per stage change, any number of rows per cluster
 * (see `apply_decisions`). Throws `errc::invalid_config` naming the file and line (and, for an
 * unknown word, the words allowed).
 *
 * **Example** (decisions.csv)
 * ```
 * cluster,key,decision,reason,date
 * 3,解約+電話+方法,検討中,,2026-08-01
 * 3,,採用,解約導線をアプリ内に追加,2026-09-05
 * 3,,企画化,,2026-10-01
 * ```
 */
[[nodiscard]] KOE_EXPORT std::vector<decision> read_decisions(const std::filesystem::path& path);
/// The same with the aliases of `stages`.
[[nodiscard]] KOE_EXPORT std::vector<decision> read_decisions(const std::filesystem::path& path,
                                                              const stage_options& stages);
/// The same from a stream; `name` is used in messages.
[[nodiscard]] KOE_EXPORT std::vector<decision> read_decisions(std::istream& in,
                                                              const std::string& name);
/// The same from a stream with the aliases of `stages`.
[[nodiscard]] KOE_EXPORT std::vector<decision> read_decisions(std::istream& in,
                                                              const std::string& name,
                                                              const stage_options& stages);

/**
 * The rows of a decisions file in the order they happened: by date, oldest first; a row
 * without a date (or with one that is not a date) counts as the date of the nearest dated row
 * above it in `rows`, or as earlier than every dated row when there is none; equal dates keep
 * the order of `rows`. Returns indices into `rows`.
 */
[[nodiscard]] KOE_EXPORT std::vector<std::size_t> ledger_order(const std::vector<decision>& rows);

/// The decision rows of a candidate, oldest first: `candidate::decision_history`, or its one
/// `decision` when the history is empty (a candidate decided in code); empty when undecided.
[[nodiscard]] KOE_EXPORT std::vector<decision> decision_rows(const candidate& c);

/**
 * The row of a history (oldest first) at which the request was adopted: the first row at 採用
 * or a later stage that has a date, else the first such row; null when no row reached 採用.
 * Example: 検討中 → 企画化 (a jump past 採用) is adopted at the 企画化 row.
 */
[[nodiscard]] KOE_EXPORT const decision* adoption_row(const std::vector<decision>& history);

/**
 * Gives each candidate its thread of decision rows. Rows with the same cluster id
 * (`decision::cluster`), or without one the same key terms, form a thread; in `ledger_order`
 * its rows are the candidate's `decision_history` and the last is its `decision`. A thread
 * matches as one unit: a thread naming a cluster id of the run decides that cluster (overlap 1);
 * then each candidate left takes the thread whose key (its latest row's non-empty key) overlaps
 * its key most (Jaccard of key terms, at least `options.min_overlap`). Among equal overlaps,
 * the pair whose decision terms appear more among the candidate's top terms wins, then the
 * thread whose last row comes later in the file. One thread decides at most one cluster.
 * Returns the current row of every thread that matched nothing, in file order.
 */
KOE_EXPORT std::vector<decision> apply_decisions(std::vector<candidate>& candidates,
                                                 const std::vector<decision>& decisions,
                                                 const decision_options& options = {});

}  // namespace koe
