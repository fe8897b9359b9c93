// The pipeline: stage order, the task arena, timings and bookkeeping of record statuses.
#include <koe/assign.hpp>
#include <koe/error.hpp>
#include <koe/options.hpp>
#include <koe/pipeline.hpp>
#include <koe/refit.hpp>
#include <koe/score.hpp>

#include "detail/assert.hpp"
#include "detail/block_exchange.hpp"
#include "detail/block_reader.hpp"
#include "detail/parallel.hpp"

#include <sys/resource.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <utility>

namespace koe {

std::size_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

namespace {

/// Records per block, for normalizing in parallel and for reading while normalizing. Fixed, so
/// the results never depend on the number of threads.
constexpr std::size_t block_records = 4096;

using detail::normalized_part;

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

/// Marks the records in `blank` empty; a voice that normalizes to nothing (only emoji removed,
/// only spaces) is empty, not noise.
void mark_blank(document_table& docs, const std::vector<std::size_t>& blank) {
  for (const std::size_t i : blank) {
    docs.set_status(i, record_status::empty);
    if (docs.reason(i).empty()) docs.set_reason(i, "blank after normalization");
  }
}

/// The earliest and latest timestamp of the records read, as written, into `m`: by the day each
/// names (`period_of`), then as text; timestamps without a date are left out.
void set_period(const document_table& docs, model& m) {
  if (!docs.has_timestamps()) return;
  std::optional<std::pair<std::int64_t, std::string_view>> first, last;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (docs.status(i) == record_status::rejected) continue;
    const std::string_view t = docs[i].timestamp;
    const std::optional<std::int64_t> day = period_of(t, period_unit::day);
    if (!day) continue;
    const std::pair<std::int64_t, std::string_view> key{*day, t};
    if (!first || key < *first) first = key;
    if (!last || *last < key) last = key;
  }
  if (!first) return;
  m.period_first = std::string(first->second);
  m.period_last = std::string(last->second);
}

/// One block of records on its way through `pipeline::impl::run_blocks`.
struct block {
  std::size_t number = 0;  ///< In input order, from 0.
  unparsed_block input;    ///< From a file: the records, until parsed.
  document_table docs;     ///< From a file: the parsed records.
  std::size_t first = 0;   ///< Index of the block's first record in the corpus.
  std::size_t size = 0;    ///< Records in the block.
  normalized_part part;
  /// What working on the block threw, thrown again when the block's turn to be committed comes,
  /// so that the first failure in input order is the one reported, whichever failed first.
  std::exception_ptr failure;
  /// On a process that hands its blocks over (`detail::block_exchange`): what reading the block
  /// threw, handed over with it for the gathering process to throw in its turn.
  std::exception_ptr handed_failure;
};

}  // namespace

struct pipeline::impl {
  pipeline_options options;
  tokenizer tok;
  tbb::task_arena arena;
  std::optional<tbb::task_arena> wide;  ///< See `analysis_arena`.
  progress_callback progress;
  /// The previous model during a refit; null otherwise.
  const model* previous = nullptr;

  phrase_set phrases;
  explicit impl(const pipeline_options& o)
      : options(o),
        tok(o.tokenize),
        arena(o.threads > 0 ? o.threads : tbb::task_arena::automatic),
        phrases(o.phrases) {}

  /// `r` before any stage: what the result records of the options.
  analysis_result start() const {
    analysis_result r;
    r.fitted.dictionary = tok.dictionary();
    r.fitted.dictionary_id = tok.identity();
    r.fitted.stopwords = tok.stopwords();
    r.fitted.normalization = options.normalize;
    r.fitted.tokenizer = options.tokenize;
    r.phrases = options.phrases;
    return r;
  }

  void report(const std::string& stage, double done) const {
    if (progress) progress(stage, done);
  }

