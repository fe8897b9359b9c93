// The model file: every field of a fit survives a save and a load, a loaded file saves to the same
// bytes, and a file that is cut short, damaged, another program's, newer or malformed is a clear
// invalid_model error, never a crash or a wrong model. The format-1 fixture stays readable.
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/model_file.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";
const std::string fixture = KOE_TEST_DIR "/data/model-format-1.koe";

koe::pipeline_options options(int k, int lsa = 0) {
  koe::pipeline_options o;
  o.cluster.k = k;
  o.cluster.seed = 11;
  o.threads = 2;
  o.lsa_dimensions = lsa;
  return o;
}

const koe::model& plain_fit() {
  static const koe::model m = koe::pipeline(options(6)).run(sample).fitted;
  return m;
}

const koe::model& lsa_fit() {
  static const koe::model m = koe::pipeline(options(5, 20)).run(sample).fitted;
  return m;
}

// A model small enough to damage byte by byte: three terms, two clusters.
koe::model tiny_model() {
  koe::model m;
  m.dictionary = "/usr/lib/x86_64-linux-gnu/mecab/dic/ipadic";
  m.stopwords = {"こと", "もの"};
  m.vectorizer.vocabulary = {"アプリ", "遅い", "配送"};  // code-point order
  m.vectorizer.df = {3, 5, 2};
  m.vectorizer.idf = {1.5f, 1.25f, 2.0f};
  m.vectorizer.documents = 8;
  for (std::size_t i = 0; i < m.vectorizer.vocabulary.size(); ++i)
    m.vectorizer.index.emplace(m.vectorizer.vocabulary[i], static_cast<std::int32_t>(i));
  m.lsa.dimensions = 0;
  m.centroids = koe::dense_matrix(2, 3);
  m.centroids << 1.0f, 0.0f, 0.0f, 0.0f, 0.6f, 0.8f;
  m.clusters.resize(2);
  for (int c = 0; c < 2; ++c) {
    m.clusters[static_cast<std::size_t>(c)].id = c;
    m.clusters[static_cast<std::size_t>(c)].label = c == 0 ? "アプリ" : "配送・遅い";
    m.clusters[static_cast<std::size_t>(c)].size = 4;
    m.clusters[static_cast<std::size_t>(c)].cohesion = 0.75;
  }
  m.clusters[0].key_terms = {"アプリ"};
  m.clusters[1].key_terms = {"遅い", "配送"};
  return m;
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t get_u64(const std::string& s, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

void put_u64(std::string& s, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i)
    s[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A file's checksum recomputed after its bytes were changed on purpose.
void reseal(std::string& file) {
  put_u64(file, file.size() - 8, XXH64(file.data(), file.size() - 8, 0));
}

// The payload of a model file, as JSON.
json payload_of(const std::string& file) {
  const std::string cbor = file.substr(20, file.size() - 28);
  return json::from_cbor(cbor);
}

// A model file around `payload`, sealed with a correct length and checksum: what a program with
// its own CBOR writer could produce.
std::string seal(const std::vector<std::uint8_t>& payload,
                 std::uint32_t format = koe::model_format) {
  std::string file = "KOEMODEL";
  for (std::size_t i = 0; i < 4; ++i)
    file += static_cast<char>((format >> (8 * i)) & 0xFF);
  file += std::string(8, '\0');
  put_u64(file, 12, payload.size());
  file.append(payload.begin(), payload.end());
  file += std::string(8, '\0');
  reseal(file);
  return file;
}

std::string seal(const json& payload) {
  return seal(json::to_cbor(payload));
}

// The message of the invalid_model error decoding `bytes` as "model.koe" raises.
std::string model_error(const std::string& bytes) {
  try {
    (void)koe::decode_model(bytes, "model.koe");
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_model) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "decoded without an error";
  return {};
}

testing::AssertionResult round_trips(const koe::model& m) {
  const std::string bytes = koe::encode_model(m);
  const koe::model back = koe::decode_model(bytes, "memory");
  if (!(back == m)) return testing::AssertionFailure() << "decoded model differs";
  if (koe::encode_model(back) != bytes) return testing::AssertionFailure() << "bytes differ";
  return testing::AssertionSuccess();
}

TEST(ModelFile, RoundTripKeepsEveryFieldOfAPlainFit) {
  const koe::model& m = plain_fit();
  ASSERT_TRUE(m.fitted());
  EXPECT_TRUE(round_trips(m));
}

TEST(ModelFile, RoundTripKeepsTheLsaBasis) {
  const koe::model& m = lsa_fit();
  ASSERT_GT(m.lsa_basis.size(), 0);
  EXPECT_TRUE(round_trips(m));
}

TEST(ModelFile, RoundTripKeepsTheKCurveOfAnAutomaticK) {
  const koe::model m = koe::pipeline(options(0)).run(sample).fitted;
  ASSERT_FALSE(m.k_curve.empty());
  EXPECT_TRUE(round_trips(m));
}

// Each change must survive the round trip and make the model differ from the original, so no
// field is left out of the file (or out of the comparison).
TEST(ModelFile, EveryPartOfTheModelRoundTrips) {
  const koe::model& base = lsa_fit();
  std::vector<std::pair<std::string, std::function<void(koe::model&)>>> changes = {
      {"nfkc", [](koe::model& m) { m.normalization.nfkc = false; }},
      {"fold_case", [](koe::model& m) { m.normalization.fold_case = false; }},
      {"unify_long_vowels", [](koe::model& m) { m.normalization.unify_long_vowels = false; }},
      {"collapse_repeats", [](koe::model& m) { m.normalization.collapse_repeats = false; }},
      {"mask_urls", [](koe::model& m) { m.normalization.mask_urls = false; }},
      {"mask_emails", [](koe::model& m) { m.normalization.mask_emails = false; }},
      {"mask_phones", [](koe::model& m) { m.normalization.mask_phones = false; }},
      {"remove_emoji", [](koe::model& m) { m.normalization.remove_emoji = true; }},
      {"trim", [](koe::model& m) { m.normalization.trim = false; }},
      {"dicdir", [](koe::model& m) { m.tokenizer.dicdir = "/opt/dic"; }},
      {"user_dictionaries", [](koe::model& m) { m.tokenizer.user_dictionaries = {"a.dic"}; }},
      {"pos", [](koe::model& m) { m.tokenizer.pos.push_back("副詞"); }},
      {"drop_subclasses", [](koe::model& m) { m.tokenizer.drop_subclasses.clear(); }},
      {"compounds off", [](koe::model& m) { m.tokenizer.compounds = koe::compound_mode::off; }},
      {"compounds join", [](koe::model& m) { m.tokenizer.compounds = koe::compound_mode::join; }},
      {"join_negation", [](koe::model& m) { m.tokenizer.join_negation = false; }},
      {"fold_numbers", [](koe::model& m) { m.tokenizer.fold_numbers = false; }},
      {"number_term", [](koe::model& m) { m.tokenizer.number_term = "#"; }},
      {"stopword_files", [](koe::model& m) { m.tokenizer.stopword_files = {"s.txt"}; }},
      {"use_default_stopwords", [](koe::model& m) { m.tokenizer.use_default_stopwords = false; }},
      {"extra_stopwords", [](koe::model& m) { m.tokenizer.extra_stopwords = {"x", "y"}; }},
      {"dictionary", [](koe::model& m) { m.dictionary += "/other"; }},
      {"dictionary_id.name", [](koe::model& m) { m.dictionary_id.name = "sys.dic"; }},
      {"dictionary_id.charset", [](koe::model& m) { m.dictionary_id.charset = "utf-8"; }},
      {"dictionary_id.layout", [](koe::model& m) { m.dictionary_id.layout = "unidic"; }},
      {"dictionary_id.fingerprint", [](koe::model& m) { m.dictionary_id.fingerprint = "ab12"; }},
      {"dictionary_id.user", [](koe::model& m) { m.dictionary_id.user_dictionaries = {"u:1"}; }},
      {"stopwords", [](koe::model& m) { m.stopwords.push_back("ん"); }},
      {"min_df", [](koe::model& m) { m.vectorizer.options.min_df = {0.01, true}; }},
      {"max_df", [](koe::model& m) { m.vectorizer.options.max_df = {300, false}; }},
      {"max_features", [](koe::model& m) { m.vectorizer.options.max_features = 5000; }},
      {"sublinear_tf", [](koe::model& m) { m.vectorizer.options.sublinear_tf = false; }},
      {"use_idf", [](koe::model& m) { m.vectorizer.options.use_idf = false; }},
      {"smooth_idf", [](koe::model& m) { m.vectorizer.options.smooth_idf = false; }},
      {"normalize", [](koe::model& m) { m.vectorizer.options.normalize = false; }},
      {"documents", [](koe::model& m) { m.vectorizer.documents += 1; }},
      {"df", [](koe::model& m) { m.vectorizer.df.back() += 1; }},
      {"idf", [](koe::model& m) { m.vectorizer.idf.front() *= 2.0f; }},
      {"lsa.dimensions", [](koe::model& m) { m.lsa.dimensions += 5; }},
      {"lsa.oversample", [](koe::model& m) { m.lsa.oversample += 1; }},
      {"lsa.power_iterations", [](koe::model& m) { m.lsa.power_iterations += 1; }},
      {"lsa.seed", [](koe::model& m) { m.lsa.seed = ~std::uint64_t{0}; }},
      {"lsa_basis", [](koe::model& m) { m.lsa_basis(1, 2) = -0.5f; }},
      {"k", [](koe::model& m) { m.clustering.k = 0; }},
      {"k_min", [](koe::model& m) { m.clustering.k_min = 3; }},
      {"k_max", [](koe::model& m) { m.clustering.k_max = 40; }},
      {"n_init", [](koe::model& m) { m.clustering.n_init = 9; }},
      {"max_iter", [](koe::model& m) { m.clustering.max_iter = 7; }},
      {"tol", [](koe::model& m) { m.clustering.tol = 1.0 / 3.0; }},
      {"seed", [](koe::model& m) { m.clustering.seed = 1ULL << 63; }},
      {"min_similarity", [](koe::model& m) { m.clustering.min_similarity = 0.1; }},
      {"merge_factor", [](koe::model& m) { m.clustering.merge_factor = 3; }},
      {"auto_sample", [](koe::model& m) { m.clustering.auto_sample = 7; }},
      {"silhouette_sample", [](koe::model& m) { m.clustering.silhouette_sample = 8; }},
      {"seed_sample", [](koe::model& m) { m.clustering.seed_sample = 0; }},
      {"init", [](koe::model& m) { m.clustering.init = m.centroids * 0.5f; }},
      {"top_terms", [](koe::model& m) { m.description.top_terms = 4; }},
      {"label_terms", [](koe::model& m) { m.description.label_terms = 1; }},
      {"representatives", [](koe::model& m) { m.description.representatives = 2; }},
      {"centroids", [](koe::model& m) { m.centroids(0, 0) = 0.125f; }},
      {"label", [](koe::model& m) { m.clusters[1].label = "新しい・ラベル"; }},
      {"key_terms", [](koe::model& m) { m.clusters[0].key_terms.push_back("追加"); }},
      {"size", [](koe::model& m) { m.clusters[0].size = 123456789012ULL; }},
      {"cohesion", [](koe::model& m) { m.clusters[0].cohesion = 0.1234567890123; }},
      {"similarity_percentiles",
       [](koe::model& m) {
         // The fit records them; these replace them.
         m.clusters[2].similarity_percentiles.clear();
         for (int p = 0; p <= 100; ++p)
           m.clusters[2].similarity_percentiles.push_back(p / 100.0 + 1e-9);
       }},
      {"k_curve", [](koe::model& m) { m.k_curve = {{2, 0.125}, {3, -0.03}}; }},
      {"decisions",
       [](koe::model& m) {
         for (const auto& w : koe::decision_words)
           m.decisions.push_back({"a+b", w.status, "理由", "2026-11-05", 7, 0.5});
       }},
      {"period_first", [](koe::model& m) { m.period_first = "2026-01-01"; }},
      {"period_last", [](koe::model& m) { m.period_last = "2026-12-31T23:59:59+09:00"; }},
      {"decision cluster",
       [](koe::model& m) { m.decisions.push_back({"", koe::decision_status::adopted, "", "", 2,
                                                   1.0, 4}); }},
      {"period", [](koe::model& m) { m.period = "2026-12"; }},
      {"fits", [](koe::model& m) { m.fits = 7; }},
      {"next_id", [](koe::model& m) { m.next_id = 40; }},
      {"id",
       [](koe::model& m) {
         m.clusters[3].id = 12;
         m.next_id = 13;
       }},
      {"born", [](koe::model& m) { m.clusters[0].born = "2026-09"; }},
      {"parents", [](koe::model& m) { m.clusters[1].parents = {0, 4}; }},
      {"history",
       [](koe::model& m) { m.clusters[2].history.push_back({"2026-10", "ラベル", 12, 0.25}); }},
      {"dormant",
       [](koe::model& m) {
         koe::model_cluster c = m.clusters[0];
         c.id = m.next_id;
         c.status = koe::cluster_status::dormant;
         m.next_id += 1;
         m.dormant.push_back(c);
         m.dormant_centroids = m.centroids.topRows(1);
       }},
  };
  for (const auto& [name, change] : changes) {
    koe::model m = base;
    change(m);
    EXPECT_FALSE(m == base) << name << " does not change the model";
    EXPECT_TRUE(round_trips(m)) << name;
  }
}

TEST(ModelFile, LoadThenSaveGivesTheSameBytes) {
  const koe::test::temp_dir dir("koe_model_file");
  for (const koe::model* m : {&plain_fit(), &lsa_fit()}) {
    koe::save_model(*m, dir.path() / "a.koe");
    const koe::model loaded = koe::load_model(dir.path() / "a.koe");
    EXPECT_TRUE(loaded == *m);
    koe::save_model(loaded, dir.path() / "b.koe");
    EXPECT_EQ(read_bytes(dir.path() / "a.koe"), read_bytes(dir.path() / "b.koe"));
  }
}

TEST(ModelFile, TheInfoSaysWhatTheFileIs) {
  const koe::test::temp_dir dir("koe_model_file");
  koe::save_model(lsa_fit(), dir.path() / "m.koe");
  const koe::model_file_info i = koe::read_model_info(dir.path() / "m.koe");
  EXPECT_EQ(i.format, 2u);
  EXPECT_EQ(i.koe_version, KOE_VERSION_TEXT);
  EXPECT_EQ(i.bytes, std::filesystem::file_size(dir.path() / "m.koe"));
  EXPECT_EQ(i.clusters, 5u);
  EXPECT_EQ(i.vocabulary, lsa_fit().vectorizer.vocabulary.size());
  EXPECT_EQ(i.lsa_dimensions, 20);
  EXPECT_EQ(i.dictionary, lsa_fit().dictionary);
}

TEST(ModelFile, EveryRunWritesTheModelBesideTheOtherOutputs) {
  const koe::test::temp_dir dir("koe_model_file");
  koe::job_options o;
  o.pipeline = options(6);
  koe::job j(o);
  const koe::analysis_result& r = j.run_to_files(sample, dir.path(), false);
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "model.koe"));
  EXPECT_TRUE(koe::load_model(dir.path() / "model.koe") == r.fitted);
  EXPECT_TRUE(r.fitted == plain_fit());
  // A result without a fit leaves no model behind, even where an older run left one.
  koe::analysis_result empty;
  koe::write_outputs(dir.path(), empty);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "model.koe"));
}

