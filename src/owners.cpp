// Owners (担当): the owner rules matched against a cluster's top terms, overrides by stable
// cluster id, owners.csv and report.html's 担当別 (koe/programme.hpp). The rules files are read
// with the rest of the configuration (score_config.cpp).
#include <koe/programme.hpp>
#include <koe/report.hpp>

#include "detail/csv.hpp"
#include "detail/report.hpp"
#include "detail/score_text.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace koe {
namespace {

// What owners.csv and the report write for a candidate no rule matched.
constexpr std::string_view unassigned_name = "担当未定";

bool rule_matches(const owner_rule& rule, const std::string& term) {
  return std::find(rule.terms.begin(), rule.terms.end(), term) != rule.terms.end() ||
         std::any_of(rule.patterns.begin(), rule.patterns.end(),
                     [&term](const std::string& p) { return glob_match(p, term); });
}

// One owner (owner and role) while a cluster's top terms are read.
struct owner_tally {
  const owner_rule* first = nullptr;  // The rule of its first match.
  std::size_t last_term = 0;          // Index of the last top term it counted.
  std::vector<std::string> matched;
};

// The stage of candidate `i`, when the programme has one for it.
const stage_state* stage_at(const programme_result& p, std::size_t i) {
  return i < p.stages.size() ? &p.stages[i] : nullptr;
}

decision_status stage_status(const candidate& c, const stage_state* s) {
  return s != nullptr ? s->stage : c.decision.status;
}

// A decision still under way: any stage but 提供開始, 見送り and 未決定.
bool open_stage(decision_status s) {
  return s != decision_status::launched && s != decision_status::rejected &&
         s != decision_status::undecided;
}

// Candidate indices grouped by owner (department): owners in order of their best-ranked
// candidate, 担当未定 last; by rank within an owner.
std::vector<std::vector<std::size_t>> owner_groups(const std::vector<candidate>& candidates) {
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&candidates](std::size_t a, std::size_t b) {
    return candidates[a].rank < candidates[b].rank;
  });
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::string> names;
  std::vector<std::size_t> unassigned;
  for (const std::size_t i : order) {
    const owner_signal& o = candidates[i].owner;
    if (!o.assigned) {
      unassigned.push_back(i);
      continue;
    }
    const auto at = std::find(names.begin(), names.end(), o.owner);
    if (at == names.end()) {
      names.push_back(o.owner);
      groups.push_back({i});
    } else {
      groups[static_cast<std::size_t>(at - names.begin())].push_back(i);
    }
  }
  if (!unassigned.empty()) groups.push_back(std::move(unassigned));
  return groups;
}

// Why a candidate has its owner, in a few words for the report.
std::string owner_why(const owner_signal& o) {
  if (!o.assigned) return "一致する担当ルールなし";
  if (o.overridden) return o.rule_reason.empty() ? "koe.toml で指定" : "指定: " + o.rule_reason;
  return "一致: " + detail::join(o.matched_terms, "・");
}

// One owner's block of 担当別: the candidates by rank, open decisions marked.
void owner_block(std::ostream& out, const std::vector<candidate>& candidates,
                 const programme_result& p, const std::vector<std::size_t>& group) {
  const owner_signal& head = candidates[group.front()].owner;
  std::size_t open = 0;
  for (const std::size_t i : group)
    open += open_stage(stage_status(candidates[i], stage_at(p, i))) ? 1 : 0;
  if (head.assigned)
    out << "<div class=\"cand\">\n<h3>" << detail::html_text(head.owner);
  else
    out << "<div class=\"cand\" style=\"border-left:4px solid var(--accent);padding-left:8px\">\n"
        << "<h3>" << unassigned_name << " <span class=\"badge flag\">担当を決めてください</span>";
  out << " <span class=\"meta-inline\">候補 " << group.size() << " 件 · 未完了の判断 " << open
      << " 件</span></h3>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>順位</th><th>候補</th>"
      << "<th>採用</th><th>判断</th></tr></thead>\n<tbody>\n";
  for (const std::size_t i : group) {
    const candidate& c = candidates[i];
    const stage_state* s = stage_at(p, i);
    const decision_status status = stage_status(c, s);
    out << "<tr><td class=\"n\">" << c.rank << "</td><td class=\"l\">" << detail::html_text(c.label)
        << "<span class=\"meta\">";
    if (!c.owner.role.empty()) out << detail::html_text(c.owner.role) << " · ";
    out << detail::html_text(owner_why(c.owner)) << "</span></td><td class=\"n\"><b>"
        << detail::fixed2(c.scores.adoption) << "</b></td><td>";
    const std::string summary = s != nullptr && !s->summary.empty() ? s->summary : "";
    if (open_stage(status)) {
      out << "<b>" << detail::html_text(summary.empty() ? to_japanese(status) : summary) << "</b>";
      if (s != nullptr && s->stuck) out << " <span class=\"badge flag\">停滞</span>";
    } else {
      out << "<span class=\"meta-inline\">"
          << detail::html_text(summary.empty() ? to_japanese(status) : summary) << "</span>";
    }
    out << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</div>\n</div>\n";
}

}  // namespace

