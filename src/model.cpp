// The fitted model: equality, the cluster table and its similarity percentiles.
#include <koe/model.hpp>

#include "detail/matrix_rows.hpp"

#include <algorithm>

namespace koe {
bool operator==(const model& a, const model& b) {
  return a.normalization == b.normalization && a.tokenizer == b.tokenizer &&
         a.dictionary == b.dictionary && a.dictionary_id == b.dictionary_id &&
         a.stopwords == b.stopwords && a.vectorizer == b.vectorizer && a.lsa == b.lsa &&
         detail::same_matrix(a.lsa_basis, b.lsa_basis) && a.clustering == b.clustering &&
         a.description == b.description && detail::same_matrix(a.centroids, b.centroids) &&
         a.clusters == b.clusters && a.k_curve == b.k_curve && a.decisions == b.decisions &&
         a.period_first == b.period_first && a.period_last == b.period_last &&
         a.period == b.period && a.fits == b.fits && a.next_id == b.next_id &&
         a.dormant == b.dormant && detail::same_matrix(a.dormant_centroids, b.dormant_centroids);
}

const char* to_string(cluster_status status) noexcept {
  return status == cluster_status::dormant ? "dormant" : "active";
}

std::vector<model_cluster> cluster_table(const std::vector<cluster_description>& descriptions) {
  std::vector<model_cluster> table;
  table.reserve(descriptions.size());
  for (const auto& d : descriptions) {
    model_cluster c;
    c.id = d.id;
    c.label = d.label;
    c.size = d.size;
    c.cohesion = d.cohesion;
    c.key_terms.reserve(d.terms.size());
    for (const auto& t : d.terms)
      c.key_terms.push_back(t.term);
    table.push_back(std::move(c));
  }
  return table;
}

std::vector<model_cluster> cluster_table(const std::vector<cluster_description>& descriptions,
                                         const clustering& c) {
  std::vector<model_cluster> table = cluster_table(descriptions);
  std::vector<std::vector<float>> members(static_cast<std::size_t>(std::max(c.k, 0)));
  for (std::size_t row = 0; row < c.assignment.size(); ++row) {
    const std::int32_t a = c.assignment[row];
    if (a >= 0 && static_cast<std::size_t>(a) < members.size())
      members[static_cast<std::size_t>(a)].push_back(c.similarity[row]);
  }
  for (model_cluster& mc : table)
    if (mc.id >= 0 && static_cast<std::size_t>(mc.id) < members.size())
      mc.similarity_percentiles =
          nearest_rank_percentiles(std::move(members[static_cast<std::size_t>(mc.id)]));
  return table;
}

std::vector<double> nearest_rank_percentiles(std::vector<float> similarities) {
  std::vector<double> out;
  if (similarities.empty()) return out;
  std::sort(similarities.begin(), similarities.end());
  const std::size_t n = similarities.size();
  out.reserve(101);
  for (std::size_t p = 0; p <= 100; ++p) {
    // Rank ceil(p n / 100), 1-based; the 0th percentile is the smallest value.
    const std::size_t rank = (p * n + 99) / 100;
    out.push_back(static_cast<double>(similarities[rank == 0 ? 0 : rank - 1]));
  }
  return out;
}

}  // namespace koe
