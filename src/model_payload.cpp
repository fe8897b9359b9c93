// The payload of a model file: every field of koe::model as a JSON value and back. Numeric arrays
// travel as byte strings of little-endian values, enums by their stable names, and reading
// accepts exactly the keys format 1 writes, each of its one type (docs/model-format.md).
#include <koe/error.hpp>

#include "detail/model_payload.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace koe::detail {

namespace {

using json = nlohmann::json;
using byte_vector = json::binary_t::container_type;

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "the model file needs a little- or big-endian machine");

// The names of the compound modes, as files and options write them.
constexpr std::array<std::pair<compound_mode, std::string_view>, 3> compound_names = {{
    {compound_mode::off, "off"},
    {compound_mode::join, "join"},
    {compound_mode::parts_and_join, "parts_and_join"},
}};

std::string_view name_of(compound_mode mode) {
  for (const auto& [m, name] : compound_names)
    if (m == mode) return name;
  return "parts_and_join";
}

template <class T>
void swap_each(std::uint8_t* bytes, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    std::reverse(bytes + i * sizeof(T), bytes + (i + 1) * sizeof(T));
}

/// `n` values at `data` as little-endian bytes.
template <class T>
byte_vector little_endian(const T* data, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<T>);
  byte_vector out(n * sizeof(T));
  if (n != 0) std::memcpy(out.data(), data, out.size());
  if constexpr (std::endian::native == std::endian::big) swap_each<T>(out.data(), n);
  return out;
}

/// Little-endian bytes (a whole number of values, checked by the caller) into `out`.
template <class T>
void from_little_endian(const byte_vector& in, T* out) {
  if (in.empty()) return;
  std::memcpy(out, in.data(), in.size());
  if constexpr (std::endian::native == std::endian::big)
    swap_each<T>(reinterpret_cast<std::uint8_t*>(out), in.size() / sizeof(T));
}

json matrix_json(const dense_matrix& m) {
  json j = json::object();
  j["rows"] = static_cast<std::uint64_t>(m.rows());
  j["cols"] = static_cast<std::uint64_t>(m.cols());
  j["data"] = json::binary(little_endian(m.data(), static_cast<std::size_t>(m.size())));
  return j;
}

json df_bound_json(const df_bound& b) {
  return json{{"value", b.value}, {"fraction", b.fraction}};
}

json normalization_json(const normalize_options& o) {
  return json{{"nfkc", o.nfkc},
              {"fold_case", o.fold_case},
              {"unify_long_vowels", o.unify_long_vowels},
              {"collapse_repeats", o.collapse_repeats},
              {"mask_urls", o.mask_urls},
              {"mask_emails", o.mask_emails},
              {"mask_phones", o.mask_phones},
              {"remove_emoji", o.remove_emoji},
              {"trim", o.trim}};
}

json tokenizer_json(const tokenize_options& o) {
  return json{{"dicdir", o.dicdir},
              {"user_dictionaries", o.user_dictionaries},
              {"pos", o.pos},
              {"drop_subclasses", o.drop_subclasses},
              {"compounds", name_of(o.compounds)},
              {"join_negation", o.join_negation},
              {"fold_numbers", o.fold_numbers},
              {"number_term", o.number_term},
              {"stopword_files", o.stopword_files},
              {"use_default_stopwords", o.use_default_stopwords},
              {"extra_stopwords", o.extra_stopwords}};
}

json dictionary_json(const dictionary_identity& d) {
  return json{{"name", d.name},
              {"charset", d.charset},
              {"layout", d.layout},
              {"fingerprint", d.fingerprint},
              {"user_dictionaries", d.user_dictionaries}};
}

json vectorizer_json(const tfidf_model& v) {
  const vectorize_options& o = v.options;
  json options = {{"min_df", df_bound_json(o.min_df)},
                  {"max_df", df_bound_json(o.max_df)},
                  {"max_features", static_cast<std::uint64_t>(o.max_features)},
                  {"sublinear_tf", o.sublinear_tf},
                  {"use_idf", o.use_idf},
                  {"smooth_idf", o.smooth_idf},
                  {"normalize", o.normalize}};
  json j = json::object();
  j["options"] = std::move(options);
  j["vocabulary"] = v.vocabulary;
  j["df"] = json::binary(little_endian(v.df.data(), v.df.size()));
  j["idf"] = json::binary(little_endian(v.idf.data(), v.idf.size()));
  j["documents"] = v.documents;
  return j;
}

