// libFuzzer target: encoding detection and conversion (auto, shift_jis, cp932, euc-jp). Output is
// always UTF-8 without NUL; for a declared encoding, one chunk and 5-byte chunks must agree.
#include "fuzz_check.hpp"
#include "read_summary.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace koe_fuzz;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const char* encoding : {"auto", "shift_jis", "cp932", "euc-jp"}) {
    for (const int format : {1, 4}) {  // csv, text
      for (const bool skip : {false, true}) {
        read_request r;
        r.bytes = bytes;
        r.name = format == 1 ? "in.csv" : "in.txt";
        r.format = format;
        r.skip = skip;
        r.encoding = encoding;
        const std::string big = read_summary(r);
        // Detection sees only the first chunk, and so does the check that a declared Japanese
        // encoding is not really UTF-8; the tiny-chunk build cannot agree on those.
        if (r.encoding == "auto" || big.find(" but the input is UTF-8 (") != std::string::npos)
          continue;
        const std::string small = read_summary_small(r);
        check(big == small, r.name + " " + encoding + (skip ? " skip" : " fail") +
                                ": chunking changed the result\n--- one chunk\n" + big +
                                "\n--- 5-byte chunks\n" + small);
      }
    }
  }
  return 0;
}
