// Decisions carried across runs: reading decisions files, cluster keys and matching rows to
// candidates by key overlap.
#include <koe/decisions.hpp>

#include <koe/describe.hpp>
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/score.hpp>

#include "detail/score_text.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
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

// The status named by `word` (English in lower case, or Japanese); none for an unknown word. Only
// decisions can be written: "undecided" is not one.
std::optional<decision_status> parse_status(const std::string& word) {
  for (const decision_word& w : decision_words)
    if (w.status != decision_status::undecided && (word == w.english || word == w.japanese))
      return w.status;
  return std::nullopt;
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

// Gives `c` the decision `d`, with the reason it was given for.
void give(candidate& c, const decision& d, double overlap, const std::string& how) {
  c.decision = d;
  c.decision.overlap = overlap;
  // A row made in code may be undecided; it reads as still under consideration.
  const decision_status st = c.decision.status == decision_status::undecided
                                 ? decision_status::pending
                                 : c.decision.status;
  std::string reason = std::string("判断: ") + to_japanese(st);
  if (!c.decision.date.empty()) reason += "（" + c.decision.date + "）";
  if (!c.decision.reason.empty()) reason += " " + c.decision.reason;
  reason += " — 決定ファイル " + std::to_string(c.decision.line) + "行目の" + how;
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

std::vector<decision> read_decisions(std::istream& in, const std::string& name) {
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
    const std::string status = ascii_lower(meta(status_col));
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
    const auto parsed = parse_status(status);
    KOE_THROW_IF_NOT(parsed, errc::invalid_config,
                     where + "decision '" + meta(status_col) +
                         "' is not adopted, rejected or pending (採用, 見送り, 検討中)");
    x.status = *parsed;
    x.reason = meta(reason_col);
    x.date = meta(date_col);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<decision> read_decisions(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  KOE_THROW_IF_NOT(f, errc::io_failure, "cannot open decisions file " + path.string());
  return read_decisions(f, path.string());
}

std::vector<decision> apply_decisions(std::vector<candidate>& candidates,
                                      const std::vector<decision>& decisions,
                                      const decision_options& options) {
  // The file is a log: a later row for the same cluster id, or (without one) the same key terms,
  // replaces an earlier one.
  std::vector<std::size_t> live;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const auto terms = key_terms(decisions[i].key);
    bool replaced = false;
    for (std::size_t j = i + 1; j < decisions.size() && !replaced; ++j)
      replaced = decisions[i].cluster >= 0
                     ? decisions[j].cluster == decisions[i].cluster
                     : decisions[j].cluster < 0 && key_terms(decisions[j].key) == terms;
    if (!replaced) live.push_back(i);
  }
  std::vector<char> row_used(decisions.size(), 0), cand_used(candidates.size(), 0);
  // Rows naming a cluster id decide that cluster first.
  for (const std::size_t i : live) {
    if (decisions[i].cluster < 0) continue;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (cand_used[c] || candidates[c].cluster != decisions[i].cluster) continue;
      row_used[i] = cand_used[c] = 1;
      give(candidates[c], decisions[i], 1.0,
           "まとまり #" + std::to_string(decisions[i].cluster) + " と一致");
      break;
    }
  }
  struct pair {
    double overlap;
    std::size_t contained;  // decision terms found among the candidate's top terms
    std::size_t row, cand;
  };
  std::vector<pair> pairs;
  for (std::size_t i : live) {
    if (row_used[i] || decisions[i].key.empty()) continue;
    const auto terms = key_terms(decisions[i].key);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (cand_used[c]) continue;
      const double x = key_overlap(decisions[i].key, candidates[c].key);
      if (x < options.min_overlap) continue;
      std::size_t contained = 0;
      for (const auto& t : candidates[c].top_terms)
        contained += terms.count(ascii_lower(t));
      pairs.push_back({x, contained, i, c});
    }
  }
  // Best overlaps first; a key shares two of three terms with several clusters more often than
  // one would think, so the wider top-term list breaks those ties before row order does.
  std::stable_sort(pairs.begin(), pairs.end(), [&](const pair& a, const pair& b) {
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    if (a.contained != b.contained) return a.contained > b.contained;
    if (a.row != b.row) return a.row > b.row;
    return candidates[a.cand].rank < candidates[b.cand].rank;
  });
  for (const auto& pr : pairs) {
    if (row_used[pr.row] || cand_used[pr.cand]) continue;
    row_used[pr.row] = cand_used[pr.cand] = 1;
    give(candidates[pr.cand], decisions[pr.row], pr.overlap,
         "キー「" + decisions[pr.row].key + "」と一致（重なり " + fixed(pr.overlap) + "）");
  }
  std::vector<decision> unmatched;
  for (std::size_t i : live)
    if (!row_used[i]) unmatched.push_back(decisions[i]);
  return unmatched;
}

}  // namespace koe
