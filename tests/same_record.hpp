// Field-by-field comparison of two records, for the tests that read one input in two ways.
#pragma once

#include <koe/types.hpp>

#include <gtest/gtest.h>

#include <string>

namespace koe::test {

/// Success when `a` and `b` agree in every field; otherwise names the first field that differs.
inline ::testing::AssertionResult same_record(const koe::document& a, const koe::document& b) {
  const auto differs = [](const char* field, const auto& x, const auto& y) {
    return ::testing::AssertionFailure() << field << " differs: " << x << " vs " << y;
  };
  if (a.record != b.record) return differs("record", a.record, b.record);
  if (a.line != b.line) return differs("line", a.line, b.line);
  if (a.id != b.id) return differs("id", a.id, b.id);
  if (a.text != b.text) return differs("text", a.text, b.text);
  if (a.timestamp != b.timestamp) return differs("timestamp", a.timestamp, b.timestamp);
  if (a.status != b.status)
    return differs("status", static_cast<int>(a.status), static_cast<int>(b.status));
  if (a.reason != b.reason) return differs("reason", a.reason, b.reason);
  if (a.meta.size() != b.meta.size()) return differs("meta size", a.meta.size(), b.meta.size());
  for (std::size_t j = 0; j < a.meta.size(); ++j)
    if (a.meta[j] != b.meta[j])
      return differs(("meta " + std::to_string(j)).c_str(), a.meta[j], b.meta[j]);
  return ::testing::AssertionSuccess();
}

}  // namespace koe::test
