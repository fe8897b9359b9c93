// Owners (担当): owner rules read from TOML, matched against a cluster's top terms, with
// overrides by stable cluster id; owners.csv (koe/programme.hpp).
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/report.hpp"

namespace koe {

// Placeholder until the owner rules land: every cluster is 担当未定.
std::vector<owner_rule> read_owner_rules(const std::filesystem::path& /*path*/) {
  return {};
}

owner_signal owner_of(const std::vector<std::string>& /*top_terms*/,
                      const owner_options& /*options*/) {
  return {};
}

void assign_owners(std::vector<candidate>& /*candidates*/, const owner_options& /*options*/) {}

void write_owners_csv(std::ostream& /*out*/, const std::vector<candidate>& /*candidates*/,
                      const programme_result& /*p*/) {}

namespace detail {

// Placeholder until the section lands.
void owners_section(std::ostream& /*out*/, const report_options& /*ro*/) {}

}  // namespace detail

}  // namespace koe
