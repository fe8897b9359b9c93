// Follow-ups: the contact log, the next contact due to each contributor and its draft
// (koe/programme.hpp). A contributor is never told the same stage of a cluster twice: once the
// log holds that stage, the plan proposes a progress note or the next stage.
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/programme.hpp>
#include <koe/score_config.hpp>
#include <koe/trace.hpp>
#include <koe/trends.hpp>

#include "detail/csv.hpp"
#include "detail/followups.hpp"
#include "detail/programme.hpp"
#include "detail/report.hpp"
#include "detail/score_text.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace koe {

using detail::ascii_lower;
using detail::trim;

namespace detail {

std::string_view followup_placeholder_list() noexcept {
  return "{voice} {label} {count} {decision} {reason} {id} {effect} {stage} {date} {days}";
}

void check_followup_template(std::string_view text) {
  static const std::set<std::string, std::less<>> known = {
      "voice", "label", "count", "decision", "reason", "id", "effect", "stage", "date", "days"};
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("{{") || text.substr(i).starts_with("}}")) {
      i += 2;
    } else if (text[i] == '{') {
      const auto close = text.find('}', i);
      KOE_THROW_IF_NOT(close != std::string_view::npos, errc::invalid_config,
                       "'{' without '}' (write {{ for a literal brace)");
      const std::string_view name = text.substr(i + 1, close - i - 1);
      KOE_THROW_IF_NOT(known.contains(name), errc::invalid_config,
                       "unknown placeholder {" + std::string(name) +
                           "} (known: " + std::string(followup_placeholder_list()) + ")");
      i = close + 1;
    } else {
      ++i;
    }
  }
}

}  // namespace detail

std::string add_days(std::string_view date, std::int64_t days) {
  const auto day = period_of(date, period_unit::day);
  if (!day) return {};
  return period_label(*day + days, period_unit::day);
}

namespace {

// True when `text` is a real calendar date written YYYY-MM-DD.
bool is_iso_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const auto day = period_of(text, period_unit::day);
  return day && period_label(*day, period_unit::day) == text;
}

// The stage a contact log names: a stage word (English or Japanese), an alias, or progress.
bool parse_stage(const std::string& word, const stage_options& stages, contact& c) {
  const std::string lower = ascii_lower(word);
  if (lower == "progress" || word == "進捗") {
    c.progress = true;
    return true;
  }
  for (const decision_word& w : decision_words)
    if (w.status != decision_status::undecided && (lower == w.english || word == w.japanese)) {
      c.stage = w.status;
      return true;
    }
  for (const std::string& key : {word, lower})
    if (const auto it = stages.aliases.find(key);
        it != stages.aliases.end() && it->second != decision_status::undecided) {
      c.stage = it->second;
      return true;
    }
  return false;
}

// One row of a contact log; false for a blank spreadsheet line.
bool read_contact_row(const document_view& d, int cluster_col, int stage_col, int date_col,
                      const std::string& name, const stage_options& stages, contact& c) {
  auto meta = [&](int col) {
    return col >= 0 && static_cast<std::size_t>(col) < d.meta.size() ? trim(d.meta[col])
                                                                     : std::string();
  };
  c.contributor = trim(d.text);
  const std::string id = meta(cluster_col);
  const std::string stage = meta(stage_col);
  c.date = meta(date_col);
  if (c.contributor.empty() && id.empty() && stage.empty() && c.date.empty()) return false;
  c.line = d.line;
  const std::string where = name + ":" + std::to_string(d.line) + ": ";
  KOE_THROW_IF_NOT(!c.contributor.empty(), errc::invalid_config, where + "contributor is empty");
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), c.cluster);
  KOE_THROW_IF_NOT(
      !id.empty() && ec == std::errc() && end == id.data() + id.size() && c.cluster >= 0,
      errc::invalid_config,
      where + "cluster '" + id + "' is not a cluster id (a whole number from 0)");
  KOE_THROW_IF_NOT(parse_stage(stage, stages, c), errc::invalid_config,
                   where + "stage '" + stage +
                       "' is not a stage (pending, adopted, planned, productized, launched, "
                       "rejected, progress; 検討中, 採用, 企画化, 商品化, 提供開始, 見送り, 進捗)");
  KOE_THROW_IF_NOT(is_iso_date(c.date), errc::invalid_config,
                   where + "date '" + c.date + "' is not a date (YYYY-MM-DD)");
  return true;
}

}  // namespace

