// Decisions carried across runs: reading decisions files (a ledger of stage changes), cluster
// keys, and matching each cluster's thread of rows to a candidate by id or key overlap.
#include <koe/decisions.hpp>

#include <koe/describe.hpp>
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/programme.hpp>
#include <koe/score.hpp>

#include "detail/score_text.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace koe {

using detail::ascii_lower;
using detail::fixed;
using detail::key_terms;
using detail::trim;

const char* to_string(decision_status status) noexcept {
  return word_of(status).english.data();
}

const char* to_japanese(decision_status status) noexcept {
  return word_of(status).japanese.data();
}

namespace {

// The words a decisions file may use, for the message naming an unknown one.
std::string allowed_words(const stage_options& stages) {
  std::string english, japanese;
  auto add = [&](decision_status st) {
    english += (english.empty() ? "" : ", ") + std::string(word_of(st).english);
    japanese += (japanese.empty() ? "" : ", ") + std::string(word_of(st).japanese);
  };
  for (const decision_status st : stage_sequence)
    add(st);
  add(decision_status::rejected);
  std::string out = english + " (" + japanese + ")";
  if (!stages.aliases.empty()) {
    std::string aliases;
    for (const auto& [alias, st] : stages.aliases)
      aliases += (aliases.empty() ? "" : ", ") + alias;
    out += " or an alias of [stages.aliases] (" + aliases + ")";
  }
  return out;
}

// The `cluster` column: a stable cluster id (a non-negative integer), -1 when empty.
int cluster_id(const std::string& text, const std::string& where) {
  if (text.empty()) return -1;
  int id = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  KOE_THROW_IF_NOT(ec == std::errc() && end == text.data() + text.size() && id >= 0,
                   errc::invalid_config,
                   where + "cluster '" + text + "' is not a cluster id (a whole number from 0)");
  return id;
}

// Rows of a decisions file that tell one cluster's story: the same cluster id, or (without one)
// the same key terms.
struct thread {
  std::vector<std::size_t> rows;  // indices into the file's rows, in ledger order
  std::size_t latest = 0;         // the row latest in the file
  std::string key;                // the latest non-empty key in ledger order
  int cluster = -1;
};

// The threads of `decisions`, in the file order of their first rows.
std::vector<thread> threads_of(const std::vector<decision>& decisions) {
  std::vector<thread> out;
  std::map<int, std::size_t> by_id;
  std::map<std::set<std::string>, std::size_t> by_key;
  for (const std::size_t i : ledger_order(decisions)) {
    const decision& d = decisions[i];
    const std::size_t at = d.cluster >= 0
                               ? by_id.try_emplace(d.cluster, out.size()).first->second
                               : by_key.try_emplace(key_terms(d.key), out.size()).first->second;
    if (at == out.size()) out.emplace_back().cluster = d.cluster;
    thread& t = out[at];
    t.rows.push_back(i);
    t.latest = std::max(t.latest, i);
    if (!d.key.empty()) t.key = d.key;
  }
  std::sort(out.begin(), out.end(), [](const thread& a, const thread& b) {
    return *std::min_element(a.rows.begin(), a.rows.end()) <
           *std::min_element(b.rows.begin(), b.rows.end());
  });
  return out;
}

// Gives `c` the thread `t`: its rows as the history, the last as the decision, with the reason
// it was given for.
void give(candidate& c, const std::vector<decision>& decisions, const thread& t, double overlap,
          const std::string& how) {
  c.decision_history.clear();
  for (const std::size_t i : t.rows) {
    c.decision_history.push_back(decisions[i]);
    c.decision_history.back().overlap = overlap;
  }
  c.decision = c.decision_history.back();
  // A row made in code may be undecided; it reads as still under consideration.
  const decision_status st = c.decision.status == decision_status::undecided
                                 ? decision_status::pending
                                 : c.decision.status;
  std::string reason = std::string("判断: ") + to_japanese(st);
  if (!c.decision.date.empty()) reason += "（" + c.decision.date + "）";
  if (!c.decision.reason.empty()) reason += " " + c.decision.reason;
  reason += " — 決定ファイル " + std::to_string(c.decision.line) + "行目の" + how;
  if (c.decision_history.size() > 1) {
    reason += "（経過: ";
    for (std::size_t i = 0; i < c.decision_history.size(); ++i)
      reason += (i ? " → " : "") + std::string(to_japanese(c.decision_history[i].status));
    reason += "）";
  }
  c.reasons.push_back(std::move(reason));
}

}  // namespace

