/// Many short strings stored back to back: one allocation per block of text, not one per string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <koe/export.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

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
  text_column() = default;

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// Total bytes of text held (not counting bookkeeping).
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

  [[nodiscard]] std::string_view operator[](std::size_t i) const noexcept {
    if (entries_.empty()) return {};
    const entry& e = entries_[i];
    return {blocks_[e.block].data() + e.offset, e.size};
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

 private:
  struct KOE_EXPORT entry {
    std::uint32_t block = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  /// Starts storing entries (until the first non-empty string, every string is empty).
  void materialize();

  std::vector<std::string> blocks_;
  std::vector<entry> entries_;  ///< Empty while every string so far is empty.
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
  std::size_t released_ = 0;  ///< Blocks before this one have been freed.
};

}  // namespace koe
