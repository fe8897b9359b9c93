// Refitting against a previous model: the append-only vocabulary, the start of k-means from the
// previous centroids and this period's new themes, the matching that keeps ids, and the
// comparison lineage events are named from.
#include <koe/error.hpp>
#include <koe/refit.hpp>
#include <koe/score.hpp>

#include "detail/hungarian.hpp"
#include "detail/rng.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>
#include <utility>

namespace koe {

tfidf_model extend_vocabulary(const tfidf_model& previous, const tfidf_model& period) {
  tfidf_model v;
  v.options = period.options;
  v.documents = period.documents;
  const std::size_t old_terms = previous.vocabulary.size();
  v.vocabulary = previous.vocabulary;
  v.df.assign(old_terms, 0);
  v.idf.assign(old_terms, 0.0f);
  std::unordered_map<std::string_view, std::size_t> old_column;
  old_column.reserve(old_terms);
  for (std::size_t i = 0; i < old_terms; ++i)
    old_column.emplace(previous.vocabulary[i], i);
  for (std::size_t j = 0; j < period.vocabulary.size(); ++j) {
    const std::string& term = period.vocabulary[j];
    std::size_t at = 0;
    if (const auto it = old_column.find(term); it != old_column.end()) {
      at = it->second;
    } else {
      at = v.vocabulary.size();
      v.vocabulary.push_back(term);
      v.df.push_back(0);
      v.idf.push_back(0.0f);
    }
    v.df[at] = period.df[j];
    v.idf[at] = period.idf[j];
  }
  KOE_THROW_IF_NOT(v.vocabulary.size() < static_cast<std::size_t>(INT32_MAX),
                   errc::invalid_argument, "vocabulary too large for 32-bit column indices");
  for (std::size_t i = 0; i < v.vocabulary.size(); ++i)
    if (v.df[i] > 0) v.index.emplace(v.vocabulary[i], static_cast<std::int32_t>(i));
  return v;
}

dense_matrix widen_columns(const dense_matrix& m, Eigen::Index columns) {
  dense_matrix out = dense_matrix::Zero(m.rows(), std::max(columns, m.cols()));
  out.leftCols(m.cols()) = m;
  return out;
}

std::string period_label_of(const std::string& period_last, const std::string& name,
                            std::uint32_t fits) {
  if (const auto month = period_of(period_last, period_unit::month))
    return period_label(*month, period_unit::month);
  if (!name.empty()) return name;
  return "run " + std::to_string(fits);
}

std::vector<int> match_clusters(const std::vector<std::vector<double>>& similarity,
                                double min_similarity) {
  return detail::max_weight_matching(similarity, min_similarity);
}

namespace {

// Cosine of sparse row `i` of `x` with the dense unit row `c` (as many columns).
double row_dot(const sparse_matrix& x, Eigen::Index i, const float* c) {
  double s = 0;
  for (std::int32_t p = x.outerIndexPtr()[i]; p < x.outerIndexPtr()[i + 1]; ++p)
    s += static_cast<double>(x.valuePtr()[p]) * c[x.innerIndexPtr()[p]];
  return s;
}

bool zero_row(const sparse_matrix& x, std::size_t i) {
  return x.outerIndexPtr()[i + 1] == x.outerIndexPtr()[i];
}

// Sparse row `i` of `x` as a dense row.
Eigen::RowVectorXf dense_row(const sparse_matrix& x, std::size_t i) {
  Eigen::RowVectorXf r = Eigen::RowVectorXf::Zero(x.cols());
  for (std::int32_t p = x.outerIndexPtr()[i]; p < x.outerIndexPtr()[i + 1]; ++p)
    r[x.innerIndexPtr()[p]] = x.valuePtr()[p];
  return r;
}

// Greedy k-means++: `count` rows of `candidates` (rows of `x`) chosen one at a time with
// probability proportional to 1 − their best cosine with `centers` and the rows chosen so far,
// appended to `centers`. Deterministic with `seed`; stops early when every candidate is taken.
void add_plus_plus(const sparse_matrix& x, const std::vector<std::size_t>& candidates,
                   std::size_t count, std::uint64_t seed, dense_matrix& centers) {
  std::vector<std::size_t> pool;
  for (const std::size_t r : candidates)
    if (!zero_row(x, r)) pool.push_back(r);
  detail::rng random(seed);
  std::vector<double> distance(pool.size(), 1.0);
  const auto update = [&](Eigen::Index c) {
    for (std::size_t j = 0; j < pool.size(); ++j)
      distance[j] =
          std::min(distance[j], std::max(0.0, 1.0 - row_dot(x, static_cast<Eigen::Index>(pool[j]),
                                                            centers.row(c).data())));
  };
  for (Eigen::Index c = 0; c < centers.rows(); ++c)
    update(c);
  std::vector<char> taken(pool.size(), 0);
  for (std::size_t n = 0; n < count; ++n) {
    double total = 0;
    for (std::size_t j = 0; j < pool.size(); ++j)
      total += taken[j] ? 0.0 : distance[j];
    std::size_t pick = pool.size();
    if (total > 0) {
      double u = random.uniform() * total;
      for (std::size_t j = 0; j < pool.size(); ++j) {
        if (taken[j] || distance[j] <= 0) continue;
        pick = j;
        u -= distance[j];
        if (u < 0) break;
      }
    } else {
      for (std::size_t j = 0; j < pool.size() && pick == pool.size(); ++j)
        if (!taken[j]) pick = j;
    }
    if (pick == pool.size()) return;
    taken[pick] = 1;
    centers.conservativeResize(centers.rows() + 1, Eigen::NoChange);
    centers.row(centers.rows() - 1) = dense_row(x, pool[pick]);
    update(centers.rows() - 1);
  }
}

// The most new-theme voices a refit groups. Beyond it the groups are found on this many of them,
// taken in the order of their texts' hashes (a sample that does not depend on the input's row
// order), and a group's size is compared with the bar scaled to the sample: grouping every one of
// tens of thousands of new-theme voices, with its automatic k, would cost more than the refit's
// k-means itself.
constexpr std::size_t most_grouped = 10000;

// What a new-theme group must reach to seed a cluster of its own: the voices of the previous
// model's smallest cluster (its share of this period's voices) and its least cohesion.
struct new_theme_bar {
  std::size_t voices = 0;
  double cohesion = 0;
};

new_theme_bar bar_of(const model& previous, std::size_t rows, std::size_t min_voices) {
  new_theme_bar bar;
  double share = 1.0;
  bar.cohesion = 1.0;
  const double documents =
      static_cast<double>(std::max<std::uint64_t>(1, previous.vectorizer.documents));
  for (const model_cluster& c : previous.clusters) {
    share = std::min(share, c.history.empty() ? static_cast<double>(c.size) / documents
                                              : c.history.back().share);
    bar.cohesion = std::min(bar.cohesion, c.cohesion);
  }
  bar.voices =
      std::max<std::size_t>(std::max<std::size_t>(1, min_voices),
                            static_cast<std::size_t>(std::ceil(share * static_cast<double>(rows))));
  return bar;
}

// Mean cosine of the nonzero rows `members` of `x` with their normalized sum.
double group_cohesion(const sparse_matrix& x, const std::vector<std::size_t>& members) {
  Eigen::RowVectorXf sum = Eigen::RowVectorXf::Zero(x.cols());
  std::size_t n = 0;
  for (const std::size_t r : members) {
    if (zero_row(x, r)) continue;
    for (std::int32_t p = x.outerIndexPtr()[r]; p < x.outerIndexPtr()[r + 1]; ++p)
      sum[x.innerIndexPtr()[p]] += x.valuePtr()[p];
    ++n;
  }
  const float norm = sum.norm();
  if (n == 0 || norm <= 0) return 0;
  sum /= norm;
  double total = 0;
  for (const std::size_t r : members)
    if (!zero_row(x, r)) total += row_dot(x, static_cast<Eigen::Index>(r), sum.data());
  return total / static_cast<double>(n);
}

// The voices of the new-theme groups that qualify as new themes of their own (see start_refit),
// and how many groups that is.
std::vector<std::size_t> new_theme_voices(const model& previous, const new_theme_groups& g,
                                          const sparse_matrix& rows, const lineage_options& lineage,
                                          double sampled, std::size_t& groups) {
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(g.groups.k));
  for (std::size_t i = 0; i < g.rows.size() && i < g.groups.assignment.size(); ++i)
    if (g.groups.assignment[i] >= 0)
      members[static_cast<std::size_t>(g.groups.assignment[i])].push_back(g.rows[i]);
  new_theme_bar bar = bar_of(previous, static_cast<std::size_t>(rows.rows()), lineage.min_voices);
  if (sampled < 1)
    bar.voices = std::max<std::size_t>(
        std::max<std::size_t>(1, lineage.min_voices),
        static_cast<std::size_t>(std::ceil(static_cast<double>(bar.voices) * sampled)));
  std::vector<std::size_t> voices;
  groups = 0;
  for (const auto& m : members) {
    if (m.size() < bar.voices || group_cohesion(rows, m) < bar.cohesion) continue;
    ++groups;
    voices.insert(voices.end(), m.begin(), m.end());
  }
  std::sort(voices.begin(), voices.end());
  return voices;
}

// The new-theme voices (at most `most_grouped`, a share `sampled` of them) grouped as `koe assign`
// groups them, taken in the order of their texts' hashes (then rows), so that the groups do not
// depend on the order of the input's rows; `rows` of the result are rows of `terms`.
new_theme_groups groups_by_text(const model& previous, const term_table& terms,
                                const std::vector<std::uint64_t>& text_hash,
                                const std::vector<new_theme_reason>& new_theme, double& sampled) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < new_theme.size(); ++i)
    if (new_theme[i] != new_theme_reason::none) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return text_hash[a] != text_hash[b] ? text_hash[a] < text_hash[b] : a < b;
  });
  sampled = 1;
  if (order.size() > most_grouped) {
    sampled = static_cast<double>(most_grouped) / static_cast<double>(order.size());
    order.resize(most_grouped);
  }
  term_table sorted;
  std::vector<std::uint64_t> hashes;
  for (const std::size_t r : order) {
    for (const term_table::id_type id : terms.row(r))
      sorted.push(terms.term(id));
    sorted.end_row();
    hashes.push_back(text_hash[r]);
  }
  new_theme_groups g = group_new_themes(
      previous, sorted, hashes,
      std::vector<new_theme_reason>(order.size(), new_theme_reason::below_threshold),
      new_theme_options{}.voices_per_group);
  for (std::size_t& r : g.rows)
    r = order[r];
  return g;
}

}  // namespace

