// Statistics for the rating gap: log-gamma, the regularized incomplete beta, Student's t and
// running moments. Private to koe.
#pragma once

#include <math.h>  // lgamma_r
#include <algorithm>
#include <cmath>
#include <cstddef>

namespace koe::detail {

/// log Γ(x) for x > 0. std::lgamma also stores the sign of Γ in a global (`signgam`), which
/// clusters scored in parallel would race on; lgamma_r returns it instead.
inline double log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

/// Regularized incomplete beta I_x(a, b) by its continued fraction (modified Lentz), accurate to
/// about 1e-12 for the arguments a t distribution needs.
inline double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(log_gamma(a + b) - log_gamma(a) - log_gamma(b) + a * std::log(x) +
                                b * std::log1p(-x));
  // The fraction converges fast only below the mean; use the symmetry relation above it.
  if (x > (a + 1) / (a + b + 2)) return 1 - incomplete_beta(b, a, 1 - x);
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double f = d;
  for (int m = 1; m <= 300; ++m) {
    const double md = m;
    double num = md * (b - md) * x / ((a + 2 * md - 1) * (a + 2 * md));
    d = 1 + num * d;
    d = std::fabs(d) < tiny ? 1 / tiny : 1 / d;
    c = 1 + num / c;
    if (std::fabs(c) < tiny) c = tiny;
    f *= c * d;
    num = -(a + md) * (a + b + md) * x / ((a + 2 * md) * (a + 2 * md + 1));
    d = 1 + num * d;
    d = std::fabs(d) < tiny ? 1 / tiny : 1 / d;
    c = 1 + num / c;
    if (std::fabs(c) < tiny) c = tiny;
    const double delta = c * d;
    f *= delta;
    if (std::fabs(delta - 1) < 1e-14) break;
  }
  return front * f / a;
}

/// P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is).
inline double t_cdf(double t, double df) {
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/// Quantile of Student's t by bisection: slow but exact enough and the same on every platform.
inline double t_quantile(double p, double df) {
  double lo = 0, hi = 1e4;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

/// Count, sum and sum of squares: enough for a mean and a variance, and the rest of the corpus is
/// the total minus a cluster, so no cluster needs a pass over every row.
struct moments {
  std::size_t n = 0;
  double sum = 0;
  double squares = 0;
  void add(double x) {
    ++n;
    sum += x;
    squares += x * x;
  }
  [[nodiscard]] moments minus(const moments& o) const {
    return {n - o.n, sum - o.sum, squares - o.squares};
  }
  [[nodiscard]] double mean() const { return n > 0 ? sum / static_cast<double>(n) : 0; }
  [[nodiscard]] double variance() const {
    if (n < 2) return 0;
    const double v = (squares - sum * sum / static_cast<double>(n)) / static_cast<double>(n - 1);
    return std::max(v, 0.0);  // rounding can leave a tiny negative for identical values
  }
};

}  // namespace koe::detail
