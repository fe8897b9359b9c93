// The summary of a model file that trends across models read: the envelope and checksum as the
// full reader checks them, then only the payload's small parts, the arrays skipped by length.
#include "detail/model_summary.hpp"

#include <koe/model_file.hpp>

#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace koe::detail {
namespace {

using json = nlohmann::json;

// Any surprise: the caller falls back to the full reader.
struct not_summarized : std::runtime_error {
  not_summarized() : std::runtime_error("not summarized") {}
};

std::uint64_t little_endian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

// A walk over CBOR items of definite length, without decoding them.
class cbor_walk {
 public:
  explicit cbor_walk(std::string_view bytes)
      : p_(reinterpret_cast<const unsigned char*>(bytes.data())), n_(bytes.size()) {}

  // The major type and argument of the item at `pos`; `pos` moves past its head.
  std::pair<int, std::uint64_t> head(std::size_t& pos) const {
    if (pos >= n_) throw not_summarized();
    const int major = p_[pos] >> 5;
    const int info = p_[pos] & 31;
    ++pos;
    if (info < 24) return {major, static_cast<std::uint64_t>(info)};
    if (info > 27) throw not_summarized();  // indefinite lengths and reserved values
    const int bytes = 1 << (info - 24);
    if (n_ - pos < static_cast<std::size_t>(bytes)) throw not_summarized();
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v = (v << 8) | p_[pos + static_cast<std::size_t>(i)];
    pos += static_cast<std::size_t>(bytes);
    return {major, v};
  }

  // The end of the item at `pos`.
  std::size_t skip(std::size_t pos, int depth = 0) const {
    if (depth > 16) throw not_summarized();
    const auto [major, arg] = head(pos);
    switch (major) {
      case 2:
      case 3:
        if (arg > n_ - pos) throw not_summarized();
        return pos + static_cast<std::size_t>(arg);
      case 4:
      case 5:
        if (arg > n_) throw not_summarized();
        for (std::uint64_t i = 0; i < (major == 5 ? 2 * arg : arg); ++i)
          pos = skip(pos, depth + 1);
        return pos;
      case 6:
        throw not_summarized();
      default:
        return pos;  // integers, simple values and floats: the head is all of it
    }
  }

  // The text key at `pos` (moving past it).
  std::string_view key(std::size_t& pos) const {
    const auto [major, arg] = head(pos);
    if (major != 3 || arg > n_ - pos) throw not_summarized();
    const std::string_view k(reinterpret_cast<const char*>(p_ + pos),
                             static_cast<std::size_t>(arg));
    pos += static_cast<std::size_t>(arg);
    return k;
  }

  // Calls `each(key, begin, end)` for each entry of the map at `pos`.
  template <class Each>
  void entries(std::size_t pos, const Each& each) const {
    const auto [major, count] = head(pos);
    if (major != 5 || count > n_) throw not_summarized();
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::string_view k = key(pos);
      const std::size_t end = skip(pos);
      each(k, pos, end);
      pos = end;
    }
  }

  [[nodiscard]] json decode(std::size_t begin, std::size_t end) const {
    return json::from_cbor(p_ + begin, p_ + end);
  }

 private:
  const unsigned char* p_;
  std::size_t n_;
};

model_cluster cluster_of(const json& j, cluster_status status) {
  model_cluster c;
  c.id = j.at("id").get<int>();
  c.label = j.at("label").get<std::string>();
  c.size = j.at("size").get<std::size_t>();
  c.born = j.at("born").get<std::string>();
  c.parents = j.at("parents").get<std::vector<int>>();
  if (j.at("status").get<std::string>() != to_string(status)) throw not_summarized();
  c.status = status;
  return c;
}

normalize_options normalization_of(const json& j) {
  normalize_options n;
  n.nfkc = j.at("nfkc").get<bool>();
  n.fold_case = j.at("fold_case").get<bool>();
  n.unify_long_vowels = j.at("unify_long_vowels").get<bool>();
  n.collapse_repeats = j.at("collapse_repeats").get<bool>();
  n.mask_urls = j.at("mask_urls").get<bool>();
  n.mask_emails = j.at("mask_emails").get<bool>();
  n.mask_phones = j.at("mask_phones").get<bool>();
  n.remove_emoji = j.at("remove_emoji").get<bool>();
  n.trim = j.at("trim").get<bool>();
  return n;
}

