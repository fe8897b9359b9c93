// libFuzzer target: koe::normalize never throws on text under 2 GiB, writes valid UTF-8 and is
// idempotent, with the default rules, with emoji removal, and with NFKC off.
#include "fuzz_check.hpp"

#include <koe/normalize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

std::string escaped(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace koe_fuzz;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  koe::normalize_options defaults;
  koe::normalize_options no_emoji;
  no_emoji.remove_emoji = true;
  koe::normalize_options no_nfkc;
  no_nfkc.nfkc = false;
  int which = 0;
  for (const auto& options : {defaults, no_emoji, no_nfkc}) {
    const std::string once = koe::normalize(text, options);
    check(valid_utf8(once),
          "options " + std::to_string(which) + ": output is not UTF-8: " + escaped(once));
    const std::string twice = koe::normalize(once, options);
    check(twice == once, "options " + std::to_string(which) +
                             ": not idempotent\n  in:    " + escaped(text) +
                             "\n  once:  " + escaped(once) + "\n  twice: " + escaped(twice));
    ++which;
  }
  return 0;
}
