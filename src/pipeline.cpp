// The pipeline: stage order, the task arena, timings and bookkeeping of record statuses.
#include <koe/error.hpp>
#include <koe/pipeline.hpp>

#include "detail/parallel.hpp"

#include <sys/resource.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <new>

namespace koe {

std::size_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

struct pipeline::impl {
  pipeline_options options;
  tokenizer tok;
  tbb::task_arena arena;
  progress_callback progress;

  explicit impl(const pipeline_options& o)
      : options(o),
        tok(o.tokenize),
        arena(o.threads > 0 ? o.threads : tbb::task_arena::automatic) {}

  void report(const std::string& stage, double done) const {
    if (progress) progress(stage, done);
  }

  /// Normalizes `n` texts in fixed blocks, in parallel, and appends them in order: `keep(i, t)`
  /// decides which normalized texts go into the column. Returns the indices kept.
  template <class Text, class Keep>
  std::vector<std::size_t> normalize_all(std::size_t n, const Text& text, const Keep& keep,
                                         text_column& out) const {
    constexpr std::size_t block = 4096;
    const std::size_t blocks = detail::block_count(n, block);
    std::vector<text_column> parts(blocks);
    std::vector<std::vector<std::size_t>> taken(blocks);
    detail::parallel_chunks(blocks, 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        const std::size_t end = std::min(n, (b + 1) * block);
        taken[b].reserve(end - b * block);
        // Normalizing seldom lengthens a voice: one block of the input's size mostly holds all.
        std::size_t bytes = 0;
        for (std::size_t i = b * block; i < end; ++i)
          bytes += text(i).size();
        parts[b].reserve_bytes(bytes + bytes / 16);
        for (std::size_t i = b * block; i < end; ++i) {
          const std::string t = normalize(text(i), options.normalize);
          if (!keep(t)) continue;
          parts[b].push_back(t);
          taken[b].push_back(i);
        }
      }
    });
    std::vector<std::size_t> all;
    all.reserve(n);
    out.reserve(n);
    for (std::size_t b = 0; b < blocks; ++b) {
      out.append(std::move(parts[b]));
      all.insert(all.end(), taken[b].begin(), taken[b].end());
    }
    return all;
  }
};

namespace {

class stopwatch {
 public:
  explicit stopwatch(std::vector<stage_time>& log) : log_(log) {}
  void lap(const std::string& stage) {
    const auto now = std::chrono::steady_clock::now();
    log_.push_back({stage, std::chrono::duration<double>(now - start_).count(), peak_rss_bytes()});
    start_ = now;
  }

 private:
  std::vector<stage_time>& log_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

pipeline::pipeline(const pipeline_options& options) : impl_(std::make_unique<impl>(options)) {
  KOE_THROW_IF_NOT(options.threads >= 0, errc::invalid_argument, "threads must be >= 0");
  KOE_THROW_IF_NOT(options.lsa_dimensions >= 0, errc::invalid_argument,
                   "LSA dimensions must be >= 0");
}
pipeline::~pipeline() = default;
pipeline::pipeline(pipeline&&) noexcept = default;
pipeline& pipeline::operator=(pipeline&&) noexcept = default;

const pipeline_options& pipeline::options() const noexcept {
  return impl_->options;
}
const tokenizer& pipeline::get_tokenizer() const noexcept {
  return impl_->tok;
}
void pipeline::on_progress(progress_callback callback) {
  impl_->progress = std::move(callback);
}

analysis_result pipeline::run(const std::filesystem::path& path) {
  impl_->report("read", 0);
  const auto start = std::chrono::steady_clock::now();
  corpus c = read_corpus(path, impl_->options.io);
  const double read_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::size_t read_peak = peak_rss_bytes();
  analysis_result r = run(std::move(c));
  r.timings.insert(r.timings.begin(), {"read", read_seconds, read_peak});
  return r;
}

std::vector<std::vector<std::string>> pipeline::tokenize(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> out;
  impl_->arena.execute([&] {
    text_column normalized;
    impl_->normalize_all(
        texts.size(), [&](std::size_t i) { return std::string_view(texts[i]); },
        [](const std::string&) { return true; }, normalized);
    out = impl_->tok.intern(normalized).to_rows();
  });
  return out;
}

analysis_result pipeline::run(corpus input) {
  analysis_result r;
  r.dictionary = impl_->tok.dictionary();
  r.input = std::move(input);
  const pipeline_options& opt = impl_->options;
  try {
    impl_->arena.execute([&] {
      stopwatch watch(r.timings);
      std::vector<std::size_t> kept;
      for (std::size_t i = 0; i < r.input.documents.size(); ++i)
        if (r.input.documents.status(i) == record_status::kept) kept.push_back(i);
      impl_->report("normalize", 0);
      // A voice that normalizes to nothing (only emoji removed, only spaces) is empty, not noise.
      std::vector<std::size_t> rows = impl_->normalize_all(
          kept.size(), [&](std::size_t j) { return r.input.documents.text(kept[j]); },
          [](const std::string& t) { return !t.empty(); }, r.normalized);
      r.row_document.reserve(rows.size());
      std::size_t next = 0;
      for (std::size_t j = 0; j < kept.size(); ++j) {
        if (next < rows.size() && rows[next] == j) {
          r.row_document.push_back(kept[j]);
          ++next;
          continue;
        }
        document_table& docs = r.input.documents;
        docs.set_status(kept[j], record_status::empty);
        if (docs.reason(kept[j]).empty()) docs.set_reason(kept[j], "blank after normalization");
      }
      watch.lap("normalize");
      KOE_THROW_IF_NOT(!r.normalized.empty(), errc::empty_corpus,
                       r.input.source + ": no voice with text to cluster (read " +
                           std::to_string(r.input.read()) + ")");

      impl_->report("tokenize", 0);
      r.terms = impl_->tok.intern(r.normalized);
      watch.lap("tokenize");

      impl_->report("vectorize", 0);
      r.tfidf = vectorize(r.terms, opt.vectorize);
      watch.lap("vectorize");

      impl_->report("cluster", 0);
      if (opt.lsa_dimensions > 0) {
        lsa_options lsa;
        lsa.dimensions = opt.lsa_dimensions;
        lsa.seed = opt.cluster.seed;
        const dense_matrix reduced = reduce_lsa(r.tfidf.rows, lsa);
        watch.lap("reduce");
        r.clusters = cluster(reduced, opt.cluster);
      } else {
        r.clusters = cluster(r.tfidf.rows, opt.cluster);
      }
      watch.lap("cluster");

      impl_->report("describe", 0);
      r.descriptions = describe(r.terms, r.tfidf.model, r.clusters, r.normalized, opt.describe);
      watch.lap("describe");
    });
  } catch (const std::bad_alloc&) {
    throw error(errc::out_of_memory,
                r.input.source + ": the corpus does not fit in memory (" +
                    std::to_string(r.input.read()) +
                    " records); split it or raise min_df / lower max_features");
  }
  impl_->report("done", 1);
  r.peak_rss_bytes = peak_rss_bytes();
  return r;
}

}  // namespace koe