std::vector<contact> read_contacts(std::istream& in, const std::string& name,
                                   const stage_options& stages) {
  io_options io;
  io.format = input_format::csv;
  io.text_column = "contributor";
  corpus log;
  try {
    log = read_corpus(in, name, io);
  } catch (const error& e) {
    throw error(errc::invalid_config, std::string(e.what()) +
                                          " (a contact log is a UTF-8 CSV with the columns "
                                          "contributor,cluster,stage,date)");
  }
  int cols[3] = {};
  const char* names[3] = {"cluster", "stage", "date"};
  for (int i = 0; i < 3; ++i) {
    cols[i] = log.meta_index(names[i]);
    KOE_THROW_IF_NOT(cols[i] >= 0, errc::invalid_config,
                     name + ":1: the header has no '" + names[i] +
                         "' column (expected contributor,cluster,stage,date)");
  }
  std::vector<contact> out;
  for (const document_view d : log.documents) {
    contact c;
    if (read_contact_row(d, cols[0], cols[1], cols[2], name, stages, c))
      out.push_back(std::move(c));
  }
  return out;
}

std::vector<contact> read_contacts(const std::filesystem::path& path, const stage_options& stages) {
  std::ifstream f(path, std::ios::binary);
  KOE_THROW_IF_NOT(f, errc::io_failure, "cannot open contact log " + path.string());
  return read_contacts(f, path.string(), stages);
}

namespace {

// A contributor's voices in one decided cluster.
struct thread {
  std::size_t candidate = 0;
  std::vector<std::size_t> rows;
};

// "" sorts after every date: a contact with no date is planned last.
bool date_before(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return !a.empty() && b.empty();
  return a < b;
}

// A voice quoted on one line and shortened, as the reply drafts quote it.
std::string quoted_voice(std::string_view text, std::size_t max_chars) {
  std::string voice;
  bool space = false;
  for (const char ch : trim(text)) {
    if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
      space = true;
      continue;
    }
    if (space && !voice.empty()) voice += ' ';
    space = false;
    voice += ch;
  }
  const auto chars = detail::utf8_chars(voice);
  if (max_chars == 0 || chars.size() <= max_chars) return voice;
  std::string cut;
  for (std::size_t j = 0; j < max_chars; ++j)
    cut += chars[j];
  return cut + "…";
}

// Everything the plan reads, gathered once.
struct plan_context {
  const score_input& in;
  const std::vector<candidate>& candidates;
  const std::vector<stage_state>& stages;
  std::optional<std::int64_t> as_of;
  const score_options& options;
  std::unordered_map<int, std::string> effects;  // {effect} by cluster id
};

// The draft of `f` from its template.
std::string draft_of(const plan_context& ctx, const thread& t, const followup& f) {
  const candidate& c = ctx.candidates[t.candidate];
  const stage_state& st = ctx.stages[t.candidate];
  const std::string key = f.progress ? "progress" : std::string(to_string(f.stage));
  static const followup_options defaults;
  std::string tmpl;
  if (const auto it = ctx.options.followup.templates.find(key);
      it != ctx.options.followup.templates.end())
    tmpl = it->second;
  else if (const auto d = defaults.templates.find(key); d != defaults.templates.end())
    tmpl = d->second;
  const document_view d = ctx.in.records->documents[ctx.in.row_document[t.rows.front()]];
  std::int64_t days = st.days;
  if (days < 0 && ctx.as_of && !st.since.empty())
    if (const auto since = period_of(st.since, period_unit::day)) days = *ctx.as_of - *since;
  const auto effect = ctx.effects.find(c.cluster);
  const std::map<std::string, std::string> values = {
      {"voice", quoted_voice(d.text, ctx.options.reply.voice_chars)},
      {"id", std::string(d.id)},
      {"label", c.label},
      {"count", std::to_string(c.frequency.voices)},
      {"decision", to_japanese(st.stage)},
      {"reason", c.decision.reason},
      {"effect", effect == ctx.effects.end() ? std::string() : effect->second},
      {"stage", to_japanese(f.stage)},
      {"date", st.since},
      {"days", days >= 0 ? std::to_string(days) : std::string()}};
  return fill_reply(tmpl, values);
}

