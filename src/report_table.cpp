// Plain-text tables for a terminal: the clusters and the top adoption candidates. Columns are
// padded by terminal width (East Asian wide characters take two columns), so Japanese labels line
// up under a fixed-width font.
#include <koe/report.hpp>

#include "detail/report.hpp"
#include "detail/utf8.hpp"

#include <cstdio>
#include <string>

namespace koe::detail {
namespace {

using utf8::clip_width;
using utf8::pad;

// One line of the candidates table.
void candidate_line(std::ostream& out, const candidate& c) {
  out << pad(std::to_string(c.rank), 6) << pad(fixed2(c.scores.adoption), 7)
      << pad(fixed2(c.scores.frequency), 6) << pad(fixed2(c.scores.impact), 8)
      << pad(to_string(c.difficulty.level), 8) << pad(to_string(c.quad), 12)
      << pad(std::string(to_string(c.decision.status)) + ' ', 11)
      << clip_width(utf8::one_line(c.label), 40)
      << (c.small_high_impact ? "  [small, high impact]" : "") << '\n';
}

}  // namespace

void write_table(std::ostream& out, const analysis_result& r) {
  out << pad("#", 4) << pad("size", 7) << pad("share", 8) << pad("label", 34) << "representative\n";
  for (const auto& d : r.descriptions) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * d.share);
    std::string rep;
    if (!d.representatives.empty()) {
      const std::size_t row = d.representatives.front();
      rep = row < r.normalized.size() ? r.normalized[row]
                                      : r.input.documents.text(r.row_document[row]);
    }
    out << pad(std::to_string(d.id), 4) << pad(std::to_string(d.size), 7) << pad(share, 8)
        << pad(clip_width(utf8::one_line(d.label), 32), 34) << clip_width(utf8::one_line(rep), 44)
        << '\n';
  }
  out << "read " << r.input.read() << " = kept " << r.input.count(record_status::kept)
      << " + empty " << r.input.count(record_status::empty) << " + rejected "
      << r.input.count(record_status::rejected) << "; clusters " << r.clusters.k << ", noise "
      << noise_count(r) << '\n';
}

void write_candidates_table(std::ostream& out, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  out << pad("rank", 6) << pad("adopt", 7) << pad("freq", 6) << pad("impact", 8) << pad("diff", 8)
      << pad("quadrant", 12) << pad("decision", 11) << "label\n";
  for (std::size_t i = 0; i < a.candidates.size() && i < ro.report_top; ++i)
    candidate_line(out, a.candidates[i]);
  // Small clusters of high impact are shown even below the cut.
  for (const auto& c : a.candidates)
    if (c.rank > ro.report_top && c.small_high_impact) candidate_line(out, c);
}

}  // namespace koe::detail

namespace koe {

std::string terminal_text(std::string_view text) {
  return detail::utf8::one_line(text);
}

}  // namespace koe
