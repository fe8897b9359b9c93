// Result writers: the dispatch by format, atomic file writes and the output directory. Each
// format is written by its own file: report_json.cpp, report_csv.cpp, report_table.cpp and
// report_html.cpp.
#include <koe/error.hpp>
#include <koe/model_file.hpp>
#include <koe/report.hpp>

#include "detail/report.hpp"

#include <cstdio>
#include <fstream>
#include <utility>

#include <unistd.h>

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

}  // namespace detail

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
  }
}

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& fill) {
  const std::filesystem::path tmp =
      path.string() + ".tmp." + std::to_string(static_cast<long long>(::getpid()));
  auto discard = [&tmp] {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
  };
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    KOE_THROW_IF_NOT(f, errc::io_failure, "cannot write " + tmp.string());
    try {
      fill(f);
    } catch (...) {
      f.close();
      discard();
      throw;
    }
    f.flush();
    if (!f) {
      discard();
      throw error(errc::io_failure, "cannot write " + tmp.string() + " (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    discard();
    throw error(errc::io_failure, "cannot replace " + path.string() + ": " + ec.message());
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  write_file_atomically(path, [&contents](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

namespace {

// model.koe: what the fit learned, for later runs to read (docs/model-format.md). A result
// without a fit leaves none behind, so the folder never pairs its files with an older model.
void write_model_file(const std::filesystem::path& dir, const analysis_result& r) {
  const std::filesystem::path path = dir / "model.koe";
  if (r.fitted.fitted()) {
    save_model(r.fitted, path);
  } else {
    std::error_code gone;
    std::filesystem::remove(path, gone);
  }
}

}  // namespace

void write_outputs(const std::filesystem::path& dir, const analysis_result& r,
                   const report_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  KOE_THROW_IF_NOT(!ec && std::filesystem::is_directory(dir), errc::io_failure,
                   "cannot create output directory " + dir.string() +
                       (ec ? ": " + ec.message() : std::string()));
  // Each file is written straight to its temporary file: no copy of it is held in memory.
  auto write = [&](const char* name, report_format format) {
    write_file_atomically(dir / name,
                          [&](std::ostream& out) { write_report(out, r, format, options); });
  };
  write("clusters.json", report_format::clusters_json);
  write("assignments.csv", report_format::assignments_csv);
  // Rejected records also get a file of their own, so they can be fixed and read again.
  std::error_code gone;
  std::filesystem::remove(dir / "rejects.csv", gone);
  if (r.input.count(record_status::rejected) > 0) {
    write_file_atomically(dir / "rejects.csv",
                          [&](std::ostream& out) { write_rejects_csv(out, r.input); });
  }
  write_model_file(dir, r);
  if (options.adoption == nullptr) return;
  for (const auto& [name, format] : {std::pair{"candidates.json", report_format::candidates_json},
                                     std::pair{"trace.csv", report_format::trace_csv},
                                     std::pair{"report.html", report_format::report_html}}) {
    write(name, format);
  }
}

}  // namespace koe
