/// Adoption candidates: frequency, impact and difficulty of each cluster, decisions carried across
/// runs, and a per-voice trace with reply drafts.
#pragma once

#include <koe/describe.hpp>
#include <koe/pipeline.hpp>
#include <koe/text_column.hpp>
#include <koe/types.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

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

/// What a team decided about a cluster.
enum class decision_status : std::uint8_t {
  undecided,  ///< No row of the decisions file matched the cluster.
  adopted,    ///< 採用.
  rejected,   ///< 見送り.
  pending,    ///< 検討中.
};

/// Stable English names, as written to JSON and CSV: "low", "quick_win", "adopted", ...
[[nodiscard]] const char* to_string(difficulty_level level) noexcept;
[[nodiscard]] const char* to_string(quadrant q) noexcept;
[[nodiscard]] const char* to_string(decision_status status) noexcept;
/// Japanese names, as the report and the reasons write them: "低", "クイックウィン", "採用", ...
[[nodiscard]] const char* to_japanese(difficulty_level level) noexcept;
[[nodiscard]] const char* to_japanese(quadrant q) noexcept;
[[nodiscard]] const char* to_japanese(decision_status status) noexcept;

/// One entry of the severity lexicon (影響度): a koe term and its weight.
struct severity_entry {
  std::string term;
  int weight = 1;  ///< 1 = notable, 2 = serious, 3 = critical.
};

/// One difficulty rule: terms and globs that indicate an effort level.
struct difficulty_rule {
  difficulty_level level = difficulty_level::medium;
  std::vector<std::string> terms;  ///< Exact koe terms (Latin letters in lower case).
  std::vector<std::string>
      patterns;        ///< Globs over the whole term: `*` any run, `?` one character.
  std::string reason;  ///< Shown in the reasons when the rule matches.
  std::string source;  ///< "FILE:LINE" where the rule was written, for messages.
};

/// A fixed difficulty for one cluster, found again on later runs by its key (see `cluster_key`).
struct difficulty_override {
  std::string key;  ///< Cluster key, e.g. "アプリ+レシピ+落ちる"; matched by term overlap.
  difficulty_level level = difficulty_level::medium;
  std::string reason;  ///< Why the team fixed the level.
};

/// Length of the periods that growth compares.
enum class period_unit { day, week, month, quarter, year };

/// Options for the frequency score (頻度).
struct frequency_options {
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
struct impact_options {
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
struct difficulty_options {
  std::vector<difficulty_rule> rules;  ///< Empty = every cluster is unknown.
  std::vector<difficulty_override> overrides;
  std::size_t top_terms = 10;  ///< How many of a cluster's top terms the rules look at.
  double low = 0.2;            ///< Score of each level, in [0, 1].
  double medium = 0.5;
  double high = 0.8;
  double unknown = 0.65;  ///< Between medium and high: unknown effort is rarely small.
};

/// Options for the adoption score, the team's rule, quadrants and the small-cluster flag.
struct adoption_options {
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

/// Options for carrying decisions and overrides across runs.
struct decision_options {
  std::size_t key_terms = 3;  ///< Top terms in a cluster key.
  double min_overlap = 0.5;   ///< Least Jaccard overlap of key terms for a match.
};

/**
 * Reply drafts for contributors. Placeholders: {voice} (the voice, shortened), {label},
 * {count} (voices in the cluster), {decision} (a word below), {reason} (the decision's reason),
 * {id}; `{{` and `}}` are literal braces.
 */
struct reply_options {
  std::string decided_template =
      "ご意見『{voice}』は『{label}』についての声 {count} "
      "件とともに検討し、{decision}となりました。{reason}";
  /// Used while a cluster is pending or undecided.
  std::string pending_template =
      "ご意見『{voice}』は『{label}』についての声 {count} 件とともに、現在{decision}です。";
  /// Used for voices that joined no cluster (noise).
  std::string unclustered_template =
      "ご意見『{voice}』をお寄せいただき、ありがとうございます。担当者が個別に確認いたします。";
  std::size_t voice_chars = 40;  ///< {voice} is cut to this many characters, with "…".
  std::string adopted = "採用";
  std::string rejected = "見送り";
  std::string pending = "検討中";
};

/// Everything scoring reads; load it from TOML with `load_score_config`.
struct score_options {
  frequency_options frequency;
  impact_options impact;
  difficulty_options difficulty;
  adoption_options adoption;
  decision_options decisions;
  reply_options reply;
};

/// Frequency signals of one cluster.
struct frequency_signal {
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
struct impact_signal {
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
struct difficulty_signal {
  difficulty_level level = difficulty_level::unknown;
  std::vector<std::string> matched_terms;  ///< Top terms matched by a rule of `level`.
  std::vector<std::string> rule_reasons;   ///< Reasons of the rules that matched them.
  bool overridden = false;                 ///< Set by a `difficulty_override`.
  std::string override_key, override_reason;
};

/// The four scores, each in [0, 1].
struct score_set {
  double frequency = 0;
  double impact = 0;
  double difficulty = 0;  ///< Higher = more effort.
  double adoption = 0;
};

/// One row of a decisions file.
struct decision {
  std::string key;  ///< Cluster key the decision was made for.
  decision_status status = decision_status::undecided;
  std::string reason;
  std::string date;      ///< As written (ISO dates recommended).
  std::size_t line = 0;  ///< Line in the decisions file; 0 when not from a file.
  double overlap = 0;    ///< Jaccard overlap with the matched cluster's key (after matching).
};

/// A cluster scored as an adoption candidate.
struct candidate {
  int cluster = 0;  ///< Cluster id (index into `analysis_result::descriptions`).
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
};

/// What became of one input record (12 bytes, so that a trace of millions stays small).
struct trace_row {
  record_status status = record_status::kept;
  bool clustered = false;  ///< False for noise, empty and rejected records.
  decision_status decision = decision_status::undecided;
  std::int32_t cluster = -1;
  std::uint32_t rank = 0;  ///< Rank of the candidate fed (`candidates[rank - 1]`); 0 when none.
};

/// What became of every input record, in input order: row `i` is about
/// `analysis_result::input.documents[i]` (its id is there), and `replies[i]` is its reply draft.
struct trace_table {
  std::vector<trace_row> rows;
  text_column replies;  ///< Empty for a record with no contributor to reply to.

