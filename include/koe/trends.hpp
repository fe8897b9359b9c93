/// Trends over periods: how many voices each cluster got in each week, month or quarter, with
/// Wilson intervals; alerts on a share that rises significantly in the latest period; and, for
/// each adopted decision with a date, the cluster's share before and after it.
#pragma once

#include <koe/export.hpp>
#include <koe/score.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace koe {

enum class new_theme_reason : std::uint8_t;  // assign.hpp

/// The series label of voices that joined no cluster (noise).
inline constexpr std::int32_t trend_noise = -1;
/// The series label of voices `koe assign` found far from every cluster (new themes).
inline constexpr std::int32_t trend_new_theme = -2;

/// Options of the trends, the alerts and the before/after effects (koe.toml `[alerts]`,
/// `--period`; see docs/trends.md).
struct KOE_EXPORT trend_options {
  period_unit period = period_unit::month;  ///< Length of a period of the series.
  /// One-sided significance level of the alert test (and of the effect's two-sided test).
  double alpha = 0.01;
  /// A cluster is flagged only with at least this many voices in the latest period.
  std::size_t min_count = 10;
  /// Previous periods pooled as the baseline of the alert test; 0 = every previous period.
  std::size_t baseline_periods = 0;
};

/// A count out of a total, with its share and Wilson score interval.
struct KOE_EXPORT proportion {
  std::size_t count = 0;
  std::size_t total = 0;
  double share = 0;  ///< count / total; 0 when the total is 0.
  double low = 0;    ///< Wilson interval; [0, 1] when the total is 0.
  double high = 0;

  friend bool operator==(const proportion&, const proportion&) = default;
};

/// `count` out of `total` with the Wilson score interval at normal quantile `z` (1.96 = 95%).
[[nodiscard]] KOE_EXPORT proportion wilson(std::size_t count, std::size_t total,
                                           double z = 1.959963984540054);

/// A two-proportion z-test (pooled standard error) of `after` against `before`.
struct KOE_EXPORT proportion_test {
  proportion before;
  proportion after;
  double z = 0;            ///< (after share - before share) / pooled standard error; 0 when
                           ///< undefined (an empty side, or a pooled share of 0 or 1).
  double p_greater = 1;    ///< One-sided p of "after > before".
  double p_two_sided = 1;  ///< Two-sided p of "after != before".
  bool defined = false;    ///< Both sides have voices and the pooled share is in (0, 1).

  friend bool operator==(const proportion_test&, const proportion_test&) = default;
};

/// The two-proportion z-test of `after_count / after_total` against `before_count / before_total`.
[[nodiscard]] KOE_EXPORT proportion_test two_proportion_test(std::size_t before_count,
                                                             std::size_t before_total,
                                                             std::size_t after_count,
                                                             std::size_t after_total);

/**
 * The alert test of one series: the last period against the pooled previous periods (the last
 * `options.baseline_periods` of them, or all), one-sided. Returns the test; `rises` says whether
 * it is an alert: defined, p_greater < alpha and at least `min_count` voices in the last period.
 * `counts` and `totals` are per period, oldest first.
 */
struct KOE_EXPORT rise_test {
  proportion_test test;
  std::size_t baseline_first = 0;  ///< Index of the first pooled period.
  bool rises = false;
};
[[nodiscard]] KOE_EXPORT rise_test latest_rise(std::span<const std::size_t> counts,
                                               std::span<const std::size_t> totals,
                                               const trend_options& options);

/// One series: a cluster's (or noise's, or new themes') count in every period.
struct KOE_EXPORT trend_series {
  std::int32_t cluster = 0;        ///< Cluster id, `trend_noise` or `trend_new_theme`.
  std::vector<proportion> points;  ///< One per period of `trend_result::labels`.
  std::size_t total = 0;           ///< Timed voices of the series.
};

/// A series whose latest share rose significantly.
struct KOE_EXPORT trend_alert {
  std::int32_t cluster = 0;                ///< Cluster id, `trend_noise` or `trend_new_theme`.
  std::string period;                      ///< The latest period ("2026-10").
  std::string baseline_from, baseline_to;  ///< The pooled previous periods.
  proportion_test test;  ///< before = the pooled baseline, after = the latest period.
  std::string reason;    ///< Japanese, with the shares, counts, z and p.
};

/// An adopted decision's cluster before and after the decision's date.
struct KOE_EXPORT decision_effect {
  std::int32_t cluster = 0;
  std::string date;    ///< The decision's date as written.
  std::string change;  ///< What changed: the decision's reason, or 採用した対応 without one.
  /// before = voices dated before `date`, after = on or after it; shares of all timed voices.
  proportion_test test;
  bool significant = false;  ///< p_two_sided < alpha.
  std::string
      sentence;  ///< 「解約導線をアプリ内に追加（2026-09-05）後、この声の割合は 4.1% → 1.2%…」
};

