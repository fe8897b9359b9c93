/// The model file (model.koe): a fitted `koe::model` saved, checked and read back.
#pragma once

#include <koe/export.hpp>
#include <koe/model.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace koe {

/// The model file format this koe writes, and the newest it reads (docs/model-format.md).
inline constexpr std::uint32_t model_format = 2;

/// What a model file says about itself.
struct KOE_EXPORT model_file_info {
  std::uint32_t format = model_format;  ///< Format version of the file.
  std::string koe_version;              ///< Version of the koe that wrote it ("0.1.0").
  std::uint64_t bytes = 0;              ///< Size of the file.
  std::size_t clusters = 0;             ///< Rows of the centroids.
  std::size_t vocabulary = 0;           ///< Terms of the vocabulary.
  int lsa_dimensions = 0;               ///< 0 when the fit used no LSA reduction.
  std::string dictionary;  ///< The MeCab dictionary as the fit's tokenizer reported it.
};

/// A model together with what its file says about itself.
struct KOE_EXPORT model_file {
  model_file_info info;
  model content;
};

/**
 * The bytes of a model file holding `m`: the magic "KOEMODEL", the format, the payload length,
 * the payload (CBOR) and an XXH64 checksum (docs/model-format.md). The same model gives the same
 * bytes: decoding a file and encoding the result again gives the file back. Thread-safe.
 *
 * @throws koe::error `invalid_argument` when `m` has not been fitted or its parts disagree (df,
 *         idf and vocabulary of different lengths, centroids not matching the vocabulary or the
 *         LSA basis, a cluster table not matching the centroids): such a model would not load
 *
 * **Example**
 * ```cpp
 * const std::string bytes = koe::encode_model(result.fitted);
 * assert(koe::decode_model(bytes, "memory") == result.fitted);
 * ```
 */
[[nodiscard]] KOE_EXPORT std::string encode_model(const model& m);

/**
 * The model held in `bytes`, after checking the magic, the format, the length, the checksum and
 * every field (types, sizes, enum names, no unknown key). Thread-safe.
 *
 * @param bytes  a whole model file
 * @param name   the file's name, at the start of every message ("model.koe: truncated")
 * @throws koe::error `invalid_model` when the bytes are not a koe model file, are damaged or
 *         truncated, hold a newer format than this koe reads, or hold a malformed model
 */
[[nodiscard]] KOE_EXPORT model decode_model(std::string_view bytes, const std::string& name);

/// `decode_model` that also returns what the file says about itself.
[[nodiscard]] KOE_EXPORT model_file decode_model_file(std::string_view bytes,
                                                      const std::string& name);

/**
 * Writes `m` to `path` as a model file, atomically (a temporary file, then a rename), so an
 * interrupted save never leaves a half-written model behind.
 *
 * @throws koe::error `io_failure` when the file cannot be written; `invalid_argument` when `m`
 *         has not been fitted
 *
 * **Example**
 * ```cpp
 * koe::save_model(koe::pipeline({}).run("voices.csv").fitted, "out/model.koe");
 * koe::model m = koe::load_model("out/model.koe");
 * ```
 */
KOE_EXPORT void save_model(const model& m, const std::filesystem::path& path);

/**
 * Reads the model file at `path` (see `decode_model`); messages name the path. A model in a koe
 * output folder is read only when the folder holds one run's complete set (`check_output_file`,
 * koe/output_set.hpp); one standing alone in its folder is read as it is.
 *
 * @throws koe::error `io_failure` when the file is missing or unreadable; `invalid_model` as
 *         `decode_model`; `mixed_outputs` when its folder is an unfinished or mixed output set
 */
[[nodiscard]] KOE_EXPORT model load_model(const std::filesystem::path& path);

/// `load_model` that also returns what the file says about itself.
[[nodiscard]] KOE_EXPORT model_file read_model_file(const std::filesystem::path& path);

/**
 * What the model file at `path` is: format, the koe that wrote it, size, clusters, vocabulary.
 * The whole file is checked as `load_model` checks it, so a file it describes also loads.
 *
 * **Example**
 * ```cpp
 * const koe::model_file_info i = koe::read_model_info("out/model.koe");
 * std::cout << "format " << i.format << ", koe " << i.koe_version << ", k=" << i.clusters;
 * ```
 */
[[nodiscard]] KOE_EXPORT model_file_info read_model_info(const std::filesystem::path& path);

}  // namespace koe
