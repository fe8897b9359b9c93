#include <koe/error.hpp>
#include <koe/options.hpp>

#include "detail/options_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

namespace koe {
namespace {

// A field of `job_options`, for const and non-const access alike.
#define KOE_FIELD(path)  \
  [](auto& o) -> auto& { \
    return o.path;       \
  }

using setter = std::function<void(job_options&, const option_value&, const std::string&)>;

[[noreturn]] void reject(const std::string& name, const std::string& expected,
                         const option_value& v) {
  throw error(errc::invalid_argument,
              name + " must be " + expected + ", not " + option_text(v, option_surface::python));
}

option_descriptor named(std::string_view python, std::string_view cli, std::string_view group,
                        std::string_view key, option_scope scope, std::string_view help) {
  option_descriptor d;
  d.python = python;
  d.cli = cli;
  d.json_group = group;
  d.json_key = key;
  d.scope = scope;
  d.help = help;
  return d;
}

// Recorded in clusters.json under its own name, settable from neither front end.
option_descriptor recorded(std::string_view group, std::string_view key) {
  return named("", "", group, key, option_scope::recorded, "");
}

template <class Field>
option_descriptor flag(option_descriptor d, Field field, bool cli_negated = false) {
  d.kind = option_kind::flag;
  d.cli_negated = cli_negated;
  d.get = [field](const job_options& o) { return option_value(field(o)); };
  d.set = [field](job_options& o, const option_value& v, const std::string& name) {
    const bool* b = std::get_if<bool>(&v);
    if (b == nullptr) reject(name, "True or False", v);
    field(o) = *b;
  };
  return d;
}

// An integer value in [lo, hi], or nothing when `v` holds none.
std::optional<std::int64_t> as_signed(const option_value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* u = std::get_if<std::uint64_t>(&v))
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(*u);
  return std::nullopt;
}

template <class Field>
option_descriptor integer(option_descriptor d, Field field, std::int64_t lo,
                          std::string expected = "") {
  using value_type = std::remove_cvref_t<decltype(field(std::declval<job_options&>()))>;
  if (expected.empty())
    expected = lo == 0 ? "a non-negative integer" : "an integer of at least " + std::to_string(lo);
  d.get = [field](const job_options& o) {
    if constexpr (std::is_unsigned_v<value_type>)
      return option_value(static_cast<std::uint64_t>(field(o)));
    else
      return option_value(static_cast<std::int64_t>(field(o)));
  };
  d.set = [field, lo, expected](job_options& o, const option_value& v, const std::string& name) {
    if constexpr (std::is_unsigned_v<value_type>) {
      if (const auto* u = std::get_if<std::uint64_t>(&v);
          u != nullptr && *u <= std::numeric_limits<value_type>::max()) {
        field(o) = static_cast<value_type>(*u);
        return;
      }
    }
    const auto i = as_signed(v);
    if (!i || *i < lo ||
        static_cast<std::uint64_t>(*i) >
            static_cast<std::uint64_t>(std::numeric_limits<value_type>::max()))
      reject(name, expected, v);
    field(o) = static_cast<value_type>(*i);
  };
  return d;
}

std::optional<double> as_real(const option_value& v) {
  if (const auto* x = std::get_if<double>(&v)) return *x;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v)) return static_cast<double>(*u);
  return std::nullopt;
}

template <class Field>
option_descriptor real(option_descriptor d, Field field, double lo, double hi,
                       const std::string& expected) {
  d.get = [field](const job_options& o) { return option_value(field(o)); };
  d.set = [field, lo, hi, expected](job_options& o, const option_value& v,
                                    const std::string& name) {
    const auto x = as_real(v);
    if (!x || !(*x >= lo && *x <= hi)) reject(name, expected, v);
    field(o) = *x;
  };
  return d;
}

template <class Field>
option_descriptor text(option_descriptor d, Field field) {
  d.kind = option_kind::text;
  d.none_is_default = true;
  d.get = [field](const job_options& o) { return option_value(field(o)); };
  d.set = [field](job_options& o, const option_value& v, const std::string& name) {
    const auto* s = std::get_if<std::string>(&v);
    if (s == nullptr) reject(name, "a str", v);
    field(o) = *s;
  };
  return d;
}

