// What changed since the previous fit: changes.json, the report section 前回からの変化, and the
// decisions offered to the parts of a split cluster (koe/changes.hpp).
#include <koe/changes.hpp>

#include "detail/report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace koe {
namespace {

using json = nlohmann::ordered_json;

constexpr int changes_format_version = 1;

constexpr lineage_kind all_kinds[] = {lineage_kind::continued, lineage_kind::born,
                                      lineage_kind::split,     lineage_kind::merged,
                                      lineage_kind::dormant,   lineage_kind::returned};

json label_json(const lineage_report& r, int id) {
  const auto it = r.labels.find(id);
  return it == r.labels.end() ? json(nullptr) : json(it->second);
}

json event_json(const lineage_report& r, const lineage_event& e) {
  return {{"kind", to_string(e.kind)},
          {"id", e.id},
          {"label", label_json(r, e.id)},
          {"parents", e.parents},
          {"children", e.children},
          {"similarity", detail::rounded(e.similarity, 4)},
          {"share_before", detail::rounded(e.share_before, 6)},
          {"share_after", detail::rounded(e.share_after, 6)}};
}

// "#3 ラベル", escaped for HTML.
std::string name_html(const lineage_report& r, int id) {
  std::string s = "#" + std::to_string(id);
  if (const auto it = r.labels.find(id); it != r.labels.end() && !it->second.empty())
    s += " " + detail::html_text(it->second);
  return s;
}

std::string names_html(const lineage_report& r, const std::vector<int>& ids, const char* sep) {
  std::string s;
  for (std::size_t k = 0; k < ids.size(); ++k)
    s += (k > 0 ? sep : "") + name_html(r, ids[k]);
  return s;
}

std::vector<const lineage_event*> of_kind(const lineage_report& r,
                                          std::initializer_list<lineage_kind> kinds) {
  std::vector<const lineage_event*> out;
  for (const auto& e : r.events)
    if (std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end()) out.push_back(&e);
  return out;
}

// New themes: born with no parent, largest first.
void new_themes_html(std::ostream& out, const lineage_report& r) {
  std::vector<const lineage_event*> born;
  for (const auto* e : of_kind(r, {lineage_kind::born}))
    if (e->parents.empty()) born.push_back(e);
  std::stable_sort(born.begin(), born.end(),
                   [](const auto* a, const auto* b) { return a->share_after > b->share_after; });
  out << "<h3>新しいテーマ</h3>\n";
  if (born.empty()) {
    out << "<p class=\"sub\">なし</p>\n";
    return;
  }
  out << "<ul>\n";
  for (const auto* e : born)
    out << "<li>" << name_html(r, e->id) << "（" << detail::percent1(e->share_after) << "）</li>\n";
  out << "</ul>\n";
}

// The `top` clusters whose share rose (or fell) most, among those present at both fits.
void movers_html(std::ostream& out, const lineage_report& r, std::size_t top) {
  std::vector<const lineage_event*> both;
  for (const auto* e :
       of_kind(r, {lineage_kind::continued, lineage_kind::split, lineage_kind::merged,
                   lineage_kind::returned, lineage_kind::dormant}))
    if (e->share_before > 0 || e->share_after > 0) both.push_back(e);
  const auto delta = [](const lineage_event* e) { return e->share_after - e->share_before; };
  for (const bool rising : {true, false}) {
    std::vector<const lineage_event*> v;
    for (const auto* e : both)
      if (rising ? delta(e) > 0 : delta(e) < 0) v.push_back(e);
    std::stable_sort(v.begin(), v.end(), [&](const auto* a, const auto* b) {
      return rising ? delta(a) > delta(b) : delta(a) < delta(b);
    });
    if (v.size() > top) v.resize(top);
    out << "<h3>" << (rising ? "増えたテーマ" : "減ったテーマ") << "</h3>\n";
    if (v.empty()) {
      out << "<p class=\"sub\">なし</p>\n";
      continue;
    }
    out << "<div class=\"scroll\">\n<table>\n<thead><tr><th>テーマ</th><th>前回 → 今回</th>"
           "<th>変化</th></tr></thead>\n<tbody>\n";
    for (const auto* e : v) {
      const double d = 100 * delta(e);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%+.1f pt", d);
      out << "<tr><td>" << name_html(r, e->id) << "</td><td>" << detail::percent1(e->share_before)
          << " → " << detail::percent1(e->share_after) << "</td><td>" << buf << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</div>\n";
  }
}

// Splits (parent → parts) and merges (parents → survivor).
void splits_and_merges_html(std::ostream& out, const lineage_report& r) {
  const auto splits = of_kind(r, {lineage_kind::split});
  const auto merges = of_kind(r, {lineage_kind::merged});
  out << "<h3>分裂・統合</h3>\n";
  if (splits.empty() && merges.empty()) {
    out << "<p class=\"sub\">なし</p>\n";
    return;
  }
  out << "<ul>\n";
  for (const auto* e : splits)
    out << "<li>分裂: " << name_html(r, e->id) << " → " << names_html(r, e->children, "、")
        << "</li>\n";
  for (const auto* e : merges)
    out << "<li>統合: " << names_html(r, e->parents, " + ") << " → " << name_html(r, e->id)
        << "</li>\n";
  for (const offered_decision& o : r.offered)
    out << "<li>引き継ぎ候補: " << name_html(r, o.id) << " — " << detail::html_text(o.note)
        << "</li>\n";
  out << "</ul>\n";
}

void dormant_and_returned_html(std::ostream& out, const lineage_report& r) {
  const auto v = of_kind(r, {lineage_kind::dormant, lineage_kind::returned});
  out << "<h3>休眠・再来</h3>\n";
  if (v.empty()) {
    out << "<p class=\"sub\">なし</p>\n";
    return;
  }
  out << "<ul>\n";
  for (const auto* e : v) {
    out << "<li>" << to_japanese(e->kind) << ": " << name_html(r, e->id);
    if (e->kind == lineage_kind::returned)
      out << "（" << detail::percent1(e->share_after) << "）";
    else if (!e->children.empty())
      out << "（" << names_html(r, e->children, "、") << " に統合）";
    out << "</li>\n";
  }
  out << "</ul>\n";
}

}  // namespace

lineage_report make_lineage_report(const refit_comparison& comparison,
                                   std::map<int, std::string> labels,
                                   const lineage_options& options) {
  lineage_report r;
  r.previous_period = comparison.previous_period;
  r.period = comparison.period;
  r.events = lineage(comparison, options);
  r.labels = std::move(labels);
  return r;
}

void write_changes_json(std::ostream& out, const lineage_report& report) {
  json counts = json::object();
  for (lineage_kind k : all_kinds)
    counts[to_string(k)] = std::count_if(report.events.begin(), report.events.end(),
                                         [&](const lineage_event& e) { return e.kind == k; });
  json events = json::array();
  for (const auto& e : report.events)
    events.push_back(event_json(report, e));
  json offered = json::array();
  for (const offered_decision& o : report.offered)
    offered.push_back({{"id", o.id},
                       {"parent", o.parent},
                       {"decision", to_string(o.offered.status)},
                       {"reason", o.offered.reason},
                       {"date", o.offered.date},
                       {"note", o.note}});
  const json j = {{"format_version", changes_format_version},
                  {"previous_period", report.previous_period},
                  {"period", report.period},
                  {"counts", counts},
                  {"events", events},
                  {"offered_decisions", offered}};
  out << j.dump(2) << '\n';
}

std::string changes_json(const lineage_report& report) {
  std::ostringstream out;
  write_changes_json(out, report);
  return out.str();
}

void write_changes_html(std::ostream& out, const lineage_report& report, std::size_t top) {
  out << "<section>\n<h2>前回からの変化</h2>\n<p class=\"sub\">";
  if (!report.previous_period.empty() || !report.period.empty())
    out << detail::html_text(report.previous_period.empty() ? "前回" : report.previous_period)
        << " → " << detail::html_text(report.period.empty() ? "今回" : report.period) << "　";
  bool first = true;
  for (lineage_kind k : all_kinds) {
    const auto n = std::count_if(report.events.begin(), report.events.end(),
                                 [&](const lineage_event& e) { return e.kind == k; });
    out << (first ? "" : "・") << to_japanese(k) << " " << n;
    first = false;
  }
  out << "</p>\n";
  new_themes_html(out, report);
  movers_html(out, report, top);
  splits_and_merges_html(out, report);
  dormant_and_returned_html(out, report);
  out << "</section>\n";
}

std::vector<offered_decision> offer_split_decisions(const std::vector<lineage_event>& events,
                                                    const std::map<int, decision>& decisions) {
  const auto decided = [&](int id) -> const decision* {
    const auto it = decisions.find(id);
    return it == decisions.end() || it->second.status == decision_status::undecided ? nullptr
                                                                                    : &it->second;
  };
  std::vector<offered_decision> out;
  for (const auto& e : events) {
    if (e.kind != lineage_kind::born || e.parents.empty() || decided(e.id) != nullptr) continue;
    for (int parent : e.parents) {
      const decision* d = decided(parent);
      if (d == nullptr) continue;
      offered_decision o;
      o.id = e.id;
      o.parent = parent;
      o.offered = *d;
      o.note = "分裂前のクラスタ #" + std::to_string(parent) + " の決定（" +
               to_japanese(d->status) + "）を引き継ぎ候補として表示";
      out.push_back(std::move(o));
      break;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const offered_decision& a, const offered_decision& b) { return a.id < b.id; });
  return out;
}

}  // namespace koe
