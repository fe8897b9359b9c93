// Lineage events of a refit (docs/continuity.md, "Lineage"): which clusters continue, are born,
// split, merge, go dormant or return, named from the matching and the contingency table a refit
// against a previous model fills in a `refit_comparison`.
#include <koe/error.hpp>
#include <koe/lineage.hpp>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

namespace koe {

const char* to_string(lineage_kind kind) noexcept {
  switch (kind) {
    case lineage_kind::continued:
      return "continued";
    case lineage_kind::born:
      return "born";
    case lineage_kind::split:
      return "split";
    case lineage_kind::merged:
      return "merged";
    case lineage_kind::dormant:
      return "dormant";
    case lineage_kind::returned:
      return "returned";
  }
  return "continued";
}

const char* to_japanese(lineage_kind kind) noexcept {
  switch (kind) {
    case lineage_kind::continued:
      return "継続";
    case lineage_kind::born:
      return "新規";
    case lineage_kind::split:
      return "分裂";
    case lineage_kind::merged:
      return "統合";
    case lineage_kind::dormant:
      return "休眠";
    case lineage_kind::returned:
      return "再来";
  }
  return "継続";
}

namespace {

// Throws unless every table of `c` has the sizes its doc comment gives.
void check_shapes(const refit_comparison& c) {
  const std::size_t p = c.previous_ids.size();
  const std::size_t n = c.ids.size();
  const auto fail = [](const std::string& what) {
    throw error(errc::invalid_argument, "refit comparison: " + what);
  };
  if (c.previous_dormant.size() != p || c.previous_share.size() != p)
    fail("previous_dormant and previous_share need one value per previous id");
  if (c.share.size() != n || c.match.size() != n || c.similarity.size() != n)
    fail("share, match and similarity need one entry per new cluster");
  for (const auto& row : c.similarity)
    if (row.size() != p) fail("each similarity row needs one value per previous id");
  if (c.contingency.size() != p + 1) fail("contingency needs one row per previous id, plus one");
  for (const auto& row : c.contingency)
    if (row.size() != n + 1) fail("each contingency row needs one count per new cluster, plus one");
  std::vector<int> matched(p, -1);
  for (std::size_t i = 0; i < n; ++i) {
    const int j = c.match[i];
    if (j < -1 || j >= static_cast<int>(p)) fail("match " + std::to_string(j) + " is no column");
    if (j >= 0 && matched[static_cast<std::size_t>(j)] >= 0)
      fail("previous column " + std::to_string(j) + " is matched twice");
    if (j >= 0) matched[static_cast<std::size_t>(j)] = static_cast<int>(i);
  }
}

// The quantities every rule reads, computed once from a comparison.
class tables {
 public:
  tables(const refit_comparison& c, const lineage_options& o) : c_(c), o_(o) {
    const std::size_t p = c.previous_ids.size();
    const std::size_t n = c.ids.size();
    row_total_.assign(p, 0);
    column_total_.assign(n, 0);
    matched_by_.assign(p, -1);
    for (std::size_t j = 0; j <= p; ++j)
      for (std::size_t i = 0; i <= n; ++i) {
        if (j < p) row_total_[j] += c.contingency[j][i];
        if (i < n) column_total_[i] += c.contingency[j][i];
      }
    for (std::size_t i = 0; i < n; ++i)
      if (c.match[i] >= 0) matched_by_[static_cast<std::size_t>(c.match[i])] = static_cast<int>(i);
  }

  // Whether at least min_part_share of previous column j's voices (as the previous model assigns
  // them this period) go to new cluster i, with min_voices or more on both counts.
  [[nodiscard]] bool gives(std::size_t j, std::size_t i) const {
    const std::size_t count = c_.contingency[j][i];
    return row_total_[j] >= o_.min_voices && count >= o_.min_voices &&
           static_cast<double>(count) >= o_.min_part_share * static_cast<double>(row_total_[j]);
  }

  // Whether at least min_part_share of new cluster i's voices come from previous column j, with
  // min_voices or more on both counts.
  [[nodiscard]] bool takes(std::size_t j, std::size_t i) const {
    const std::size_t count = c_.contingency[j][i];
    return column_total_[i] >= o_.min_voices && count >= o_.min_voices &&
           static_cast<double>(count) >= o_.min_part_share * static_cast<double>(column_total_[i]);
  }

  [[nodiscard]] int matched_by(std::size_t j) const { return matched_by_[j]; }
  [[nodiscard]] bool unmatched(std::size_t j) const { return matched_by_[j] < 0; }

