// The programme views of a scored run: each candidate's stage, the KPIs per period and the
// follow-up plan, gathered for the writers and the report (koe/programme.hpp).
#include <koe/error.hpp>
#include <koe/programme.hpp>
#include <koe/score_config.hpp>

#include "detail/programme.hpp"

#include <algorithm>

namespace koe {

namespace {

// The latest date among the voices, the decisions and the contacts, as a day ordinal.
std::optional<std::int64_t> latest_day(const score_input& in,
                                       const std::vector<candidate>& candidates,
                                       const std::vector<contact>& contacts) {
  std::optional<std::int64_t> latest;
  auto see = [&latest](std::string_view date) {
    if (const auto d = period_of(date, period_unit::day))
      latest = std::max(latest.value_or(*d), *d);
  };
  if (in.records != nullptr && in.records->documents.has_timestamps())
    for (std::size_t row = 0; row < in.rows(); ++row)
      see(in.records->documents[in.row_document[row]].timestamp);
  for (const candidate& c : candidates)
    for (const decision& d : c.decision_history)
      see(d.date);
  for (const contact& c : contacts)
    see(c.date);
  return latest;
}

}  // namespace

programme_result analyze_programme(const score_input& in, const std::vector<candidate>& candidates,
                                   const std::vector<contact>& contacts,
                                   const score_options& options, const std::string& as_of) {
  programme_result p;
  std::optional<std::int64_t> day;
  if (!as_of.empty()) {
    day = period_of(as_of, period_unit::day);
    KOE_THROW_IF_NOT(day.has_value(), errc::invalid_argument,
                     "--as-of: '" + as_of + "' is not a date (YYYY-MM-DD)");
  } else {
    day = latest_day(in, candidates, contacts);
  }
  if (day) p.as_of = period_label(*day, period_unit::day);
  p.stages.reserve(candidates.size());
  for (const candidate& c : candidates)
    p.stages.push_back(stage_of(c, day, options.stages));
  p.kpis = detail::programme_kpis(in, candidates, p.stages, options);
  const std::string& column = options.frequency.contributor_column;
  p.has_contributors =
      in.records != nullptr && !column.empty() && in.records->meta_index(column) >= 0;
  if (p.has_contributors)
    p.followups = detail::plan_followups(in, candidates, p.stages, contacts, day, options);
  return p;
}

}  // namespace koe