refit_start start_refit(const model& previous, const term_table& terms,
                        const std::vector<std::uint64_t>& text_hash, const sparse_matrix& rows,
                        const cluster_options& options, const lineage_options& lineage) {
  KOE_THROW_IF_NOT(previous.fitted() && previous.lsa.dimensions == 0, errc::invalid_argument,
                   "a refit needs a fitted previous model without LSA");
  refit_start s;
  const sparse_matrix old_rows = transform(terms, previous.vectorizer);
  s.previous = place_voices(previous, terms, old_rows, new_theme_thresholds(previous, {}));
  const auto by_text = [&](std::size_t a, std::size_t b) {
    return text_hash[a] != text_hash[b] ? text_hash[a] < text_hash[b] : a < b;
  };
  double sampled = 1;
  const new_theme_groups g =
      groups_by_text(previous, terms, text_hash, s.previous.new_theme, sampled);
  std::vector<std::size_t> fresh =
      new_theme_voices(previous, g, rows, lineage, sampled, s.new_theme_groups);
  std::sort(fresh.begin(), fresh.end(), by_text);

  // The previous clusters this period's voices still reach, most voices first.
  const auto k_prev = static_cast<std::size_t>(previous.centroids.rows());
  std::vector<std::size_t> voices(k_prev, 0);
  for (const std::int32_t a : s.previous.clusters.assignment)
    if (a >= 0) ++voices[static_cast<std::size_t>(a)];
  std::vector<int> order(k_prev);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return voices[static_cast<std::size_t>(a)] > voices[static_cast<std::size_t>(b)];
  });
  for (const int c : order)
    if (voices[static_cast<std::size_t>(c)] >= std::max<std::size_t>(1, lineage.min_voices))
      s.carried.push_back(c);
  std::size_t seeds = s.new_theme_groups;
  if (options.k > 0) {
    const auto k = static_cast<std::size_t>(options.k);
    if (s.carried.size() > k) s.carried.resize(k);
    seeds = std::min(seeds, k - s.carried.size());
    s.extra_seeds = k - s.carried.size() - seeds;
  }
  // Carried rows in the previous model's row order, so that an unchanged period starts where the
  // previous fit ended.
  std::sort(s.carried.begin(), s.carried.end());
  s.init = dense_matrix(0, rows.cols());
  for (const int c : s.carried) {
    s.init.conservativeResize(s.init.rows() + 1, Eigen::NoChange);
    s.init.row(s.init.rows() - 1) = widen_columns(previous.centroids.row(c), rows.cols());
  }
  add_plus_plus(rows, fresh, seeds, options.seed, s.init);
  s.new_theme_groups = static_cast<std::size_t>(s.init.rows()) - s.carried.size();
  // Nothing of the previous model reached and no new theme: as many seeds as it had clusters.
  if (s.init.rows() == 0 && s.extra_seeds == 0) s.extra_seeds = k_prev;
  if (s.extra_seeds > 0) {
    std::vector<std::size_t> all(static_cast<std::size_t>(rows.rows()));
    std::iota(all.begin(), all.end(), 0);
    std::sort(all.begin(), all.end(), by_text);
    add_plus_plus(rows, all, s.extra_seeds, detail::mix_seed(options.seed), s.init);
    s.extra_seeds = static_cast<std::size_t>(s.init.rows()) - s.carried.size() - s.new_theme_groups;
  }
  KOE_THROW_IF_NOT(s.init.rows() > 0, errc::empty_corpus,
                   "no voice of this period has any term left after filtering; nothing to "
                   "cluster (try a lower --min-df, or fewer stop words)");
  return s;
}

