/// The co-creation programme around the candidates: who owns each one (担当), where its decision
/// stands and for how long (stages), the three KPIs per period (participation, adoption rate,
/// satisfaction) and the next contact due to each contributor (follow-ups). docs/programme.md
/// explains each part; docs/scoring.md defines the KPIs.
#pragma once

#include <koe/decisions.hpp>
#include <koe/export.hpp>
#include <koe/score.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

struct score_options;  // score_config.hpp

// ---------------------------------------------------------------------------------------------
// Owners (担当)

/// One rule of an owner rules file: top terms that make a cluster this owner's.
struct KOE_EXPORT owner_rule {
  std::string owner;                  ///< Department, e.g. 物流.
  std::string role;                   ///< Role within it; may be empty.
  std::vector<std::string> terms;     ///< Exact terms.
  std::vector<std::string> patterns;  ///< Globs over the whole term (`glob_match`).
  std::string reason;
  std::size_t line = 0;  ///< Line of the rule in its file; 0 when not from a file.
};

/// A fixed owner for one cluster, keyed by its stable id (koe.toml `[[owners.override]]`).
struct KOE_EXPORT owner_override {
  int cluster = -1;
  std::string owner;
  std::string role;
  std::string reason;
};

/// Options of `assign_owners` (koe.toml `[owners]`).
struct KOE_EXPORT owner_options {
  std::vector<owner_rule> rules;  ///< Empty = every cluster is 担当未定.
  std::vector<owner_override> overrides;
  std::size_t top_terms = 10;  ///< How many of a cluster's top terms the rules look at.
};

/// Reads owner rules (TOML, `[[rule]]` tables with owner, role, terms, patterns, reason).
/// Throws `errc::invalid_config` naming the file, key and line.
[[nodiscard]] KOE_EXPORT std::vector<owner_rule> read_owner_rules(
    const std::filesystem::path& path);

/// The owner of a cluster from its top terms (the first `options.top_terms`): the owner whose
/// rules match most of them wins; a tie goes to the owner matching the better-ranked term.
/// No match: not assigned. Overrides are not applied here.
[[nodiscard]] KOE_EXPORT owner_signal owner_of(const std::vector<std::string>& top_terms,
                                               const owner_options& options);

/// Sets `owner` of every candidate: the override for its cluster id if any, else `owner_of`.
KOE_EXPORT void assign_owners(std::vector<candidate>& candidates, const owner_options& options);

// ---------------------------------------------------------------------------------------------
// Stages

/// Options of the stage views (koe.toml `[stages]`).
struct KOE_EXPORT stage_options {
  /// Extra words a decisions file may use for a stage, e.g. "in_review" → pending. The English
  /// and Japanese names of `decision_words` are always understood.
  std::map<std::string, decision_status> aliases;
  /// Days a decision may stay at a stage before it is flagged as stuck (停滞); 0 = never.
  std::int64_t pending_days = 30;
  std::int64_t adopted_days = 45;
  std::int64_t planned_days = 90;
  std::int64_t productized_days = 120;
};

/// Where one candidate's decision stands at the programme's date.
struct KOE_EXPORT stage_state {
  int cluster = -1;  ///< Stable cluster id.
  decision_status stage = decision_status::undecided;
  std::string since;       ///< Date of the row that moved it to `stage`; empty when unknown.
  std::int64_t days = -1;  ///< Days at `stage` on the programme's date; -1 when unknown.
  std::int64_t limit = 0;  ///< Days allowed at `stage` (`stage_options`); 0 = no limit.
  bool stuck = false;      ///< days > limit > 0.
  std::string adopted_on;  ///< Date it first reached 採用 or later; empty when it never did.
  /// One line for people: 「採用から 45 日、企画化待ち」, 「提供開始（2026-11-15）」, 「未決定」.
  std::string summary;
};

/// The stage state of `c` on the day `as_of` (a day ordinal, `period_of(..., period_unit::day)`;
/// none = days unknown).
[[nodiscard]] KOE_EXPORT stage_state stage_of(const candidate& c, std::optional<std::int64_t> as_of,
                                              const stage_options& options);

// ---------------------------------------------------------------------------------------------
// KPIs

/// A mean with its two-sided 95% t interval; `n` = 0 when there was nothing to average.
struct KOE_EXPORT mean_interval {
  std::size_t n = 0;
  double mean = 0;
  double low = 0;
  double high = 0;
};

/// The three KPIs of one period (or of the whole run: `period` = "all"). A signal the input
/// lacks is marked by its `has_*` flag and never drawn as zero.
struct KOE_EXPORT kpi_row {
  std::string period;
  std::size_t voices = 0;  ///< Kept voices of the period.
  // Participation
  bool has_contributors = false;
  std::size_t contributors = 0;            ///< Distinct contributors of the period.
  std::size_t new_contributors = 0;        ///< Of them, first seen in this period.
  std::size_t returning_contributors = 0;  ///< Of them, seen in an earlier period.
  double voices_per_contributor = 0;       ///< Voices with a contributor / contributors.
  // Adoption
  std::size_t clusters = 0;          ///< Clusters with a voice in the period.
  std::size_t adopted_clusters = 0;  ///< Of them, at 採用 or later on the programme's date.
  std::size_t adopted_voices = 0;    ///< The period's clustered voices in those clusters.
  double cluster_adoption_rate = 0;
  double voice_adoption_rate = 0;  ///< adopted_voices / the period's kept voices.
  /// Median days from a cluster's first voice of the period to its adoption date, over the
  /// period's adopted clusters with a dated adoption; none when there is none.
  std::optional<double> median_days_to_adoption;
  // Satisfaction
  bool has_rating = false;
  mean_interval rating;            ///< Every rated voice of the period.
  mean_interval heard_rating;      ///< Voices of contributors whose voice fed an adopted change.
  mean_interval other_rating;      ///< Voices of the other contributors.
  std::vector<std::string> notes;  ///< Why a KPI is missing (Japanese).
};

