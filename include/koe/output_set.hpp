/// Output sets: the files one run writes into a folder, listed with their sizes and checksums in
/// manifest.json, so that a reader can tell one complete run from an unfinished or mixed folder.
#pragma once

#include <koe/export.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace koe {

/// Format version of manifest.json that this koe writes and reads (docs/outputs.md).
inline constexpr int output_manifest_version = 1;

/// One file of an output set, as manifest.json lists it.
struct KOE_EXPORT output_file {
  std::string name;         ///< File name inside the folder, e.g. "clusters.json".
  std::uint64_t size = 0;   ///< Size in bytes.
  std::uint64_t xxh64 = 0;  ///< XXH64 (seed 0) of the file's bytes.
};

/// What manifest.json says about its folder.
struct KOE_EXPORT output_manifest {
  int format_version = output_manifest_version;  ///< Version of the manifest's format.
  std::string koe_version;                       ///< Version of the koe that wrote the set.
  /// 16 lowercase hex digits: XXH64 of the file list (names, sizes, checksums). The same input,
  /// options and seed give the same run id; any other file content gives another.
  std::string run_id;
  std::vector<output_file> files;  ///< In the order they were written.
};

/// One file a run may write: its name and what writes its bytes.
struct KOE_EXPORT output_entry {
  std::string name;  ///< File name inside the folder; a plain name, no directory part.
  /// Writes the file's bytes; empty when this run does not write the file, in which case a copy
  /// left by a previous run is removed so that no stale file sits beside the new set.
  std::function<void(std::ostream&)> fill;
};

/**
 * Writes `files` into `dir` (created if needed) as one output set, in four steps:
 * 1. removes `dir`/manifest.json, so the folder reads as incomplete until step 4;
 * 2. removes the temporary files koe's writers leave when killed (`NAME.tmp.DIGITS`, for the
 *    names in `files` and manifest.json; nothing else), and the files this run does not write;
 * 3. writes each file with a writer atomically (`write_file_atomically`), computing its size and
 *    XXH64 checksum as the bytes go out;
 * 4. writes manifest.json atomically, last.
 * A run killed at any point leaves either no manifest.json (`check_output_set` refuses the
 * folder) or a complete set. Two runs must not write into one folder at the same time.
 * Throws `errc::io_failure` naming the file when a file cannot be removed or written.
 *
 * **Example**
 * ```cpp
 * koe::write_output_set("out", {{"hello.txt", [](std::ostream& o) { o << "hello\n"; }}});
 * koe::check_output_set("out");  // the manifest lists hello.txt
 * ```
 *
 * Test hook: when the environment variable `KOE_TEST_KILL_AT` names a step
 * (`manifest-removed`, `cleaned`, `temp:NAME`, `renamed:NAME`, with NAME a file or
 * manifest.json), the process kills itself with SIGKILL at that step, as a crash would.
 */
KOE_EXPORT output_manifest write_output_set(const std::filesystem::path& dir,
                                            const std::vector<output_entry>& files);

/**
 * Checks that `dir` holds one complete output set: manifest.json is there and well formed, and
 * every file it lists is present with the listed size and checksum. Returns the manifest.
 * Throws `errc::mixed_outputs` with a message naming the folder or file: no manifest.json (the
 * writing run did not finish, or predates koe 0.1.0), a malformed or newer manifest, a listed file
 * missing, a file that does not match the manifest (written by another run). Throws
 * `errc::io_failure` when `dir` is not a readable folder.
 */
KOE_EXPORT output_manifest check_output_set(const std::filesystem::path& dir);

/**
 * Checks a single file a reader is about to load (a model, a previous run's assignments):
 * - when its folder holds manifest.json, the whole set is checked (`check_output_set`) and the
 *   file must be listed; the set's manifest is returned;
 * - when its folder holds no manifest but other koe outputs (clusters.json, assignments.csv or a
 *   temporary file of koe's writers), the folder is an unfinished run: `errc::mixed_outputs`;
 * - when the file stands alone (copied elsewhere on its own), it is accepted: nullopt.
 * Throws `errc::io_failure` when the file does not exist.
 */
KOE_EXPORT std::optional<output_manifest> check_output_file(const std::filesystem::path& path);

}  // namespace koe
