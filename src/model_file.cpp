// The model file's bytes: the envelope (magic, format, payload length, XXH64 checksum) around a
// CBOR payload (model_payload.cpp), written deterministically and checked before any use.
// Reading and writing files is in model_file_io.cpp.
#include <koe/error.hpp>
#include <koe/model_file.hpp>

#include "detail/model_payload.hpp"

#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <cmath>
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

// The payload is never nested deeper than 4 levels; the reader, which recurses once per level,
// refuses more than 16 so that no file can exhaust the stack.
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

/**
 * Reads the payload's CBOR into a JSON value: the subset the format writes (integers, byte and
 * text strings, arrays, maps with text keys, booleans, null, floats), all of definite length.
 * Every length is checked against the bytes left before anything is allocated, byte strings are
 * copied whole, and nesting deeper than `max_depth`, repeated keys, tags and indefinite lengths
 * are refused. (nlohmann_json's own reader would take a byte at a time: 5 times slower on the
 * centroids.)
 */
class cbor_reader {
 public:
  cbor_reader(std::string_view in, const std::string& name) : in_(in), name_(name) {}

  json read() {
    json value = item(0);
    if (pos_ != in_.size()) fail("bytes after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw error(errc::invalid_model, name_ + ": malformed payload (" + what + " at payload byte " +
                                         std::to_string(start_) + ")");
  }

  [[nodiscard]] std::size_t left() const noexcept { return in_.size() - pos_; }

  std::uint64_t argument(unsigned info) {
    if (info < 24) return info;
    if (info > 27) fail(info == 31 ? "indefinite length" : "reserved additional information");
    const std::size_t n = std::size_t{1} << (info - 24);  // 1, 2, 4 or 8 bytes, big-endian
    if (left() < n) fail("unexpected end");
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < n; ++i)
      value = (value << 8) | static_cast<unsigned char>(in_[pos_ + i]);
    pos_ += n;
    return value;
  }

  std::string_view take(std::uint64_t n) {
    if (n > left()) fail("a length of " + std::to_string(n) + " past the end");
    const std::string_view bytes = in_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return bytes;
  }

  json item(std::size_t depth) {
    start_ = pos_;
    if (left() == 0) fail("unexpected end");
    const auto initial = static_cast<unsigned char>(in_[pos_++]);
    const unsigned major = initial >> 5, info = initial & 0x1Fu;
    if (major == 7) return simple(info);
    if (major == 6) fail("a tag");
    const std::uint64_t arg = argument(info);
    switch (major) {
      case 0:
        return json(arg);
      case 1:
        if (arg > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          fail("a negative integer out of range");
        return json(-1 - static_cast<std::int64_t>(arg));
      case 2: {
        const std::string_view b = take(arg);
        return json::binary(json::binary_t::container_type(b.begin(), b.end()));
      }
      case 3:
        return json(std::string(take(arg)));
      case 4:
        return array(arg, depth);
      default:
        return map(arg, depth);
    }
  }

  json array(std::uint64_t n, std::size_t depth) {
    if (depth >= max_depth) fail("nested deeper than " + std::to_string(max_depth) + " levels");
    if (n > left()) fail("an array of " + std::to_string(n) + " items past the end");
    json out = json::array();
    out.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i)
      out.push_back(item(depth + 1));
    return out;
  }

  json map(std::uint64_t n, std::size_t depth) {
    if (depth >= max_depth) fail("nested deeper than " + std::to_string(max_depth) + " levels");
    if (n > left() / 2) fail("a map of " + std::to_string(n) + " entries past the end");
    json out = json::object();
    for (std::uint64_t i = 0; i < n; ++i) {
      const json key = item(depth + 1);
      if (!key.is_string()) fail("a map key that is not text");
      const std::string& name = key.get_ref<const std::string&>();
      if (out.contains(name)) fail("repeated key '" + name + "'");
      out[name] = item(depth + 1);
    }
    return out;
  }

  json simple(unsigned info) {
    switch (info) {
      case 20:
        return json(false);
      case 21:
        return json(true);
      case 22:
        return json(nullptr);
      case 25:
        return json(half_float(static_cast<std::uint16_t>(argument(info))));
      case 26: {
        const auto bits = static_cast<std::uint32_t>(argument(info));
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        return json(static_cast<double>(f));
      }
      case 27: {
        const std::uint64_t bits = argument(info);
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        return json(d);
      }
      default:
        fail("simple value " + std::to_string(info));
    }
  }

  // IEEE 754 binary16 (RFC 8949, appendix D).
  static double half_float(std::uint16_t h) {
    const int exponent = (h >> 10) & 0x1F;
    const double mantissa = h & 0x3FF;
    double value = 0;
    if (exponent == 0)
      value = std::ldexp(mantissa, -24);
    else if (exponent != 31)
      value = std::ldexp(mantissa + 1024, exponent - 25);
    else
      value = mantissa == 0 ? std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::quiet_NaN();
    return (h & 0x8000) != 0 ? -value : value;
  }

  std::string_view in_;
  const std::string& name_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;  ///< Where the item being read starts, for messages.
};

json parse_payload(std::string_view payload, const std::string& name) {
  return cbor_reader(payload, name).read();
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
  f.content = detail::model_from_payload(parse_payload(payload, name), name, f.info.koe_version);
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
