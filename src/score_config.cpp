// Scoring configuration: koe.toml read with toml++ and checked key by key, the severity lexicon,
// the difficulty rules and the owner rules.
#include <koe/score_config.hpp>

#include <koe/error.hpp>
#include <koe/tokenize.hpp>

#include "detail/followups.hpp"
#include "detail/score_text.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace koe {
namespace {

namespace fs = std::filesystem;

using detail::ascii_lower;
using detail::fixed;
using detail::key_terms;
using detail::read_text_file;
using detail::trim;

difficulty_level parse_level(std::string_view s) {
  if (s == "low") return difficulty_level::low;
  if (s == "medium") return difficulty_level::medium;
  if (s == "high") return difficulty_level::high;
  if (s == "unknown") return difficulty_level::unknown;
  throw std::invalid_argument("level");
}

// Reads a TOML document, turning the parser's errors into koe errors with file and line.
toml::table parse_toml(std::string_view text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw error(errc::invalid_config, name + ":" + std::to_string(e.source().begin.line) + ": " +
                                          std::string(e.description()));
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Validating reader over a TOML table: every key must be known, every value of the right type
// and range, and each error names the file, the line and the dotted key.
class config_reader {
 public:
  config_reader(std::string name, fs::path base) : name_(std::move(name)), base_(std::move(base)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& key,
                         const std::string& what) const {
    throw error(errc::invalid_config,
                name_ + ":" + std::to_string(where.begin.line) + ": " + key + ": " + what);
  }

  // Throws on the first key of `t` not in `allowed`, suggesting the nearest allowed key.
  void only(const toml::table& t, const std::string& prefix,
            std::initializer_list<std::string_view> allowed) const {
    for (auto&& [k, v] : t) {
      const std::string_view key = k.str();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string hint;
      std::size_t best = 3;
      for (auto a : allowed) {
        const std::size_t dist = edit_distance(key, a);
        if (dist < best) {
          best = dist;
          hint = " (did you mean '" + std::string(a) + "'?)";
        }
      }
      fail(k.source(), prefix + std::string(key), "unknown key" + hint);
    }
  }

  const toml::table* table(const toml::table& t, std::string_view key,
                           const std::string& prefix) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(n->source(), prefix + std::string(key), "expected a table");
    return n->as_table();
  }

  void number(const toml::table& t, std::string_view key, const std::string& prefix, double& out,
              double min, double max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const std::string full = prefix + std::string(key);
    double v = 0;
    if (auto i = n->value_exact<std::int64_t>()) {
      v = static_cast<double>(*i);
    } else if (auto d = n->value_exact<double>()) {
      v = *d;
    } else {
      fail(n->source(), full, "expected a number");
    }
    if (!(v >= min && v <= max))
      fail(n->source(), full,
           "value " + fixed(v, 4) + " is outside [" + fixed(min, 2) + ", " +
               (max > 1e9 ? std::string("∞") : fixed(max, 2)) + "]");
    out = v;
  }

  void count(const toml::table& t, std::string_view key, const std::string& prefix,
             std::size_t& out, std::int64_t min, std::int64_t max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto i = n->value_exact<std::int64_t>();
    if (!i) fail(n->source(), prefix + std::string(key), "expected a whole number");
    if (*i < min || *i > max)
      fail(n->source(), prefix + std::string(key),
           "value " + std::to_string(*i) + " is outside [" + std::to_string(min) + ", " +
               std::to_string(max) + "]");
    out = static_cast<std::size_t>(*i);
  }

  void text(const toml::table& t, std::string_view key, const std::string& prefix,
            std::string& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto s = n->value_exact<std::string>();
    if (!s) fail(n->source(), prefix + std::string(key), "expected a string");
    out = *s;
  }

  void flag(const toml::table& t, std::string_view key, const std::string& prefix,
            bool& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto b = n->value_exact<bool>();
    if (!b) fail(n->source(), prefix + std::string(key), "expected true or false");
    out = *b;
  }

  void strings(const toml::table& t, std::string_view key, const std::string& prefix,
               std::vector<std::string>& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const std::string full = prefix + std::string(key);
    const toml::array* a = n->as_array();
    if (a == nullptr) fail(n->source(), full, "expected an array of strings");
    out.clear();
    for (const toml::node& e : *a) {
      const auto s = e.value_exact<std::string>();
      if (!s) fail(e.source(), full, "expected an array of strings");
      out.push_back(*s);
    }
  }

  difficulty_level level(const toml::table& t, std::string_view key, const std::string& prefix,
                         bool allow_unknown) const {
    const toml::node* n = t.get(key);
    const std::string full = prefix + std::string(key);
    if (n == nullptr) fail(t.source(), full, "missing (expected \"low\", \"medium\" or \"high\")");
    const auto s = n->value_exact<std::string>();
    try {
      if (!s) throw std::invalid_argument("level");
      const difficulty_level l = parse_level(*s);
      if (l == difficulty_level::unknown && !allow_unknown) throw std::invalid_argument("level");
      return l;
    } catch (const std::invalid_argument&) {
      fail(n->source(), full, "expected \"low\", \"medium\" or \"high\"");
    }
  }

  fs::path path(const toml::table& t, std::string_view key, const std::string& prefix) const {
    std::string p;
    text(t, key, prefix, p);
    if (p.empty()) return {};
    fs::path out(p);
    if (out.is_relative() && !base_.empty()) out = base_ / out;
    if (!fs::exists(out)) {
      const toml::node* n = t.get(key);
      fail(n->source(), prefix + std::string(key), "file not found: " + out.string());
    }
    return out;
  }

  difficulty_rule rule(const toml::table& t, const std::string& prefix) const {
    only(t, prefix, {"level", "terms", "patterns", "reason"});
    difficulty_rule r;
    r.level = level(t, "level", prefix, false);
    strings(t, "terms", prefix, r.terms);
    strings(t, "patterns", prefix, r.patterns);
    text(t, "reason", prefix, r.reason);
    for (auto& term : r.terms)
      term = ascii_lower(term);
    if (r.terms.empty() && r.patterns.empty())
      fail(t.source(), prefix + "terms", "a rule needs terms or patterns");
    r.source = name_ + ":" + std::to_string(t.source().begin.line);
    return r;
  }

  // One owner rule: an owner (department) and the terms or patterns that make a cluster theirs.
  owner_rule owner_rule_of(const toml::table& t, const std::string& prefix) const {
    only(t, prefix, {"owner", "role", "terms", "patterns", "reason"});
    owner_rule r;
    text(t, "owner", prefix, r.owner);
    r.owner = trim(r.owner);
    if (r.owner.empty()) fail(t.source(), prefix + "owner", "missing or empty");
    text(t, "role", prefix, r.role);
    r.role = trim(r.role);
    strings(t, "terms", prefix, r.terms);
    strings(t, "patterns", prefix, r.patterns);
    text(t, "reason", prefix, r.reason);
    for (auto& term : r.terms)
      term = ascii_lower(term);
    if (r.terms.empty() && r.patterns.empty())
      fail(t.source(), prefix + "terms", "a rule needs terms or patterns");
    r.line = t.source().begin.line;
    return r;
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  fs::path base_;
};

// The [[rule]] tables of a rules file (difficulty or owner rules), each read by `read`.
template <class Rule, class Read>
std::vector<Rule> parse_rule_tables(std::string_view text, const std::string& name, Read read) {
  const toml::table root = parse_toml(text, name);
  const config_reader in(name, {});
  in.only(root, "", {"rule"});
  std::vector<Rule> rules;
  const toml::node* n = root.get("rule");
  if (n == nullptr) return rules;
  const toml::array* a = n->as_array();
  if (a == nullptr || !a->is_array_of_tables())
    in.fail(n->source(), "rule", "expected [[rule]] tables");
  for (const toml::node& e : *a)
    rules.push_back(read(in, *e.as_table()));
  return rules;
}

std::vector<difficulty_rule> parse_rules(std::string_view text, const std::string& name) {
  return parse_rule_tables<difficulty_rule>(
      text, name,
      [](const config_reader& in, const toml::table& t) { return in.rule(t, "rule."); });
}

std::vector<owner_rule> parse_owner_rules(std::string_view text, const std::string& name) {
  return parse_rule_tables<owner_rule>(
      text, name,
      [](const config_reader& in, const toml::table& t) { return in.owner_rule_of(t, "rule."); });
}

// Placeholders a reply template may use.
const std::vector<std::string>& reply_placeholders() {
  static const std::vector<std::string> names = {"voice",  "label", "count", "decision",
                                                 "reason", "id",    "effect"};
  return names;
}

constexpr double inf = std::numeric_limits<double>::max();

// [data]: the lexicon and rules files, the bundled ones unless named.
void read_data(const config_reader& in, const toml::table& root, score_options& o) {
  const std::string& name = in.name();
  fs::path lexicon_path, rules_path, owners_path;
  if (const auto* t = in.table(root, "data", "")) {
    in.only(*t, "data.", {"severity_lexicon", "difficulty_rules", "owner_rules"});
    lexicon_path = in.path(*t, "severity_lexicon", "data.");
    rules_path = in.path(*t, "difficulty_rules", "data.");
    owners_path = in.path(*t, "owner_rules", "data.");
  }
  if (lexicon_path.empty() || rules_path.empty() || owners_path.empty()) {
    const std::string dir = data_directory();
    KOE_THROW_IF_NOT(!dir.empty(), errc::io_failure,
                     name +
                         ": cannot find koe's bundled data; set KOE_DATA_DIR or name the "
                         "files under [data]");
    if (lexicon_path.empty()) lexicon_path = fs::path(dir) / "severity-ja.txt";
    if (rules_path.empty()) rules_path = fs::path(dir) / "difficulty-rules.toml";
    if (owners_path.empty()) owners_path = fs::path(dir) / "owner-rules.toml";
    KOE_THROW_IF_NOT(
        fs::exists(lexicon_path) && fs::exists(rules_path) && fs::exists(owners_path),
        errc::io_failure,
        name + ": cannot find the bundled data files; set KOE_DATA_DIR or name them under [data]");
  }
  o.impact.severity = read_severity_lexicon(lexicon_path);
  o.difficulty.rules = read_difficulty_rules(rules_path);
  o.owners.rules = read_owner_rules(owners_path);
}

void read_columns(const config_reader& in, const toml::table& root, score_options& o) {
  if (const auto* t = in.table(root, "columns", "")) {
    in.only(*t, "columns.", {"contributor", "rating", "segment"});
    in.text(*t, "contributor", "columns.", o.frequency.contributor_column);
    in.text(*t, "rating", "columns.", o.impact.rating_column);
    in.text(*t, "segment", "columns.", o.impact.segment_column);
  }
}

void read_frequency(const config_reader& in, const toml::table& root, score_options& so) {
  frequency_options& o = so.frequency;
  if (const auto* t = in.table(root, "frequency", "")) {
    const std::string pre = "frequency.";
    in.only(*t, pre, {"period", "full_share", "growth_weight", "growth_min_voices"});
    if (const toml::node* n = t->get("period")) {
      const auto s = n->value_exact<std::string>();
      bool ok = false;
      for (auto u : {period_unit::day, period_unit::week, period_unit::month, period_unit::quarter,
                     period_unit::year}) {
        if (s && *s == to_string(u)) {
          so.frequency.period = u;
          so.trends.period = u;
          so.frequency_period_given = true;
          ok = true;
        }
      }
      if (!ok)
        in.fail(n->source(), pre + "period",
                "expected \"day\", \"week\", \"month\", \"quarter\" or \"year\"");
    }
    in.number(*t, "full_share", pre, o.full_share, 0, 1);
    in.number(*t, "growth_weight", pre, o.growth_weight, 0, 1);
    in.count(*t, "growth_min_voices", pre, o.growth_min_voices, 0, 1000000);
  }
}

void read_impact(const config_reader& in, const toml::table& root, impact_options& o) {
  if (const auto* t = in.table(root, "impact", "")) {
    const std::string pre = "impact.";
    in.only(
        *t, pre,
        {"confidence", "higher_rating_is_better", "surface_min_chars", "rating_weight",
         "severity_weight", "negativity_weight", "segment_weight", "segment_weights", "severity"});
    in.number(*t, "confidence", pre, o.confidence, 0.5, 0.999);
    in.flag(*t, "higher_rating_is_better", pre, o.higher_rating_is_better);
    in.count(*t, "surface_min_chars", pre, o.surface_min_chars, 0, 100);
    in.number(*t, "rating_weight", pre, o.rating_weight, 0, inf);
    in.number(*t, "severity_weight", pre, o.severity_weight, 0, inf);
    in.number(*t, "negativity_weight", pre, o.negativity_weight, 0, inf);
    in.number(*t, "segment_weight", pre, o.segment_weight, 0, inf);
    if (const auto* s = in.table(*t, "segment_weights", pre)) {
      for (auto&& [k, v] : *s) {
        double w = 1;
        in.number(*s, k.str(), pre + "segment_weights.", w, 0, inf);
        o.segment_weights[std::string(k.str())] = w;
      }
    }
    // Extra lexicon entries: a term already in the lexicon takes the new weight.
    if (const auto* s = in.table(*t, "severity", pre)) {
      for (auto&& [k, v] : *s) {
        std::size_t w = 1;
        in.count(*s, k.str(), pre + "severity.", w, 0, 3);
        const std::string term = ascii_lower(std::string(k.str()));
        auto& lex = o.severity;
        lex.erase(std::remove_if(lex.begin(), lex.end(),
                                 [&](const severity_entry& e) { return e.term == term; }),
                  lex.end());
        if (w > 0) lex.push_back({term, static_cast<int>(w)});
      }
    }
  }
}

// [[difficulty.rule]], [[owners.override]] and the like: the tables `key` under `t`, if any.
const toml::array* table_array(const config_reader& in, const toml::table& t, std::string_view key,
                               const std::string& pre) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return nullptr;
  const toml::array* a = n->as_array();
  if (a == nullptr || !a->is_array_of_tables())
    in.fail(n->source(), pre + std::string(key),
            "expected [[" + pre + std::string(key) + "]] tables");
  return a;
}

void read_difficulty(const config_reader& in, const toml::table& root, difficulty_options& o) {
  if (const auto* t = in.table(root, "difficulty", "")) {
    const std::string pre = "difficulty.";
    in.only(*t, pre, {"top_terms", "low", "medium", "high", "unknown", "rule", "override"});
    in.count(*t, "top_terms", pre, o.top_terms, 1, 1000);
    in.number(*t, "low", pre, o.low, 0, 1);
    in.number(*t, "medium", pre, o.medium, 0, 1);
    in.number(*t, "high", pre, o.high, 0, 1);
    in.number(*t, "unknown", pre, o.unknown, 0, 1);
    if (const auto* a = table_array(in, *t, "rule", pre))
      for (const toml::node& e : *a)
        o.rules.push_back(in.rule(*e.as_table(), pre + "rule."));
    if (const auto* a = table_array(in, *t, "override", pre)) {
      for (const toml::node& e : *a) {
        const toml::table& ot = *e.as_table();
        const std::string opre = pre + "override.";
        in.only(ot, opre, {"key", "level", "reason"});
        difficulty_override ov;
        in.text(ot, "key", opre, ov.key);
        if (key_terms(ov.key).empty()) in.fail(ot.source(), opre + "key", "missing or empty");
        ov.level = in.level(ot, "level", opre, false);
        in.text(ot, "reason", opre, ov.reason);
        o.overrides.push_back(std::move(ov));
      }
    }
  }
}

// [owners]: how many top terms the owner rules look at, extra rules (after the rules file's) and
// a fixed owner per stable cluster id.
void read_owners(const config_reader& in, const toml::table& root, owner_options& o) {
  const auto* t = in.table(root, "owners", "");
  if (t == nullptr) return;
  const std::string pre = "owners.";
  in.only(*t, pre, {"top_terms", "rule", "override"});
  in.count(*t, "top_terms", pre, o.top_terms, 1, 1000);
  if (const auto* a = table_array(in, *t, "rule", pre))
    for (const toml::node& e : *a)
      o.rules.push_back(in.owner_rule_of(*e.as_table(), pre + "rule."));
  const auto* a = table_array(in, *t, "override", pre);
  if (a == nullptr) return;
  const std::string opre = pre + "override.";
  for (const toml::node& e : *a) {
    const toml::table& ot = *e.as_table();
    in.only(ot, opre, {"cluster", "owner", "role", "reason"});
    if (ot.get("cluster") == nullptr) in.fail(ot.source(), opre + "cluster", "missing");
    std::size_t id = 0;
    in.count(ot, "cluster", opre, id, 0, std::numeric_limits<int>::max());
    owner_override ov;
    ov.cluster = static_cast<int>(id);
    for (const owner_override& seen : o.overrides)
      if (seen.cluster == ov.cluster)
        in.fail(ot.get("cluster")->source(), opre + "cluster",
                "cluster " + std::to_string(id) + " already has an override");
    in.text(ot, "owner", opre, ov.owner);
    ov.owner = trim(ov.owner);
    if (ov.owner.empty()) in.fail(ot.source(), opre + "owner", "missing or empty");
    in.text(ot, "role", opre, ov.role);
    ov.role = trim(ov.role);
    in.text(ot, "reason", opre, ov.reason);
    o.overrides.push_back(std::move(ov));
  }
}

void read_adoption(const config_reader& in, const toml::table& root, adoption_options& o) {
  if (const auto* t = in.table(root, "adoption", "")) {
    const std::string pre = "adoption.";
    in.only(*t, pre,
            {"frequency_weight", "impact_weight", "ease_weight", "min_frequency", "min_impact",
             "max_difficulty"});
    in.number(*t, "frequency_weight", pre, o.frequency_weight, 0, inf);
    in.number(*t, "impact_weight", pre, o.impact_weight, 0, inf);
    in.number(*t, "ease_weight", pre, o.ease_weight, 0, inf);
    in.number(*t, "min_frequency", pre, o.min_frequency, 0, 1);
    in.number(*t, "min_impact", pre, o.min_impact, 0, 1);
    in.number(*t, "max_difficulty", pre, o.max_difficulty, 0, 1);
    if (o.frequency_weight + o.impact_weight + o.ease_weight <= 0)
      in.fail(t->source(), "adoption", "at least one weight must be above 0");
  }
  if (const auto* t = in.table(root, "quadrant", "")) {
    in.only(*t, "quadrant.", {"impact_split", "difficulty_split"});
    in.number(*t, "impact_split", "quadrant.", o.impact_split, 0, 1);
    in.number(*t, "difficulty_split", "quadrant.", o.difficulty_split, 0, 1);
  }
  if (const auto* t = in.table(root, "small_clusters", "")) {
    in.only(*t, "small_clusters.", {"share", "impact"});
    in.number(*t, "share", "small_clusters.", o.small_share, 0, 1);
    in.number(*t, "impact", "small_clusters.", o.small_impact, 0, 1);
  }
}

void read_decision_options(const config_reader& in, const toml::table& root, decision_options& o) {
  if (const auto* t = in.table(root, "decisions", "")) {
    in.only(*t, "decisions.", {"key_terms", "min_overlap"});
    in.count(*t, "key_terms", "decisions.", o.key_terms, 1, 20);
    in.number(*t, "min_overlap", "decisions.", o.min_overlap, 0.01, 1);
  }
}

// [stages]: the days a decision may stay at a stage (stuck_days, 0 = never stuck) and the words a
// decisions file may use for a stage besides its English and Japanese names ([stages.aliases]).
void read_stages(const config_reader& in, const toml::table& root, stage_options& o) {
  const auto* t = in.table(root, "stages", "");
  if (t == nullptr) return;
  const std::string pre = "stages.";
  in.only(*t, pre, {"stuck_days", "aliases"});
  if (const auto* d = in.table(*t, "stuck_days", pre)) {
    const std::string dpre = pre + "stuck_days.";
    in.only(*d, dpre, {"pending", "adopted", "planned", "productized"});
    for (auto [key, field] :
         {std::pair{"pending", &o.pending_days}, std::pair{"adopted", &o.adopted_days},
          std::pair{"planned", &o.planned_days}, std::pair{"productized", &o.productized_days}}) {
      auto days = static_cast<std::size_t>(*field);
      in.count(*d, key, dpre, days, 0, 36500);
      *field = static_cast<std::int64_t>(days);
    }
  }
  if (const auto* a = in.table(*t, "aliases", pre)) {
    const std::string apre = pre + "aliases.";
    for (auto&& [k, v] : *a) {
      const std::string key = std::string(k.str());
      const std::string alias = ascii_lower(trim(key));
      std::string target;
      in.text(*a, key, apre, target);
      const auto stage = parse_decision_word(target, stage_options{});
      if (!stage)
        in.fail(v.source(), apre + key,
                "'" + target +
                    "' is not a stage (pending, adopted, planned, productized, launched, rejected "
                    "or 検討中, 採用, 企画化, 商品化, 提供開始, 見送り)");
      if (alias.empty()) in.fail(k.source(), apre + key, "an alias may not be empty");
      const auto builtin = parse_decision_word(alias, stage_options{});
      if (builtin && *builtin != *stage)
        in.fail(k.source(), apre + key,
                "'" + key + "' already names " + to_string(*builtin) + "; it cannot mean " +
                    to_string(*stage));
      const auto [it, fresh] = o.aliases.try_emplace(alias, *stage);
      if (!fresh && it->second != *stage)
        in.fail(k.source(), apre + key,
                "'" + key + "' is already an alias of " + to_string(it->second));
    }
  }
}

void read_alerts(const config_reader& in, const toml::table& root, trend_options& o) {
  if (const auto* t = in.table(root, "alerts", "")) {
    const std::string pre = "alerts.";
    in.only(*t, pre, {"alpha", "min_count", "baseline_periods"});
    in.number(*t, "alpha", pre, o.alpha, 1e-12, 0.5);
    in.count(*t, "min_count", pre, o.min_count, 1, 100000000);
    in.count(*t, "baseline_periods", pre, o.baseline_periods, 0, 100000);
  }
}

void read_reply(const config_reader& in, const toml::table& root, reply_options& o) {
  if (const auto* t = in.table(root, "reply", "")) {
    const std::string pre = "reply.";
    in.only(
        *t, pre,
        {"template", "pending_template", "unclustered_template", "voice_chars", "decision_words"});
    std::map<std::string, std::string> probe;
    for (const auto& p : reply_placeholders())
      probe[p] = "";
    for (auto [key, field] : {std::pair{"template", &o.decided_template},
                              std::pair{"pending_template", &o.pending_template},
                              std::pair{"unclustered_template", &o.unclustered_template}}) {
      in.text(*t, key, pre, *field);
      if (const toml::node* n = t->get(key)) {
        try {
          (void)fill_reply(*field, probe);
        } catch (const error& e) {
          in.fail(n->source(), pre + key, e.what());
        }
      }
    }
    in.count(*t, "voice_chars", pre, o.voice_chars, 0, 10000);
    if (const auto* w = in.table(*t, "decision_words", pre)) {
      const std::string wpre = pre + "decision_words.";
      in.only(*w, wpre, {"adopted", "rejected", "pending", "planned", "productized", "launched"});
      in.text(*w, "adopted", wpre, o.adopted);
      in.text(*w, "rejected", wpre, o.rejected);
      in.text(*w, "pending", wpre, o.pending);
      in.text(*w, "planned", wpre, o.planned);
      in.text(*w, "productized", wpre, o.productized);
      in.text(*w, "launched", wpre, o.launched);
    }
  }
}

// [followup]: the next-contact rule and the drafts per stage (docs/programme.md).
void read_followup(const config_reader& in, const toml::table& root, followup_options& o) {
  const auto* t = in.table(root, "followup", "");
  if (t == nullptr) return;
  const std::string pre = "followup.";
  in.only(*t, pre, {"after_stage_change_days", "without_change_days", "templates"});
  for (auto [key, field] : {std::pair{"after_stage_change_days", &o.after_stage_change_days},
                            std::pair{"without_change_days", &o.without_change_days}}) {
    auto days = static_cast<std::size_t>(*field);
    in.count(*t, key, pre, days, 0, 3650);
    *field = static_cast<std::int64_t>(days);
  }
  const auto* w = in.table(*t, "templates", pre);
  if (w == nullptr) return;
  const std::string tpre = pre + "templates.";
  in.only(*w, tpre,
          {"pending", "adopted", "planned", "productized", "launched", "rejected", "progress"});
  for (const std::string_view key : followup_template_keys) {
    const toml::node* n = w->get(key);
    if (n == nullptr) continue;
    std::string& field = o.templates[std::string(key)];
    in.text(*w, key, tpre, field);
    try {
      detail::check_followup_template(field);
    } catch (const error& e) {
      in.fail(n->source(), tpre + std::string(key), e.what());
    }
  }
}

// [lineage]: the thresholds of the lineage rules (docs/continuity.md). A split needs two parts of
// at least min_part_share each, so a share above one half could never name one.
void read_lineage(const config_reader& in, const toml::table& root, lineage_options& o) {
  if (const auto* t = in.table(root, "lineage", "")) {
    in.only(*t, "lineage.",
            {"min_similarity", "min_part_share", "min_voices", "min_part_similarity"});
    in.number(*t, "min_similarity", "lineage.", o.min_similarity, 0, 1);
    in.number(*t, "min_part_share", "lineage.", o.min_part_share, 0.01, 0.5);
    in.count(*t, "min_voices", "lineage.", o.min_voices, 1, 1000000);
    in.number(*t, "min_part_similarity", "lineage.", o.min_part_similarity, 0, 1);
  }
}

}  // namespace

