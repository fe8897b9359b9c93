// Tokenizing: koe's term extraction (koe::tokenizer::terms and ::intern) beside MeCab's bare
// lattice search on the same normalized voices and threads, so koe's own cost per voice is the
// difference.
#include "bench_common.hpp"

#include <mecab.h>
#include <tbb/enumerable_thread_specific.h>

#include <memory>
#include <stdexcept>

namespace {

// MeCab alone, as `mecab -Owakati` runs it: one shared model, one tagger and lattice per thread,
// every node visited once. This is the floor no tokenizer built on MeCab can go below.
void BM_MeCabParse(benchmark::State& state) {
  const auto& texts = koe::bench::normalized_texts();
  const std::string arg = "-d " + koe::bench::shared_tokenizer().dictionary();
  const std::unique_ptr<MeCab::Model> model(MeCab::createModel(arg.c_str()));
  if (!model) throw std::runtime_error(std::string("MeCab: ") + MeCab::getLastError());
  struct worker {
    std::unique_ptr<MeCab::Tagger> tagger;
    std::unique_ptr<MeCab::Lattice> lattice;
  };
  tbb::enumerable_thread_specific<worker> workers([&] {
    return worker{std::unique_ptr<MeCab::Tagger>(model->createTagger()),
                  std::unique_ptr<MeCab::Lattice>(model->createLattice())};
  });
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::vector<std::size_t> nodes(texts.size());
  for (auto _ : state) {
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, texts.size(), 256),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          worker& w = workers.local();
                          for (std::size_t i = r.begin(); i < r.end(); ++i) {
                            w.lattice->set_sentence(texts[i].c_str());
                            w.tagger->parse(w.lattice.get());
                            std::size_t n = 0;
                            for (const MeCab::Node* p = w.lattice->bos_node(); p; p = p->next)
                              n += static_cast<std::size_t>(p->feature[0] != '\0');
                            nodes[i] = n;
                          }
                        });
    });
    benchmark::DoNotOptimize(nodes.data());
  }
  koe::bench::set_throughput(state, texts.size(), koe::bench::normalized_bytes());
}
BENCHMARK(BM_MeCabParse)->Apply(koe::bench::thread_args);

// koe's term extraction for callers that want strings: MeCab plus POS filter, compounds,
// negation, numbers and stop words, one std::vector<std::string> of terms per voice.
void BM_TokenizerTerms(benchmark::State& state) {
  const auto& texts = koe::bench::normalized_texts();
  const koe::tokenizer& tok = koe::bench::shared_tokenizer();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t terms = 0;
  for (auto _ : state) {
    arena.execute([&] {
      const auto out = tok.terms(texts);
      terms = 0;
      for (const auto& t : out)
        terms += t.size();
    });
  }
  koe::bench::set_throughput(state, texts.size(), koe::bench::normalized_bytes());
  state.counters["terms"] = static_cast<double>(terms);
}
BENCHMARK(BM_TokenizerTerms)->Apply(koe::bench::thread_args);

// The same terms as the pipeline keeps them (koe::tokenizer::intern): one id per term
// occurrence, each distinct term stored once.
void BM_TokenizerIntern(benchmark::State& state) {
  const auto& texts = koe::bench::normalized_texts();
  const koe::tokenizer& tok = koe::bench::shared_tokenizer();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t terms = 0;
  for (auto _ : state) {
    arena.execute([&] { terms = tok.intern(texts).occurrences(); });
  }
  koe::bench::set_throughput(state, texts.size(), koe::bench::normalized_bytes());
  state.counters["terms"] = static_cast<double>(terms);
}
BENCHMARK(BM_TokenizerIntern)->Apply(koe::bench::thread_args);

}  // namespace

BENCHMARK_MAIN();
