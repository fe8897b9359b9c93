// report.html, the one-page co-creation report (共創レポート): self-contained HTML5 (no scripts, no
// fetched resources) with inline CSS and two SVG charts. Each section is written by its own
// function, in page order: head, header, summary, totals, candidates table, charts, critical
// terms, candidate cards, unmatched decisions, notes, footer. Every text from the input (voices,
// labels, keys, decisions, the input path) is escaped.
#include <koe/changes.hpp>
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/followups.hpp"
#include "detail/report.hpp"
#include "detail/utf8.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {
namespace {

using utf8::clip_chars;
using utf8::clip_width;

// `s` with the characters that are markup in HTML text and attribute values escaped.
std::string html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* quadrant_color(quadrant q) {
  switch (q) {
    case quadrant::quick_win:
      return "#0f766e";
    case quadrant::big_bet:
      return "#b45309";
    case quadrant::fill_in:
      return "#4f46e5";
    case quadrant::reconsider:
      return "#6b7280";
  }
  return "#6b7280";
}

// The page's only style sheet, inlined so the file stands alone.
const char* report_css = R"css(
:root{--ink:#1f2933;--muted:#52606d;--line:#e4e7eb;--bg:#f5f7fa;--accent:#b91c1c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);line-height:1.6;
font-family:"Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Noto Sans JP","Yu Gothic",Meiryo,"IPAGothic",sans-serif;
-webkit-text-size-adjust:100%}
main{max-width:960px;margin:0 auto;padding:12px}
h1{font-size:1.45rem;margin:8px 0 0}
h2{font-size:1.08rem;margin:0 0 8px;border-left:4px solid var(--ink);padding-left:8px}
h3{font-size:1rem;margin:0}
.sub{color:var(--muted);font-size:.82rem;margin:2px 0 0;word-break:break-all}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px;margin:12px 0}
.lead{font-size:.95rem;margin:0}
.lead li{margin:2px 0}
.totals{display:grid;grid-template-columns:repeat(3,1fr);gap:6px;margin:0;padding:0;list-style:none}
.totals li{background:var(--bg);border-radius:6px;text-align:center;padding:6px 2px;font-size:.78rem;color:var(--muted)}
.totals b{display:block;font-size:1.3rem;color:var(--ink);line-height:1.3}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(14em,1fr));gap:6px;margin:0 0 6px}
.kpi{background:var(--bg);border-radius:6px;padding:6px 8px}
.kpi b{display:block;font-size:1.3rem;line-height:1.3;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.82rem}
th,td{padding:6px 4px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);white-space:nowrap;font-size:.75rem}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.l{min-width:9em}
td.t{white-space:nowrap}
.meta{display:block;color:var(--muted);font-size:.72rem}
.meta-inline{color:var(--muted);font-size:.8rem}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:.72rem;color:#fff;white-space:nowrap;line-height:1.6;margin:1px 2px 1px 0}
.flag{background:var(--accent)}
.rec{background:#166534}
.dec{background:#334155}
svg{display:block;width:100%;height:auto;max-width:640px;margin:0 auto}
svg text{font-family:inherit}
.cand{border-top:1px solid var(--line);padding:10px 0 4px}
.cand:first-of-type{border-top:0;padding-top:0}
.scores{font-size:.8rem;color:var(--muted);margin:2px 0 6px}
.step{font-size:.75rem;font-weight:600;color:var(--muted);margin:6px 0 2px}
.arrow{color:var(--muted);text-align:center;font-size:.9rem;line-height:1}
.voices{margin:0;padding:0;list-style:none}
.voices li{background:var(--bg);border-left:3px solid #9aa5b1;padding:4px 8px;margin:3px 0;font-size:.85rem;overflow-wrap:anywhere}
.decision{font-size:.88rem;margin:0}
.reasons{margin:0;padding-left:1.1em;font-size:.78rem;color:var(--ink)}
.reasons li{margin:2px 0;overflow-wrap:anywhere}
.notes{font-size:.8rem;color:var(--muted);margin:0;padding-left:1.1em}
.legend{font-size:.75rem;color:var(--muted);margin:6px 0 0;text-align:center}
.legend span{white-space:nowrap;margin:0 6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:3px;vertical-align:-1px}
footer{color:var(--muted);font-size:.75rem;text-align:center;margin:16px 0}
@media (max-width:520px){.wide{display:none}}
)css";

void svg_bar_chart(std::ostream& out, const adoption_result& a) {
  std::vector<const candidate*> by_size;
  for (const auto& c : a.candidates)
    by_size.push_back(&c);
  std::stable_sort(by_size.begin(), by_size.end(), [](const candidate* x, const candidate* y) {
    return x->frequency.voices > y->frequency.voices;
  });
  std::size_t largest = 1;
  for (const auto* c : by_size)
    largest = std::max(largest, c->frequency.voices);
  const int row_h = 22, label_w = 150, bar_w = 190, width = 380;
  const int height = row_h * static_cast<int>(by_size.size()) + 6;
  out << "<svg viewBox=\"0 0 " << width << ' ' << height
      << "\" role=\"img\" aria-label=\"クラスタの大きさ\">\n";
  int y = 4;
  for (const auto* c : by_size) {
    const double w =
        bar_w * static_cast<double>(c->frequency.voices) / static_cast<double>(largest);
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\"/>",
                  label_w, y + 3, std::max(w, 1.0), row_h - 8, quadrant_color(c->quad));
    out << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"#1f2933\">" << c->rank << ". "
        << html(clip_width(c->label, 20)) << "</text>" << buf << "<text x=\""
        << label_w + static_cast<int>(w) + 4 << "\" y=\"" << y + 15
        << "\" font-size=\"11\" fill=\"#52606d\">" << c->frequency.voices << "</text>\n";
    y += row_h;
  }
  out << "</svg>\n";
}

// A line of coloured squares naming the quadrants, shared by both charts.
void quadrant_legend(std::ostream& out) {
  out << "<p class=\"legend\">";
  for (auto q : {quadrant::quick_win, quadrant::big_bet, quadrant::fill_in, quadrant::reconsider})
    out << "<span><i style=\"background:" << quadrant_color(q) << "\"></i>" << to_japanese(q)
        << "</span>";
  out << "</p>\n";
}

// The scatter chart's geometry: x = difficulty (easy on the left), y = impact (high at the top).
struct scatter_plot {
  double left = 42, top = 10, w = 324, h = 250;
  double sx = 0, sy = 0;  // Where the difficulty and impact splits fall.

  explicit scatter_plot(const adoption_result& a)
      : sx(px(a.adoption.difficulty_split)), sy(py(a.adoption.impact_split)) {}
  [[nodiscard]] double px(double difficulty) const { return left + difficulty * w; }
  [[nodiscard]] double py(double impact) const { return top + (1 - impact) * h; }
};

// One quadrant of the scatter chart: its shaded area and where its name is written.
struct quadrant_area {
  double x, y, w, h;
  quadrant q;
  const char* anchor;
  double tx, ty;
};

std::array<quadrant_area, 4> quadrant_areas(const scatter_plot& p) {
  const double right = p.left + p.w, bottom = p.top + p.h;
  return {
      {{p.left, p.top, p.sx - p.left, p.sy - p.top, quadrant::quick_win, "start", p.left + 4,
        p.top + 13},
       {p.sx, p.top, right - p.sx, p.sy - p.top, quadrant::big_bet, "end", right - 4, p.top + 13},
       {p.left, p.sy, p.sx - p.left, bottom - p.sy, quadrant::fill_in, "start", p.left + 4,
        bottom - 5},
       {p.sx, p.sy, right - p.sx, bottom - p.sy, quadrant::reconsider, "end", right - 4,
        bottom - 5}}};
}

// The opening <svg>, the shaded quadrants, the frame, the split lines, axis titles and ticks.
void scatter_frame(std::ostream& out, const scatter_plot& p) {
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"影響度と実装難易度\">\n",
                p.left + p.w + 12, p.top + p.h + 36);
  out << buf;
  for (const auto& ar : quadrant_areas(p)) {
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                  "fill-opacity=\"0.08\"/>\n",
                  ar.x, ar.y, std::max(ar.w, 0.0), std::max(ar.h, 0.0), quadrant_color(ar.q));
    out << buf;
  }
  std::snprintf(buf, sizeof buf,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                "stroke=\"#9aa5b1\"/>\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#9aa5b1\" stroke-dasharray=\"4 3\"/>\n<line x1=\"%.1f\" y1=\"%.1f\" "
                "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa5b1\" stroke-dasharray=\"4 3\"/>\n",
                p.left, p.top, p.w, p.h, p.sx, p.top, p.sx, p.top + p.h, p.left, p.sy, p.left + p.w,
                p.sy);
  out << buf;
  std::snprintf(buf, sizeof buf,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                "fill=\"#52606d\">実装難易度（右ほど大きい）→</text>\n<text x=\"10\" y=\"%.1f\" "
                "font-size=\"11\" text-anchor=\"middle\" fill=\"#52606d\" "
                "transform=\"rotate(-90 10 %.1f)\">影響度（上ほど大きい）→</text>\n",
                p.left + p.w / 2, p.top + p.h + 28, p.top + p.h / 2, p.top + p.h / 2);
  out << buf;
  for (double t : {0.0, 0.5, 1.0}) {
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\" "
                  "fill=\"#52606d\">%.1f</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                  "text-anchor=\"end\" fill=\"#52606d\">%.1f</text>\n",
                  p.px(t), p.top + p.h + 12, t, p.left - 4, p.py(t) + 3, t);
    out << buf;
  }
}

