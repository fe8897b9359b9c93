/// Scoring configuration: every part's options together, read from a koe.toml (toml++), and the
/// bundled severity lexicon and difficulty rules.
#pragma once

#include <koe/decisions.hpp>
#include <koe/export.hpp>
#include <koe/lineage.hpp>
#include <koe/programme.hpp>
#include <koe/score.hpp>
#include <koe/trace.hpp>
#include <koe/trends.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

/// Everything scoring reads; load it from TOML with `load_score_config`.
struct KOE_EXPORT score_options {
  frequency_options frequency;
  impact_options impact;
  difficulty_options difficulty;
  adoption_options adoption;
  decision_options decisions;
  reply_options reply;
  /// Trends and alerts (`[alerts]`); `trends.period` follows `[frequency] period` unless
  /// `--period` names another (docs/trends.md).
  trend_options trends;
  /// True when the configuration named `[frequency] period`: then `--period` leaves the growth
  /// score's period alone.
  bool frequency_period_given = false;
  /// Thresholds of the lineage rules of a refit (`[lineage]`); the job gives them to
  /// `pipeline_options::lineage`.
  lineage_options lineage;
  /// Owner rules (data/owner-rules.toml, `[data] owner_rules`) and overrides (`[owners]`).
  owner_options owners;
  stage_options stages;       ///< Stage aliases and days before a stage is stuck (`[stages]`).
  followup_options followup;  ///< Next-contact rule and drafts per stage (`[followup]`).
};

/// Reads a severity lexicon (term<TAB>weight, # comments). Throws naming the file and line.
[[nodiscard]] KOE_EXPORT std::vector<severity_entry> read_severity_lexicon(
    const std::filesystem::path& path);

/// Reads difficulty rules (TOML, `[[rule]]` tables). Throws naming the file, key and line.
[[nodiscard]] KOE_EXPORT std::vector<difficulty_rule> read_difficulty_rules(
    const std::filesystem::path& path);

/// Defaults plus the bundled lexicon and rules from `data_directory()`; throws `io_failure` when
/// the bundled data cannot be found.
[[nodiscard]] KOE_EXPORT score_options default_score_options();

/**
 * Reads a koe.toml (see docs/scoring.md). Keys left out keep their defaults; the lexicon and
 * rules are the bundled ones unless the file names others (paths relative to the file). An
 * unknown key or a bad value throws `errc::invalid_config` naming the key and the line.
 *
 * **Example**
 * ```cpp
 * koe::score_options o = koe::load_score_config("koe.toml");
 * ```
 */
[[nodiscard]] KOE_EXPORT score_options load_score_config(const std::filesystem::path& path);

/// The same from TOML text; `name` is used in messages, `base_dir` resolves relative paths.
[[nodiscard]] KOE_EXPORT score_options parse_score_config(
    std::string_view toml, const std::string& name, const std::filesystem::path& base_dir = {});

/// The lexicon entries of `options` that scoring looks for in the text itself (those of
/// `surface_min_chars` characters or more), once each: give them to `pipeline_options::phrases`
/// so that they are found while the texts are at hand.
[[nodiscard]] KOE_EXPORT std::vector<std::string> surface_phrases(const score_options& options);

}  // namespace koe
