// Model files on disk: saved atomically, read whole and decoded (model_file.cpp).
#include <koe/error.hpp>
#include <koe/model_file.hpp>
#include <koe/output_set.hpp>
#include <koe/report.hpp>

#include "detail/open_file.hpp"

#include <fstream>
#include <string>
#include <system_error>

namespace koe {

namespace {

std::string read_whole_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in = detail::open_binary(path);
  std::string bytes;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    bytes.resize(static_cast<std::size_t>(size));
    in.read(bytes.data(), size);
  }
  if (size < 0 || !in) throw error(errc::io_failure, "cannot read " + name);
  return bytes;
}

}  // namespace

void save_model(const model& m, const std::filesystem::path& path) {
  KOE_THROW_IF_NOT(m.fitted(), errc::invalid_argument,
                   "cannot save " + path.string() + ": the model has not been fitted");
  write_file_atomically(path, encode_model(m));
}

model_file read_model_file(const std::filesystem::path& path) {
  // A model inside a koe output folder is read only when the folder holds one run's complete set
  // (manifest.json): never a model beside the decisions and tables of another run.
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) (void)check_output_file(path);
  return decode_model_file(read_whole_file(path), path.string());
}

model load_model(const std::filesystem::path& path) {
  return std::move(read_model_file(path).content);
}

model_file_info read_model_info(const std::filesystem::path& path) {
  return read_model_file(path).info;
}

}  // namespace koe
