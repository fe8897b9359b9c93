// Reading one input with koe::read_corpus into a plain-text summary, so that two builds of the
// reader (ordinary and tiny chunks) can be compared without sharing any koe type.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace koe_fuzz {

/// What to read and how; `format` and `errors` are the enumerator values of koe's options.
struct read_request {
  std::string_view bytes;
  std::string name;
  int format = 0;
  bool skip = false;
  std::string encoding = "utf-8";
  std::size_t max_voice_bytes = 16384;
};

/// Every field of every document, or "error CODE: MESSAGE"; checks the reader's invariants.
std::string read_summary(const read_request& request);

/// The same from the reader built with 5-byte chunks (read_summary.cpp built with
/// -Dkoe=koe_small -DKOE_IO_CHUNK_BYTES=5 -DKOE_FUZZ_SMALL).
std::string read_summary_small(const read_request& request);

}  // namespace koe_fuzz
