// Writing results: clusters.json, assignments.csv, trace.csv and report.html of the generated
// voices, clustered once (k = 30) and assessed with the default scoring. The output goes to a
// stream that only counts bytes, so the figures are formatting alone, without disk or memory
// growth.
#include "bench_common.hpp"

#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/score.hpp>

#include <ostream>
#include <streambuf>

namespace {

/// The generated voices through the whole pipeline, with their adoption candidates.
struct analysed {
  koe::pipeline_options options;
  koe::analysis_result result;
  koe::adoption_result adoption;
};

const analysed& analysed_corpus() {
  static const analysed a = [] {
    analysed out;
    out.options.cluster.k = 30;
    out.options.cluster.n_init = 1;
    out.result = koe::pipeline(out.options).run(koe::bench::corpus_file());
    out.adoption = koe::assess(out.result, koe::default_score_options());
    return out;
  }();
  return a;
}

/// A stream buffer that drops what it is given and counts the bytes.
class counting_buffer : public std::streambuf {
 public:
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes_ += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes_;
    return traits_type::not_eof(c);
  }

 private:
  std::size_t bytes_ = 0;
};

void BM_WriteReport(benchmark::State& state, koe::report_format format) {
  const analysed& a = analysed_corpus();
  koe::report_options ro;
  ro.options = &a.options;
  ro.adoption = &a.adoption;
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    counting_buffer sink;
    std::ostream out(&sink);
    arena.execute([&] { koe::write_report(out, a.result, format, ro); });
    bytes = sink.bytes();
    benchmark::DoNotOptimize(bytes);
  }
  koe::bench::set_throughput(state, a.result.input.read(), bytes);
  state.counters["output_bytes"] = static_cast<double>(bytes);
}
BENCHMARK_CAPTURE(BM_WriteReport, clusters_json, koe::report_format::clusters_json)
    ->Apply(koe::bench::thread_args);
BENCHMARK_CAPTURE(BM_WriteReport, assignments_csv, koe::report_format::assignments_csv)
    ->Apply(koe::bench::thread_args);
BENCHMARK_CAPTURE(BM_WriteReport, trace_csv, koe::report_format::trace_csv)
    ->Apply(koe::bench::thread_args);
BENCHMARK_CAPTURE(BM_WriteReport, report_html, koe::report_format::report_html)
    ->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