// The next contact on one open thread, or none when the thread is closed (a final stage told).
std::optional<followup> plan_thread(const plan_context& ctx, const std::string& contributor,
                                    const thread& t, const std::vector<const contact*>& log) {
  const candidate& c = ctx.candidates[t.candidate];
  const stage_state& st = ctx.stages[t.candidate];
  followup f;
  bool told_current = false;
  for (const contact* x : log) {
    if (!x->progress &&
        (x->stage == decision_status::launched || x->stage == decision_status::rejected))
      return std::nullopt;
    told_current = told_current || (!x->progress && x->stage == st.stage);
    if (f.last_contact.empty() || x->date > f.last_contact) f.last_contact = x->date;
  }
  f.contributor = contributor;
  f.cluster = c.cluster;
  f.label = c.label;
  f.stage = st.stage;
  f.stage_since = st.since;
  f.progress = told_current;
  for (const std::size_t row : t.rows)
    f.voices.emplace_back(ctx.in.records->documents[ctx.in.row_document[row]].id);
  if (told_current) {
    f.next_contact = add_days(f.last_contact, ctx.options.followup.without_change_days);
  } else {
    // A stage change is told a while after it happened; one whose day is unknown, now.
    f.next_contact = add_days(st.since, ctx.options.followup.after_stage_change_days);
    if (f.next_contact.empty() && ctx.as_of)
      f.next_contact = period_label(*ctx.as_of, period_unit::day);
    if (!f.last_contact.empty() && date_before(f.next_contact, f.last_contact))
      f.next_contact = f.last_contact;
  }
  f.draft = draft_of(ctx, t, f);
  return f;
}

// Each contributor's voices by decided cluster, keyed (contributor, cluster id).
std::map<std::pair<std::string, int>, thread> threads_of(const plan_context& ctx) {
  const score_input& in = ctx.in;
  const int col = in.records->meta_index(ctx.options.frequency.contributor_column);
  std::unordered_map<int, std::size_t> by_cluster;
  for (std::size_t i = 0; i < ctx.candidates.size(); ++i)
    if (ctx.stages[i].stage != decision_status::undecided)
      by_cluster.emplace(ctx.candidates[i].cluster, i);
  std::map<std::pair<std::string, int>, thread> out;
  for (std::size_t row = 0; row < in.rows() && row < in.assignment.size(); ++row) {
    if (in.assignment[row] < 0) continue;
    const auto a = static_cast<std::size_t>(in.assignment[row]);
    const int id = a < in.clusters.size() ? in.clusters[a].id : in.assignment[row];
    const auto it = by_cluster.find(id);
    if (it == by_cluster.end()) continue;
    const document_view d = in.records->documents[in.row_document[row]];
    if (col < 0 || static_cast<std::size_t>(col) >= d.meta.size()) continue;
    std::string who = trim(d.meta[col]);
    if (who.empty()) continue;
    thread& t = out[{std::move(who), id}];
    t.candidate = it->second;
    t.rows.push_back(row);
  }
  return out;
}

bool uses_effect(const followup_options& o) {
  return std::any_of(o.templates.begin(), o.templates.end(), [](const auto& kv) {
    return kv.second.find("{effect}") != std::string::npos;
  });
}

}  // namespace