 private:
  const refit_comparison& c_;
  const lineage_options& o_;
  std::vector<std::size_t> row_total_;
  std::vector<std::size_t> column_total_;
  std::vector<int> matched_by_;
};

// What the rules decide before events are written: the parts of each split previous column and
// the parents of each merged new cluster (positions, not ids).
struct links {
  std::vector<std::vector<std::size_t>> parts;    // per previous column: split parts, or empty
  std::vector<std::vector<std::size_t>> parents;  // per new cluster: merge parents, or empty
};

// Ids of `positions` in `ids`, sorted; when `first` is one of them, it comes first.
std::vector<int> ids_of(const std::vector<std::size_t>& positions, const std::vector<int>& ids,
                        int first = -1) {
  std::vector<int> out;
  for (std::size_t x : positions)
    if (static_cast<int>(x) != first) out.push_back(ids[x]);
  std::sort(out.begin(), out.end());
  if (first >= 0 && std::find(positions.begin(), positions.end(),
                              static_cast<std::size_t>(first)) != positions.end())
    out.insert(out.begin(), ids[static_cast<std::size_t>(first)]);
  return out;
}

links find_links(const refit_comparison& c, const tables& t, const lineage_options& o) {
  const std::size_t p = c.previous_ids.size();
  const std::size_t n = c.ids.size();
  links l;
  l.parts.resize(p);
  l.parents.resize(n);
  // A previous column splits when it gives a clear share of its voices to two or more of: the new
  // cluster matched to it, and new clusters matched to no previous column and like it enough.
  for (std::size_t j = 0; j < p; ++j) {
    std::vector<std::size_t> parts;
    for (std::size_t i = 0; i < n; ++i)
      if (c.match[i] >= 0 ? static_cast<std::size_t>(c.match[i]) == j && t.gives(j, i)
                          : t.gives(j, i) && c.similarity[i][j] >= o.min_part_similarity)
        parts.push_back(i);
    if (parts.size() >= 2) l.parts[j] = std::move(parts);
  }
  // A new cluster merges when a clear share of its voices comes from each of two or more of: the
  // previous column matched to it, and previous columns matched to no new cluster (and not split)
  // and like it enough.
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::size_t> parents;
    for (std::size_t j = 0; j < p; ++j) {
      const bool own = c.match[i] >= 0 && static_cast<std::size_t>(c.match[i]) == j;
      const bool absorbed =
          t.unmatched(j) && l.parts[j].empty() && c.similarity[i][j] >= o.min_part_similarity;
      if ((own || absorbed) && t.takes(j, i)) parents.push_back(j);
    }
    if (parents.size() >= 2) l.parents[i] = std::move(parents);
  }
  return l;
}

// The event of new cluster i.
lineage_event new_cluster_event(const refit_comparison& c, const links& l, std::size_t i) {
  lineage_event e;
  e.id = c.ids[i];
  e.share_after = c.share[i];
  const int m = c.match[i];
  const auto similarity_to = [&](std::size_t j) { return c.similarity[i][j]; };
  if (m >= 0) {
    const auto j = static_cast<std::size_t>(m);
    e.similarity = similarity_to(j);
    e.share_before = c.previous_share[j];
    if (c.previous_dormant[j]) {
      e.kind = lineage_kind::returned;
    } else if (!l.parts[j].empty()) {
      e.kind = lineage_kind::split;
      e.children = ids_of(l.parts[j], c.ids, static_cast<int>(i));
    } else if (!l.parents[i].empty()) {
      e.kind = lineage_kind::merged;
      e.parents = ids_of(l.parents[i], c.previous_ids, m);
      e.share_before = 0;
      for (std::size_t k : l.parents[i])
        e.share_before += c.previous_share[k];
    }
    return e;
  }
  e.kind = lineage_kind::born;
  if (!l.parents[i].empty()) {
    e.kind = lineage_kind::merged;
    e.parents = ids_of(l.parents[i], c.previous_ids);
    for (std::size_t k : l.parents[i])
      e.share_before += c.previous_share[k];
  } else {
    std::vector<std::size_t> split_parents;
    for (std::size_t j = 0; j < l.parts.size(); ++j)
      if (std::find(l.parts[j].begin(), l.parts[j].end(), i) != l.parts[j].end())
        split_parents.push_back(j);
    e.parents = ids_of(split_parents, c.previous_ids);
  }
  // The main parent is the first; a new cluster with none is compared with its nearest previous
  // cluster.
  if (!e.parents.empty()) {
    const auto it = std::find(c.previous_ids.begin(), c.previous_ids.end(), e.parents.front());
    e.similarity = similarity_to(static_cast<std::size_t>(it - c.previous_ids.begin()));
  } else {
    for (std::size_t j = 0; j < c.previous_ids.size(); ++j)
      e.similarity = std::max(e.similarity, similarity_to(j));
  }
  return e;
}

// The event of previous column j, which no new cluster is matched to; none when it was dormant
// and stays so.
bool previous_column_event(const refit_comparison& c, const links& l, std::size_t j,
                           lineage_event& e) {
  e = {};
  e.id = c.previous_ids[j];
  e.share_before = c.previous_share[j];
  if (!l.parts[j].empty()) {
    e.kind = lineage_kind::split;
    e.children = ids_of(l.parts[j], c.ids);
    const auto it = std::find(c.ids.begin(), c.ids.end(), e.children.front());
    e.similarity = c.similarity[static_cast<std::size_t>(it - c.ids.begin())][j];
    return true;
  }
  std::vector<std::size_t> into;
  for (std::size_t i = 0; i < l.parents.size(); ++i)
    if (std::find(l.parents[i].begin(), l.parents[i].end(), j) != l.parents[i].end())
      into.push_back(i);
  if (c.previous_dormant[j] && into.empty()) return false;
  e.kind = lineage_kind::dormant;
  e.children = ids_of(into, c.ids);
  for (std::size_t i = 0; i < c.ids.size(); ++i)
    e.similarity = std::max(e.similarity, c.similarity[i][j]);
  return true;
}

}  // namespace

std::vector<lineage_event> lineage(const refit_comparison& comparison,
                                   const lineage_options& options) {
  check_shapes(comparison);
  const tables t(comparison, options);
  const links l = find_links(comparison, t, options);
  std::vector<lineage_event> events;
  for (std::size_t i = 0; i < comparison.ids.size(); ++i)
    events.push_back(new_cluster_event(comparison, l, i));
  for (std::size_t j = 0; j < comparison.previous_ids.size(); ++j) {
    lineage_event e;
    if (t.unmatched(j) && previous_column_event(comparison, l, j, e)) events.push_back(e);
  }
  std::sort(events.begin(), events.end(), [](const lineage_event& a, const lineage_event& b) {
    return std::tie(a.kind, a.id) < std::tie(b.kind, b.id);
  });
  return events;
}

}  // namespace koe