json lsa_json(const lsa_options& o, const dense_matrix& basis) {
  json j = {{"dimensions", o.dimensions},
            {"oversample", o.oversample},
            {"power_iterations", o.power_iterations},
            {"seed", o.seed}};
  j["basis"] = matrix_json(basis);
  return j;
}

json clustering_json(const cluster_options& o) {
  json j = {{"k", o.k},
            {"k_min", o.k_min},
            {"k_max", o.k_max},
            {"n_init", o.n_init},
            {"max_iter", o.max_iter},
            {"tol", o.tol},
            {"seed", o.seed},
            {"min_similarity", o.min_similarity},
            {"merge_factor", o.merge_factor},
            {"auto_sample", static_cast<std::uint64_t>(o.auto_sample)},
            {"silhouette_sample", static_cast<std::uint64_t>(o.silhouette_sample)},
            {"seed_sample", static_cast<std::uint64_t>(o.seed_sample)}};
  j["init"] = matrix_json(o.init);
  return j;
}

json description_json(const describe_options& o) {
  return json{{"top_terms", static_cast<std::uint64_t>(o.top_terms)},
              {"label_terms", static_cast<std::uint64_t>(o.label_terms)},
              {"representatives", static_cast<std::uint64_t>(o.representatives)}};
}

json clusters_json(const std::vector<model_cluster>& clusters) {
  json out = json::array();
  for (const model_cluster& c : clusters) {
    json j = {{"id", c.id},
              {"label", c.label},
              {"key_terms", c.key_terms},
              {"size", static_cast<std::uint64_t>(c.size)},
              {"cohesion", c.cohesion},
              {"born", c.born},
              {"status", to_string(c.status)},
              {"parents", c.parents}};
    j["similarity_percentiles"] = json::binary(
        little_endian(c.similarity_percentiles.data(), c.similarity_percentiles.size()));
    json history = json::array();
    for (const cluster_period& h : c.history)
      history.push_back(json{{"period", h.period},
                             {"label", h.label},
                             {"size", static_cast<std::uint64_t>(h.size)},
                             {"share", h.share}});
    j["history"] = std::move(history);
    out.push_back(std::move(j));
  }
  return out;
}

json continuity_json(const model& m) {
  return json{{"period", m.period},
              {"fits", static_cast<std::uint64_t>(m.fits)},
              {"next_id", m.next_id},
              {"dormant", clusters_json(m.dormant)},
              {"dormant_centroids", matrix_json(m.dormant_centroids)}};
}

json k_curve_json(const std::vector<k_score>& curve) {
  json out = json::array();
  for (const k_score& s : curve)
    out.push_back(json{{"k", s.k}, {"silhouette", s.silhouette}});
  return out;
}

json decisions_json(const std::vector<decision>& decisions) {
  json out = json::array();
  for (const decision& d : decisions) {
    out.push_back(json{{"key", d.key},
                       {"status", word_of(d.status).english},
                       {"reason", d.reason},
                       {"date", d.date},
                       {"line", static_cast<std::uint64_t>(d.line)},
                       {"overlap", d.overlap},
                       {"cluster", d.cluster}});
  }
  return out;
}

// ---- reading ----------------------------------------------------------------------------------

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string type_of(const json& j) {
  if (j.is_number_float()) return "a float";
  if (j.is_number()) return "an integer";
  if (j.is_boolean()) return "a boolean";
  if (j.is_string()) return "a string";
  if (j.is_binary()) return "a byte string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return j.type_name();
}

