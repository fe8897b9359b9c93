// Reading: koe::read_corpus on a generated CSV file (warm page cache), the stage before
// normalization.
#include "bench_common.hpp"

#include <koe/io.hpp>

namespace {

void BM_ReadCorpus(benchmark::State& state) {
  const auto& path = koe::bench::corpus_file();
  const auto bytes = static_cast<std::size_t>(std::filesystem::file_size(path));
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t kept = 0;
  for (auto _ : state) {
    arena.execute([&] {
      const koe::corpus c = koe::read_corpus(path, {});
      kept = c.documents.size();
      benchmark::DoNotOptimize(kept);
    });
  }
  koe::bench::set_throughput(state, kept, bytes);
}
BENCHMARK(BM_ReadCorpus)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
