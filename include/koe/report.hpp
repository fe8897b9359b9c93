/// Writing results: clusters.json, assignments.csv, the terminal table, and the adoption outputs
/// (candidates.json, trace.csv, the one-page report.html).
#pragma once

#include <koe/assess.hpp>
#include <koe/export.hpp>
#include <koe/pipeline.hpp>
#include <koe/trends.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace koe {

/// Output formats of `write_report`.
enum class report_format {
  clusters_json,    ///< Input counts, options, clusters, noise, k curve.
  assignments_csv,  ///< One row per input record: id,cluster,similarity,status,reason.
  table,            ///< A plain-text table of clusters for a terminal.
  candidates_json,  ///< Ranked adoption candidates with scores, reasons and decisions.
  trace_csv,        ///< One row per input record: id,cluster,label,rank,decision,reply.
  report_html,      ///< The one-page co-creation report (共創レポート), self-contained HTML5.
  candidates_table,  ///< A plain-text table of the top candidates for a terminal.
  trends_csv,        ///< One row per series and period: period,cluster,count,share,low,high.
  alerts_json,       ///< Clusters whose share rose significantly in the latest period.
  changes_json,      ///< A refit's lineage events (koe/changes.hpp); needs `changes`.
  owners_csv,        ///< One row per candidate with its owner and stage; needs `programme`.
  kpis_csv,          ///< The three KPIs per period; needs `programme`.
  followups_csv,     ///< The next contact due to each contributor; needs `programme`.
};

struct lineage_report;    // koe/changes.hpp
struct programme_result;  // koe/programme.hpp

/// Options that change what is written (never what was computed).
struct KOE_EXPORT report_options {
  bool include_stats = false;  ///< Add timings and peak memory to clusters.json (not reproducible).
  const pipeline_options* options = nullptr;  ///< Options recorded in clusters.json, if given.
  /// Scores, decisions and trace (see `assess`). The candidate formats need it; with it,
  /// `write_outputs` also writes candidates.json, trace.csv and report.html.
  const adoption_result* adoption = nullptr;
  std::size_t report_top = 5;  ///< Candidates shown in detail in report.html and the table.
  /// Series, alerts and effects (`analyze_trends`). With it, `write_outputs` also writes
  /// trends.csv and alerts.json, clusters.json carries each cluster's trend, candidates.json the
  /// decisions' effects and report.html its 割合の推移 section (docs/trends.md).
  const trend_result* trends = nullptr;
  /// What changed since the previous fit (koe/changes.hpp), given by a refit against a previous
  /// model: report.html then has the section 前回からの変化, and `write_outputs` writes
  /// changes.json.
  const lineage_report* changes = nullptr;
  /// Owners, stages, KPIs and follow-ups (`analyze_programme`, koe/programme.hpp). With it,
  /// `write_outputs` also writes owners.csv and kpis.csv (and followups.csv when the voices have
  /// contributors), and report.html opens with the KPIs and has the section 担当別.
  const programme_result* programme = nullptr;
};

/// Writes `r` to `out` in `format`. Output bytes depend only on the result and the options.
/// The candidate formats throw `errc::invalid_argument` when `options.adoption` is null.
KOE_EXPORT void write_report(std::ostream& out, const analysis_result& r, report_format format,
                             const report_options& options = {});

/// `text` fit to print on one terminal line: control characters (escape sequences, line breaks,
/// tabs) become spaces and malformed bytes U+FFFD. The tables `write_report` prints are made so.
[[nodiscard]] KOE_EXPORT std::string terminal_text(std::string_view text);

/// Writes the rejected records of `c` as CSV: record,line,id,reason (one row each).
KOE_EXPORT void write_rejects_csv(std::ostream& out, const corpus& c);

/// Writes `contents` to `path` atomically: a temporary file in the same directory, then a rename,
/// so an interrupted run never leaves a half-written file that looks complete.
KOE_EXPORT void write_file_atomically(const std::filesystem::path& path,
                                      const std::string& contents);
/// The same, with the contents written by `fill` straight into the temporary file; when `fill`
/// throws, the temporary file is removed and `path` is left as it was.
KOE_EXPORT void write_file_atomically(const std::filesystem::path& path,
                                      const std::function<void(std::ostream&)>& fill);

/// Writes clusters.json and assignments.csv into `dir` (created if needed), each atomically,
/// rejects.csv when records were rejected, and model.koe (`encode_model`, koe/model_file.hpp)
/// when the result holds a fitted model; with `options.adoption` also candidates.json, trace.csv
/// and report.html; with `options.trends` also trends.csv and alerts.json; then manifest.json,
/// which lists them as one set (`write_output_set`, koe/output_set.hpp). A previous run's files
/// that this run does not write are removed.
KOE_EXPORT void write_outputs(const std::filesystem::path& dir, const analysis_result& r,
                              const report_options& options = {});

}  // namespace koe