template <class Field>
option_descriptor text_list(option_descriptor d, Field field) {
  d.kind = option_kind::text_list;
  d.none_is_default = true;
  d.get = [field](const job_options& o) { return option_value(field(o)); };
  d.set = [field](job_options& o, const option_value& v, const std::string& name) {
    if (const auto* s = std::get_if<std::string>(&v))
      field(o) = {*s};
    else if (const auto* l = std::get_if<std::vector<std::string>>(&v))
      field(o) = *l;
    else
      reject(name, "a str or a list of str", v);
  };
  return d;
}

// A choice among names, each standing for a value of the field.
template <class Field, class T>
option_descriptor choice(option_descriptor d, Field field,
                         std::vector<std::pair<std::string_view, T>> names) {
  d.kind = option_kind::choice;
  std::string expected;
  for (std::size_t i = 0; i < names.size(); ++i) {
    d.choices.push_back(names[i].first);
    expected += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ");
    expected += "'" + std::string(names[i].first) + "'";
  }
  d.get = [field, names](const job_options& o) {
    for (const auto& [name, value] : names)
      if (field(o) == value) return option_value(std::string(name));
    return option_value(std::string(names.front().first));
  };
  d.set = [field, names, expected](job_options& o, const option_value& v, const std::string& name) {
    if (const auto* s = std::get_if<std::string>(&v))
      for (const auto& [word, value] : names)
        if (*s == word) {
          field(o) = value;
          return;
        }
    reject(name, expected, v);
  };
  return d;
}

option_descriptor cluster_count() {
  option_descriptor d = named("k", "-k", "cluster", "k", option_scope::model,
                              "Number of clusters, or 'auto' (best cosine silhouette)");
  d.get = [](const job_options& o) {
    const int k = o.pipeline.cluster.k;
    return k == 0 ? option_value(std::string("auto")) : option_value(std::int64_t{k});
  };
  d.set = [](job_options& o, const option_value& v, const std::string& name) {
    if (const auto* s = std::get_if<std::string>(&v); s != nullptr && *s == "auto") {
      o.pipeline.cluster.k = 0;
      return;
    }
    const auto i = as_signed(v);
    if (!i || *i <= 0 || *i > std::numeric_limits<int>::max())
      reject(name, "'auto' or a positive integer", v);
    o.pipeline.cluster.k = static_cast<int>(*i);
  };
  return d;
}

template <class Field>
option_descriptor df(option_descriptor d, Field field) {
  d.get = [field](const job_options& o) {
    const df_bound& b = field(o);
    return b.fraction ? option_value(b.value)
                      : option_value(static_cast<std::int64_t>(std::llround(b.value)));
  };
  d.set = [field](job_options& o, const option_value& v, const std::string& name) {
    if (const auto* x = std::get_if<double>(&v)) {
      if (!(*x >= 0.0 && *x <= 1.0))
        throw error(errc::invalid_argument, name + " " + option_text(v, option_surface::python) +
                                                " is a fraction of the documents above 1.0 "
                                                "or below 0");
      field(o) = df_bound{*x, true};
      return;
    }
    const auto i = as_signed(v);
    if (!i || *i < 0) reject(name, "an int (documents) or a float in [0, 1] (a fraction)", v);
    field(o) = df_bound{static_cast<double>(*i), false};
  };
  return d;
}

option_descriptor reduction() {
  option_descriptor d = named("reduce", "--reduce", "", "reduce", option_scope::model,
                              "Dimension reduction before clustering, e.g. lsa:100");
  d.kind = option_kind::text;
  d.none_is_default = true;
  d.get = [](const job_options& o) {
    const int n = o.pipeline.lsa_dimensions;
    return n > 0 ? option_value("lsa:" + std::to_string(n)) : option_value();
  };
  d.set = [](job_options& o, const option_value& v, const std::string& name) {
    if (std::holds_alternative<std::monostate>(v)) {
      o.pipeline.lsa_dimensions = 0;
      return;
    }
    std::optional<std::int64_t> n = as_signed(v);
    if (const auto* s = std::get_if<std::string>(&v); s != nullptr && s->rfind("lsa:", 0) == 0) {
      std::int64_t parsed = 0;
      const char* end = s->data() + s->size();
      const auto [p, ec] = std::from_chars(s->data() + 4, end, parsed);
      if (ec == std::errc() && p == end && s->size() > 4) n = parsed;
    }
    if (!n || *n <= 0 || *n > std::numeric_limits<int>::max())
      reject(name, "a positive int or 'lsa:N' (e.g. 'lsa:100')", v);
    o.pipeline.lsa_dimensions = static_cast<int>(*n);
  };
  return d;
}

