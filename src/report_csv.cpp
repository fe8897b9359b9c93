// CSV outputs, one row per record: assignments.csv (id,cluster,similarity,status,reason),
// trace.csv (id,cluster,label,rank,decision,reply) and rejects.csv (record,line,id,reason).
#include <koe/assign.hpp>
#include <koe/error.hpp>
#include <koe/report.hpp>

#include "detail/csv.hpp"
#include "detail/parallel.hpp"
#include "detail/report.hpp"
#include "detail/rows.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace koe {
namespace detail {
namespace {

const char* noise_text(noise_reason r) {
  switch (r) {
    case noise_reason::none:
      return "";
    case noise_reason::no_terms:
      return "no terms after filtering";
    case noise_reason::low_similarity:
      return "low similarity to every cluster";
  }
  return "";
}

// Writes `n` lines: `lines(begin, end, buffer)` appends lines [begin, end). Blocks of lines are
// formatted in parallel into their own buffers and written in order, so the file is the same for
// any number of threads; a block is written while later ones are being formatted, and only a
// few blocks are in flight at a time.
template <class Lines>
void write_blocks(std::ostream& out, std::size_t n, const Lines& lines) {
  constexpr std::size_t block = 8192;
  map_in_order(
      block_count(n, block),
      [&](std::size_t b) {
        std::string text;
        lines(b * block, std::min(n, (b + 1) * block), text);
        return text;
      },
      [&](const std::string& text) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
      });
}

// `write_blocks` one line at a time: `line(i, buffer)` appends line i.
template <class Line>
void write_lines(std::ostream& out, std::size_t n, const Line& line) {
  write_blocks(out, n, [&](std::size_t begin, std::size_t end, std::string& s) {
    for (std::size_t i = begin; i < end; ++i)
      line(i, s);
  });
}

// Line `i` of assignments.csv; `kept_row` is the record's row, if it has one.
void append_assignment(std::string& s, const analysis_result& r,
                       const std::vector<new_theme_reason>* new_theme, std::size_t i,
                       std::optional<std::size_t> kept_row) {
  const document_view d = r.input.documents[i];
  csv::row line(s);
  line.field(d.id);
  if (kept_row) {
    const std::size_t row = *kept_row;
    char similarity[32];
    std::snprintf(similarity, sizeof similarity, "%.4f",
                  static_cast<double>(r.clusters.similarity[row]));
    // The stable id of the row's cluster (its description's), -1 for none.
    const std::int32_t a = r.clusters.assignment[row];
    const bool named = a >= 0 && static_cast<std::size_t>(a) < r.descriptions.size();
    line.field(named ? r.descriptions[static_cast<std::size_t>(a)].id : a).field(similarity);
  } else {
    line.field(-1).empty();
  }
  line.field(to_string(assignment_status_of(r, new_theme, i, kept_row)))
      .field(assignment_reason(r, new_theme, i, kept_row));
  line.end();
}

// Every line of assignments.csv.
void write_assignment_lines(std::ostream& out, const analysis_result& r,
                            const std::vector<new_theme_reason>* new_theme) {
  csv::write_row(out, {"id", "cluster", "similarity", "status", "reason"});
  write_blocks(out, r.input.documents.size(),
               [&](std::size_t begin, std::size_t end, std::string& s) {
                 for_each_record(r.row_document, begin, end,
                                 [&](std::size_t i, std::optional<std::size_t> row) {
                                   append_assignment(s, r, new_theme, i, row);
                                 });
               });
}

}  // namespace

void write_assignments_csv(std::ostream& out, const analysis_result& r) {
  write_assignment_lines(out, r, nullptr);
}

void write_assignments_csv(std::ostream& out, const assign_result& a) {
  write_assignment_lines(out, a.batch, &a.new_theme);
}

assignment_status assignment_status_of(const analysis_result& r,
                                       const std::vector<new_theme_reason>* new_theme,
                                       std::size_t record, std::optional<std::size_t> row) {
  if (!row)
    return r.input.documents.status(record) == record_status::rejected ? assignment_status::rejected
                                                                       : assignment_status::empty;
  if (new_theme != nullptr && (*new_theme)[*row] != new_theme_reason::none)
    return assignment_status::new_theme;
  return r.clusters.assignment[*row] >= 0 ? assignment_status::clustered : assignment_status::noise;
}

std::string assignment_reason(const analysis_result& r,
                              const std::vector<new_theme_reason>* new_theme, std::size_t record,
                              std::optional<std::size_t> row) {
  const std::string_view note = r.input.documents.reason(record);
  if (!row) {
    if (!note.empty()) return std::string(note);
    return r.input.documents.status(record) == record_status::rejected ? "rejected" : "blank";
  }
  std::string why;
  if (new_theme != nullptr && (*new_theme)[*row] != new_theme_reason::none)
    why = to_string((*new_theme)[*row]);
  else if (r.clusters.assignment[*row] < 0)
    why = noise_text(r.clusters.noise[*row]);
  // Why it is not in a cluster, then the note from reading it.
  if (why.empty()) return std::string(note);
  return note.empty() ? why : why + "; " + std::string(note);
}

void write_trace_csv(std::ostream& out, const analysis_result& r, const report_options& ro) {
  const adoption_result& a = need_adoption(ro);
  KOE_THROW_IF_NOT(a.trace.size() == r.input.documents.size(), errc::invalid_argument,
                   "the trace is of another analysis (" + std::to_string(a.trace.size()) +
                       " rows for " + std::to_string(r.input.documents.size()) + " records)");
  csv::write_row(out, {"id", "cluster", "label", "rank", "decision", "reply"});
  write_lines(out, a.trace.size(), [&](std::size_t i, std::string& s) {
    const trace_row& t = a.trace[i];
    csv::row line(s);
    line.field(r.input.documents.id(i));
    if (t.status != record_status::kept) {
      // Empty and rejected records are traced too, with nothing after the id.
      line.empty(5).end();
      return;
    }
    if (t.clustered) {
      line.field(t.cluster).field(a.label_of(t)).field(t.rank).field(to_string(t.decision));
    } else {
      line.field(-1).empty(3);
    }
    line.field(a.trace.replies[i]).end();
  });
}

}  // namespace detail

void write_rejects_csv(std::ostream& out, const corpus& c) {
  detail::csv::write_row(out, {"record", "line", "id", "reason"});
  std::string s;
  for (const auto& d : c.documents) {
    if (d.status != record_status::rejected) continue;
    s.clear();
    detail::csv::row(s).field(d.record).field(d.line).field(d.id).field(d.reason).end();
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
}

}  // namespace koe
