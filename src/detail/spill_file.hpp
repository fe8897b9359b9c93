// An unnamed temporary file that only grows, mapped read-only as a whole: where the columns of a
// corpus (texts, term rows) wait between the stages that read them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace koe::detail {

/**
 * Bytes appended to an unnamed file in the system's temporary directory (`TMPDIR`), read back
 * through one read-only shared memory map. The file has no name from the start (or loses it at
 * once where the file system has no unnamed files), so nothing is left behind however the
 * process ends. Pages of the map count as resident memory only while touched, and
 * `drop_pages` gives them back (the bytes stay in the file).
 *
 * Any failure (no temporary directory, no space, no map) leaves the file unusable: `ok()` turns
 * false, bytes mapped before stay readable, and the caller keeps what it has in memory.
 */
class spill_file {
 public:
  spill_file();
  ~spill_file();
  spill_file(const spill_file&) = delete;
  spill_file& operator=(const spill_file&) = delete;

  [[nodiscard]] bool ok() const noexcept { return fd_ >= 0; }
  /// Bytes written so far.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  /// Appends `bytes`; false (and unusable from then on) when they cannot all be written.
  bool write(std::string_view bytes);
  /// Maps everything written so far and returns its start. The previous map is replaced (so
  /// pointers into it end) only once the new one is made; null where it cannot be.
  const char* map();
  /// Lets the kernel take back the pages of the map read so far; they are read again from the
  /// file (or the page cache) when next used.
  void drop_pages() noexcept;
  /// `drop_pages` for the pages that hold bytes [from, to) of the file, whole pages (the bytes
  /// beside them on those pages are read again as well when next used).
  void drop_pages(std::uint64_t from, std::uint64_t to) noexcept;

 private:
  void fail() noexcept;

  int fd_ = -1;
  std::uint64_t size_ = 0;
  void* map_ = nullptr;
  std::uint64_t mapped_ = 0;
};

}  // namespace koe::detail