// ---------------------------------------------------------------------------------------------
// Follow-ups

/// One contact a team made, as the contact log (contacts.csv) records it.
struct KOE_EXPORT contact {
  std::string contributor;
  int cluster = -1;
  decision_status stage = decision_status::undecided;  ///< The stage the message told.
  /// A progress note (stage `progress` in the log): it told no new stage; `stage` is undecided.
  bool progress = false;
  std::string date;      ///< "YYYY-MM-DD".
  std::size_t line = 0;  ///< Line in the contact log; 0 when not from a file.
};

/// Options of the follow-up plan (koe.toml `[followup]`).
struct KOE_EXPORT followup_options {
  std::int64_t after_stage_change_days = 14;  ///< Next contact: this long after a stage change,
  std::int64_t without_change_days = 30;      ///< or this long after the last contact without one.
  /// Draft per stage the message tells (keys: pending, adopted, planned, productized, launched,
  /// rejected, progress). Placeholders as `reply_options` plus {stage} (the stage told, in
  /// Japanese), {date} (the day the cluster reached it) and {days} (days since). A key left out
  /// uses its default.
  std::map<std::string, std::string> templates = {
      {"pending", "ご意見『{voice}』を受けて、『{label}』について検討を始めました。"},
      {"adopted", "『{label}』についてのご意見をもとに、採用が決まりました。"},
      {"planned", "『{label}』の改善は企画の段階に進みました。形が決まり次第お知らせします。"},
      {"productized", "『{label}』の改善は商品化の段階に進み、いま形にしています。"},
      {"launched",
       "{date}から『{label}』の改善を提供開始しました。あなたの意見でここが変わりました。"},
      {"rejected",
       "『{label}』についてのご意見を検討しましたが、今回は見送りとなりました。{reason}"},
      {"progress", "『{label}』は現在{stage}です（{days} 日）。進み次第お知らせします。"},
  };
};

/// The keys of `followup_options::templates`, in stage order, then progress.
inline constexpr std::array<std::string_view, 7> followup_template_keys = {
    "pending", "adopted", "planned", "productized", "launched", "rejected", "progress"};

/// One contributor with an open thread: what to tell them next, and when.
struct KOE_EXPORT followup {
  std::string contributor;
  std::vector<std::string> voices;  ///< Ids of their voices in `cluster`.
  int cluster = -1;
  std::string label;
  decision_status stage = decision_status::undecided;  ///< The stage to tell them about.
  std::string stage_since;
  std::string last_contact;  ///< Empty when never contacted on this cluster.
  std::string next_contact;  ///< The date the rule gives.
  bool progress = false;     ///< A progress note (no stage change since the last contact).
  std::string draft;
  std::vector<int> other_clusters;  ///< Their other open threads, by id.
};

/// Reads a contact log: UTF-8 CSV with a header naming contributor, cluster, stage and date.
/// Throws `errc::invalid_config` naming the file and line.
[[nodiscard]] KOE_EXPORT std::vector<contact> read_contacts(const std::filesystem::path& path,
                                                            const stage_options& stages = {});
/// The same from a stream; `name` is used in messages.
[[nodiscard]] KOE_EXPORT std::vector<contact> read_contacts(std::istream& in,
                                                            const std::string& name,
                                                            const stage_options& stages = {});

/// The day `days` after the date `date` ("2028-02-15" + 14 = "2028-02-29"); empty when `date`
/// holds no date.
[[nodiscard]] KOE_EXPORT std::string add_days(std::string_view date, std::int64_t days);

// ---------------------------------------------------------------------------------------------
// The whole programme view

/// Everything the programme views show, for owners.csv, kpis.csv, followups.csv, the report's
/// first screen and 担当別 section, and candidates.json.
struct KOE_EXPORT programme_result {
  std::string as_of;                ///< The programme's date ("YYYY-MM-DD"); empty when unknown.
  std::vector<stage_state> stages;  ///< One per candidate, in candidate order.
  std::vector<kpi_row> kpis;        ///< One per period, oldest first, then "all".
  bool has_contributors = false;    ///< followups.csv is written only then.
  std::vector<followup> followups;  ///< By next contact date, then contributor.
  std::vector<std::string> notes;   ///< Signals that were missing (Japanese).
};

/**
 * The programme views of a scored run. `candidates` must have their decisions applied (and
 * `assign_owners` run); `as_of` is the programme's date ("" = the latest of the voices' dates,
 * the decisions' and the contacts' dates). Deterministic.
 */
[[nodiscard]] KOE_EXPORT programme_result
analyze_programme(const score_input& in, const std::vector<candidate>& candidates,
                  const std::vector<contact>& contacts, const score_options& options,
                  const std::string& as_of = {});

/// owners.csv: one row per candidate, grouped by owner (担当未定 last).
KOE_EXPORT void write_owners_csv(std::ostream& out, const std::vector<candidate>& candidates,
                                 const programme_result& p);
/// kpis.csv: one row per period, then "all".
KOE_EXPORT void write_kpis_csv(std::ostream& out, const programme_result& p);
/// followups.csv: one row per contributor with an open thread.
KOE_EXPORT void write_followups_csv(std::ostream& out, const programme_result& p);

}  // namespace koe