// A candidate's circle on the scatter chart.
struct scatter_point {
  const candidate* c;
  double x, y, r;
};

// Difficulty takes a few discrete values, so clusters of one level would be drawn on top of each
// other: each circle, in rank order, moves sideways to the nearest free spot. The layout depends
// only on the ranks and scores, so the bytes stay deterministic.
std::vector<scatter_point> place_points(const adoption_result& a, const scatter_plot& p) {
  std::size_t largest = 1;
  for (const auto& c : a.candidates)
    largest = std::max(largest, c.frequency.voices);
  std::vector<scatter_point> points;
  for (const auto& c : a.candidates) {
    const double r =
        4 + 7 * std::sqrt(static_cast<double>(c.frequency.voices) / static_cast<double>(largest));
    const double y = std::clamp(p.py(c.scores.impact), p.top + r, p.top + p.h - r);
    const double x0 = p.px(c.scores.difficulty);
    double x = std::clamp(x0, p.left + r, p.left + p.w - r);
    for (int step = 0; step < 80; ++step) {
      const double offset = (step % 2 == 1 ? 1 : -1) * ((step + 1) / 2) * 3.0;
      const double cand_x = std::clamp(x0 + offset, p.left + r, p.left + p.w - r);
      const bool clear = std::none_of(points.begin(), points.end(), [&](const scatter_point& q) {
        return std::hypot(q.x - cand_x, q.y - y) < q.r + r + 1;
      });
      if (clear) {
        x = cand_x;
        break;
      }
    }
    points.push_back({&c, x, y, r});
  }
  return points;
}

