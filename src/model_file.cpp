// The model file's bytes: the envelope (magic, format, payload length, XXH64 checksum) around a
// CBOR payload (model_payload.cpp), written deterministically and checked before any use.
// Reading and writing files is in model_file_io.cpp.
#include <koe/error.hpp>
#include <koe/model_file.hpp>

#include "detail/model_payload.hpp"

#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <limits>
#include <utility>
#include <vector>

namespace koe {

namespace {

using json = nlohmann::json;

// The envelope, the same for every format (docs/model-format.md): the magic, the format (u32),
// the payload length (u64), the payload, the XXH64 of everything before it (u64); integers are
// little-endian.
constexpr std::string_view magic = "KOEMODEL";
constexpr std::size_t format_offset = 8;
constexpr std::size_t length_offset = 12;
constexpr std::size_t header_size = 20;
constexpr std::size_t checksum_size = 8;

// The payload is never nested deeper than 4 levels; a deeper one is refused before the CBOR
// reader, which recurses once per level, could exhaust the stack.
constexpr std::size_t max_depth = 16;

template <class Int>
void put_le(char* out, Int value) {
  for (std::size_t i = 0; i < sizeof(Int); ++i)
    out[i] = static_cast<char>(static_cast<unsigned char>((value >> (8 * i)) & 0xFF));
}

template <class Int>
Int get_le(const char* in) {
  Int value = 0;
  for (std::size_t i = 0; i < sizeof(Int); ++i)
    value |= static_cast<Int>(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}

std::uint64_t checksum(std::string_view bytes) {
  return XXH64(bytes.data(), bytes.size(), 0);
}

/// Builds the payload's JSON value from the CBOR reader's events, refusing nesting deeper than
/// `max_depth` and repeated keys (which the format never writes), so the reader stops at once.
class payload_builder final : public json::json_sax_t {
 public:
  bool null() override { return add(json(nullptr)); }
  bool boolean(bool value) override { return add(json(value)); }
  bool number_integer(number_integer_t value) override { return add(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add(json(value)); }
  bool number_float(number_float_t value, const string_t& /*text*/) override {
    return add(json(value));
  }
  bool string(string_t& value) override { return add(json(std::move(value))); }
  bool binary(binary_t& value) override {
    return add(json::binary(std::move(static_cast<binary_t::container_type&>(value))));
  }
  bool start_object(std::size_t /*elements*/) override { return open(json::object()); }
  bool key(string_t& name) override {
    if (stack_.back()->contains(name)) {
      problem_ = "repeated key '" + name + "'";
      return false;
    }
    key_ = std::move(name);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*elements*/) override { return open(json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const json::exception& /*ex*/) override {
    problem_ = "not valid CBOR at payload byte " + std::to_string(position);
    return false;
  }

  [[nodiscard]] json& root() noexcept { return root_; }
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

 private:
  json* place(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(value));
      return &top.back();
    }
    return &(top[key_] = std::move(value));
  }
  bool add(json&& value) {
    place(std::move(value));
    return true;
  }
  bool open(json&& container) {
    if (stack_.size() >= max_depth) {
      problem_ = "nested deeper than " + std::to_string(max_depth) + " levels";
      return false;
    }
    // Only the innermost open container grows, so the pointers to the outer ones stay valid.
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string problem_;
};

json parse_payload(std::string_view payload, const std::string& name) {
  payload_builder builder;
  bool ok = false;
  try {
    ok = json::sax_parse(payload.data(), payload.data() + payload.size(), &builder,
                         json::input_format_t::cbor, true);
  } catch (const json::exception& e) {
    throw error(errc::invalid_model, name + ": malformed payload (" + e.what() + ")");
  }
  if (!ok) {
    throw error(
        errc::invalid_model,
        name + ": malformed payload (" +
            (builder.problem().empty() ? std::string("not valid CBOR") : builder.problem()) + ")");
  }
  return std::move(builder.root());
}

/// Checks the envelope of `bytes` and returns the payload; throws `invalid_model` naming `name`.
std::string_view open_envelope(std::string_view bytes, const std::string& name,
                               std::uint32_t& format) {
  auto fail = [&name](const std::string& what) {
    throw error(errc::invalid_model, name + ": " + what);
  };
  if (bytes.size() < magic.size() || bytes.substr(0, magic.size()) != magic)
    fail("not a koe model file");
  const std::string size = std::to_string(bytes.size());
  if (bytes.size() < header_size + checksum_size) fail("truncated (" + size + " bytes)");
  const auto length = get_le<std::uint64_t>(bytes.data() + length_offset);
  const std::uint64_t room = bytes.size() - header_size - checksum_size;
  const auto stored = get_le<std::uint64_t>(bytes.data() + bytes.size() - checksum_size);
  if (checksum(bytes.substr(0, bytes.size() - checksum_size)) != stored) {
    // A file cut short no longer holds the length its header promises; any other difference is
    // damage.
    if (length > room) {
      const std::uint64_t limit =
          std::numeric_limits<std::uint64_t>::max() - header_size - checksum_size;
      fail("truncated (" + size +
           (length <= limit ? " of " + std::to_string(length + header_size + checksum_size) : "") +
           " bytes)");
    }
    fail("checksum mismatch (file damaged?)");
  }
  if (length != room)
    fail("the header's payload length (" + std::to_string(length) + ") does not match the file (" +
         size + " bytes)");
  format = get_le<std::uint32_t>(bytes.data() + format_offset);
  if (format == 0) fail("format 0 is not a koe model format");
  if (format > model_format) {
    fail("format " + std::to_string(format) + " is newer than this koe reads (" +
         std::to_string(model_format) + "); use a koe newer than " + KOE_VERSION);
  }
  return bytes.substr(header_size, static_cast<std::size_t>(length));
}

}  // namespace

std::string encode_model(const model& m) {
  detail::check_model(m, [](const std::string& what) {
    throw error(errc::invalid_argument, "cannot encode the model: " + what);
  });
  std::string out(header_size, '\0');
  {
    // The payload's objects are sorted maps, so the same model always gives the same bytes.
    const json payload = detail::model_payload(m, KOE_VERSION);
    json::to_cbor(payload, out);
  }
  std::memcpy(out.data(), magic.data(), magic.size());
  put_le<std::uint32_t>(out.data() + format_offset, model_format);
  put_le<std::uint64_t>(out.data() + length_offset, out.size() - header_size);
  char sum[checksum_size];
  put_le<std::uint64_t>(sum, checksum(out));
  out.append(sum, checksum_size);
  return out;
}

model_file decode_model_file(std::string_view bytes, const std::string& name) {
  model_file f;
  const std::string_view payload = open_envelope(bytes, name, f.info.format);
  f.content = detail::model_from_payload(parse_payload(payload, name), name, f.info.koe_version,
                                         f.info.format);
  f.info.bytes = bytes.size();
  f.info.clusters = static_cast<std::size_t>(f.content.centroids.rows());
  f.info.vocabulary = f.content.vectorizer.vocabulary.size();
  f.info.lsa_dimensions = static_cast<int>(f.content.lsa_basis.cols());
  f.info.dictionary = f.content.dictionary;
  return f;
}

model decode_model(std::string_view bytes, const std::string& name) {
  return std::move(decode_model_file(bytes, name).content);
}

}  // namespace koe
