/// Adoption candidates: the frequency, impact, difficulty and adoption scores of each cluster,
/// computed from explicit per-row and per-cluster inputs (see `score_input`).
#pragma once

#include <koe/decisions.hpp>
#include <koe/describe.hpp>
#include <koe/export.hpp>
#include <koe/normalize.hpp>
#include <koe/terms.hpp>
#include <koe/text_column.hpp>
#include <koe/types.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koe {

struct score_options;  // score_config.hpp: every part's options together

/// Implementation effort (実装難易度) of a cluster.
enum class difficulty_level {
  unknown,  ///< No rule matched the cluster's top terms; shown as such, never taken as low.
  low,      ///< Wording, labels, guidance: an editor or a designer can ship it.
  medium,   ///< One product flow, option or operation: a team, a sprint.
  high,     ///< Platform, infrastructure, partner or logistics work: several teams, a quarter.
};

/// Impact × difficulty quadrant.
enum class quadrant {
  quick_win,   ///< High impact, low effort (クイックウィン).
  big_bet,     ///< High impact, high effort (大型投資).
  fill_in,     ///< Low impact, low effort (すき間対応).
  reconsider,  ///< Low impact, high effort (再検討).
};

/// Stable English names, as written to JSON and CSV: "low", "quick_win", ...
[[nodiscard]] KOE_EXPORT const char* to_string(difficulty_level level) noexcept;
[[nodiscard]] KOE_EXPORT const char* to_string(quadrant q) noexcept;
/// Japanese names, as the report and the reasons write them: "低", "クイックウィン", ...
[[nodiscard]] KOE_EXPORT const char* to_japanese(difficulty_level level) noexcept;
[[nodiscard]] KOE_EXPORT const char* to_japanese(quadrant q) noexcept;

/// One entry of the severity lexicon (影響度): a koe term and its weight.
struct KOE_EXPORT severity_entry {
  std::string term;
  int weight = 1;  ///< 1 = notable, 2 = serious, 3 = critical.
};

/// One difficulty rule: terms and globs that indicate an effort level.
struct KOE_EXPORT difficulty_rule {
  difficulty_level level = difficulty_level::medium;
  std::vector<std::string> terms;  ///< Exact koe terms (Latin letters in lower case).
  std::vector<std::string>
      patterns;        ///< Globs over the whole term: `*` any run, `?` one character.
  std::string reason;  ///< Shown in the reasons when the rule matches.
  std::string source;  ///< "FILE:LINE" where the rule was written, for messages.
};

/// A fixed difficulty for one cluster, found again on later runs by its key (see `cluster_key`).
struct KOE_EXPORT difficulty_override {
  std::string key;  ///< Cluster key, e.g. "アプリ+レシピ+落ちる"; matched by term overlap.
  difficulty_level level = difficulty_level::medium;
  std::string reason;  ///< Why the team fixed the level.
};

/// Length of the periods that growth compares.
enum class period_unit { day, week, month, quarter, year };

/// Options for the frequency score (頻度).
struct KOE_EXPORT frequency_options {
  std::string contributor_column = "contributor";  ///< Meta column naming the writer, if any.
  period_unit period = period_unit::month;         ///< Growth compares the last two periods.
  /// A cluster holding this share of the kept voices gets the full size score; smaller clusters
  /// get sqrt(share / full_share), so small clusters stay visible.
  double full_share = 0.15;
  /// Added for growth: weight × log2(latest share / previous share), clamped to [-1, 1].
  double growth_weight = 0.2;
  /// Growth is computed only when the cluster has this many voices in the two periods together.
  std::size_t growth_min_voices = 5;
};

/// Options for the impact score (影響度). Each signal is optional; missing data drops it.
struct KOE_EXPORT impact_options {
  std::string rating_column = "rating";    ///< Numeric rating column, if any.
  std::string segment_column = "segment";  ///< Customer segment column, if any.
  bool higher_rating_is_better = true;
  /// Two-sided confidence of the interval around the rating gap; the score uses its lower end.
  double confidence = 0.95;
  std::vector<severity_entry> severity;  ///< Severity lexicon; empty = no severity signal.
  /// Lexicon entries of at least this many characters are also found as substrings of the
  /// normalized text (for entries that are several morphemes, such as 二重請求); 0 = never.
  std::size_t surface_min_chars = 3;
  /// Segment value → weight (e.g. premium = 2.0); unlisted segments weigh 1.
  std::map<std::string, double> segment_weights;
  double rating_weight = 1.0;      ///< Weight of the rating signal in the impact score.
  double severity_weight = 1.0;    ///< Weight of the severity signal.
  double negativity_weight = 0.5;  ///< Weight of the share of voices with a negated term.
  double segment_weight = 0.5;     ///< Weight of the segment signal.
};

/// Options for the difficulty score (実装難易度).
struct KOE_EXPORT difficulty_options {
  std::vector<difficulty_rule> rules;  ///< Empty = every cluster is unknown.
  std::vector<difficulty_override> overrides;
  std::size_t top_terms = 10;  ///< How many of a cluster's top terms the rules look at.
  double low = 0.2;            ///< Score of each level, in [0, 1].
  double medium = 0.5;
  double high = 0.8;
  double unknown = 0.65;  ///< Between medium and high: unknown effort is rarely small.
};