/// One object of the payload, holding exactly the keys format 1 writes for it; the typed
/// accessors check each value before it is used, and every message names the file and the path.
class object_reader {
 public:
  object_reader(const json& j, std::string path, const std::string& file,
                std::initializer_list<std::string_view> keys)
      : j_(j), path_(std::move(path)), file_(file) {
    if (!j.is_object()) fail(path_, "expected an object, found " + type_of(j));
    for (const std::string_view key : keys) {
      if (!j.contains(std::string(key))) fail(path_, "missing key '" + std::string(key) + "'");
    }
    // Format 1 has no optional keys: a key it does not know is a newer writer's or damage, and
    // is never skipped silently.
    for (const auto& item : j.items()) {
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end())
        fail(path_, "unknown key '" + item.key() + "'");
    }
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw error(errc::invalid_model,
                file_ + ": " + (path.empty() ? "payload" : path) + ": " + what);
  }

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] std::string path(std::string_view key) const { return child_path(path_, key); }

  [[nodiscard]] const json& at(std::string_view key) const { return j_.at(std::string(key)); }

  [[nodiscard]] object_reader object(std::string_view key,
                                     std::initializer_list<std::string_view> keys) const {
    return object_reader(at(key), path(key), file_, keys);
  }

  [[nodiscard]] bool boolean(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_boolean()) fail(path(key), "expected a boolean, found " + type_of(v));
    return v.get<bool>();
  }

  [[nodiscard]] double number(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_number_float()) fail(path(key), "expected a float, found " + type_of(v));
    return v.get<double>();
  }

  template <class Int>
  [[nodiscard]] Int integer(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(path(key), "expected an integer, found " + type_of(v));
    using limits = std::numeric_limits<Int>;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(limits::max()))
        fail(path(key), std::to_string(u) + " is out of range");
      return static_cast<Int>(u);
    }
    const auto s = v.get<std::int64_t>();
    if (s < static_cast<std::int64_t>(limits::min()) ||
        (s > 0 && static_cast<std::uint64_t>(s) > static_cast<std::uint64_t>(limits::max())))
      fail(path(key), std::to_string(s) + " is out of range");
    return static_cast<Int>(s);
  }

  [[nodiscard]] std::string text(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(path(key), "expected a string, found " + type_of(v));
    return v.get<std::string>();
  }

  [[nodiscard]] std::vector<std::string> texts(std::string_view key) const {
    const json& v = array(key);
    std::vector<std::string> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string())
        fail(item_path(path(key), i), "expected a string, found " + type_of(v[i]));
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  [[nodiscard]] const json& array(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_array()) fail(path(key), "expected an array, found " + type_of(v));
    return v;
  }

  /// A byte string of little-endian values of `T`.
  template <class T>
  [[nodiscard]] std::vector<T> values(std::string_view key) const {
    const byte_vector& b = bytes(key);
    if (b.size() % sizeof(T) != 0)
      fail(path(key), std::to_string(b.size()) + " bytes are not a whole number of " +
                          std::to_string(sizeof(T)) + "-byte values");
    std::vector<T> out(b.size() / sizeof(T));
    from_little_endian(b, out.data());
    return out;
  }

  [[nodiscard]] dense_matrix matrix(std::string_view key) const {
    const object_reader m = object(key, {"rows", "cols", "data"});
    const auto rows = m.integer<std::int32_t>("rows");
    const auto cols = m.integer<std::int32_t>("cols");
    if (rows < 0 || cols < 0) fail(path(key), "negative shape");
    const byte_vector& b = m.bytes("data");
    // rows × cols × 4 is computed in 64 bits: both factors are below 2^31.
    const std::uint64_t expected =
        static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols) * sizeof(float);
    if (b.size() != expected)
      fail(path(key), std::to_string(b.size()) + " bytes of data for a " + std::to_string(rows) +
                          " × " + std::to_string(cols) + " matrix of 4-byte floats");
    dense_matrix out(rows, cols);
    from_little_endian(b, out.data());
    return out;
  }

 private:
  [[nodiscard]] const byte_vector& bytes(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_binary()) fail(path(key), "expected a byte string, found " + type_of(v));
    return v.get_binary();
  }

  const json& j_;
  std::string path_;
  const std::string& file_;
};

/// The elements of an array, each an object read by `read`.
template <class T, class Read>
std::vector<T> read_each(const object_reader& parent, std::string_view key, const Read& read) {
  const json& items = parent.array(key);
  std::vector<T> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    out.push_back(read(items[i], item_path(parent.path(key), i)));
  return out;
}

normalize_options read_normalization(const object_reader& o) {
  normalize_options n;
  n.nfkc = o.boolean("nfkc");
  n.fold_case = o.boolean("fold_case");
  n.unify_long_vowels = o.boolean("unify_long_vowels");
  n.collapse_repeats = o.boolean("collapse_repeats");
  n.mask_urls = o.boolean("mask_urls");
  n.mask_emails = o.boolean("mask_emails");
  n.mask_phones = o.boolean("mask_phones");
  n.remove_emoji = o.boolean("remove_emoji");
  n.trim = o.boolean("trim");
  return n;
}