std::string cluster_key(const cluster_description& d, std::size_t terms) {
  // The same choice as the label (a term inside one already taken, ログイン beside ログイン画面,
  // adds nothing and would make the key less stable), with Latin letters folded as keys compare.
  std::vector<std::string> chosen = label_terms(d.terms, terms, true);
  std::sort(chosen.begin(), chosen.end());
  return detail::join(chosen, "+");
}

double key_overlap(std::string_view a, std::string_view b) {
  const auto x = key_terms(a);
  const auto y = key_terms(b);
  if (x.empty() || y.empty()) return 0;
  std::size_t common = 0;
  for (const auto& t : x)
    common += y.count(t);
  return static_cast<double>(common) / static_cast<double>(x.size() + y.size() - common);
}

std::optional<decision_status> parse_decision_word(std::string_view word,
                                                   const stage_options& stages) {
  const std::string w = ascii_lower(trim(word));
  if (w.empty()) return std::nullopt;
  // Only decisions can be written: "undecided" is not one.
  for (const decision_word& d : decision_words)
    if (d.status != decision_status::undecided && (w == d.english || w == d.japanese))
      return d.status;
  for (const auto& [alias, status] : stages.aliases)
    if (status != decision_status::undecided && ascii_lower(trim(alias)) == w) return status;
  return std::nullopt;
}

std::vector<decision> read_decisions(std::istream& in, const std::string& name) {
  return read_decisions(in, name, stage_options{});
}

std::vector<decision> read_decisions(std::istream& in, const std::string& name,
                                     const stage_options& stages) {
  io_options io;
  io.format = input_format::csv;
  io.text_column = "key";
  corpus c;
  try {
    c = read_corpus(in, name, io);
  } catch (const error& e) {
    throw error(errc::invalid_config, std::string(e.what()) +
                                          " (a decisions file is a UTF-8 CSV with the columns "
                                          "key,decision,reason,date)");
  }
  const int status_col = c.meta_index("decision");
  KOE_THROW_IF_NOT(
      status_col >= 0, errc::invalid_config,
      name + ":1: the header has no 'decision' column (expected key,decision,reason,date)");
  const int cluster_col = c.meta_index("cluster");
  const int reason_col = c.meta_index("reason");
  const int date_col = c.meta_index("date");
  std::vector<decision> out;
  for (const auto& d : c.documents) {
    auto meta = [&](int col) {
      return col >= 0 && static_cast<std::size_t>(col) < d.meta.size() ? trim(d.meta[col])
                                                                       : std::string();
    };
    const std::string key = trim(d.text);
    const std::string status = meta(status_col);
    const std::string id = meta(cluster_col);
    if (key.empty() && status.empty() && id.empty()) continue;  // a blank spreadsheet line
    const std::string where = name + ":" + std::to_string(d.line) + ": ";
    decision x;
    x.cluster = cluster_id(id, where);
    KOE_THROW_IF_NOT(!key.empty() || x.cluster >= 0, errc::invalid_config,
                     where + "key is empty (give a key or a cluster id)");
    KOE_THROW_IF_NOT(key.empty() || !key_terms(key).empty(), errc::invalid_config,
                     where + "key '" + key + "' has no terms");
    x.key = key;
    x.line = d.line;
    const auto parsed = parse_decision_word(status, stages);
    KOE_THROW_IF_NOT(parsed, errc::invalid_config,
                     where + "decision '" + status + "' is not a stage: " + allowed_words(stages));
    x.status = *parsed;
    x.reason = meta(reason_col);
    x.date = meta(date_col);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<decision> read_decisions(const std::filesystem::path& path) {
  return read_decisions(path, stage_options{});
}

std::vector<decision> read_decisions(const std::filesystem::path& path,
                                     const stage_options& stages) {
  std::ifstream f(path, std::ios::binary);
  KOE_THROW_IF_NOT(f, errc::io_failure, "cannot open decisions file " + path.string());
  return read_decisions(f, path.string(), stages);
}

std::vector<std::size_t> ledger_order(const std::vector<decision>& rows) {
  // An undated row was written after the dated rows above it: it takes the nearest one's date.
  std::vector<std::int64_t> when(rows.size());
  std::int64_t carried = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (const auto day = period_of(rows[i].date, period_unit::day)) carried = *day;
    when[i] = carried;
  }
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return when[a] < when[b]; });
  return order;
}

