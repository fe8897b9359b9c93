// Internal invariants, checked only in developer builds. Private: never installed.
#pragma once

#include <koe/error.hpp>

#include <string>

/**
 * `KOE_ASSERT(cond)`: with `KOE_DEVELOPER_MODE` defined (CMake option `KOE_DEVELOPER_MODE=ON`),
 * throws `koe::error(errc::internal, "FILE:LINE: internal invariant broken: COND")` unless `cond`
 * holds, so that a broken invariant reaches the caller as any other error (the library never
 * aborts). Otherwise it does nothing and `cond` is not evaluated, so it may be costly.
 */
#ifdef KOE_DEVELOPER_MODE
#define KOE_ASSERT(cond)                                                                    \
  do {                                                                                      \
    if (!(cond))                                                                            \
      throw ::koe::error(::koe::errc::internal, std::string(__FILE__) + ":" +               \
                                                    std::to_string(__LINE__) +              \
                                                    ": internal invariant broken: " #cond); \
  } while (false)
#else
#define KOE_ASSERT(cond) \
  do {                   \
    if (false) {         \
      (void)(cond);      \
    }                    \
  } while (false)
#endif
