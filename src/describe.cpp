// Cluster descriptions: class-based TF-IDF terms, labels, representatives and repeats.
#include <koe/describe.hpp>

#include <koe/error.hpp>

#include "detail/columns.hpp"
#include "detail/members.hpp"
#include "detail/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <type_traits>
#include <unordered_set>

namespace koe {

std::vector<std::string> label_terms(const std::vector<term_weight>& terms, std::size_t n,
                                     bool fold_latin) {
  std::vector<std::string> chosen;
  for (const auto& t : terms) {
    if (chosen.size() == n) break;
    // Compared as taken (folded when asked) against the term as written, so that the key keeps
    // the choice it has always made when a term has capitals.
    const bool overlaps = std::any_of(chosen.begin(), chosen.end(), [&](const std::string& c) {
      return c.find(t.term) != std::string::npos || t.term.find(c) != std::string::npos;
    });
    if (overlaps) continue;
    std::string taken = t.term;
    if (fold_latin)
      for (char& ch : taken)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    chosen.push_back(std::move(taken));
  }
  return chosen;
}

namespace {

std::string make_label(const std::vector<term_weight>& terms, std::size_t n) {
  const std::vector<std::string> chosen = label_terms(terms, n);
  std::string label;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (i) label += "・";
    label += chosen[i];
  }
  return label;
}

template <class Text>
std::vector<cluster_description> describe_rows(const term_table& terms, const tfidf_model& model,
                                               const clustering& c, const Text& text,
                                               const describe_options& options) {
  const auto k = static_cast<std::size_t>(c.k);
  const std::size_t v = model.vocabulary.size();
  const detail::cluster_members<std::uint32_t> members(c.assignment, k, c.assignment.size());

  // Per-cluster term counts, each cluster counted by one task in row order. The rows are taken a
  // stretch at a time, so that the pages of spilled term rows are given back as the count goes.
  const std::vector<std::int32_t> column = detail::term_columns(terms, model);
  std::vector<std::vector<double>> tf(k);
  for (auto& t : tf)
    t.assign(v, 0.0);
  constexpr std::size_t stretch = std::size_t{1} << 16;
  std::vector<std::size_t> next(k, 0);  // each cluster's first member not yet counted
  for (std::size_t first = 0; first < c.assignment.size(); first += stretch) {
    const std::size_t last = std::min(c.assignment.size(), first + stretch);
    detail::parallel_chunks(k, 1, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t ci = c0; ci < c1; ++ci) {
        const auto m = members[ci];
        std::size_t j = next[ci];
        for (; j < m.size() && m[j] < last; ++j)
          for (const term_table::id_type id : terms.row(m[j]))
            if (column[id] >= 0) tf[ci][static_cast<std::size_t>(column[id])] += 1.0;
        next[ci] = j;
      }
    });
    terms.drop_rows(first, last);
  }
  std::vector<double> total_per_term(v, 0.0);
  double all_terms = 0;
  for (std::size_t ci = 0; ci < k; ++ci)
    for (std::size_t j = 0; j < v; ++j)
      total_per_term[j] += tf[ci][j];
  for (double x : total_per_term)
    all_terms += x;
  const double avg_terms = k == 0 ? 0.0 : all_terms / static_cast<double>(k);

  const std::size_t rows = c.assignment.size();

  std::vector<cluster_description> out(k);
  detail::parallel_chunks(k, 1, [&](std::size_t c0, std::size_t c1) {
    for (std::size_t ci = c0; ci < c1; ++ci) {
      cluster_description& d = out[ci];
      d.id = static_cast<int>(ci);
      d.size = members[ci].size();
      d.share = rows == 0 ? 0.0 : static_cast<double>(d.size) / static_cast<double>(rows);
      double cohesion = 0;
      for (std::size_t i : members[ci])
        cohesion += c.similarity[i];
      d.cohesion = d.size == 0 ? 0.0 : cohesion / static_cast<double>(d.size);

      const double cluster_terms = std::accumulate(tf[ci].begin(), tf[ci].end(), 0.0);
      std::vector<term_weight> weights;
      for (std::size_t j = 0; j < v; ++j) {
        if (tf[ci][j] <= 0) continue;
        const double w =
            (tf[ci][j] / cluster_terms) * std::log(1.0 + avg_terms / total_per_term[j]);
        weights.push_back({model.vocabulary[j], w});
      }
      // Ties fall back to vocabulary order, which is already the order of `weights`.
      std::stable_sort(
          weights.begin(), weights.end(),
          [](const term_weight& a, const term_weight& b) { return a.weight > b.weight; });
      if (weights.size() > options.top_terms) weights.resize(options.top_terms);
      d.terms = std::move(weights);
      d.label = make_label(d.terms, options.label_terms);

      std::unordered_set<std::decay_t<decltype(text(0))>> seen;
      for (std::size_t i : members[ci])
        if (!seen.insert(text(i)).second) ++d.duplicates;

      // Most similar first, ties by row. Only the head is sorted: a few times the number of
      // representatives is enough unless the head is mostly repeats of one text.
      std::vector<std::size_t> by_similarity(members[ci].begin(), members[ci].end());
      const auto closer = [&](std::size_t a, std::size_t b) {
        return c.similarity[a] > c.similarity[b] || (c.similarity[a] == c.similarity[b] && a < b);
      };
      const std::size_t head = std::min(by_similarity.size(), 4 * options.representatives + 16);
      std::partial_sort(by_similarity.begin(), by_similarity.begin() + head, by_similarity.end(),
                        closer);
      const auto pick = [&](std::size_t upto) {
        d.representatives.clear();
        seen.clear();
        for (std::size_t p = 0; p < upto && d.representatives.size() < options.representatives; ++p)
          if (seen.insert(text(by_similarity[p])).second)
            d.representatives.push_back(by_similarity[p]);
      };
      pick(head);
      if (d.representatives.size() < options.representatives && head < by_similarity.size()) {
        std::sort(by_similarity.begin() + head, by_similarity.end(), closer);
        pick(by_similarity.size());
      }
    }
  });
  return out;
}

}  // namespace

std::vector<cluster_description> describe(const std::vector<std::vector<std::string>>& terms,
                                          const tfidf_model& model, const clustering& c,
                                          const std::vector<std::string>& texts,
                                          const describe_options& options) {
  return describe(term_table(terms), model, c, texts, options);
}

std::vector<cluster_description> describe(const term_table& terms, const tfidf_model& model,
                                          const clustering& c,
                                          const std::vector<std::string>& texts,
                                          const describe_options& options) {
  return describe_rows(
      terms, model, c, [&](std::size_t i) { return std::string_view(texts[i]); }, options);
}

std::vector<cluster_description> describe(const term_table& terms, const tfidf_model& model,
                                          const clustering& c, const text_column& texts,
                                          const describe_options& options) {
  return describe_rows(
      terms, model, c, [&](std::size_t i) { return texts[i]; }, options);
}

std::vector<cluster_description> describe(const term_table& terms, const tfidf_model& model,
                                          const clustering& c,
                                          const std::vector<std::uint64_t>& text_hash,
                                          const describe_options& options) {
  KOE_THROW_IF_NOT(text_hash.size() == c.assignment.size(), errc::invalid_argument,
                   "one text hash per row expected");
  return describe_rows(
      terms, model, c, [&](std::size_t i) { return text_hash[i]; }, options);
}

}  // namespace koe
