// Stages: where each candidate's decision stands on the programme's date, for how long, and
// whether it is stuck (koe/programme.hpp); report.html's 採用した声の現在地.
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/report.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace koe {

namespace {

// The day ordinal of a row's date; none when it holds no date.
std::optional<std::int64_t> day_of(const decision& d) {
  return period_of(d.date, period_unit::day);
}

// Days a decision may stay at `stage` before it is stuck; 0 = no limit.
std::int64_t limit_of(decision_status stage, const stage_options& o) {
  switch (stage) {
    case decision_status::pending:
      return o.pending_days;
    case decision_status::adopted:
      return o.adopted_days;
    case decision_status::planned:
      return o.planned_days;
    case decision_status::productized:
      return o.productized_days;
    case decision_status::undecided:
    case decision_status::rejected:
    case decision_status::launched:
      break;
  }
  return 0;
}

// 「採用から 45 日、企画化待ち」 and its kin, for a stage on the way.
std::string summary_on_the_way(const stage_state& s) {
  const std::string word = to_japanese(s.stage);
  std::string out;
  if (s.stage == decision_status::pending) {
    if (s.days >= 0)
      out = word + " " + std::to_string(s.days) + " 日";
    else if (!s.since.empty())
      out = word + "（" + s.since + " から）";
    else
      out = word + "（日付なし）";
  } else {
    if (s.days >= 0)
      out = word + "から " + std::to_string(s.days) + " 日";
    else if (!s.since.empty())
      out = word + "（" + s.since + " から）";
    else
      out = word + "（日付なし）";
    out += std::string("、") + to_japanese(next_stage(s.stage)) + "待ち";
  }
  if (s.stuck) out += "（" + std::to_string(s.limit) + " 日を超えて停滞）";
  return out;
}

}  // namespace

stage_state stage_of(const candidate& c, std::optional<std::int64_t> as_of,
                     const stage_options& options) {
  stage_state s;
  s.cluster = c.cluster;
  s.stage = c.decision.status;
  const std::vector<decision> rows = decision_rows(c);
  if (s.stage == decision_status::undecided || rows.empty()) {
    s.stage = decision_status::undecided;
    s.summary = to_japanese(decision_status::undecided);
    return s;
  }
  // The last run of rows at the current stage: it has been there since the first of them (the
  // first with a date, when the first has none).
  std::size_t first = rows.size() - 1;
  while (first > 0 && rows[first - 1].status == s.stage)
    --first;
  std::optional<std::int64_t> since;
  for (std::size_t i = first; i < rows.size() && !since; ++i)
    since = day_of(rows[i]);
  if (since) {
    s.since = period_label(*since, period_unit::day);
    // A row dated after the programme's date has been there no time yet.
    if (as_of) s.days = std::max<std::int64_t>(0, *as_of - *since);
  }
  if (const decision* adopted = adoption_row(rows))
    if (const auto day = day_of(*adopted)) s.adopted_on = period_label(*day, period_unit::day);
  s.limit = limit_of(s.stage, options);
  s.stuck = s.limit > 0 && s.days > s.limit;
  if (s.stage == decision_status::launched) {
    s.summary = std::string(to_japanese(s.stage)) + "（" +
                (s.since.empty() ? std::string("日付なし") : s.since) + "）";
  } else if (s.stage == decision_status::rejected) {
    const std::string& why = c.decision.reason.empty() ? s.since : c.decision.reason;
    s.summary = to_japanese(s.stage);
    if (!why.empty()) s.summary += "（" + why + "）";
  } else {
    s.summary = summary_on_the_way(s);
  }
  return s;
}

namespace detail {

// 採用した声の現在地: every decided candidate, those at 採用 or later first, with its stage, how
// long it has been there, its owner, and a 停滞 badge when it has been there too long.
void stages_section(std::ostream& out, const report_options& ro) {
  if (ro.programme == nullptr || ro.adoption == nullptr) return;
  const std::vector<candidate>& cands = ro.adoption->candidates;
  const std::vector<stage_state>& states = ro.programme->stages;
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < cands.size() && i < states.size(); ++i)
    if (states[i].stage != decision_status::undecided) shown.push_back(i);
  if (shown.empty()) return;
  std::stable_partition(shown.begin(), shown.end(),
                        [&](std::size_t i) { return reached_adoption(states[i].stage); });
  std::size_t adopted = 0, stuck = 0;
  for (const std::size_t i : shown) {
    adopted += reached_adoption(states[i].stage) ? 1 : 0;
    stuck += states[i].stuck ? 1 : 0;
  }
  out << "<section>\n<h2>採用した声の現在地</h2>\n<p class=\"sub\">";
  if (!ro.programme->as_of.empty()) out << html_text(ro.programme->as_of) << " 時点。";
  out << "判断のある候補 " << shown.size() << " 件のうち、採用以降の段階にあるもの " << adopted
      << " 件";
  if (stuck > 0) out << "、停滞 " << stuck << " 件";
  out << "。段階ごとの日数の上限（koe.toml [stages] stuck_days）を超えたものに「停滞」を付けて"
         "います。</p>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>まとまり</th><th "
         "class=\"wide\">段階</th><th>現在地</th><th>担当</th></tr></thead>\n<tbody>\n";
  for (const std::size_t i : shown) {
    const candidate& c = cands[i];
    const stage_state& s = states[i];
    out << "<tr><td class=\"l\">" << html_text(c.label) << " <span class=\"meta-inline\">#"
        << c.cluster << "</span></td><td class=\"t wide\">" << to_japanese(s.stage) << "</td><td>";
    if (s.stuck) out << "<span class=\"badge flag\">停滞</span> ";
    out << html_text(s.summary) << "</td><td>"
        << (c.owner.assigned ? html_text(c.owner.owner) : std::string("担当未定"))
        << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</div>\n</section>\n";
}

}  // namespace detail

}  // namespace koe
