// The outputs of `koe assign`: clusters.json (the batch in the model's clusters and the
// new-theme groups), the terminal table, the sections report.html adds, and the output folder.
// assignments.csv is written by report_csv.cpp, the rest by the writers of a fit.
#include <koe/assign.hpp>
#include <koe/error.hpp>
#include <koe/output_set.hpp>
#include <koe/programme.hpp>

#include "detail/report.hpp"
#include "detail/utf8.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace koe {
namespace detail {
namespace {

using json = nlohmann::ordered_json;

double share_of(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

json voices_json(const analysis_result& r, const std::vector<std::size_t>& rows) {
  json out = json::array();
  for (const std::size_t row : rows) {
    const document_view doc = r.input.documents[r.row_document[row]];
    out.push_back({{"id", doc.id}, {"text", doc.text}});
  }
  return out;
}

const char* mode_name(new_theme_mode m) {
  switch (m) {
    case new_theme_mode::automatic:
      return "auto";
    case new_theme_mode::off:
      return "off";
    case new_theme_mode::fixed:
      return "fixed";
  }
  return "auto";
}

json rule_json(const new_theme_options& o) {
  json j = {{"mode", mode_name(o.mode)}};
  if (o.mode == new_theme_mode::automatic) {
    j["percentile"] = o.percentile;
    j["floor"] = o.floor;
  } else if (o.mode == new_theme_mode::fixed) {
    j["similarity"] = o.similarity;
  }
  return j;
}

// The decision a candidate of cluster `id` carries; undecided when none.
decision_status decision_of(const adoption_result* a, int id) {
  if (a == nullptr) return decision_status::undecided;
  for (const candidate& c : a->candidates)
    if (c.cluster == id) return c.decision.status;
  return decision_status::undecided;
}

std::size_t count_reason(const assign_result& a, new_theme_reason reason) {
  std::size_t n = 0;
  for (const new_theme_reason r : a.new_theme)
    n += r == reason ? 1 : 0;
  return n;
}

json new_themes_json(const assign_result& a) {
  const new_theme_groups& g = a.new_themes;
  json groups = json::array();
  for (const cluster_description& d : g.descriptions) {
    json terms = json::array();
    for (const term_weight& t : d.terms)
      terms.push_back({{"term", t.term}, {"weight", rounded(t.weight)}});
    groups.push_back({{"id", d.id},
                      {"label", d.label},
                      {"size", d.size},
                      {"share", rounded(d.share)},
                      {"terms", std::move(terms)},
                      {"representatives", voices_json(a.batch, d.representatives)},
                      {"cohesion", rounded(d.cohesion)},
                      {"duplicates", d.duplicates}});
  }
  std::size_t ungrouped = 0;
  for (const std::int32_t c : g.groups.assignment)
    ungrouped += c < 0 ? 1 : 0;
  return {{"voices", g.rows.size()},
          {"share", rounded(share_of(g.rows.size(), a.batch.row_document.size()))},
          {to_string(new_theme_reason::below_threshold),
           count_reason(a, new_theme_reason::below_threshold)},
          {to_string(new_theme_reason::no_known_terms),
           count_reason(a, new_theme_reason::no_known_terms)},
          {"groups", std::move(groups)},
          {"ungrouped", ungrouped}};
}

}  // namespace

void write_assign_clusters_json(std::ostream& out, const assign_result& a,
                                const report_options& ro) {
  const analysis_result& b = a.batch;
  const model& m = b.fitted;
  json j;
  j["version"] = KOE_VERSION;
  j["command"] = "assign";
  j["input"] = {{"path", b.input.source},
                {"encoding", b.input.encoding},
                {"read", b.input.read()},
                {to_string(record_status::kept), b.input.count(record_status::kept)},
                {to_string(record_status::empty), b.input.count(record_status::empty)},
                {to_string(record_status::rejected), b.input.count(record_status::rejected)}};
  json statuses = json::object();
  for (const auto s :
       {assignment_status::clustered, assignment_status::noise, assignment_status::new_theme,
        assignment_status::empty, assignment_status::rejected})
    statuses[to_string(s)] = a.count(s);
  j["assigned"] = std::move(statuses);
  if (!a.period_first.empty()) j["period"] = {{"first", a.period_first}, {"last", a.period_last}};
  j["model"] = {{"dictionary", m.dictionary},
                {"documents", m.vectorizer.documents},
                {"k", m.clusters.size()},
                {"decisions", m.decisions.size()}};
  if (!m.period_first.empty())
    j["model"]["period"] = {{"first", m.period_first}, {"last", m.period_last}};
  j["new_theme_rule"] = rule_json(a.rule);
  j["dictionary"] = b.fitted.dictionary;
  j["k"] = b.clusters.k;
  json clusters = json::array();
  for (std::size_t id = 0; id < b.descriptions.size(); ++id) {
    const cluster_description& d = b.descriptions[id];  // one per model row, in row order
    json c = {{"id", d.id}, {"label", d.label}, {"size", d.size}, {"share", rounded(d.share)}};
    c["fit_size"] = id < m.clusters.size() ? m.clusters[id].size : 0;
    if (id < a.thresholds.size()) c["threshold"] = rounded(a.thresholds[id]);
    c["decision"] = to_string(decision_of(ro.adoption, d.id));
    json terms = json::array();
    for (const term_weight& t : d.terms)
      terms.push_back(t.term);
    c["terms"] = std::move(terms);
    c["representatives"] = voices_json(b, d.representatives);
    c["cohesion"] = rounded(d.cohesion);
    c["duplicates"] = d.duplicates;
    clusters.push_back(std::move(c));
  }
  j["clusters"] = std::move(clusters);
  j["noise"] = a.count(assignment_status::noise);
  j["new_themes"] = new_themes_json(a);
  if (ro.include_stats) {
    json stages = json::object();
    for (const auto& t : b.timings)
      stages[t.stage] = rounded(t.seconds, 4);
    j["stats"] = {{"seconds", std::move(stages)}, {"peak_rss_bytes", b.peak_rss_bytes}};
  }
  out << j.dump(2) << '\n';
}

void write_assign_table(std::ostream& out, const assign_result& a) {
  using utf8::clip_width;
  using utf8::pad;
  const analysis_result& b = a.batch;
  const auto line = [&](const std::string& id, const cluster_description& d) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * d.share);
    const std::string rep =
        d.representatives.empty()
            ? std::string()
            : std::string(b.input.documents.text(b.row_document[d.representatives.front()]));
    out << pad(id, 5) << pad(std::to_string(d.size), 7) << pad(share, 8)
        << pad(clip_width(utf8::one_line(d.label), 32), 34) << clip_width(utf8::one_line(rep), 44)
        << '\n';
  };
  out << pad("#", 5) << pad("size", 7) << pad("share", 8) << pad("label", 34) << "representative\n";
  for (const cluster_description& d : b.descriptions)
    line(std::to_string(d.id), d);
  if (!a.new_themes.descriptions.empty()) out << "new themes (share of the new-theme voices):\n";
  for (const cluster_description& d : a.new_themes.descriptions)
    line("N" + std::to_string(d.id), d);
  out << "read " << b.input.read() << " = clustered " << a.count(assignment_status::clustered)
      << " + noise " << a.count(assignment_status::noise) << " + new_theme "
      << a.count(assignment_status::new_theme) << " + empty " << a.count(assignment_status::empty)
      << " + rejected " << a.count(assignment_status::rejected) << "; clusters " << b.clusters.k
      << ", new-theme groups " << a.new_themes.descriptions.size() << '\n';
}

