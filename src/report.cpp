// Result writers: clusters.json, assignments.csv, the terminal tables, candidates.json, trace.csv
// and report.html.
#include <koe/error.hpp>
#include <koe/report.hpp>

#include "detail/parallel.hpp"
#include "detail/rows.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include <unistd.h>

#include "detail/options_json.hpp"

namespace koe {
namespace {

using json = nlohmann::ordered_json;

// Figures are rounded so the files stay readable; the rounding is deterministic.
double rounded(double x, int digits = 6) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

// The options in effect, except the thread count, which never changes a result.
json options_json(const pipeline_options& o) {
  return detail::options_json(o);
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

const char* noise_text(noise_reason r) {
  switch (r) {
    case noise_reason::none:
      return "";
    case noise_reason::no_terms:
      return "no terms after filtering";
    case noise_reason::low_similarity:
      return "low similarity to every cluster";
  }
  return "";
}

// Terminal columns taken by a UTF-8 string: East Asian wide characters count two.
std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}

// At most `width` columns of `s`, cut at a character boundary, with "…" when cut.
std::string clip(const std::string& s, std::size_t width) {
  if (display_width(s) <= width) return s;
  std::string out;
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::size_t cw = len >= 3 ? 2 : 1;
    if (w + cw + 1 > width) break;
    out.append(s, i, len);
    w += cw;
    i += len;
  }
  return out + "…";
}

std::string fixed2(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

void write_clusters_json(std::ostream& out, const analysis_result& r, const report_options& ro) {
  json j;
  j["version"] = KOE_VERSION;
  j["input"] = {{"path", r.input.source},
                {"encoding", r.input.encoding},
                {"read", r.input.read()},
                {"kept", r.input.count(record_status::kept)},
                {"empty", r.input.count(record_status::empty)},
                {"rejected", r.input.count(record_status::rejected)}};
  if (ro.options != nullptr) j["options"] = options_json(*ro.options);
  j["dictionary"] = r.dictionary;
  j["vocabulary_size"] = r.tfidf.model.vocabulary.size();
  j["k"] = r.clusters.k;
  json clusters = json::array();
  for (const auto& d : r.descriptions) {
    json c;
    c["id"] = d.id;
    c["label"] = d.label;
    c["size"] = d.size;
    c["share"] = rounded(d.share);
    json terms = json::array();
    for (const auto& t : d.terms)
      terms.push_back({{"term", t.term}, {"weight", rounded(t.weight)}});
    c["terms"] = std::move(terms);
    json reps = json::array();
    for (std::size_t row : d.representatives) {
      const document_view doc = r.input.documents[r.row_document[row]];
      reps.push_back({{"id", doc.id}, {"text", doc.text}});
    }
    c["representatives"] = std::move(reps);
    c["cohesion"] = rounded(d.cohesion);
    c["duplicates"] = d.duplicates;
    clusters.push_back(std::move(c));
  }
  j["clusters"] = std::move(clusters);
  std::size_t noise = 0;
  for (auto a : r.clusters.assignment)
    noise += a < 0 ? 1 : 0;
  j["noise"] = noise;
  if (!r.clusters.k_curve.empty()) {
    json curve = json::array();
    for (const auto& p : r.clusters.k_curve)
      curve.push_back({{"k", p.k}, {"silhouette", rounded(p.silhouette)}});
    j["k_selection"] = {{"criterion", "mean cosine silhouette on a deterministic sample"},
                        {"chosen", r.clusters.k},
                        {"curve", std::move(curve)}};
  }
  if (ro.include_stats) {
    json stages = json::object();
    for (const auto& t : r.timings)
      stages[t.stage] = rounded(t.seconds, 4);
    j["stats"] = {{"seconds", std::move(stages)}, {"peak_rss_bytes", r.peak_rss_bytes}};
  }
  out << j.dump(2) << '\n';
}

// Writes `n` lines: `lines(begin, end, buffer)` appends lines [begin, end). Blocks of lines are
// formatted in parallel into their own buffers and written in order, so the file is the same for
// any number of threads; a block is written while later ones are being formatted, and only a
// few blocks are in flight at a time.
template <class Lines>
void write_blocks(std::ostream& out, std::size_t n, const Lines& lines) {
  constexpr std::size_t block = 8192;
  detail::map_in_order(
      detail::block_count(n, block),
      [&](std::size_t b) {
        std::string text;
        lines(b * block, std::min(n, (b + 1) * block), text);
        return text;
      },
      [&](const std::string& text) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
      });
}

// `write_blocks` one line at a time: `line(i, buffer)` appends line i.
template <class Line>
void write_lines(std::ostream& out, std::size_t n, const Line& line) {
  write_blocks(out, n, [&](std::size_t begin, std::size_t end, std::string& s) {
    for (std::size_t i = begin; i < end; ++i)
      line(i, s);
  });
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Line `i` of assignments.csv; `kept_row` is the record's row, if it has one.
void write_assignment(std::string& s, const analysis_result& r, std::size_t i,
                      std::optional<std::size_t> kept_row) {
  const document_view d = r.input.documents[i];
  append_csv_field(s, d.id);
  s += ',';
  if (kept_row) {
    const std::size_t row = *kept_row;
    const std::int32_t c = r.clusters.assignment[row];
    char num[48];
    std::snprintf(num, sizeof num, "%d,%.4f,", static_cast<int>(c),
                  static_cast<double>(r.clusters.similarity[row]));
    s += num;
    s += c >= 0 ? "clustered," : "noise,";
    if (c >= 0) {
      append_csv_field(s, d.reason);
    } else if (d.reason.empty()) {
      append_csv_field(s, noise_text(r.clusters.noise[row]));
    } else {
      append_csv_field(
          s, std::string(noise_text(r.clusters.noise[row])) + "; " + std::string(d.reason));
    }
  } else {
    const bool rejected = d.status == record_status::rejected;
    s += rejected ? "-1,,rejected," : "-1,,empty,";
    append_csv_field(s, d.reason.empty() ? std::string(rejected ? "rejected" : "blank") : d.reason);
  }
  s += '\n';
}

void write_assignments_csv(std::ostream& out, const analysis_result& r) {
  out << "id,cluster,similarity,status,reason\n";
  write_blocks(
      out, r.input.documents.size(), [&](std::size_t begin, std::size_t end, std::string& s) {
        detail::for_each_record(
            r.row_document, begin, end,
            [&](std::size_t i, std::optional<std::size_t> row) { write_assignment(s, r, i, row); });
      });
}

void write_table(std::ostream& out, const analysis_result& r) {
  out << pad("#", 4) << pad("size", 7) << pad("share", 8) << pad("label", 34) << "representative\n";
  for (const auto& d : r.descriptions) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * d.share);
    std::string rep;
    if (!d.representatives.empty()) {
      const std::size_t row = d.representatives.front();
      rep = row < r.normalized.size() ? r.normalized[row]
                                      : r.input.documents.text(r.row_document[row]);
    }
    out << pad(std::to_string(d.id), 4) << pad(std::to_string(d.size), 7) << pad(share, 8)
        << pad(clip(d.label, 32), 34) << clip(rep, 44) << '\n';
  }
  std::size_t noise = 0;
  for (auto a : r.clusters.assignment)
    noise += a < 0 ? 1 : 0;
  out << "read " << r.input.read() << " = kept " << r.input.count(record_status::kept)
      << " + empty " << r.input.count(record_status::empty) << " + rejected "
      << r.input.count(record_status::rejected) << "; clusters " << r.clusters.k << ", noise "
      << noise << '\n';
}

