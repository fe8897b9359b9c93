// Trends over periods: per-period counts of every series, Wilson intervals, the alert test on
// the latest period and the before/after effect of adopted decisions. Every figure is computed
// from integer counts, so nothing depends on the order rows are visited in.
#include <koe/trends.hpp>

#include <koe/assign.hpp>
#include <koe/error.hpp>

#include "detail/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace koe {
namespace {

// Upper tail of the standard normal distribution: P(Z > z).
double normal_upper(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * share);
  return buf;
}

// p-values in the reasons: two significant digits ("0.0031", "2.4e-07").
std::string p_text(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", p);
  return buf;
}

std::string z_text(double z) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", z);
  return buf;
}

std::string counted(const proportion& p) {
  return percent(p.share) + "（" + std::to_string(p.count) + "/" + std::to_string(p.total) +
         " 件）";
}

// Index of `label`'s series: clusters by id, then noise, then new themes.
std::size_t series_index(std::int32_t label, std::size_t clusters) {
  if (label == trend_noise) return clusters;
  if (label == trend_new_theme) return clusters + 1;
  KOE_THROW_IF_NOT(label >= 0 && static_cast<std::size_t>(label) < clusters, errc::invalid_argument,
                   "trend rows: cluster " + std::to_string(label) + " is not among the " +
                       std::to_string(clusters) + " clusters");
  return static_cast<std::size_t>(label);
}

std::string alert_reason(const trend_alert& a) {
  const std::string baseline =
      a.baseline_from == a.baseline_to ? a.baseline_from : a.baseline_from + "〜" + a.baseline_to;
  return "最新の期間 " + a.period + " の割合 " + counted(a.test.after) + "が、それまで（" +
         baseline + "）の " + counted(a.test.before) +
         "より有意に高い（二標本比率の z 検定・片側、z = " + z_text(a.test.z) +
         "、p = " + p_text(a.test.p_greater) + "）";
}

std::string effect_sentence(const decision_effect& e) {
  const std::string head = e.change + "（" + e.date + "）";
  const proportion& b = e.test.before;
  const proportion& a = e.test.after;
  if (a.total == 0)
    return head + "以降の声はまだありません（それまでの割合 " + percent(b.share) + "）";
  if (b.total == 0)
    return head + "より前の声がないため比べられません（以降の割合 " + percent(a.share) + "）";
  std::string out = head + "後、この声の割合は " + percent(b.share) + " → " + percent(a.share);
  if (!e.test.defined) return out;
  if (e.significant)
    out += a.share < b.share ? "（有意に減少、p = " : "（有意に増加、p = ";
  else
    out += "（有意な差はありません、p = ";
  return out + p_text(e.test.p_two_sided) + "）";
}

}  // namespace

const char* to_string(period_unit unit) noexcept {
  switch (unit) {
    case period_unit::day:
      return "day";
    case period_unit::week:
      return "week";
    case period_unit::month:
      return "month";
    case period_unit::quarter:
      return "quarter";
    case period_unit::year:
      return "year";
  }
  return "month";
}

std::string series_name(std::int32_t cluster) {
  if (cluster == trend_noise) return "noise";
  if (cluster == trend_new_theme) return "new_theme";
  return std::to_string(cluster);
}

proportion wilson(std::size_t count, std::size_t total, double z) {
  proportion p;
  p.count = count;
  p.total = total;
  if (total == 0) {
    p.high = 1;
    return p;
  }
  const double n = static_cast<double>(total);
  const double x = static_cast<double>(count) / n;
  const double z2 = z * z;
  const double denom = 1 + z2 / n;
  const double center = (x + z2 / (2 * n)) / denom;
  const double half = z * std::sqrt(x * (1 - x) / n + z2 / (4 * n * n)) / denom;
  p.share = x;
  p.low = count == 0 ? 0.0 : std::max(0.0, center - half);
  p.high = count >= total ? 1.0 : std::min(1.0, center + half);
  return p;
}

