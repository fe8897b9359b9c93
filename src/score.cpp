// Adoption candidates: the three scores, decisions carried across runs and the per-voice trace.
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/normalize.hpp>
#include <koe/pipeline.hpp>
#include <koe/score.hpp>
#include <koe/tokenize.hpp>

#include "detail/members.hpp"
#include "detail/parallel.hpp"
#include "detail/rows.hpp"

#include <toml++/toml.h>

#include <math.h>  // lgamma_r
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <unordered_map>

namespace koe {

const char* to_string(difficulty_level level) noexcept {
  switch (level) {
    case difficulty_level::unknown:
      return "unknown";
    case difficulty_level::low:
      return "low";
    case difficulty_level::medium:
      return "medium";
    case difficulty_level::high:
      return "high";
  }
  return "unknown";
}

const char* to_string(quadrant q) noexcept {
  switch (q) {
    case quadrant::quick_win:
      return "quick_win";
    case quadrant::big_bet:
      return "big_bet";
    case quadrant::fill_in:
      return "fill_in";
    case quadrant::reconsider:
      return "reconsider";
  }
  return "reconsider";
}

const char* to_string(decision_status status) noexcept {
  switch (status) {
    case decision_status::undecided:
      return "undecided";
    case decision_status::adopted:
      return "adopted";
    case decision_status::rejected:
      return "rejected";
    case decision_status::pending:
      return "pending";
  }
  return "undecided";
}

const char* to_japanese(difficulty_level level) noexcept {
  switch (level) {
    case difficulty_level::unknown:
      return "未判定";
    case difficulty_level::low:
      return "低";
    case difficulty_level::medium:
      return "中";
    case difficulty_level::high:
      return "高";
  }
  return "未判定";
}

const char* to_japanese(quadrant q) noexcept {
  switch (q) {
    case quadrant::quick_win:
      return "クイックウィン";
    case quadrant::big_bet:
      return "大型施策";
    case quadrant::fill_in:
      return "小さな改善";
    case quadrant::reconsider:
      return "再検討";
  }
  return "再検討";
}

const char* to_japanese(decision_status status) noexcept {
  switch (status) {
    case decision_status::undecided:
      return "未決定";
    case decision_status::adopted:
      return "採用";
    case decision_status::rejected:
      return "見送り";
    case decision_status::pending:
      return "検討中";
  }
  return "未決定";
}

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Small helpers

std::size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

std::vector<std::string_view> utf8_chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string fixed(double x, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string percent(double x) {
  return fixed(100.0 * x, 1) + "%";
}

double clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Terms of a key: split on "+" (or the full-width "＋" a Japanese keyboard gives), trimmed and
// with Latin letters folded as koe folds terms; duplicates and empty parts dropped.
std::set<std::string> key_terms(std::string_view key) {
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

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statistics

// Regularized incomplete beta I_x(a, b) by its continued fraction (modified Lentz), accurate to
// about 1e-12 for the arguments a t distribution needs.
/// log Γ(x) for x > 0. std::lgamma also stores the sign of Γ in a global (`signgam`), which
/// clusters scored in parallel would race on; lgamma_r returns it instead.
double log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

double incomplete_beta(double a, double b, double x) {
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

// P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is).
double t_cdf(double t, double df) {
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

// Quantile of Student's t by bisection: slow but exact enough and the same on every platform.
double t_quantile(double p, double df) {
  double lo = 0, hi = 1e4;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Count, sum and sum of squares: enough for a mean and a variance, and the rest of the corpus is
// the total minus the cluster, so no cluster needs a pass over every row.
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

// ---------------------------------------------------------------------------------------------
// Timestamps and periods

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t y;
  unsigned m, d;
};

civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// "2026-10-03", "2026/10/3", "2026-10-03T12:00:00+09:00", "2026-10" (day 1). Anything else is
// no date; the time of day is ignored because periods are at least a day long.
std::optional<civil> parse_date(std::string_view s) {
  std::size_t i = 0;
  auto number = [&](std::size_t min_digits, std::size_t max_digits) -> std::optional<unsigned> {
    std::size_t n = 0;
    unsigned v = 0;
    while (i < s.size() && n < max_digits && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
      ++n;
    }
    if (n < min_digits) return std::nullopt;
    return v;
  };
  while (i < s.size() && s[i] == ' ')
    ++i;
  const auto y = number(4, 4);
  if (!y || i >= s.size() || (s[i] != '-' && s[i] != '/' && s[i] != '.')) return std::nullopt;
  const char sep = s[i++];
  const auto m = number(1, 2);
  if (!m || *m < 1 || *m > 12) return std::nullopt;
  unsigned d = 1;
  if (i < s.size() && s[i] == sep) {
    ++i;
    const auto dd = number(1, 2);
    if (!dd || *dd < 1 || *dd > 31) return std::nullopt;
    d = *dd;
  }
  return civil{static_cast<std::int64_t>(*y), *m, d};
}

std::string two(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", v);
  return buf;
}

// Ordinal of the period holding `c`: consecutive periods have consecutive ordinals.
std::int64_t period_ordinal(const civil& c, period_unit unit) {
  switch (unit) {
    case period_unit::day:
      return days_from_civil(c.y, c.m, c.d);
    case period_unit::week: {
      // 1970-01-01 was a Thursday, so weeks starting on Monday begin at day -3.
      const std::int64_t days = days_from_civil(c.y, c.m, c.d) + 3;
      return days >= 0 ? days / 7 : (days - 6) / 7;
    }
    case period_unit::month:
      return c.y * 12 + c.m - 1;
    case period_unit::quarter:
      return c.y * 4 + (c.m - 1) / 3;
    case period_unit::year:
      return c.y;
  }
  return 0;
}

std::string period_label(std::int64_t ordinal, period_unit unit) {
  switch (unit) {
    case period_unit::day: {
      const civil c = civil_from_days(ordinal);
      return std::to_string(c.y) + "-" + two(c.m) + "-" + two(c.d);
    }
    case period_unit::week: {
      // ISO 8601: the week belongs to the year of its Thursday. Week w starts on Monday
      // 7w - 3, so its Thursday is day 7w.
      const civil thursday = civil_from_days(ordinal * 7);
      const std::int64_t jan1 = days_from_civil(thursday.y, 1, 1);
      const std::int64_t week =
          (days_from_civil(thursday.y, thursday.m, thursday.d) - jan1) / 7 + 1;
      return std::to_string(thursday.y) + "-W" + two(static_cast<unsigned>(week));
    }
    case period_unit::month: {
      const std::int64_t y = ordinal >= 0 ? ordinal / 12 : (ordinal - 11) / 12;
      return std::to_string(y) + "-" + two(static_cast<unsigned>(ordinal - y * 12 + 1));
    }
    case period_unit::quarter: {
      const std::int64_t y = ordinal >= 0 ? ordinal / 4 : (ordinal - 3) / 4;
      return std::to_string(y) + "-Q" + std::to_string(ordinal - y * 4 + 1);
    }
    case period_unit::year:
      return std::to_string(ordinal);
  }
  return {};
}

const char* period_name(period_unit unit) {
  switch (unit) {
    case period_unit::day:
      return "day";
    case period_unit::week:
      return "week";
    case period_unit::month:
      return "month";
    case period_unit::quarter:
      return "quarter";
    case period_unit::year:
      return "year";
  }
  return "month";
}

const char* period_name_ja(period_unit unit) {
  switch (unit) {
    case period_unit::day:
      return "日";
    case period_unit::week:
      return "週";
    case period_unit::month:
      return "月";
    case period_unit::quarter:
      return "四半期";
    case period_unit::year:
      return "年";
  }
  return "月";
}

std::optional<double> parse_number(std::string_view s) {
  const std::string t = trim(s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

double level_score(difficulty_level level, const difficulty_options& o) {
  switch (level) {
    case difficulty_level::unknown:
      return o.unknown;
    case difficulty_level::low:
      return o.low;
    case difficulty_level::medium:
      return o.medium;
    case difficulty_level::high:
      return o.high;
  }
  return o.unknown;
}

// Per-row facts that every cluster's scores are built from. A column stays empty where the corpus
// lacks its signal (no rating column, no segment weights, no contributor column, no dates), so that
// millions of voices without them pay nothing for them; the lexicon hits are kept only for the rows
// that have any.
struct row_facts {
  std::vector<double> rating;                 // NaN when missing; empty without the column
  std::vector<double> segment_weight;         // 1 when unlisted; empty unless has_segment
  std::vector<std::string_view> contributor;  // empty when missing or blank, or no column
  std::vector<std::int64_t> period;           // INT64_MIN when no date; empty when none has one
  std::vector<int> severity;                  // strongest lexicon hit, 0 = none
  std::vector<char> flags;                    // negated_flag, hits_flag
  std::vector<std::string> lexicon_terms;     // every lexicon entry, sorted
  // (row, index into lexicon_terms) of each entry a row hits, sorted: by row, then by term.
  std::vector<std::pair<std::size_t, std::uint32_t>> hits;
  bool has_rating = false;
  moments all_ratings;
  bool has_segment = false;
  double max_segment_weight = 1;
  bool has_contributors = false;
  bool has_periods = false;
  std::int64_t latest = 0;
  std::size_t latest_total = 0, previous_total = 0;

  static constexpr char negated_flag = 1;
  static constexpr char hits_flag = 2;

  [[nodiscard]] bool negated(std::size_t row) const { return (flags[row] & negated_flag) != 0; }
  /// Calls `fn(term)` for each lexicon entry `row` hits, in term order.
  template <class Fn>
  void for_each_hit(std::size_t row, const Fn& fn) const {
    if ((flags[row] & hits_flag) == 0) return;
    auto it =
        std::lower_bound(hits.begin(), hits.end(), std::pair<std::size_t, std::uint32_t>(row, 0));
    for (; it != hits.end() && it->first == row; ++it)
      fn(lexicon_terms[it->second]);
  }
};

constexpr std::int64_t no_period = std::numeric_limits<std::int64_t>::min();

bool is_negated(const std::string& term) {
  static const std::string nai = "ない";
  return term.size() > nai.size() && term.ends_with(nai);
}

// `with_text` = false skips the lexicon and negation, which only the scores need.
row_facts gather(const analysis_result& r, const score_options& o, bool with_text = true) {
  const std::size_t rows = r.row_document.size();
  row_facts f;
  auto column = [&](const std::string& name) {
    return name.empty() ? -1 : r.input.meta_index(name);
  };
  const int rating_col = column(o.impact.rating_column);
  const int segment_col = column(o.impact.segment_column);
  const int contributor_col = column(o.frequency.contributor_column);
  f.has_contributors = contributor_col >= 0;
  for (const auto& [name, w] : o.impact.segment_weights)
    f.max_segment_weight = std::max(f.max_segment_weight, w);
  f.has_segment = segment_col >= 0 && f.max_segment_weight > 1;
  if (rating_col >= 0) f.rating.assign(rows, std::numeric_limits<double>::quiet_NaN());
  if (f.has_segment) f.segment_weight.assign(rows, 1.0);
  if (f.has_contributors) f.contributor.assign(rows, {});
  if (r.input.documents.has_timestamps()) f.period.assign(rows, no_period);
  f.severity.assign(rows, 0);
  f.flags.assign(rows, 0);

  std::unordered_map<std::string_view, int> lexicon;
  for (const auto& e : o.impact.severity) {
    auto& w = lexicon[e.term];
    w = std::max(w, e.weight);
  }
  for (const auto& [term, w] : lexicon)
    f.lexicon_terms.emplace_back(term);
  std::sort(f.lexicon_terms.begin(), f.lexicon_terms.end());
  std::unordered_map<std::string_view, std::uint32_t> lexicon_index;
  for (std::size_t i = 0; i < f.lexicon_terms.size(); ++i)
    lexicon_index.emplace(f.lexicon_terms[i], static_cast<std::uint32_t>(i));
  // Entries that ipadic splits into several morphemes (二重請求, ありえない) can only be found
  // in the normalized text. Where the pipeline looked for them while the texts were at hand,
  // its hits are read; else the kept normalized texts are searched, or, without those, each raw
  // text is normalized again.
  const std::vector<std::string> surfaces =
      with_text ? surface_phrases(o) : std::vector<std::string>{};
  std::vector<int> surface_weight(surfaces.size());
  for (std::size_t i = 0; i < surfaces.size(); ++i)
    surface_weight[i] = lexicon[surfaces[i]];
  std::vector<int> spotted(r.phrases.size(), -1);  // index in r.phrases -> in surfaces
  bool use_hits = r.normalized.size() != rows && !surfaces.empty();
  for (std::size_t i = 0; use_hits && i < surfaces.size(); ++i) {
    const auto it = std::find(r.phrases.begin(), r.phrases.end(), surfaces[i]);
    if (it == r.phrases.end())
      use_hits = false;
    else
      spotted[static_cast<std::size_t>(it - r.phrases.begin())] = static_cast<int>(i);
  }
  const phrase_set finder(use_hits ? std::vector<std::string>{} : surfaces);
  // Each distinct term is looked up once; rows then read these by id.
  const std::size_t distinct = with_text ? r.terms.size() : 0;
  std::vector<int> term_weight(distinct, -1);
  std::vector<char> term_negated(distinct, 0);
  for (std::size_t id = 0; id < distinct; ++id) {
    const std::string& t = r.terms.terms()[id];
    if (auto it = lexicon.find(t); it != lexicon.end()) term_weight[id] = it->second;
    term_negated[id] = is_negated(t) ? 1 : 0;
  }

  // Rows are independent and each writes only its own slots, so they run in parallel; each chunk
  // keeps its rows' lexicon hits, put in row order afterwards. The rating summary is added up
  // afterwards in row order.
  std::mutex chunk_lock;
  std::vector<std::vector<std::pair<std::size_t, std::uint32_t>>> chunk_hits;
  detail::parallel_chunks(rows, 256, [&](std::size_t first, std::size_t last) {
    std::vector<std::pair<std::size_t, std::uint32_t>> own;
    std::vector<std::string_view> hits;
    std::vector<std::uint32_t> found;
    std::string renormalized;
    auto hit = std::lower_bound(r.phrase_hits.begin(), r.phrase_hits.end(),
                                std::pair<std::size_t, std::uint32_t>(first, 0));
    for (std::size_t row = first; row < last; ++row) {
      const document_view d = r.input.documents[r.row_document[row]];
      auto meta = [&](int col) -> std::optional<std::string_view> {
        if (col < 0 || static_cast<std::size_t>(col) >= d.meta.size()) return std::nullopt;
        return d.meta[static_cast<std::size_t>(col)];
      };
      if (auto v = meta(rating_col)) {
        if (auto x = parse_number(*v)) f.rating[row] = *x;
      }
      if (auto v = meta(segment_col); v && f.has_segment) {
        if (auto it = o.impact.segment_weights.find(trim(*v)); it != o.impact.segment_weights.end())
          f.segment_weight[row] = it->second;
      }
      if (auto v = meta(contributor_col); v && !trim(*v).empty()) f.contributor[row] = *v;
      if (!f.period.empty()) {
        if (auto c = parse_date(d.timestamp))
          f.period[row] = period_ordinal(*c, o.frequency.period);
      }
      if (!with_text) continue;

      hits.clear();
      int strongest = 0;
      bool negated = false;
      if (row < r.terms.rows()) {
        for (const term_table::id_type id : r.terms.row(row)) {
          if (term_weight[id] >= 0) {
            hits.emplace_back(r.terms.terms()[id]);
            strongest = std::max(strongest, term_weight[id]);
          }
          negated = negated || term_negated[id] != 0;
        }
      }
      found.clear();
      if (use_hits) {
        for (; hit != r.phrase_hits.end() && hit->first == row; ++hit)
          if (const int i = spotted[hit->second]; i >= 0)
            found.push_back(static_cast<std::uint32_t>(i));
      } else if (!finder.empty()) {
        if (row < r.normalized.size()) {
          finder.find(r.normalized[row], found);
        } else {
          renormalized = normalize(d.text, r.normalization);
          finder.find(renormalized, found);
        }
      }
      for (const std::uint32_t i : found) {
        hits.emplace_back(surfaces[i]);
        strongest = std::max(strongest, surface_weight[i]);
      }
      f.severity[row] = strongest;
      if (!hits.empty()) {
        std::sort(hits.begin(), hits.end());
        hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
        for (const std::string_view t : hits)
          own.emplace_back(row, lexicon_index.at(t));
        f.flags[row] |= row_facts::hits_flag;
      }
      if (negated) f.flags[row] |= row_facts::negated_flag;
    }
    if (own.empty()) return;
    const std::lock_guard<std::mutex> lock(chunk_lock);
    chunk_hits.push_back(std::move(own));
  });
  // Chunks cover disjoint row ranges, each in row order: ordered by their first rows, they join
  // into one list in row order whatever the threads did.
  std::sort(chunk_hits.begin(), chunk_hits.end(),
            [](const auto& a, const auto& b) { return a.front().first < b.front().first; });
  for (const auto& c : chunk_hits)
    f.hits.insert(f.hits.end(), c.begin(), c.end());
  for (double x : f.rating)
    if (!std::isnan(x)) f.all_ratings.add(x);
  f.has_rating = f.all_ratings.n >= 3 && f.all_ratings.variance() > 0;

  std::int64_t latest = no_period;
  for (auto p : f.period)
    latest = std::max(latest, p);
  if (latest != no_period) {
    for (auto p : f.period) {
      f.latest_total += p == latest ? 1 : 0;
      f.previous_total += p == latest - 1 ? 1 : 0;
    }
    f.latest = latest;
    f.has_periods = f.previous_total > 0;
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Reasons (Japanese, for the report and for people arguing with a score)

std::string frequency_reason(const frequency_signal& s, double score, period_unit unit,
                             bool has_periods) {
  std::string out = "頻度 " + fixed(score) + ": " + std::to_string(s.voices) + "件（分析対象の" +
                    percent(s.share) + "）";
  if (s.has_contributors) out += "、投稿者 " + std::to_string(s.contributors) + "人";
  if (s.has_growth) {
    out += "。直近の" + std::string(period_name_ja(unit)) + "（" + s.latest_period + "）のシェア " +
           percent(s.latest_share) + "、前の" + period_name_ja(unit) + "（" + s.previous_period +
           "）は " + percent(s.previous_share) + "（" + fixed(s.growth, 1) + "倍）";
  } else if (has_periods) {
    out += "。直近2期間の声が少なく、伸びは計算していません";
  }
  return out;
}

std::string impact_reason(const impact_signal& s, double score, double confidence) {
  std::vector<std::string> parts;
  if (s.has_rating) {
    if (s.rated >= 2) {
      parts.push_back("評価 平均" + fixed(s.mean_rating) + "（他 " + fixed(s.rest_mean_rating) +
                      "、差 " + fixed(s.gap) + "、" + fixed(100 * confidence, 0) + "%信頼区間 " +
                      fixed(s.gap_low) + "〜" + fixed(s.gap_high) + "、下限で採点 " +
                      fixed(s.rating_term) + "）");
    } else {
      parts.push_back("評価のある声が " + std::to_string(s.rated) +
                      "件で判定できず（0 として採点）");
    }
  }
  if (s.has_severity) {
    std::string p =
        "深刻語 " + std::to_string(s.severe_voices) + "件の声（" + fixed(s.severity_term) + "）";
    if (!s.severity_hits.empty()) {
      std::vector<std::string> top;
      for (std::size_t i = 0; i < s.severity_hits.size() && i < 4; ++i)
        top.push_back(s.severity_hits[i].first + "×" + std::to_string(s.severity_hits[i].second));
      p += ": " + join(top, "、");
    }
    parts.push_back(std::move(p));
  }
  parts.push_back("否定表現 " + std::to_string(s.negated_voices) + "件（" +
                  percent(s.negativity_term) + "）");
  if (s.has_segment)
    parts.push_back("区分の重み 平均" + fixed(s.mean_segment_weight) + "（" +
                    fixed(s.segment_term) + "）");
  return "影響度 " + fixed(score) + ": " + join(parts, "、");
}

std::string difficulty_reason(const difficulty_signal& s, double score) {
  std::string out = "難易度 " + std::string(to_japanese(s.level)) + "（" + fixed(score) + "）: ";
  if (s.overridden) {
    out += "設定ファイルで固定（キー " + s.override_key + "）";
    if (!s.override_reason.empty()) out += "、" + s.override_reason;
  } else if (s.level == difficulty_level::unknown) {
    out += "どのルールにも一致せず。未判定のまま " + fixed(score) + " として計算";
  } else {
    out += join(s.matched_terms, "、") + " がルールに一致（" + join(s.rule_reasons, " / ") + "）";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading files

std::string read_text_file(const fs::path& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  KOE_THROW_IF_NOT(f, errc::io_failure, std::string("cannot open ") + what + " " + path.string());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

difficulty_level parse_level(std::string_view s) {
  if (s == "low") return difficulty_level::low;
  if (s == "medium") return difficulty_level::medium;
  if (s == "high") return difficulty_level::high;
  if (s == "unknown") return difficulty_level::unknown;
  throw std::invalid_argument("level");
}

// Reads a TOML document, turning the parser's errors into koe errors with file and line.
toml::table parse_toml(std::string_view text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw error(errc::invalid_config, name + ":" + std::to_string(e.source().begin.line) + ": " +
                                          std::string(e.description()));
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Validating reader over a TOML table: every key must be known, every value of the right type
// and range, and each error names the file, the line and the dotted key.
class config_reader {
 public:
  config_reader(std::string name, fs::path base) : name_(std::move(name)), base_(std::move(base)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& key,
                         const std::string& what) const {
    throw error(errc::invalid_config,
                name_ + ":" + std::to_string(where.begin.line) + ": " + key + ": " + what);
  }

  // Throws on the first key of `t` not in `allowed`, suggesting the nearest allowed key.
  void only(const toml::table& t, const std::string& prefix,
            std::initializer_list<std::string_view> allowed) const {
    for (auto&& [k, v] : t) {
      const std::string_view key = k.str();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string hint;
      std::size_t best = 3;
      for (auto a : allowed) {
        const std::size_t dist = edit_distance(key, a);
        if (dist < best) {
          best = dist;
          hint = " (did you mean '" + std::string(a) + "'?)";
        }
      }
      fail(k.source(), prefix + std::string(key), "unknown key" + hint);
    }
  }

  const toml::table* table(const toml::table& t, std::string_view key,
                           const std::string& prefix) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(n->source(), prefix + std::string(key), "expected a table");
    return n->as_table();
  }

  void number(const toml::table& t, std::string_view key, const std::string& prefix, double& out,
              double min, double max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const std::string full = prefix + std::string(key);
    double v = 0;
    if (auto i = n->value_exact<std::int64_t>()) {
      v = static_cast<double>(*i);
    } else if (auto d = n->value_exact<double>()) {
      v = *d;
    } else {
      fail(n->source(), full, "expected a number");
    }
    if (!(v >= min && v <= max))
      fail(n->source(), full,
           "value " + fixed(v, 4) + " is outside [" + fixed(min, 2) + ", " +
               (max > 1e9 ? std::string("∞") : fixed(max, 2)) + "]");
    out = v;
  }

  void count(const toml::table& t, std::string_view key, const std::string& prefix,
             std::size_t& out, std::int64_t min, std::int64_t max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto i = n->value_exact<std::int64_t>();
    if (!i) fail(n->source(), prefix + std::string(key), "expected a whole number");
    if (*i < min || *i > max)
      fail(n->source(), prefix + std::string(key),
           "value " + std::to_string(*i) + " is outside [" + std::to_string(min) + ", " +
               std::to_string(max) + "]");
    out = static_cast<std::size_t>(*i);
  }

  void text(const toml::table& t, std::string_view key, const std::string& prefix,
            std::string& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto s = n->value_exact<std::string>();
    if (!s) fail(n->source(), prefix + std::string(key), "expected a string");
    out = *s;
  }

  void flag(const toml::table& t, std::string_view key, const std::string& prefix,
            bool& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto b = n->value_exact<bool>();
    if (!b) fail(n->source(), prefix + std::string(key), "expected true or false");
    out = *b;
  }

  void strings(const toml::table& t, std::string_view key, const std::string& prefix,
               std::vector<std::string>& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const std::string full = prefix + std::string(key);
    const toml::array* a = n->as_array();
    if (a == nullptr) fail(n->source(), full, "expected an array of strings");
    out.clear();
    for (const toml::node& e : *a) {
      const auto s = e.value_exact<std::string>();
      if (!s) fail(e.source(), full, "expected an array of strings");
      out.push_back(*s);
    }
  }

  difficulty_level level(const toml::table& t, std::string_view key, const std::string& prefix,
                         bool allow_unknown) const {
    const toml::node* n = t.get(key);
    const std::string full = prefix + std::string(key);
    if (n == nullptr) fail(t.source(), full, "missing (expected \"low\", \"medium\" or \"high\")");
    const auto s = n->value_exact<std::string>();
    try {
      if (!s) throw std::invalid_argument("level");
      const difficulty_level l = parse_level(*s);
      if (l == difficulty_level::unknown && !allow_unknown) throw std::invalid_argument("level");
      return l;
    } catch (const std::invalid_argument&) {
      fail(n->source(), full, "expected \"low\", \"medium\" or \"high\"");
    }
  }

  fs::path path(const toml::table& t, std::string_view key, const std::string& prefix) const {
    std::string p;
    text(t, key, prefix, p);
    if (p.empty()) return {};
    fs::path out(p);
    if (out.is_relative() && !base_.empty()) out = base_ / out;
    if (!fs::exists(out)) {
      const toml::node* n = t.get(key);
      fail(n->source(), prefix + std::string(key), "file not found: " + out.string());
    }
    return out;
  }

  difficulty_rule rule(const toml::table& t, const std::string& prefix) const {
    only(t, prefix, {"level", "terms", "patterns", "reason"});
    difficulty_rule r;
    r.level = level(t, "level", prefix, false);
    strings(t, "terms", prefix, r.terms);
    strings(t, "patterns", prefix, r.patterns);
    text(t, "reason", prefix, r.reason);
    for (auto& term : r.terms)
      term = ascii_lower(term);
    if (r.terms.empty() && r.patterns.empty())
      fail(t.source(), prefix + "terms", "a rule needs terms or patterns");
    r.source = name_ + ":" + std::to_string(t.source().begin.line);
    return r;
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  fs::path base_;
};

std::vector<difficulty_rule> parse_rules(std::string_view text, const std::string& name) {
  const toml::table root = parse_toml(text, name);
  const config_reader in(name, {});
  in.only(root, "", {"rule"});
  std::vector<difficulty_rule> rules;
  const toml::node* n = root.get("rule");
  if (n == nullptr) return rules;
  const toml::array* a = n->as_array();
  if (a == nullptr || !a->is_array_of_tables())
    in.fail(n->source(), "rule", "expected [[rule]] tables");
  for (const toml::node& e : *a)
    rules.push_back(in.rule(*e.as_table(), "rule."));
  return rules;
}

// Placeholders a reply template may use.
const std::vector<std::string>& reply_placeholders() {
  static const std::vector<std::string> names = {"voice",    "label",  "count",
                                                 "decision", "reason", "id"};
  return names;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public helpers

bool glob_match(std::string_view pattern, std::string_view term) {
  const auto p = utf8_chars(pattern);
  const auto t = utf8_chars(term);
  // Iterative wildcard matching with one backtrack point: linear for patterns with one "*",
  // and never exponential.
  std::size_t i = 0, j = 0, star = std::string::npos, mark = 0;
  while (j < t.size()) {
    if (i < p.size() && (p[i] == "?" || p[i] == t[j])) {
      ++i;
      ++j;
    } else if (i < p.size() && p[i] == "*") {
      star = i++;
      mark = j;
    } else if (star != std::string::npos) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.size() && p[i] == "*")
    ++i;
  return i == p.size();
}

std::string cluster_key(const cluster_description& d, std::size_t terms) {
  // The same choice as the label: a term inside one already taken (ログイン beside ログイン画面)
  // adds nothing and would make the key less stable.
  std::vector<std::string> chosen;
  for (const auto& t : d.terms) {
    if (chosen.size() == terms) break;
    const bool overlaps = std::any_of(chosen.begin(), chosen.end(), [&](const std::string& c) {
      return c.find(t.term) != std::string::npos || t.term.find(c) != std::string::npos;
    });
    if (!overlaps) chosen.push_back(ascii_lower(t.term));
  }
  std::sort(chosen.begin(), chosen.end());
  return join(chosen, "+");
}

double key_overlap(std::string_view a, std::string_view b) {
  const auto x = key_terms(a);
  const auto y = key_terms(b);
  if (x.empty() || y.empty()) return 0;
  std::size_t common = 0;
  for (const auto& t : x)
    common += y.count(t);
  return static_cast<double>(common) / static_cast<double>(x.size() + y.size() - common);
}

difficulty_signal rate_difficulty(const std::vector<std::string>& top_terms,
                                  const std::vector<difficulty_rule>& rules) {
  // Index by level: low = 1, medium = 2, high = 3 (the enum order).
  std::array<std::vector<std::string>, 4> matched;
  std::array<std::vector<std::string>, 4> reasons;
  for (const auto& raw : top_terms) {
    const std::string term = ascii_lower(raw);
    std::array<bool, 4> counted{};
    for (const auto& rule : rules) {
      const auto lv = static_cast<std::size_t>(rule.level);
      const bool hit = std::find(rule.terms.begin(), rule.terms.end(), term) != rule.terms.end() ||
                       std::any_of(rule.patterns.begin(), rule.patterns.end(),
                                   [&](const std::string& p) { return glob_match(p, term); });
      if (!hit) continue;
      // A term counts once per level however many rules of that level name it.
      if (!counted[lv]) matched[lv].push_back(raw);
      counted[lv] = true;
      if (!rule.reason.empty() &&
          std::find(reasons[lv].begin(), reasons[lv].end(), rule.reason) == reasons[lv].end())
        reasons[lv].push_back(rule.reason);
    }
  }
  difficulty_signal s;
  std::size_t best = 0;
  // Ascending order with >= lets a tie go to the higher effort.
  for (std::size_t lv = 1; lv < 4; ++lv) {
    if (!matched[lv].empty() && matched[lv].size() >= best) {
      best = matched[lv].size();
      s.level = static_cast<difficulty_level>(lv);
    }
  }
  if (s.level != difficulty_level::unknown) {
    s.matched_terms = matched[static_cast<std::size_t>(s.level)];
    s.rule_reasons = reasons[static_cast<std::size_t>(s.level)];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Scoring

namespace {

// Frequency signals of the cluster whose rows are `m`; returns the frequency score.
double measure_frequency(std::span<const std::uint32_t> m, const row_facts& f, std::size_t rows,
                         const frequency_options& o, frequency_signal& fs) {
  fs.voices = m.size();
  fs.share = rows == 0 ? 0.0 : static_cast<double>(m.size()) / static_cast<double>(rows);
  fs.has_contributors = f.has_contributors;
  if (f.has_contributors) {
    std::set<std::string> people;
    for (auto row : m)
      if (!f.contributor[row].empty()) people.insert(trim(f.contributor[row]));
    fs.contributors = people.size();
  }
  if (f.has_periods) {
    for (auto row : m) {
      fs.latest_voices += f.period[row] == f.latest ? 1 : 0;
      fs.previous_voices += f.period[row] == f.latest - 1 ? 1 : 0;
    }
    fs.latest_period = period_label(f.latest, o.period);
    fs.previous_period = period_label(f.latest - 1, o.period);
    fs.latest_share = static_cast<double>(fs.latest_voices) / static_cast<double>(f.latest_total);
    fs.previous_share =
        static_cast<double>(fs.previous_voices) / static_cast<double>(f.previous_total);
    if (fs.latest_voices + fs.previous_voices >= o.growth_min_voices) {
      fs.has_growth = true;
      // Half a voice on each side keeps a cluster that was absent last period finite.
      const double latest =
          (static_cast<double>(fs.latest_voices) + 0.5) / (static_cast<double>(f.latest_total) + 1);
      const double previous = (static_cast<double>(fs.previous_voices) + 0.5) /
                              (static_cast<double>(f.previous_total) + 1);
      fs.growth = latest / previous;
    }
  }
  const double size_score = o.full_share > 0 ? std::sqrt(clamp01(fs.share / o.full_share)) : 1.0;
  const double growth_term = fs.has_growth ? std::clamp(std::log2(fs.growth), -1.0, 1.0) : 0.0;
  return clamp01(size_score + o.growth_weight * growth_term);
}

// Impact signals of the cluster whose rows are `m`; returns the impact score, the weighted mean
// of the signals the corpus has.
double measure_impact(std::span<const std::uint32_t> m, const row_facts& f, const impact_options& o,
                      impact_signal& is) {
  const double var_all = f.all_ratings.variance();
  const double sd_all = std::sqrt(var_all);
  const double p = 1 - (1 - o.confidence) / 2;
  double weighted = 0, weights = 0;
  is.has_rating = f.has_rating;
  if (f.has_rating) {
    moments in;
    for (auto row : m)
      if (!std::isnan(f.rating[row])) in.add(f.rating[row]);
    const moments rest = f.all_ratings.minus(in);
    is.rated = in.n;
    is.mean_rating = in.mean();
    is.rest_mean_rating = rest.mean();
    if (in.n >= 2 && rest.n >= 2) {
      // A handful of identical ratings has a sample variance of zero, which would make a tiny
      // cluster look certain; no group is trusted to vary less than all ratings do.
      const double a = std::max(in.variance(), var_all) / static_cast<double>(in.n);
      const double b = std::max(rest.variance(), var_all) / static_cast<double>(rest.n);
      const double se = std::sqrt(a + b);
      const double df =
          (a + b) * (a + b) /
          (a * a / static_cast<double>(in.n - 1) + b * b / static_cast<double>(rest.n - 1));
      const double t = t_quantile(p, df);
      is.gap = o.higher_rating_is_better ? rest.mean() - in.mean() : in.mean() - rest.mean();
      is.gap_low = is.gap - t * se;
      is.gap_high = is.gap + t * se;
      is.rating_term = clamp01(is.gap_low / sd_all);
    }
    weighted += o.rating_weight * is.rating_term;
    weights += o.rating_weight;
  }
  is.has_severity = !o.severity.empty();
  std::map<std::string, std::size_t> hit_counts;
  double severity_sum = 0;
  for (auto row : m) {
    severity_sum += f.severity[row] / 3.0;
    is.severe_voices += f.severity[row] > 0 ? 1 : 0;
    f.for_each_hit(row, [&](const std::string& t) { ++hit_counts[t]; });
    is.negated_voices += f.negated(row) ? 1 : 0;
  }
  if (is.has_severity) {
    is.severity_term = clamp01(severity_sum / static_cast<double>(m.size()));
    is.severity_hits.assign(hit_counts.begin(), hit_counts.end());
    std::stable_sort(is.severity_hits.begin(), is.severity_hits.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
    weighted += o.severity_weight * is.severity_term;
    weights += o.severity_weight;
  }
  is.negativity_term = static_cast<double>(is.negated_voices) / static_cast<double>(m.size());
  weighted += o.negativity_weight * is.negativity_term;
  weights += o.negativity_weight;
  is.has_segment = f.has_segment;
  if (f.has_segment) {
    double sum = 0;
    for (auto row : m)
      sum += f.segment_weight[row];
    is.mean_segment_weight = sum / static_cast<double>(m.size());
    is.segment_term = clamp01((is.mean_segment_weight - 1) / (f.max_segment_weight - 1));
    weighted += o.segment_weight * is.segment_term;
    weights += o.segment_weight;
  }
  return weights > 0 ? clamp01(weighted / weights) : 0.0;
}

/// The candidate of one cluster, whose rows are `m`, scored on the three criteria with reasons.
candidate score_cluster(const cluster_description& d, std::span<const std::uint32_t> m,
                        const row_facts& f, std::size_t rows, const score_options& o) {
  candidate c;
  c.cluster = d.id;
  c.key = cluster_key(d, o.decisions.key_terms);
  c.label = d.label;
  for (const auto& t : d.terms)
    c.top_terms.push_back(t.term);
  c.representatives = d.representatives;

  c.scores.frequency = measure_frequency(m, f, rows, o.frequency, c.frequency);
  c.scores.impact = measure_impact(m, f, o.impact, c.impact);

  // Difficulty: an override found by key wins over the rules.
  std::vector<std::string> top;
  for (std::size_t i = 0; i < d.terms.size() && i < o.difficulty.top_terms; ++i)
    top.push_back(d.terms[i].term);
  c.difficulty = rate_difficulty(top, o.difficulty.rules);
  double best_overlap = 0;
  for (const auto& ov : o.difficulty.overrides) {
    const double overlap = key_overlap(ov.key, c.key);
    if (overlap >= o.decisions.min_overlap && overlap > best_overlap) {
      best_overlap = overlap;
      c.difficulty.level = ov.level;
      c.difficulty.overridden = true;
      c.difficulty.override_key = ov.key;
      c.difficulty.override_reason = ov.reason;
    }
  }
  c.scores.difficulty = level_score(c.difficulty.level, o.difficulty);

  // Adoption, the team's rule, the quadrant and the small-cluster flag.
  const adoption_options& a = o.adoption;
  const double total = a.frequency_weight + a.impact_weight + a.ease_weight;
  c.scores.adoption =
      total > 0 ? (a.frequency_weight * c.scores.frequency + a.impact_weight * c.scores.impact +
                   a.ease_weight * (1 - c.scores.difficulty)) /
                      total
                : 0.0;
  const bool high_impact = c.scores.impact >= a.impact_split;
  const bool easy = c.scores.difficulty <= a.difficulty_split;
  c.quad = high_impact ? (easy ? quadrant::quick_win : quadrant::big_bet)
                       : (easy ? quadrant::fill_in : quadrant::reconsider);
  c.recommended = c.scores.frequency >= a.min_frequency && c.scores.impact >= a.min_impact &&
                  c.scores.difficulty <= a.max_difficulty;
  c.small_high_impact = c.frequency.share < a.small_share && c.scores.impact >= a.small_impact;

  c.reasons.push_back(
      frequency_reason(c.frequency, c.scores.frequency, o.frequency.period, f.has_periods));
  c.reasons.push_back(impact_reason(c.impact, c.scores.impact, o.impact.confidence));
  c.reasons.push_back(difficulty_reason(c.difficulty, c.scores.difficulty));
  c.reasons.push_back("採用スコア " + fixed(c.scores.adoption) + " = (" +
                      fixed(a.frequency_weight, 1) + "×頻度 + " + fixed(a.impact_weight, 1) +
                      "×影響度 + " + fixed(a.ease_weight, 1) + "×(1−難易度)) / " + fixed(total, 1));
  std::vector<std::string> unmet;
  if (c.scores.frequency < a.min_frequency)
    unmet.push_back("頻度 " + fixed(c.scores.frequency) + " < " + fixed(a.min_frequency));
  if (c.scores.impact < a.min_impact)
    unmet.push_back("影響度 " + fixed(c.scores.impact) + " < " + fixed(a.min_impact));
  if (c.scores.difficulty > a.max_difficulty)
    unmet.push_back("難易度 " + fixed(c.scores.difficulty) + " > " + fixed(a.max_difficulty));
  c.reasons.push_back(unmet.empty() ? "採用条件（頻度 ≥ " + fixed(a.min_frequency) + "、影響度 ≥ " +
                                          fixed(a.min_impact) + "、難易度 ≤ " +
                                          fixed(a.max_difficulty) + "）を満たす"
                                    : "採用条件を満たさない: " + join(unmet, "、"));
  if (c.small_high_impact)
    c.reasons.push_back("少数でも影響度が高い（全体の " + percent(c.frequency.share) + "、影響度 " +
                        fixed(c.scores.impact) + "）: 埋もれさせずに個別に確認");
  return c;
}

std::vector<candidate> score_with(const analysis_result& r, const score_options& o,
                                  const row_facts& f) {
  const std::size_t rows = r.row_document.size();
  const std::size_t k = r.descriptions.size();
  // Rows as 32-bit indices (the matrix's own indices are 32-bit, so rows fit), in one array:
  // at millions of voices these lists are a large part of scoring's memory.
  const std::size_t assigned = std::min(rows, r.clusters.assignment.size());
  const detail::cluster_members<std::uint32_t> members(r.clusters.assignment, k, assigned);

  // Clusters are scored apart, each into its own slot (in parallel: a cluster's signals read
  // every member's facts), and kept in cluster order.
  std::vector<std::optional<candidate>> slots(k);
  detail::parallel_chunks(k, 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t ci = first; ci < last; ++ci)
      if (!members[ci].empty())
        slots[ci] = score_cluster(r.descriptions[ci], members[ci], f, rows, o);
  });
  std::vector<candidate> out;
  for (auto& slot : slots)
    if (slot) out.push_back(std::move(*slot));

  std::stable_sort(out.begin(), out.end(), [](const candidate& x, const candidate& y) {
    if (x.scores.adoption != y.scores.adoption) return x.scores.adoption > y.scores.adoption;
    if (x.scores.impact != y.scores.impact) return x.scores.impact > y.scores.impact;
    return x.cluster < y.cluster;
  });
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].rank = i + 1;
  return out;
}

std::vector<critical_signal> critical_signals_with(const analysis_result& r, const score_options& o,
                                                   const row_facts& f, std::size_t min_voices) {
  std::set<std::string> critical;
  for (const auto& e : o.impact.severity)
    if (e.weight >= 3) critical.insert(e.term);
  if (critical.empty()) return {};
  // Voices per cluster of each critical entry, by its index in the (sorted) lexicon: the
  // entries are compared once, not once per hit.
  std::vector<char> is_critical(f.lexicon_terms.size(), 0);
  for (std::size_t t = 0; t < f.lexicon_terms.size(); ++t)
    is_critical[t] = critical.contains(f.lexicon_terms[t]) ? 1 : 0;
  std::vector<std::map<int, std::size_t>> where(f.lexicon_terms.size());
  for (const auto& [row, term] : f.hits) {
    const int c = row < r.clusters.assignment.size() ? r.clusters.assignment[row] : -1;
    if (is_critical[term]) ++where[term][c];
  }
  std::vector<critical_signal> out;
  for (std::size_t t = 0; t < where.size(); ++t) {
    const std::map<int, std::size_t>& by_cluster = where[t];
    if (by_cluster.empty()) continue;
    critical_signal s;
    s.term = f.lexicon_terms[t];
    for (const auto& [c, n] : by_cluster) {
      s.voices += n;
      s.clusters.emplace_back(c, n);
    }
    if (s.voices < min_voices) continue;
    std::stable_sort(s.clusters.begin(), s.clusters.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const critical_signal& a, const critical_signal& b) {
    return a.voices > b.voices;
  });
  return out;
}

std::vector<std::string> signal_notes_with(const analysis_result& r, const score_options& o,
                                           const row_facts& f) {
  std::vector<std::string> notes;
  auto has_column = [&](const std::string& name) {
    return !name.empty() && r.input.meta_index(name) >= 0;
  };
  if (!has_column(o.impact.rating_column))
    notes.push_back("評価の列（" + o.impact.rating_column +
                    "）がないため、影響度に評価を使っていません。");
  else if (!f.has_rating)
    notes.push_back("評価の列に使える数値が少ないため、影響度に評価を使っていません。");
  if (o.impact.severity.empty())
    notes.push_back("深刻語の辞書が空のため、影響度に深刻語を使っていません。");
  if (!o.impact.segment_weights.empty() && !has_column(o.impact.segment_column))
    notes.push_back("区分の列（" + o.impact.segment_column +
                    "）がないため、区分の重みを使っていません。");
  if (!f.has_periods) notes.push_back("日時が2期間分そろわないため、頻度に伸びを使っていません。");
  if (!has_column(o.frequency.contributor_column))
    notes.push_back("投稿者の列（" + o.frequency.contributor_column +
                    "）がないため、投稿者数と返信文案はありません。");
  if (o.difficulty.rules.empty())
    notes.push_back("難易度のルールが空のため、すべてのクラスタが未判定です。");
  return notes;
}

}  // namespace

std::vector<candidate> score(const analysis_result& r, const score_options& o) {
  return score_with(r, o, gather(r, o));
}

std::vector<critical_signal> critical_signals(const analysis_result& r, const score_options& o,
                                              std::size_t min_voices) {
  return critical_signals_with(r, o, gather(r, o), min_voices);
}

std::vector<std::string> signal_notes(const analysis_result& r, const score_options& o) {
  return signal_notes_with(r, o, gather(r, o, false));
}

// ---------------------------------------------------------------------------------------------
// Decisions

std::vector<decision> read_decisions(std::istream& in, const std::string& name) {
  io_options io;
  io.format = input_format::csv;
  io.text_column = "key";
  corpus c;
  try {
    c = read_corpus(in, name, io);
  } catch (const error& e) {
    throw error(errc::invalid_config, std::string(e.what()) +
                                          " (a decisions file is a UTF-8 CSV with the columns "
                                          "key,decision,reason,date)");
  }
  const int status_col = c.meta_index("decision");
  KOE_THROW_IF_NOT(
      status_col >= 0, errc::invalid_config,
      name + ":1: the header has no 'decision' column (expected key,decision,reason,date)");
  const int reason_col = c.meta_index("reason");
  const int date_col = c.meta_index("date");
  std::vector<decision> out;
  for (const auto& d : c.documents) {
    auto meta = [&](int col) {
      return col >= 0 && static_cast<std::size_t>(col) < d.meta.size() ? trim(d.meta[col])
                                                                       : std::string();
    };
    const std::string key = trim(d.text);
    const std::string status = ascii_lower(meta(status_col));
    if (key.empty() && status.empty()) continue;  // a blank line left by a spreadsheet
    const std::string where = name + ":" + std::to_string(d.line) + ": ";
    KOE_THROW_IF_NOT(!key.empty(), errc::invalid_config, where + "key is empty");
    KOE_THROW_IF_NOT(!key_terms(key).empty(), errc::invalid_config,
                     where + "key '" + key + "' has no terms");
    decision x;
    x.key = key;
    x.line = d.line;
    if (status == "adopted" || status == "採用") {
      x.status = decision_status::adopted;
    } else if (status == "rejected" || status == "見送り") {
      x.status = decision_status::rejected;
    } else if (status == "pending" || status == "検討中") {
      x.status = decision_status::pending;
    } else {
      throw error(errc::invalid_config,
                  where + "decision '" + meta(status_col) +
                      "' is not adopted, rejected or pending (採用, 見送り, 検討中)");
    }
    x.reason = meta(reason_col);
    x.date = meta(date_col);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<decision> read_decisions(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  KOE_THROW_IF_NOT(f, errc::io_failure, "cannot open decisions file " + path.string());
  return read_decisions(f, path.string());
}

std::vector<decision> apply_decisions(std::vector<candidate>& candidates,
                                      const std::vector<decision>& decisions,
                                      const decision_options& options) {
  // The file is a log: a later row for the same key replaces an earlier one.
  std::vector<std::size_t> live;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const auto terms = key_terms(decisions[i].key);
    bool replaced = false;
    for (std::size_t j = i + 1; j < decisions.size() && !replaced; ++j)
      replaced = key_terms(decisions[j].key) == terms;
    if (!replaced) live.push_back(i);
  }
  struct pair {
    double overlap;
    std::size_t contained;  // decision terms found among the candidate's top terms
    std::size_t row, cand;
  };
  std::vector<pair> pairs;
  for (std::size_t i : live) {
    const auto terms = key_terms(decisions[i].key);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const double x = key_overlap(decisions[i].key, candidates[c].key);
      if (x < options.min_overlap) continue;
      std::size_t contained = 0;
      for (const auto& t : candidates[c].top_terms)
        contained += terms.count(ascii_lower(t));
      pairs.push_back({x, contained, i, c});
    }
  }
  // Best overlaps first; a key shares two of three terms with several clusters more often than
  // one would think, so the wider top-term list breaks those ties before row order does.
  std::stable_sort(pairs.begin(), pairs.end(), [&](const pair& a, const pair& b) {
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    if (a.contained != b.contained) return a.contained > b.contained;
    if (a.row != b.row) return a.row > b.row;
    return candidates[a.cand].rank < candidates[b.cand].rank;
  });
  std::vector<char> row_used(decisions.size(), 0), cand_used(candidates.size(), 0);
  for (const auto& pr : pairs) {
    if (row_used[pr.row] || cand_used[pr.cand]) continue;
    row_used[pr.row] = cand_used[pr.cand] = 1;
    candidate& c = candidates[pr.cand];
    c.decision = decisions[pr.row];
    c.decision.overlap = pr.overlap;
    const decision_status st = c.decision.status;
    std::string reason = std::string("判断: ") + (st == decision_status::adopted    ? "採用"
                                                  : st == decision_status::rejected ? "見送り"
                                                                                    : "検討中");
    if (!c.decision.date.empty()) reason += "（" + c.decision.date + "）";
    if (!c.decision.reason.empty()) reason += " " + c.decision.reason;
    reason += " — 決定ファイル " + std::to_string(c.decision.line) + "行目のキー「" +
              c.decision.key + "」と一致（重なり " + fixed(pr.overlap) + "）";
    c.reasons.push_back(std::move(reason));
  }
  std::vector<decision> unmatched;
  for (std::size_t i : live)
    if (!row_used[i]) unmatched.push_back(decisions[i]);
  return unmatched;
}

// ---------------------------------------------------------------------------------------------
// Trace and replies

std::string fill_reply(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl.substr(i).starts_with("{{")) {
      out += '{';
      i += 2;
    } else if (tmpl.substr(i).starts_with("}}")) {
      out += '}';
      i += 2;
    } else if (tmpl[i] == '{') {
      const auto close = tmpl.find('}', i);
      KOE_THROW_IF_NOT(close != std::string_view::npos, errc::invalid_config,
                       "reply template: '{' without '}' (write {{ for a literal brace)");
      const std::string name(tmpl.substr(i + 1, close - i - 1));
      const auto it = values.find(name);
      KOE_THROW_IF_NOT(it != values.end(), errc::invalid_config,
                       "reply template: unknown placeholder {" + name +
                           "} (known: {voice} {label} {count} {decision} {reason} {id})");
      out += it->second;
      i = close + 1;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

namespace {

// Fills `t` for record `i` and returns the record's reply draft (empty without a contributor).
std::string trace_record(const analysis_result& r, std::size_t i, std::optional<std::size_t> row_of,
                         const std::unordered_map<int, const candidate*>& by_cluster,
                         int contributor_col, const reply_options& ro, trace_row& t) {
  const document_view d = r.input.documents[i];
  t.status = d.status;
  if (!row_of) return {};  // empty or rejected: nothing to trace or to reply to
  const std::size_t row = *row_of;
  const candidate* c = nullptr;
  if (row < r.clusters.assignment.size() && r.clusters.assignment[row] >= 0) {
    if (auto it = by_cluster.find(r.clusters.assignment[row]); it != by_cluster.end())
      c = it->second;
  }
  if (c != nullptr) {
    t.clustered = true;
    t.cluster = c->cluster;
    t.rank = static_cast<std::uint32_t>(c->rank);
    t.decision = c->decision.status;
  }
  const bool has_contributor = contributor_col >= 0 &&
                               static_cast<std::size_t>(contributor_col) < d.meta.size() &&
                               !trim(d.meta[contributor_col]).empty();
  if (has_contributor) {
    // Quote the voice on one line, shortened: a reply does not repeat a long complaint.
    std::string voice;
    bool space = false;
    for (char ch : trim(d.text)) {
      const bool ws = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
      if (ws) {
        space = true;
        continue;
      }
      if (space && !voice.empty()) voice += ' ';
      space = false;
      voice += ch;
    }
    const auto chars = utf8_chars(voice);
    if (ro.voice_chars > 0 && chars.size() > ro.voice_chars) {
      std::string cut;
      for (std::size_t j = 0; j < ro.voice_chars; ++j)
        cut += chars[j];
      voice = cut + "…";
    }
    std::map<std::string, std::string> values = {{"voice", voice}, {"id", std::string(d.id)}};
    if (c == nullptr) {
      values.insert({{"label", ""}, {"count", "0"}, {"decision", ""}, {"reason", ""}});
      return fill_reply(ro.unclustered_template, values);
    } else {
      const decision_status s = c->decision.status;
      const std::string word = s == decision_status::adopted    ? ro.adopted
                               : s == decision_status::rejected ? ro.rejected
                                                                : ro.pending;
      values.insert({{"label", c->label},
                     {"count", std::to_string(c->frequency.voices)},
                     {"decision", word},
                     {"reason", c->decision.reason}});
      const bool decided = s == decision_status::adopted || s == decision_status::rejected;
      return fill_reply(decided ? ro.decided_template : ro.pending_template, values);
    }
  }
  return {};
}

}  // namespace

trace_table trace(const analysis_result& r, const std::vector<candidate>& candidates,
                  const score_options& o) {
  std::unordered_map<int, const candidate*> by_cluster;
  for (const auto& c : candidates)
    by_cluster[c.cluster] = &c;
  const int contributor_col = o.frequency.contributor_column.empty()
                                  ? -1
                                  : r.input.meta_index(o.frequency.contributor_column);
  const reply_options& ro = o.reply;

  // Records are independent: each task fills the rows of its fixed blocks and drafts their replies
  // into a column of its own; the columns are then appended in block order.
  trace_table out;
  out.rows.resize(r.input.documents.size());
  constexpr std::size_t block = 4096;
  std::vector<text_column> replies(detail::block_count(out.size(), block));
  detail::parallel_chunks(replies.size(), 1, [&](std::size_t first_block, std::size_t last_block) {
    for (std::size_t b = first_block; b < last_block; ++b) {
      const std::size_t end = std::min(out.size(), (b + 1) * block);
      detail::for_each_record(
          r.row_document, b * block, end, [&](std::size_t i, std::optional<std::size_t> row) {
            replies[b].push_back(
                trace_record(r, i, row, by_cluster, contributor_col, ro, out.rows[i]));
          });
    }
  });
  for (auto& part : replies)
    out.replies.append(std::move(part));
  return out;
}

adoption_result assess(const analysis_result& r, const score_options& options,
                       const std::vector<decision>& decisions) {
  adoption_result a;
  constexpr std::size_t critical_min_voices = 3;  // as `critical_signals` by default
  {
    const row_facts facts = gather(r, options);  // once for the three steps, freed before trace
    a.candidates = score_with(r, options, facts);
    a.notes = signal_notes_with(r, options, facts);
    a.critical = critical_signals_with(r, options, facts, critical_min_voices);
  }
  a.unmatched_decisions = apply_decisions(a.candidates, decisions, options.decisions);
  a.trace = trace(r, a.candidates, options);
  a.adoption = options.adoption;
  return a;
}

// ---------------------------------------------------------------------------------------------
// Data files and configuration

std::vector<severity_entry> read_severity_lexicon(const fs::path& path) {
  const std::string text = read_text_file(path, "severity lexicon");
  std::vector<severity_entry> out;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const std::string t = trim(line);
    if (t.empty()) continue;
    const auto sep = t.find_last_of(" \t");
    const std::string where = path.string() + ":" + std::to_string(n) + ": ";
    KOE_THROW_IF_NOT(sep != std::string::npos, errc::invalid_config,
                     where + "expected term<TAB>weight");
    const std::string term = ascii_lower(trim(t.substr(0, sep)));
    const std::string w = t.substr(sep + 1);
    KOE_THROW_IF_NOT(w == "1" || w == "2" || w == "3", errc::invalid_config,
                     where + "weight '" + w + "' of '" + term + "' is not 1, 2 or 3");
    out.push_back({term, w[0] - '0'});
  }
  return out;
}

std::vector<difficulty_rule> read_difficulty_rules(const fs::path& path) {
  return parse_rules(read_text_file(path, "difficulty rules"), path.string());
}

score_options default_score_options() {
  const std::string dir = data_directory();
  const fs::path lexicon = fs::path(dir) / "severity-ja.txt";
  const fs::path rules = fs::path(dir) / "difficulty-rules.toml";
  KOE_THROW_IF_NOT(!dir.empty() && fs::exists(lexicon) && fs::exists(rules), errc::io_failure,
                   "cannot find the bundled severity-ja.txt and difficulty-rules.toml (set "
                   "KOE_DATA_DIR to koe's data directory, or name them in koe.toml)");
  score_options o;
  o.impact.severity = read_severity_lexicon(lexicon);
  o.difficulty.rules = read_difficulty_rules(rules);
  return o;
}

score_options parse_score_config(std::string_view text, const std::string& name,
                                 const fs::path& base_dir) {
  const toml::table root = parse_toml(text, name);
  const config_reader in(name, base_dir);
  in.only(root, "",
          {"data", "columns", "frequency", "impact", "difficulty", "adoption", "quadrant",
           "small_clusters", "decisions", "reply"});
  score_options o;
  const double inf = std::numeric_limits<double>::max();

  fs::path lexicon_path, rules_path;
  if (const auto* t = in.table(root, "data", "")) {
    in.only(*t, "data.", {"severity_lexicon", "difficulty_rules"});
    lexicon_path = in.path(*t, "severity_lexicon", "data.");
    rules_path = in.path(*t, "difficulty_rules", "data.");
  }
  if (lexicon_path.empty() || rules_path.empty()) {
    const std::string dir = data_directory();
    KOE_THROW_IF_NOT(!dir.empty(), errc::io_failure,
                     name +
                         ": cannot find koe's bundled data; set KOE_DATA_DIR or name the "
                         "files under [data]");
    if (lexicon_path.empty()) lexicon_path = fs::path(dir) / "severity-ja.txt";
    if (rules_path.empty()) rules_path = fs::path(dir) / "difficulty-rules.toml";
    KOE_THROW_IF_NOT(fs::exists(lexicon_path) && fs::exists(rules_path), errc::io_failure,
                     name +
                         ": cannot find the bundled data files; set KOE_DATA_DIR or name them "
                         "under [data]");
  }
  o.impact.severity = read_severity_lexicon(lexicon_path);
  o.difficulty.rules = read_difficulty_rules(rules_path);

  if (const auto* t = in.table(root, "columns", "")) {
    in.only(*t, "columns.", {"contributor", "rating", "segment"});
    in.text(*t, "contributor", "columns.", o.frequency.contributor_column);
    in.text(*t, "rating", "columns.", o.impact.rating_column);
    in.text(*t, "segment", "columns.", o.impact.segment_column);
  }
  if (const auto* t = in.table(root, "frequency", "")) {
    const std::string pre = "frequency.";
    in.only(*t, pre, {"period", "full_share", "growth_weight", "growth_min_voices"});
    if (const toml::node* n = t->get("period")) {
      const auto s = n->value_exact<std::string>();
      bool ok = false;
      for (auto u : {period_unit::day, period_unit::week, period_unit::month, period_unit::quarter,
                     period_unit::year}) {
        if (s && *s == period_name(u)) {
          o.frequency.period = u;
          ok = true;
        }
      }
      if (!ok)
        in.fail(n->source(), pre + "period",
                "expected \"day\", \"week\", \"month\", \"quarter\" or \"year\"");
    }
    in.number(*t, "full_share", pre, o.frequency.full_share, 0, 1);
    in.number(*t, "growth_weight", pre, o.frequency.growth_weight, 0, 1);
    in.count(*t, "growth_min_voices", pre, o.frequency.growth_min_voices, 0, 1000000);
  }
  if (const auto* t = in.table(root, "impact", "")) {
    const std::string pre = "impact.";
    in.only(
        *t, pre,
        {"confidence", "higher_rating_is_better", "surface_min_chars", "rating_weight",
         "severity_weight", "negativity_weight", "segment_weight", "segment_weights", "severity"});
    in.number(*t, "confidence", pre, o.impact.confidence, 0.5, 0.999);
    in.flag(*t, "higher_rating_is_better", pre, o.impact.higher_rating_is_better);
    in.count(*t, "surface_min_chars", pre, o.impact.surface_min_chars, 0, 100);
    in.number(*t, "rating_weight", pre, o.impact.rating_weight, 0, inf);
    in.number(*t, "severity_weight", pre, o.impact.severity_weight, 0, inf);
    in.number(*t, "negativity_weight", pre, o.impact.negativity_weight, 0, inf);
    in.number(*t, "segment_weight", pre, o.impact.segment_weight, 0, inf);
    if (const auto* s = in.table(*t, "segment_weights", pre)) {
      for (auto&& [k, v] : *s) {
        double w = 1;
        in.number(*s, k.str(), pre + "segment_weights.", w, 0, inf);
        o.impact.segment_weights[std::string(k.str())] = w;
      }
    }
    // Extra lexicon entries: a term already in the lexicon takes the new weight.
    if (const auto* s = in.table(*t, "severity", pre)) {
      for (auto&& [k, v] : *s) {
        std::size_t w = 1;
        in.count(*s, k.str(), pre + "severity.", w, 0, 3);
        const std::string term = ascii_lower(std::string(k.str()));
        auto& lex = o.impact.severity;
        lex.erase(std::remove_if(lex.begin(), lex.end(),
                                 [&](const severity_entry& e) { return e.term == term; }),
                  lex.end());
        if (w > 0) lex.push_back({term, static_cast<int>(w)});
      }
    }
  }
  if (const auto* t = in.table(root, "difficulty", "")) {
    const std::string pre = "difficulty.";
    in.only(*t, pre, {"top_terms", "low", "medium", "high", "unknown", "rule", "override"});
    in.count(*t, "top_terms", pre, o.difficulty.top_terms, 1, 1000);
    in.number(*t, "low", pre, o.difficulty.low, 0, 1);
    in.number(*t, "medium", pre, o.difficulty.medium, 0, 1);
    in.number(*t, "high", pre, o.difficulty.high, 0, 1);
    in.number(*t, "unknown", pre, o.difficulty.unknown, 0, 1);
    auto tables = [&](std::string_view key) -> const toml::array* {
      const toml::node* n = t->get(key);
      if (n == nullptr) return nullptr;
      const toml::array* a = n->as_array();
      if (a == nullptr || !a->is_array_of_tables())
        in.fail(n->source(), pre + std::string(key),
                "expected [[difficulty." + std::string(key) + "]] tables");
      return a;
    };
    if (const auto* a = tables("rule"))
      for (const toml::node& e : *a)
        o.difficulty.rules.push_back(in.rule(*e.as_table(), pre + "rule."));
    if (const auto* a = tables("override")) {
      for (const toml::node& e : *a) {
        const toml::table& ot = *e.as_table();
        const std::string opre = pre + "override.";
        in.only(ot, opre, {"key", "level", "reason"});
        difficulty_override ov;
        in.text(ot, "key", opre, ov.key);
        if (key_terms(ov.key).empty()) in.fail(ot.source(), opre + "key", "missing or empty");
        ov.level = in.level(ot, "level", opre, false);
        in.text(ot, "reason", opre, ov.reason);
        o.difficulty.overrides.push_back(std::move(ov));
      }
    }
  }
  if (const auto* t = in.table(root, "adoption", "")) {
    const std::string pre = "adoption.";
    in.only(*t, pre,
            {"frequency_weight", "impact_weight", "ease_weight", "min_frequency", "min_impact",
             "max_difficulty"});
    in.number(*t, "frequency_weight", pre, o.adoption.frequency_weight, 0, inf);
    in.number(*t, "impact_weight", pre, o.adoption.impact_weight, 0, inf);
    in.number(*t, "ease_weight", pre, o.adoption.ease_weight, 0, inf);
    in.number(*t, "min_frequency", pre, o.adoption.min_frequency, 0, 1);
    in.number(*t, "min_impact", pre, o.adoption.min_impact, 0, 1);
    in.number(*t, "max_difficulty", pre, o.adoption.max_difficulty, 0, 1);
    if (o.adoption.frequency_weight + o.adoption.impact_weight + o.adoption.ease_weight <= 0)
      in.fail(t->source(), "adoption", "at least one weight must be above 0");
  }
  if (const auto* t = in.table(root, "quadrant", "")) {
    in.only(*t, "quadrant.", {"impact_split", "difficulty_split"});
    in.number(*t, "impact_split", "quadrant.", o.adoption.impact_split, 0, 1);
    in.number(*t, "difficulty_split", "quadrant.", o.adoption.difficulty_split, 0, 1);
  }
  if (const auto* t = in.table(root, "small_clusters", "")) {
    in.only(*t, "small_clusters.", {"share", "impact"});
    in.number(*t, "share", "small_clusters.", o.adoption.small_share, 0, 1);
    in.number(*t, "impact", "small_clusters.", o.adoption.small_impact, 0, 1);
  }
  if (const auto* t = in.table(root, "decisions", "")) {
    in.only(*t, "decisions.", {"key_terms", "min_overlap"});
    in.count(*t, "key_terms", "decisions.", o.decisions.key_terms, 1, 20);
    in.number(*t, "min_overlap", "decisions.", o.decisions.min_overlap, 0.01, 1);
  }
  if (const auto* t = in.table(root, "reply", "")) {
    const std::string pre = "reply.";
    in.only(
        *t, pre,
        {"template", "pending_template", "unclustered_template", "voice_chars", "decision_words"});
    std::map<std::string, std::string> probe;
    for (const auto& p : reply_placeholders())
      probe[p] = "";
    for (auto [key, field] : {std::pair{"template", &o.reply.decided_template},
                              std::pair{"pending_template", &o.reply.pending_template},
                              std::pair{"unclustered_template", &o.reply.unclustered_template}}) {
      in.text(*t, key, pre, *field);
      if (const toml::node* n = t->get(key)) {
        try {
          (void)fill_reply(*field, probe);
        } catch (const error& e) {
          in.fail(n->source(), pre + key, e.what());
        }
      }
    }
    in.count(*t, "voice_chars", pre, o.reply.voice_chars, 0, 10000);
    if (const auto* w = in.table(*t, "decision_words", pre)) {
      in.only(*w, pre + "decision_words.", {"adopted", "rejected", "pending"});
      in.text(*w, "adopted", pre + "decision_words.", o.reply.adopted);
      in.text(*w, "rejected", pre + "decision_words.", o.reply.rejected);
      in.text(*w, "pending", pre + "decision_words.", o.reply.pending);
    }
  }
  return o;
}

score_options load_score_config(const fs::path& path) {
  const std::string text = read_text_file(path, "configuration");
  return parse_score_config(text, path.string(), path.parent_path());
}

std::vector<std::string> surface_phrases(const score_options& options) {
  std::vector<std::string> out;
  if (options.impact.surface_min_chars == 0) return out;
  for (const auto& e : options.impact.severity) {
    if (e.term.empty() || utf8_chars(e.term).size() < options.impact.surface_min_chars) continue;
    if (std::find(out.begin(), out.end(), e.term) == out.end()) out.push_back(e.term);
  }
  return out;
}

}  // namespace koe