// ---------------------------------------------------------------------------------------------
// Adoption outputs

const adoption_result& need_adoption(const report_options& ro) {
  KOE_THROW_IF_NOT(ro.adoption != nullptr, errc::invalid_argument,
                   "candidate outputs need report_options::adoption (see koe::assess)");
  return *ro.adoption;
}

json decision_json(const decision& d) {
  json j;
  j["status"] = to_string(d.status);
  if (d.status == decision_status::undecided) return j;
  j["reason"] = d.reason;
  j["date"] = d.date;
  j["key"] = d.key;
  j["line"] = d.line;
  j["overlap"] = rounded(d.overlap, 4);
  return j;
}

json signals_json(const candidate& c) {
  const frequency_signal& f = c.frequency;
  json freq = {{"voices", f.voices}, {"share", rounded(f.share, 4)}};
  if (f.has_contributors) freq["contributors"] = f.contributors;
  if (f.has_growth)
    freq["growth"] = {{"latest_period", f.latest_period},
                      {"latest_voices", f.latest_voices},
                      {"latest_share", rounded(f.latest_share, 4)},
                      {"previous_period", f.previous_period},
                      {"previous_voices", f.previous_voices},
                      {"previous_share", rounded(f.previous_share, 4)},
                      {"ratio", rounded(f.growth, 4)}};
  const impact_signal& i = c.impact;
  json impact = json::object();
  if (i.has_rating) {
    json rating = {{"rated", i.rated}};
    if (i.rated >= 2) {
      rating["mean"] = rounded(i.mean_rating, 4);
      rating["rest_mean"] = rounded(i.rest_mean_rating, 4);
      rating["gap"] = rounded(i.gap, 4);
      rating["gap_low"] = rounded(i.gap_low, 4);
      rating["gap_high"] = rounded(i.gap_high, 4);
    }
    rating["term"] = rounded(i.rating_term, 4);
    impact["rating"] = std::move(rating);
  }
  if (i.has_severity) {
    json hits = json::array();
    for (const auto& [term, n] : i.severity_hits)
      hits.push_back({{"term", term}, {"voices", n}});
    impact["severity"] = {{"term", rounded(i.severity_term, 4)},
                          {"voices", i.severe_voices},
                          {"hits", std::move(hits)}};
  }
  impact["negativity"] = {{"term", rounded(i.negativity_term, 4)}, {"voices", i.negated_voices}};
  if (i.has_segment)
    impact["segment"] = {{"term", rounded(i.segment_term, 4)},
                         {"mean_weight", rounded(i.mean_segment_weight, 4)}};
  const difficulty_signal& d = c.difficulty;
  json diff = {
      {"level", to_string(d.level)}, {"matched_terms", d.matched_terms}, {"rules", d.rule_reasons}};
  if (d.overridden) diff["override"] = {{"key", d.override_key}, {"reason", d.override_reason}};
  return {{"frequency", std::move(freq)}, {"impact", std::move(impact)}, {"difficulty", diff}};
}

