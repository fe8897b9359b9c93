// Running the koe executable from a test: its exit status and what it printed, captured in files
// (so that neither pipe can fill up and block the child). KOE_CLI_PATH names the executable.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef KOE_CLI_PATH
#error "define KOE_CLI_PATH (the koe executable) before including cli_runner.hpp"
#endif

namespace koe::test {

/// The whole of a file's bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct cli_result {
  int status = -1;  ///< Exit code, or 128 + signal.
  std::string out;
  std::string err;

  /// True when stderr holds `line` as one whole line, or a line that starts with it when `line`
  /// ends in "..." (for messages whose end is another library's wording).
  [[nodiscard]] bool said(const std::string& line) const {
    if (line.ends_with("..."))
      return ("\n" + err).find("\n" + line.substr(0, line.size() - 3)) != std::string::npos;
    return ("\n" + err).find("\n" + line + "\n") != std::string::npos;
  }
};

/// `s` quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/**
 * Runs the executable at `koe` with `args` through /bin/sh, its output in files of `scratch`;
 * `prefix` goes before it in the same shell (for ulimit), `wrapper` before the executable on the
 * same command line (to run it as another user).
 */
inline cli_result run_program(const std::string& koe, const std::filesystem::path& scratch,
                              const std::vector<std::string>& args, const std::string& prefix = "",
                              const std::string& wrapper = "") {
  const std::filesystem::path out = scratch / "cli.stdout";
  const std::filesystem::path err = scratch / "cli.stderr";
  std::string command = prefix + "exec " + wrapper + shell_quote(koe);
  for (const auto& a : args)
    command += " " + shell_quote(a);
  command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
  const int raw = std::system(command.c_str());
  cli_result r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) r.status = 128 + WTERMSIG(raw);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

/// `run_program` of the koe executable (KOE_CLI_PATH) in the temporary folder `dir`.
template <class Dir>
cli_result run_koe(const Dir& dir, const std::vector<std::string>& args,
                   const std::string& prefix = "", const std::string& wrapper = "") {
  return run_program(KOE_CLI_PATH, dir.path(), args, prefix, wrapper);
}

/// `koe cluster FILE -k 2 -q -o OUT` plus `extra`.
template <class Dir>
cli_result cluster(const Dir& dir, const std::filesystem::path& file,
                   const std::filesystem::path& outdir,
                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"cluster", file.string(), "-k",           "2",
                                   "-q",      "-o",          outdir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_koe(dir, args);
}

}  // namespace koe::test