/// Options for the adoption score, the team's rule, quadrants and the small-cluster flag.
struct KOE_EXPORT adoption_options {
  /// adoption = weighted mean of frequency, impact and ease = 1 - difficulty. Impact weighs most
  /// because it is the reason to act; ease least because difficulty is a guess from rules.
  double frequency_weight = 1.0;
  double impact_weight = 2.0;
  double ease_weight = 0.5;
  double min_frequency = 0.3;     ///< A candidate is recommended when frequency >= min_frequency,
  double min_impact = 0.3;        ///< impact >= min_impact
  double max_difficulty = 0.8;    ///< and difficulty <= max_difficulty.
  double impact_split = 0.3;      ///< Quadrants: high impact when impact >= impact_split,
  double difficulty_split = 0.5;  ///< low effort when difficulty <= difficulty_split.
  double small_share = 0.05;      ///< Flagged as small but high-impact when share < small_share
  double small_impact = 0.45;     ///< and impact >= small_impact.
};

/// Frequency signals of one cluster.
struct KOE_EXPORT frequency_signal {
  std::size_t voices = 0;         ///< Voices in the cluster, repeats included.
  double share = 0;               ///< voices / kept voices.
  bool has_contributors = false;  ///< The corpus has a contributor column.
  std::size_t contributors = 0;   ///< Distinct non-empty contributors.
  bool has_growth = false;        ///< Both periods exist and the cluster has enough voices.
  std::string latest_period, previous_period;  ///< "2026-10", "2026-W40", "2026-Q4", ...
  std::size_t latest_voices = 0, previous_voices = 0;
  double latest_share = 0, previous_share = 0;  ///< Cluster share of the period's voices.
  double growth = 1;                            ///< Smoothed latest / previous share.
};

/// Impact signals of one cluster. `has_*` says whether the signal was available.
struct KOE_EXPORT impact_signal {
  bool has_rating = false;  ///< The corpus has usable ratings (the cluster may still lack them).
  std::size_t rated = 0;    ///< Rated voices in the cluster.
  double mean_rating = 0, rest_mean_rating = 0;
  /// Rest mean minus cluster mean (sign flipped when lower ratings are better), with its
  /// confidence interval (Welch's t); `gap_low` is what the score uses.
  double gap = 0, gap_low = 0, gap_high = 0;
  double rating_term = 0;     ///< clamp(gap_low / standard deviation of all ratings, 0, 1).
  bool has_severity = false;  ///< The lexicon is not empty.
  double severity_term = 0;   ///< Mean over voices of (strongest lexicon hit / 3).
  std::size_t severe_voices = 0;
  std::vector<std::pair<std::string, std::size_t>> severity_hits;  ///< Term, voices; most first.
  double negativity_term = 0;  ///< Share of voices with a negated term (…ない).
  std::size_t negated_voices = 0;
  bool has_segment = false;  ///< The segment column exists and weights are configured.
  double mean_segment_weight = 1;
  double segment_term = 0;  ///< (mean weight - 1) / (largest weight - 1).
};

/// Difficulty of one cluster and why.
struct KOE_EXPORT difficulty_signal {
  difficulty_level level = difficulty_level::unknown;
  std::vector<std::string> matched_terms;  ///< Top terms matched by a rule of `level`.
  std::vector<std::string> rule_reasons;   ///< Reasons of the rules that matched them.
  bool overridden = false;                 ///< Set by a `difficulty_override`.
  std::string override_key, override_reason;
};

/// Who decides on a cluster (担当), from the owner rules (data/owner-rules.toml) or an override
/// keyed by the cluster's stable id. A cluster that no rule matches has no owner: `assigned` is
/// false and the report says 担当未定, never a default department.
struct KOE_EXPORT owner_signal {
  bool assigned = false;
  std::string owner;                       ///< Department, e.g. 物流; empty when not assigned.
  std::string role;                        ///< Role within it, e.g. 配送品質; may be empty.
  std::vector<std::string> matched_terms;  ///< Top terms the winning owner's rules matched.
  std::string rule_reason;                 ///< The matched rule's `reason` (or the override's).
  std::size_t rule_line = 0;  ///< Line of the matched rule in its file; 0 for an override.
  bool overridden = false;    ///< Set by an override for this cluster id.
};

/// The four scores, each in [0, 1].
struct KOE_EXPORT score_set {
  double frequency = 0;
  double impact = 0;
  double difficulty = 0;  ///< Higher = more effort.
  double adoption = 0;
};