TEST(ModelFile, AnUnfittedOrInconsistentModelIsNotSaved) {
  const koe::test::temp_dir dir("koe_model_file");
  try {
    koe::save_model(koe::model{}, dir.path() / "m.koe");
    ADD_FAILURE() << "saved an unfitted model";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "m.koe"));
  koe::model m = tiny_model();
  m.vectorizer.idf.pop_back();
  EXPECT_THROW((void)koe::encode_model(m), koe::error);
  m = tiny_model();
  m.vectorizer.index.erase("配送");
  EXPECT_THROW((void)koe::encode_model(m), koe::error);
}

TEST(ModelFile, AMissingFileOrADirectoryIsAnIoFailure) {
  const koe::test::temp_dir dir("koe_model_file");
  for (const auto& p : {dir.path() / "missing.koe", dir.path()}) {
    try {
      (void)koe::load_model(p);
      ADD_FAILURE() << "loaded " << p;
    } catch (const koe::error& e) {
      EXPECT_EQ(e.code(), koe::errc::io_failure);
      EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    }
  }
}

TEST(ModelFile, AFileOfAnotherKindIsNotAModel) {
  EXPECT_EQ(model_error(""), "model.koe: not a koe model file");
  EXPECT_EQ(model_error("id,text\n1,配送が遅い\n"), "model.koe: not a koe model file");
  std::string file = koe::encode_model(tiny_model());
  file[7] = 'X';
  EXPECT_EQ(model_error(file), "model.koe: not a koe model file");
}