  [[nodiscard]] std::size_t size() const noexcept { return rows.size(); }
  [[nodiscard]] bool empty() const noexcept { return rows.empty(); }
  [[nodiscard]] const trace_row& operator[](std::size_t i) const noexcept { return rows[i]; }
  [[nodiscard]] auto begin() const noexcept { return rows.begin(); }
  [[nodiscard]] auto end() const noexcept { return rows.end(); }
};

/// A critical lexicon term (weight 3) and where its voices went: a severe signal split across
/// clusters, or merged into a large unrelated one, stays in view.
struct critical_signal {
  std::string term;
  std::size_t voices = 0;  ///< Kept voices with the term.
  std::vector<std::pair<int, std::size_t>>
      clusters;  ///< Cluster id (-1 = noise), voices; most first.
};

/// Everything `assess` produces.
struct adoption_result {
  std::vector<candidate> candidates;          ///< Best first.
  std::vector<decision> unmatched_decisions;  ///< Decision rows that matched no cluster.
  trace_table trace;                          ///< One row per input record, in input order.
  std::vector<std::string> notes;             ///< Signals that were missing (Japanese).
  std::vector<critical_signal> critical;      ///< See `critical_signals`.
  adoption_options adoption;  ///< Weights and thresholds in effect, for drawing and explaining.

