// Records and rows: the rows of an analysis are its kept records, in input order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>

namespace koe::detail {

/// Calls `fn(i, row)` for each record i in [begin, end), in order, with `row` the record's row
/// (its index in `row_document`, which is ascending) or nothing when it has none (empty or
/// rejected). One binary search for the range, then a walk: no record-to-row array.
template <class Fn>
void for_each_record(std::span<const std::size_t> row_document, std::size_t begin, std::size_t end,
                     const Fn& fn) {
  auto next = std::lower_bound(row_document.begin(), row_document.end(), begin);
  for (std::size_t i = begin; i < end; ++i) {
    std::optional<std::size_t> row;
    if (next != row_document.end() && *next == i)
      row = static_cast<std::size_t>(next++ - row_document.begin());
    fn(i, row);
  }
}

}  // namespace koe::detail