  /// Normalizes `text(i)` for the i in [first, last) that `take(i)`; blank results go to
  /// `out.blank` unless `keep_blank`. Each text is kept, hashed and searched for phrases.
  template <class Take, class Text>
  void normalize_range(std::size_t first, std::size_t last, const Take& take, const Text& text,
                       bool keep_blank, normalized_part& out) const {
    // Normalizing seldom lengthens a voice: one block of the input's size mostly holds all.
    std::size_t bytes = 0;
    for (std::size_t i = first; i < last; ++i)
      bytes += take(i) ? text(i).size() : 0;
    out.texts.reserve_bytes(bytes + bytes / 16);
    out.rows.reserve(last - first);
    out.hashes.reserve(last - first);
    std::vector<std::uint32_t> hits;
    for (std::size_t i = first; i < last; ++i) {
      if (!take(i)) continue;
      const std::string t = normalize(text(i), options.normalize);
      if (t.empty() && !keep_blank) {
        out.blank.push_back(i);
        continue;
      }
      phrases.find(t, hits);
      for (const std::uint32_t h : hits) {
        out.hit_rows.push_back(static_cast<std::uint32_t>(out.rows.size()));
        out.hit_phrases.push_back(h);
      }
      out.hashes.push_back(std::hash<std::string_view>{}(t));
      out.texts.push_back(t);
      out.rows.push_back(i);
    }
  }

  /// Appends a block's rows to `r`; `first_record` is the index of the block's first record
  /// in `r.input.documents`.
  static void add_rows(analysis_result& r, normalized_part& p, std::size_t first_record) {
    const std::size_t first_row = r.row_document.size();
    for (std::size_t k = 0; k < p.hit_rows.size(); ++k)
      r.phrase_hits.emplace_back(first_row + p.hit_rows[k], p.hit_phrases[k]);
    for (const std::size_t i : p.rows)
      r.row_document.push_back(first_record + i);
    r.text_hash.insert(r.text_hash.end(), p.hashes.begin(), p.hashes.end());
    r.normalized.append(std::move(p.texts));
    if (p.terms.rows() > 0) r.terms.append(p.terms);
    p = normalized_part{};
  }