  /// The label of the candidate `t` fed; empty when it fed none.
  [[nodiscard]] const std::string& label_of(const trace_row& t) const noexcept {
    static const std::string none;
    return t.rank >= 1 && t.rank <= candidates.size() ? candidates[t.rank - 1].label : none;
  }
};

/**
 * Scores every non-empty cluster of `r` and ranks them by adoption score (ties: higher impact,
 * then lower cluster id). Deterministic.
 *
 * **Example**
 * ```cpp
 * auto r = koe::pipeline({}).run("voices.csv");
 * auto c = koe::score(r, koe::default_score_options());
 * std::cout << c.front().label << ' ' << c.front().scores.adoption << '\n';
 * ```
 */
[[nodiscard]] std::vector<candidate> score(const analysis_result& r,
                                           const score_options& options = {});

/// Critical lexicon terms (weight 3) found in at least `min_voices` kept voices, most voices first,
/// each with the clusters its voices fell into.
[[nodiscard]] std::vector<critical_signal> critical_signals(const analysis_result& r,
                                                            const score_options& options = {},
                                                            std::size_t min_voices = 3);

/// Notes on corpus-level signals that `score` could not use (no rating column, ...), Japanese.
[[nodiscard]] std::vector<std::string> signal_notes(const analysis_result& r,
                                                    const score_options& options = {});

/**
 * Difficulty of a cluster from its top terms: the level with most matching terms wins, ties go
 * to the higher effort, no match gives `unknown`. Overrides are not applied here.
 */
[[nodiscard]] difficulty_signal rate_difficulty(const std::vector<std::string>& top_terms,
                                                const std::vector<difficulty_rule>& rules);

/// True when `term` matches `pattern` as a whole (`*` any run of characters, `?` one character).
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view term);

/**
 * Key of a cluster: its first `terms` distinct top terms (skipping a term contained in one
 * already taken, as the label does), sorted and joined by "+". Unlike the cluster id it survives
 * a re-run with another seed. Example: "アプリ+レシピ+落ちる".
 */
[[nodiscard]] std::string cluster_key(const cluster_description& d, std::size_t terms = 3);

/// Jaccard overlap of the terms of two keys ("a+b+c").
[[nodiscard]] double key_overlap(std::string_view a, std::string_view b);

/**
 * Reads a decisions file: UTF-8 CSV with a header naming `key` and `decision` (plus optional
 * `reason` and `date`, in any order). Decisions are adopted / rejected / pending, or 採用 / 見送り
 * / 検討中. Throws `errc::invalid_config` naming the file and line.
 *
 * **Example** (decisions.csv)
 * ```
 * key,decision,reason,date
 * 手続き+解約+電話,adopted,解約導線をアプリ内に追加する,2026-11-05
 * ```
 */
[[nodiscard]] std::vector<decision> read_decisions(const std::filesystem::path& path);
/// The same from a stream; `name` is used in messages.
[[nodiscard]] std::vector<decision> read_decisions(std::istream& in, const std::string& name);

/**
 * Gives each candidate the decision row whose key overlaps its key most (Jaccard of key terms, at
 * least `options.min_overlap`). Among equal overlaps, the pair whose decision terms appear more
 * among the candidate's top terms wins, then the later row. One row decides at most one cluster,
 * and a later row with the same key terms replaces an earlier one. Returns the rows that matched
 * nothing.
 */
std::vector<decision> apply_decisions(std::vector<candidate>& candidates,
                                      const std::vector<decision>& decisions,
                                      const decision_options& options = {});

/// One trace row per input record, with reply drafts for records that have a contributor.
[[nodiscard]] trace_table trace(const analysis_result& r, const std::vector<candidate>& candidates,
                                const score_options& options = {});

/// Fills `template_text` for one voice; throws `errc::invalid_config` on an unknown placeholder.
[[nodiscard]] std::string fill_reply(std::string_view template_text,
                                     const std::map<std::string, std::string>& values);

/**
 * The whole step: `score`, `apply_decisions`, `trace` and `signal_notes`.
 *
 * **Example**
 * ```cpp
 * auto opt = koe::load_score_config("koe.toml");
 * auto a = koe::assess(r, opt, koe::read_decisions("decisions.csv"));
 * ```
 */
[[nodiscard]] adoption_result assess(const analysis_result& r, const score_options& options,
                                     const std::vector<decision>& decisions = {});

/// Reads a severity lexicon (term<TAB>weight, # comments). Throws naming the file and line.
[[nodiscard]] std::vector<severity_entry> read_severity_lexicon(const std::filesystem::path& path);

/// Reads difficulty rules (TOML, `[[rule]]` tables). Throws naming the file, key and line.
[[nodiscard]] std::vector<difficulty_rule> read_difficulty_rules(const std::filesystem::path& path);

/// Defaults plus the bundled lexicon and rules from `data_directory()`; throws `io_failure` when
/// the bundled data cannot be found.
[[nodiscard]] score_options default_score_options();

/**
 * Reads a koe.toml (see docs/scoring.md). Keys left out keep their defaults; the lexicon and
 * rules are the bundled ones unless the file names others (paths relative to the file). An
 * unknown key or a bad value throws `errc::invalid_config` naming the key and the line.
 *
 * **Example**
 * ```cpp
 * koe::score_options o = koe::load_score_config("koe.toml");
 * ```
 */
[[nodiscard]] score_options load_score_config(const std::filesystem::path& path);

/// The same from TOML text; `name` is used in messages, `base_dir` resolves relative paths.
[[nodiscard]] score_options parse_score_config(std::string_view toml, const std::string& name,
                                               const std::filesystem::path& base_dir = {});

/// The lexicon entries of `options` that scoring looks for in the text itself (those of
/// `surface_min_chars` characters or more), once each: give them to `pipeline_options::phrases`
/// so that they are found while the texts are at hand.
[[nodiscard]] std::vector<std::string> surface_phrases(const score_options& options);

}  // namespace koe
