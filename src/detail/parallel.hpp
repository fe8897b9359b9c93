// Loop helpers shared by the parallel stages. Private: never installed.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

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

/**
 * Runs a stream of blocks through three stages, with at most `in_flight` blocks between the first
 * and the last: `cut(slot)` fills the next block's slot (default-constructed), one block at a time
 * in input order, and returns false at the end of the stream; `work(slot)` runs on the blocks cut,
 * in parallel in the current task arena; `take(slot)` consumes each block worked on, one at a time
 * in input order, after which its slot is emptied. What a stage throws cancels the blocks in
 * flight and reaches the caller.
 */
template <class Slot, class Cut, class Work, class Take>
void stream_in_order(std::size_t in_flight, const Cut& cut, const Work& work, const Take& take) {
  if (in_flight == 0) in_flight = 1;
  // The pipeline passes only block numbers: block b + in_flight, which reuses b's slot, is cut
  // only once b was taken, since no more than `in_flight` blocks are in the pipeline and they
  // leave it in order.
  std::vector<Slot> slots(in_flight);
  std::size_t next = 0;
  // Hand-offs between the stages, told to ThreadSanitizer (see happens_before).
  const char fork = 0, handoff = 0, in_order = 0;
  // However the pipeline ends, normally or by an exception, what its stages wrote to the slots
  // is ordered before the slots are destroyed (TBB waits for every stage, unseen by the sanitizer).
  struct joined {
    const char* handoff;
    const char* in_order;
    ~joined() {
      happens_after(handoff);
      happens_after(in_order);
    }
  } const join{&handoff, &in_order};
  const auto first = [&](tbb::flow_control& fc) -> std::size_t {
    happens_after(&fork);
    happens_after(&in_order);
    const std::size_t b = next++;  // before the hand-off below, which orders it for the next call
    Slot& s = slots[b % in_flight];
    s = Slot{};
    if (!cut(s)) fc.stop();  // the number returned is then unused
    happens_before(&in_order);
    return b;
  };
  const auto middle = [&](std::size_t b) {
    happens_after(&fork);
    happens_after(&in_order);
    work(slots[b % in_flight]);
    happens_before(&handoff);
    return b;
  };
  const auto last = [&](std::size_t b) {
    happens_after(&fork);
    happens_after(&handoff);
    happens_after(&in_order);
    Slot& s = slots[b % in_flight];
    take(s);
    s = Slot{};
    happens_before(&in_order);
  };
  happens_before(&fork);  // the stages and what they capture are made before any runs
  tbb::parallel_pipeline(
      in_flight,
      tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order, first) &
          tbb::make_filter<std::size_t, std::size_t>(tbb::filter_mode::parallel, middle) &
          tbb::make_filter<std::size_t, void>(tbb::filter_mode::serial_in_order, last));
}

/// Calls `make(b)` for each block b of [0, blocks), in parallel with a few blocks (4 per thread
/// of the arena) made and not yet taken, and `take(result)` with each block's result in block
/// order, one block at a time: results are taken as soon as they and every earlier one are ready,
/// while later blocks are being made. `make` returns a default-constructible, movable value.
template <class Make, class Take>
void map_in_order(std::size_t blocks, const Make& make, const Take& take) {
  using result = std::invoke_result_t<const Make&, std::size_t>;
  struct slot {
    std::size_t block = 0;
    result value{};
  };
  if (blocks == 0) return;
  std::size_t next = 0;
  stream_in_order<slot>(
      static_cast<std::size_t>(4 * tbb::this_task_arena::max_concurrency()),
      [&](slot& s) {
        if (next == blocks) return false;
        s.block = next++;
        return true;
      },
      [&](slot& s) { s.value = make(s.block); }, [&](slot& s) { take(std::move(s.value)); });
}

/// Number of fixed blocks of `block` items covering [0, n); block boundaries never depend on the
/// number of threads, so per-block partial results merged in block order are deterministic.
constexpr std::size_t block_count(std::size_t n, std::size_t block) noexcept {
  return block == 0 ? 0 : (n + block - 1) / block;
}

}  // namespace koe::detail