// Each circle with its rank inside and its label as a tooltip.
void scatter_points(std::ostream& out, const std::vector<scatter_point>& points) {
  char buf[640];
  for (const auto& p : points) {
    const candidate& c = *p.c;
    const bool unknown = c.difficulty.level == difficulty_level::unknown;
    std::snprintf(buf, sizeof buf,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"%s\" "
                  "stroke=\"%s\" stroke-width=\"%s\"%s/><text x=\"%.1f\" y=\"%.1f\" "
                  "font-size=\"9\" text-anchor=\"middle\" fill=\"%s\">%zu</text>",
                  p.x, p.y, p.r, quadrant_color(c.quad), unknown ? "0.15" : "0.8",
                  c.small_high_impact ? "#b91c1c" : quadrant_color(c.quad),
                  c.small_high_impact ? "2" : "1", unknown ? " stroke-dasharray=\"2 2\"" : "", p.x,
                  p.y + 3, unknown ? "#1f2933" : "#ffffff", c.rank);
    out << "<g><title>" << c.rank << ". " << html(c.label) << "</title>" << buf << "</g>\n";
  }
}

// The impact × difficulty chart: one circle per candidate, sized by its voices.
void svg_scatter(std::ostream& out, const adoption_result& a) {
  const scatter_plot p(a);
  scatter_frame(out, p);
  scatter_points(out, place_points(a, p));
  // Quadrant names last, with a white halo, so no circle hides them.
  char buf[640];
  for (const auto& ar : quadrant_areas(p)) {
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\" fill=\"%s\" "
                  "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>\n",
                  ar.tx, ar.ty, ar.anchor, quadrant_color(ar.q), to_japanese(ar.q));
    out << buf;
  }
  out << "</svg>\n";
}

