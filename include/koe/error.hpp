/// Error type thrown by every koe stage.
#pragma once

#include <koe/export.hpp>
#include <stdexcept>
#include <string>

namespace koe {

/// What went wrong; stable across versions so callers can branch on it.
enum class errc {
  io_failure,           ///< A file or directory could not be opened, read or written.
  invalid_encoding,     ///< Bytes are not valid in the declared or detected encoding.
  malformed_record,     ///< A record breaks the format (quote, column count, NUL byte, JSON).
  missing_column,       ///< A named or numbered column does not exist in the header.
  mecab_init_failed,    ///< MeCab could not load a dictionary.
  mecab_parse_failed,   ///< MeCab could not parse a text (its lattice reports why).
  invalid_argument,     ///< An option has a value outside its domain.
  empty_corpus,         ///< Nothing is left to cluster after reading and filtering.
  invalid_config,       ///< A configuration, rules or decisions file is malformed.
  out_of_memory,        ///< The corpus does not fit in memory.
  internal,             ///< An internal invariant broke (checked only with KOE_DEVELOPER_MODE).
  invalid_model,        ///< A model file is damaged, truncated, not a koe model or too new.
  dictionary_mismatch,  ///< The MeCab dictionary differs from the one a model was fitted with.
  mixed_outputs,        ///< An output folder holds files of different runs, or an incomplete set.
};

/// Exception carrying an `errc` and a message that names the file, line and cause.
class KOE_EXPORT error : public std::runtime_error {
 public:
  error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] errc code() const noexcept { return code_; }

 private:
  errc code_;
};

}  // namespace koe

/// Throws `koe::error(code, message)` unless `cond` holds.
#define KOE_THROW_IF_NOT(cond, code, message)       \
  do {                                              \
    if (!(cond)) throw ::koe::error(code, message); \
  } while (false)
