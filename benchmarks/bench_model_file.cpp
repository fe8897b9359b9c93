// The model file: encoding, decoding and loading a synthetic model of k = 100 clusters over a
// 100,000-term vocabulary (dense float centroids: 40 MB), against the raw size of its arrays.
#include <koe/model_file.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

namespace {

constexpr int clusters = 100;
constexpr int terms = 100000;

// Terms of 3 to 4 kana (9 to 12 bytes of UTF-8, as short Japanese terms are), sorted.
std::string term(int i) {
  std::string t;
  for (int n = i, digits = 0; digits < 3 || n > 0; n /= 80, ++digits) {
    const int kana = 0x30A2 + n % 80;  // katakana ア..
    t += static_cast<char>(0xE0 | (kana >> 12));
    t += static_cast<char>(0x80 | ((kana >> 6) & 0x3F));
    t += static_cast<char>(0x80 | (kana & 0x3F));
  }
  return t;
}

const koe::model& synthetic_model() {
  static const koe::model m = [] {
    koe::model m;
    m.dictionary = "/var/lib/mecab/dic/ipadic-utf8";
    std::mt19937_64 rng(1);
    auto& v = m.vectorizer;
    for (int i = 0; i < terms; ++i)
      v.vocabulary.push_back(term(i));
    std::sort(v.vocabulary.begin(), v.vocabulary.end());
    v.vocabulary.erase(std::unique(v.vocabulary.begin(), v.vocabulary.end()), v.vocabulary.end());
    v.documents = 1000000;
    for (std::size_t i = 0; i < v.vocabulary.size(); ++i) {
      v.df.push_back(2 + rng() % 5000);
      v.idf.push_back(1.0f + static_cast<float>(rng() % 1000) / 100.0f);
      v.index.emplace(v.vocabulary[i], static_cast<std::int32_t>(i));
    }
    m.lsa.dimensions = 0;
    m.centroids =
        koe::dense_matrix::Random(clusters, static_cast<Eigen::Index>(v.vocabulary.size()));
    m.centroids.rowwise().normalize();
    for (int c = 0; c < clusters; ++c) {
      koe::model_cluster mc;
      mc.id = c;
      mc.label = term(c) + "・" + term(c + 1);
      for (int t = 0; t < 10; ++t)
        mc.key_terms.push_back(term(c * 10 + t));
      mc.size = 10000;
      mc.cohesion = 0.3;
      for (int p = 0; p <= 100; ++p)
        mc.similarity_percentiles.push_back(p / 100.0);
      m.clusters.push_back(std::move(mc));
    }
    return m;
  }();
  return m;
}

double array_bytes(const koe::model& m) {
  return static_cast<double>(m.centroids.size() * sizeof(float) +
                             m.vectorizer.idf.size() * sizeof(float) +
                             m.vectorizer.df.size() * sizeof(std::uint64_t));
}

void set_counters(benchmark::State& state, std::size_t file_bytes) {
  const koe::model& m = synthetic_model();
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(file_bytes));
  state.counters["file_MB"] = static_cast<double>(file_bytes) / 1e6;
  state.counters["arrays_MB"] = array_bytes(m) / 1e6;
  state.counters["terms"] = static_cast<double>(m.vectorizer.vocabulary.size());
}

void BM_EncodeModel(benchmark::State& state) {
  const koe::model& m = synthetic_model();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string file = koe::encode_model(m);
    bytes = file.size();
    benchmark::DoNotOptimize(file.data());
  }
  set_counters(state, bytes);
}
BENCHMARK(BM_EncodeModel)->Unit(benchmark::kMillisecond);

void BM_DecodeModel(benchmark::State& state) {
  const std::string file = koe::encode_model(synthetic_model());
  for (auto _ : state) {
    const koe::model m = koe::decode_model(file, "bench.koe");
    benchmark::DoNotOptimize(m.centroids.data());
  }
  set_counters(state, file.size());
}
BENCHMARK(BM_DecodeModel)->Unit(benchmark::kMillisecond);

// Save and load through the file system (page cache warm after the first load).
void BM_LoadModel(benchmark::State& state) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("koe_bench_model_" + std::to_string(::getpid()) + ".koe");
  koe::save_model(synthetic_model(), path);
  for (auto _ : state) {
    const koe::model m = koe::load_model(path);
    benchmark::DoNotOptimize(m.centroids.data());
  }
  set_counters(state, static_cast<std::size_t>(std::filesystem::file_size(path)));
  std::filesystem::remove(path);
}
BENCHMARK(BM_LoadModel)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
