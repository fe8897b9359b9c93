/// Writing results: clusters.json, assignments.csv and the terminal table.
#pragma once

#include <koe/pipeline.hpp>

#include <filesystem>
#include <ostream>
#include <string>

namespace koe {

/// Output formats of `write_report`.
enum class report_format {
  clusters_json,    ///< Input counts, options, clusters, noise, k curve.
  assignments_csv,  ///< One row per input record: id,cluster,similarity,status,reason.
  table,            ///< A plain-text table of clusters for a terminal.
};

/// Options that change what is written (never what was computed).
struct report_options {
  bool include_stats = false;  ///< Add timings and peak memory to clusters.json (not reproducible).
  const pipeline_options* options = nullptr;  ///< Options recorded in clusters.json, if given.
};

/// Writes `r` to `out` in `format`. Output bytes depend only on the result and the options.
void write_report(std::ostream& out, const analysis_result& r, report_format format,
                  const report_options& options = {});

/// Writes `contents` to `path` atomically: a temporary file in the same directory, then a rename,
/// so an interrupted run never leaves a half-written file that looks complete.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

/// Writes clusters.json and assignments.csv into `dir` (created if needed), each atomically.
void write_outputs(const std::filesystem::path& dir, const analysis_result& r,
                   const report_options& options = {});

}  // namespace koe
