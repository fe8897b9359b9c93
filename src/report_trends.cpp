// Trend outputs: trends.csv (one row per series and period), alerts.json, the trend fields of
// clusters.json and candidates.json, and the report's section of small trend lines (inline SVG).
#include <koe/report.hpp>

#include "detail/report.hpp"
#include "detail/trends_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace koe::detail {
namespace {

using json = nlohmann::ordered_json;

json proportion_json(const proportion& p) {
  return {{"count", p.count},
          {"total", p.total},
          {"share", rounded(p.share)},
          {"low", rounded(p.low)},
          {"high", rounded(p.high)}};
}

// The label of a series: the cluster's label, ノイズ or 新しいテーマ.
std::string series_label(const analysis_result& r, std::int32_t cluster) {
  if (cluster == trend_noise) return "ノイズ";
  if (cluster == trend_new_theme) return "新しいテーマ";
  const auto i = static_cast<std::size_t>(cluster);
  return i < r.descriptions.size() ? r.descriptions[i].label : std::string();
}

const trend_result* trends_of(const report_options& ro) {
  return ro.trends;
}

}  // namespace

json trend_json(const trend_result& t, const trend_series& s) {
  json out = json::array();
  for (std::size_t p = 0; p < s.points.size() && p < t.labels.size(); ++p) {
    json point = {{"period", t.labels[p]}};
    point.update(proportion_json(s.points[p]));
    out.push_back(std::move(point));
  }
  return out;
}

json trends_summary_json(const trend_result& t) {
  json j = {{"period", to_string(t.unit)}, {"periods", t.labels},
            {"totals", t.totals},          {"voices", t.voices},
            {"untimed", t.untimed},        {"untimed_share", rounded(t.untimed_share())}};
  if (const trend_series* noise = t.find(trend_noise)) j["noise"] = trend_json(t, *noise);
  if (const trend_series* fresh = t.find(trend_new_theme)) j["new_theme"] = trend_json(t, *fresh);
  j["alerts"] = t.alerts.size();
  return j;
}

json alert_json(const trend_alert& a, const std::string& label) {
  return {{"cluster", series_name(a.cluster)},
          {"label", label},
          {"period", a.period},
          {"baseline_from", a.baseline_from},
          {"baseline_to", a.baseline_to},
          {"latest", proportion_json(a.test.after)},
          {"baseline", proportion_json(a.test.before)},
          {"z", rounded(a.test.z, 4)},
          {"p", a.test.p_greater},
          {"reason", a.reason}};
}

json effect_json(const decision_effect& e) {
  return {{"date", e.date},
          {"change", e.change},
          {"before", proportion_json(e.test.before)},
          {"after", proportion_json(e.test.after)},
          {"test", "two-proportion z-test, two-sided"},
          {"z", rounded(e.test.z, 4)},
          {"p", rounded(e.test.p_two_sided, 6)},
          {"defined", e.test.defined},
          {"significant", e.significant},
          {"sentence", e.sentence}};
}

void write_trends_csv(std::ostream& out, const report_options& ro) {
  out << "period,cluster,count,share,low,high\n";
  const trend_result* t = trends_of(ro);
  if (t == nullptr) return;
  for (const auto& s : t->series) {
    const std::string name = series_name(s.cluster);
    for (std::size_t p = 0; p < s.points.size(); ++p) {
      const proportion& x = s.points[p];
      out << t->labels[p] << ',' << name << ',' << x.count << ',' << fixed6(x.share) << ','
          << fixed6(x.low) << ',' << fixed6(x.high) << '\n';
    }
  }
}

void write_alerts_json(std::ostream& out, const analysis_result& r, const report_options& ro) {
  json j;
  const trend_result* t = trends_of(ro);
  const trend_result none;
  const trend_result& tr = t != nullptr ? *t : none;
  j["period"] = to_string(tr.unit);
  j["latest_period"] = tr.labels.empty() ? std::string() : tr.labels.back();
  j["test"] = "two-proportion z-test, one-sided: latest period against the previous periods pooled";
  j["alpha"] = tr.options.alpha;
  j["min_count"] = tr.options.min_count;
  j["baseline_periods"] = tr.options.baseline_periods;
  j["voices"] = tr.voices;
  j["untimed"] = tr.untimed;
  j["untimed_share"] = rounded(tr.untimed_share());
  json alerts = json::array();
  for (const auto& a : tr.alerts) {
    alerts.push_back(alert_json(a, series_label(r, a.cluster)));
  }
  j["alerts"] = std::move(alerts);
  out << j.dump(2) << '\n';
}