void write_candidates_json(std::ostream& out, const analysis_result& r, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  json arr = json::array();
  for (const auto& c : a.candidates) {
    json j;
    j["cluster"] = c.cluster;
    j["key"] = c.key;
    j["label"] = c.label;
    j["terms"] = c.top_terms;
    j["rank"] = c.rank;
    j["size"] = c.frequency.voices;
    j["scores"] = {{"frequency", rounded(c.scores.frequency, 4)},
                   {"impact", rounded(c.scores.impact, 4)},
                   {"difficulty", rounded(c.scores.difficulty, 4)},
                   {"adoption", rounded(c.scores.adoption, 4)}};
    j["difficulty_level"] = to_string(c.difficulty.level);
    j["quadrant"] = to_string(c.quad);
    j["recommended"] = c.recommended;
    j["small_high_impact"] = c.small_high_impact;
    j["reasons"] = c.reasons;
    json reps = json::array();
    for (std::size_t row : c.representatives) {
      const document_view doc = r.input.documents[r.row_document[row]];
      reps.push_back({{"id", doc.id}, {"text", doc.text}});
    }
    j["representatives"] = std::move(reps);
    j["decision"] = decision_json(c.decision);
    j["signals"] = signals_json(c);
    arr.push_back(std::move(j));
  }
  out << arr.dump(2) << '\n';
}

