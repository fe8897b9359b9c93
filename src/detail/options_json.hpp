// The options object of clusters.json, written from the option descriptors (koe/options.hpp).
#pragma once

#include <koe/pipeline.hpp>

#include <nlohmann/json.hpp>

namespace koe::detail {

/// Every recorded option of `o` (all but the thread count, which never changes a result), grouped
/// by stage, in the order of `option_descriptors`.
[[nodiscard]] nlohmann::ordered_json options_json(const pipeline_options& o);

}  // namespace koe::detail
