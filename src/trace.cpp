// The per-voice trace and reply drafts.
#include <koe/trace.hpp>

#include <koe/error.hpp>
#include <koe/score_config.hpp>
#include <koe/trends.hpp>

#include "detail/parallel.hpp"
#include "detail/rows.hpp"
#include "detail/score_text.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace koe {

using detail::trim;
using detail::utf8_chars;

std::string fill_reply(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl.substr(i).starts_with("{{")) {
      out += '{';
      i += 2;
    } else if (tmpl.substr(i).starts_with("}}")) {
      out += '}';
      i += 2;
    } else if (tmpl[i] == '{') {
      const auto close = tmpl.find('}', i);
      KOE_THROW_IF_NOT(close != std::string_view::npos, errc::invalid_config,
                       "reply template: '{' without '}' (write {{ for a literal brace)");
      const std::string name(tmpl.substr(i + 1, close - i - 1));
      const auto it = values.find(name);
      KOE_THROW_IF_NOT(it != values.end(), errc::invalid_config,
                       "reply template: unknown placeholder {" + name +
                           "} (known: {voice} {label} {count} {decision} {reason} {id} {effect})");
      out += it->second;
      i = close + 1;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

namespace {

// The word {decision} gives for `s` ([reply.decision_words]); undecided reads as pending.
const std::string& reply_word(const reply_options& ro, decision_status s) {
  switch (s) {
    case decision_status::adopted:
      return ro.adopted;
    case decision_status::rejected:
      return ro.rejected;
    case decision_status::planned:
      return ro.planned;
    case decision_status::productized:
      return ro.productized;
    case decision_status::launched:
      return ro.launched;
    case decision_status::undecided:
    case decision_status::pending:
      break;
  }
  return ro.pending;
}

// {reason}: the current row's reason, else the latest one its history gave (a row moving an
// adopted request to 企画化 seldom repeats what was adopted).
const std::string& reply_reason(const candidate& c) {
  if (!c.decision.reason.empty()) return c.decision.reason;
  for (auto it = c.decision_history.rbegin(); it != c.decision_history.rend(); ++it)
    if (!it->reason.empty()) return it->reason;
  return c.decision.reason;
}

// Fills `t` for record `i` and returns the record's reply draft (empty without a contributor).
std::string trace_record(const score_input& in, std::size_t i, std::optional<std::size_t> row_of,
                         const std::unordered_map<int, const candidate*>& by_cluster,
                         const std::unordered_map<int, std::string>& effects, int contributor_col,
                         const reply_options& ro, trace_row& t) {
  const document_view d = in.records->documents[i];
  t.status = d.status;
  if (!row_of) return {};  // empty or rejected: nothing to trace or to reply to
  const std::size_t row = *row_of;
  const candidate* c = nullptr;
  if (row < in.assignment.size() && in.assignment[row] >= 0) {
    // Candidates name clusters by their stable ids (the descriptions'); rows hold row indices.
    const auto a = static_cast<std::size_t>(in.assignment[row]);
    const int id = a < in.clusters.size() ? in.clusters[a].id : in.assignment[row];
    if (auto it = by_cluster.find(id); it != by_cluster.end()) c = it->second;
  }
  if (c != nullptr) {
    t.clustered = true;
    t.cluster = c->cluster;
    t.rank = static_cast<std::uint32_t>(c->rank);
    t.decision = c->decision.status;
  }
  const bool has_contributor = contributor_col >= 0 &&
                               static_cast<std::size_t>(contributor_col) < d.meta.size() &&
                               !trim(d.meta[contributor_col]).empty();
  if (has_contributor) {
    // Quote the voice on one line, shortened: a reply does not repeat a long complaint.
    std::string voice;
    bool space = false;
    for (char ch : trim(d.text)) {
      const bool ws = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
      if (ws) {
        space = true;
        continue;
      }
      if (space && !voice.empty()) voice += ' ';
      space = false;
      voice += ch;
    }
    const auto chars = utf8_chars(voice);
    if (ro.voice_chars > 0 && chars.size() > ro.voice_chars) {
      std::string cut;
      for (std::size_t j = 0; j < ro.voice_chars; ++j)
        cut += chars[j];
      voice = cut + "…";
    }
    std::map<std::string, std::string> values = {{"voice", voice}, {"id", std::string(d.id)}};
    if (c == nullptr) {
      values.insert(
          {{"label", ""}, {"count", "0"}, {"decision", ""}, {"reason", ""}, {"effect", ""}});
      return fill_reply(ro.unclustered_template, values);
    } else {
      const decision_status s = c->decision.status;
      const std::string& word = reply_word(ro, s);
      values.insert({{"label", c->label},
                     {"count", std::to_string(c->frequency.voices)},
                     {"decision", word},
                     {"reason", reply_reason(*c)}});
      const auto effect = effects.find(c->cluster);
      values.insert({"effect", effect == effects.end() ? std::string() : effect->second});
      // 採用 and every later stage is news to tell; so is 見送り.
      const bool decided = reached_adoption(s) || s == decision_status::rejected;
      return fill_reply(decided ? ro.decided_template : ro.pending_template, values);
    }
  }
  return {};
}

}  // namespace

trace_table trace(const score_input& in, const std::vector<candidate>& candidates,
                  const score_options& o) {
  KOE_THROW_IF_NOT(in.records != nullptr, errc::invalid_argument, "score_input has no records");
  std::unordered_map<int, const candidate*> by_cluster;
  for (const auto& c : candidates)
    by_cluster[c.cluster] = &c;
  const int contributor_col = o.frequency.contributor_column.empty()
                                  ? -1
                                  : in.records->meta_index(o.frequency.contributor_column);
  const reply_options& ro = o.reply;
  // {effect}: the share before and after each adopted decision's date, worked out only when a
  // template asks for it.
  std::unordered_map<int, std::string> effects;
  if (ro.decided_template.find("{effect}") != std::string::npos ||
      ro.pending_template.find("{effect}") != std::string::npos)
    for (const auto& e :
         decision_effects(trend_rows_of(in, period_unit::day), candidates, o.trends.alpha))
      effects[e.cluster] = e.sentence;

  // Records are independent: each task fills the rows of its fixed blocks and drafts their replies
  // into a column of its own; the columns are then appended in block order.
  trace_table out;
  out.rows.resize(in.records->documents.size());
  constexpr std::size_t block = 4096;
  std::vector<text_column> replies(detail::block_count(out.size(), block));
  detail::parallel_chunks(replies.size(), 1, [&](std::size_t first_block, std::size_t last_block) {
    for (std::size_t b = first_block; b < last_block; ++b) {
      const std::size_t end = std::min(out.size(), (b + 1) * block);
      detail::for_each_record(
          in.row_document, b * block, end, [&](std::size_t i, std::optional<std::size_t> row) {
            replies[b].push_back(
                trace_record(in, i, row, by_cluster, effects, contributor_col, ro, out.rows[i]));
          });
    }
  });
  for (auto& part : replies)
    out.replies.append(std::move(part));
  return out;
}

}  // namespace koe