tokenize_options read_tokenizer(const object_reader& o) {
  tokenize_options t;
  t.dicdir = o.text("dicdir");
  t.user_dictionaries = o.texts("user_dictionaries");
  t.pos = o.texts("pos");
  t.drop_subclasses = o.texts("drop_subclasses");
  const std::string compounds = o.text("compounds");
  const auto* mode = std::find_if(compound_names.begin(), compound_names.end(),
                                  [&](const auto& e) { return e.second == compounds; });
  if (mode == compound_names.end())
    o.fail(o.path("compounds"), "unknown mode '" + compounds + "' (off, join, parts_and_join)");
  t.compounds = mode->first;
  t.join_negation = o.boolean("join_negation");
  t.fold_numbers = o.boolean("fold_numbers");
  t.number_term = o.text("number_term");
  t.stopword_files = o.texts("stopword_files");
  t.use_default_stopwords = o.boolean("use_default_stopwords");
  t.extra_stopwords = o.texts("extra_stopwords");
  return t;
}

dictionary_identity read_dictionary(const object_reader& o) {
  dictionary_identity d;
  d.name = o.text("name");
  d.charset = o.text("charset");
  d.layout = o.text("layout");
  d.fingerprint = o.text("fingerprint");
  d.user_dictionaries = o.texts("user_dictionaries");
  return d;
}

df_bound read_df_bound(const object_reader& o) {
  return {o.number("value"), o.boolean("fraction")};
}

tfidf_model read_vectorizer(const object_reader& v) {
  tfidf_model t;
  const object_reader o = v.object("options", {"min_df", "max_df", "max_features", "sublinear_tf",
                                               "use_idf", "smooth_idf", "normalize"});
  t.options.min_df = read_df_bound(o.object("min_df", {"value", "fraction"}));
  t.options.max_df = read_df_bound(o.object("max_df", {"value", "fraction"}));
  t.options.max_features = o.integer<std::size_t>("max_features");
  t.options.sublinear_tf = o.boolean("sublinear_tf");
  t.options.use_idf = o.boolean("use_idf");
  t.options.smooth_idf = o.boolean("smooth_idf");
  t.options.normalize = o.boolean("normalize");
  t.vocabulary = v.texts("vocabulary");
  t.df = v.values<std::uint64_t>("df");
  t.idf = v.values<float>("idf");
  t.documents = v.integer<std::uint64_t>("documents");
  // The index is derived, never stored: the terms in use (df > 0; a refit keeps the terms that
  // no longer occur with df 0); check_model then verifies that the terms are distinct.
  t.index.reserve(t.vocabulary.size());
  for (std::size_t i = 0; i < t.vocabulary.size() && i <= INT32_MAX; ++i)
    if (i >= t.df.size() || t.df[i] > 0)
      t.index.emplace(t.vocabulary[i], static_cast<std::int32_t>(i));
  return t;
}

cluster_options read_clustering(const object_reader& o) {
  cluster_options c;
  c.k = o.integer<int>("k");
  c.k_min = o.integer<int>("k_min");
  c.k_max = o.integer<int>("k_max");
  c.n_init = o.integer<int>("n_init");
  c.max_iter = o.integer<int>("max_iter");
  c.tol = o.number("tol");
  c.seed = o.integer<std::uint64_t>("seed");
  c.min_similarity = o.number("min_similarity");
  c.merge_factor = o.integer<int>("merge_factor");
  c.auto_sample = o.integer<std::size_t>("auto_sample");
  c.silhouette_sample = o.integer<std::size_t>("silhouette_sample");
  c.seed_sample = o.integer<std::size_t>("seed_sample");
  c.init = o.matrix("init");
  return c;
}

describe_options read_description(const object_reader& o) {
  describe_options d;
  d.top_terms = o.integer<std::size_t>("top_terms");
  d.label_terms = o.integer<std::size_t>("label_terms");
  d.representatives = o.integer<std::size_t>("representatives");
  return d;
}

cluster_status read_status(const object_reader& o) {
  const std::string status = o.text("status");
  if (status == "active") return cluster_status::active;
  if (status == "dormant") return cluster_status::dormant;
  o.fail(o.path("status"), "unknown status '" + status + "' (active, dormant)");
}

