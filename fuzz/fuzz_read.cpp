// libFuzzer target: the CSV, TSV, JSON Lines and text readers, failing and skipping. Each input is
// read in every format and mode by two builds of the reader (one chunk and one block; 5-byte
// chunks cut into blocks of two records, parsed apart), which must agree byte for byte; a fail-mode
// success must equal the skip-mode result.
#include "fuzz_check.hpp"
#include "read_summary.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace koe_fuzz;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The enumerator values of koe::input_format: csv, tsv, jsonl, text.
  const char* names[] = {"in.csv", "in.tsv", "in.jsonl", "in.txt"};
  for (int format = 1; format <= 4; ++format) {
    std::string results[2];
    for (const bool skip : {false, true}) {
      read_request r;
      r.bytes = bytes;
      r.name = names[format - 1];
      r.format = format;
      r.skip = skip;
      // A small limit, so that truncation at character boundaries is exercised too.
      r.max_voice_bytes = 40;
      results[skip ? 1 : 0] = read_summary(r);
      const std::string small = read_summary_small(r);
      check(results[skip ? 1 : 0] == small, std::string(r.name) + (skip ? " skip" : " fail") +
                                                ": chunking changed the result\n--- one chunk\n" +
                                                results[skip ? 1 : 0] + "\n--- 5-byte chunks\n" +
                                                small);
    }
    if (!results[0].starts_with("error "))
      check(results[0] == results[1], std::string(names[format - 1]) +
                                          ": skipping changed a file without bad records\n" +
                                          results[0] + "\n---\n" + results[1]);
  }
  return 0;
}