proportion_test two_proportion_test(std::size_t before_count, std::size_t before_total,
                                    std::size_t after_count, std::size_t after_total) {
  proportion_test t;
  t.before = wilson(before_count, before_total);
  t.after = wilson(after_count, after_total);
  if (before_total == 0 || after_total == 0) return t;
  const double n1 = static_cast<double>(before_total);
  const double n2 = static_cast<double>(after_total);
  const double pooled = static_cast<double>(before_count + after_count) / (n1 + n2);
  if (pooled <= 0 || pooled >= 1) return t;
  const double se = std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // Yates' continuity correction: counts move in whole voices, and without it the normal tail
  // flags a small cluster's chance rise more often than alpha (docs/trends.md).
  const double diff = t.after.share - t.before.share;
  const double corrected = std::max(0.0, std::abs(diff) - 0.5 * (1 / n1 + 1 / n2));
  t.z = (diff < 0 ? -corrected : corrected) / se;
  t.p_greater = normal_upper(t.z);
  t.p_two_sided = std::min(1.0, 2 * normal_upper(std::abs(t.z)));
  t.defined = true;
  return t;
}

rise_test latest_rise(std::span<const std::size_t> counts, std::span<const std::size_t> totals,
                      const trend_options& options) {
  KOE_THROW_IF_NOT(counts.size() == totals.size(), errc::invalid_argument,
                   "latest_rise: counts and totals differ in length");
  rise_test r;
  const std::size_t n = counts.size();
  if (n < 2) return r;
  const std::size_t last = n - 1;
  r.baseline_first = options.baseline_periods == 0 || options.baseline_periods >= last
                         ? 0
                         : last - options.baseline_periods;
  std::size_t pooled_count = 0, pooled_total = 0;
  for (std::size_t i = r.baseline_first; i < last; ++i) {
    pooled_count += counts[i];
    pooled_total += totals[i];
  }
  r.test = two_proportion_test(pooled_count, pooled_total, counts[last], totals[last]);
  r.rises = r.test.defined && r.test.p_greater < options.alpha &&
            counts[last] >= std::max<std::size_t>(options.min_count, 1);
  return r;
}

trend_rows trend_rows_of(const score_input& in, period_unit unit,
                         std::span<const new_theme_reason> new_theme) {
  KOE_THROW_IF_NOT(in.records != nullptr, errc::invalid_argument, "score_input has no records");
  const std::size_t n = in.rows();
  KOE_THROW_IF_NOT(in.assignment.size() == n && (new_theme.empty() || new_theme.size() == n),
                   errc::invalid_argument, "trend rows: one cluster per row is needed");
  trend_rows rows;
  rows.clusters = in.clusters.size();
  rows.new_theme = !new_theme.empty();
  rows.label.resize(n);
  rows.period.resize(n);
  rows.day.resize(n);
  // Each row is parsed on its own into its own slots: no order to keep.
  detail::parallel_chunks(n, 4096, [&](std::size_t first, std::size_t last) {
    for (std::size_t r = first; r < last; ++r) {
      const bool fresh = !new_theme.empty() && new_theme[r] != new_theme_reason::none;
      rows.label[r] = fresh                  ? trend_new_theme
                      : in.assignment[r] < 0 ? trend_noise
                                             : in.assignment[r];
      const std::string_view stamp = in.records->documents[in.row_document[r]].timestamp;
      if (stamp.empty()) continue;
      rows.period[r] = period_of(stamp, unit);
      rows.day[r] = period_of(stamp, period_unit::day);
    }
  });
  return rows;
}

const trend_series* trend_result::find(std::int32_t cluster) const noexcept {
  for (const auto& s : series)
    if (s.cluster == cluster) return &s;
  return nullptr;
}

const decision_effect* trend_result::effect(std::int32_t cluster) const noexcept {
  for (const auto& e : effects)
    if (e.cluster == cluster) return &e;
  return nullptr;
}

