// Output sets: atomic writes that checksum what they write, manifest.json, and the checks a
// reader runs before trusting a folder or a file in it. The format is in docs/outputs.md.
#include <koe/error.hpp>
#include <koe/output_set.hpp>

#include "detail/output_set.hpp"

#include <xxhash.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <set>
#include <sstream>
#include <streambuf>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace koe {
namespace {

namespace fs = std::filesystem;

constexpr const char* manifest_name = "manifest.json";
constexpr const char* manifest_magic = "koe-output-set";
// The first koe whose runs write manifest.json; folders written before it have none.
constexpr const char* first_version_with_manifest = "0.1.0";
// No manifest of a real run comes near this; a larger file is not one.
constexpr std::uintmax_t max_manifest_bytes = std::uintmax_t{1} << 20;

using xxh64_state = std::unique_ptr<XXH64_state_t, decltype(&XXH64_freeState)>;

xxh64_state new_xxh64() {
  xxh64_state s(XXH64_createState(), &XXH64_freeState);
  if (!s) throw std::bad_alloc();
  XXH64_reset(s.get(), 0);
  return s;
}

// A stream buffer that passes every byte on to `sink` and keeps its count and XXH64, so a file's
// checksum is known once it is written, without reading it back.
class hashing_buffer final : public std::streambuf {
 public:
  explicit hashing_buffer(std::streambuf& sink) : sink_(sink), buffer_(std::size_t{1} << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  [[nodiscard]] detail::written_bytes result() const { return {size_, XXH64_digest(state_.get())}; }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n <= epptr() - pptr()) {
      std::memcpy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));  // at most the buffer's size
      return n;
    }
    // A write larger than the room left goes straight through, after what is buffered.
    return drain() && pass(s, n) ? n : 0;
  }

  int sync() override { return drain() && sink_.pubsync() == 0 ? 0 : -1; }

 private:
  bool pass(const char* s, std::streamsize n) {
    XXH64_update(state_.get(), s, static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
    return sink_.sputn(s, n) == n;
  }

  bool drain() {
    const std::streamsize n = pptr() - pbase();
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return n == 0 || pass(buffer_.data(), n);
  }

  std::streambuf& sink_;
  std::vector<char> buffer_;
  xxh64_state state_ = new_xxh64();
  std::uint64_t size_ = 0;
};

// Test hook, the only reader of KOE_TEST_KILL_AT: at the step it names, the process dies as a
// crash would kill it (SIGKILL: no handler, no destructor, no flush). The crash tests
// (tests/output_set_test.cpp) use it to stop a run between any two file system operations.
void crash_point(std::string_view step) {
  const char* at = std::getenv("KOE_TEST_KILL_AT");
  if (at != nullptr && step == at) std::raise(SIGKILL);
}

std::string hex16(std::uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

// The folder as messages show it: "out/".
std::string shown(const fs::path& dir) {
  std::string s = dir.empty() ? std::string(".") : dir.string();
  if (s.back() != '/') s += '/';
  return s;
}

// A name that stays inside its folder: no directory part, not "." or "..".
bool plain_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

// `file` is NAME.tmp.DIGITS, as write_file_atomically names its temporary files.
bool temporary_of(std::string_view file, std::string_view name) {
  const std::string prefix = std::string(name) + ".tmp.";
  if (file.size() <= prefix.size() || file.substr(0, prefix.size()) != prefix) return false;
  const std::string_view digits = file.substr(prefix.size());
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Any NAME.tmp.DIGITS file.
bool temporary_file(std::string_view file) {
  const std::size_t at = file.rfind(".tmp.");
  return at != std::string_view::npos && at > 0 && temporary_of(file, file.substr(0, at));
}

void remove_file(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw error(errc::io_failure, "cannot remove " + path.string() + ": " + ec.message());
}

// Removes what earlier runs killed while writing `names` left behind, and nothing else.
void remove_temporary_files(const fs::path& dir, const std::vector<std::string>& names) {
  std::vector<fs::path> stray;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (std::any_of(names.begin(), names.end(),
                    [&file](const std::string& n) { return temporary_of(file, n); }))
      stray.push_back(it->path());
  }
  if (ec) throw error(errc::io_failure, "cannot list " + shown(dir) + ": " + ec.message());
  for (const auto& path : stray)
    remove_file(path);
}

void check_entries(const std::vector<output_entry>& files) {
  std::set<std::string_view> seen;
  for (const auto& f : files) {
    KOE_THROW_IF_NOT(plain_name(f.name) && f.name != manifest_name, errc::invalid_argument,
                     "output file name '" + f.name + "' is not a plain file name of its own");
    KOE_THROW_IF_NOT(seen.insert(f.name).second, errc::invalid_argument,
                     "output file '" + f.name + "' is listed twice");
  }
}

std::string run_id_of(const std::vector<output_file>& files) {
  std::string text;
  for (const auto& f : files)
    text += f.name + '\t' + std::to_string(f.size) + '\t' + hex16(f.xxh64) + '\n';
  return hex16(XXH64(text.data(), text.size(), 0));
}

std::string manifest_text(const output_manifest& m) {
  nlohmann::ordered_json j;
  j["format"] = manifest_magic;
  j["format_version"] = m.format_version;
  j["koe_version"] = m.koe_version;
  j["run_id"] = m.run_id;
  j["files"] = nlohmann::ordered_json::array();
  for (const auto& f : m.files)
    j["files"].push_back({{"name", f.name}, {"size", f.size}, {"xxh64", hex16(f.xxh64)}});
  return j.dump(2) + '\n';
}

std::string no_manifest(const fs::path& dir) {
  return shown(dir) + ": no " + manifest_name +
         " — the run that wrote this folder did not finish (or it predates koe " +
         first_version_with_manifest + ")";
}

[[noreturn]] void malformed(const fs::path& manifest, const std::string& why) {
  throw error(errc::mixed_outputs, manifest.string() + " is malformed: " + why);
}

using json = nlohmann::json;

const json& member(const fs::path& manifest, const json& object, const char* key,
                   bool (json::*is)() const noexcept, const char* what) {
  const auto it = object.find(key);
  if (it == object.end() || !((*it).*is)())
    malformed(manifest, std::string("\"") + key + "\" is missing or not " + what);
  return *it;
}

std::uint64_t checksum_of(const fs::path& manifest, const std::string& text) {
  const bool hex = text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                   });
  if (!hex) malformed(manifest, "'" + text + "' is not 16 lowercase hex digits");
  return std::stoull(text, nullptr, 16);
}