namespace {

// The batch in the model's clusters: how much of it fell where the team has already decided.
void decided_section(std::ostream& out, const assign_result& as, const adoption_result& a) {
  const analysis_result& b = as.batch;
  const std::size_t rows = b.row_document.size();
  std::array<std::size_t, decision_words.size()> voices{};
  for (const candidate& c : a.candidates)
    voices[static_cast<std::size_t>(c.decision.status)] += c.frequency.voices;
  std::size_t decided = 0;
  for (std::size_t s = 1; s < voices.size(); ++s)
    decided += voices[s];
  const model& m = b.fitted;
  out << "<section>\n<h2>既存のまとまりへの割り当て</h2>\n<p class=\"sub\">学習済みモデル（声 "
      << m.vectorizer.documents << " 件";
  if (!m.period_first.empty())
    out << "、" << html_text(m.period_first) << " 〜 " << html_text(m.period_last);
  out << "）の " << m.clusters.size() << " のまとまりに、今回の声 " << rows
      << " 件を割り当てました。</p>\n<ul class=\"lead\">\n<li>判断済みのまとまりに入った声: <b>"
      << decided << " 件（" << percent1(share_of(decided, rows)) << "）</b>";
  // 採用, 見送り and 検討中 always (as before the later stages existed), a later stage when some
  // voices are there.
  for (std::size_t s = 1; s < decision_words.size(); ++s)
    if (s <= 3 || voices[s] > 0)
      out << (s == 1 ? " — " : "、") << decision_words[s].japanese << " " << voices[s] << " 件";
  out << "</li>\n<li>未決定のまとまり: " << voices[0] << " 件（"
      << percent1(share_of(voices[0], rows)) << "）</li>\n</ul>\n<div class=\"scroll\">\n<table>\n"
      << "<thead><tr><th>#</th><th>まとまり</th><th>今回</th><th>割合</th><th>学習時</th>"
      << "<th>判断</th></tr></thead>\n<tbody>\n";
  for (std::size_t id = 0; id < b.descriptions.size(); ++id) {
    const cluster_description& d = b.descriptions[id];  // one per model row, in row order
    out << "<tr><td>" << d.id << "</td><td>" << html_text(d.label) << "</td><td>" << d.size
        << "</td><td>" << percent1(d.share) << "</td><td>"
        << (id < m.clusters.size() ? m.clusters[id].size : 0) << "</td><td>"
        << to_japanese(decision_of(&a, d.id)) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</div>\n</section>\n";
}

// 新しいテーマの兆し: the voices far from every cluster, grouped among themselves.
void new_theme_section(std::ostream& out, const assign_result& as) {
  const analysis_result& b = as.batch;
  const new_theme_groups& g = as.new_themes;
  out << "<section>\n<h2>新しいテーマの兆し</h2>\n";
  if (g.rows.empty()) {
    out << "<p class=\"sub\">今回の声はどれも既存のまとまりのどれかに十分近く、新しいテーマの"
           "兆しはありませんでした。</p>\n</section>\n";
    return;
  }
  out << "<p class=\"sub\">既存のまとまりのどれからも遠い声が <b>" << g.rows.size() << " 件（"
      << percent1(share_of(g.rows.size(), b.row_document.size()))
      << "）</b>ありました（しきい値未満 " << count_reason(as, new_theme_reason::below_threshold)
      << " 件、モデルの語彙にない語だけの声 " << count_reason(as, new_theme_reason::no_known_terms)
      << " 件）。それらだけでまとめ直したグループです。</p>\n";
  for (const cluster_description& d : g.descriptions) {
    out << "<article class=\"cand\">\n<h3>N" << d.id << ". " << html_text(d.label) << "</h3>\n"
        << "<p class=\"scores\">" << d.size << "件 · 新しいテーマの " << percent1(d.share)
        << "<br>語: ";
    for (std::size_t i = 0; i < d.terms.size(); ++i)
      out << (i ? "、" : "") << html_text(d.terms[i].term);
    out << "</p>\n<p class=\"step\">代表的な声</p>\n<ul class=\"voices\">\n";
    for (std::size_t i = 0; i < d.representatives.size() && i < 3; ++i) {
      const document_view doc = b.input.documents[b.row_document[d.representatives[i]]];
      out << "<li>" << html_text(utf8::clip_chars(doc.text, 120)) << "</li>\n";
    }
    out << "</ul>\n</article>\n";
  }
  out << "</section>\n";
}

}  // namespace

void assign_sections(std::ostream& out, const assign_result& assigned, const adoption_result& a) {
  decided_section(out, assigned, a);
  new_theme_section(out, assigned);
}

}  // namespace detail