trend_result count_trends(const trend_rows& rows, period_unit unit) {
  KOE_THROW_IF_NOT(rows.period.size() == rows.label.size(), errc::invalid_argument,
                   "trend rows: one period per row is needed");
  trend_result t;
  t.unit = unit;
  t.options.period = unit;
  t.voices = rows.label.size();
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (const auto& p : rows.period) {
    if (!p) {
      ++t.untimed;
      continue;
    }
    first = std::min(first, *p);
    last = std::max(last, *p);
  }
  const std::size_t periods =
      t.untimed == t.voices ? 0 : static_cast<std::size_t>(last - first) + 1;
  for (std::size_t i = 0; i < periods; ++i) {
    t.ordinals.push_back(first + static_cast<std::int64_t>(i));
    t.labels.push_back(period_label(t.ordinals.back(), unit));
  }
  const std::size_t series = rows.clusters + (rows.new_theme ? 2 : 1);
  std::vector<std::vector<std::size_t>> counts(series, std::vector<std::size_t>(periods, 0));
  t.totals.assign(periods, 0);
  for (std::size_t r = 0; r < rows.label.size(); ++r) {
    const std::size_t s = series_index(rows.label[r], rows.clusters);
    KOE_THROW_IF_NOT(s < series, errc::invalid_argument,
                     "trend rows: a new-theme row in a run without new themes");
    if (!rows.period[r]) continue;
    const auto p = static_cast<std::size_t>(*rows.period[r] - first);
    ++counts[s][p];
    ++t.totals[p];
  }
  for (std::size_t s = 0; s < series; ++s) {
    trend_series out;
    out.cluster = s < rows.clusters    ? static_cast<std::int32_t>(s)
                  : s == rows.clusters ? trend_noise
                                       : trend_new_theme;
    for (std::size_t p = 0; p < periods; ++p) {
      out.points.push_back(wilson(counts[s][p], t.totals[p]));
      out.total += counts[s][p];
    }
    t.series.push_back(std::move(out));
  }
  return t;
}

std::vector<trend_alert> find_alerts(const trend_result& t, const trend_options& options) {
  std::vector<trend_alert> out;
  if (t.labels.size() < 2) return out;
  for (const auto& s : t.series) {
    if (s.cluster == trend_noise) continue;  // noise is no theme to act on
    std::vector<std::size_t> counts;
    for (const auto& p : s.points)
      counts.push_back(p.count);
    const rise_test r = latest_rise(counts, t.totals, options);
    if (!r.rises) continue;
    trend_alert a;
    a.cluster = s.cluster;
    a.period = t.labels.back();
    a.baseline_from = t.labels[r.baseline_first];
    a.baseline_to = t.labels[t.labels.size() - 2];
    a.test = r.test;
    a.reason = alert_reason(a);
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<decision_effect> decision_effect_of(const trend_rows& rows, std::int32_t cluster,
                                                  const decision& d, double alpha) {
  const auto date = period_of(d.date, period_unit::day);
  if (!date) return std::nullopt;
  std::size_t before_count = 0, before_total = 0, after_count = 0, after_total = 0;
  for (std::size_t r = 0; r < rows.day.size(); ++r) {
    if (!rows.day[r]) continue;
    const bool in_cluster = rows.label[r] == cluster;
    if (*rows.day[r] < *date) {
      ++before_total;
      before_count += in_cluster ? 1 : 0;
    } else {
      ++after_total;
      after_count += in_cluster ? 1 : 0;
    }
  }
  decision_effect e;
  e.cluster = cluster;
  e.date = d.date;
  e.change = d.reason.empty() ? "採用した対応" : d.reason;
  e.test = two_proportion_test(before_count, before_total, after_count, after_total);
  e.significant = e.test.defined && e.test.p_two_sided < alpha;
  e.sentence = effect_sentence(e);
  return e;
}

std::vector<decision_effect> decision_effects(const trend_rows& rows,
                                              const std::vector<candidate>& candidates,
                                              double alpha) {
  std::vector<decision_effect> out;
  for (const auto& c : candidates) {
    // The effect of a change counts from the day it was adopted, whatever stage it is at now.
    if (!reached_adoption(c.decision.status)) continue;
    const std::vector<decision> history = decision_rows(c);
    const decision* adopted = adoption_row(history);
    if (adopted == nullptr || adopted->date.empty()) continue;
    decision d = *adopted;
    if (d.reason.empty()) d.reason = c.decision.reason;  // what was adopted, as told later
    if (auto e = decision_effect_of(rows, c.cluster, d, alpha)) out.push_back(*e);
  }
  return out;
}

trend_result analyze_trends(const score_input& in, const std::vector<candidate>& candidates,
                            const trend_options& options,
                            std::span<const new_theme_reason> new_theme) {
  const trend_rows rows = trend_rows_of(in, options.period, new_theme);
  trend_result t = count_trends(rows, options.period);
  t.options = options;
  t.alerts = find_alerts(t, options);
  t.effects = decision_effects(rows, candidates, options.alpha);
  return t;
}

}  // namespace koe