TEST(ModelFile, EveryTruncationIsCaught) {
  const std::string file = koe::encode_model(plain_fit());
  std::vector<std::size_t> lengths = {0, 1, 7, 8, 11, 12, 19, 20, 27, 28, 29, 100};
  for (std::size_t n = 0; n < file.size(); n += 97)
    lengths.push_back(n);
  for (std::size_t n = file.size() - 16; n < file.size(); ++n)
    lengths.push_back(n);
  for (const std::size_t n : lengths) {
    const std::string message = model_error(file.substr(0, n));
    const std::string expected = n < 8 ? "model.koe: not a koe model file" : "model.koe: truncated";
    EXPECT_EQ(message.substr(0, expected.size()), expected) << n << " bytes: " << message;
  }
}

TEST(ModelFile, EveryFlippedByteIsCaught) {
  const std::string file = koe::encode_model(tiny_model());
  ASSERT_LT(file.size(), 4096u);
  for (std::size_t i = 0; i < file.size(); ++i) {
    for (const unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string damaged = file;
      damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ mask);
      const std::string message = model_error(damaged);
      ASSERT_FALSE(message.empty()) << "byte " << i;
      // The magic names another kind of file; the length field may promise more than there is.
      if (i >= 8 && !(i >= 12 && i < 20)) {
        EXPECT_EQ(message, "model.koe: checksum mismatch (file damaged?)") << "byte " << i;
      }
    }
  }
}