std::vector<option_descriptor> read_options() {
  std::vector<option_descriptor> v;
  v.push_back(choice(named("format", "--format", "", "format", option_scope::read,
                           "Input format; auto picks it from the extension"),
                     KOE_FIELD(pipeline.io.format),
                     std::vector<std::pair<std::string_view, input_format>>(
                         input_format_names.begin(), input_format_names.end())));
  v.back().none_is_default = true;
  v.push_back(text(named("text_column", "--text-column", "", "text_column", option_scope::read,
                         "Column with the voice text: a name or a 1-based index (default: "
                         "'text', else the first column)"),
                   KOE_FIELD(pipeline.io.text_column)));
  v.push_back(text(named("id_column", "--id-column", "", "id_column", option_scope::read,
                         "Column with a record id (default: 'id' if present, else the record "
                         "number)"),
                   KOE_FIELD(pipeline.io.id_column)));
  v.push_back(text(named("time_column", "--time-column", "", "time_column", option_scope::read,
                         "Column with a timestamp (default: 'created_at' if present, else "
                         "'timestamp')"),
                   KOE_FIELD(pipeline.io.time_column)));
  v.push_back(
      choice(named("encoding", "--encoding", "", "encoding", option_scope::read,
                   "Input encoding; auto detects it with ICU"),
             KOE_FIELD(pipeline.io.encoding),
             std::vector<std::pair<std::string_view, std::string>>{{"utf-8", "utf-8"},
                                                                   {"shift_jis", "shift_jis"},
                                                                   {"cp932", "cp932"},
                                                                   {"euc-jp", "euc-jp"},
                                                                   {"auto", "auto"}}));
  v.push_back(choice(named("on_error", "--on-error", "", "on_error", option_scope::read,
                           "fail: stop at the first bad record; skip: reject it with a reason "
                           "and go on"),
                     KOE_FIELD(pipeline.io.errors),
                     std::vector<std::pair<std::string_view, on_error>>{{"fail", on_error::fail},
                                                                        {"skip", on_error::skip}}));
  v.push_back(integer(
      named("max_voice_bytes", "--max-voice-bytes", "", "max_voice_bytes", option_scope::read,
            "Longer voices are truncated (with a reason in the output); 0 = no "
            "limit"),
      KOE_FIELD(pipeline.io.max_voice_bytes), 0));
  return v;
}

std::vector<option_descriptor> normalize_options_list() {
  std::vector<option_descriptor> v;
  v.push_back(flag(recorded("normalize", "nfkc"), KOE_FIELD(pipeline.normalize.nfkc)));
  v.push_back(flag(recorded("normalize", "fold_case"), KOE_FIELD(pipeline.normalize.fold_case)));
  v.push_back(flag(recorded("normalize", "unify_long_vowels"),
                   KOE_FIELD(pipeline.normalize.unify_long_vowels)));
  v.push_back(flag(recorded("normalize", "collapse_repeats"),
                   KOE_FIELD(pipeline.normalize.collapse_repeats)));
  v.push_back(flag(recorded("normalize", "mask_urls"), KOE_FIELD(pipeline.normalize.mask_urls)));
  v.push_back(
      flag(recorded("normalize", "mask_emails"), KOE_FIELD(pipeline.normalize.mask_emails)));
  v.push_back(
      flag(recorded("normalize", "mask_phones"), KOE_FIELD(pipeline.normalize.mask_phones)));
  v.push_back(flag(named("remove_emoji", "--remove-emoji", "normalize", "remove_emoji",
                         option_scope::text, "Drop emoji while normalizing"),
                   KOE_FIELD(pipeline.normalize.remove_emoji)));
  v.push_back(flag(recorded("normalize", "trim"), KOE_FIELD(pipeline.normalize.trim)));
  return v;
}

