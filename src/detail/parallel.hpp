// Loop helpers shared by the parallel stages. Private: never installed.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>

#if defined(__SANITIZE_THREAD__)
#define KOE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KOE_TSAN 1
#endif
#endif
#ifdef KOE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace koe::detail {

// ThreadSanitizer cannot see the synchronization inside an uninstrumented libtbb, so the fork and
// join of our parallel loops are told to it: everything before `happens_before(t)` is ordered
// before everything after a later `happens_after(t)` on the same token. No-ops otherwise.
inline void happens_before([[maybe_unused]] const void* token) noexcept {
#ifdef KOE_TSAN
  __tsan_release(const_cast<void*>(token));
#endif
}
inline void happens_after([[maybe_unused]] const void* token) noexcept {
#ifdef KOE_TSAN
  __tsan_acquire(const_cast<void*>(token));
#endif
}

/// Calls `body(begin, end)` over [0, n) in chunks of at most `grain` items, in parallel in the
/// current task arena. Each index is visited exactly once; bodies must write only to their own
/// slots.
template <class Body>
void parallel_chunks(std::size_t n, std::size_t grain, const Body& body) {
  if (n == 0) return;
  const char fork = 0, join = 0;
  happens_before(&fork);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain == 0 ? 1 : grain),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      happens_after(&fork);
                      body(r.begin(), r.end());
                      happens_before(&join);
                    });
  happens_after(&join);
}

/// Number of fixed blocks of `block` items covering [0, n); block boundaries never depend on the
/// number of threads, so per-block partial results merged in block order are deterministic.
constexpr std::size_t block_count(std::size_t n, std::size_t block) noexcept {
  return block == 0 ? 0 : (n + block - 1) / block;
}

}  // namespace koe::detail
