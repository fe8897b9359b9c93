// Opening an input file for reading, with the message every reader of koe gives when it cannot.
// Private to koe.
#pragma once

#include <koe/error.hpp>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace koe::detail {

/// `path` opened for binary reading; throws `errc::io_failure` "cannot open PATH: why" (a
/// directory, or the system's reason) when it cannot be.
inline std::ifstream open_binary(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw error(errc::io_failure, "cannot open " + name + ": is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    throw error(errc::io_failure,
                "cannot open " + name + ": " +
                    (e != 0 ? std::generic_category().message(e) : std::string("unknown error")));
  }
  return in;
}

}  // namespace koe::detail
