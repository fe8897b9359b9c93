// Atomic file writes that measure what they write: the one writer behind
// koe::write_file_atomically and koe::write_output_set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>

namespace koe::detail {

/// Size and XXH64 (seed 0) of the bytes written.
struct written_bytes {
  std::uint64_t size = 0;
  std::uint64_t xxh64 = 0;
};

/// Writes `path` atomically: `fill` writes into `path`.tmp.PID, which is renamed over `path`.
/// `before_rename` runs once the temporary file is complete and closed. When `fill` or the
/// writing fails, the temporary file is removed and `path` is left as it was.
written_bytes write_atomically(const std::filesystem::path& path,
                               const std::function<void(std::ostream&)>& fill,
                               const std::function<void()>& before_rename = {});

}  // namespace koe::detail
