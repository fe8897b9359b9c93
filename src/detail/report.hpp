// The writers behind koe::write_report, one source file per kind of output (report_json.cpp,
// report_csv.cpp, report_table.cpp, report_html.cpp), and the little they share.
#pragma once

#include <koe/assign.hpp>
#include <koe/report.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

/// The adoption result the candidate formats need; throws `errc::invalid_argument` without one.
[[nodiscard]] const adoption_result& need_adoption(const report_options& ro);

/// Rows of `r` that fell into no cluster.
[[nodiscard]] std::size_t noise_count(const analysis_result& r) noexcept;

/// `x` with two decimals ("0.57"), as the tables and the report show scores.
[[nodiscard]] std::string fixed2(double x);
/// `x` with six decimals ("0.043541"), as trends.csv writes shares.
[[nodiscard]] std::string fixed6(double x);
/// A share as a percentage with one decimal ("4.4%"), as the report writes it.
[[nodiscard]] std::string percent1(double share);
/// `x` rounded to `digits` decimals, as the JSON files write figures; deterministic.
[[nodiscard]] double rounded(double x, int digits = 6);

// report_json.cpp
void write_clusters_json(std::ostream& out, const analysis_result& r, const report_options& ro);
void write_candidates_json(std::ostream& out, const analysis_result& r, const report_options& ro);

// report_csv.cpp (write_rejects_csv is public)
void write_assignments_csv(std::ostream& out, const analysis_result& r);
/// assignments.csv of `koe assign`: the same columns, with the status new_theme.
void write_assignments_csv(std::ostream& out, const assign_result& a);
/// The status assignments.csv gives record `record`, whose row (if kept) is `row`; `new_theme`
/// (per row) is null for a fit.
[[nodiscard]] assignment_status assignment_status_of(const analysis_result& r,
                                                     const std::vector<new_theme_reason>* new_theme,
                                                     std::size_t record,
                                                     std::optional<std::size_t> row);
/// The reason assignments.csv gives that record.
[[nodiscard]] std::string assignment_reason(const analysis_result& r,
                                            const std::vector<new_theme_reason>* new_theme,
                                            std::size_t record, std::optional<std::size_t> row);
void write_trace_csv(std::ostream& out, const analysis_result& r, const report_options& ro);

// report_table.cpp
void write_table(std::ostream& out, const analysis_result& r);
void write_candidates_table(std::ostream& out, const report_options& ro);

// report_html.cpp
/// report.html; with `assigned` (whose batch is `r`), the sections of `koe assign` too.
void write_report_html(std::ostream& out, const analysis_result& r, const report_options& ro,
                       const assign_result* assigned = nullptr);
/// `s` escaped for HTML text and attribute values.
[[nodiscard]] std::string html_text(std::string_view s);

// report_trends.cpp
/// trends.csv: period,cluster,count,share,low,high, each series' periods in turn.
void write_trends_csv(std::ostream& out, const report_options& ro);
/// alerts.json: the test's settings and every alert with its reason.
void write_alerts_json(std::ostream& out, const analysis_result& r, const report_options& ro);
/// report.html's 割合の推移: a trend line per candidate shown, alerts and decision effects.
void trends_section(std::ostream& out, const analysis_result& r, const report_options& ro);
/// A small trend line of one series (inline SVG): the Wilson band, the shares, the latest point
/// marked (red when `alert`).
void sparkline(std::ostream& out, const trend_series& s, bool alert);

// The programme sections of report.html's first screen; each writes nothing without
// `ro.programme`.
/// 三つの指標: the KPIs of the latest period against the previous one (kpis.cpp).
void kpis_section(std::ostream& out, const report_options& ro);
/// 採用した声の現在地: where each decided candidate stands, stuck ones flagged (stages.cpp).
void stages_section(std::ostream& out, const report_options& ro);
/// 担当別: each owner's candidates and open decisions, 担当未定 last (owners.cpp).
void owners_section(std::ostream& out, const report_options& ro);

// report_assign.cpp
/// The sections report.html adds for `koe assign`: the batch in the model's clusters (and the
/// share in clusters already decided), and 新しいテーマの兆し.
void assign_sections(std::ostream& out, const assign_result& assigned, const adoption_result& a);
/// clusters.json of `koe assign`.
void write_assign_clusters_json(std::ostream& out, const assign_result& a,
                                const report_options& ro);
/// The terminal table of `koe assign`.
void write_assign_table(std::ostream& out, const assign_result& a);

}  // namespace koe::detail