std::vector<option_descriptor> tokenize_options_list() {
  const auto t = option_scope::text;
  std::vector<option_descriptor> v;
  v.push_back(text(named("dicdir", "--dicdir", "tokenize", "dicdir", t,
                         "MeCab dictionary directory (default: ipadic-utf8 first)"),
                   KOE_FIELD(pipeline.tokenize.dicdir)));
  v.push_back(text_list(named("userdic", "--userdic", "tokenize", "user_dictionaries", t,
                              "Compiled MeCab user dictionary (repeatable)"),
                        KOE_FIELD(pipeline.tokenize.user_dictionaries)));
  v.push_back(text_list(recorded("tokenize", "pos"), KOE_FIELD(pipeline.tokenize.pos)));
  v.push_back(text_list(recorded("tokenize", "drop_subclasses"),
                        KOE_FIELD(pipeline.tokenize.drop_subclasses)));
  v.push_back(choice(named("compounds", "--compounds", "tokenize", "compounds", t,
                           "Noun runs: off, join, or parts_and_join"),
                     KOE_FIELD(pipeline.tokenize.compounds),
                     std::vector<std::pair<std::string_view, compound_mode>>{
                         {"off", compound_mode::off},
                         {"join", compound_mode::join},
                         {"parts_and_join", compound_mode::parts_and_join}}));
  v.push_back(flag(named("join_negation", "--no-negation", "tokenize", "join_negation", t,
                         "Keep negation (ない) apart from its verb"),
                   KOE_FIELD(pipeline.tokenize.join_negation), true));
  v.push_back(flag(named("fold_numbers", "--no-fold-numbers", "tokenize", "fold_numbers", t,
                         "Keep numbers as they are instead of one term <数>"),
                   KOE_FIELD(pipeline.tokenize.fold_numbers), true));
  v.push_back(text_list(named("stopwords", "--stopwords", "tokenize", "stopword_files", t,
                              "Extra stop-word file, one term per line (repeatable)"),
                        KOE_FIELD(pipeline.tokenize.stopword_files)));
  v.push_back(flag(named("use_default_stopwords", "--no-default-stopwords", "tokenize",
                         "use_default_stopwords", t, "Do not load the bundled stop-word list"),
                   KOE_FIELD(pipeline.tokenize.use_default_stopwords), true));
  v.push_back(text_list(named("extra_stopwords", "--extra-stopwords", "tokenize", "extra_stopwords",
                              t, "Further stop words (repeatable)"),
                        KOE_FIELD(pipeline.tokenize.extra_stopwords)));
  return v;
}

std::vector<option_descriptor> vectorize_options_list() {
  const auto m = option_scope::model;
  std::vector<option_descriptor> v;
  v.push_back(df(named("min_df", "--min-df", "vectorize", "min_df", m,
                       "Drop terms in fewer documents (count, or fraction like 0.01)"),
                 KOE_FIELD(pipeline.vectorize.min_df)));
  v.push_back(df(named("max_df", "--max-df", "vectorize", "max_df", m,
                       "Drop terms in more documents (count, or fraction like 0.5)"),
                 KOE_FIELD(pipeline.vectorize.max_df)));
  v.push_back(integer(named("max_features", "--max-features", "vectorize", "max_features", m,
                            "Keep only the most frequent terms (0 = all)"),
                      KOE_FIELD(pipeline.vectorize.max_features), 0));
  v.back().none_is_default = true;
  v.push_back(
      flag(recorded("vectorize", "sublinear_tf"), KOE_FIELD(pipeline.vectorize.sublinear_tf)));
  v.push_back(flag(recorded("vectorize", "use_idf"), KOE_FIELD(pipeline.vectorize.use_idf)));
  v.push_back(flag(recorded("vectorize", "smooth_idf"), KOE_FIELD(pipeline.vectorize.smooth_idf)));
  v.push_back(flag(recorded("vectorize", "normalize"), KOE_FIELD(pipeline.vectorize.normalize)));
  v.push_back(reduction());
  return v;
}

