/// Many short strings stored back to back: one allocation per block of text, not one per string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <koe/export.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

namespace detail {
class spill_file;
}

/**
 * A column of strings (voices, ids, metadata values) kept in a few large blocks. Each string costs
 * its bytes plus 12 bytes of bookkeeping, against 32 bytes and a heap allocation for a
 * `std::string`; a column whose strings are all empty costs nothing per string. Strings are
 * handed out as views, valid until the column is changed or destroyed.
 *
 * `append` moves another column's blocks after this one's: the merge of partial columns built
 * in parallel (associative, so blocks of records can be read or normalized by any thread and put
 * back in order).
 *
 * `spill` moves the bytes of the strings to an unnamed temporary file and reads them back
 * through a read-only memory map: a column of a million voices then costs 12 bytes per string
 * of resident memory, plus the pages of the strings actually read again (the kernel reads them
 * in as they are touched and may drop them when memory is short, as they are on disk).
 *
 * **Example**
 * ```cpp
 * koe::text_column c;
 * c.push_back("配送が遅い");
 * c.push_back("");
 * // c.size() == 2; c[0] == "配送が遅い"; c[1].empty()
 * ```
 */
class KOE_EXPORT text_column {
 public:
  text_column() noexcept;
  ~text_column();
  /// A copy holds its strings in memory, whether or not `other` spilled them.
  text_column(const text_column& other);
  text_column& operator=(const text_column& other);
  text_column(text_column&& other) noexcept;
  text_column& operator=(text_column&& other) noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// Total bytes of text held (not counting bookkeeping).
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

  [[nodiscard]] std::string_view operator[](std::size_t i) const noexcept {
    if (entries_.empty()) return {};
    const entry& e = entries_[i];
    const char* base =
        e.block < spilled_ ? mapped_ + spilled_at_[e.block] : blocks_[e.block].data();
    return {base + e.offset, e.size};
  }

  /// Adds `s` at the end (copied into the column's storage).
  void push_back(std::string_view s);
  /// Moves `other`'s strings after this column's, leaving `other` empty.
  void append(text_column&& other);
  /// Reserves bookkeeping for `n` more strings.
  void reserve(std::size_t n);
  /// Makes room for `bytes` more bytes of text in one block, so that a column whose size is
  /// known ahead grows without spare blocks.
  void reserve_bytes(std::size_t bytes);
  void clear() noexcept;
  /// Frees the storage of the strings before `n` where no later string shares it, so that a
  /// column consumed in order gives its memory back as it goes. Those strings must not be read
  /// again; other threads may go on reading strings from `n` on meanwhile.
  void release_before(std::size_t n);

  /// Every string, in order, as owning copies (for callers that want plain lists).
  [[nodiscard]] std::vector<std::string> to_strings() const;

  /// Moves the bytes of the strings added so far to a temporary file and frees them; the
  /// strings stay readable (through a memory map of the file) but no longer take memory until
  /// read. With `all` false the last block, which later strings may still fill, stays in memory.
  /// The file is created on first use in the system's temporary directory (`TMPDIR`), without
  /// a name, so nothing is left behind however the process ends. Returns false, keeping the
  /// strings in memory from then on, where the file cannot be made or written (no space, say):
  /// spilling saves memory and never changes a string. Views taken before are invalidated.
  bool spill(bool all);
  /// Gives back the memory of the spilled strings read so far; they are read from the file again
  /// when next used.
  void drop_pages() noexcept;
  /// Bytes of text in the temporary file (0 when nothing was spilled).
  [[nodiscard]] std::size_t spilled_bytes() const noexcept;

 private:
  struct KOE_EXPORT entry {
    std::uint32_t block = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  /// Starts storing entries (until the first non-empty string, every string is empty).
  void materialize();
  /// Brings spilled blocks back into memory and forgets the file (before a copy or a merge).
  void unspill();

  std::vector<std::string> blocks_;
  std::vector<entry> entries_;  ///< Empty while every string so far is empty.
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
  std::size_t released_ = 0;  ///< Blocks before this one have been freed.
  /// Blocks before this one are in the spill file, block b at `mapped_ + spilled_at_[b]`
  /// (`spilled_at_` ends with the file's size); their strings in `blocks_` are empty.
  std::uint32_t spilled_ = 0;
  std::vector<std::uint64_t> spilled_at_;
  const char* mapped_ = nullptr;
  std::unique_ptr<detail::spill_file> spill_;
};

}  // namespace koe
