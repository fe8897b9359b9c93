// libFuzzer target: the tokenizer path of the pipeline (normalize, then tokenizer::worker and
// tokenizer::intern), and the worker on raw text that is valid UTF-8. Offsets stay inside the
// text; terms are UTF-8; interned terms equal the plain ones.
#include "fuzz_check.hpp"

#include <koe/normalize.hpp>
#include <koe/tokenize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

/// One tokenizer for the whole run: loading MeCab's dictionary takes far longer than one input.
const koe::tokenizer& tokenizer() {
  static const koe::tokenizer tok{koe::tokenize_options{}};
  return tok;
}

koe::tokenizer::worker& worker() {
  static koe::tokenizer::worker w = tokenizer().new_worker();
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
  const std::vector<std::string> terms = w.terms(text);
  for (const auto& term : terms)
    check(!term.empty() && valid_utf8(term), "empty or non-UTF-8 term");
  // The pipeline's path: the same terms, interned.
  const koe::term_table table = tokenizer().intern({std::string(text)});
  check(table.rows() == 1 && table.row_terms(0) == terms, "interned terms differ from the terms");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  check_text(koe::normalize(raw));
  if (koe_fuzz::valid_utf8(raw)) check_text(raw);
  return 0;
}