std::vector<option_descriptor> cluster_options_list() {
  const auto m = option_scope::model;
  std::vector<option_descriptor> v;
  v.push_back(cluster_count());
  v.push_back(
      integer(named("k_min", "--k-min", "cluster", "k_min", m, "Smallest k tried by -k auto"),
              KOE_FIELD(pipeline.cluster.k_min), 1));
  v.push_back(
      integer(named("k_max", "--k-max", "cluster", "k_max", m, "Largest k tried by -k auto"),
              KOE_FIELD(pipeline.cluster.k_max), 1));
  v.push_back(integer(named("seed", "--seed", "cluster", "seed", m,
                            "Random seed; the same seed gives the same result"),
                      KOE_FIELD(pipeline.cluster.seed), 0, "an integer in [0, 2**64)"));
  v.push_back(integer(named("n_init", "--n-init", "cluster", "n_init", m,
                            "k-means restarts; the best objective wins"),
                      KOE_FIELD(pipeline.cluster.n_init), 1));
  v.push_back(integer(
      named("max_iter", "--max-iter", "cluster", "max_iter", m, "k-means iterations at most"),
      KOE_FIELD(pipeline.cluster.max_iter), 1));
  v.push_back(real(named("tol", "--tol", "cluster", "tol", m,
                         "Stop when the objective improves by less than this fraction"),
                   KOE_FIELD(pipeline.cluster.tol), 0.0, std::numeric_limits<double>::max(),
                   "a non-negative number"));
  v.push_back(real(named("min_similarity", "--min-similarity", "cluster", "min_similarity", m,
                         "Voices less similar than this to their cluster become noise"),
                   KOE_FIELD(pipeline.cluster.min_similarity), -1.0, 1.0, "a number in [-1, 1]"));
  v.push_back(integer(named("merge_factor", "--merge-factor", "cluster", "merge_factor", m,
                            "Over-cluster to this many times k, then merge the closest clusters "
                            "down to k"),
                      KOE_FIELD(pipeline.cluster.merge_factor), 1));
  v.push_back(integer(named("auto_sample", "--auto-sample", "cluster", "auto_sample", m,
                            "-k auto clusters at most this many voices (a fixed sample) per k"),
                      KOE_FIELD(pipeline.cluster.auto_sample), 1));
  v.push_back(integer(named("seed_sample", "--seed-sample", "cluster", "seed_sample", m,
                            "k-means++ seeding looks at this many voices, a fixed sample (0 = "
                            "all)"),
                      KOE_FIELD(pipeline.cluster.seed_sample), 0));
  v.push_back(
      integer(named("silhouette_sample", "--silhouette-sample", "cluster", "silhouette_sample", m,
                    "-k auto computes the silhouette on at most this many of those "
                    "voices"),
              KOE_FIELD(pipeline.cluster.silhouette_sample), 1));
  return v;
}

// --period: auto (koe.toml's [frequency] period, else month), week, month or quarter.
option_descriptor period() {
  option_descriptor d = named("period", "--period", "", "", option_scope::scoring,
                              "Length of the periods of trends.csv and alerts.json; auto: "
                              "koe.toml's [frequency] period, else month");
  d.kind = option_kind::choice;
  d.none_is_default = true;
  const std::vector<std::pair<std::string_view, period_unit>> names = {
      {"week", period_unit::week},
      {"month", period_unit::month},
      {"quarter", period_unit::quarter}};
  d.choices.push_back("auto");
  for (const auto& n : names)
    d.choices.push_back(n.first);
  d.get = [names](const job_options& o) {
    if (o.period)
      for (const auto& [word, unit] : names)
        if (unit == *o.period) return option_value(std::string(word));
    return option_value(std::string("auto"));
  };
  d.set = [names](job_options& o, const option_value& v, const std::string& name) {
    const auto* s = std::get_if<std::string>(&v);
    if (s != nullptr && *s == "auto") {
      o.period.reset();
      return;
    }
    if (s != nullptr)
      for (const auto& [word, unit] : names)
        if (*s == word) {
          o.period = unit;
          return;
        }
    reject(name, "'auto', 'week', 'month' or 'quarter'", v);
  };
  return d;
}

