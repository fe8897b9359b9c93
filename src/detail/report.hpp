// The writers behind koe::write_report, one source file per kind of output (report_json.cpp,
// report_csv.cpp, report_table.cpp, report_html.cpp), and the little they share.
#pragma once

#include <koe/report.hpp>

#include <cstddef>
#include <ostream>
#include <string>

namespace koe::detail {

/// The adoption result the candidate formats need; throws `errc::invalid_argument` without one.
[[nodiscard]] const adoption_result& need_adoption(const report_options& ro);

/// Rows of `r` that fell into no cluster.
[[nodiscard]] std::size_t noise_count(const analysis_result& r) noexcept;

/// `x` with two decimals ("0.57"), as the tables and the report show scores.
[[nodiscard]] std::string fixed2(double x);

// report_json.cpp
void write_clusters_json(std::ostream& out, const analysis_result& r, const report_options& ro);
void write_candidates_json(std::ostream& out, const analysis_result& r, const report_options& ro);

// report_csv.cpp (write_rejects_csv is public)
void write_assignments_csv(std::ostream& out, const analysis_result& r);
void write_trace_csv(std::ostream& out, const analysis_result& r, const report_options& ro);

// report_table.cpp
void write_table(std::ostream& out, const analysis_result& r);
void write_candidates_table(std::ostream& out, const report_options& ro);

// report_html.cpp
void write_report_html(std::ostream& out, const analysis_result& r, const report_options& ro);

}  // namespace koe::detail
