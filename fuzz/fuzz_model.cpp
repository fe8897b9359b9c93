// libFuzzer target: decoding a model file never crashes, leaks or hangs, whatever the bytes; a
// refusal is always koe::error with errc::invalid_model; and whatever decodes encodes back to the
// same bytes. An input starting with the magic is tried as a whole file; any other input is tried
// as a payload, sealed with a correct length and checksum first, so that the CBOR reader and the
// field checks behind the checksum are reached too.
#include "fuzz_check.hpp"

#include <koe/error.hpp>
#include <koe/model_file.hpp>

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

template <class Int>
void append_le(std::string& out, Int value) {
  for (std::size_t i = 0; i < sizeof(Int); ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::string sealed(std::string_view payload) {
  std::string file = "KOEMODEL";
  append_le<std::uint32_t>(file, 1);
  append_le<std::uint64_t>(file, payload.size());
  file.append(payload);
  append_le<std::uint64_t>(file, XXH64(file.data(), file.size(), 0));
  return file;
}

void try_decode(const std::string& file) {
  using koe_fuzz::check;
  koe::model m;
  try {
    m = koe::decode_model(file, "fuzz.koe");
  } catch (const koe::error& e) {
    check(e.code() == koe::errc::invalid_model,
          std::string("refused with a code other than invalid_model: ") + e.what());
    check(std::string_view(e.what()).substr(0, 10) == "fuzz.koe: ",
          std::string("message does not name the file: ") + e.what());
    return;
  }
  // A model that decodes is whole: it encodes, and its bytes decode and encode to themselves.
  const std::string once = koe::encode_model(m);
  const std::string twice = koe::encode_model(koe::decode_model(once, "again"));
  check(once == twice, "encoding a decoded model is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.substr(0, 8) == "KOEMODEL")
    try_decode(std::string(input));
  else
    try_decode(sealed(input));
  return 0;
}