std::vector<option_descriptor> describe_and_job_options() {
  const auto m = option_scope::model;
  const auto s = option_scope::scoring;
  std::vector<option_descriptor> v;
  v.push_back(integer(
      named("top_terms", "--top-terms", "describe", "top_terms", m, "Terms listed per cluster"),
      KOE_FIELD(pipeline.describe.top_terms), 0));
  v.push_back(integer(named("label_terms", "--label-terms", "describe", "label_terms", m,
                            "Terms joined into a cluster's label"),
                      KOE_FIELD(pipeline.describe.label_terms), 0));
  v.push_back(integer(named("n_representatives", "--representatives", "describe", "representatives",
                            m, "Representative voices per cluster"),
                      KOE_FIELD(pipeline.describe.representatives), 0));
  v.push_back(integer(named("threads", "--threads", "", "", option_scope::text,
                            "Worker threads (0 = all cores); results never change"),
                      KOE_FIELD(pipeline.threads), 0,
                      "None (all cores) or a non-negative integer"));
  v.back().none_is_default = true;
  v.push_back(flag(named("spill", "--in-memory", "", "", s,
                         "Keep the texts and term rows in memory rather than in temporary files "
                         "(in TMPDIR) between the stages that read them; results never change"),
                   KOE_FIELD(spill), true));
  v.push_back(text(named("config", "--config", "", "", s,
                         "Scoring configuration (koe.toml); default: built-in weights with the "
                         "bundled severity lexicon and difficulty rules"),
                   KOE_FIELD(config)));
  v.push_back(text(named("decisions", "--decisions", "", "", s,
                         "Decisions CSV (key,decision,reason,date) carried to the matching "
                         "clusters"),
                   KOE_FIELD(decisions)));
  v.push_back(text(named("period_name", "--period-name", "", "", option_scope::model,
                         "Period label of this fit when the voices have no time column "
                         "(default: 'run N'); with one, the label is its last YYYY-MM"),
                   KOE_FIELD(pipeline.period_name)));
  v.push_back(text(named("contacts", "--contacts", "", "", s,
                         "Contact log CSV (contributor,cluster,stage,date): who was told which "
                         "stage, so that followups.csv never repeats one"),
                   KOE_FIELD(contacts)));
  v.push_back(text(named("as_of", "--as-of", "", "", s,
                         "The programme's date (YYYY-MM-DD) for days in a stage and follow-up "
                         "dates; default: the latest date of the voices, decisions and contacts"),
                   KOE_FIELD(as_of)));
  v.push_back(integer(named("report_top", "--top", "", "", s,
                            "Candidates shown in detail in report.html and on stdout"),
                      KOE_FIELD(report_top), 1));
  v.push_back(period());
  return v;
}

// --new-theme: 'auto', 'off' or a similarity in [-1, 1].
option_descriptor new_theme() {
  option_descriptor d = named("new_theme", "--new-theme", "", "", option_scope::assign,
                              "Voices less similar than this to their nearest cluster are new "
                              "themes: 'auto' (per cluster, from the fit), 'off', or a similarity");
  d.get = [](const job_options& o) {
    switch (o.new_theme.mode) {
      case new_theme_mode::off:
        return option_value(std::string("off"));
      case new_theme_mode::fixed:
        return option_value(o.new_theme.similarity);
      case new_theme_mode::automatic:
        break;
    }
    return option_value(std::string("auto"));
  };
  d.set = [](job_options& o, const option_value& v, const std::string& name) {
    if (const auto* s = std::get_if<std::string>(&v);
        s != nullptr && (*s == "auto" || *s == "off")) {
      o.new_theme.mode = *s == "auto" ? new_theme_mode::automatic : new_theme_mode::off;
      return;
    }
    const auto x = as_real(v);
    if (!x || !(*x >= -1.0 && *x <= 1.0)) reject(name, "'auto', 'off' or a number in [-1, 1]", v);
    o.new_theme.mode = new_theme_mode::fixed;
    o.new_theme.similarity = *x;
  };
  return d;
}

std::vector<option_descriptor> assign_options_list() {
  const auto a = option_scope::assign;
  std::vector<option_descriptor> v;
  v.push_back(text(named("model", "--model", "", "", a,
                         "Model file of a fit to assign to (OUTDIR/model.koe of koe cluster)"),
                   KOE_FIELD(model)));
  v.push_back(new_theme());
  v.push_back(integer(named("new_theme_percentile", "--new-theme-percentile", "", "", a,
                            "With --new-theme auto: a cluster's threshold is this percentile of "
                            "its voices' similarities at the fit"),
                      KOE_FIELD(new_theme.percentile), 0, "an integer in [0, 100]"));
  v.back().set = [within = v.back().set](job_options& o, const option_value& x,
                                         const std::string& name) {
    job_options checked = o;
    within(checked, x, name);
    if (checked.new_theme.percentile > 100) reject(name, "an integer in [0, 100]", x);
    o = std::move(checked);
  };
  v.push_back(real(named("new_theme_floor", "--new-theme-floor", "", "", a,
                         "With --new-theme auto: the least threshold of any cluster"),
                   KOE_FIELD(new_theme.floor), -1.0, 1.0, "a number in [-1, 1]"));
  v.push_back(flag(named("allow_dictionary_change", "--allow-dictionary-change", "", "", a,
                         "Assign even when the MeCab dictionary differs from the model's"),
                   KOE_FIELD(allow_dictionary_change)));
  return v;
}

