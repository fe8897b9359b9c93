// TF-IDF: mergeable term counts, vocabulary selection and parallel CSR construction.
#include <koe/error.hpp>
#include <koe/vectorize.hpp>

#include "detail/columns.hpp"
#include "detail/parallel.hpp"

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cmath>

namespace koe {

df_bound parse_df_bound(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  KOE_THROW_IF_NOT(
      used == text.size() && used > 0 && v >= 0, errc::invalid_argument,
      "document-frequency bound '" + text + "' is neither a count (2) nor a fraction (0.5)");
  const bool fraction = text.find_first_of(".eE") != std::string::npos;
  KOE_THROW_IF_NOT(!fraction || v <= 1.0, errc::invalid_argument,
                   "document-frequency fraction '" + text + "' is above 1.0");
  return {v, fraction};
}

void term_statistics::add(const std::vector<std::string>& document_terms) {
  ++documents;
  // A term counts once per document for df; sorting a copy keeps this allocation-light.
  std::vector<const std::string*> seen;
  seen.reserve(document_terms.size());
  for (const auto& t : document_terms)
    seen.push_back(&t);
  std::sort(seen.begin(), seen.end(), [](auto* a, auto* b) { return *a < *b; });
  for (std::size_t i = 0; i < seen.size(); ++i) {
    auto& c = terms[*seen[i]];
    ++c.total;
    if (i == 0 || *seen[i] != *seen[i - 1]) ++c.df;
  }
}

void term_statistics::merge(const term_statistics& other) {
  documents += other.documents;
  for (const auto& [term, c] : other.terms) {
    auto& mine = terms[term];
    mine.df += c.df;
    mine.total += c.total;
  }
}

term_statistics count_terms(const std::vector<std::vector<std::string>>& docs) {
  return count_terms(term_table(docs));
}

namespace {

// A term and its counts; the term is not copied.
struct term_count {
  const std::string* term;
  term_statistics::counts c;
};

// The model over `terms` (each distinct, any order) counted in `documents` documents.
tfidf_model fit_counts(std::vector<term_count> kept, std::uint64_t documents,
                       const vectorize_options& options) {
  const double n = static_cast<double>(documents);
  const double min_count = options.min_df.count(documents);
  const double max_count = options.max_df.count(documents);
  KOE_THROW_IF_NOT(max_count >= min_count, errc::invalid_argument,
                   "max_df corresponds to fewer documents than min_df");
  std::erase_if(kept, [&](const term_count& e) {
    const auto df = static_cast<double>(e.c.df);
    return df < min_count || df > max_count;
  });
  // Vocabulary ids follow code-point order (UTF-8 byte order), never hash or insertion order.
  std::sort(kept.begin(), kept.end(),
            [](const term_count& a, const term_count& b) { return *a.term < *b.term; });
  if (options.max_features != 0 && kept.size() > options.max_features) {
    // As scikit-learn: the most frequent terms by total count; ties keep vocabulary order.
    std::stable_sort(kept.begin(), kept.end(), [](const term_count& a, const term_count& b) {
      return a.c.total > b.c.total;
    });
    kept.resize(options.max_features);
    std::sort(kept.begin(), kept.end(),
              [](const term_count& a, const term_count& b) { return *a.term < *b.term; });
  }

  tfidf_model m;
  m.options = options;
  m.documents = documents;
  m.vocabulary.reserve(kept.size());
  m.df.reserve(kept.size());
  m.idf.reserve(kept.size());
  m.index.reserve(kept.size());
  for (const auto& e : kept) {
    const auto df = static_cast<double>(e.c.df);
    double idf = 1.0;
    if (options.use_idf) {
      idf = options.smooth_idf ? std::log((1.0 + n) / (1.0 + df)) + 1.0 : std::log(n / df) + 1.0;
    }
    m.index.emplace(*e.term, static_cast<std::int32_t>(m.vocabulary.size()));
    m.vocabulary.push_back(*e.term);
    m.df.push_back(e.c.df);
    m.idf.push_back(static_cast<float>(idf));
  }
  return m;
}

// Exact integer counts of every term of `table`, by id: per-thread counts added up, so the sums
// do not depend on how rows were split.
std::vector<term_statistics::counts> count_ids(const term_table& table) {
  struct counts {
    std::vector<std::uint64_t> df, total;
    std::vector<std::size_t> last_row;  // 1 + the last row that counted the term for df
  };
  const std::size_t v = table.size();
  tbb::enumerable_thread_specific<counts> local([v] {
    return counts{std::vector<std::uint64_t>(v), std::vector<std::uint64_t>(v),
                  std::vector<std::size_t>(v)};
  });
  detail::parallel_chunks(table.rows(), 4096, [&](std::size_t b, std::size_t e) {
    counts& c = local.local();
    for (std::size_t r = b; r < e; ++r) {
      for (const term_table::id_type id : table.row(r)) {
        ++c.total[id];
        if (c.last_row[id] != r + 1) {
          c.last_row[id] = r + 1;
          ++c.df[id];
        }
      }
    }
    table.drop_rows(b, e);  // spilled rows: done with their pages
  });
  std::vector<term_statistics::counts> sum(v);
  for (const counts& c : local) {
    for (std::size_t id = 0; id < v; ++id) {
      sum[id].df += c.df[id];
      sum[id].total += c.total[id];
    }
  }
  return sum;
}

}  // namespace

tfidf_model fit_tfidf(const term_statistics& stats, const vectorize_options& options) {
  std::vector<term_count> terms;
  terms.reserve(stats.terms.size());
  for (const auto& [term, c] : stats.terms)
    terms.push_back({&term, c});
  return fit_counts(std::move(terms), stats.documents, options);
}

namespace {

// Sorts the (column, 1) pairs of one document and adds up repeated columns.
void count_row(std::vector<std::pair<std::int32_t, std::uint32_t>>& out) {
  std::sort(out.begin(), out.end());
  std::size_t w = 0;
  for (std::size_t r = 0; r < out.size(); ++r) {
    if (w > 0 && out[w - 1].first == out[r].first) {
      ++out[w - 1].second;
    } else {
      out[w++] = out[r];
    }
  }
  out.resize(w);
}

// The TF-IDF rows of n documents; `columns(i, out)` appends (column, 1) for each in-vocabulary
// term of document i; `done(first, last)` follows each chunk of rows in each of the two passes.
template <class Columns, class Done>
sparse_matrix build_rows(std::size_t n, const tfidf_model& model, const Columns& columns,
                         const Done& done) {
  KOE_THROW_IF_NOT(model.vocabulary.size() < static_cast<std::size_t>(INT32_MAX),
                   errc::invalid_argument, "vocabulary too large for 32-bit column indices");
  // Two passes over the rows, both in parallel: the first counts each row's distinct columns,
  // the second weighs them straight into the CSR arrays at offsets known from those counts, so
  // no second copy of the matrix is ever held.
  constexpr std::size_t grain = 1024;
  // The counts go straight into the matrix's row offsets (n + 1 int32), summed in 64 bits to
  // catch an overflow before anything is stored.
  sparse_matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(model.vocabulary.size()));
  std::int32_t* outer = m.outerIndexPtr();
  outer[0] = 0;
  detail::parallel_chunks(n, grain, [&](std::size_t b, std::size_t e) {
    std::vector<std::pair<std::int32_t, std::uint32_t>> row;
    for (std::size_t i = b; i < e; ++i) {
      row.clear();
      columns(i, row);
      count_row(row);
      outer[i + 1] = static_cast<std::int32_t>(row.size());
    }
    done(b, e);
  });
  std::int64_t nnz = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    nnz += outer[i];
    KOE_THROW_IF_NOT(nnz < INT32_MAX, errc::invalid_argument,
                     "too many nonzeros for 32-bit indices; split the corpus");
    outer[i] = static_cast<std::int32_t>(nnz);
  }
  m.resizeNonZeros(static_cast<Eigen::Index>(nnz));
  std::int32_t* cols = m.innerIndexPtr();
  float* values = m.valuePtr();
  const auto& opt = model.options;
  detail::parallel_chunks(n, grain, [&](std::size_t b, std::size_t e) {
    std::vector<std::pair<std::int32_t, std::uint32_t>> row;
    std::vector<double> v;
    for (std::size_t i = b; i < e; ++i) {
      row.clear();
      columns(i, row);
      count_row(row);
      v.resize(row.size());
      double norm = 0;
      for (std::size_t j = 0; j < row.size(); ++j) {
        const double tf = static_cast<double>(row[j].second);
        v[j] = (opt.sublinear_tf ? 1.0 + std::log(tf) : tf) * model.idf[row[j].first];
        norm += v[j] * v[j];
      }
      norm = (opt.normalize && norm > 0) ? 1.0 / std::sqrt(norm) : 1.0;
      const auto at = static_cast<std::size_t>(outer[i]);
      for (std::size_t j = 0; j < row.size(); ++j) {
        cols[at + j] = row[j].first;
        values[at + j] = static_cast<float>(v[j] * norm);
      }
    }
    done(b, e);
  });
  return m;
}

}  // namespace