tokenize_options tokenizer_of(const json& j) {
  using texts = std::vector<std::string>;
  tokenize_options t;
  t.dicdir = j.at("dicdir").get<std::string>();
  t.user_dictionaries = j.at("user_dictionaries").get<texts>();
  t.pos = j.at("pos").get<texts>();
  t.drop_subclasses = j.at("drop_subclasses").get<texts>();
  const std::string compounds = j.at("compounds").get<std::string>();
  if (compounds == "off")
    t.compounds = compound_mode::off;
  else if (compounds == "join")
    t.compounds = compound_mode::join;
  else if (compounds == "parts_and_join")
    t.compounds = compound_mode::parts_and_join;
  else
    throw not_summarized();
  t.join_negation = j.at("join_negation").get<bool>();
  t.fold_numbers = j.at("fold_numbers").get<bool>();
  t.number_term = j.at("number_term").get<std::string>();
  t.stopword_files = j.at("stopword_files").get<texts>();
  t.use_default_stopwords = j.at("use_default_stopwords").get<bool>();
  t.extra_stopwords = j.at("extra_stopwords").get<texts>();
  return t;
}

dictionary_identity dictionary_of(const json& j) {
  dictionary_identity d;
  d.name = j.at("name").get<std::string>();
  d.charset = j.at("charset").get<std::string>();
  d.layout = j.at("layout").get<std::string>();
  d.fingerprint = j.at("fingerprint").get<std::string>();
  d.user_dictionaries = j.at("user_dictionaries").get<std::vector<std::string>>();
  return d;
}

void read_continuity(const json& j, model& m) {
  m.period = j.at("period").get<std::string>();
  m.fits = j.at("fits").get<std::uint32_t>();
  m.next_id = j.at("next_id").get<int>();
  for (const auto& c : j.at("dormant"))
    m.dormant.push_back(cluster_of(c, cluster_status::dormant));
}

// The payload's parts, each decoded from its own bytes; every array of numbers is skipped.
model summary_of(const cbor_walk& walk) {
  model m;
  unsigned seen = 0;
  walk.entries(0, [&](std::string_view k, std::size_t begin, std::size_t end) {
    if (k == "clusters") {
      for (const auto& c : walk.decode(begin, end))
        m.clusters.push_back(cluster_of(c, cluster_status::active));
      seen |= 1U;
    } else if (k == "continuity") {
      read_continuity(walk.decode(begin, end), m);
      seen |= 2U;
    } else if (k == "dictionary_id") {
      m.dictionary_id = dictionary_of(walk.decode(begin, end));
      seen |= 4U;
    } else if (k == "normalization") {
      m.normalization = normalization_of(walk.decode(begin, end));
      seen |= 8U;
    } else if (k == "tokenizer") {
      m.tokenizer = tokenizer_of(walk.decode(begin, end));
      seen |= 16U;
    } else if (k == "dictionary") {
      m.dictionary = walk.decode(begin, end).get<std::string>();
      seen |= 32U;
    } else if (k == "vectorizer") {
      walk.entries(begin, [&](std::string_view vk, std::size_t b, std::size_t e) {
        if (vk != "documents") return;
        m.vectorizer.documents = walk.decode(b, e).get<std::uint64_t>();
        seen |= 64U;
      });
    }
  });
  if (seen != 127U || m.clusters.empty()) throw not_summarized();
  m.centroids = dense_matrix(static_cast<Eigen::Index>(m.clusters.size()), 0);
  return m;
}

}  // namespace

std::optional<model> read_model_summary(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return std::nullopt;
  if (bytes.size() < 28 || std::memcmp(bytes.data(), "KOEMODEL", 8) != 0) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (little_endian(p + 8, 4) != model_format) return std::nullopt;
  const std::uint64_t n = little_endian(p + 12, 8);
  if (n != bytes.size() - 28) return std::nullopt;
  const std::size_t body = static_cast<std::size_t>(20 + n);
  if (XXH64(bytes.data(), body, 0) != little_endian(p + body, 8)) return std::nullopt;
  try {
    return summary_of(cbor_walk(std::string_view(bytes).substr(20, static_cast<std::size_t>(n))));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace koe::detail
