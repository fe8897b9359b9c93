// Periods that growth compares: dates read from timestamps, ordinals and their labels, with
// std::chrono's civil calendar.
#include <koe/score.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace koe {
namespace {

namespace chr = std::chrono;

// "2026-10-03", "2026/10/3", "2026-10-03T12:00:00+09:00", "2026-10" (day 1). Anything else is
// no date; the time of day is ignored because periods are at least a day long. A day past the
// month's end (2026-02-31) is kept: it counts on into the next month, as the calendar's own
// day arithmetic does.
std::optional<chr::year_month_day> parse_date(std::string_view s) {
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
  return chr::year_month_day{chr::year{static_cast<int>(*y)}, chr::month{*m}, chr::day{d}};
}

// Days since 1970-01-01; a day past the month's end counts on into the next month.
std::int64_t day_number(const chr::year_month_day& date) {
  return chr::sys_days{date}.time_since_epoch().count();
}

chr::year_month_day date_of(std::int64_t days) {
  return chr::year_month_day{chr::sys_days{chr::days{days}}};
}

std::string two(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", v);
  return buf;
}

std::string year_text(const chr::year_month_day& date) {
  return std::to_string(static_cast<int>(date.year()));
}

// Floor division, for ordinals before 1970 or year 0.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : (a - (b - 1)) / b;
}

// Ordinal of the period holding `date`: consecutive periods have consecutive ordinals.
std::int64_t period_ordinal(const chr::year_month_day& date, period_unit unit) {
  const std::int64_t y = static_cast<int>(date.year());
  const std::int64_t m = static_cast<unsigned>(date.month());
  switch (unit) {
    case period_unit::day:
      return day_number(date);
    case period_unit::week:
      // 1970-01-01 was a Thursday, so weeks starting on Monday begin at day -3.
      return floor_div(day_number(date) + 3, 7);
    case period_unit::month:
      return y * 12 + m - 1;
    case period_unit::quarter:
      return y * 4 + (m - 1) / 3;
    case period_unit::year:
      return y;
  }
  return 0;
}

}  // namespace

std::optional<std::int64_t> period_of(std::string_view timestamp, period_unit unit) {
  const auto date = parse_date(timestamp);
  if (!date) return std::nullopt;
  return period_ordinal(*date, unit);
}

std::string period_label(std::int64_t ordinal, period_unit unit) {
  switch (unit) {
    case period_unit::day: {
      const chr::year_month_day d = date_of(ordinal);
      return year_text(d) + "-" + two(static_cast<unsigned>(d.month())) + "-" +
             two(static_cast<unsigned>(d.day()));
    }
    case period_unit::week: {
      // ISO 8601: the week belongs to the year of its Thursday. Week w starts on Monday
      // 7w - 3, so its Thursday is day 7w.
      const chr::year_month_day thursday = date_of(ordinal * 7);
      const chr::sys_days jan1{thursday.year() / chr::January / 1};
      const auto week = (chr::sys_days{thursday} - jan1).count() / 7 + 1;
      return year_text(thursday) + "-W" + two(static_cast<unsigned>(week));
    }
    case period_unit::month: {
      const std::int64_t y = floor_div(ordinal, 12);
      return std::to_string(y) + "-" + two(static_cast<unsigned>(ordinal - y * 12 + 1));
    }
    case period_unit::quarter: {
      const std::int64_t y = floor_div(ordinal, 4);
      return std::to_string(y) + "-Q" + std::to_string(ordinal - y * 4 + 1);
    }
    case period_unit::year:
      return std::to_string(ordinal);
  }
  return {};
}

}  // namespace koe
