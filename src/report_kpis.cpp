// report.html's 三つの指標: participation, adoption rate and satisfaction of the latest period
// against the previous one, satisfaction of those whose voice fed an adopted change against the
// others, and a compact table of every period (koe/programme.hpp, docs/programme.md).
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/report.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace koe::detail {

namespace {

const char* no_contributors = "データなし（投稿者の列がありません）";
const char* no_rating = "データなし（評価の列がありません）";

// One tile's figure for a period: its text and the number the change is taken from.
struct figure {
  std::string text;
  std::optional<double> value;
};

figure participation(const kpi_row& k) {
  if (!k.has_contributors) return {no_contributors, std::nullopt};
  return {std::to_string(k.contributors) + " 人", static_cast<double>(k.contributors)};
}

figure adoption(const kpi_row& k) {
  if (k.clusters == 0) return {"—", std::nullopt};
  return {percent1(k.cluster_adoption_rate), k.cluster_adoption_rate};
}

figure satisfaction(const kpi_row& k) {
  if (!k.has_rating) return {no_rating, std::nullopt};
  if (k.rating.n == 0) return {"—（評価なし）", std::nullopt};
  return {fixed2(k.rating.mean), k.rating.mean};
}

// "↑ +2 人", "↓ −4.0 pt", "→ ±0.00"; empty when either side is missing.
std::string change(const figure& now, const figure& before, double scale, int digits,
                   const char* unit) {
  if (!now.value || !before.value) return {};
  const double d = (*now.value - *before.value) * scale;
  const double shown = std::round(d * std::pow(10.0, digits)) / std::pow(10.0, digits);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, std::fabs(shown));
  if (shown == 0) return std::string("→ ±") + buf + unit;
  return std::string(shown > 0 ? "↑ +" : "↓ −") + buf + unit;
}

// `x`'s mean with its interval and n: "4.20（3.90〜4.50, n=12）"; "—" when nothing was rated.
std::string with_interval(const mean_interval& x) {
  if (x.n == 0) return "—";
  return fixed2(x.mean) + "（" + fixed2(x.low) + "〜" + fixed2(x.high) +
         ", n=" + std::to_string(x.n) + "）";
}

void tile(std::ostream& out, const char* name, const figure& now, const std::string& detail,
          const figure* before, const std::string& delta) {
  out << "<div class=\"kpi\"><p class=\"step\">" << name << "</p><b>" << html_text(now.text)
      << "</b>";
  if (!detail.empty()) out << "<span class=\"meta\">" << html_text(detail) << "</span>";
  // A signal missing in both periods is said once.
  if (before != nullptr && (before->value || before->text != now.text))
    out << "<span class=\"meta\">前期間 " << html_text(before->text) << (delta.empty() ? "" : "　")
        << delta << "</span>";
  out << "</div>\n";
}

void tiles(std::ostream& out, const kpi_row& now, const kpi_row* before) {
  out << "<div class=\"kpis\">\n";
  const figure p = participation(now);
  const std::string p_detail = now.has_contributors
                                   ? "新規 " + std::to_string(now.new_contributors) + "・再訪 " +
                                         std::to_string(now.returning_contributors)
                                   : std::string();
  std::optional<figure> pb, ab, sb;
  if (before != nullptr) {
    pb = participation(*before);
    ab = adoption(*before);
    sb = satisfaction(*before);
  }
  tile(out, "参加", p, p_detail, pb ? &*pb : nullptr, pb ? change(p, *pb, 1, 0, " 人") : "");
  const figure a = adoption(now);
  std::string a_detail = "まとまり " + std::to_string(now.adopted_clusters) + "/" +
                         std::to_string(now.clusters) + "、声の " +
                         percent1(now.voice_adoption_rate);
  if (now.median_days_to_adoption)
    a_detail +=
        "、採用まで中央値 " + std::to_string(std::lround(*now.median_days_to_adoption)) + " 日";
  tile(out, "採用率", a, a_detail, ab ? &*ab : nullptr, ab ? change(a, *ab, 100, 1, " pt") : "");
  const figure s = satisfaction(now);
  const std::string s_detail = now.has_rating && now.rating.n > 0
                                   ? "95%区間 " + fixed2(now.rating.low) + "〜" +
                                         fixed2(now.rating.high) +
                                         "、n=" + std::to_string(now.rating.n)
                                   : std::string();
  tile(out, "満足度", s, s_detail, sb ? &*sb : nullptr, sb ? change(s, *sb, 1, 2, "") : "");
  out << "</div>\n";
}

// Satisfaction of the contributors whose voice fed an adopted change against the others, over
// the whole run: the programme's evidence.
void heard_line(std::ostream& out, const kpi_row& all) {
  out << "<p class=\"step\">声が採用につながった人の満足度（全期間）</p>\n<p class=\"decision\">";
  if (!all.has_rating)
    out << no_rating;
  else if (!all.has_contributors)
    out << no_contributors;
  else
    out << "採用につながった人 " << with_interval(all.heard_rating) << "<br>それ以外 "
        << with_interval(all.other_rating);
  out << "</p>\n";
}

std::string cell(bool shown, const std::string& value) {
  return shown ? value : "データなし";
}

// The table shows this many of the latest periods, then the whole run; kpis.csv has them all.
constexpr std::size_t table_periods = 12;

void period_table(std::ostream& out, const std::vector<kpi_row>& kpis) {
  const std::size_t periods = kpis.size() - 1;
  const std::size_t first = periods > table_periods ? periods - table_periods : 0;
  if (first > 0)
    out << "<p class=\"sub\">直近 " << table_periods << " 期間と全期間（全 " << periods
        << " 期間は kpis.csv）。</p>\n";
  out << "<div class=\"scroll\">\n<table>\n<thead><tr><th>期間</th><th>声</th><th>投稿者"
         "（新規/再訪）</th><th>採用率</th><th>声の採用率</th><th>採用まで（日）</th>"
         "<th>満足度</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = first; i < kpis.size(); ++i) {
    const kpi_row& k = kpis[i];
    const std::string people = std::to_string(k.contributors) + "（" +
                               std::to_string(k.new_contributors) + "/" +
                               std::to_string(k.returning_contributors) + "）";
    out << "<tr><td class=\"t\">" << html_text(k.period) << "</td><td class=\"n\">" << k.voices
        << "</td><td class=\"n\">" << cell(k.has_contributors, people) << "</td><td class=\"n\">"
        << (k.clusters > 0 ? percent1(k.cluster_adoption_rate) : "—") << "</td><td class=\"n\">"
        << (k.voices > 0 ? percent1(k.voice_adoption_rate) : "—") << "</td><td class=\"n\">"
        << (k.median_days_to_adoption ? fixed2(*k.median_days_to_adoption) : "—")
        << "</td><td class=\"n\">"
        << cell(k.has_rating,
                k.rating.n > 0 ? fixed2(k.rating.mean) + "（n=" + std::to_string(k.rating.n) + "）"
                               : "—")
        << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</div>\n";
}

}  // namespace

void kpis_section(std::ostream& out, const report_options& ro) {
  if (ro.programme == nullptr || ro.programme->kpis.empty()) return;
  const std::vector<kpi_row>& kpis = ro.programme->kpis;
  const kpi_row& all = kpis.back();
  // The periods come first, then "all"; without dated voices "all" is the only row.
  const std::size_t periods = kpis.size() - 1;
  const kpi_row& now = periods > 0 ? kpis[periods - 1] : all;
  const kpi_row* before = periods > 1 ? &kpis[periods - 2] : nullptr;
  out << "<section>\n<h2>三つの指標</h2>\n<p class=\"sub\">";
  if (periods == 0)
    out << "日時のある声がないため、全期間の値です。";
  else if (before != nullptr)
    out << html_text(now.period) << " の値と、前期間 " << html_text(before->period)
        << " からの変化。";
  else
    out << html_text(now.period) << " の値（前期間なし）。";
  out << "</p>\n";
  tiles(out, now, before);
  heard_line(out, all);
  period_table(out, kpis);
  out << "</section>\n";
}

}  // namespace koe::detail