std::vector<option_descriptor> every_option() {
  std::vector<option_descriptor> all;
  for (auto&& part :
       {read_options(), normalize_options_list(), tokenize_options_list(), vectorize_options_list(),
        cluster_options_list(), describe_and_job_options(), assign_options_list()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

#undef KOE_FIELD

// A command-line text read as a number where it is one: "8" → 8, "0.5" → 0.5; else as is.
option_value from_text(const std::string& s) {
  const char* end = s.data() + s.size();
  std::int64_t i = 0;
  if (auto [p, ec] = std::from_chars(s.data(), end, i); ec == std::errc() && p == end && !s.empty())
    return i;
  std::uint64_t u = 0;
  if (auto [p, ec] = std::from_chars(s.data(), end, u); ec == std::errc() && p == end && !s.empty())
    return u;
  double x = 0;
  if (auto [p, ec] = std::from_chars(s.data(), end, x); ec == std::errc() && p == end && !s.empty())
    return x;
  return s;
}

}  // namespace

const std::vector<option_descriptor>& option_descriptors() {
  static const std::vector<option_descriptor> all = every_option();
  return all;
}

const option_descriptor* find_option(std::string_view name) {
  for (const auto& d : option_descriptors())
    if ((!d.python.empty() && d.python == name) || (!d.cli.empty() && d.cli == name)) return &d;
  return nullptr;
}

std::string option_name(const option_descriptor& d, option_surface surface) {
  return std::string(surface == option_surface::cli && !d.cli.empty() ? d.cli : d.python);
}

option_value get_option(const job_options& o, const option_descriptor& d, option_surface surface) {
  option_value v = d.get(o);
  if (surface == option_surface::python && d.none_is_default && v == d.get(job_options{}))
    return {};
  return v;
}

void set_option(job_options& o, const option_descriptor& d, const option_value& value,
                option_surface surface) {
  const std::string name = option_name(d, surface);
  if (std::holds_alternative<std::monostate>(value) && d.none_is_default) {
    d.set(o, d.get(job_options{}), name);
    return;
  }
  const auto* s = std::get_if<std::string>(&value);
  if (surface == option_surface::cli && s != nullptr && d.kind == option_kind::number) {
    d.set(o, from_text(*s), name);
    return;
  }
  d.set(o, value, name);
}

std::string option_text(const option_value& value, option_surface surface) {
  const bool py = surface == option_surface::python;
  struct visitor {
    bool py;
    std::string operator()(std::monostate) const { return py ? "None" : ""; }
    std::string operator()(bool b) const {
      return py ? (b ? "True" : "False") : (b ? "true" : "false");
    }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(std::uint64_t u) const { return std::to_string(u); }
    std::string operator()(double x) const {
      char buf[32];
      const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, x);
      std::string out(buf, ec == std::errc() ? p : buf);
      if (out.find_first_of(".en") == std::string::npos) out += ".0";
      return out;
    }
    std::string operator()(const std::string& s) const { return py ? "'" + s + "'" : s; }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = py ? "[" : "";
      for (std::size_t i = 0; i < l.size(); ++i)
        out += (i ? (py ? ", " : " ") : "") + (*this)(l[i]);
      return out + (py ? "]" : "");
    }
  };
  return std::visit(visitor{py}, value);
}

lsa_options lsa_options_of(const pipeline_options& o) {
  lsa_options lsa;
  lsa.dimensions = o.lsa_dimensions;
  lsa.seed = o.cluster.seed;
  return lsa;
}

namespace detail {

nlohmann::ordered_json options_json(const pipeline_options& p) {
  using json = nlohmann::ordered_json;
  job_options o;
  o.pipeline = p;
  json j = json::object();
  for (const auto& d : option_descriptors()) {
    if (d.json_key.empty()) continue;
    json& slot = d.json_group.empty() ? j[std::string(d.json_key)]
                                      : j[std::string(d.json_group)][std::string(d.json_key)];
    std::visit(
        [&slot](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
            slot = nullptr;
          else
            slot = v;
        },
        d.get(o));
  }
  return j;
}

}  // namespace detail
}  // namespace koe