output_file file_of(const fs::path& manifest, const json& j) {
  if (!j.is_object()) malformed(manifest, "an entry of \"files\" is not an object");
  output_file f;
  f.name = member(manifest, j, "name", &json::is_string, "a text").get<std::string>();
  if (!plain_name(f.name) || f.name == manifest_name)
    malformed(manifest, "'" + f.name + "' is not a file name of the folder");
  f.size = member(manifest, j, "size", &json::is_number_unsigned, "a size").get<std::uint64_t>();
  f.xxh64 = checksum_of(
      manifest, member(manifest, j, "xxh64", &json::is_string, "a text").get<std::string>());
  return f;
}

std::string read_small_file(const fs::path& path) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw error(errc::io_failure, "cannot read " + path.string() + ": " + ec.message());
  if (size > max_manifest_bytes)
    malformed(path, std::to_string(size) + " bytes, more than any koe manifest");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  KOE_THROW_IF_NOT(in, errc::io_failure, "cannot read " + path.string());
  return text.str();
}

output_manifest read_manifest(const fs::path& dir) {
  const fs::path path = dir / manifest_name;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw error(errc::mixed_outputs, no_manifest(dir));
  if (!fs::is_regular_file(status)) malformed(path, "not a regular file");
  json j;
  try {
    j = json::parse(read_small_file(path));
  } catch (const json::parse_error& e) {
    // nlohmann's messages open with "[json.exception.parse_error.101] "; the rest is the cause.
    const std::string what = e.what();
    const std::size_t cut = what.find("] ");
    malformed(path, cut == std::string::npos ? what : what.substr(cut + 2));
  }
  if (!j.is_object() || j.find("format") == j.end() || j["format"] != manifest_magic)
    throw error(errc::mixed_outputs, path.string() + " is not a koe output manifest");
  output_manifest m;
  const json& version = member(path, j, "format_version", &json::is_number_integer, "a number");
  if (version.get<std::int64_t>() > output_manifest_version)
    throw error(errc::mixed_outputs, path.string() + " has format version " + version.dump() +
                                         "; this koe (" + KOE_VERSION + ") reads version " +
                                         std::to_string(output_manifest_version) +
                                         " and older: use a newer koe");
  if (version.get<std::int64_t>() < 1) malformed(path, "format version " + version.dump());
  m.format_version = version.get<int>();
  m.koe_version = member(path, j, "koe_version", &json::is_string, "a text").get<std::string>();
  m.run_id = member(path, j, "run_id", &json::is_string, "a text").get<std::string>();
  std::set<std::string> seen;
  for (const json& entry : member(path, j, "files", &json::is_array, "a list")) {
    m.files.push_back(file_of(path, entry));
    if (!seen.insert(m.files.back().name).second)
      malformed(path, "'" + m.files.back().name + "' is listed twice");
  }
  // The run id is a checksum of the list itself: an edited list no longer matches it.
  if (m.run_id != run_id_of(m.files))
    malformed(path, "its run_id does not match its list of files");
  return m;
}

detail::written_bytes hash_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  KOE_THROW_IF_NOT(in, errc::io_failure, "cannot read " + path.string());
  const xxh64_state state = new_xxh64();
  std::vector<char> buffer(std::size_t{1} << 20);
  std::uint64_t size = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    XXH64_update(state.get(), buffer.data(), n);
    size += n;
  }
  KOE_THROW_IF_NOT(!in.bad(), errc::io_failure, "cannot read " + path.string());
  return {size, XXH64_digest(state.get())};
}

