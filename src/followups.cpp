// Follow-ups: the contact log, the next contact due to each contributor and its draft
// (koe/programme.hpp).
#include <koe/programme.hpp>

#include "detail/programme.hpp"

namespace koe {

namespace detail {

// Placeholder until the follow-up plan lands.
std::vector<followup> plan_followups(const score_input& /*in*/,
                                     const std::vector<candidate>& /*candidates*/,
                                     const std::vector<stage_state>& /*stages*/,
                                     const std::vector<contact>& /*contacts*/,
                                     std::optional<std::int64_t> /*as_of*/,
                                     const score_options& /*options*/) {
  return {};
}

}  // namespace detail

std::vector<contact> read_contacts(const std::filesystem::path& /*path*/,
                                   const stage_options& /*stages*/) {
  return {};
}

std::vector<contact> read_contacts(std::istream& /*in*/, const std::string& /*name*/,
                                   const stage_options& /*stages*/) {
  return {};
}

std::string add_days(std::string_view /*date*/, std::int64_t /*days*/) {
  return {};
}

void write_followups_csv(std::ostream& /*out*/, const programme_result& /*p*/) {}

}  // namespace koe
