// The follow-up drafts' placeholders, checked where koe.toml is read (src/score_config.cpp), and
// report.html's line on the contacts due (src/report_html.cpp). Private to koe.
#pragma once

#include <koe/report.hpp>

#include <ostream>
#include <string_view>

namespace koe::detail {

/// The placeholders a follow-up draft may use, as a message lists them: "{voice} {label} ...".
[[nodiscard]] std::string_view followup_placeholder_list() noexcept;

/// Throws `errc::invalid_config` ("unknown placeholder {x} (known: ...)", or an unclosed brace)
/// when `text` is not a valid follow-up draft.
void check_followup_template(std::string_view text);

/// report.html's 連絡予定: how many contacts are overdue and due within 14 days, and a small
/// table of the overdue ones. Writes nothing without `ro.programme` or a follow-up.
void followups_section(std::ostream& out, const report_options& ro);

}  // namespace koe::detail
