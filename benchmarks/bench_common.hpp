// Shared set-up of the per-stage benchmarks: the input size, inputs built once per process
// (outside every timing loop), thread-count arguments and throughput counters.
#pragma once

#include "corpus_generator.hpp"
#include "hard_corpus.hpp"

#include <koe/cluster.hpp>
#include <koe/normalize.hpp>
#include <koe/tokenize.hpp>
#include <koe/vectorize.hpp>

#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <unistd.h>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace koe::bench {

/// Voices in every benchmark input: $KOE_BENCH_VOICES, else 50,000, which keeps a run of every
/// benchmark program under two minutes on two cores.
inline std::size_t bench_voices() {
  if (const char* env = std::getenv("KOE_BENCH_VOICES"); env != nullptr && *env != '\0') {
    const long long n = std::atoll(env);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 50000;
}

/// Seed of the benchmark corpus; fixed so runs compare.
inline constexpr std::uint64_t bench_seed = 1;

/// The corpus profile: $KOE_BENCH_PROFILE = "hard" for koe-generate --hard, else the default.
inline bool bench_hard() {
  const char* env = std::getenv("KOE_BENCH_PROFILE");
  return env != nullptr && std::string_view(env) == "hard";
}

/// The generated voices, as read (before normalization).
inline const generated_corpus& raw_corpus() {
  static const generated_corpus c =
      bench_hard() ? generate_corpus<hard_voice_generator>(bench_voices(), bench_seed)
                   : generate_corpus(bench_voices(), bench_seed);
  return c;
}

/// The same voices written once as a CSV file (id,text,topic), removed when the program ends.
inline const std::filesystem::path& corpus_file() {
  struct temp_file {
    std::filesystem::path path;
    temp_file() {
      path = std::filesystem::temp_directory_path() /
             ("koe-bench-" + std::to_string(::getpid()) + ".csv");
      std::ofstream out(path, std::ios::binary);
      std::string buf = "id,text,topic\n";
      const generated_corpus& c = raw_corpus();
      for (std::size_t i = 0; i < c.texts.size(); ++i) {
        buf += std::to_string(i + 1);
        buf += ',';
        append_csv_field(buf, c.texts[i]);
        buf += ',';
        buf += topics()[static_cast<std::size_t>(c.topics[i])].slug;
        buf += '\n';
      }
      out << buf;
    }
    ~temp_file() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  };
  static const temp_file f;
  return f.path;
}

/// The normalized voices, as the pipeline hands them to the tokenizer.
inline const std::vector<std::string>& normalized_texts() {
  static const std::vector<std::string> out = [] {
    const auto& raw = raw_corpus().texts;
    std::vector<std::string> n(raw.size());
    tbb::parallel_for(std::size_t{0}, raw.size(),
                      [&](std::size_t i) { n[i] = koe::normalize(raw[i]); });
    return n;
  }();
  return out;
}

/// UTF-8 bytes of the normalized voices.
inline std::size_t normalized_bytes() {
  static const std::size_t bytes = [] {
    std::size_t b = 0;
    for (const auto& t : normalized_texts())
      b += t.size();
    return b;
  }();
  return bytes;
}

/// One tokenizer with the default options, shared by every benchmark.
inline const koe::tokenizer& shared_tokenizer() {
  static const koe::tokenizer tok{koe::tokenize_options{}};
  return tok;
}

/// Terms of every voice, as the pipeline passes them to `vectorize`.
inline const std::vector<std::vector<std::string>>& voice_terms() {
  static const auto terms = shared_tokenizer().terms(normalized_texts());
  return terms;
}

/// TF-IDF rows of the voices with the default options.
inline const koe::tfidf_matrix& tfidf() {
  static const koe::tfidf_matrix m = koe::vectorize(voice_terms());
  return m;
}

/// Thread counts 1, 2, 4, ... below the hardware's, then the hardware's own count.
inline void thread_counts(benchmark::internal::Benchmark* b) {
  const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int t = 1; t < hw; t *= 2)
    b->Arg(t);
  b->Arg(hw);
  b->ArgName("threads")->Unit(benchmark::kMillisecond);
}

/// `thread_counts`, timed by the wall clock (UseRealTime): the library's work runs on TBB
/// threads, so the main thread's CPU time would understate it.
inline void thread_args(benchmark::internal::Benchmark* b) {
  thread_counts(b);
  b->UseRealTime();
}

/// Voices/s (items_per_second) and bytes/s over every iteration of the loop.
inline void set_throughput(benchmark::State& state, std::size_t voices, std::size_t bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(voices));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes));
  state.counters["voices"] = static_cast<double>(voices);
}

/// Nonzeros of the TF-IDF matrix handled per second.
inline void set_nonzero_rate(benchmark::State& state, std::size_t nonzeros) {
  state.counters["nnz/s"] =
      benchmark::Counter(static_cast<double>(nonzeros) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

}  // namespace koe::bench
