// Normalization: koe::normalize over every voice in parallel, alone and after reading the file,
// as the pipeline's first two stages do it.
#include "bench_common.hpp"

#include <koe/io.hpp>

namespace {

// The pipeline's loop: each voice written to its own slot of a pre-sized vector.
std::vector<std::string> normalize_all(const std::vector<const std::string*>& texts) {
  std::vector<std::string> out(texts.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, texts.size(), 512),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t i = r.begin(); i < r.end(); ++i)
                        out[i] = koe::normalize(*texts[i]);
                    });
  return out;
}

void BM_Normalize(benchmark::State& state) {
  const auto& c = koe::bench::raw_corpus();
  std::vector<const std::string*> texts;
  for (const auto& t : c.texts)
    texts.push_back(&t);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      auto out = normalize_all(texts);
      benchmark::DoNotOptimize(out.data());
    });
  }
  koe::bench::set_throughput(state, c.texts.size(), c.bytes);
}
BENCHMARK(BM_Normalize)->Apply(koe::bench::thread_args);

void BM_ReadAndNormalize(benchmark::State& state) {
  const auto& path = koe::bench::corpus_file();
  const auto bytes = static_cast<std::size_t>(std::filesystem::file_size(path));
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t voices = 0;
  for (auto _ : state) {
    arena.execute([&] {
      const koe::corpus c = koe::read_corpus(path, {});
      std::vector<const std::string*> texts;
      texts.reserve(c.documents.size());
      for (const auto& d : c.documents)
        texts.push_back(&d.text);
      auto out = normalize_all(texts);
      voices = out.size();
      benchmark::DoNotOptimize(out.data());
    });
  }
  koe::bench::set_throughput(state, voices, bytes);
}
BENCHMARK(BM_ReadAndNormalize)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