TEST(ModelFile, ANewerFormatIsRefusedWithItsNumber) {
  std::string file = koe::encode_model(tiny_model());
  file[8] = 3;
  reseal(file);
  const std::string message = model_error(file);
  EXPECT_EQ(message.rfind("model.koe: format 3 is newer than this koe reads (2); use a koe newer "
                          "than ",
                          0),
            0u)
      << message;
  file[8] = 0;
  reseal(file);
  EXPECT_EQ(model_error(file), "model.koe: format 0 is not a koe model format");
}

TEST(ModelFile, ALengthFieldThatDisagreesWithTheFileIsRefused) {
  std::string file = koe::encode_model(tiny_model());
  put_u64(file, 12, get_u64(file, 12) - 1);
  reseal(file);
  EXPECT_NE(model_error(file).find("payload length"), std::string::npos);
}

// Payloads a careless writer could produce, each sealed with a correct checksum.
TEST(ModelFile, AMalformedPayloadIsAClearErrorNeverAWrongModel) {
  const json good = payload_of(koe::encode_model(plain_fit()));
  ASSERT_TRUE(koe::decode_model(seal(good), "model.koe") == plain_fit());
  const std::size_t terms = plain_fit().vectorizer.vocabulary.size();
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& j) { j.erase("centroids"); }, "model.koe: payload: missing key 'centroids'"},
      {[](json& j) { j["extra"] = 1; }, "model.koe: payload: unknown key 'extra'"},
      {[](json& j) { j["tokenizer"]["new_option"] = true; },
       "model.koe: tokenizer: unknown key 'new_option'"},
      {[](json& j) { j["vectorizer"]["documents"] = "many"; },
       "model.koe: vectorizer.documents: expected an integer, found a string"},
      {[](json& j) { j["normalization"]["nfkc"] = 1; },
       "model.koe: normalization.nfkc: expected a boolean, found an integer"},
      {[](json& j) { j["clustering"]["tol"] = 1; },
       "model.koe: clustering.tol: expected a float, found an integer"},
      {[](json& j) { j["clustering"]["k"] = 1LL << 40; },
       "model.koe: clustering.k: 1099511627776 is out of range"},
      {[](json& j) { j["description"]["top_terms"] = -1; },
       "model.koe: description.top_terms: -1 is out of range"},
      {[](json& j) { j["stopwords"][0] = 5; },
       "model.koe: stopwords[0]: expected a string, found an integer"},
      {[](json& j) { j["tokenizer"]["compounds"] = "both"; },
       "model.koe: tokenizer.compounds: unknown mode 'both' (off, join, parts_and_join)"},
      {[](json& j) { j["clusters"] = json::object(); },
       "model.koe: clusters: expected an array, found an object"},
      {[](json& j) { j["clusters"][0]["label"] = nullptr; },
       "model.koe: clusters[0].label: expected a string, found null"},
      {[](json& j) { j["centroids"]["rows"] = 7; },
       "model.koe: centroids: " + std::to_string(6 * terms * 4) + " bytes of data for a 7 × " +
           std::to_string(terms) + " matrix of 4-byte floats"},
      {[](json& j) { j["centroids"]["rows"] = -1; }, "model.koe: centroids: negative shape"},
      {[](json& j) { j["centroids"]["data"] = "floats"; },
       "model.koe: centroids.data: expected a byte string, found a string"},
      {[](json& j) { j["vectorizer"]["idf"].get_binary().resize(3); },
       "model.koe: vectorizer.idf: 3 bytes are not a whole number of 4-byte values"},
      {[](json& j) { j["vectorizer"]["idf"].get_binary().resize(8); },
       "model.koe: vectorizer.idf has 2 values for " + std::to_string(terms) + " terms"},
      {[](json& j) { j["vectorizer"]["df"].get_binary().resize(16); },
       "model.koe: vectorizer.df has 2 values for " + std::to_string(terms) + " terms"},
      {[](json& j) { j["vectorizer"]["vocabulary"][1] = j["vectorizer"]["vocabulary"][0]; },
       "model.koe: vectorizer.vocabulary repeats a term at term 1"},
      {[](json& j) { j["clusters"].erase(5); },
       "model.koe: clusters has 5 entries for 6 centroids"},
      {[](json& j) { j["clusters"][2]["id"] = 4; }, "model.koe: clusters[4].id 4 repeats"},
      {[](json& j) { j["clusters"][2]["id"] = 6; },
       "model.koe: clusters[2].id is 6; ids run from 0 below next_id (6)"},
      {[](json& j) { j["clusters"][2]["status"] = "dormant"; },
       "model.koe: clusters[2].status is dormant"},
      {[](json& j) { j["clusters"][2]["status"] = "asleep"; },
       "model.koe: clusters[2].status: unknown status 'asleep' (active, dormant)"},
      {[](json& j) { j["continuity"]["dormant_centroids"]["rows"] = 1; },
       "model.koe: dormant_centroids is 1 × 0 for 0 dormant clusters of " + std::to_string(terms) +
           " columns"},
      {[](json& j) { j.erase("continuity"); }, "model.koe: payload: missing key 'continuity'"},
      {[](json& j) {
         j["clusters"][0]["similarity_percentiles"] = json::binary(std::vector<std::uint8_t>(8));
       },
       "model.koe: clusters[0].similarity_percentiles has 1 values; expected 101 or none"},
      {[](json& j) {
         json d = {{"key", "a"}, {"status", "maybe"}, {"reason", ""}, {"date", ""},
                   {"line", 1},  {"overlap", 0.5},    {"cluster", -1}};
         j["decisions"] = json::array();
         j["decisions"].push_back(std::move(d));
       },
       "model.koe: decisions[0].status: unknown decision 'maybe' (undecided, adopted, rejected, "
       "pending, planned, productized, launched)"},
      {[](json& j) { j["lsa"]["dimensions"] = 3; }, "model.koe: lsa.basis is 0 × 0 for " +
                                                        std::to_string(terms) +
                                                        " terms and at most 3 dimensions"},
      {[](json& j) { j["koe_version"] = json::array(); },
       "model.koe: koe_version: expected a string, found an array"},
  };
  for (const auto& [change, expected] : cases) {
    json j = good;
    change(j);
    EXPECT_EQ(model_error(seal(j)), expected);
  }
}