namespace {

cluster_period period_entry(const model& fitted, const cluster_description& d) {
  return {fitted.period, d.label, d.size, d.share};
}

// Cosine of each row of `a` with each row of `b` (unit rows, as many columns).
std::vector<std::vector<double>> cosines(const dense_matrix& a, const dense_matrix& b) {
  std::vector<std::vector<double>> s(static_cast<std::size_t>(a.rows()),
                                     std::vector<double>(static_cast<std::size_t>(b.rows()), 0));
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.rows(); ++j) {
      double d = 0;
      for (Eigen::Index c = 0; c < a.cols(); ++c)
        d += static_cast<double>(a(i, c)) * b(j, c);
      s[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = d;
    }
  return s;
}

// The comparison's previous columns: the previous model's active clusters in row order, then its
// dormant ones, with their centroids in `columns` columns.
void previous_columns(const model& previous, Eigen::Index columns, refit_comparison& cmp,
                      dense_matrix& centroids, std::vector<const model_cluster*>& clusters) {
  const auto k = previous.centroids.rows();
  const auto d = previous.dormant_centroids.rows();
  centroids = dense_matrix::Zero(k + d, columns);
  centroids.topLeftCorner(k, previous.centroids.cols()) = previous.centroids;
  if (d > 0)
    centroids.bottomLeftCorner(d, previous.dormant_centroids.cols()) = previous.dormant_centroids;
  const double documents =
      static_cast<double>(std::max<std::uint64_t>(1, previous.vectorizer.documents));
  for (const model_cluster& c : previous.clusters) {
    clusters.push_back(&c);
    cmp.previous_ids.push_back(c.id);
    cmp.previous_dormant.push_back(false);
    cmp.previous_share.push_back(c.history.empty() ? static_cast<double>(c.size) / documents
                                                   : c.history.back().share);
  }
  for (const model_cluster& c : previous.dormant) {
    clusters.push_back(&c);
    cmp.previous_ids.push_back(c.id);
    cmp.previous_dormant.push_back(true);
    cmp.previous_share.push_back(0);
  }
}

}  // namespace