// From <!DOCTYPE html> to the page header, with the input path in the title.
void head_and_header(std::ostream& out, const analysis_result& r) {
  out << "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>共創レポート — " << html(r.input.source) << "</title>\n<style>" << report_css
      << "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>共創レポート</h1>\n<p class=\"sub\">"
      << html(r.input.source) << " の声 " << r.input.read() << " 件を " << r.clusters.k
      << " のまとまりに分け、頻度・影響度・実装難易度で採用候補を順位づけしました。</p>\n"
      << "</header>\n";
}

// The two-minute summary: the top candidate, how many qualify, what needs attention.
void summary_section(std::ostream& out, const adoption_result& a) {
  std::size_t recommended = 0, flagged = 0;
  for (const auto& c : a.candidates) {
    recommended += c.recommended ? 1 : 0;
    flagged += c.small_high_impact ? 1 : 0;
  }
  out << "<section>\n<h2>要点</h2>\n<ul class=\"lead\">\n";
  if (!a.candidates.empty()) {
    const candidate& top = a.candidates.front();
    out << "<li>最優先の候補は<b>「" << html(top.label) << "」</b>（" << top.frequency.voices
        << "件、採用スコア " << fixed2(top.scores.adoption) << "、" << to_japanese(top.quad)
        << "）。</li>\n";
  }
  out << "<li>採用条件を満たす候補 " << recommended << " 件／全 " << a.candidates.size()
      << " 件。</li>\n";
  if (flagged > 0)
    out << "<li><b>少数でも影響度が高い候補が " << flagged
        << " 件</b>あります（<span class=\"badge flag\">少数・高影響</span>）。</li>\n";
  if (!a.unmatched_decisions.empty())
    out << "<li>前回の判断のうち " << a.unmatched_decisions.size()
        << " 件は今回どの候補とも一致しませんでした（末尾に一覧）。</li>\n";
  out << "</ul>\n</section>\n";
}

// Record counts: read, kept, clusters, empty, rejected, noise (and new themes when assigning).
void totals_section(std::ostream& out, const analysis_result& r, const assign_result* assigned) {
  out << "<section>\n<h2>件数</h2>\n<ul class=\"totals\">\n"
      << "<li><b>" << r.input.read() << "</b>読み込み</li>\n"
      << "<li><b>" << r.input.count(record_status::kept) << "</b>分析対象</li>\n"
      << "<li><b>" << r.clusters.k << "</b>まとまり</li>\n"
      << "<li><b>" << r.input.count(record_status::empty) << "</b>空</li>\n"
      << "<li><b>" << r.input.count(record_status::rejected) << "</b>不正</li>\n";
  if (assigned == nullptr) {
    out << "<li><b>" << noise_count(r) << "</b>ノイズ</li>\n</ul>\n</section>\n";
    return;
  }
  out << "<li><b>" << assigned->count(assignment_status::noise) << "</b>ノイズ</li>\n"
      << "<li><b>" << assigned->count(assignment_status::new_theme)
      << "</b>新しいテーマ</li>\n</ul>\n</section>\n";
}

