// Month-by-month scenarios for koe-generate (`--months N --events SPEC`): the default profile's
// voices spread over N months, with planted events that change the topic mix from some month on
// (a topic born, fading, splitting in two, two topics merging, a one-month burst, a topic that
// goes away and returns). The `topic` column names split parts and merged topics, so refits and
// trends can be scored against the truth. Never part of the library.
#pragma once

#include "corpus_generator.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koe::bench {

/// One planted event. Months count from 1 (the first month of the scenario).
struct scenario_event {
  enum class kind { born, fade, split, merge, burst, back };
  kind what = kind::born;
  std::string token;            ///< The event as written in the spec.
  std::vector<std::size_t> of;  ///< Topic indices (two for a merge).
  std::size_t month = 0;        ///< Month the event takes effect (for a return: it returns).
  std::size_t gone_from = 0;    ///< Return only: first month without voices.
  double size = 0;              ///< Fade: factor on the share; burst: share added.
};

/// Name of an event kind as the spec and the events file write it.
inline std::string_view kind_name(scenario_event::kind k) {
  static constexpr std::array<std::string_view, 6> names = {"born",  "fade",  "split",
                                                            "merge", "burst", "return"};
  return names[static_cast<std::size_t>(k)];
}

namespace detail_scenario {

[[noreturn]] inline void bad(std::string_view token, std::string_view why) {
  throw std::invalid_argument("bad event '" + std::string(token) + "': " + std::string(why));
}

inline std::size_t topic_index(std::string_view token, std::string_view name) {
  const auto& ts = topics();
  if (name.size() > 1 && (name[0] == 'T' || name[0] == 't')) {
    std::size_t n = 0;
    const auto* end = name.data() + name.size();
    const auto [p, ec] = std::from_chars(name.data() + 1, end, n);
    if (ec == std::errc() && p == end) {
      if (n < 1 || n > ts.size())
        bad(token, "topic " + std::string(name) + " is not T1..T" + std::to_string(ts.size()));
      return n - 1;
    }
  }
  for (std::size_t i = 0; i < ts.size(); ++i)
    if (ts[i].slug == name) return i;
  bad(token, "unknown topic '" + std::string(name) + "' (T1..T" + std::to_string(ts.size()) +
                 " or a topic name such as " + std::string(ts[0].slug) + ")");
}

inline std::size_t month_number(std::string_view token, std::string_view s, std::size_t months) {
  std::size_t m = 0;
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, m);
  if (ec != std::errc() || p != end || s.empty()) bad(token, "month '" + std::string(s) + "'");
  if (m < 1 || m > months)
    bad(token, "month " + std::to_string(m) + " is outside 1.." + std::to_string(months));
  return m;
}

inline double fraction(std::string_view token, std::string_view s) {
  // from_chars for double is in every standard library koe builds with (GCC 11+, Clang 16+).
  double v = 0;
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !(v > 0) || !(v < 1))
    bad(token, "size '" + std::string(s) + "' is not a number between 0 and 1");
  return v;
}

}  // namespace detail_scenario

/**
 * Reads an events spec: events separated by commas, each KIND:TOPIC@MONTH[:SIZE].
 *
 *   born:T@M       T has no voices before month M
 *   fade:T@M[:F]   from month M on, T's share is multiplied by F (default 0.25)
 *   split:T@M      from month M on, T's voices divide into T_a and T_b, each with half of T's
 *                  words (both keep T's first noun, so they stay related)
 *   merge:T+U@M    from month M on, T and U are one topic "T+U": each voice speaks of both
 *   burst:T@M[:P]  in month M only, T's share rises by P (default 0.02, two points)
 *   return:T@A-B   T has no voices in months A..B and returns in month B+1
 *
 * A topic is T1..T30 (the generator's list, most common first) or its name. Each topic takes part
 * in one event at most. Throws std::invalid_argument naming the bad event.
 */