std::vector<severity_entry> read_severity_lexicon(const fs::path& path) {
  const std::string text = read_text_file(path, "severity lexicon");
  std::vector<severity_entry> out;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const std::string t = trim(line);
    if (t.empty()) continue;
    const auto sep = t.find_last_of(" \t");
    const std::string where = path.string() + ":" + std::to_string(n) + ": ";
    KOE_THROW_IF_NOT(sep != std::string::npos, errc::invalid_config,
                     where + "expected term<TAB>weight");
    const std::string term = ascii_lower(trim(t.substr(0, sep)));
    const std::string w = t.substr(sep + 1);
    KOE_THROW_IF_NOT(w == "1" || w == "2" || w == "3", errc::invalid_config,
                     where + "weight '" + w + "' of '" + term + "' is not 1, 2 or 3");
    out.push_back({term, w[0] - '0'});
  }
  return out;
}

std::vector<difficulty_rule> read_difficulty_rules(const fs::path& path) {
  return parse_rules(read_text_file(path, "difficulty rules"), path.string());
}

std::vector<owner_rule> read_owner_rules(const fs::path& path) {
  return parse_owner_rules(read_text_file(path, "owner rules"), path.string());
}

score_options default_score_options() {
  const std::string dir = data_directory();
  const fs::path lexicon = fs::path(dir) / "severity-ja.txt";
  const fs::path rules = fs::path(dir) / "difficulty-rules.toml";
  const fs::path owners = fs::path(dir) / "owner-rules.toml";
  KOE_THROW_IF_NOT(
      !dir.empty() && fs::exists(lexicon) && fs::exists(rules) && fs::exists(owners),
      errc::io_failure,
      "cannot find the bundled severity-ja.txt, difficulty-rules.toml and owner-rules.toml (set "
      "KOE_DATA_DIR to koe's data directory, or name them in koe.toml)");
  score_options o;
  o.impact.severity = read_severity_lexicon(lexicon);
  o.difficulty.rules = read_difficulty_rules(rules);
  o.owners.rules = read_owner_rules(owners);
  return o;
}