/// The per-row inputs of the trends: a series label and the period and day of each kept voice.
struct KOE_EXPORT trend_rows {
  std::vector<std::int32_t> label;  ///< Cluster id, `trend_noise` or `trend_new_theme`.
  std::vector<std::optional<std::int64_t>> period;  ///< Period ordinal; none = no or bad time.
  std::vector<std::optional<std::int64_t>> day;     ///< Day ordinal (see `period_of`).
  std::size_t clusters = 0;                         ///< Cluster ids run 0 .. clusters - 1.
  bool new_theme = false;  ///< A model was given: the new-theme series is drawn.
};

/**
 * The rows of `in` (its kept voices, their clusters and the timestamps of their records), with
 * periods of `unit`. `new_theme` (per row, from `koe assign`) marks new-theme voices; empty for
 * a fit, which has no new-theme series. Rows are independent; parsed in parallel blocks.
 */
[[nodiscard]] KOE_EXPORT trend_rows trend_rows_of(const score_input& in, period_unit unit,
                                                  std::span<const new_theme_reason> new_theme = {});

/// Series, alerts and effects of one run.
struct KOE_EXPORT trend_result {
  period_unit unit = period_unit::month;
  trend_options options;               ///< The options the alerts and effects were found with.
  std::vector<std::int64_t> ordinals;  ///< Every period from the first to the last, in order.
  std::vector<std::string> labels;     ///< "2026-10", ... for each ordinal.
  std::vector<std::size_t> totals;     ///< Timed voices of each period.
  std::size_t voices = 0;              ///< Kept voices.
  std::size_t untimed = 0;             ///< Kept voices with no (or an unparseable) time.
  /// Each cluster by id, then noise, then new themes when a model was given. In each period the
  /// counts of every series add up to the period's total.
  std::vector<trend_series> series;
  std::vector<trend_alert> alerts;       ///< Series order.
  std::vector<decision_effect> effects;  ///< Candidate order.

  /// Share of the kept voices with no time.
  [[nodiscard]] double untimed_share() const noexcept {
    return voices == 0 ? 0.0 : static_cast<double>(untimed) / static_cast<double>(voices);
  }
  /// The series of `cluster`; null when there is none.
  [[nodiscard]] const trend_series* find(std::int32_t cluster) const noexcept;
  /// The effect of `cluster`'s decision; null when there is none.
  [[nodiscard]] const decision_effect* effect(std::int32_t cluster) const noexcept;
};

/// The series of `rows` (no alerts, no effects). Counted in integers: the same for any order.
[[nodiscard]] KOE_EXPORT trend_result count_trends(const trend_rows& rows, period_unit unit);

/// The alerts of `t`'s series (`latest_rise` on each), with their reasons.
[[nodiscard]] KOE_EXPORT std::vector<trend_alert> find_alerts(const trend_result& t,
                                                              const trend_options& options);

/// The effect of one adopted decision dated `date` on `cluster`; none when the date has no day.
[[nodiscard]] KOE_EXPORT std::optional<decision_effect> decision_effect_of(const trend_rows& rows,
                                                                           std::int32_t cluster,
                                                                           const decision& d,
                                                                           double alpha = 0.01);

/// The effects of the decisions of `candidates` at 採用 or a later stage, counted from the day
/// each was adopted (`adoption_row` of its history; none without a date), in candidate order.
[[nodiscard]] KOE_EXPORT std::vector<decision_effect> decision_effects(
    const trend_rows& rows, const std::vector<candidate>& candidates, double alpha = 0.01);

/**
 * Everything at once: rows, series, alerts and effects of a scored run.
 *
 * **Example**
 * ```cpp
 * koe::trend_result t = koe::analyze_trends(koe::score_input_of(r), a.candidates, {});
 * for (const auto& alert : t.alerts) std::cout << alert.reason << '\n';
 * ```
 */
[[nodiscard]] KOE_EXPORT trend_result
analyze_trends(const score_input& in, const std::vector<candidate>& candidates,
               const trend_options& options, std::span<const new_theme_reason> new_theme = {});

/// The series name as trends.csv and alerts.json write it: the id, "noise" or "new_theme".
[[nodiscard]] KOE_EXPORT std::string series_name(std::int32_t cluster);

/// The name of a period unit as koe.toml and --period write it: "week", "month", ...
[[nodiscard]] KOE_EXPORT const char* to_string(period_unit unit) noexcept;

}  // namespace koe
