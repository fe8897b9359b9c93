// The other half of assert_test.cpp: KOE_ASSERT compiled without KOE_DEVELOPER_MODE.
#undef KOE_DEVELOPER_MODE
#include "detail/assert.hpp"

int koe_assert_off(int& evaluated);

int koe_assert_off(int& evaluated) {
  KOE_ASSERT(++evaluated < 0);
  return evaluated;
}