score_options parse_score_config(std::string_view text, const std::string& name,
                                 const fs::path& base_dir) {
  const toml::table root = parse_toml(text, name);
  const config_reader in(name, base_dir);
  in.only(root, "",
          {"data", "columns", "frequency", "impact", "difficulty", "adoption", "quadrant",
           "small_clusters", "decisions", "reply", "alerts", "lineage", "owners", "followup",
           "stages"});
  score_options o;
  read_data(in, root, o);
  read_columns(in, root, o);
  read_frequency(in, root, o);
  read_alerts(in, root, o.trends);
  read_impact(in, root, o.impact);
  read_difficulty(in, root, o.difficulty);
  read_adoption(in, root, o.adoption);
  read_decision_options(in, root, o.decisions);
  read_stages(in, root, o.stages);
  read_reply(in, root, o.reply);
  read_lineage(in, root, o.lineage);
  read_owners(in, root, o.owners);
  read_followup(in, root, o.followup);
  return o;
}

score_options load_score_config(const fs::path& path) {
  const std::string text = read_text_file(path, "configuration");
  return parse_score_config(text, path.string(), path.parent_path());
}

std::vector<std::string> surface_phrases(const score_options& options) {
  std::vector<std::string> out;
  if (options.impact.surface_min_chars == 0) return out;
  for (const auto& e : options.impact.severity) {
    if (e.term.empty() || detail::utf8_chars(e.term).size() < options.impact.surface_min_chars)
      continue;
    if (std::find(out.begin(), out.end(), e.term) == out.end()) out.push_back(e.term);
  }
  return out;
}

}  // namespace koe