TEST(ModelFile, CentroidsMustMatchTheVocabularyOrTheLsaSpace) {
  json j = payload_of(koe::encode_model(tiny_model()));
  j["centroids"] = {
      {"rows", 2}, {"cols", 2}, {"data", json::binary(std::vector<std::uint8_t>(16))}};
  EXPECT_EQ(model_error(seal(j)), "model.koe: centroids have 2 columns for 3 terms");
  j = payload_of(koe::encode_model(lsa_fit()));
  j["lsa"]["basis"]["cols"] = 10;
  j["lsa"]["basis"]["data"].get_binary().resize(lsa_fit().vectorizer.vocabulary.size() * 10 * 4);
  EXPECT_EQ(model_error(seal(j)), "model.koe: centroids have 20 columns for 10 LSA dimensions");
}

TEST(ModelFile, APayloadThatIsNotCborOrNotAnObjectIsRefused) {
  EXPECT_EQ(model_error(seal(std::vector<std::uint8_t>{0xFF, 0x00}))
                .rfind("model.koe: malformed payload (not valid CBOR", 0),
            0u);
  EXPECT_EQ(model_error(seal(std::vector<std::uint8_t>{})).rfind("model.koe: malformed payload", 0),
            0u);
  EXPECT_EQ(model_error(seal(json::array({1, 2}))),
            "model.koe: payload: expected an object, found an array");
  // Bytes after the value.
  std::vector<std::uint8_t> trailing = json::to_cbor(json::object());
  trailing.push_back(0);
  EXPECT_EQ(model_error(seal(trailing)).rfind("model.koe: malformed payload", 0), 0u);
  // A key given twice: {"a": 1, "a": 2}.
  EXPECT_EQ(model_error(seal(std::vector<std::uint8_t>{0xA2, 0x61, 'a', 0x01, 0x61, 'a', 0x02})),
            "model.koe: malformed payload (repeated key 'a')");
  // A tag (CBOR major type 6) is not part of the format.
  EXPECT_EQ(model_error(seal(std::vector<std::uint8_t>{0xC1, 0x00}))
                .rfind("model.koe: malformed payload", 0),
            0u);
}