inline std::vector<scenario_event> parse_events(std::string_view spec, std::size_t months) {
  using namespace detail_scenario;
  std::vector<scenario_event> out;
  std::vector<bool> used(topics().size(), false);
  while (!spec.empty()) {
    const std::size_t comma = spec.find(',');
    const std::string_view tok = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (tok.empty()) bad(tok, "empty event (two commas in a row?)");
    const std::size_t colon = tok.find(':'), at = tok.find('@');
    if (colon == std::string_view::npos || at == std::string_view::npos || at < colon)
      bad(tok, "expected KIND:TOPIC@MONTH");
    scenario_event e;
    e.token = std::string(tok);
    const std::string_view kind = tok.substr(0, colon);
    std::size_t k = 0;
    while (k < 6 && kind_name(static_cast<scenario_event::kind>(k)) != kind)
      ++k;
    if (k == 6)
      bad(tok,
          "unknown kind '" + std::string(kind) + "' (born, fade, split, merge, burst, return)");
    e.what = static_cast<scenario_event::kind>(k);
    std::string_view who = tok.substr(colon + 1, at - colon - 1);
    std::string_view when = tok.substr(at + 1), size;
    if (const std::size_t c = when.find(':'); c != std::string_view::npos) {
      size = when.substr(c + 1);
      when = when.substr(0, c);
    }
    const bool sized =
        e.what == scenario_event::kind::fade || e.what == scenario_event::kind::burst;
    if (!size.empty() && !sized) bad(tok, "only fade and burst take a size");
    e.size =
        size.empty() ? (e.what == scenario_event::kind::fade ? 0.25 : 0.02) : fraction(tok, size);
    if (e.what == scenario_event::kind::merge) {
      const std::size_t plus = who.find('+');
      if (plus == std::string_view::npos) bad(tok, "a merge names two topics, T+U");
      e.of = {topic_index(tok, who.substr(0, plus)), topic_index(tok, who.substr(plus + 1))};
      if (e.of[0] == e.of[1]) bad(tok, "a topic cannot merge with itself");
    } else {
      e.of = {topic_index(tok, who)};
    }
    if (e.what == scenario_event::kind::back) {
      const std::size_t dash = when.find('-');
      if (dash == std::string_view::npos) bad(tok, "a return names the months away, A-B");
      e.gone_from = month_number(tok, when.substr(0, dash), months);
      e.month = month_number(tok, when.substr(dash + 1), months) + 1;
      if (e.gone_from < 2 || e.gone_from >= e.month || e.month > months)
        bad(tok, "the months away must be 2 <= A <= B < " + std::to_string(months));
    } else {
      e.month = month_number(tok, when, months);
      if (e.month < 2 && e.what != scenario_event::kind::burst)
        bad(tok, "the month must be 2 or later: month 1 has nothing before it");
    }
    for (const std::size_t t : e.of) {
      if (used[t]) bad(tok, "topic " + std::string(topics()[t].slug) + " is in an earlier event");
      used[t] = true;
    }
    out.push_back(std::move(e));
  }
  return out;
}

/// A month of the scenario as YYYY-MM, counting from `start` ("2024-01" style, month 0).
inline std::string month_name(int start_year, int start_month, std::size_t m) {
  const std::size_t total = static_cast<std::size_t>(start_month - 1) + m;
  char s[16];
  std::snprintf(s, sizeof s, "%04d-%02d", start_year + static_cast<int>(total / 12),
                static_cast<int>(total % 12) + 1);
  return s;
}

/// One voice of a month, ready to write.
struct scenario_voice {
  std::string text;
  std::size_t unit = 0;  ///< Index into scenario_generator::units().
  std::string created_at;
  int rating = 3;
  std::string_view segment;
};

/**
 * The default profile's voices month by month, with the planted events applied to the topic
 * mix. Deterministic for a seed, the spec and the voices per month. Not thread-safe.
 */
class scenario_generator : public voice_generator {
 public:
  /// What the `topic` column can say: a generator topic, a split part or a merged pair.
  struct unit {
    std::string slug;
    std::size_t def = 0;    ///< Topic definition of the first clause (index into defs).
    std::size_t other = 0;  ///< Merged only: the definition of the second clause.
    bool merged = false;
  };

  scenario_generator(std::uint64_t seed, std::size_t months, std::vector<scenario_event> events,
                     int start_year = 2024, int start_month = 1)
      : voice_generator(mix64(seed ^ 0x6D6F6E7468ULL)),
        months_(months),
        start_year_(start_year),
        start_month_(start_month),
        events_(std::move(events)) {
    const auto& ts = topics();
    for (std::size_t i = 0; i < ts.size(); ++i)
      units_.push_back({std::string(ts[i].slug), i, i, false});
    defs_.reserve(ts.size() + 2 * events_.size());
    for (const auto& t : ts)
      defs_.push_back(t);
    for (auto& e : events_) {
      const std::size_t first = units_.size();
      if (e.what == scenario_event::kind::split) {
        for (std::size_t part = 0; part < 2; ++part)
          add_part(e.of[0], part);
      } else if (e.what == scenario_event::kind::merge) {
        units_.push_back(
            {units_[e.of[0]].slug + "+" + units_[e.of[1]].slug, e.of[0], e.of[1], true});
      }
      event_units_.emplace_back();
      for (std::size_t u = first; u < units_.size(); ++u)
        event_units_.back().push_back(u);
      if (first == units_.size()) event_units_.back().push_back(e.of[0]);
    }
    build_weights();
  }