  /// `normalize_range` over [0, n) in fixed blocks, in parallel; parts in block order.
  template <class Take, class Text>
  std::vector<normalized_part> normalize_blocks(std::size_t n, const Take& take, const Text& text,
                                                bool keep_blank) const {
    std::vector<normalized_part> parts(detail::block_count(n, block_records));
    detail::parallel_chunks(parts.size(), 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b)
        normalize_range(b * block_records, std::min(n, (b + 1) * block_records), take, text,
                        keep_blank, parts[b]);
    });
    return parts;
  }

  /// Normalizes and tokenizes the kept records [first, first + b.size) of `docs` into `b.part`;
  /// its texts are dropped once tokenized, unless they are to be kept.
  void prepare(block& b, const document_table& docs, std::size_t first,
               tokenizer::worker& w) const {
    normalize_range(
        0, b.size, [&](std::size_t i) { return docs.status(first + i) == record_status::kept; },
        [&](std::size_t i) { return docs.text(first + i); }, false, b.part);
    w.intern(b.part.texts, b.part.terms);
    if (!options.keep_normalized) b.part.texts.clear();
  }

  /// Runs the blocks that `cut(b)` fills (false at the end) through `work(b, worker)`, in
  /// parallel with the thread's tokenizer worker, and `commit(b)`, one at a time in input order.
  /// A few blocks per thread are in flight at once: enough to keep every thread busy, few enough
  /// that the blocks waiting hold little memory.
  template <class Cut, class Work, class Commit>
  void run_blocks(const Cut& cut, const Work& work, const Commit& commit) const {
    const auto in_flight =
        2 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()) + 2;
    tbb::enumerable_thread_specific<std::unique_ptr<tokenizer::worker>> workers;
    std::size_t cut_blocks = 0;
    std::size_t committed = 0;
    detail::stream_in_order<block>(
        in_flight,
        [&](block& b) {
          b.number = cut_blocks;
          if (!cut(b)) return false;
          ++cut_blocks;
          return true;
        },
        [&](block& b) {
          try {
            auto& w = workers.local();
            if (!w) w = std::make_unique<tokenizer::worker>(tok.new_worker());
            work(b, *w);
          } catch (...) {
            b.failure = std::current_exception();
          }
        },
        [&](block& b) {
          KOE_ASSERT(b.number == committed);
          ++committed;
          if (b.failure) std::rethrow_exception(b.failure);
          commit(b);
        });
  }

  static void require_rows(const analysis_result& r) {
    KOE_THROW_IF_NOT(!r.row_document.empty(), errc::empty_corpus,
                     r.input.source + ": no voice with text to cluster (read " +
                         std::to_string(r.input.read()) + ")");
  }

  /// Tokenizes the normalized rows, unless that was done with the read; drops their texts unless
  /// they are to be kept.
  void tokenize_rows(analysis_result& r, stopwatch& watch) const {
    if (r.terms.rows() == r.row_document.size()) return;  // with the read: see run(path)
    report("tokenize", 0);
    if (options.keep_normalized) {
      r.terms = tok.intern(r.normalized);
    } else {
      r.terms = tok.intern(std::move(r.normalized));  // leaves it empty
    }
    watch.lap("tokenize");
  }

  /// Every stage from vectorizing on; the rows and their terms are in `r`.
  void analyze(analysis_result& r, stopwatch& watch) const {
    const pipeline_options& opt = options;
    std::optional<refit_start> from_previous;
    report("vectorize", 0);
    // As vectorize(), in two steps with a progress report between them: the counting's
    // temporaries are gone before the matrix is built (a caller may give memory back then).
    model& fitted = r.fitted;
    fitted.vectorizer = fit_tfidf(r.terms, opt.vectorize);
    // The default min_df (a term in 2 voices) leaves nothing of a few voices that share no word;
    // then every term counts (min_df 1). Any other min_df is kept as given.
    if (fitted.vectorizer.vocabulary.empty() &&
        opt.vectorize.min_df == vectorize_options{}.min_df) {
      vectorize_options every_term = opt.vectorize;
      every_term.min_df = {1, false};
      fitted.vectorizer = fit_tfidf(r.terms, every_term);
    }
    if (previous != nullptr)
      fitted.vectorizer = extend_vocabulary(previous->vectorizer, fitted.vectorizer);
    report("vectorize", 0.5);
    sparse_matrix rows = transform(r.terms, fitted.vectorizer);
    r.tfidf.rows.swap(rows);              // not `=`: Eigen would copy the arrays
    if (opt.spill) r.terms.drop_pages();  // not read again until describing
    watch.lap("vectorize");

    report("cluster", 0);
    if (opt.lsa_dimensions > 0) {
      fitted.lsa = lsa_options_of(opt);
      lsa_fit lsa = fit_lsa(r.tfidf.rows, fitted.lsa);
      fitted.lsa_basis = std::move(lsa.basis);
      watch.lap("reduce");
      r.clusters = cluster(lsa.rows, opt.cluster);
    } else if (previous != nullptr) {
      fitted.lsa.dimensions = 0;
      from_previous =
          start_refit(*previous, r.terms, r.text_hash, r.tfidf.rows, opt.cluster, opt.lineage);
      watch.lap("refit start");
      cluster_options from = opt.cluster;
      from.k = 0;
      from.init = from_previous->init;
      r.clusters = cluster(r.tfidf.rows, from);
    } else {
      fitted.lsa.dimensions = 0;
      r.clusters = cluster(r.tfidf.rows, opt.cluster);
    }
    fitted.clustering = opt.cluster;
    fitted.centroids = std::move(r.clusters.centroids);
    fitted.k_curve = std::move(r.clusters.k_curve);
    r.clusters.centroids = dense_matrix();
    r.clusters.k_curve.clear();
    watch.lap("cluster");

    report("describe", 0);
    r.descriptions = describe(r.terms, fitted.vectorizer, r.clusters, r.text_hash, opt.describe);
    fitted.description = opt.describe;
    fitted.clusters = cluster_table(r.descriptions, r.clusters);
    fitted.fits = previous != nullptr ? previous->fits + 1 : 1;
    fitted.period = period_label_of(fitted.period_last, opt.period_name, fitted.fits);
    if (from_previous) {
      r.refit =
          finish_refit(*previous, *from_previous, r.clusters, opt.lineage, fitted, r.descriptions);
      r.changes = lineage(*r.refit, opt.lineage);
      record_lineage(fitted, r.changes);
    } else {
      number_fresh_fit(fitted, r.descriptions);
    }
    watch.lap("describe");
  }

  /// Where the stages after reading run: the arena, or, on the process that gathers the blocks
  /// of several (koe-mpi), one as wide as the threads the reading processes of its machine had,
  /// which are idle once the reading is done (`detail::block_exchange::threads_after_reading`).
  tbb::task_arena& analysis_arena() {
    const detail::block_exchange* x = options.exchange.get();
    if (x == nullptr || !x->gathers() || x->threads_after_reading() <= options.threads ||
        options.threads == 0)
      return arena;
    if (!wide) wide.emplace(x->threads_after_reading());
    return *wide;
  }

  /// Runs `first(r, watch)` (reading and normalizing), then every later stage, in the arena;
  /// running out of memory becomes a `koe::error`.
  /// With `fit` false, stops once the rows are tokenized.
  template <class First>
  analysis_result run_stages(bool fit, analysis_result r, const First& first) {
    try {
      stopwatch watch(r.timings);
      arena.execute([&] {
        first(r, watch);
        set_period(r.input.documents, r.fitted);
        if (fit) require_rows(r);
        tokenize_rows(r, watch);
      });
      if (fit) analysis_arena().execute([&] { analyze(r, watch); });
    } catch (const std::bad_alloc&) {
      out_of_memory(r);
    }
    report("done", 1);
    r.peak_rss_bytes = peak_rss_bytes();
    return r;
  }

  /// `run(path)` and `read_terms(path)`; with `fit` false, no stage after tokenizing runs.
  analysis_result from_file(const std::vector<std::filesystem::path>& paths, bool fit);
  /// `run(corpus)` and `read_terms(corpus)`.
  analysis_result from_corpus(corpus input, bool fit);

  [[noreturn]] static void out_of_memory(const analysis_result& r) {
    throw error(errc::out_of_memory,
                r.input.source + ": the corpus does not fit in memory (" +
                    std::to_string(r.input.read()) +
                    " records); split it or raise min_df / lower max_features");
  }
};

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

