// Month-by-month scenarios of koe-generate (benchmarks/scenario.hpp): the events spec, the
// determinism of the voices, and every planted event showing in the voices per topic per month.
#include "scenario.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using koe::bench::parse_events;
using koe::bench::scenario_event;
using koe::bench::scenario_generator;

constexpr std::string_view full_spec =
    "born:T3@6,fade:T1@9,split:T2@7,merge:T4+T5@8,burst:T6@11:0.02,return:T7@4-8";

// Voices per topic label per month, and the voices of each month.
struct monthly_counts {
  std::map<std::string, std::vector<std::size_t>> of;
  std::vector<std::size_t> total;
  std::size_t at(const std::string& label, std::size_t month) const {
    const auto it = of.find(label);
    return it == of.end() ? 0 : it->second[month];
  }
  double share(const std::string& label, std::size_t month) const {
    return static_cast<double>(at(label, month)) / static_cast<double>(total[month]);
  }
};

monthly_counts count(scenario_generator& g, std::size_t per_month) {
  monthly_counts c;
  c.total.assign(g.months(), 0);
  for (std::size_t m = 0; m < g.months(); ++m) {
    for (const auto& v : g.month_voices(m, per_month)) {
      auto& row = c.of[g.units()[v.unit].slug];
      row.resize(g.months(), 0);
      ++row[m];
      ++c.total[m];
    }
  }
  return c;
}

std::string parse_error(std::string_view spec) {
  try {
    (void)parse_events(spec, 12);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Scenario, SpecNamesEachKindTopicAndMonth) {
  const auto ev = parse_events(full_spec, 12);
  ASSERT_EQ(ev.size(), 6U);
  EXPECT_EQ(ev[0].what, scenario_event::kind::born);
  EXPECT_EQ(ev[0].of, std::vector<std::size_t>{2});
  EXPECT_EQ(ev[0].month, 6U);
  EXPECT_EQ(ev[1].what, scenario_event::kind::fade);
  EXPECT_DOUBLE_EQ(ev[1].size, 0.25);
  EXPECT_EQ(ev[3].what, scenario_event::kind::merge);
  EXPECT_EQ(ev[3].of, (std::vector<std::size_t>{3, 4}));
  EXPECT_DOUBLE_EQ(ev[4].size, 0.02);
  EXPECT_EQ(ev[5].what, scenario_event::kind::back);
  EXPECT_EQ(ev[5].gone_from, 4U);
  EXPECT_EQ(ev[5].month, 9U);
  // Topic names work as well as T numbers.
  const auto named = parse_events("burst:payment_error@3:0.05", 12);
  EXPECT_EQ(named[0].of, std::vector<std::size_t>{4});
  EXPECT_DOUBLE_EQ(named[0].size, 0.05);
  EXPECT_TRUE(parse_events("", 12).empty());
}

TEST(Scenario, ParseErrorsNameTheBadEvent) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"born:T3@6,bogus", "'bogus': expected KIND:TOPIC@MONTH"},
      {"grow:T3@6", "'grow:T3@6': unknown kind 'grow'"},
      {"born:T99@6", "'born:T99@6': topic T99 is not T1..T30"},
      {"born:nothing@6", "unknown topic 'nothing'"},
      {"fade:T1@13", "'fade:T1@13': month 13 is outside 1..12"},
      {"fade:T1@x", "month 'x'"},
      {"burst:T1@3:2", "size '2' is not a number between 0 and 1"},
      {"split:T2@4:0.5", "only fade and burst take a size"},
      {"merge:T1@4", "a merge names two topics"},
      {"merge:T1+T1@4", "cannot merge with itself"},
      {"return:T2@5", "a return names the months away"},
      {"return:T2@5-3", "the months away must be"},
      {"return:T2@5-12", "the months away must be"},
      {"born:T1@3,fade:T1@5", "'fade:T1@5': topic delivery_delay is in an earlier event"},
      {"born:T1@1", "month 1 has nothing before it"},
      {"born:T3@6,,fade:T1@9", "empty event"},
  };
  for (const auto& [spec, want] : cases)
    EXPECT_NE(parse_error(spec).find(want), std::string::npos)
        << spec << " gave: " << parse_error(spec);
}

