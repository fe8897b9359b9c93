// Helpers shared by the reader's tests (io_test.cpp, io_encoding_test.cpp): files written to a
// directory of their own, failures with the path replaced, option presets, text in a legacy
// encoding.
#pragma once

#include <koe/error.hpp>
#include <koe/io.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace koe::test::io {

namespace fs = std::filesystem;

/// A directory of its own for each test, removed when the test ends.
class temp_dir : public koe::test::temp_dir {
 public:
  temp_dir() : koe::test::temp_dir("koe_io_test") {}
};

inline koe::corpus read_bytes(const std::string& name, std::string_view bytes,
                              const koe::io_options& options = {}) {
  const temp_dir dir;
  return koe::read_corpus(dir.write(name, bytes), options);
}

/// A thrown error, with the file's path in the message replaced by "FILE".
struct failure {
  koe::errc code = koe::errc::invalid_config;
  std::string message;
};

inline failure read_failure(const std::string& name, std::string_view bytes,
                            const koe::io_options& options = {}) {
  const temp_dir dir;
  const fs::path p = dir.write(name, bytes);
  try {
    (void)koe::read_corpus(p, options);
  } catch (const koe::error& e) {
    std::string message = e.what();
    const std::string path = p.string();
    if (message.starts_with(path)) message = "FILE" + message.substr(path.size());
    return {e.code(), message};
  }
  ADD_FAILURE() << "reading " << name << " did not throw";
  return {};
}

inline koe::io_options skipping() {
  koe::io_options options;
  options.errors = koe::on_error::skip;
  return options;
}

inline koe::io_options unlimited() {
  koe::io_options options;
  options.max_voice_bytes = 0;
  return options;
}

inline koe::io_options with_encoding(const std::string& encoding) {
  koe::io_options options;
  options.encoding = encoding;
  return options;
}

/// `utf8` in `encoding`, as a Windows or Unix tool would have written it.
inline std::string encode(std::string_view utf8, const char* encoding) {
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 4 + 16, '\0');
  const std::int32_t n =
      ucnv_convert(encoding, "UTF-8", out.data(), static_cast<std::int32_t>(out.size()),
                   utf8.data(), static_cast<std::int32_t>(utf8.size()), &status);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

inline std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

inline const std::string japanese_voices =
    "id,text\n"
    "1,アプリの動作がとても重いです。ログインできないことがよくあります。\n"
    "2,画面が真っ白になってしまい、何も表示されません。早く直してください。\n"
    "3,サポートに問い合わせても返事がありません。対応が遅すぎると思います。\n"
    "4,料金が高すぎると思います。もう少し安いプランがあると嬉しいです。\n"
    "5,使いやすくて便利ですが、もう少し速くしてほしいです。期待しています。\n";

/// The reader's chunk size, for inputs that put a boundary inside a record or a character.
inline constexpr std::size_t chunk = std::size_t{1} << 20;

}  // namespace koe::test::io