  const std::vector<unit>& units() const { return units_; }
  const std::vector<scenario_event>& events() const { return events_; }
  std::size_t months() const { return months_; }
  std::string month(std::size_t m) const { return month_name(start_year_, start_month_, m); }
  /// The share a unit is planned to have in month m (0-based), before sampling noise.
  double planned_share(std::size_t m, std::size_t u) const {
    double total = 0;
    for (const double w : weights_[m])
      total += w;
    return weights_[m][u] / total;
  }
  /// The units event i's topics became: split parts, the merged pair, or the topic itself.
  const std::vector<std::size_t>& units_of(std::size_t i) const { return event_units_[i]; }

  /// The `count` voices of month m (0-based), in created_at order.
  std::vector<scenario_voice> month_voices(std::size_t m, std::size_t count) {
    std::vector<double> cdf(weights_[m].size());
    double acc = 0;
    for (std::size_t u = 0; u < cdf.size(); ++u)
      cdf[u] = acc += weights_[m][u];
    std::vector<scenario_voice> out(count);
    for (auto& v : out) {
      const double x = text_rng_.unit() * acc;
      v.unit = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
      v.unit = std::min(v.unit, cdf.size() - 1);
      compose(units_[v.unit], cdf, acc);
      v.text = v_.text;
      meta(v, m);
    }
    std::stable_sort(out.begin(), out.end(), [](const scenario_voice& a, const scenario_voice& b) {
      return a.created_at < b.created_at;
    });
    return out;
  }

 private:
  // Split part `part` of topic t: t's first noun and every other one of the rest, and every
  // other predicate, so the two parts share a subject but little else.
  void add_part(std::size_t t, std::size_t part) {
    topic_def d = topics()[t];
    d.nouns.clear();
    d.predicates.clear();
    const auto& src = topics()[t];
    d.nouns.push_back(src.nouns[0]);
    for (std::size_t i = 1 + part; i < src.nouns.size(); i += 2)
      d.nouns.push_back(src.nouns[i]);
    for (std::size_t i = part; i < src.predicates.size(); i += 2)
      d.predicates.push_back(src.predicates[i]);
    noun_pick_.emplace_back(d.nouns.size(), 1.1);
    predicate_pick_.emplace_back(d.predicates.size(), 0.9);
    defs_.push_back(std::move(d));
    const std::size_t def = defs_.size() - 1;
    units_.push_back({units_[t].slug + (part == 0 ? "_a" : "_b"), def, def, false});
  }

  void build_weights() {
    const std::size_t n = topics().size();
    weights_.assign(months_, std::vector<double>(units_.size(), 0.0));
    for (std::size_t m = 0; m < months_; ++m)
      for (std::size_t t = 0; t < n; ++t)
        weights_[m][t] = 1.0 / std::pow(static_cast<double>(t + 1), 0.6);
    std::size_t next_unit = n;
    for (const auto& e : events_) {
      const std::size_t t = e.of[0];
      for (std::size_t m = 0; m < months_; ++m) {
        const std::size_t month = m + 1;
        auto& w = weights_[m];
        switch (e.what) {
          case scenario_event::kind::born:
            if (month < e.month) w[t] = 0;
            break;
          case scenario_event::kind::fade:
            if (month >= e.month) w[t] *= e.size;
            break;
          case scenario_event::kind::back:
            if (month >= e.gone_from && month < e.month) w[t] = 0;
            break;
          case scenario_event::kind::split:
            if (month >= e.month) {
              w[next_unit] = w[next_unit + 1] = w[t] / 2;
              w[t] = 0;
            }
            break;
          case scenario_event::kind::merge:
            if (month >= e.month) {
              w[next_unit] = w[t] + w[e.of[1]];
              w[t] = w[e.of[1]] = 0;
            }
            break;
          case scenario_event::kind::burst:
            break;
        }
      }
      next_unit += e.what == scenario_event::kind::split   ? 2
                   : e.what == scenario_event::kind::merge ? 1
                                                           : 0;
    }
    // Bursts last, on the month's final mix: the share s becomes s + P.
    for (const auto& e : events_) {
      if (e.what != scenario_event::kind::burst) continue;
      auto& w = weights_[e.month - 1];
      double total = 0;
      for (const double x : w)
        total += x;
      const double s = w[e.of[0]] / total, rest = total - w[e.of[0]];
      const double target = std::min(s + e.size, 0.95);
      w[e.of[0]] = target * rest / (1 - target);
    }
  }

