// Describing: class-based TF-IDF terms, labels, representatives and repeats of 30 clusters of the
// generated voices.
#include "bench_common.hpp"

#include <koe/describe.hpp>

namespace {

void BM_Describe(benchmark::State& state) {
  const koe::tfidf_matrix& m = koe::bench::tfidf();
  koe::cluster_options o;
  o.k = 30;
  o.n_init = 1;
  const koe::clustering c = koe::cluster(m.rows, o);
  const auto& terms = koe::bench::voice_terms();
  const auto& texts = koe::bench::normalized_texts();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      const auto d = koe::describe(terms, m.model, c, texts);
      benchmark::DoNotOptimize(d.data());
    });
  }
  koe::bench::set_throughput(state, texts.size(), koe::bench::normalized_bytes());
  state.counters["vocabulary"] = static_cast<double>(m.model.vocabulary.size());
}
BENCHMARK(BM_Describe)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
