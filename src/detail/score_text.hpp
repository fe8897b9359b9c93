// Small text helpers shared by scoring, decisions, the trace and the configuration reader.
// Private to koe.
#pragma once

#include <koe/error.hpp>

#include "utf8.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

/// The characters of `s`, one view each (a malformed byte is one view of its own).
inline std::vector<std::string_view> utf8_chars(std::string_view s) {
  std::vector<std::string_view> out;
  utf8::for_each(s,
                 [&](utf8::code_point c, std::size_t at) { out.push_back(s.substr(at, c.bytes)); });
  return out;
}

/// `x` with `digits` decimals, as printf writes it.
inline std::string fixed(double x, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

inline std::string percent(double x) {
  return fixed(100.0 * x, 1) + "%";
}

inline std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

/// The number `s` holds (surrounding spaces allowed), as a rating column writes it; none for an
/// empty, partial or non-finite value.
inline std::optional<double> parse_number(std::string_view s) {
  const std::string t = trim(s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

inline std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

/// Terms of a cluster key: split on "+" (or the full-width "＋" a Japanese keyboard gives),
/// trimmed and with Latin letters folded as koe folds terms; duplicates and empty parts dropped.
inline std::set<std::string> key_terms(std::string_view key) {
  std::set<std::string> out;
  std::string part;
  auto flush = [&] {
    std::string t = ascii_lower(trim(part));
    if (!t.empty()) out.insert(std::move(t));
    part.clear();
  };
  for (std::size_t i = 0; i < key.size();) {
    if (key[i] == '+') {
      flush();
      ++i;
    } else if (key.substr(i).starts_with("＋")) {
      flush();
      i += std::string_view("＋").size();
    } else {
      part += key[i++];
    }
  }
  flush();
  return out;
}

/// The whole of a file; `what` names it in the error.
inline std::string read_text_file(const std::filesystem::path& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  KOE_THROW_IF_NOT(f, errc::io_failure, std::string("cannot open ") + what + " " + path.string());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace koe::detail