void write_trace_csv(std::ostream& out, const analysis_result& r, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  KOE_THROW_IF_NOT(a.trace.size() == r.input.documents.size(), errc::invalid_argument,
                   "the trace is of another analysis (" + std::to_string(a.trace.size()) +
                       " rows for " + std::to_string(r.input.documents.size()) + " records)");
  out << "id,cluster,label,rank,decision,reply\n";
  write_lines(out, a.trace.size(), [&](std::size_t i, std::string& s) {
    const trace_row& t = a.trace[i];
    append_csv_field(s, r.input.documents.id(i));
    if (t.status != record_status::kept) {
      s += ",,,,,\n";
      return;
    }
    if (t.clustered) {
      s += ',';
      s += std::to_string(t.cluster);
      s += ',';
      append_csv_field(s, a.label_of(t));
      s += ',';
      s += std::to_string(t.rank);
      s += ',';
      s += to_string(t.decision);
      s += ',';
    } else {
      s += ",-1,,,,";
    }
    append_csv_field(s, a.trace.replies[i]);
    s += '\n';
  });
}

void write_candidates_table(std::ostream& out, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  out << pad("rank", 6) << pad("adopt", 7) << pad("freq", 6) << pad("impact", 8) << pad("diff", 8)
      << pad("quadrant", 12) << pad("decision", 11) << "label\n";
  for (std::size_t i = 0; i < a.candidates.size() && i < ro.report_top; ++i) {
    const candidate& c = a.candidates[i];
    out << pad(std::to_string(c.rank), 6) << pad(fixed2(c.scores.adoption), 7)
        << pad(fixed2(c.scores.frequency), 6) << pad(fixed2(c.scores.impact), 8)
        << pad(to_string(c.difficulty.level), 8) << pad(to_string(c.quad), 12)
        << pad(to_string(c.decision.status), 11) << clip(c.label, 40)
        << (c.small_high_impact ? "  [small, high impact]" : "") << '\n';
  }
  for (const auto& c : a.candidates)
    if (c.rank > ro.report_top && c.small_high_impact)
      out << pad(std::to_string(c.rank), 6) << pad(fixed2(c.scores.adoption), 7)
          << pad(fixed2(c.scores.frequency), 6) << pad(fixed2(c.scores.impact), 8)
          << pad(to_string(c.difficulty.level), 8) << pad(to_string(c.quad), 12)
          << pad(to_string(c.decision.status), 11) << clip(c.label, 40)
          << "  [small, high impact]\n";
}

// ---------------------------------------------------------------------------------------------
// report.html

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

// Voices in the report are cut so one long complaint cannot push everything else off the page.
std::string clip_chars(std::string_view s, std::size_t chars) {
  std::size_t n = 0, i = 0;
  for (; i < s.size() && n < chars; ++n)
    i += std::min<std::size_t>(s.size() - i, static_cast<unsigned char>(s[i]) < 0x80   ? 1
                                             : static_cast<unsigned char>(s[i]) < 0xE0 ? 2
                                             : static_cast<unsigned char>(s[i]) < 0xF0 ? 3
                                                                                       : 4);
  return i >= s.size() ? std::string(s) : std::string(s.substr(0, i)) + "…";
}

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
        << html(clip(c->label, 20)) << "</text>" << buf << "<text x=\""
        << label_w + static_cast<int>(w) + 4 << "\" y=\"" << y + 15
        << "\" font-size=\"11\" fill=\"#52606d\">" << c->frequency.voices << "</text>\n";
    y += row_h;
  }
  out << "</svg>\n";
}

