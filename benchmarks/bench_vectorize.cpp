// TF-IDF: koe::vectorize end to end, and its three steps (count, fit, transform) apart, on the
// terms of the generated voices.
#include "bench_common.hpp"

namespace {

void BM_Vectorize(benchmark::State& state) {
  const auto& terms = koe::bench::voice_terms();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t nnz = 0, vocabulary = 0;
  for (auto _ : state) {
    arena.execute([&] {
      const koe::tfidf_matrix m = koe::vectorize(terms);
      nnz = static_cast<std::size_t>(m.rows.nonZeros());
      vocabulary = m.model.vocabulary.size();
    });
  }
  koe::bench::set_throughput(state, terms.size(), koe::bench::normalized_bytes());
  koe::bench::set_nonzero_rate(state, nnz);
  state.counters["vocabulary"] = static_cast<double>(vocabulary);
}
BENCHMARK(BM_Vectorize)->Apply(koe::bench::thread_args);

void BM_CountTerms(benchmark::State& state) {
  const auto& terms = koe::bench::voice_terms();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      const koe::term_statistics s = koe::count_terms(terms);
      benchmark::DoNotOptimize(s.documents);
    });
  }
  koe::bench::set_throughput(state, terms.size(), koe::bench::normalized_bytes());
}
BENCHMARK(BM_CountTerms)->Apply(koe::bench::thread_args);

void BM_FitTfidf(benchmark::State& state) {
  const koe::term_statistics stats = koe::count_terms(koe::bench::voice_terms());
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      const koe::tfidf_model m = koe::fit_tfidf(stats, {});
      benchmark::DoNotOptimize(m.idf.data());
    });
  }
  state.counters["distinct_terms"] = static_cast<double>(stats.terms.size());
}
BENCHMARK(BM_FitTfidf)->Apply(koe::bench::thread_args);

void BM_Transform(benchmark::State& state) {
  const auto& terms = koe::bench::voice_terms();
  const koe::tfidf_model& model = koe::bench::tfidf().model;
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t nnz = 0;
  for (auto _ : state) {
    arena.execute([&] {
      const koe::sparse_matrix m = koe::transform(terms, model);
      nnz = static_cast<std::size_t>(m.nonZeros());
    });
  }
  koe::bench::set_throughput(state, terms.size(), koe::bench::normalized_bytes());
  koe::bench::set_nonzero_rate(state, nnz);
}
BENCHMARK(BM_Transform)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