namespace detail {

std::vector<followup> plan_followups(const score_input& in,
                                     const std::vector<candidate>& candidates,
                                     const std::vector<stage_state>& stages,
                                     const std::vector<contact>& contacts,
                                     std::optional<std::int64_t> as_of,
                                     const score_options& options) {
  if (in.records == nullptr || stages.size() != candidates.size()) return {};
  plan_context ctx{in, candidates, stages, as_of, options, {}};
  if (uses_effect(options.followup))
    for (const auto& e :
         decision_effects(trend_rows_of(in, period_unit::day), candidates, options.trends.alpha))
      ctx.effects[e.cluster] = e.sentence;
  std::map<std::pair<std::string, int>, std::vector<const contact*>> log;
  for (const contact& c : contacts)
    log[{c.contributor, c.cluster}].push_back(&c);
  static const std::vector<const contact*> none;
  // Threads come by contributor, then cluster id: each contributor's due-first thread leads.
  std::map<std::string, std::vector<followup>> open;
  for (const auto& [key, t] : threads_of(ctx)) {
    const auto it = log.find(key);
    if (auto f = plan_thread(ctx, key.first, t, it == log.end() ? none : it->second))
      open[key.first].push_back(std::move(*f));
  }
  std::vector<followup> out;
  for (auto& [who, rows] : open) {
    std::stable_sort(rows.begin(), rows.end(), [](const followup& a, const followup& b) {
      if (a.next_contact != b.next_contact) return date_before(a.next_contact, b.next_contact);
      return a.cluster < b.cluster;
    });
    followup first = std::move(rows.front());
    for (std::size_t i = 1; i < rows.size(); ++i)
      first.other_clusters.push_back(rows[i].cluster);
    std::sort(first.other_clusters.begin(), first.other_clusters.end());
    out.push_back(std::move(first));
  }
  std::stable_sort(out.begin(), out.end(), [](const followup& a, const followup& b) {
    if (a.next_contact != b.next_contact) return date_before(a.next_contact, b.next_contact);
    return a.contributor < b.contributor;
  });
  return out;
}

void followups_section(std::ostream& out, const report_options& ro) {
  if (ro.programme == nullptr || ro.programme->followups.empty() || ro.programme->as_of.empty())
    return;
  const programme_result& p = *ro.programme;
  const std::string soon = add_days(p.as_of, 14);
  std::vector<const followup*> due;
  std::size_t within = 0;
  for (const followup& f : p.followups) {
    if (f.next_contact.empty()) continue;
    if (f.next_contact <= p.as_of)
      due.push_back(&f);
    else if (f.next_contact <= soon)
      ++within;
  }
  out << "<section>\n<h2>連絡予定</h2>\n<p>連絡予定: 期限を過ぎた " << due.size()
      << " 人、14 日以内 " << within << " 人（" << p.as_of << " 時点、文案は followups.csv）</p>\n";
  if (!due.empty()) {
    constexpr std::size_t shown = 10;
    out << "<div class=\"scroll\">\n<table>\n<thead><tr><th>投稿者</th><th>まとまり</th>"
           "<th>伝えること</th><th>予定日</th></tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < due.size() && i < shown; ++i) {
      const followup& f = *due[i];
      out << "<tr><td>" << html_text(f.contributor) << "</td><td>#" << f.cluster << " "
          << html_text(f.label) << "</td><td>"
          << (f.progress ? std::string("進捗（") + to_japanese(f.stage) + "）"
                         : std::string(to_japanese(f.stage)))
          << "</td><td>" << f.next_contact << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</div>\n";
    if (due.size() > shown)
      out << "<p class=\"sub\">ほか " << due.size() - shown << " 人は followups.csv に。</p>\n";
  }
  out << "</section>\n";
}

}  // namespace detail

void write_followups_csv(std::ostream& out, const programme_result& p) {
  std::string text =
      "contributor,voices,cluster,label,stage,stage_since,last_contact,next_contact,due,draft,"
      "other_clusters\n";
  for (const followup& f : p.followups) {
    std::string others;
    for (const int id : f.other_clusters)
      others += (others.empty() ? "" : " ") + std::to_string(id);
    const bool due = !f.next_contact.empty() && !p.as_of.empty() && f.next_contact <= p.as_of;
    detail::csv::row(text)
        .field(f.contributor)
        .field(detail::join(f.voices, " "))
        .field(f.cluster)
        .field(f.label)
        .field(f.progress ? "progress" : to_string(f.stage))
        .field(f.stage_since)
        .field(f.last_contact)
        .field(f.next_contact)
        .field(due ? "yes" : "no")
        .field(f.draft)
        .field(others)
        .end();
  }
  out << text;
}

}  // namespace koe