TEST(ModelFile, DeepNestingIsRefusedBeforeItExhaustsTheStack) {
  std::vector<std::uint8_t> deep(1000000, 0x81);  // [[[[...]]]], a million levels
  deep.push_back(0x00);
  EXPECT_EQ(model_error(seal(deep)), "model.koe: malformed payload (nested deeper than 16 levels)");
}

// The file a koe of format 1 wrote (see tests/data/README.md) stays readable, and encoding what
// it holds gives its bytes again (but for the koe version, when that has moved on).
TEST(ModelFile, TheFormatOneFixtureStaysReadable) {
  const std::string file = read_bytes(fixture);
  ASSERT_FALSE(file.empty()) << fixture;
  const koe::model_file f = koe::decode_model_file(file, fixture);
  EXPECT_EQ(f.info.format, 1u);
  EXPECT_EQ(f.info.koe_version, "0.1.0");
  EXPECT_EQ(f.content.centroids.rows(), 6);
  EXPECT_EQ(f.content.clusters.size(), 6u);
  EXPECT_EQ(f.content.vectorizer.vocabulary.size(), 277u);
  EXPECT_EQ(f.content.vectorizer.documents, 397u);
  EXPECT_EQ(f.content.clustering.k, 6);
  EXPECT_EQ(f.content.clustering.seed, 1234u);
  EXPECT_EQ(f.content.lsa.dimensions, 0);
  // Format 1's defaults for what format 2 adds: a fresh fit of an unnamed period.
  EXPECT_EQ(f.content.next_id, 6);
  EXPECT_EQ(f.content.fits, 1u);
  EXPECT_EQ(f.content.period, "");
  EXPECT_TRUE(f.content.dormant.empty());
  for (std::size_t i = 0; i < f.content.clusters.size(); ++i) {
    EXPECT_EQ(f.content.clusters[i].id, static_cast<int>(i));
    EXPECT_EQ(f.content.clusters[i].status, koe::cluster_status::active);
    EXPECT_TRUE(f.content.clusters[i].history.empty());
  }
  // Written again, it is a format-2 file holding format 1's keys unchanged beside the new ones.
  const std::string again = koe::encode_model(f.content);
  json a = payload_of(file), b = payload_of(again);
  a.erase("koe_version");
  b.erase("koe_version");
  b.erase("continuity");
  for (json& c : b["clusters"])
    for (const char* key : {"born", "status", "parents", "history"})
      c.erase(key);
  for (json& d : b["decisions"])
    d.erase("cluster");
  EXPECT_EQ(a, b);
  EXPECT_TRUE(koe::decode_model(again, "again") == f.content);
}