analysis_result pipeline::impl::from_file(const std::vector<std::filesystem::path>& paths,
                                          bool fit) {
  // The reader only cuts the input into blocks of whole records; each block is parsed,
  // normalized and tokenized in parallel with the others, and committed to the result in input
  // order (the same result, term ids included, for any number of threads; the first bad record
  // in the input is the one reported). A block's normalized texts live only until it is
  // committed, unless they are kept.
  return run_stages(fit, start(), [&](analysis_result& r, stopwatch& watch) {
    report("read", 0);
    detail::block_reader reader(paths, options.io, block_records);
    // Named and counted from the start, for a message if memory runs out on the way.
    r.input.source = paths.front().string();
    document_table& docs = r.input.documents;
    std::size_t records = 0;
    // With other processes (koe-mpi), this one reads only its own blocks: it hands them over,
    // or, gathering, commits them with the others' in input order.
    detail::block_exchange* const x = options.exchange.get();
    const bool hands_over = x != nullptr && !x->gathers();
    const auto cut = [&](block& b) {
      const bool more = hands_over && x->stopped()            ? false
                        : x != nullptr && !x->reads(b.number) ? reader.skip(b.size)
                                                              : reader.next(b.input);
      if (more) return true;
      watch.lap("read");
      report("tokenize", 0);
      return false;
    };
    const auto parse = [&](block& b, tokenizer::worker& w) {
      if (x != nullptr && !x->reads(b.number)) return;  // skipped when cut
      try {
        b.docs = b.input();
        b.input = nullptr;  // its bytes
        b.size = b.docs.size();
        prepare(b, b.docs, 0, w);
      } catch (...) {
        if (!hands_over) throw;
        b.handed_failure = std::current_exception();
      }
    };
    run_blocks(cut, parse, [&](block& b) {
      if (hands_over) {
        if (x->reads(b.number)) x->send(b.number, b.docs, b.part, b.handed_failure);
        return;
      }
      if (x != nullptr && !x->reads(b.number)) {
        x->receive(b.number, b.docs, b.part);
        // The block as cut here: a process that read another copy of the file is caught.
        KOE_THROW_IF_NOT(
            b.docs.size() == b.size && (b.size == 0 || b.docs[0].record == records + 1),
            errc::invalid_argument,
            r.input.source + ": block " + std::to_string(b.number) +
                " came back from another process with " + std::to_string(b.docs.size()) +
                " records where " + std::to_string(b.size) +
                " were cut here: do all processes read the "
                "same file?");
      }
      KOE_ASSERT(b.first == 0 && docs.size() == records);
      mark_blank(b.docs, b.part.blank);
      docs.append(std::move(b.docs));
      impl::add_rows(r, b.part, records);
      if (options.spill) {
        docs.spill_texts(false);
        r.terms.spill();
      }
      records += b.size;
      KOE_ASSERT(docs.size() == records);
    });
    corpus c = reader.finish();
    r.input.source = std::move(c.source);
    r.input.encoding = std::move(c.encoding);
    r.input.meta_columns = std::move(c.meta_columns);
    docs.resize_meta(r.input.meta_columns.size());
    if (options.spill) {
      docs.spill_texts(true);
      tok.drop_pages();  // read again if this pipeline tokenizes more
    }
    // Parsing, normalizing and tokenizing ran with the read; this is what they took beyond it.
    watch.lap("tokenize");
  });
}