// The keys format 2 adds to a cluster: where it was born, its status, parents and history.
void read_cluster_lineage(const object_reader& o, model_cluster& c) {
  c.born = o.text("born");
  c.status = read_status(o);
  const json& parents = o.array("parents");
  for (std::size_t i = 0; i < parents.size(); ++i) {
    if (!parents[i].is_number_integer())
      o.fail(item_path(o.path("parents"), i), "expected an integer, found " + type_of(parents[i]));
    c.parents.push_back(parents[i].get<int>());
  }
  c.history = read_each<cluster_period>(o, "history", [&](const json& h, const std::string& p) {
    const object_reader e(h, p, o.file(), {"period", "label", "size", "share"});
    return cluster_period{e.text("period"), e.text("label"), e.integer<std::size_t>("size"),
                          e.number("share")};
  });
}

model_cluster read_cluster(const json& j, const std::string& path, const std::string& file,
                           std::uint32_t format) {
  const object_reader o =
      format >= 2
          ? object_reader(j, path, file,
                          {"id", "label", "key_terms", "size", "cohesion", "similarity_percentiles",
                           "born", "status", "parents", "history"})
          : object_reader(
                j, path, file,
                {"id", "label", "key_terms", "size", "cohesion", "similarity_percentiles"});
  model_cluster c;
  if (format >= 2) read_cluster_lineage(o, c);
  c.id = o.integer<int>("id");
  c.label = o.text("label");
  c.key_terms = o.texts("key_terms");
  c.size = o.integer<std::size_t>("size");
  c.cohesion = o.number("cohesion");
  c.similarity_percentiles = o.values<double>("similarity_percentiles");
  return c;
}

decision read_decision(const json& j, const std::string& path, const std::string& file,
                       std::uint32_t format) {
  const object_reader o =
      format >= 2
          ? object_reader(j, path, file,
                          {"key", "status", "reason", "date", "line", "overlap", "cluster"})
          : object_reader(j, path, file, {"key", "status", "reason", "date", "line", "overlap"});
  decision d;
  if (format >= 2) d.cluster = o.integer<int>("cluster");
  d.key = o.text("key");
  const std::string status = o.text("status");
  const auto* word = std::find_if(decision_words.begin(), decision_words.end(),
                                  [&](const decision_word& w) { return w.english == status; });
  if (word == decision_words.end())
    o.fail(o.path("status"),
           "unknown decision '" + status +
               "' (undecided, adopted, rejected, pending, planned, productized, launched)");
  d.status = word->status;
  d.reason = o.text("reason");
  d.date = o.text("date");
  d.line = o.integer<std::size_t>("line");
  d.overlap = o.number("overlap");
  return d;
}

std::string shape(const dense_matrix& m) {
  return std::to_string(m.rows()) + " × " + std::to_string(m.cols());
}

void check_vectorizer(const tfidf_model& v, const model_complaint& complain) {
  const std::size_t n = v.vocabulary.size();
  const std::string terms = " values for " + std::to_string(n) + " terms";
  if (v.df.size() != n) complain("vectorizer.df has " + std::to_string(v.df.size()) + terms);
  if (v.idf.size() != n) complain("vectorizer.idf has " + std::to_string(v.idf.size()) + terms);
  if (n > static_cast<std::size_t>(INT32_MAX)) complain("vectorizer.vocabulary is too large");
  // Without repeats: a fresh fit sorts its terms by code point (UTF-8 byte order), a refit
  // appends its new terms after the previous model's, so only distinctness is checked.
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!seen.insert(v.vocabulary[i]).second)
      complain("vectorizer.vocabulary repeats a term at term " + std::to_string(i));
  }
  // The index holds the terms in use (df > 0), each at its position.
  std::size_t used = 0;
  bool index_matches = true;
  for (std::size_t i = 0; index_matches && i < n; ++i) {
    if (v.df[i] == 0) continue;
    ++used;
    const auto it = v.index.find(v.vocabulary[i]);
    index_matches = it != v.index.end() && it->second == static_cast<std::int32_t>(i);
  }
  index_matches = index_matches && v.index.size() == used;
  if (!index_matches) complain("vectorizer.index does not match the vocabulary");
}