/// A cluster scored as an adoption candidate.
struct KOE_EXPORT candidate {
  int cluster = 0;  ///< Stable cluster id: the `id` of its `score_input::clusters` entry.
  std::string key;  ///< Stable key: sorted top terms joined by "+".
  std::string label;
  std::vector<std::string> top_terms;  ///< The cluster's most distinctive terms, best first.
  std::size_t rank = 0;                ///< 1 = best adoption score.
  score_set scores;
  quadrant quad = quadrant::reconsider;
  bool recommended = false;        ///< Meets the team's rule in `adoption_options`.
  bool small_high_impact = false;  ///< Small but severe: keep it in view.
  frequency_signal frequency;
  impact_signal impact;
  difficulty_signal difficulty;
  std::vector<std::string> reasons;          ///< Human-readable, one per score and flag (Japanese).
  std::vector<std::size_t> representatives;  ///< Rows, as in `cluster_description`.
  koe::decision decision;                    ///< `undecided` until `apply_decisions` matches one.
  /// Every decision row for this cluster, oldest first (by date, then by line): the stages it
  /// went through. `decision` is the last of them; empty when undecided.
  std::vector<koe::decision> decision_history;
  owner_signal owner;  ///< Filled by `assign_owners` (programme.hpp).
};

/// A critical lexicon term (weight 3) and where its voices went: a severe signal split across
/// clusters, or merged into a large unrelated one, stays in view.
struct KOE_EXPORT critical_signal {
  std::string term;
  std::size_t voices = 0;  ///< Kept voices with the term.
  std::vector<std::pair<int, std::size_t>>
      clusters;  ///< Cluster id (-1 = noise), voices; most first.
};

/**
 * What scoring reads, borrowed from the caller (nothing is copied; everything must outlive the
 * call). Rows are the kept voices; `koe::score_input_of` (assess.hpp) fills it from a run.
 */
struct KOE_EXPORT score_input {
  const corpus* records = nullptr;  ///< Every record read: meta columns, timestamps, raw texts.
  std::span<const std::size_t> row_document;      ///< Index into `records->documents` of each row.
  std::span<const std::int32_t> assignment;       ///< Index into `clusters` per row, -1 = noise.
  std::span<const cluster_description> clusters;  ///< By row; each `id` is the stable id.
  const term_table* terms = nullptr;  ///< Terms of each row; null = no lexicon hits by term.
  /// Normalized text of each row; null or shorter than the rows when not kept.
  const text_column* normalized = nullptr;
  /// How the texts were normalized, to normalize a raw text again; null = the defaults.
  const normalize_options* normalization = nullptr;
  std::span<const std::string> phrases;  ///< Phrases looked for while the texts were at hand.
  /// (row, index into `phrases`) of each phrase found, by row, then by phrase.
  std::span<const std::pair<std::size_t, std::uint32_t>> phrase_hits;

  [[nodiscard]] std::size_t rows() const noexcept { return row_document.size(); }
};

/// Candidates, notes and critical signals from one pass over the rows.
struct KOE_EXPORT scored_clusters {
  std::vector<candidate> candidates;      ///< Best first.
  std::vector<std::string> notes;         ///< See `signal_notes`.
  std::vector<critical_signal> critical;  ///< See `critical_signals`.
};

/**
 * Scores every non-empty cluster of `in` and ranks them by adoption score (ties: higher impact,
 * then lower cluster id). Deterministic.
 */
[[nodiscard]] KOE_EXPORT std::vector<candidate> score(const score_input& in,
                                                      const score_options& options);

/// Critical lexicon terms (weight 3) found in at least `min_voices` kept voices, most voices first,
/// each with the clusters its voices fell into.
[[nodiscard]] KOE_EXPORT std::vector<critical_signal> critical_signals(const score_input& in,
                                                                       const score_options& options,
                                                                       std::size_t min_voices = 3);

/// Notes on corpus-level signals that `score` could not use (no rating column, ...), Japanese.
[[nodiscard]] KOE_EXPORT std::vector<std::string> signal_notes(const score_input& in,
                                                               const score_options& options);

/// `score`, `signal_notes` and `critical_signals` (with `critical_min_voices`) reading the rows
/// once.
[[nodiscard]] KOE_EXPORT scored_clusters score_clusters(const score_input& in,
                                                        const score_options& options,
                                                        std::size_t critical_min_voices = 3);

/**
 * Difficulty of a cluster from its top terms: the level with most matching terms wins, ties go
 * to the higher effort, no match gives `unknown`. Overrides are not applied here.
 */
[[nodiscard]] KOE_EXPORT difficulty_signal rate_difficulty(
    const std::vector<std::string>& top_terms, const std::vector<difficulty_rule>& rules);

/// True when `term` matches `pattern` as a whole (`*` any run of characters, `?` one character).
[[nodiscard]] KOE_EXPORT bool glob_match(std::string_view pattern, std::string_view term);

/// Label of a period ordinal as frequency signals write it: "2026-10-03", "2026-W40",
/// "2026-10", "2026-Q4", "2026". Ordinals count periods from 1970 (days, Monday weeks from
/// 1969-12-29, months and quarters from year 0, years).
[[nodiscard]] KOE_EXPORT std::string period_label(std::int64_t ordinal, period_unit unit);

/// Ordinal of the period holding the date of `timestamp` ("2026-10-03", "2026/10/3",
/// "2026-10-03T12:00:00+09:00", "2026-10"); none when it holds no date.
[[nodiscard]] KOE_EXPORT std::optional<std::int64_t> period_of(std::string_view timestamp,
                                                               period_unit unit);

}  // namespace koe
