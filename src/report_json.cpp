// JSON outputs: clusters.json (counts, options, clusters, noise, k curve) and candidates.json
// (ranked adoption candidates with their scores, signals and decisions).
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/options_json.hpp"
#include "detail/report.hpp"
#include "detail/trends_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace koe::detail {
namespace {

using json = nlohmann::ordered_json;

// The representative voices of `rows`, each as {id, text}.
json representatives_json(const analysis_result& r, const std::vector<std::size_t>& rows) {
  json reps = json::array();
  for (std::size_t row : rows) {
    const document_view doc = r.input.documents[r.row_document[row]];
    reps.push_back({{"id", doc.id}, {"text", doc.text}});
  }
  return reps;
}

// A date or null when unknown.
json date_or_null(const std::string& date) {
  return date.empty() ? json() : json(date);
}

// Where a candidate's decision stands on the programme's date (`stage_of`).
json stage_json(const stage_state& s) {
  return {{"stage", to_string(s.stage)},
          {"since", date_or_null(s.since)},
          {"days", s.days >= 0 ? json(s.days) : json()},
          {"limit", s.limit},
          {"stuck", s.stuck},
          {"adopted_on", date_or_null(s.adopted_on)},
          {"summary", s.summary}};
}

// A candidate's decision: its current row, its history when it has more than one row, and its
// stage when the programme is known.
json decision_json(const candidate& c, const stage_state* stage) {
  const decision& d = c.decision;
  json j;
  j["status"] = to_string(d.status);
  if (d.status != decision_status::undecided) {
    j["reason"] = d.reason;
    j["date"] = d.date;
    j["key"] = d.key;
    j["line"] = d.line;
    j["overlap"] = rounded(d.overlap, 4);
    if (c.decision_history.size() > 1) {
      json rows = json::array();
      for (const decision& h : c.decision_history)
        rows.push_back({{"decision", to_string(h.status)}, {"date", h.date}, {"reason", h.reason}});
      j["history"] = std::move(rows);
    }
  }
  if (stage != nullptr) j["stage"] = stage_json(*stage);
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

// A candidate's owner (担当): who decides, and the rule or override that chose them.
json owner_json(const owner_signal& o) {
  return {{"owner", o.owner},          {"role", o.role},
          {"assigned", o.assigned},    {"matched_terms", o.matched_terms},
          {"reason", o.rule_reason},   {"line", o.rule_line},
          {"overridden", o.overridden}};
}

}  // namespace

void write_clusters_json(std::ostream& out, const analysis_result& r, const report_options& ro) {
  json j;
  j["version"] = KOE_VERSION;
  j["input"] = {{"path", r.input.source},
                {"encoding", r.input.encoding},
                {"read", r.input.read()},
                {to_string(record_status::kept), r.input.count(record_status::kept)},
                {to_string(record_status::empty), r.input.count(record_status::empty)},
                {to_string(record_status::rejected), r.input.count(record_status::rejected)}};
  if (ro.options != nullptr) j["options"] = options_json(*ro.options);
  j["dictionary"] = r.fitted.dictionary;
  j["vocabulary_size"] = r.fitted.vectorizer.vocabulary.size();
  j["k"] = r.clusters.k;
  const trend_result* trends = ro.trends;
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
    c["representatives"] = representatives_json(r, d.representatives);
    c["cohesion"] = rounded(d.cohesion);
    c["duplicates"] = d.duplicates;
    if (const trend_series* s = trends != nullptr ? trends->find(d.id) : nullptr)
      c["trend"] = trend_json(*trends, *s);
    clusters.push_back(std::move(c));
  }
  j["clusters"] = std::move(clusters);
  j["noise"] = noise_count(r);
  if (trends != nullptr) j["trends"] = trends_summary_json(*trends);
  if (!r.fitted.k_curve.empty()) {
    json curve = json::array();
    for (const auto& p : r.fitted.k_curve)
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

void write_candidates_json(std::ostream& out, const analysis_result& r, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  const std::vector<stage_state>* stages =
      ro.programme != nullptr ? &ro.programme->stages : nullptr;
  json arr = json::array();
  for (std::size_t i = 0; i < a.candidates.size(); ++i) {
    const candidate& c = a.candidates[i];
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
    j["representatives"] = representatives_json(r, c.representatives);
    j["decision"] =
        decision_json(c, stages != nullptr && i < stages->size() ? &(*stages)[i] : nullptr);
    j["owner"] = owner_json(c.owner);
    j["signals"] = signals_json(c);
    if (const decision_effect* e = ro.trends != nullptr ? ro.trends->effect(c.cluster) : nullptr)
      j["effect"] = effect_json(*e);
    arr.push_back(std::move(j));
  }
  out << arr.dump(2) << '\n';
}

}  // namespace koe::detail