void check_listed_file(const fs::path& dir, const output_file& f) {
  const fs::path path = dir / f.name;
  const fs::path manifest = dir / manifest_name;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status))
    throw error(errc::mixed_outputs, path.string() + " is missing; " + manifest.string() +
                                         " lists it (the folder was changed after the run?)");
  const std::string differs =
      path.string() + " does not match " + manifest.string() + " (written by another run?)";
  if (!fs::is_regular_file(status) || fs::file_size(path, ec) != f.size || ec)
    throw error(errc::mixed_outputs, differs);
  const detail::written_bytes actual = hash_file(path);
  if (actual.size != f.size || actual.xxh64 != f.xxh64) throw error(errc::mixed_outputs, differs);
}
}  // namespace

namespace detail {

written_bytes write_atomically(const fs::path& path, const std::function<void(std::ostream&)>& fill,
                               const std::function<void()>& before_rename) {
  const fs::path tmp = path.string() + ".tmp." + std::to_string(static_cast<long long>(::getpid()));
  auto discard = [&tmp] {
    std::error_code ec;
    fs::remove(tmp, ec);
  };
  written_bytes written;
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    KOE_THROW_IF_NOT(f, errc::io_failure, "cannot write " + tmp.string());
    hashing_buffer hashing(*f.rdbuf());
    std::ostream out(&hashing);
    try {
      fill(out);
    } catch (...) {
      f.close();
      discard();
      throw;
    }
    out.flush();
    f.close();
    if (!out || !f) {
      discard();
      throw error(errc::io_failure, "cannot write " + tmp.string() + " (disk full?)");
    }
    written = hashing.result();
  }
  if (before_rename) before_rename();
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    discard();
    throw error(errc::io_failure, "cannot replace " + path.string() + ": " + ec.message());
  }
  return written;
}

}  // namespace detail

output_manifest write_output_set(const fs::path& dir, const std::vector<output_entry>& files) {
  check_entries(files);
  std::error_code ec;
  fs::create_directories(dir, ec);
  KOE_THROW_IF_NOT(!ec && fs::is_directory(dir), errc::io_failure,
                   "cannot create output directory " + dir.string() +
                       (ec ? ": " + ec.message() : std::string()));
  // From here until the new manifest is in place the folder reads as unfinished.
  remove_file(dir / manifest_name);
  crash_point("manifest-removed");
  std::vector<std::string> names{manifest_name};
  for (const auto& f : files)
    names.push_back(f.name);
  remove_temporary_files(dir, names);
  // A file this run does not write must not stay beside the new set as if it belonged to it.
  for (const auto& f : files)
    if (!f.fill) remove_file(dir / f.name);
  crash_point("cleaned");

  output_manifest m;
  m.koe_version = KOE_VERSION;
  for (const auto& f : files) {
    if (!f.fill) continue;
    const auto written =
        detail::write_atomically(dir / f.name, f.fill, [&f] { crash_point("temp:" + f.name); });
    crash_point("renamed:" + f.name);
    m.files.push_back({f.name, written.size, written.xxh64});
  }
  m.run_id = run_id_of(m.files);
  const std::string text = manifest_text(m);
  detail::write_atomically(
      dir / manifest_name,
      [&text](std::ostream& out) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
      },
      [] { crash_point(std::string("temp:") + manifest_name); });
  crash_point(std::string("renamed:") + manifest_name);
  return m;
}

output_manifest check_output_set(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw error(errc::io_failure, "cannot open " + shown(dir) + ": " +
                                      (fs::exists(dir, ec) ? "not a folder" : "no such folder"));
  output_manifest m = read_manifest(dir);
  for (const auto& f : m.files)
    check_listed_file(dir, f);
  return m;
}

std::optional<output_manifest> check_output_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw error(errc::io_failure, "cannot open " + path.string() + ": no such file");
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string name = path.filename().string();
  if (fs::exists(fs::symlink_status(dir / manifest_name, ec))) {
    output_manifest m = check_output_set(dir);
    const bool listed = std::any_of(m.files.begin(), m.files.end(),
                                    [&name](const output_file& f) { return f.name == name; });
    if (!listed && name != manifest_name)
      throw error(errc::mixed_outputs, path.string() + " is not listed in " +
                                           (dir / manifest_name).string() +
                                           " (left by another run?)");
    return m;
  }
  // No manifest: the file was copied out on its own, or the run that wrote it did not finish.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string other = it->path().filename().string();
    if (other == name) continue;
    if (other == "clusters.json" || other == "assignments.csv" || temporary_file(other))
      throw error(errc::mixed_outputs, no_manifest(dir) + "; " + path.string() +
                                           " may not belong with " + it->path().string());
  }
  if (ec) throw error(errc::io_failure, "cannot list " + shown(dir) + ": " + ec.message());
  return std::nullopt;
}

}  // namespace koe