// Every candidate in rank order, one table row each.
void candidates_section(std::ostream& out, const adoption_result& a) {
  out << "<section>\n<h2>採用候補</h2>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>順位</th>"
      << "<th>候補</th><th>頻度</th><th>影響度</th><th>難易度</th><th>採用</th>"
      << "<th class=\"wide\">判断</th></tr></thead>\n<tbody>\n";
  for (const auto& c : a.candidates) {
    out << "<tr><td class=\"n\">" << c.rank << "</td><td class=\"l\">" << html(c.label)
        << "<span class=\"meta\">" << c.frequency.voices
        << "件 · <span style=\"color:" << quadrant_color(c.quad) << "\">" << to_japanese(c.quad)
        << "</span>";
    if (c.small_high_impact) out << " · <b style=\"color:#b91c1c\">少数・高影響</b>";
    if (c.recommended) out << " · 推奨";
    out << "</span></td><td class=\"n\">" << fixed2(c.scores.frequency) << "</td><td class=\"n\">"
        << fixed2(c.scores.impact) << "</td><td class=\"n\">" << to_japanese(c.difficulty.level)
        << "</td><td class=\"n\"><b>" << fixed2(c.scores.adoption) << "</b></td><td class=\"wide\">"
        << to_japanese(c.decision.status) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</div>\n</section>\n";
}

// The two charts: cluster sizes, and impact against difficulty.
void charts_sections(std::ostream& out, const adoption_result& a) {
  out << "<section>\n<h2>まとまりの大きさ</h2>\n";
  svg_bar_chart(out, a);
  quadrant_legend(out);
  out << "</section>\n<section>\n<h2>影響度 × 実装難易度</h2>\n";
  svg_scatter(out, a);
  out << "<p class=\"sub\">円の番号は順位、大きさは件数。点線の円は難易度が未判定、赤い縁は少数・"
         "高影響。</p>\n</section>\n";
}

// Where the most serious words went: a severe topic merged into a large cluster, or split over
// several, is still seen here. Written only when there are such words.
void critical_section(std::ostream& out, const adoption_result& a) {
  if (a.critical.empty()) return;
  std::map<int, const candidate*> by_cluster;
  for (const auto& c : a.candidates)
    by_cluster[c.cluster] = &c;
  out << "<section>\n<h2>重大語の行き先</h2>\n<p class=\"sub\">深刻度 3 "
         "の語を含む声が、どの候補に"
         "入ったか（上位 10 語）。</p>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>語</th>"
         "<th>件数</th><th>主な行き先</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < a.critical.size() && i < 10; ++i) {
    const critical_signal& s = a.critical[i];
    out << "<tr><td class=\"t\">" << html(s.term) << "</td><td class=\"n\">" << s.voices
        << "</td><td>";
    for (std::size_t j = 0; j < s.clusters.size() && j < 3; ++j) {
      const auto [cluster, n] = s.clusters[j];
      const auto it = by_cluster.find(cluster);
      out << (j ? "、" : "")
          << (it == by_cluster.end() ? std::string("ノイズ")
                                     : std::to_string(it->second->rank) + ". " +
                                           html(clip_width(it->second->label, 18)))
          << "（" << n << "）";
    }
    if (s.clusters.size() > 3) out << " ほか";
    out << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</div>\n</section>\n";
}

// A candidate's decision: the status, date and reason, or where to record one; with the
// programme, where it stands now.
void card_decision(std::ostream& out, const candidate& c, const stage_state* stage) {
  out << "<p class=\"step\">判断</p>\n<p class=\"decision\">";
  if (c.decision.status == decision_status::undecided) {
    out << "未決定（決定ファイルにキー <code>" << html(c.key) << "</code> で記入してください）";
  } else {
    out << "<span class=\"badge dec\">" << to_japanese(c.decision.status) << "</span> ";
    if (!c.decision.date.empty())
      out << "<span class=\"meta-inline\">" << html(c.decision.date) << "</span> ";
    out << html(c.decision.reason);
    if (stage != nullptr) {
      out << "<br><span class=\"meta-inline\">現在地: " << html(stage->summary) << "</span>";
      if (stage->stuck) out << " <span class=\"badge flag\">停滞</span>";
    }
  }
  out << "</p>\n";
}

// One candidate in detail: badges, scores, representative voices → decision → reasons.
void candidate_card(std::ostream& out, const analysis_result& r, const candidate& c,
                    const stage_state* stage) {
  out << "<article class=\"cand\">\n<h3>" << c.rank << ". " << html(c.label) << "</h3>\n<div>"
      << "<span class=\"badge\" style=\"background:" << quadrant_color(c.quad) << "\">"
      << to_japanese(c.quad) << "</span>";
  if (c.recommended) out << "<span class=\"badge rec\">採用条件を満たす</span>";
  if (c.small_high_impact) out << "<span class=\"badge flag\">少数・高影響</span>";
  out << "</div>\n<p class=\"scores\">" << c.frequency.voices << "件 · 頻度 "
      << fixed2(c.scores.frequency) << " · 影響度 " << fixed2(c.scores.impact) << " · 難易度 "
      << to_japanese(c.difficulty.level) << " · 採用スコア " << fixed2(c.scores.adoption)
      << "<br>キー: " << html(c.key) << "</p>\n<p class=\"step\">代表的な声</p>\n"
      << "<ul class=\"voices\">\n";
  // Voices are cut so one long complaint cannot push everything else off the page.
  for (std::size_t i = 0; i < c.representatives.size() && i < 3; ++i) {
    const document_view doc = r.input.documents[r.row_document[c.representatives[i]]];
    out << "<li>" << html(clip_chars(doc.text, 120)) << "</li>\n";
  }
  out << "</ul>\n<p class=\"arrow\">↓</p>\n";
  card_decision(out, c, stage);
  out << "<p class=\"arrow\">↓</p>\n<p class=\"step\">理由</p>\n<ul class=\"reasons\">\n";
  for (const auto& reason : c.reasons)
    out << "<li>" << html(reason) << "</li>\n";
  out << "</ul>\n</article>\n";
}

// The top candidates in detail, and every small one of high impact whatever its rank.
void cards_section(std::ostream& out, const analysis_result& r, const adoption_result& a,
                   const programme_result* p, std::size_t top) {
  out << "<section>\n<h2>上位の候補: 声 → 判断 → 理由</h2>\n";
  for (std::size_t i = 0; i < a.candidates.size(); ++i) {
    const candidate& c = a.candidates[i];
    const stage_state* stage = p != nullptr && i < p->stages.size() ? &p->stages[i] : nullptr;
    if (c.rank <= top || c.small_high_impact) candidate_card(out, r, c, stage);
  }
  out << "</section>\n";
}

// Decisions from the decisions file that matched no candidate this time.
void unmatched_section(std::ostream& out, const adoption_result& a) {
  if (a.unmatched_decisions.empty()) return;
  out << "<section>\n<h2>一致しなかった判断</h2>\n<div class=\"scroll\">\n<table>\n"
      << "<thead><tr><th>行</th><th>キー</th><th>判断</th><th>理由</th></tr></thead>\n<tbody>\n";
  for (const auto& d : a.unmatched_decisions)
    out << "<tr><td class=\"n\">" << d.line << "</td><td>" << html(d.key) << "</td><td>"
        << to_japanese(d.status) << "</td><td>" << html(d.reason) << "</td></tr>\n";
  out << "</tbody>\n</table>\n</div>\n</section>\n";
}

// Notes on the signals that were missing, so a reader knows what the scores stand on.
void notes_section(std::ostream& out, const adoption_result& a) {
  if (a.notes.empty()) return;
  out << "<section>\n<h2>注記</h2>\n<ul class=\"notes\">\n";
  for (const auto& n : a.notes)
    out << "<li>" << html(n) << "</li>\n";
  out << "</ul>\n</section>\n";
}

}  // namespace

std::string html_text(std::string_view s) {
  return html(s);
}

void write_report_html(std::ostream& out, const analysis_result& r, const report_options& ro,
                       const assign_result* assigned) {
  const adoption_result& a = need_adoption(ro);
  head_and_header(out, r);
  summary_section(out, a);
  kpis_section(out, ro);    // kpis.cpp
  stages_section(out, ro);  // stages.cpp
  owners_section(out, ro);  // owners.cpp
  followups_section(out, ro);
  totals_section(out, r, assigned);
  if (ro.changes != nullptr) write_changes_html(out, *ro.changes, ro.report_top);
  if (assigned != nullptr) assign_sections(out, *assigned, a);
  candidates_section(out, a);
  charts_sections(out, a);
  trends_section(out, r, ro);  // report_trends.cpp
  critical_section(out, a);
  cards_section(out, r, a, ro.programme, ro.report_top);
  unmatched_section(out, a);
  notes_section(out, a);
  out << "<footer>koe " << KOE_VERSION
      << " で作成。スコアの計算方法と設定は docs/scoring.md を参照。</footer>\n</main>\n</body>\n"
         "</html>\n";
}

}  // namespace koe::detail
