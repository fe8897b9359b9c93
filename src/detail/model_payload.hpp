// The payload of a model file: a koe::model as a JSON value (written as CBOR), and back, with
// every field checked on the way in (docs/model-format.md lists the keys).
#pragma once

#include <koe/model.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace koe::detail {

/// Called with a description of what is wrong with a model; it throws.
using model_complaint = std::function<void(const std::string& what)>;

/// Checks what the fields of `m` must agree on (sizes, vocabulary order, the term index, LSA
/// shapes, the cluster table); calls `complain`, which throws, at the first disagreement.
void check_model(const model& m, const model_complaint& complain);

/// The payload of `m`, with `koe_version` recorded as the writer's version. `m` must pass
/// `check_model`.
[[nodiscard]] nlohmann::json model_payload(const model& m, const std::string& koe_version);

/// The model held in `payload`, after checking every key, type and size; throws
/// `errc::invalid_model` with `file` at the start of the message. `koe_version` receives the
/// writer's version; `format` is the file's (format 1 lacks the continuity keys, which then take
/// their documented defaults). The result passes `check_model`.
[[nodiscard]] model model_from_payload(const nlohmann::json& payload, const std::string& file,
                                       std::string& koe_version, std::uint32_t format);

}  // namespace koe::detail