TEST(Scenario, SameSeedGivesTheSameVoices) {
  scenario_generator a(5, 4, parse_events("split:T2@2,burst:T6@3", 4));
  scenario_generator b(5, 4, parse_events("split:T2@2,burst:T6@3", 4));
  scenario_generator other(6, 4, parse_events("split:T2@2,burst:T6@3", 4));
  std::size_t differ = 0;
  for (std::size_t m = 0; m < 4; ++m) {
    const auto va = a.month_voices(m, 300), vb = b.month_voices(m, 300);
    const auto vo = other.month_voices(m, 300);
    for (std::size_t i = 0; i < va.size(); ++i) {
      EXPECT_EQ(va[i].text, vb[i].text);
      EXPECT_EQ(va[i].unit, vb[i].unit);
      EXPECT_EQ(va[i].created_at, vb[i].created_at);
      EXPECT_EQ(va[i].rating, vb[i].rating);
      differ += va[i].text != vo[i].text ? 1 : 0;
    }
  }
  EXPECT_GT(differ, 1000U);
}

TEST(Scenario, CreatedAtFallsInItsMonthInOrder) {
  scenario_generator g(1, 14, {}, 2025, 11);
  EXPECT_EQ(g.month(0), "2025-11");
  EXPECT_EQ(g.month(3), "2026-02");
  EXPECT_EQ(g.month(13), "2026-12");
  for (std::size_t m = 0; m < 14; ++m) {
    const auto vs = g.month_voices(m, 200);
    ASSERT_EQ(vs.size(), 200U);
    for (std::size_t i = 0; i < vs.size(); ++i) {
      EXPECT_EQ(vs[i].created_at.substr(0, 7), g.month(m));
      if (i) {
        EXPECT_LE(vs[i - 1].created_at, vs[i].created_at);
      }
    }
    // 2026-02 has 28 days.
    if (g.month(m) == "2026-02") {
      for (const auto& v : vs)
        EXPECT_LE(v.created_at.substr(8, 2), "28");
    }
  }
}

TEST(Scenario, EachEventShowsInTheMonthlyCounts) {
  scenario_generator g(1, 12, parse_events(full_spec, 12));
  const monthly_counts c = count(g, 5000);
  // born:T3@6 (freshness): none before June, a steady share from June on.
  for (std::size_t m = 0; m < 12; ++m) {
    if (m < 5) {
      EXPECT_EQ(c.at("freshness", m), 0U) << m;
    } else {
      EXPECT_GT(c.share("freshness", m), 0.02) << m;
    }
  }
  // fade:T1@9 (delivery_delay): a quarter of its share from September.
  double before = 0, after = 0;
  for (std::size_t m = 0; m < 8; ++m)
    before += c.share("delivery_delay", m) / 8;
  for (std::size_t m = 8; m < 12; ++m)
    after += c.share("delivery_delay", m) / 4;
  EXPECT_NEAR(after / before, 0.25, 0.06);
  // split:T2@7 (app_slow): the parent until June, its two parts from July, about half each.
  for (std::size_t m = 0; m < 12; ++m) {
    const bool split = m >= 6;
    EXPECT_EQ(c.at("app_slow", m) > 0, !split) << m;
    EXPECT_EQ(c.at("app_slow_a", m) > 0, split) << m;
    EXPECT_EQ(c.at("app_slow_b", m) > 0, split) << m;
    if (split) {
      EXPECT_NEAR(c.share("app_slow_a", m), c.share("app_slow_b", m), 0.015) << m;
    }
  }
  // merge:T4+T5@8 (praise, payment_error): one topic from August with both shares.
  for (std::size_t m = 0; m < 12; ++m) {
    const bool merged = m >= 7;
    EXPECT_EQ(c.at("praise", m) > 0, !merged) << m;
    EXPECT_EQ(c.at("payment_error", m) > 0, !merged) << m;
    EXPECT_EQ(c.at("praise+payment_error", m) > 0, merged) << m;
  }
  EXPECT_NEAR(c.share("praise+payment_error", 8),
              c.share("praise", 0) + c.share("payment_error", 0), 0.02);
  // burst:T6@11:0.02 (shipping_fee): two points more in November, the usual share around it.
  std::vector<double> others;
  for (std::size_t m = 0; m < 12; ++m)
    if (m != 10) others.push_back(c.share("shipping_fee", m));
  std::sort(others.begin(), others.end());
  const double median = (others[5] + others[6]) / 2;
  EXPECT_NEAR(c.share("shipping_fee", 10) - median, 0.02, 0.008);
  // return:T7@4-8 (login): away April to August, back in September.
  for (std::size_t m = 0; m < 12; ++m)
    EXPECT_EQ(c.at("login", m) == 0, m >= 3 && m <= 7) << m;
  // Nothing is lost: every voice is counted in its month.
  EXPECT_EQ(std::accumulate(c.total.begin(), c.total.end(), std::size_t{0}), 60000U);
}

