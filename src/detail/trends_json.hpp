// The trend fields of clusters.json and candidates.json, written by report_trends.cpp beside
// trends.csv and alerts.json so that every file reads the same figures.
#pragma once

#include <koe/trends.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace koe::detail {

/// A series as clusters.json's `trend`: one {period, count, total, share, low, high} per period.
[[nodiscard]] nlohmann::ordered_json trend_json(const trend_result& t, const trend_series& s);

/// clusters.json's top-level `trends`: the period, its labels and totals, the voices with no
/// time, and the noise (and new-theme) series.
[[nodiscard]] nlohmann::ordered_json trends_summary_json(const trend_result& t);

/// One alert as alerts.json lists it (`koe cluster`'s and `koe trend`'s), under `label`.
[[nodiscard]] nlohmann::ordered_json alert_json(const trend_alert& a, const std::string& label);

/// candidates.json's `effect`: before and after the decision's date, the test and the sentence.
[[nodiscard]] nlohmann::ordered_json effect_json(const decision_effect& e);

}  // namespace koe::detail