sparse_matrix transform(const std::vector<std::vector<std::string>>& docs,
                        const tfidf_model& model) {
  return build_rows(
      docs.size(), model,
      [&](std::size_t i, auto& out) {
        for (const auto& t : docs[i])
          if (const auto it = model.index.find(t); it != model.index.end())
            out.emplace_back(it->second, 1);
      },
      [](std::size_t, std::size_t) {});
}

sparse_matrix transform(const term_table& table, const tfidf_model& model) {
  const std::vector<std::int32_t> column = detail::term_columns(table, model);
  return build_rows(
      table.rows(), model,
      [&](std::size_t i, auto& out) {
        for (const term_table::id_type id : table.row(i))
          if (column[id] >= 0) out.emplace_back(column[id], 1);
      },
      [&](std::size_t first, std::size_t last) { table.drop_rows(first, last); });
}

term_statistics count_terms(const term_table& table) {
  const std::vector<term_statistics::counts> sum = count_ids(table);
  term_statistics stats;
  stats.documents = table.rows();
  stats.terms.reserve(sum.size());
  for (std::size_t id = 0; id < sum.size(); ++id)
    if (sum[id].total > 0) stats.terms.emplace(table.terms()[id], sum[id]);
  return stats;
}

tfidf_model fit_tfidf(const term_table& table, const vectorize_options& options) {
  const std::vector<term_statistics::counts> sum = count_ids(table);
  std::vector<term_count> terms;
  for (std::size_t id = 0; id < sum.size(); ++id)
    if (sum[id].total > 0) terms.push_back({&table.terms()[id], sum[id]});
  return fit_counts(std::move(terms), table.rows(), options);
}

tfidf_matrix vectorize(const term_table& table, const vectorize_options& options) {
  tfidf_matrix out;
  out.model = fit_tfidf(table, options);
  sparse_matrix rows = transform(table, out.model);
  out.rows.swap(rows);  // not `=`: Eigen would copy the arrays
  return out;
}

tfidf_matrix vectorize(const std::vector<std::vector<std::string>>& docs,
                       const vectorize_options& options) {
  return vectorize(term_table(docs), options);
}

}  // namespace koe