void svg_scatter(std::ostream& out, const adoption_result& a) {
  // Plot area: x = difficulty (easy on the left), y = impact (high at the top).
  const double left = 42, top = 10, w = 324, h = 250;
  const double width = left + w + 12, height = top + h + 36;
  auto px = [&](double d) { return left + d * w; };
  auto py = [&](double i) { return top + (1 - i) * h; };
  const double sx = px(a.adoption.difficulty_split), sy = py(a.adoption.impact_split);
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"影響度と実装難易度\">\n",
                width, height);
  out << buf;
  struct area {
    double x, y, w, h;
    quadrant q;
    const char* anchor;
    double tx, ty;
  };
  const area areas[] = {
      {left, top, sx - left, sy - top, quadrant::quick_win, "start", left + 4, top + 13},
      {sx, top, left + w - sx, sy - top, quadrant::big_bet, "end", left + w - 4, top + 13},
      {left, sy, sx - left, top + h - sy, quadrant::fill_in, "start", left + 4, top + h - 5},
      {sx, sy, left + w - sx, top + h - sy, quadrant::reconsider, "end", left + w - 4,
       top + h - 5}};
  for (const auto& ar : areas) {
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
                left, top, w, h, sx, top, sx, top + h, left, sy, left + w, sy);
  out << buf;
  std::snprintf(buf, sizeof buf,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                "fill=\"#52606d\">実装難易度（右ほど大きい）→</text>\n<text x=\"10\" y=\"%.1f\" "
                "font-size=\"11\" text-anchor=\"middle\" fill=\"#52606d\" "
                "transform=\"rotate(-90 10 %.1f)\">影響度（上ほど大きい）→</text>\n",
                left + w / 2, top + h + 28, top + h / 2, top + h / 2);
  out << buf;
  for (double t : {0.0, 0.5, 1.0}) {
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\" "
                  "fill=\"#52606d\">%.1f</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                  "text-anchor=\"end\" fill=\"#52606d\">%.1f</text>\n",
                  px(t), top + h + 12, t, left - 4, py(t) + 3, t);
    out << buf;
  }

  std::size_t largest = 1;
  for (const auto& c : a.candidates)
    largest = std::max(largest, c.frequency.voices);
  struct point {
    const candidate* c;
    double x, y, r;
  };
  // Difficulty takes a few discrete values, so clusters of one level would be drawn on top of
  // each other: each circle, in rank order, moves sideways to the nearest free spot. The layout
  // depends only on the ranks and scores, so the bytes stay deterministic.
  std::vector<point> points;
  for (const auto& c : a.candidates) {
    const double r =
        4 + 7 * std::sqrt(static_cast<double>(c.frequency.voices) / static_cast<double>(largest));
    const double y = std::clamp(py(c.scores.impact), top + r, top + h - r);
    const double x0 = px(c.scores.difficulty);
    double x = std::clamp(x0, left + r, left + w - r);
    for (int step = 0; step < 80; ++step) {
      const double offset = (step % 2 == 1 ? 1 : -1) * ((step + 1) / 2) * 3.0;
      const double cand_x = std::clamp(x0 + offset, left + r, left + w - r);
      const bool clear = std::none_of(points.begin(), points.end(), [&](const point& p) {
        return std::hypot(p.x - cand_x, p.y - y) < p.r + r + 1;
      });
      if (clear) {
        x = cand_x;
        break;
      }
    }
    points.push_back({&c, x, y, r});
  }
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
  // Quadrant names last, with a white halo, so no circle hides them.
  for (const auto& ar : areas) {
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\" fill=\"%s\" "
                  "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>\n",
                  ar.tx, ar.ty, ar.anchor, quadrant_color(ar.q), to_japanese(ar.q));
    out << buf;
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