void number_fresh_fit(model& fitted, const std::vector<cluster_description>& descriptions) {
  fitted.fits = 1;
  fitted.next_id = static_cast<int>(fitted.clusters.size());
  for (std::size_t i = 0; i < fitted.clusters.size(); ++i) {
    model_cluster& c = fitted.clusters[i];
    c.id = static_cast<int>(i);
    c.born = fitted.period;
    c.status = cluster_status::active;
    c.parents.clear();
    c.history = {period_entry(fitted, descriptions[i])};
  }
  fitted.dormant.clear();
  fitted.dormant_centroids = dense_matrix();
}

refit_comparison finish_refit(const model& previous, const refit_start& start,
                              const clustering& clusters, const lineage_options& lineage,
                              model& fitted, std::vector<cluster_description>& descriptions) {
  refit_comparison cmp;
  cmp.previous_period = previous.period;
  cmp.period = fitted.period;
  dense_matrix old_centroids;
  std::vector<const model_cluster*> old;
  previous_columns(previous, fitted.centroids.cols(), cmp, old_centroids, old);
  cmp.similarity = cosines(fitted.centroids, old_centroids);
  cmp.match = match_clusters(cmp.similarity, lineage.min_similarity);

  // Ids: matched clusters keep theirs; the others get fresh ones in row order.
  int next_id = previous.next_id;
  for (const model_cluster* c : old)
    next_id = std::max(next_id, c->id + 1);
  std::vector<char> matched(old.size(), 0);
  for (std::size_t i = 0; i < fitted.clusters.size(); ++i) {
    model_cluster& c = fitted.clusters[i];
    c.status = cluster_status::active;
    const int m = cmp.match[i];
    if (m >= 0) {
      const model_cluster& was = *old[static_cast<std::size_t>(m)];
      matched[static_cast<std::size_t>(m)] = 1;
      c.id = was.id;
      c.born = was.born;
      c.parents = was.parents;
      c.history = was.history;
    } else {
      c.id = next_id++;
      c.born = fitted.period;
      c.parents.clear();
      c.history.clear();
    }
    c.history.push_back(period_entry(fitted, descriptions[i]));
    descriptions[i].id = c.id;
    cmp.ids.push_back(c.id);
    cmp.share.push_back(descriptions[i].share);
  }
  fitted.next_id = next_id;
  fitted.fits = previous.fits + 1;

  // Previous clusters left unmatched sleep with their last centroids, by id.
  std::vector<std::size_t> sleeping;
  for (std::size_t j = 0; j < old.size(); ++j)
    if (!matched[j]) sleeping.push_back(j);
  std::sort(sleeping.begin(), sleeping.end(),
            [&](std::size_t a, std::size_t b) { return old[a]->id < old[b]->id; });
  fitted.dormant.clear();
  fitted.dormant_centroids =
      dense_matrix(static_cast<Eigen::Index>(sleeping.size()), fitted.centroids.cols());
  for (std::size_t n = 0; n < sleeping.size(); ++n) {
    model_cluster c = *old[sleeping[n]];
    c.status = cluster_status::dormant;
    fitted.dormant.push_back(std::move(c));
    fitted.dormant_centroids.row(static_cast<Eigen::Index>(n)) =
        old_centroids.row(static_cast<Eigen::Index>(sleeping[n]));
  }

  // This period's voices: the previous model's cluster (or its last row) by this fit's.
  const std::size_t rows_prev = old.size() + 1, cols_new = fitted.clusters.size() + 1;
  cmp.contingency.assign(rows_prev, std::vector<std::size_t>(cols_new, 0));
  const std::vector<std::int32_t>& before = start.previous.clusters.assignment;
  for (std::size_t r = 0; r < clusters.assignment.size(); ++r) {
    const std::int32_t a = r < before.size() ? before[r] : -1;
    const std::int32_t b = clusters.assignment[r];
    ++cmp.contingency[a < 0 ? rows_prev - 1 : static_cast<std::size_t>(a)]
                     [b < 0 ? cols_new - 1 : static_cast<std::size_t>(b)];
  }
  return cmp;
}

void record_lineage(model& fitted, const std::vector<lineage_event>& events) {
  for (const lineage_event& e : events) {
    if (e.kind != lineage_kind::born && e.kind != lineage_kind::merged) continue;
    for (model_cluster& c : fitted.clusters) {
      if (c.id != e.id) continue;
      for (const int parent : e.parents)
        if (parent != c.id &&
            std::find(c.parents.begin(), c.parents.end(), parent) == c.parents.end())
          c.parents.push_back(parent);
    }
  }
}

}  // namespace koe