analysis_result pipeline::impl::from_corpus(corpus input, bool fit) {
  analysis_result first = start();
  first.input = std::move(input);
  return run_stages(fit, std::move(first), [&](analysis_result& r, stopwatch& watch) {
    // The blocks and stages of run(path), over records already read.
    report("normalize", 0);
    const document_table& docs = r.input.documents;
    std::size_t next = 0;
    std::vector<std::size_t> blank;  // marked after the stages, which read `docs`
    const auto cut = [&](block& b) {
      if (next == docs.size()) return false;
      b.first = next;
      b.size = std::min(block_records, docs.size() - next);
      next += b.size;
      return true;
    };
    std::size_t records = 0;
    run_blocks(
        cut, [&](block& b, tokenizer::worker& w) { prepare(b, docs, b.first, w); },
        [&](block& b) {
          KOE_ASSERT(b.first == records);
          for (const std::size_t i : b.part.blank)
            blank.push_back(b.first + i);
          impl::add_rows(r, b.part, b.first);
          records += b.size;
        });
    KOE_ASSERT(records == docs.size());
    mark_blank(r.input.documents, blank);
    watch.lap("normalize");
  });
}

analysis_result pipeline::run(const std::filesystem::path& path) {
  return run(std::vector<std::filesystem::path>{path});
}

analysis_result pipeline::run(const std::vector<std::filesystem::path>& paths) {
  return impl_->from_file(paths, true);
}

analysis_result pipeline::run(corpus input) {
  return impl_->from_corpus(std::move(input), true);
}

namespace {

// Refuses a previous model a refit cannot start from: unfitted, with LSA, or tokenized otherwise.
void check_previous(const model& previous, const pipeline_options& o, const tokenizer& tok) {
  KOE_THROW_IF_NOT(previous.fitted(), errc::invalid_argument,
                   "the previous model (--prev) has not been fitted");
  KOE_THROW_IF_NOT(previous.lsa.dimensions == 0 && o.lsa_dimensions == 0, errc::invalid_argument,
                   "--prev does not refit with LSA (--reduce lsa:D): the clusters of two LSA "
                   "bases cannot be matched; refit without --reduce, or fit afresh");
  check_same_tokenizing(previous, tok, o.normalize, o.tokenize, false);
}

}  // namespace

analysis_result pipeline::refit(const std::filesystem::path& path, const model& previous) {
  return refit(std::vector<std::filesystem::path>{path}, previous);
}

analysis_result pipeline::refit(const std::vector<std::filesystem::path>& paths,
                                const model& previous) {
  check_previous(previous, impl_->options, impl_->tok);
  impl_->previous = &previous;
  try {
    analysis_result r = impl_->from_file(paths, true);
    impl_->previous = nullptr;
    return r;
  } catch (...) {
    impl_->previous = nullptr;
    throw;
  }
}

analysis_result pipeline::refit(corpus input, const model& previous) {
  check_previous(previous, impl_->options, impl_->tok);
  impl_->previous = &previous;
  try {
    analysis_result r = impl_->from_corpus(std::move(input), true);
    impl_->previous = nullptr;
    return r;
  } catch (...) {
    impl_->previous = nullptr;
    throw;
  }
}

analysis_result pipeline::read_terms(const std::filesystem::path& path) {
  return read_terms(std::vector<std::filesystem::path>{path});
}

analysis_result pipeline::read_terms(const std::vector<std::filesystem::path>& paths) {
  return impl_->from_file(paths, false);
}

analysis_result pipeline::read_terms(corpus input) {
  return impl_->from_corpus(std::move(input), false);
}

std::vector<std::vector<std::string>> pipeline::tokenize(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> out;
  impl_->arena.execute([&] {
    text_column normalized;
    for (auto& p : impl_->normalize_blocks(
             texts.size(), [](std::size_t) { return true; },
             [&](std::size_t i) { return std::string_view(texts[i]); }, true))
      normalized.append(std::move(p.texts));
    out = impl_->tok.intern(normalized).to_rows();
  });
  return out;
}

}  // namespace koe
