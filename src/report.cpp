// Result writers: the dispatch by format, atomic file writes and the output set of a run. Each
// format is written by its own file: report_json.cpp, report_csv.cpp, report_table.cpp and
// report_html.cpp.
#include <koe/changes.hpp>
#include <koe/error.hpp>
#include <koe/model_file.hpp>
#include <koe/output_set.hpp>
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/output_set.hpp"
#include "detail/report.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

namespace koe {

namespace detail {

const adoption_result& need_adoption(const report_options& ro) {
  KOE_THROW_IF_NOT(ro.adoption != nullptr, errc::invalid_argument,
                   "candidate outputs need report_options::adoption (see koe::assess)");
  return *ro.adoption;
}

std::size_t noise_count(const analysis_result& r) noexcept {
  std::size_t noise = 0;
  for (auto a : r.clusters.assignment)
    noise += a < 0 ? 1 : 0;
  return noise;
}

std::string fixed2(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

std::string fixed6(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", x);
  return buf;
}

std::string percent1(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * share);
  return buf;
}

double rounded(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

}  // namespace detail

namespace {

// owners.csv, kpis.csv and followups.csv: the programme views (koe/programme.hpp).
void write_programme(std::ostream& out, report_format format, const report_options& ro) {
  const adoption_result& a = detail::need_adoption(ro);
  KOE_THROW_IF_NOT(ro.programme != nullptr, errc::invalid_argument,
                   "owners.csv, kpis.csv and followups.csv need report_options::programme (see "
                   "koe::analyze_programme)");
  if (format == report_format::owners_csv)
    write_owners_csv(out, a.candidates, *ro.programme);
  else if (format == report_format::kpis_csv)
    write_kpis_csv(out, *ro.programme);
  else
    write_followups_csv(out, *ro.programme);
}

}  // namespace

void write_report(std::ostream& out, const analysis_result& r, report_format format,
                  const report_options& options) {
  switch (format) {
    case report_format::clusters_json:
      detail::write_clusters_json(out, r, options);
      break;
    case report_format::assignments_csv:
      detail::write_assignments_csv(out, r);
      break;
    case report_format::table:
      detail::write_table(out, r);
      break;
    case report_format::candidates_json:
      detail::write_candidates_json(out, r, options);
      break;
    case report_format::trace_csv:
      detail::write_trace_csv(out, r, options);
      break;
    case report_format::report_html:
      detail::write_report_html(out, r, options);
      break;
    case report_format::candidates_table:
      detail::write_candidates_table(out, options);
      break;
    case report_format::trends_csv:
      detail::write_trends_csv(out, options);
      break;
    case report_format::alerts_json:
      detail::write_alerts_json(out, r, options);
      break;
    case report_format::changes_json:
      KOE_THROW_IF_NOT(options.changes != nullptr, errc::invalid_argument,
                       "changes.json needs report_options::changes (a refit against a previous "
                       "model)");
      write_changes_json(out, *options.changes);
      break;
    case report_format::owners_csv:
    case report_format::kpis_csv:
    case report_format::followups_csv:
      write_programme(out, format, options);
      break;
  }
}

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& fill) {
  (void)detail::write_atomically(path, fill);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  write_file_atomically(path, [&contents](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

void write_outputs(const std::filesystem::path& dir, const analysis_result& r,
                   const report_options& options) {
  // Each file is written straight to its temporary file: no copy of it is held in memory.
  auto report = [&r, &options](report_format format) -> std::function<void(std::ostream&)> {
    return [&r, &options, format](std::ostream& out) { write_report(out, r, format, options); };
  };
  // A file without a writer is not part of this run's set: a previous run's copy is removed.
  auto when = [](bool written, std::function<void(std::ostream&)> fill) {
    return written ? std::move(fill) : nullptr;
  };
  const bool adoption = options.adoption != nullptr;
  const bool trends = options.trends != nullptr;
  const bool programme = adoption && options.programme != nullptr;
  (void)write_output_set(
      dir,
      {
          {"clusters.json", report(report_format::clusters_json)},
          {"assignments.csv", report(report_format::assignments_csv)},
          // What the fit learned, for later runs (docs/model-format.md); after clusters.json,
          // so that a run stopped early never leaves a folder holding the model alone.
          {"model.koe", when(r.fitted.fitted(),
                             [&r](std::ostream& out) {
                               const std::string bytes = encode_model(r.fitted);
                               out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
                             })},
          // Rejected records also get a file of their own, to be fixed and read again.
          {"rejects.csv", when(r.input.count(record_status::rejected) > 0,
                               [&r](std::ostream& out) { write_rejects_csv(out, r.input); })},
          {"candidates.json", when(adoption, report(report_format::candidates_json))},
          {"trace.csv", when(adoption, report(report_format::trace_csv))},
          {"report.html", when(adoption, report(report_format::report_html))},
          {"trends.csv", when(trends, report(report_format::trends_csv))},
          {"alerts.json", when(trends, report(report_format::alerts_json))},
          {"changes.json", when(options.changes != nullptr, report(report_format::changes_json))},
          {"owners.csv", when(programme, report(report_format::owners_csv))},
          {"kpis.csv", when(programme, report(report_format::kpis_csv))},
          {"followups.csv", when(programme && options.programme->has_contributors,
                                 report(report_format::followups_csv))},
      });
}

}  // namespace koe