// A format-2 file of a refit (tests/data/model-format-2.koe, see tests/data/README.md): its
// continuity keys load, and encoding what it holds gives its bytes again.
TEST(ModelFile, TheFormatTwoFixtureStaysReadable) {
  const std::string file = read_bytes(KOE_TEST_DIR "/data/model-format-2.koe");
  ASSERT_FALSE(file.empty());
  const koe::model_file f = koe::decode_model_file(file, "model-format-2.koe");
  EXPECT_EQ(f.info.format, 2u);
  EXPECT_EQ(f.content.fits, 2u);
  EXPECT_EQ(f.content.period, "2026-10");
  EXPECT_EQ(f.content.next_id, 8);
  EXPECT_EQ(f.content.dormant.size(), 2u);
  EXPECT_EQ(static_cast<std::size_t>(f.content.dormant_centroids.rows()), f.content.dormant.size());
  for (const auto& c : f.content.clusters) {
    EXPECT_FALSE(c.history.empty());
    EXPECT_EQ(c.history.back().period, "2026-10");
  }
  const std::string again = koe::encode_model(f.content);
  json a = payload_of(file), b = payload_of(again);
  a.erase("koe_version");
  b.erase("koe_version");
  EXPECT_EQ(a, b);
  if (f.info.koe_version == KOE_VERSION_TEXT) {
    EXPECT_EQ(again, file);
  }
}

}  // namespace
