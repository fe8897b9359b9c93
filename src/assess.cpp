// The scoring step on a whole run: the explicit inputs of scoring and tracing, taken from an
// `analysis_result`.
#include <koe/assess.hpp>
#include <koe/programme.hpp>
#include <koe/score_config.hpp>

namespace koe {

score_input score_input_of(const analysis_result& r) {
  score_input in;
  in.records = &r.input;
  in.row_document = r.row_document;
  in.assignment = r.clusters.assignment;
  in.clusters = r.descriptions;
  in.terms = &r.terms;
  in.normalized = &r.normalized;
  in.normalization = &r.fitted.normalization;
  in.phrases = r.phrases;
  in.phrase_hits = r.phrase_hits;
  return in;
}

std::vector<candidate> score(const analysis_result& r, const score_options& options) {
  return score(score_input_of(r), options);
}

std::vector<critical_signal> critical_signals(const analysis_result& r,
                                              const score_options& options,
                                              std::size_t min_voices) {
  return critical_signals(score_input_of(r), options, min_voices);
}

std::vector<std::string> signal_notes(const analysis_result& r, const score_options& options) {
  return signal_notes(score_input_of(r), options);
}

trace_table trace(const analysis_result& r, const std::vector<candidate>& candidates,
                  const score_options& options) {
  return trace(score_input_of(r), candidates, options);
}

adoption_result assess(const analysis_result& r, const score_options& options,
                       const std::vector<decision>& decisions) {
  const score_input in = score_input_of(r);
  adoption_result a;
  constexpr std::size_t critical_min_voices = 3;  // as `critical_signals` by default
  {
    scored_clusters s = score_clusters(in, options, critical_min_voices);
    a.candidates = std::move(s.candidates);
    a.notes = std::move(s.notes);
    a.critical = std::move(s.critical);
  }
  a.unmatched_decisions = apply_decisions(a.candidates, decisions, options.decisions);
  assign_owners(a.candidates, options.owners);
  a.trace = trace(in, a.candidates, options);
  a.adoption = options.adoption;
  return a;
}

}  // namespace koe
