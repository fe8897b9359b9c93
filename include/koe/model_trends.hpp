/// Trends across a chain of models: each fit of a month (a refit of the previous one) gives its
/// period's point of every cluster, keyed by stable id, with the past of merged clusters and split
/// parts rolled up from their parents (`koe trend`, docs/trends.md "Across models: koe trend").
#pragma once

#include <koe/export.hpp>
#include <koe/model.hpp>
#include <koe/output_set.hpp>
#include <koe/trends.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace koe {

/// What a cluster was at one fit of the chain.
enum class chain_status : std::uint8_t {
  active,   ///< In the fit's cluster table: its count is its size at that fit.
  dormant,  ///< Kept dormant by that fit: it took no voice.
  unborn,   ///< Not in that fit at all (born later).
};

/// "active", "dormant" or "unborn", as trends.csv of `koe trend` writes it.
[[nodiscard]] KOE_EXPORT const char* to_string(chain_status status) noexcept;

/// A cluster's (or noise's) extra facts per period, beside its `trend_series` point.
struct KOE_EXPORT chain_point {
  chain_status status = chain_status::unborn;
  /// The count is not the cluster's own: it is the sum of its parents' counts, for a period
  /// before the merge or split that made it (docs/trends.md).
  bool rolled_up = false;
  /// The cluster's own voices at the fit: its size when active, else 0. Unlike the count, own
  /// counts and noise always add up to the fit's kept voices.
  std::size_t own = 0;

  friend bool operator==(const chain_point&, const chain_point&) = default;
};

/// A series' identity in the chain: its label at the latest fit that had it, and its lineage.
struct KOE_EXPORT chain_cluster {
  std::int32_t id = 0;  ///< Stable id, or `trend_noise`.
  std::string label;
  std::string born;
  std::vector<int> parents;         ///< As the latest fit that had it records them.
  std::vector<chain_point> points;  ///< One per fit, as the series' points.
};

/**
 * Series across a chain of models. `trends` holds the series as one-file trends do (period
 * labels = each fit's `model::period`, totals = each fit's kept voices, one series per stable id
 * by id, then noise, and the alerts), so the same writers and tests apply; `clusters` holds, in
 * the same order, each series' status and roll-up flags.
 */
struct KOE_EXPORT chain_trends {
  trend_result trends;
  std::vector<chain_cluster> clusters;
  std::vector<std::size_t> clustered;  ///< Voices in some cluster at each fit (totals − noise).
};

/**
 * The series of a chain of models, oldest first (`names[i]` names `chain[i]` in errors, e.g. its
 * file). Checks the chain: at least one model, every one fitted, `fits` strictly increasing,
 * periods distinct (and increasing where both are months), the same dictionary identity,
 * normalization and tokenizer options; throws `koe::error` (`invalid_argument`,
 * `dictionary_mismatch`, or `invalid_model` for a cluster table that holds more voices than the
 * fit kept) naming the file. Each fit gives its own period's point: an active cluster's size,
 * 0 for a dormant or unborn one, the sum of the parents' counts before a merge or split (see
 * `chain_point::rolled_up`). Alerts are `find_alerts` with `options`.
 *
 * **Example**
 * ```cpp
 * std::vector<koe::model> chain = {koe::load_model("jan/model.koe"),
 *                                  koe::load_model("feb/model.koe")};
 * koe::chain_trends t = koe::model_trends(chain, {"jan/model.koe", "feb/model.koe"}, {});
 * for (const auto& a : t.trends.alerts) std::cout << a.reason << '\n';
 * ```
 */
[[nodiscard]] KOE_EXPORT chain_trends model_trends(std::span<const model> chain,
                                                   std::span<const std::string> names,
                                                   const trend_options& options);

/// `model_trends` of model files, loaded in order (names = the paths as given).
[[nodiscard]] KOE_EXPORT chain_trends
model_trends_of_files(std::span<const std::filesystem::path> files, const trend_options& options);

/// trends.csv of `koe trend`: period,cluster,count,share,low,high,status,rolled_up,own; one row per
/// series and fit, series in id order then noise.
KOE_EXPORT void write_chain_trends_csv(std::ostream& out, const chain_trends& t);

/// alerts.json of `koe trend`: the test's settings and one entry per alert (as one-file alerts).
KOE_EXPORT void write_chain_alerts_json(std::ostream& out, const chain_trends& t);

/// trend.html of `koe trend`: a Japanese page with one trend line (inline SVG) per cluster.
KOE_EXPORT void write_chain_trend_html(std::ostream& out, const chain_trends& t);

/// Writes trends.csv, alerts.json, trend.html and, last, manifest.json into `dir` (created when
/// missing); `koe verify dir` accepts it.
KOE_EXPORT output_manifest write_chain_trend_outputs(const std::filesystem::path& dir,
                                                     const chain_trends& t);

}  // namespace koe