void check_space(const model& m, const model_complaint& complain) {
  const auto terms = static_cast<Eigen::Index>(m.vectorizer.vocabulary.size());
  if (m.lsa.dimensions < 0) complain("lsa.dimensions is negative");
  if (m.lsa.dimensions == 0) {
    if (m.lsa_basis.size() != 0 || m.lsa_basis.rows() != 0)
      complain("lsa.basis is " + shape(m.lsa_basis) + " without an LSA reduction");
    if (m.centroids.cols() != terms)
      complain("centroids have " + std::to_string(m.centroids.cols()) + " columns for " +
               std::to_string(terms) + " terms");
    return;
  }
  // The reduction keeps at most `dimensions` directions (fewer on a small corpus).
  if (m.lsa_basis.rows() != terms || m.lsa_basis.cols() < 1 ||
      m.lsa_basis.cols() > m.lsa.dimensions)
    complain("lsa.basis is " + shape(m.lsa_basis) + " for " + std::to_string(terms) +
             " terms and at most " + std::to_string(m.lsa.dimensions) + " dimensions");
  if (m.centroids.cols() != m.lsa_basis.cols())
    complain("centroids have " + std::to_string(m.centroids.cols()) + " columns for " +
             std::to_string(m.lsa_basis.cols()) + " LSA dimensions");
}

void check_clusters(const model& m, const model_complaint& complain) {
  const auto k = static_cast<std::size_t>(m.centroids.rows());
  if (m.clusters.size() != k)
    complain("clusters has " + std::to_string(m.clusters.size()) + " entries for " +
             std::to_string(k) + " centroids");
  std::unordered_set<int> ids;
  const auto check_id = [&](const model_cluster& c, const std::string& where, bool dormant) {
    // next_id 0 is a model made by hand, not by a fit: its ids need only be distinct.
    if (c.id < 0 || (m.next_id != 0 && c.id >= m.next_id))
      complain(where + ".id is " + std::to_string(c.id) + "; ids run from 0 below next_id (" +
               std::to_string(m.next_id) + ")");
    if (!ids.insert(c.id).second) complain(where + ".id " + std::to_string(c.id) + " repeats");
    if ((c.status == cluster_status::dormant) != dormant)
      complain(where + ".status is " + to_string(c.status));
  };
  for (std::size_t i = 0; i < m.dormant.size(); ++i)
    check_id(m.dormant[i], "dormant[" + std::to_string(i) + "]", true);
  if (static_cast<std::size_t>(m.dormant_centroids.rows()) != m.dormant.size() ||
      (!m.dormant.empty() && m.dormant_centroids.cols() != m.centroids.cols()))
    complain("dormant_centroids is " + shape(m.dormant_centroids) + " for " +
             std::to_string(m.dormant.size()) + " dormant clusters of " +
             std::to_string(m.centroids.cols()) + " columns");
  for (std::size_t i = 0; i < m.clusters.size(); ++i) {
    const model_cluster& c = m.clusters[i];
    const std::string where = "clusters[" + std::to_string(i) + "]";
    check_id(c, where, false);
    const std::size_t p = c.similarity_percentiles.size();
    if (p != 0 && p != 101)
      complain(where + ".similarity_percentiles has " + std::to_string(p) +
               " values; expected 101 or none");
    if (!std::is_sorted(c.similarity_percentiles.begin(), c.similarity_percentiles.end()))
      complain(where + ".similarity_percentiles are not ascending");
  }
  if (m.clustering.init.size() != 0 && m.clustering.init.cols() != m.centroids.cols())
    complain("clustering.init has " + std::to_string(m.clustering.init.cols()) +
             " columns; the centroids have " + std::to_string(m.centroids.cols()));
}

// Format 2's `continuity`; a format-1 model is a fresh fit of an unnamed period: one fit,
// next id k, nothing dormant.
void read_continuity(const object_reader& root, std::uint32_t format, model& m) {
  m.next_id = static_cast<int>(m.clusters.size());
  if (format < 2) return;
  const object_reader c =
      root.object("continuity", {"period", "fits", "next_id", "dormant", "dormant_centroids"});
  m.period = c.text("period");
  m.fits = c.integer<std::uint32_t>("fits");
  m.next_id = c.integer<int>("next_id");
  m.dormant = read_each<model_cluster>(c, "dormant", [&](const json& j, const std::string& p) {
    return read_cluster(j, p, c.file(), format);
  });
  m.dormant_centroids = c.matrix("dormant_centroids");
}

}  // namespace

void check_model(const model& m, const model_complaint& complain) {
  if (!m.fitted()) complain("centroids: none (the model was never fitted)");
  check_vectorizer(m.vectorizer, complain);
  check_space(m, complain);
  check_clusters(m, complain);
}

