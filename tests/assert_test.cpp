// KOE_ASSERT: a koe::error naming the invariant in developer builds, nothing otherwise.
#define KOE_DEVELOPER_MODE 1
#include "detail/assert.hpp"

#include <gtest/gtest.h>

#include <string>

// Defined in assert_off.cpp, compiled without KOE_DEVELOPER_MODE: asserts a false condition
// that counts its evaluations in `evaluated`.
int koe_assert_off(int& evaluated);

namespace {

TEST(Assert, ThrowsAnInternalErrorNamingTheConditionInDeveloperMode) {
  const int blocks = 2;
  try {
    KOE_ASSERT(blocks == 3);
    FAIL() << "no throw";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::internal);
    const std::string what = e.what();
    EXPECT_NE(what.find("assert_test.cpp:"), std::string::npos) << what;
    EXPECT_NE(what.find("blocks == 3"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(KOE_ASSERT(blocks == 2));
}

TEST(Assert, DoesNothingAndEvaluatesNothingOtherwise) {
  int evaluated = 0;
  EXPECT_NO_THROW(koe_assert_off(evaluated));
  EXPECT_EQ(evaluated, 0);
}

}  // namespace
