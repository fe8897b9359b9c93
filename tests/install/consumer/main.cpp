// A program outside the koe tree, built against the installed package.
#include <koe/koe.hpp>  // the umbrella header: every installed header must be there

#include <iostream>

int main() {
  const std::string text = koe::normalize("ＡＰＰが落ちる！！！");
  koe::tokenizer tok;
  auto worker = tok.new_worker();
  const auto terms = worker.terms(text);
  const auto m = koe::vectorize({terms, terms});
  std::cout << text << ' ' << terms.size() << ' ' << m.rows.nonZeros() << '\n';
  return text == "appが落ちる!" && !terms.empty() ? 0 : 1;
}
