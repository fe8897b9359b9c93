// Reading one input in several processes: which blocks each reads, and how a block read in one
// process reaches the process that gathers them (koe-mpi). Private: never installed.
#pragma once

#include <koe/terms.hpp>
#include <koe/text_column.hpp>
#include <koe/types.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

/// What normalizing and tokenizing one block of records produced: what the block adds to an
/// analysis besides its records.
struct normalized_part {
  text_column texts;                       ///< Normalized texts of `rows`, when kept.
  std::vector<std::size_t> rows;           ///< Records with text after normalizing.
  std::vector<std::size_t> blank;          ///< Kept records that normalized to nothing.
  std::vector<std::uint64_t> hashes;       ///< Hash of each row's normalized text.
  std::vector<std::uint32_t> hit_rows;     ///< Phrase hits: index into `rows` ...
  std::vector<std::uint32_t> hit_phrases;  ///< ... and into the phrase list.
  term_table terms;                        ///< Terms of `rows`, when tokenized with the block.
};

/**
 * How the processes of one run share the reading of an input (docs/mpi.md). Every process cuts
 * the whole input into the same blocks of records, numbered from 0 in input order; each block is
 * parsed, normalized and tokenized by exactly one of them (`reads`). One process gathers: it
 * commits every block in input order, its own and the ones `receive` brings, and so builds the
 * result one process would have built, term ids and all, and runs the later stages. The others
 * `send` the blocks they read, in input order, and stop once told to (`stopped`).
 *
 * `send` and `receive` are called from one thread at a time (the in-order commit).
 */
class block_exchange {
 public:
  block_exchange() = default;
  virtual ~block_exchange() = default;
  block_exchange(const block_exchange&) = delete;
  block_exchange& operator=(const block_exchange&) = delete;

  /// Whether this process parses, normalizes and tokenizes block `number`.
  [[nodiscard]] virtual bool reads(std::size_t number) const = 0;
  /// Whether this process gathers the blocks and runs the stages after reading.
  [[nodiscard]] virtual bool gathers() const = 0;
  /// Whether reading should stop early (the gathering process gave up); never on the gatherer.
  /// Called from any thread, so it only reads what `send` learnt.
  [[nodiscard]] virtual bool stopped() = 0;
  /// Gathering: the threads for the stages after reading, which may use the cores of the
  /// processes that only read, on the same machine (0: as many as for reading).
  [[nodiscard]] virtual int threads_after_reading() const { return 0; }
  /// Not gathering: hands over block `number`, read here, or what reading it threw.
  virtual void send(std::size_t number, const document_table& docs, const normalized_part& part,
                    const std::exception_ptr& failure) = 0;
  /// Gathering: block `number`, read elsewhere; throws what reading it threw there.
  virtual void receive(std::size_t number, document_table& docs, normalized_part& part) = 0;
};

/// A block's records and part as bytes, for `block_exchange::send` (`decode_block` reverses it).
[[nodiscard]] std::string encode_block(const document_table& docs, const normalized_part& part);
/// Replaces `docs` and `part` with the block `encode_block` wrote; throws `errc::invalid_argument`
/// on bytes it did not write.
void decode_block(std::string_view bytes, document_table& docs, normalized_part& part);

/// What reading a block threw, as bytes: a `koe::error`'s code and message, or another
/// exception's message.
[[nodiscard]] std::string encode_failure(const std::exception_ptr& failure);
/// Throws the failure `encode_failure` wrote, as the same `koe::error` where it was one.
[[noreturn]] void throw_failure(std::string_view bytes);

}  // namespace koe::detail