// A small trend line of one series: the Wilson band, the shares, the latest point marked.
void sparkline(std::ostream& out, const trend_series& s, bool alert) {
  const double w = 180, h = 44, pad = 4;
  const std::size_t n = s.points.size();
  double top = 0.01;
  for (const auto& p : s.points)
    if (p.total > 0) top = std::max(top, p.high);
  auto x_of = [&](std::size_t i) {
    return n <= 1 ? w / 2
                  : pad + (w - 2 * pad) * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  auto y_of = [&](double share) { return h - pad - (h - 2 * pad) * share / top; };
  char buf[96];
  out << "<svg viewBox=\"0 0 180 44\" style=\"width:180px;max-width:100%;margin:0\" role=\"img\" "
         "aria-label=\"割合の推移\">";
  // The band over periods that had voices; an empty period has no interval to draw.
  std::string band_top, band_bottom, line;
  for (std::size_t i = 0; i < n; ++i) {
    if (s.points[i].total == 0) continue;
    std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_of(i), y_of(s.points[i].high));
    band_top += buf;
    std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_of(i), y_of(s.points[i].low));
    band_bottom.insert(0, buf);
    std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_of(i), y_of(s.points[i].share));
    line += buf;
  }
  if (!line.empty()) {
    out << "<polygon points=\"" << band_top << band_bottom << "\" fill=\"#cbd2d9\" "
        << "fill-opacity=\"0.6\"/><polyline points=\"" << line
        << "\" fill=\"none\" stroke=\"#1f2933\" stroke-width=\"1.5\"/>";
    std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                  x_of(n - 1), y_of(s.points[n - 1].share), alert ? "#b91c1c" : "#1f2933");
    out << buf;
  }
  out << "</svg>";
}

namespace {

bool alerted(const trend_result& t, std::int32_t cluster) {
  return std::any_of(t.alerts.begin(), t.alerts.end(),
                     [cluster](const trend_alert& a) { return a.cluster == cluster; });
}

// One row of the section: the series' name, its trend line, its latest share and any flag.
void trend_row(std::ostream& out, const trend_result& t, const trend_series& s,
               const std::string& name, const std::string& label) {
  const bool alert = alerted(t, s.cluster);
  const proportion& last = s.points.back();
  out << "<tr><td class=\"n\">" << html_text(name) << "</td><td class=\"l\">" << html_text(label);
  if (alert) out << " <span class=\"badge flag\">増加</span>";
  out << "</td><td>";
  sparkline(out, s, alert);
  out << "</td><td class=\"n\">" << percent1(last.share) << "<span class=\"meta\">"
      << percent1(last.low) << "–" << percent1(last.high) << "</span></td></tr>\n";
}

}  // namespace

void trends_section(std::ostream& out, const analysis_result& r, const report_options& ro) {
  if (ro.trends == nullptr) return;
  const trend_result& t = *ro.trends;
  const adoption_result& a = need_adoption(ro);
  const std::size_t top = ro.report_top;
  out << "<section>\n<h2>割合の推移";
  if (!t.labels.empty()) out << "（" << t.labels.front() << "〜" << t.labels.back() << "）";
  out << "</h2>\n";
  out << "<p class=\"sub\">期間ごとの声に占める割合。帯は 95% 信頼区間（Wilson）、赤い点は最新の"
         "期間に有意な増加（片側 p &lt; "
      << t.options.alpha << "）。時刻のない声 " << t.untimed << " 件（"
      << percent1(t.untimed_share()) << "）は含みません。</p>\n";
  for (const auto& alert : t.alerts)
    out << "<p class=\"decision\"><span class=\"badge flag\">増加</span> "
        << html_text(series_label(r, alert.cluster)) << ": " << html_text(alert.reason) << "</p>\n";
  if (t.labels.empty()) {
    out << "</section>\n";
    return;
  }
  out << "<div class=\"scroll\">\n<table>\n<thead><tr><th>順位</th><th>候補</th><th>推移</th>"
         "<th>最新</th></tr></thead>\n<tbody>\n";
  for (const auto& c : a.candidates) {
    if (!(c.rank <= top || c.small_high_impact || alerted(t, c.cluster))) continue;
    if (const trend_series* s = t.find(c.cluster))
      trend_row(out, t, *s, std::to_string(c.rank), c.label);
  }
  if (const trend_series* s = t.find(trend_new_theme))
    trend_row(out, t, *s, "", series_label(r, trend_new_theme));
  out << "</tbody>\n</table>\n</div>\n";
  for (const auto& e : t.effects) {
    out << "<p class=\"decision\"><span class=\"badge dec\">効果</span> "
        << html_text(series_label(r, e.cluster)) << ": " << html_text(e.sentence) << "</p>\n";
  }
  out << "</section>\n";
}

}  // namespace koe::detail
