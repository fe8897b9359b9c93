// The three KPIs per period: participation, adoption rate and satisfaction (koe/programme.hpp,
// definitions in docs/scoring.md).
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/programme.hpp"
#include "detail/report.hpp"

namespace koe {

namespace detail {

// Placeholder until the KPIs land.
std::vector<kpi_row> programme_kpis(const score_input& /*in*/,
                                    const std::vector<candidate>& /*candidates*/,
                                    const std::vector<stage_state>& /*stages*/,
                                    const score_options& /*options*/) {
  return {};
}

}  // namespace detail

void write_kpis_csv(std::ostream& /*out*/, const programme_result& /*p*/) {}

namespace detail {

// Placeholder until the section lands.
void kpis_section(std::ostream& /*out*/, const report_options& /*ro*/) {}

}  // namespace detail

}  // namespace koe