TEST(Scenario, SplitPartsShareTheParentsFirstNounButDifferOtherwise) {
  scenario_generator g(2, 2, parse_events("split:T9@2", 2));
  std::map<std::string, std::size_t> with_first, voices;
  const auto vs = g.month_voices(1, 20000);
  for (const auto& v : vs) {
    const std::string& label = g.units()[v.unit].slug;
    ++voices[label];
    if (v.text.find("アプリ") != std::string::npos) ++with_first[label];
  }
  // T9 is app_crash, whose first noun is アプリ; 強制終了 is one part's word only.
  ASSERT_GT(voices["app_crash_a"], 200U);
  ASSERT_GT(voices["app_crash_b"], 200U);
  EXPECT_GT(with_first["app_crash_a"], voices["app_crash_a"] / 4);
  EXPECT_GT(with_first["app_crash_b"], voices["app_crash_b"] / 4);
  std::size_t a = 0, b = 0;
  for (const auto& v : vs) {
    if (v.text.find("強制終了") == std::string::npos) continue;
    (g.units()[v.unit].slug == "app_crash_a" ? a : b) += 1;
  }
  EXPECT_GT(a + b, 20U);
  EXPECT_TRUE(a == 0 || b == 0 || std::max(a, b) > 5 * std::min(a, b)) << a << " " << b;
}

TEST(Scenario, EventsJsonDescribesEveryEvent) {
  scenario_generator g(1, 12, parse_events(full_spec, 12), 2026, 1);
  const auto j = nlohmann::json::parse(koe::bench::events_json(g, 2000, 1, full_spec));
  EXPECT_EQ(j["months"].size(), 12U);
  EXPECT_EQ(j["months"][0], "2026-01");
  ASSERT_EQ(j["events"].size(), 6U);
  const auto& e = j["events"];
  EXPECT_EQ(e[0]["kind"], "born");
  EXPECT_EQ(e[0]["topics"][0], "freshness");
  EXPECT_EQ(e[0]["month"], "2026-06");
  EXPECT_EQ(e[1]["kind"], "fade");
  EXPECT_LT(e[1]["expected"]["share_after"].get<double>(),
            e[1]["expected"]["share_before"].get<double>() / 3);
  EXPECT_EQ(e[2]["parent"], "app_slow");
  EXPECT_EQ(e[2]["topics"], (nlohmann::json{"app_slow_a", "app_slow_b"}));
  EXPECT_EQ(e[3]["into"], "praise+payment_error");
  EXPECT_NEAR(e[4]["expected"]["delta_pp"].get<double>(), 2.0, 0.3);
  EXPECT_EQ(e[5]["kind"], "return");
  EXPECT_EQ(e[5]["month"], "2026-09");
  EXPECT_EQ(e[5]["absent"], (nlohmann::json{"2026-04", "2026-08"}));
}
