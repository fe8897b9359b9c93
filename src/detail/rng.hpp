// Seeded random numbers with our own mapping, so results match across standard libraries.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace koe::detail {

/// SplitMix64 step: derives independent seeds for restarts and items from one user seed.
constexpr std::uint64_t mix_seed(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// A stream of uniform and normal variates; std::*_distribution is avoided on purpose because
/// its output differs between standard library implementations.
class rng {
 public:
  explicit rng(std::uint64_t seed) : engine_(mix_seed(seed)) {}

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Uniform integer in [0, n); n > 0. The modulo bias is below 2^-40 for any n we use.
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }

  /// Standard normal by Box-Muller.
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1], so the log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace koe::detail
