// Reading an input a block of records at a time, on request. Private: never installed.
#pragma once

#include <koe/io.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <vector>

namespace koe::detail {

/**
 * `read_corpus_unparsed` turned around: the caller asks for each block when it is ready for it,
 * so that a pipeline stage can pull blocks one at a time. The blocks and the corpus are the ones
 * `read_corpus_unparsed` hands over and returns, in the same order.
 */
class block_reader {
 public:
  /// Opens `path`; throws as `read_corpus` does when it cannot.
  block_reader(const std::filesystem::path& path, const io_options& options,
               std::size_t block_records);
  /// Several files read as one input, in the order given: record numbers run on from file to
  /// file, line numbers and messages are each file's, and every file must be in the same format
  /// with the same header (JSON Lines: the meta columns found so far carry on). The corpus's
  /// source is the names joined by ", ".
  block_reader(const std::vector<std::filesystem::path>& paths, const io_options& options,
               std::size_t block_records);
  ~block_reader();
  block_reader(const block_reader&) = delete;
  block_reader& operator=(const block_reader&) = delete;

  /// Replaces `block` with the next block; false at the end of the input.
  bool next(unparsed_block& block);
  /// Passes over the next block, which another process parses (`detail::block_exchange`): its
  /// `records` are counted, not parsed (JSON Lines: parsed for their keys). False at the end.
  bool skip(std::size_t& records);

  /// Once `next` returned false: the corpus without its records (source, encoding, meta columns).
  [[nodiscard]] corpus finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace koe::detail
