// Normalization: koe::normalize over every voice in parallel, alone and after reading the file,
// as the pipeline's first two stages do it.
#include "bench_common.hpp"

#include <koe/io.hpp>

namespace {

// The pipeline's loop: fixed blocks of voices, each normalized into its own column, the columns
// appended in order.
koe::text_column normalize_all(const std::vector<std::string_view>& texts) {
  constexpr std::size_t block = 4096;
  std::vector<koe::text_column> parts((texts.size() + block - 1) / block);
  tbb::parallel_for(std::size_t{0}, parts.size(), [&](std::size_t b) {
    const std::size_t end = std::min(texts.size(), (b + 1) * block);
    for (std::size_t i = b * block; i < end; ++i)
      parts[b].push_back(koe::normalize(texts[i]));
  });
  koe::text_column out;
  for (auto& p : parts)
    out.append(std::move(p));
  return out;
}

void BM_Normalize(benchmark::State& state) {
  const auto& c = koe::bench::raw_corpus();
  std::vector<std::string_view> texts(c.texts.begin(), c.texts.end());
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      auto out = normalize_all(texts);
      benchmark::DoNotOptimize(out.bytes());
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
      std::vector<std::string_view> texts;
      texts.reserve(c.documents.size());
      for (std::size_t i = 0; i < c.documents.size(); ++i)
        texts.push_back(c.documents.text(i));
      auto out = normalize_all(texts);
      voices = out.size();
      benchmark::DoNotOptimize(out.bytes());
    });
  }
  koe::bench::set_throughput(state, voices, bytes);
}
BENCHMARK(BM_ReadAndNormalize)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