void write_assign_report(std::ostream& out, const assign_result& a, report_format format,
                         const report_options& options) {
  switch (format) {
    case report_format::clusters_json:
      detail::write_assign_clusters_json(out, a, options);
      break;
    case report_format::assignments_csv:
      detail::write_assignments_csv(out, a);
      break;
    case report_format::table:
      detail::write_assign_table(out, a);
      break;
    case report_format::report_html:
      detail::write_report_html(out, a.batch, options, &a);
      break;
    case report_format::candidates_json:
    case report_format::trace_csv:
    case report_format::candidates_table:
    case report_format::trends_csv:
    case report_format::alerts_json:
    case report_format::changes_json:
    case report_format::owners_csv:
    case report_format::kpis_csv:
    case report_format::followups_csv:
      write_report(out, a.batch, format, options);
      break;
  }
}

void write_assign_outputs(const std::filesystem::path& dir, const assign_result& a,
                          const report_options& options) {
  // The output set of a fit (`write_outputs`): the same files, manifest.json last.
  auto report = [&a, &options](report_format format) -> std::function<void(std::ostream&)> {
    return
        [&a, &options, format](std::ostream& out) { write_assign_report(out, a, format, options); };
  };
  auto when = [](bool written, std::function<void(std::ostream&)> fill) {
    return written ? std::move(fill) : nullptr;
  };
  const bool adoption = options.adoption != nullptr;
  const bool trends = options.trends != nullptr;
  const bool programme = adoption && options.programme != nullptr;
  const corpus& input = a.batch.input;
  (void)write_output_set(
      dir,
      {
          {"clusters.json", report(report_format::clusters_json)},
          {"assignments.csv", report(report_format::assignments_csv)},
          {"rejects.csv", when(input.count(record_status::rejected) > 0,
                               [&input](std::ostream& out) { write_rejects_csv(out, input); })},
          {"candidates.json", when(adoption, report(report_format::candidates_json))},
          {"trace.csv", when(adoption, report(report_format::trace_csv))},
          {"report.html", when(adoption, report(report_format::report_html))},
          {"trends.csv", when(trends, report(report_format::trends_csv))},
          {"alerts.json", when(trends, report(report_format::alerts_json))},
          {"owners.csv", when(programme, report(report_format::owners_csv))},
          {"kpis.csv", when(programme, report(report_format::kpis_csv))},
          {"followups.csv", when(programme && options.programme->has_contributors,
                                 report(report_format::followups_csv))},
      });
}

}  // namespace koe