  // One voice on unit u; passing remarks come from the month's own mix, so a topic that is not
  // born yet, or away, is never mentioned.
  void compose(const unit& u, const std::vector<double>& cdf, double total) {
    v_.text.clear();
    buf_.clear();
    std::size_t first = u.def, second = u.other;
    if (u.merged && text_rng_.chance(0.5)) std::swap(first, second);
    const topic_def& t = defs_[first];
    if (text_rng_.chance(0.35)) expand(pick(w_.openers), t, static_cast<int>(first));
    clause(t, static_cast<int>(first));
    if (u.merged) {
      join();
      clause(defs_[second], static_cast<int>(second));
    } else if (text_rng_.chance(0.6)) {
      join();
      clause(t, static_cast<int>(first));
    }
    if (text_rng_.chance(0.1)) {
      const double x = text_rng_.unit() * total;
      const auto o = std::min(
          static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin()),
          cdf.size() - 1);
      join();
      clause(defs_[units_[o].def], static_cast<int>(units_[o].def));
    }
    end_sentence();
    if (text_rng_.chance(0.5)) buf_ += pick(t.closers.empty() ? w_.closers : t.closers);
    add_noise();
    while (chars(buf_) < min_chars)
      buf_ += pick(t.closers.empty() ? w_.closers : t.closers);
    transcode_widths();
    clip(v_.text, max_chars);
  }

  // Star rating, segment and a moment in month m (Japan time).
  void meta(scenario_voice& v, std::size_t m) {
    const double u = meta_rng_.unit();
    const int shift = u < 0.15 ? -1 : u < 0.3 ? 1 : u < 0.35 ? 2 : 0;
    v.rating = std::clamp(defs_[units_[v.unit].def].rating + shift, 1, 5);
    std::size_t pct = meta_rng_.below(100);
    for (const auto& [name, share] : w_.segments) {
      if (pct < static_cast<std::size_t>(share)) {
        v.segment = name;
        break;
      }
      pct -= static_cast<std::size_t>(share);
    }
    const std::string ym = month(m);
    const int year = std::stoi(ym.substr(0, 4)), mon = std::stoi(ym.substr(5, 2));
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int in_month = days[static_cast<std::size_t>(mon - 1)] + (mon == 2 && leap ? 1 : 0);
    const std::size_t second = meta_rng_.below(static_cast<std::size_t>(in_month) * 86400);
    char stamp[40];
    std::snprintf(stamp, sizeof stamp, "%s-%02dT%02d:%02d:%02d+09:00", ym.c_str(),
                  static_cast<int>(second / 86400) + 1, static_cast<int>(second % 86400 / 3600),
                  static_cast<int>(second / 60 % 60), static_cast<int>(second % 60));
    v.created_at = stamp;
  }

  std::size_t months_;
  int start_year_, start_month_;
  std::vector<scenario_event> events_;
  std::vector<topic_def> defs_;
  std::vector<unit> units_;
  std::vector<std::vector<std::size_t>> event_units_;
  std::vector<std::vector<double>> weights_;  ///< [month][unit]
};

/**
 * The planted events as JSON, in the layout of data/sample/year/events.json, so that
 * tests/tools/check_events.py checks both: months, and per event its kind, topics (the `topic`
 * column's names), month and the counts it is expected to show. `per_month` is the fewest voices
 * in a month; tolerances follow from it (three standard deviations of a share, or of a mean of
 * shares over the months it averages).
 */
