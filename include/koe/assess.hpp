/// The scoring step on a whole run: builds the explicit inputs of score.hpp and trace.hpp from an
/// `analysis_result`, then scores, applies decisions, traces and notes missing signals.
#pragma once

#include <koe/decisions.hpp>
#include <koe/export.hpp>
#include <koe/pipeline.hpp>
#include <koe/score.hpp>
#include <koe/score_config.hpp>
#include <koe/trace.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace koe {

/// The scoring inputs of `r`, borrowing from it (`r` must outlive the result).
[[nodiscard]] KOE_EXPORT score_input score_input_of(const analysis_result& r);

/// Everything `assess` produces.
struct KOE_EXPORT adoption_result {
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
[[nodiscard]] KOE_EXPORT std::vector<candidate> score(const analysis_result& r,
                                                      const score_options& options = {});

/// Critical lexicon terms (weight 3) found in at least `min_voices` kept voices, most voices first,
/// each with the clusters its voices fell into.
[[nodiscard]] KOE_EXPORT std::vector<critical_signal> critical_signals(
    const analysis_result& r, const score_options& options = {}, std::size_t min_voices = 3);

/// Notes on corpus-level signals that `score` could not use (no rating column, ...), Japanese.
[[nodiscard]] KOE_EXPORT std::vector<std::string> signal_notes(const analysis_result& r,
                                                               const score_options& options = {});

/// One trace row per input record, with reply drafts for records that have a contributor.
[[nodiscard]] KOE_EXPORT trace_table trace(const analysis_result& r,
                                           const std::vector<candidate>& candidates,
                                           const score_options& options = {});

/**
 * The whole step: `score`, `apply_decisions`, `trace` and `signal_notes`.
 *
 * **Example**
 * ```cpp
 * auto opt = koe::load_score_config("koe.toml");
 * auto a = koe::assess(r, opt, koe::read_decisions("decisions.csv"));
 * ```
 */
[[nodiscard]] KOE_EXPORT adoption_result assess(const analysis_result& r,
                                                const score_options& options,
                                                const std::vector<decision>& decisions = {});

}  // namespace koe
