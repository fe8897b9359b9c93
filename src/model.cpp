// The fitted model: equality and the cluster table.
#include <koe/model.hpp>

#include "detail/matrix_rows.hpp"

namespace koe {
bool operator==(const model& a, const model& b) {
  return a.normalization == b.normalization && a.tokenizer == b.tokenizer &&
         a.dictionary == b.dictionary && a.dictionary_id == b.dictionary_id &&
         a.stopwords == b.stopwords && a.vectorizer == b.vectorizer && a.lsa == b.lsa &&
         detail::same_matrix(a.lsa_basis, b.lsa_basis) && a.clustering == b.clustering &&
         a.description == b.description && detail::same_matrix(a.centroids, b.centroids) &&
         a.clusters == b.clusters && a.k_curve == b.k_curve && a.decisions == b.decisions &&
         a.period_first == b.period_first && a.period_last == b.period_last;
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

}  // namespace koe
