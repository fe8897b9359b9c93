// What `koe trend` needs of a model file, read without decoding its arrays.
#pragma once

#include <koe/model.hpp>

#include <filesystem>
#include <optional>

namespace koe::detail {

/**
 * The parts of the model file at `path` that trends across models read: the cluster table and
 * dormant clusters (id, label, size, born, status, parents), the period, fits and next id, the
 * vectorizer's document count, the dictionary identity, normalization and tokenizer options.
 * The centroids are a k × 0 matrix (so `fitted()` holds); vocabulary, LSA basis and every other
 * array are left empty, their bytes skipped rather than decoded. The file's envelope and checksum
 * are checked as `load_model` checks them. None when the file is anything but a well-formed model
 * file of the current format: the caller then loads it with `load_model`, whose error names what
 * is wrong.
 */
[[nodiscard]] std::optional<model> read_model_summary(const std::filesystem::path& path);

}  // namespace koe::detail
