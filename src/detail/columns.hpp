// Term ids to matrix columns. Private: never installed.
#pragma once

#include <koe/terms.hpp>
#include <koe/vectorize.hpp>

#include "parallel.hpp"

#include <cstdint>
#include <vector>

namespace koe::detail {

/// The column of each term id of `table` in `model`'s vocabulary, -1 for a term outside it: one
/// lookup per distinct term instead of one per occurrence, looked up in parallel.
inline std::vector<std::int32_t> term_columns(const term_table& table, const tfidf_model& model) {
  std::vector<std::int32_t> column(table.size(), -1);
  parallel_chunks(column.size(), 4096, [&](std::size_t b, std::size_t e) {
    for (std::size_t id = b; id < e; ++id)
      if (const auto it = model.index.find(table.terms()[id]); it != model.index.end())
        column[id] = it->second;
  });
  return column;
}

}  // namespace koe::detail
