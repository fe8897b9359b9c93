/// Every option of a job, described once: its names on the command line and in Python, its type,
/// help and checks, and where it lives in the option structs. The front ends are built from this
/// list, and clusters.json records the options through it.
#pragma once

#include <koe/assign.hpp>
#include <koe/export.hpp>
#include <koe/pipeline.hpp>
#include <koe/score.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace koe {

/// A whole job's options: the pipeline's, and where scoring reads its settings.
struct KOE_EXPORT job_options {
  pipeline_options pipeline;
  std::string config;           ///< Scoring configuration (koe.toml); empty = built-in weights.
  std::string decisions;        ///< Decisions CSV file; empty = none.
  std::string decisions_csv;    ///< Decisions as CSV text, used when `decisions` is empty.
  std::size_t report_top = 5;   ///< Candidates shown in detail in report.html and the table.
  std::string model;            ///< `koe assign`: the model file to assign to.
  new_theme_options new_theme;  ///< `koe assign`: how voices far from every cluster are told.
  bool allow_dictionary_change = false;  ///< `koe assign`: assign despite another dictionary.
  /// Length of the trend periods (`--period`); none = koe.toml's `[frequency] period`. Also the
  /// growth score's period where koe.toml names none.
  std::optional<period_unit> period;
  /// Contact log (contributor,cluster,stage,date) the follow-up plan reads; empty = none.
  std::string contacts;
  /// The programme's date (YYYY-MM-DD) for days-in-stage and follow-ups; empty = the latest date
  /// of the voices, the decisions and the contacts.
  std::string as_of;
  /// Keep the texts and term rows in temporary files between the stages that read them
  /// (`pipeline_options::spill`); false keeps them in memory. Never changes a result.
  bool spill = true;
};

/// An option's value as a front end holds it: none (Python's None), a flag, an integer, a real
/// number, a text or a list of texts.
using option_value = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double,
                                  std::string, std::vector<std::string>>;

/// What an option is read as on the command line.
enum class option_kind {
  flag,       ///< Present or not (Python: True or False).
  number,     ///< A number, or a word where the option allows one (-k auto).
  text,       ///< Any text.
  choice,     ///< One of `option_descriptor::choices`.
  text_list,  ///< Repeatable (Python: a str or a list of str).
};

/// Which part of a job an option belongs to, and so which commands and functions take it.
enum class option_scope {
  read,      ///< The reader: `koe tokenize`, `koe cluster`, Python's `read_voices`.
  text,      ///< Normalizing and tokenizing: both commands, `koe.tokenize`, `koe.Pipeline`.
  model,     ///< Vectorizing, clustering, describing: `koe cluster`, `koe.Pipeline`.
  scoring,   ///< Scoring and outputs: `koe cluster`, `koe assign`, `koe.Pipeline`.
  assign,    ///< Assigning to a saved model: `koe assign` only.
  recorded,  ///< Not settable from a front end; recorded in clusters.json only.
};

/// How an option is named in messages.
enum class option_surface {
  python,  ///< Its Python keyword (`seed_sample`).
  cli,     ///< Its command-line spelling (`--seed-sample`).
};

/// One option.
struct KOE_EXPORT option_descriptor {
  std::string_view python;      ///< Python keyword; empty for recorded-only options.
  std::string_view cli;         ///< Command-line spelling (`--seed-sample`); empty = none.
  std::string_view json_group;  ///< Object of clusters.json's "options" holding it; "" = top.
  std::string_view json_key;    ///< Key in clusters.json; empty = not recorded.
  option_scope scope = option_scope::model;
  option_kind kind = option_kind::number;
  std::string_view help;
  std::vector<std::string_view> choices;  ///< The allowed values of a choice.
  /// A flag written `--no-...` on the command line: giving it sets the option off.
  bool cli_negated = false;
  /// In Python, None stands for the default (and the default reads as None).
  bool none_is_default = false;
  /// The current value (none when `none_is_default` and the value is the default, for Python).
  std::function<option_value(const job_options&)> get;
  /// Checks and stores a value; `name` is how messages call the option. Throws `koe::error`
  /// (`errc::invalid_argument`) with a message naming the option and the value.
  std::function<void(job_options&, const option_value&, const std::string& name)> set;
};

/// Every option, in the order clusters.json records them.
[[nodiscard]] KOE_EXPORT const std::vector<option_descriptor>& option_descriptors();

/// The option with this Python keyword or command-line spelling; nullptr when none.
[[nodiscard]] KOE_EXPORT const option_descriptor* find_option(std::string_view name);

/// How `surface` names `d` in messages.
[[nodiscard]] KOE_EXPORT std::string option_name(const option_descriptor& d,
                                                 option_surface surface);

/// The value of `d` in `o`; for Python, none where None stands for the value.
[[nodiscard]] KOE_EXPORT option_value get_option(const job_options& o, const option_descriptor& d,
                                                 option_surface surface);

/// Checks `value` and stores it in `o`. From Python, none sets the default where None stands
/// for it. From the command line, texts are read as the option's type ("8", "0.5", "auto").
KOE_EXPORT void set_option(job_options& o, const option_descriptor& d, const option_value& value,
                           option_surface surface);

/// The value as text: as the command line writes it, or as Python's repr() does.
[[nodiscard]] KOE_EXPORT std::string option_text(const option_value& value, option_surface surface);

/// The LSA settings a run with `o` reduces with (dimensions and seed).
[[nodiscard]] KOE_EXPORT lsa_options lsa_options_of(const pipeline_options& o);

}  // namespace koe
