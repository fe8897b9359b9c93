// libFuzzer target: the tokenizer path of the pipeline (normalize, then tokenizer::worker), and
// the worker on raw text that is valid UTF-8. Offsets stay inside the text; terms are UTF-8.
#include "fuzz_check.hpp"

#include <koe/normalize.hpp>
#include <koe/tokenize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

/// One tokenizer for the whole run: loading MeCab's dictionary takes far longer than one input.
koe::tokenizer::worker& worker() {
  static const koe::tokenizer tok{koe::tokenize_options{}};
  static koe::tokenizer::worker w = tok.new_worker();
  return w;
}

void check_text(std::string_view text) {
  using namespace koe_fuzz;
  auto& w = worker();
  for (const auto& t : w.analyze(text)) {
    check(t.begin <= t.end && t.end <= text.size(), "token offsets outside the text");
    check(valid_utf8(text.substr(t.begin, t.end - t.begin)), "token splits a character");
    check(valid_utf8(t.lemma) && valid_utf8(t.pos), "lemma or part of speech not UTF-8");
  }
  for (const auto& term : w.terms(text))
    check(!term.empty() && valid_utf8(term), "empty or non-UTF-8 term");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  check_text(koe::normalize(raw));
  if (koe_fuzz::valid_utf8(raw)) check_text(raw);
  return 0;
}