inline std::string events_json(const scenario_generator& g, std::size_t per_month,
                               std::uint64_t seed, std::string_view spec) {
  auto num = [](double x) {
    char s[32];
    std::snprintf(s, sizeof s, "%.4f", x);
    return std::string(s);
  };
  auto quoted = [](std::string_view s) {
    std::string q = "\"";
    for (const char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + '"';
  };
  auto names = [&](const std::vector<std::size_t>& us) {
    std::string s = "[";
    for (std::size_t i = 0; i < us.size(); ++i)
      s += (i ? ", " : "") + quoted(g.units()[us[i]].slug);
    return s + "]";
  };
  const double n = static_cast<double>(std::max<std::size_t>(per_month, 1));
  auto sd = [&](double s) { return std::sqrt(s * (1 - s) / n); };
  // Least planned share of the units from month m on (0-based), halved: room for noise.
  auto least_after = [&](const std::vector<std::size_t>& us, std::size_t m) {
    double least = 1;
    for (std::size_t k = m; k < g.months(); ++k)
      for (const std::size_t u : us)
        least = std::min(least, g.planned_share(k, u));
    return least / 2;
  };
  std::string j = "{\n  \"generator\": \"koe-generate\",\n  \"seed\": " + std::to_string(seed) +
                  ",\n  \"spec\": " + quoted(spec) + ",\n  \"months\": [";
  for (std::size_t m = 0; m < g.months(); ++m)
    j += (m ? ", " : "") + quoted(g.month(m));
  j += "],\n  \"topic_column\": \"topic\",\n  \"date_column\": \"created_at\",\n  \"events\": [";
  for (std::size_t i = 0; i < g.events().size(); ++i) {
    const scenario_event& e = g.events()[i];
    const std::size_t m = e.month - 1, t = e.of[0];
    const auto& us = g.units_of(i);
    j += i ? ",\n" : "\n";
    j += "    {\"kind\": " + quoted(kind_name(e.what)) + ", \"spec\": " + quoted(e.token) +
         ", \"month\": " + quoted(g.month(m));
    switch (e.what) {
      case scenario_event::kind::born:
        j += ", \"topics\": " + names(us) + ", \"expected\": {\"lineage\": \"born\", " +
             "\"min_share_after\": " + num(least_after(us, m)) + "}}";
        break;
      case scenario_event::kind::split:
        j += ", \"topics\": " + names(us) + ", \"parent\": " + quoted(g.units()[t].slug) +
             ", \"expected\": {\"lineage\": \"split\", \"min_share_after\": " +
             num(least_after(us, m)) + "}}";
        break;
      case scenario_event::kind::merge:
        j += ", \"topics\": " + names(e.of) + ", \"into\": " + quoted(g.units()[us[0]].slug) +
             ", \"expected\": {\"lineage\": \"merged\", \"min_share_after\": " +
             num(least_after(us, m)) + "}}";
        break;
      case scenario_event::kind::fade: {
        double before = 0, after = 0;
        for (std::size_t k = 0; k < m; ++k)
          before += g.planned_share(k, t) / static_cast<double>(m);
        for (std::size_t k = m + 1; k < g.months(); ++k)
          after += g.planned_share(k, t) / static_cast<double>(g.months() - m - 1);
        if (m + 1 == g.months()) after = g.planned_share(m, t);
        // A mean over several months varies less than one month's share.
        const double spread = static_cast<double>(
            std::max<std::size_t>(1, std::min(m, g.months() - std::min(g.months(), m + 1))));
        j += ", \"topics\": " + names(us) + ", \"factor\": " + num(e.size) +
             ", \"expected\": {\"alert\": \"drop\", \"share_before\": " + num(before) +
             ", \"share_after\": " + num(after) +
             ", \"tolerance\": " + num(std::max(0.004, 3 * sd(before) / std::sqrt(spread))) + "}}";
        break;
      }
      case scenario_event::kind::burst: {
        std::vector<double> others;
        for (std::size_t k = 0; k < g.months(); ++k)
          if (k != m) others.push_back(g.planned_share(k, t));
        std::sort(others.begin(), others.end());
        const std::size_t h = others.size() / 2;
        const double median = others.empty()      ? 0
                              : others.size() % 2 ? others[h]
                                                  : (others[h - 1] + others[h]) / 2;
        const double s = g.planned_share(m, t);
        j += ", \"topics\": " + names(us) + ", \"size\": " + num(e.size) +
             ", \"expected\": {\"alert\": \"burst\", \"delta_pp\": " + num(100 * (s - median)) +
             ", \"tolerance_pp\": " + num(std::max(0.3, 300 * sd(s))) + "}}";
        break;
      }
      case scenario_event::kind::back:
        j += ", \"topics\": " + names(us) + ", \"absent\": [" + quoted(g.month(e.gone_from - 1)) +
             ", " + quoted(g.month(e.month - 2)) +
             "], \"expected\": {\"lineage\": \"returned\", \"dormant_from\": " +
             quoted(g.month(e.gone_from - 1)) + "}}";
        break;
    }
  }
  return j + "\n  ]\n}\n";
}

}  // namespace koe::bench
