// Scoring: `assess` (signals of every cluster, decisions, the per-voice trace with reply drafts
// and the notes) on the generated voices, clustered once, with a rating, a segment, a
// contributor and a date per voice so that every signal is computed.
#include "bench_common.hpp"

#include <koe/assess.hpp>
#include <koe/pipeline.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

// The generated voices as a CSV with every column scoring reads, derived from each voice's topic
// and position so that runs compare.
std::filesystem::path scored_corpus_file() {
  const auto path = std::filesystem::temp_directory_path() /
                    ("koe-bench-score-" + std::to_string(::getpid()) + ".csv");
  const koe::bench::generated_corpus& c = koe::bench::raw_corpus();
  std::string buf = "id,text,rating,segment,contributor,date\n";
  for (std::size_t i = 0; i < c.texts.size(); ++i) {
    const auto topic = static_cast<std::size_t>(c.topics[i]);
    buf += std::to_string(i + 1) + ',';
    koe::bench::append_csv_field(buf, c.texts[i]);
    buf += ',' + std::to_string(1 + (topic * 7 + i) % 5);
    buf += i % 4 == 0 ? ",premium," : ",standard,";
    buf += "user" + std::to_string(i % 997);
    buf += ",2026-" + std::to_string(7 + i % 6) + '-' + std::to_string(1 + i % 28) + '\n';
  }
  std::ofstream(path, std::ios::binary) << buf;
  return path;
}

// The run scored by every iteration: read, tokenized, clustered (k = 30) and described once.
const koe::analysis_result& clustered_run() {
  static const koe::analysis_result r = [] {
    const auto path = scored_corpus_file();
    koe::pipeline_options o;
    o.io.text_column = "text";
    o.io.time_column = "date";
    o.cluster.k = 30;
    o.cluster.n_init = 1;
    o.keep_normalized = false;
    o.phrases = koe::surface_phrases(koe::default_score_options());
    koe::analysis_result out = koe::pipeline(o).run(path);
    std::filesystem::remove(path);
    return out;
  }();
  return r;
}

void BM_Assess(benchmark::State& state) {
  const koe::analysis_result& r = clustered_run();
  koe::score_options o = koe::default_score_options();
  o.impact.segment_weights = {{"premium", 2.0}};
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      const koe::adoption_result a = koe::assess(r, o);
      benchmark::DoNotOptimize(a.candidates.data());
    });
  }
  koe::bench::set_throughput(state, r.row_document.size(), 0);
  state.counters["clusters"] = static_cast<double>(r.descriptions.size());
}
BENCHMARK(BM_Assess)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