void write_report_html(std::ostream& out, const analysis_result& r, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  std::size_t noise = 0;
  for (auto c : r.clusters.assignment)
    noise += c < 0 ? 1 : 0;
  std::size_t recommended = 0, flagged = 0;
  for (const auto& c : a.candidates) {
    recommended += c.recommended ? 1 : 0;
    flagged += c.small_high_impact ? 1 : 0;
  }

  out << "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>共創レポート — " << html(r.input.source) << "</title>\n<style>" << report_css
      << "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>共創レポート</h1>\n<p class=\"sub\">"
      << html(r.input.source) << " の声 " << r.input.read() << " 件を " << r.clusters.k
      << " のまとまりに分け、頻度・影響度・実装難易度で採用候補を順位づけしました。</p>\n"
      << "</header>\n";

  // The two-minute summary comes first.
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

  out << "<section>\n<h2>件数</h2>\n<ul class=\"totals\">\n"
      << "<li><b>" << r.input.read() << "</b>読み込み</li>\n"
      << "<li><b>" << r.input.count(record_status::kept) << "</b>分析対象</li>\n"
      << "<li><b>" << r.clusters.k << "</b>まとまり</li>\n"
      << "<li><b>" << r.input.count(record_status::empty) << "</b>空</li>\n"
      << "<li><b>" << r.input.count(record_status::rejected) << "</b>不正</li>\n"
      << "<li><b>" << noise << "</b>ノイズ</li>\n</ul>\n</section>\n";

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

  out << "<section>\n<h2>まとまりの大きさ</h2>\n";
  svg_bar_chart(out, a);
  quadrant_legend(out);
  out << "</section>\n<section>\n<h2>影響度 × 実装難易度</h2>\n";
  svg_scatter(out, a);
  out << "<p class=\"sub\">円の番号は順位、大きさは件数。点線の円は難易度が未判定、赤い縁は少数・"
         "高影響。</p>\n</section>\n";

  if (!a.critical.empty()) {
    // Where the most serious words went: a severe topic merged into a large cluster, or split
    // over several, is still seen here.
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
            << (it == by_cluster.end()
                    ? std::string("ノイズ")
                    : std::to_string(it->second->rank) + ". " + html(clip(it->second->label, 18)))
            << "（" << n << "）";
      }
      if (s.clusters.size() > 3) out << " ほか";
      out << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</div>\n</section>\n";
  }

  out << "<section>\n<h2>上位の候補: 声 → 判断 → 理由</h2>\n";
  for (const auto& c : a.candidates) {
    if (c.rank > ro.report_top && !c.small_high_impact) continue;
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
    for (std::size_t i = 0; i < c.representatives.size() && i < 3; ++i) {
      const document_view doc = r.input.documents[r.row_document[c.representatives[i]]];
      out << "<li>" << html(clip_chars(doc.text, 120)) << "</li>\n";
    }
    out << "</ul>\n<p class=\"arrow\">↓</p>\n<p class=\"step\">判断</p>\n<p class=\"decision\">";
    if (c.decision.status == decision_status::undecided) {
      out << "未決定（決定ファイルにキー <code>" << html(c.key) << "</code> で記入してください）";
    } else {
      out << "<span class=\"badge dec\">" << to_japanese(c.decision.status) << "</span> ";
      if (!c.decision.date.empty())
        out << "<span class=\"meta-inline\">" << html(c.decision.date) << "</span> ";
      out << html(c.decision.reason);
    }
    out << "</p>\n<p class=\"arrow\">↓</p>\n<p class=\"step\">理由</p>\n<ul class=\"reasons\">\n";
    for (const auto& reason : c.reasons)
      out << "<li>" << html(reason) << "</li>\n";
    out << "</ul>\n</article>\n";
  }
  out << "</section>\n";

  if (!a.unmatched_decisions.empty()) {
    out << "<section>\n<h2>一致しなかった判断</h2>\n<div class=\"scroll\">\n<table>\n"
        << "<thead><tr><th>行</th><th>キー</th><th>判断</th><th>理由</th></tr></thead>\n<tbody>\n";
    for (const auto& d : a.unmatched_decisions)
      out << "<tr><td class=\"n\">" << d.line << "</td><td>" << html(d.key) << "</td><td>"
          << to_japanese(d.status) << "</td><td>" << html(d.reason) << "</td></tr>\n";
    out << "</tbody>\n</table>\n</div>\n</section>\n";
  }
  if (!a.notes.empty()) {
    out << "<section>\n<h2>注記</h2>\n<ul class=\"notes\">\n";
    for (const auto& n : a.notes)
      out << "<li>" << html(n) << "</li>\n";
    out << "</ul>\n</section>\n";
  }
  out << "<footer>koe " << KOE_VERSION
      << " で作成。スコアの計算方法と設定は docs/scoring.md を参照。</footer>\n</main>\n</body>\n"
         "</html>\n";
}

}  // namespace

