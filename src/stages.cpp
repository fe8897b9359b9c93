// Stages: where each candidate's decision stands on the programme's date, for how long, and
// whether it is stuck (koe/programme.hpp).
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/report.hpp"

namespace koe {

// Placeholder until the stage views land: the current stage only.
stage_state stage_of(const candidate& c, std::optional<std::int64_t> /*as_of*/,
                     const stage_options& /*options*/) {
  stage_state s;
  s.cluster = c.cluster;
  s.stage = c.decision.status;
  return s;
}

namespace detail {

// Placeholder until the section lands.
void stages_section(std::ostream& /*out*/, const report_options& /*ro*/) {}

}  // namespace detail

}  // namespace koe