std::vector<decision> decision_rows(const candidate& c) {
  if (!c.decision_history.empty()) return c.decision_history;
  if (c.decision.status == decision_status::undecided) return {};
  return {c.decision};
}

const decision* adoption_row(const std::vector<decision>& history) {
  const decision* first = nullptr;
  for (const decision& d : history) {
    if (!reached_adoption(d.status)) continue;
    if (period_of(d.date, period_unit::day)) return &d;
    if (first == nullptr) first = &d;
  }
  return first;
}

std::vector<decision> apply_decisions(std::vector<candidate>& candidates,
                                      const std::vector<decision>& decisions,
                                      const decision_options& options) {
  // The file is a ledger: each cluster's rows are its history, the latest its decision.
  const std::vector<thread> threads = threads_of(decisions);
  std::vector<char> used(threads.size(), 0), cand_used(candidates.size(), 0);
  // Threads naming a cluster id decide that cluster first.
  for (std::size_t t = 0; t < threads.size(); ++t) {
    if (threads[t].cluster < 0) continue;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (cand_used[c] || candidates[c].cluster != threads[t].cluster) continue;
      used[t] = cand_used[c] = 1;
      give(candidates[c], decisions, threads[t], 1.0,
           "まとまり #" + std::to_string(threads[t].cluster) + " と一致");
      break;
    }
  }
  struct pair {
    double overlap;
    std::size_t contained;  // decision terms found among the candidate's top terms
    std::size_t thread, cand;
  };
  std::vector<pair> pairs;
  for (std::size_t t = 0; t < threads.size(); ++t) {
    if (used[t] || threads[t].key.empty()) continue;
    const auto terms = key_terms(threads[t].key);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (cand_used[c]) continue;
      const double x = key_overlap(threads[t].key, candidates[c].key);
      if (x < options.min_overlap) continue;
      std::size_t contained = 0;
      for (const auto& term : candidates[c].top_terms)
        contained += terms.count(ascii_lower(term));
      pairs.push_back({x, contained, t, c});
    }
  }
  // Best overlaps first; a key shares two of three terms with several clusters more often than
  // one would think, so the wider top-term list breaks those ties before row order does.
  std::stable_sort(pairs.begin(), pairs.end(), [&](const pair& a, const pair& b) {
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    if (a.contained != b.contained) return a.contained > b.contained;
    if (a.thread != b.thread) return threads[a.thread].latest > threads[b.thread].latest;
    return candidates[a.cand].rank < candidates[b.cand].rank;
  });
  for (const auto& pr : pairs) {
    if (used[pr.thread] || cand_used[pr.cand]) continue;
    used[pr.thread] = cand_used[pr.cand] = 1;
    give(candidates[pr.cand], decisions, threads[pr.thread], pr.overlap,
         "キー「" + threads[pr.thread].key + "」と一致（重なり " + fixed(pr.overlap) + "）");
  }
  // Each thread that decided nothing, by its current row, in file order.
  std::vector<std::size_t> unmatched_rows;
  for (std::size_t t = 0; t < threads.size(); ++t)
    if (!used[t]) unmatched_rows.push_back(threads[t].rows.back());
  std::sort(unmatched_rows.begin(), unmatched_rows.end());
  std::vector<decision> unmatched;
  for (const std::size_t i : unmatched_rows)
    unmatched.push_back(decisions[i]);
  return unmatched;
}

}  // namespace koe