nlohmann::json model_payload(const model& m, const std::string& koe_version) {
  json j = json::object();
  j["koe_version"] = koe_version;
  j["normalization"] = normalization_json(m.normalization);
  j["tokenizer"] = tokenizer_json(m.tokenizer);
  j["dictionary"] = m.dictionary;
  j["dictionary_id"] = dictionary_json(m.dictionary_id);
  j["stopwords"] = m.stopwords;
  j["vectorizer"] = vectorizer_json(m.vectorizer);
  j["lsa"] = lsa_json(m.lsa, m.lsa_basis);
  j["clustering"] = clustering_json(m.clustering);
  j["description"] = description_json(m.description);
  j["centroids"] = matrix_json(m.centroids);
  j["clusters"] = clusters_json(m.clusters);
  j["k_curve"] = k_curve_json(m.k_curve);
  j["decisions"] = decisions_json(m.decisions);
  j["period"] = json{{"first", m.period_first}, {"last", m.period_last}};
  j["continuity"] = continuity_json(m);
  return j;
}

model model_from_payload(const nlohmann::json& payload, const std::string& file,
                         std::string& koe_version, std::uint32_t format) {
  const object_reader root =
      format >= 2 ? object_reader(
                        payload, "", file,
                        {"koe_version", "normalization", "tokenizer", "dictionary", "dictionary_id",
                         "stopwords", "vectorizer", "lsa", "clustering", "description", "centroids",
                         "clusters", "k_curve", "decisions", "period", "continuity"})
                  : object_reader(
                        payload, "", file,
                        {"koe_version", "normalization", "tokenizer", "dictionary", "dictionary_id",
                         "stopwords", "vectorizer", "lsa", "clustering", "description", "centroids",
                         "clusters", "k_curve", "decisions", "period"});
  model m;
  koe_version = root.text("koe_version");
  m.normalization = read_normalization(root.object(
      "normalization", {"nfkc", "fold_case", "unify_long_vowels", "collapse_repeats", "mask_urls",
                        "mask_emails", "mask_phones", "remove_emoji", "trim"}));
  m.tokenizer = read_tokenizer(
      root.object("tokenizer", {"dicdir", "user_dictionaries", "pos", "drop_subclasses",
                                "compounds", "join_negation", "fold_numbers", "number_term",
                                "stopword_files", "use_default_stopwords", "extra_stopwords"}));
  m.dictionary = root.text("dictionary");
  m.dictionary_id = read_dictionary(root.object(
      "dictionary_id", {"name", "charset", "layout", "fingerprint", "user_dictionaries"}));
  m.stopwords = root.texts("stopwords");
  m.vectorizer = read_vectorizer(
      root.object("vectorizer", {"options", "vocabulary", "df", "idf", "documents"}));
  const object_reader lsa =
      root.object("lsa", {"dimensions", "oversample", "power_iterations", "seed", "basis"});
  m.lsa.dimensions = lsa.integer<int>("dimensions");
  m.lsa.oversample = lsa.integer<int>("oversample");
  m.lsa.power_iterations = lsa.integer<int>("power_iterations");
  m.lsa.seed = lsa.integer<std::uint64_t>("seed");
  m.lsa_basis = lsa.matrix("basis");
  m.clustering = read_clustering(root.object(
      "clustering", {"k", "k_min", "k_max", "n_init", "max_iter", "tol", "seed", "min_similarity",
                     "merge_factor", "auto_sample", "silhouette_sample", "seed_sample", "init"}));
  m.description =
      read_description(root.object("description", {"top_terms", "label_terms", "representatives"}));
  m.centroids = root.matrix("centroids");
  m.clusters = read_each<model_cluster>(root, "clusters", [&](const json& j, const std::string& p) {
    return read_cluster(j, p, file, format);
  });
  m.k_curve = read_each<k_score>(root, "k_curve", [&](const json& j, const std::string& p) {
    const object_reader o(j, p, file, {"k", "silhouette"});
    return k_score{o.integer<int>("k"), o.number("silhouette")};
  });
  m.decisions = read_each<decision>(root, "decisions", [&](const json& j, const std::string& p) {
    return read_decision(j, p, file, format);
  });
  const object_reader period = root.object("period", {"first", "last"});
  m.period_first = period.text("first");
  m.period_last = period.text("last");
  read_continuity(root, format, m);
  check_model(
      m, [&](const std::string& what) { throw error(errc::invalid_model, file + ": " + what); });
  return m;
}

}  // namespace koe::detail
