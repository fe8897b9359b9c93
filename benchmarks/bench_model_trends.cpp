// koe trend over a chain of 24 monthly models at k = 100 (each with 5 dormant clusters, a merge
// and a split a month, and its history): the series alone, and loading the files with them, over
// vocabularies of 5,000 and 20,000 terms (dense centroids: 2 and 8 MB a model).
#include <koe/model_file.hpp>
#include <koe/model_trends.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int months = 24;
constexpr int clusters = 100;
constexpr int dormant = 5;

std::string month_label(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", 2025 + i / 12, 1 + i % 12);
  return buf;
}

koe::model_cluster cluster(int id, std::size_t size, std::mt19937_64& rng, int fit) {
  koe::model_cluster c;
  c.id = id;
  c.label = "ラベル" + std::to_string(id);
  c.key_terms = {"語" + std::to_string(id), "語" + std::to_string(id + 1)};
  c.size = size;
  c.cohesion = 0.3;
  for (int p = 0; p <= 100; ++p)
    c.similarity_percentiles.push_back(p / 100.0);
  c.born = month_label(0);
  for (int f = 0; f <= fit; ++f)
    c.history.push_back({month_label(f), c.label, size, 0.01});
  if (rng() % 20 == 0) c.parents = {id, (id + 1) % clusters};
  return c;
}

std::vector<koe::model> synthetic_chain(int terms) {
  std::mt19937_64 rng(7);
  std::vector<koe::model> chain;
  for (int f = 0; f < months; ++f) {
    koe::model m;
    m.dictionary = "/var/lib/mecab/dic/ipadic-utf8";
    m.dictionary_id.name = "ipadic";
    auto& v = m.vectorizer;
    for (int t = 0; t < terms; ++t) {
      v.vocabulary.push_back("t" + std::to_string(t));
      v.df.push_back(2 + rng() % 500);
      v.idf.push_back(2.0f);
      v.index.emplace(v.vocabulary.back(), t);
    }
    m.lsa.dimensions = 0;
    m.centroids = koe::dense_matrix::Random(clusters, terms);
    m.centroids.rowwise().normalize();
    m.dormant_centroids = koe::dense_matrix::Random(dormant, terms);
    m.dormant_centroids.rowwise().normalize();
    std::size_t kept = 0;
    for (int c = 0; c < clusters; ++c) {
      m.clusters.push_back(cluster(c + (f % 3) * 2, 20 + rng() % 200, rng, f));
      kept += m.clusters.back().size;
    }
    for (int c = 0; c < dormant; ++c) {
      m.dormant.push_back(cluster(clusters + 10 + c, 30, rng, f));
      m.dormant.back().status = koe::cluster_status::dormant;
    }
    v.documents = kept + 300;
    m.period = month_label(f);
    m.fits = static_cast<std::uint32_t>(f + 1);
    m.next_id = clusters + 20;
    chain.push_back(std::move(m));
  }
  return chain;
}

std::vector<std::string> names_of(std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i)
    names.push_back("m" + std::to_string(i) + ".koe");
  return names;
}

void BM_TrendOfModelsInMemory(benchmark::State& state) {
  const auto chain = synthetic_chain(static_cast<int>(state.range(0)));
  const auto names = names_of(chain.size());
  for (auto _ : state) {
    const koe::chain_trends t = koe::model_trends(chain, names, {});
    benchmark::DoNotOptimize(t.trends.series.data());
  }
  state.counters["models"] = months;
}
BENCHMARK(BM_TrendOfModelsInMemory)->Arg(5000)->Unit(benchmark::kMillisecond);

// The chain saved as files in a folder of their own, removed at the end.
struct saved_chain {
  std::filesystem::path dir;
  std::vector<std::filesystem::path> files;
  double bytes = 0;

  explicit saved_chain(int terms)
      : dir(std::filesystem::temp_directory_path() /
            ("koe_bench_trend_" + std::to_string(::getpid()))) {
    const auto chain = synthetic_chain(terms);
    std::filesystem::create_directories(dir);
    for (std::size_t i = 0; i < chain.size(); ++i) {
      files.push_back(dir / ("m" + std::to_string(i) + ".koe"));
      koe::save_model(chain[i], files.back());
      bytes += static_cast<double>(std::filesystem::file_size(files.back()));
    }
  }
  saved_chain(const saved_chain&) = delete;
  saved_chain& operator=(const saved_chain&) = delete;
  ~saved_chain() { std::filesystem::remove_all(dir); }
};

// What `koe trend` does: read the 24 files (page cache warm after the first round) and count.
void BM_TrendOfModelFiles(benchmark::State& state) {
  const saved_chain saved(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const koe::chain_trends t = koe::model_trends_of_files(saved.files, {});
    benchmark::DoNotOptimize(t.trends.series.data());
  }
  state.counters["files_MB"] = saved.bytes / 1e6;
  state.counters["models"] = months;
}
BENCHMARK(BM_TrendOfModelFiles)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond);

// What that avoids: loading every model whole with load_model, one after the other.
void BM_LoadModelFilesWhole(benchmark::State& state) {
  const saved_chain saved(static_cast<int>(state.range(0)));
  for (auto _ : state)
    for (const auto& f : saved.files) {
      const koe::model m = koe::load_model(f);
      benchmark::DoNotOptimize(m.centroids.data());
    }
  state.counters["files_MB"] = saved.bytes / 1e6;
}
BENCHMARK(BM_LoadModelFilesWhole)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
