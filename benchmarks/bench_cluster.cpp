// Spherical k-means (k = 30, one restart) on the TF-IDF rows of the generated voices: a whole
// run cut to one iteration, and the cost of one Lloyd iteration alone.
#include "bench_common.hpp"

#include <chrono>

namespace {

constexpr int clusters = 30;

koe::cluster_options options(int max_iter) {
  koe::cluster_options o;
  o.k = clusters;
  o.n_init = 1;
  o.max_iter = max_iter;
  // A negative tolerance never ends the run early on the objective, so exactly max_iter
  // iterations run unless no row changes cluster.
  o.tol = -1.0;
  return o;
}

// Seeding (greedy k-means++), one assign + update iteration and the final scoring passes.
void BM_ClusterOneIteration(benchmark::State& state) {
  const koe::tfidf_matrix& m = koe::bench::tfidf();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      const koe::clustering c = koe::cluster(m.rows, options(1));
      benchmark::DoNotOptimize(c.assignment.data());
    });
  }
  koe::bench::set_throughput(state, static_cast<std::size_t>(m.rows.rows()),
                             koe::bench::normalized_bytes());
  koe::bench::set_nonzero_rate(state, static_cast<std::size_t>(m.rows.nonZeros()));
}
BENCHMARK(BM_ClusterOneIteration)->Apply(koe::bench::thread_args);

// One Lloyd iteration (assign every row, recompute the centroids): the difference between a run of
// 1 + extra iterations and a run of 1, divided by the extra iterations that ran. Both runs start
// from the same centroids (those after one iteration from the seeds), so neither seeds: seeding
// takes a different time in each call (memory the previous call left), which, in the difference
// of two seeded runs, came out as iteration time or hid some of it. The fixed part (the final
// passes) is reported as the counter fixed_ms.
void BM_KMeansIteration(benchmark::State& state) {
  constexpr int extra = 5;
  const koe::tfidf_matrix& m = koe::bench::tfidf();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  koe::cluster_options start = options(1);
  arena.execute([&] { start.init = koe::cluster(m.rows, options(1)).centroids; });
  koe::cluster_options short_run = start, long_run = start;
  long_run.max_iter = 1 + extra;
  double fixed_total = 0;
  for (auto _ : state) {
    double short_s = 0, long_s = 0;
    int short_it = 0, long_it = 0;
    arena.execute([&] {
      auto t0 = std::chrono::steady_clock::now();
      const koe::clustering a = koe::cluster(m.rows, short_run);
      auto t1 = std::chrono::steady_clock::now();
      const koe::clustering b = koe::cluster(m.rows, long_run);
      auto t2 = std::chrono::steady_clock::now();
      short_s = std::chrono::duration<double>(t1 - t0).count();
      long_s = std::chrono::duration<double>(t2 - t1).count();
      short_it = a.iterations;
      long_it = b.iterations;
    });
    const double per_iteration = (long_s - short_s) / std::max(1, long_it - short_it);
    state.SetIterationTime(per_iteration);
    fixed_total += short_s - per_iteration;
  }
  state.counters["fixed_ms"] =
      1e3 * fixed_total / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
  koe::bench::set_nonzero_rate(state, static_cast<std::size_t>(m.rows.nonZeros()));
  state.counters["rows"] = static_cast<double>(m.rows.rows());
  state.counters["columns"] = static_cast<double>(m.rows.cols());
}
BENCHMARK(BM_KMeansIteration)->Apply(koe::bench::thread_counts)->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
