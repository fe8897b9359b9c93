// The parts of `analyze_programme` (koe/programme.hpp), each in its own file: the KPIs
// (src/kpis.cpp) and the follow-up plan (src/followups.cpp). Private to koe.
#pragma once

#include <koe/programme.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace koe::detail {

/// The KPIs per period (`options.trends.period`), oldest first, then the whole run ("all").
/// `stages` are the candidates' states, in candidate order.
[[nodiscard]] std::vector<kpi_row> programme_kpis(const score_input& in,
                                                  const std::vector<candidate>& candidates,
                                                  const std::vector<stage_state>& stages,
                                                  const score_options& options);

/// The follow-up plan on the day `as_of`: one row per contributor with an open thread, by next
/// contact date, then contributor.
[[nodiscard]] std::vector<followup> plan_followups(const score_input& in,
                                                   const std::vector<candidate>& candidates,
                                                   const std::vector<stage_state>& stages,
                                                   const std::vector<contact>& contacts,
                                                   std::optional<std::int64_t> as_of,
                                                   const score_options& options);

}  // namespace koe::detail