void write_report(std::ostream& out, const analysis_result& r, report_format format,
                  const report_options& options) {
  switch (format) {
    case report_format::clusters_json:
      write_clusters_json(out, r, options);
      break;
    case report_format::assignments_csv:
      write_assignments_csv(out, r);
      break;
    case report_format::table:
      write_table(out, r);
      break;
    case report_format::candidates_json:
      write_candidates_json(out, r, options);
      break;
    case report_format::trace_csv:
      write_trace_csv(out, r, options);
      break;
    case report_format::report_html:
      write_report_html(out, r, options);
      break;
    case report_format::candidates_table:
      write_candidates_table(out, options);
      break;
  }
}

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& fill) {
  const std::filesystem::path tmp =
      path.string() + ".tmp." + std::to_string(static_cast<long long>(::getpid()));
  auto discard = [&tmp] {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
  };
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    KOE_THROW_IF_NOT(f, errc::io_failure, "cannot write " + tmp.string());
    try {
      fill(f);
    } catch (...) {
      f.close();
      discard();
      throw;
    }
    f.flush();
    if (!f) {
      discard();
      throw error(errc::io_failure, "cannot write " + tmp.string() + " (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    discard();
    throw error(errc::io_failure, "cannot replace " + path.string() + ": " + ec.message());
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  write_file_atomically(path, [&contents](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

void write_rejects_csv(std::ostream& out, const corpus& c) {
  out << "record,line,id,reason\n";
  for (const auto& d : c.documents)
    if (d.status == record_status::rejected)
      out << d.record << ',' << d.line << ',' << csv_field(d.id) << ',' << csv_field(d.reason)
          << '\n';
}

void write_outputs(const std::filesystem::path& dir, const analysis_result& r,
                   const report_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  KOE_THROW_IF_NOT(!ec && std::filesystem::is_directory(dir), errc::io_failure,
                   "cannot create output directory " + dir.string() +
                       (ec ? ": " + ec.message() : std::string()));
  // Each file is written straight to its temporary file: no copy of it is held in memory.
  auto write = [&](const char* name, report_format format) {
    write_file_atomically(dir / name,
                          [&](std::ostream& out) { write_report(out, r, format, options); });
  };
  write("clusters.json", report_format::clusters_json);
  write("assignments.csv", report_format::assignments_csv);
  // Rejected records also get a file of their own, so they can be fixed and read again.
  std::error_code gone;
  std::filesystem::remove(dir / "rejects.csv", gone);
  if (r.input.count(record_status::rejected) > 0) {
    write_file_atomically(dir / "rejects.csv",
                          [&](std::ostream& out) { write_rejects_csv(out, r.input); });
  }
  if (options.adoption == nullptr) return;
  for (const auto& [name, format] : {std::pair{"candidates.json", report_format::candidates_json},
                                     std::pair{"trace.csv", report_format::trace_csv},
                                     std::pair{"report.html", report_format::report_html}}) {
    write(name, format);
  }
}

}  // namespace koe
