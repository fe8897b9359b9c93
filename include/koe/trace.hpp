/// The per-voice trace: what became of every input record, with a reply draft for each one
/// that has a contributor.
#pragma once

#include <koe/decisions.hpp>
#include <koe/export.hpp>
#include <koe/score.hpp>
#include <koe/text_column.hpp>
#include <koe/types.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

/**
 * Reply drafts for contributors. Placeholders: {voice} (the voice, shortened), {label},
 * {count} (voices in the cluster), {decision} (a word below), {reason} (the decision's reason, or
 * the latest one of its history), {id}, {effect} (the cluster's share before and after an adopted
 * decision's date, see `decision_effect`; empty when there is none); `{{` and `}}` are literal
 * braces.
 */
struct KOE_EXPORT reply_options {
  /// Used for a cluster at 採用 or a later stage (企画化, 商品化, 提供開始), or at 見送り.
  std::string decided_template =
      "ご意見『{voice}』は『{label}』についての声 {count} "
      "件とともに検討し、{decision}となりました。{reason}";
  /// Used while a cluster is pending or undecided.
  std::string pending_template =
      "ご意見『{voice}』は『{label}』についての声 {count} 件とともに、現在{decision}です。";
  /// Used for voices that joined no cluster (noise).
  std::string unclustered_template =
      "ご意見『{voice}』をお寄せいただき、ありがとうございます。担当者が個別に確認いたします。";
  std::size_t voice_chars = 40;  ///< {voice} is cut to this many characters, with "…".
  std::string adopted{word_of(decision_status::adopted).japanese};
  std::string rejected{word_of(decision_status::rejected).japanese};
  std::string pending{word_of(decision_status::pending).japanese};
  std::string planned{word_of(decision_status::planned).japanese};
  std::string productized{word_of(decision_status::productized).japanese};
  std::string launched{word_of(decision_status::launched).japanese};
};

/// What became of one input record (12 bytes, so that a trace of millions stays small).
struct KOE_EXPORT trace_row {
  record_status status = record_status::kept;
  bool clustered = false;  ///< False for noise, empty and rejected records.
  decision_status decision = decision_status::undecided;
  std::int32_t cluster = -1;
  std::uint32_t rank = 0;  ///< Rank of the candidate fed (`candidates[rank - 1]`); 0 when none.
};

/// What became of every input record, in input order: row `i` is about
/// `score_input::records->documents[i]` (its id is there), and `replies[i]` is its reply draft.
struct KOE_EXPORT trace_table {
  std::vector<trace_row> rows;
  text_column replies;  ///< Empty for a record with no contributor to reply to.

  [[nodiscard]] std::size_t size() const noexcept { return rows.size(); }
  [[nodiscard]] bool empty() const noexcept { return rows.empty(); }
  [[nodiscard]] const trace_row& operator[](std::size_t i) const noexcept { return rows[i]; }
  [[nodiscard]] auto begin() const noexcept { return rows.begin(); }
  [[nodiscard]] auto end() const noexcept { return rows.end(); }
};

/// One trace row per input record, with reply drafts for records that have a contributor
/// (the column `options.frequency.contributor_column`), drafted with `options.reply`.
[[nodiscard]] KOE_EXPORT trace_table trace(const score_input& in,
                                           const std::vector<candidate>& candidates,
                                           const score_options& options);

/// Fills `template_text` for one voice; throws `errc::invalid_config` on an unknown placeholder.
[[nodiscard]] KOE_EXPORT std::string fill_reply(std::string_view template_text,
                                                const std::map<std::string, std::string>& values);

}  // namespace koe