owner_signal owner_of(const std::vector<std::string>& top_terms, const owner_options& options) {
  // Tallies are made in reading order (term by term, each term against the rules in file
  // order), so the first tally with the most terms is the one that matched the better-ranked
  // term, and of those the one whose rule comes first: the tie rules need no second pass.
  std::vector<owner_tally> tallies;
  const std::size_t n = std::min(top_terms.size(), options.top_terms);
  for (std::size_t t = 0; t < n; ++t) {
    const std::string term = detail::ascii_lower(top_terms[t]);
    for (const owner_rule& rule : options.rules) {
      if (!rule_matches(rule, term)) continue;
      auto at = std::find_if(tallies.begin(), tallies.end(), [&rule](const owner_tally& x) {
        return x.first->owner == rule.owner && x.first->role == rule.role;
      });
      if (at == tallies.end()) at = tallies.insert(tallies.end(), owner_tally{&rule, t, {}});
      // A term counts once per owner however many of its rules name it.
      if (at->matched.empty() || at->last_term != t) at->matched.push_back(top_terms[t]);
      at->last_term = t;
    }
  }
  const owner_tally* best = nullptr;
  for (const owner_tally& x : tallies)
    if (best == nullptr || x.matched.size() > best->matched.size()) best = &x;
  owner_signal s;
  if (best == nullptr) return s;
  s.assigned = true;
  s.owner = best->first->owner;
  s.role = best->first->role;
  s.matched_terms = best->matched;
  s.rule_reason = best->first->reason;
  s.rule_line = best->first->line;
  return s;
}

void assign_owners(std::vector<candidate>& candidates, const owner_options& options) {
  for (candidate& c : candidates) {
    const auto ov = std::find_if(options.overrides.begin(), options.overrides.end(),
                                 [&c](const owner_override& o) { return o.cluster == c.cluster; });
    if (ov == options.overrides.end()) {
      c.owner = owner_of(c.top_terms, options);
      continue;
    }
    c.owner = owner_signal{};
    c.owner.assigned = true;
    c.owner.owner = ov->owner;
    c.owner.role = ov->role;
    c.owner.rule_reason = ov->reason;
    c.owner.overridden = true;
  }
}

void write_owners_csv(std::ostream& out, const std::vector<candidate>& candidates,
                      const programme_result& p) {
  detail::csv::write_row(
      out, {"owner", "role", "cluster", "label", "rank", "adoption", "recommended", "decision",
            "stage_summary", "days_in_stage", "stuck", "matched_terms", "rule"});
  std::string s;
  for (const auto& group : owner_groups(candidates)) {
    for (const std::size_t i : group) {
      const candidate& c = candidates[i];
      const owner_signal& o = c.owner;
      const stage_state* st = stage_at(p, i);
      s.clear();
      detail::csv::row r(s);
      r.field(o.assigned ? std::string_view(o.owner) : unassigned_name)
          .field(o.assigned ? o.role : std::string())
          .field(c.cluster)
          .field(c.label)
          .field(c.rank)
          .field(detail::fixed6(c.scores.adoption))
          .field(c.recommended ? "true" : "false")
          .field(to_string(stage_status(c, st)))
          .field(st != nullptr ? st->summary : std::string());
      if (st != nullptr && st->days >= 0)
        r.field(st->days);
      else
        r.empty();
      r.field(st != nullptr && st->stuck ? "true" : "false")
          .field(detail::join(o.matched_terms, "+"))
          .field(o.overridden ? std::string("override") : o.rule_reason)
          .end();
      out.write(s.data(), static_cast<std::streamsize>(s.size()));
    }
  }
}

namespace detail {

void owners_section(std::ostream& out, const report_options& ro) {
  if (ro.programme == nullptr || ro.adoption == nullptr || ro.adoption->candidates.empty()) return;
  const std::vector<candidate>& candidates = ro.adoption->candidates;
  out << "<section>\n<h2>担当別</h2>\n<p class=\"sub\">候補ごとの担当部署（担当ルール "
         "owner-rules.toml、または koe.toml の指定）と、まだ終わっていない判断。</p>\n";
  for (const auto& group : owner_groups(candidates))
    owner_block(out, candidates, *ro.programme, group);
  out << "</section>\n";
}

}  // namespace detail

}  // namespace koe
