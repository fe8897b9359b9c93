// Adoption candidates: the frequency, impact, difficulty and adoption scores of each cluster and
// the reasons behind them, from the rows and clusters of a `score_input`.
#include <koe/score.hpp>

#include <koe/error.hpp>
#include <koe/normalize.hpp>
#include <koe/score_config.hpp>

#include "detail/members.hpp"
#include "detail/parallel.hpp"
#include "detail/score_text.hpp"
#include "detail/stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>

namespace koe {

using detail::ascii_lower;
using detail::fixed;
using detail::join;
using detail::percent;
using detail::t_quantile;
using detail::trim;
using detail::utf8_chars;

const char* to_string(difficulty_level level) noexcept {
  switch (level) {
    case difficulty_level::unknown:
      return "unknown";
    case difficulty_level::low:
      return "low";
    case difficulty_level::medium:
      return "medium";
    case difficulty_level::high:
      return "high";
  }
  return "unknown";
}

const char* to_string(quadrant q) noexcept {
  switch (q) {
    case quadrant::quick_win:
      return "quick_win";
    case quadrant::big_bet:
      return "big_bet";
    case quadrant::fill_in:
      return "fill_in";
    case quadrant::reconsider:
      return "reconsider";
  }
  return "reconsider";
}

const char* to_japanese(difficulty_level level) noexcept {
  switch (level) {
    case difficulty_level::unknown:
      return "未判定";
    case difficulty_level::low:
      return "低";
    case difficulty_level::medium:
      return "中";
    case difficulty_level::high:
      return "高";
  }
  return "未判定";
}

const char* to_japanese(quadrant q) noexcept {
  switch (q) {
    case quadrant::quick_win:
      return "クイックウィン";
    case quadrant::big_bet:
      return "大型施策";
    case quadrant::fill_in:
      return "小さな改善";
    case quadrant::reconsider:
      return "再検討";
  }
  return "再検討";
}

namespace {

double clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}

const char* period_name_ja(period_unit unit) {
  switch (unit) {
    case period_unit::day:
      return "日";
    case period_unit::week:
      return "週";
    case period_unit::month:
      return "月";
    case period_unit::quarter:
      return "四半期";
    case period_unit::year:
      return "年";
  }
  return "月";
}

double level_score(difficulty_level level, const difficulty_options& o) {
  switch (level) {
    case difficulty_level::unknown:
      return o.unknown;
    case difficulty_level::low:
      return o.low;
    case difficulty_level::medium:
      return o.medium;
    case difficulty_level::high:
      return o.high;
  }
  return o.unknown;
}

// Per-row facts that every cluster's scores are built from. A column stays empty where the corpus
// lacks its signal (no rating column, no segment weights, no contributor column, no dates), so that
// millions of voices without them pay nothing for them; the lexicon hits are kept only for the rows
// that have any.
// Per-row facts that every cluster's scores are built from. A column stays empty where the corpus
// lacks its signal (no rating column, no segment weights, no contributor column, no dates), so that
// millions of voices without them pay nothing for them; the lexicon hits are kept only for the rows
// that have any.
struct row_facts {
  std::vector<double> rating;                 // NaN when missing; empty without the column
  std::vector<double> segment_weight;         // 1 when unlisted; empty unless has_segment
  std::vector<std::string_view> contributor;  // empty when missing or blank, or no column
  std::vector<std::int64_t> period;           // INT64_MIN when no date; empty when none has one
  std::vector<int> severity;                  // strongest lexicon hit, 0 = none
  std::vector<char> flags;                    // negated_flag, hits_flag
  std::vector<std::string> lexicon_terms;     // every lexicon entry, sorted
  // (row, index into lexicon_terms) of each entry a row hits, sorted: by row, then by term.
  std::vector<std::pair<std::size_t, std::uint32_t>> hits;
  bool has_rating = false;
  detail::moments all_ratings;
  bool has_segment = false;
  double max_segment_weight = 1;
  bool has_contributors = false;
  bool has_periods = false;
  std::int64_t latest = 0;
  std::size_t latest_total = 0, previous_total = 0;

  static constexpr char negated_flag = 1;
  static constexpr char hits_flag = 2;

  [[nodiscard]] bool negated(std::size_t row) const { return (flags[row] & negated_flag) != 0; }
  /// Calls `fn(term)` for each lexicon entry `row` hits, in term order.
  template <class Fn>
  void for_each_hit(std::size_t row, const Fn& fn) const {
    if ((flags[row] & hits_flag) == 0) return;
    auto it =
        std::lower_bound(hits.begin(), hits.end(), std::pair<std::size_t, std::uint32_t>(row, 0));
    for (; it != hits.end() && it->first == row; ++it)
      fn(lexicon_terms[it->second]);
  }
};

constexpr std::int64_t no_period = std::numeric_limits<std::int64_t>::min();

using hit_list = std::vector<std::pair<std::size_t, std::uint32_t>>;

// Per-chunk scratch of `lexicon_lookup::read`, reused from row to row.
struct lookup_scratch {
  std::vector<std::string_view> hits;
  hit_list::const_iterator surface;  // walks the surface hits along the chunk's rows
};

// (row, value) pairs from every row, in row order: `fill(first, last, out)` appends those of rows
// [first, last) in row order, chunks running in parallel.
template <class Fill>
hit_list collect_hits(std::size_t rows, const Fill& fill) {
  std::mutex chunk_lock;
  std::vector<hit_list> chunks;
  detail::parallel_chunks(rows, 256, [&](std::size_t first, std::size_t last) {
    hit_list own;
    fill(first, last, own);
    if (own.empty()) return;
    const std::lock_guard<std::mutex> lock(chunk_lock);
    chunks.push_back(std::move(own));
  });
  // Chunks cover disjoint row ranges, each in row order: ordered by their first rows, they join
  // into one list in row order whatever the threads did.
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.front().first < b.front().first; });
  hit_list out;
  for (const auto& c : chunks)
    out.insert(out.end(), c.begin(), c.end());
  return out;
}

bool is_negated(const std::string& term) {
  static const std::string nai = "ない";
  return term.size() > nai.size() && term.ends_with(nai);
}

int meta_column(const score_input& in, const std::string& name) {
  return name.empty() || in.records == nullptr ? -1 : in.records->meta_index(name);
}

// The meta columns scoring reads, and the per-row columns of `f` they fill.
struct meta_columns {
  int rating = -1, segment = -1, contributor = -1;

  meta_columns(const score_input& in, const score_options& o, row_facts& f)
      : rating(meta_column(in, o.impact.rating_column)),
        segment(meta_column(in, o.impact.segment_column)),
        contributor(meta_column(in, o.frequency.contributor_column)) {
    const std::size_t rows = in.rows();
    f.has_contributors = contributor >= 0;
    for (const auto& [name, w] : o.impact.segment_weights)
      f.max_segment_weight = std::max(f.max_segment_weight, w);
    f.has_segment = segment >= 0 && f.max_segment_weight > 1;
    if (rating >= 0) f.rating.assign(rows, std::numeric_limits<double>::quiet_NaN());
    if (f.has_segment) f.segment_weight.assign(rows, 1.0);
    if (f.has_contributors) f.contributor.assign(rows, {});
    if (in.records->documents.has_timestamps()) f.period.assign(rows, no_period);
    f.severity.assign(rows, 0);
    f.flags.assign(rows, 0);
  }

  // Rating, segment weight, contributor and period of `row`, whose record is `d`.
  void read(std::size_t row, const document_view& d, const score_options& o, row_facts& f) const {
    auto meta = [&](int col) -> std::optional<std::string_view> {
      if (col < 0 || static_cast<std::size_t>(col) >= d.meta.size()) return std::nullopt;
      return d.meta[static_cast<std::size_t>(col)];
    };
    if (auto v = meta(rating)) {
      if (auto x = detail::parse_number(*v)) f.rating[row] = *x;
    }
    if (auto v = meta(segment); v && f.has_segment) {
      if (auto it = o.impact.segment_weights.find(trim(*v)); it != o.impact.segment_weights.end())
        f.segment_weight[row] = it->second;
    }
    if (auto v = meta(contributor); v && !trim(*v).empty()) f.contributor[row] = *v;
    if (!f.period.empty()) {
      if (auto p = period_of(d.timestamp, o.frequency.period)) f.period[row] = *p;
    }
  }
};

// The severity lexicon as scoring looks it up: by term id for single morphemes, and, for entries
// that ipadic splits into several morphemes (二重請求, ありえない), in the normalized text. Those
// surface entries are found once, before the rows are read (see `find_surfaces`); each row then
// reads its term hits and its surface hits the same way.
class lexicon_lookup {
 public:
  lexicon_lookup(const score_input& in, const score_options& o, row_facts& f, bool with_text)
      : in_(in), surfaces_(with_text ? surface_phrases(o) : std::vector<std::string>{}) {
    for (const auto& e : o.impact.severity) {
      auto& w = weight_[e.term];
      w = std::max(w, e.weight);
    }
    for (const auto& [term, w] : weight_)
      f.lexicon_terms.emplace_back(term);
    std::sort(f.lexicon_terms.begin(), f.lexicon_terms.end());
    for (std::size_t i = 0; i < f.lexicon_terms.size(); ++i)
      index_.emplace(f.lexicon_terms[i], static_cast<std::uint32_t>(i));
    for (const auto& s : surfaces_)
      surface_weight_.push_back(weight_[s]);
    // Each distinct term is looked up once; rows then read these by id.
    const std::size_t distinct = with_text && in.terms != nullptr ? in.terms->size() : 0;
    term_weight_.assign(distinct, -1);
    term_negated_.assign(distinct, 0);
    for (std::size_t id = 0; id < distinct; ++id) {
      const std::string& t = in.terms->terms()[id];
      if (auto it = weight_.find(t); it != weight_.end()) term_weight_[id] = it->second;
      term_negated_[id] = is_negated(t) ? 1 : 0;
    }
    find_surfaces();
  }

  /// Scratch for a chunk of rows starting at `first`.
  [[nodiscard]] lookup_scratch scratch_from(std::size_t first) const {
    lookup_scratch s;
    s.surface = std::lower_bound(surface_hits_.begin(), surface_hits_.end(),
                                 std::pair<std::size_t, std::uint32_t>(first, 0));
    return s;
  }

  // Lexicon entries of `row` as (row, entry index) in `own`; its severity and flags. Rows of a
  // chunk are read in order.
  void read(std::size_t row, row_facts& f, hit_list& own, lookup_scratch& s) const {
    s.hits.clear();
    int strongest = 0;
    bool negated = false;
    if (in_.terms != nullptr && row < in_.terms->rows()) {
      for (const term_table::id_type id : in_.terms->row(row)) {
        if (term_weight_[id] >= 0) {
          s.hits.emplace_back(in_.terms->terms()[id]);
          strongest = std::max(strongest, term_weight_[id]);
        }
        negated = negated || term_negated_[id] != 0;
      }
    }
    for (; s.surface != surface_hits_.end() && s.surface->first == row; ++s.surface) {
      s.hits.emplace_back(surfaces_[s.surface->second]);
      strongest = std::max(strongest, surface_weight_[s.surface->second]);
    }
    f.severity[row] = strongest;
    if (!s.hits.empty()) {
      std::sort(s.hits.begin(), s.hits.end());
      s.hits.erase(std::unique(s.hits.begin(), s.hits.end()), s.hits.end());
      for (const std::string_view t : s.hits)
        own.emplace_back(row, index_.at(t));
      f.flags[row] |= row_facts::hits_flag;
    }
    if (negated) f.flags[row] |= row_facts::negated_flag;
  }

 private:
  // (row, index into surfaces_) of each surface entry found, by row: the pipeline's phrase hits
  // where the normalized texts are gone and it looked for every entry while it had them; else a
  // search of the kept normalized texts, or of the raw texts normalized again.
  void find_surfaces() {
    if (surfaces_.empty()) return;
    const std::size_t kept = in_.normalized != nullptr ? in_.normalized->size() : 0;
    bool use_hits = kept != in_.rows();
    std::vector<int> spotted(in_.phrases.size(), -1);  // index in phrases -> in surfaces_
    for (std::size_t i = 0; use_hits && i < surfaces_.size(); ++i) {
      const auto it = std::find(in_.phrases.begin(), in_.phrases.end(), surfaces_[i]);
      if (it == in_.phrases.end())
        use_hits = false;
      else
        spotted[static_cast<std::size_t>(it - in_.phrases.begin())] = static_cast<int>(i);
    }
    if (use_hits) {
      for (const auto& [row, phrase] : in_.phrase_hits)
        if (const int i = spotted[phrase]; i >= 0)
          surface_hits_.emplace_back(row, static_cast<std::uint32_t>(i));
      return;
    }
    const phrase_set finder(surfaces_);
    surface_hits_ =
        collect_hits(in_.rows(), [&](std::size_t first, std::size_t last, hit_list& out) {
          std::vector<std::uint32_t> found;
          std::string text;
          static const normalize_options defaults;
          for (std::size_t row = first; row < last; ++row) {
            found.clear();
            if (row < kept) {
              finder.find((*in_.normalized)[row], found);
            } else {
              const document_view d = in_.records->documents[in_.row_document[row]];
              text = normalize(d.text, in_.normalization ? *in_.normalization : defaults);
              finder.find(text, found);
            }
            for (const std::uint32_t i : found)
              out.emplace_back(row, i);
          }
        });
  }

  const score_input& in_;
  std::unordered_map<std::string_view, int> weight_;
  std::unordered_map<std::string_view, std::uint32_t> index_;
  std::vector<std::string> surfaces_;
  std::vector<int> surface_weight_;
  std::vector<int> term_weight_;
  std::vector<char> term_negated_;
  hit_list surface_hits_;  // (row, index into surfaces_), by row
};

// Ratings summary and the two latest periods, from the filled columns.
void summarize(row_facts& f) {
  for (double x : f.rating)
    if (!std::isnan(x)) f.all_ratings.add(x);
  f.has_rating = f.all_ratings.n >= 3 && f.all_ratings.variance() > 0;
  std::int64_t latest = no_period;
  for (auto p : f.period)
    latest = std::max(latest, p);
  if (latest == no_period) return;
  for (auto p : f.period) {
    f.latest_total += p == latest ? 1 : 0;
    f.previous_total += p == latest - 1 ? 1 : 0;
  }
  f.latest = latest;
  f.has_periods = f.previous_total > 0;
}

// `with_text` = false skips the lexicon and negation, which only the scores need.
row_facts gather(const score_input& in, const score_options& o, bool with_text = true) {
  KOE_THROW_IF_NOT(in.records != nullptr, errc::invalid_argument, "score_input has no records");
  row_facts f;
  const meta_columns columns(in, o, f);
  const lexicon_lookup lexicon(in, o, f, with_text);
  // Rows are independent and each writes only its own slots, so they run in parallel; each chunk
  // keeps its rows' lexicon hits, put in row order afterwards.
  f.hits = collect_hits(in.rows(), [&](std::size_t first, std::size_t last, hit_list& own) {
    lookup_scratch scratch = lexicon.scratch_from(first);
    for (std::size_t row = first; row < last; ++row) {
      columns.read(row, in.records->documents[in.row_document[row]], o, f);
      if (with_text) lexicon.read(row, f, own, scratch);
    }
    if (with_text && in.terms != nullptr) in.terms->drop_rows(first, last);
  });
  summarize(f);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Reasons (Japanese, for the report and for people arguing with a score)

std::string frequency_reason(const frequency_signal& s, double score, period_unit unit,
                             bool has_periods) {
  std::string out = "頻度 " + fixed(score) + ": " + std::to_string(s.voices) + "件（分析対象の" +
                    percent(s.share) + "）";
  if (s.has_contributors) out += "、投稿者 " + std::to_string(s.contributors) + "人";
  if (s.has_growth) {
    out += "。直近の" + std::string(period_name_ja(unit)) + "（" + s.latest_period + "）のシェア " +
           percent(s.latest_share) + "、前の" + period_name_ja(unit) + "（" + s.previous_period +
           "）は " + percent(s.previous_share) + "（" + fixed(s.growth, 1) + "倍）";
  } else if (has_periods) {
    out += "。直近2期間の声が少なく、伸びは計算していません";
  }
  return out;
}

std::string impact_reason(const impact_signal& s, double score, double confidence) {
  std::vector<std::string> parts;
  if (s.has_rating) {
    if (s.rated >= 2) {
      parts.push_back("評価 平均" + fixed(s.mean_rating) + "（他 " + fixed(s.rest_mean_rating) +
                      "、差 " + fixed(s.gap) + "、" + fixed(100 * confidence, 0) + "%信頼区間 " +
                      fixed(s.gap_low) + "〜" + fixed(s.gap_high) + "、下限で採点 " +
                      fixed(s.rating_term) + "）");
    } else {
      parts.push_back("評価のある声が " + std::to_string(s.rated) +
                      "件で判定できず（0 として採点）");
    }
  }
  if (s.has_severity) {
    std::string p =
        "深刻語 " + std::to_string(s.severe_voices) + "件の声（" + fixed(s.severity_term) + "）";
    if (!s.severity_hits.empty()) {
      std::vector<std::string> top;
      for (std::size_t i = 0; i < s.severity_hits.size() && i < 4; ++i)
        top.push_back(s.severity_hits[i].first + "×" + std::to_string(s.severity_hits[i].second));
      p += ": " + join(top, "、");
    }
    parts.push_back(std::move(p));
  }
  parts.push_back("否定表現 " + std::to_string(s.negated_voices) + "件（" +
                  percent(s.negativity_term) + "）");
  if (s.has_segment)
    parts.push_back("区分の重み 平均" + fixed(s.mean_segment_weight) + "（" +
                    fixed(s.segment_term) + "）");
  return "影響度 " + fixed(score) + ": " + join(parts, "、");
}

std::string difficulty_reason(const difficulty_signal& s, double score) {
  std::string out = "難易度 " + std::string(to_japanese(s.level)) + "（" + fixed(score) + "）: ";
  if (s.overridden) {
    out += "設定ファイルで固定（キー " + s.override_key + "）";
    if (!s.override_reason.empty()) out += "、" + s.override_reason;
  } else if (s.level == difficulty_level::unknown) {
    out += "どのルールにも一致せず。未判定のまま " + fixed(score) + " として計算";
  } else {
    out += join(s.matched_terms, "、") + " がルールに一致（" + join(s.rule_reasons, " / ") + "）";
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public helpers

bool glob_match(std::string_view pattern, std::string_view term) {
  const auto p = utf8_chars(pattern);
  const auto t = utf8_chars(term);
  // Iterative wildcard matching with one backtrack point: linear for patterns with one "*",
  // and never exponential.
  std::size_t i = 0, j = 0, star = std::string::npos, mark = 0;
  while (j < t.size()) {
    if (i < p.size() && (p[i] == "?" || p[i] == t[j])) {
      ++i;
      ++j;
    } else if (i < p.size() && p[i] == "*") {
      star = i++;
      mark = j;
    } else if (star != std::string::npos) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.size() && p[i] == "*")
    ++i;
  return i == p.size();
}

difficulty_signal rate_difficulty(const std::vector<std::string>& top_terms,
                                  const std::vector<difficulty_rule>& rules) {
  // Index by level: low = 1, medium = 2, high = 3 (the enum order).
  std::array<std::vector<std::string>, 4> matched;
  std::array<std::vector<std::string>, 4> reasons;
  for (const auto& raw : top_terms) {
    const std::string term = ascii_lower(raw);
    std::array<bool, 4> counted{};
    for (const auto& rule : rules) {
      const auto lv = static_cast<std::size_t>(rule.level);
      const bool hit = std::find(rule.terms.begin(), rule.terms.end(), term) != rule.terms.end() ||
                       std::any_of(rule.patterns.begin(), rule.patterns.end(),
                                   [&](const std::string& p) { return glob_match(p, term); });
      if (!hit) continue;
      // A term counts once per level however many rules of that level name it.
      if (!counted[lv]) matched[lv].push_back(raw);
      counted[lv] = true;
      if (!rule.reason.empty() &&
          std::find(reasons[lv].begin(), reasons[lv].end(), rule.reason) == reasons[lv].end())
        reasons[lv].push_back(rule.reason);
    }
  }
  difficulty_signal s;
  std::size_t best = 0;
  // Ascending order with >= lets a tie go to the higher effort.
  for (std::size_t lv = 1; lv < 4; ++lv) {
    if (!matched[lv].empty() && matched[lv].size() >= best) {
      best = matched[lv].size();
      s.level = static_cast<difficulty_level>(lv);
    }
  }
  if (s.level != difficulty_level::unknown) {
    s.matched_terms = matched[static_cast<std::size_t>(s.level)];
    s.rule_reasons = reasons[static_cast<std::size_t>(s.level)];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Scoring

namespace {

// Frequency signals of the cluster whose rows are `m`; returns the frequency score.
double measure_frequency(std::span<const std::uint32_t> m, const row_facts& f, std::size_t rows,
                         const frequency_options& o, frequency_signal& fs) {
  fs.voices = m.size();
  fs.share = rows == 0 ? 0.0 : static_cast<double>(m.size()) / static_cast<double>(rows);
  fs.has_contributors = f.has_contributors;
  if (f.has_contributors) {
    std::set<std::string> people;
    for (auto row : m)
      if (!f.contributor[row].empty()) people.insert(trim(f.contributor[row]));
    fs.contributors = people.size();
  }
  if (f.has_periods) {
    for (auto row : m) {
      fs.latest_voices += f.period[row] == f.latest ? 1 : 0;
      fs.previous_voices += f.period[row] == f.latest - 1 ? 1 : 0;
    }
    fs.latest_period = period_label(f.latest, o.period);
    fs.previous_period = period_label(f.latest - 1, o.period);
    fs.latest_share = static_cast<double>(fs.latest_voices) / static_cast<double>(f.latest_total);
    fs.previous_share =
        static_cast<double>(fs.previous_voices) / static_cast<double>(f.previous_total);
    if (fs.latest_voices + fs.previous_voices >= o.growth_min_voices) {
      fs.has_growth = true;
      // Half a voice on each side keeps a cluster that was absent last period finite.
      const double latest =
          (static_cast<double>(fs.latest_voices) + 0.5) / (static_cast<double>(f.latest_total) + 1);
      const double previous = (static_cast<double>(fs.previous_voices) + 0.5) /
                              (static_cast<double>(f.previous_total) + 1);
      fs.growth = latest / previous;
    }
  }
  const double size_score = o.full_share > 0 ? std::sqrt(clamp01(fs.share / o.full_share)) : 1.0;
  const double growth_term = fs.has_growth ? std::clamp(std::log2(fs.growth), -1.0, 1.0) : 0.0;
  return clamp01(size_score + o.growth_weight * growth_term);
}

// Impact signals of the cluster whose rows are `m`; returns the impact score, the weighted mean
// of the signals the corpus has.
double measure_impact(std::span<const std::uint32_t> m, const row_facts& f, const impact_options& o,
                      impact_signal& is) {
  const double var_all = f.all_ratings.variance();
  const double sd_all = std::sqrt(var_all);
  const double p = 1 - (1 - o.confidence) / 2;
  double weighted = 0, weights = 0;
  is.has_rating = f.has_rating;
  if (f.has_rating) {
    detail::moments in;
    for (auto row : m)
      if (!std::isnan(f.rating[row])) in.add(f.rating[row]);
    const detail::moments rest = f.all_ratings.minus(in);
    is.rated = in.n;
    is.mean_rating = in.mean();
    is.rest_mean_rating = rest.mean();
    if (in.n >= 2 && rest.n >= 2) {
      // A handful of identical ratings has a sample variance of zero, which would make a tiny
      // cluster look certain; no group is trusted to vary less than all ratings do.
      const double a = std::max(in.variance(), var_all) / static_cast<double>(in.n);
      const double b = std::max(rest.variance(), var_all) / static_cast<double>(rest.n);
      const double se = std::sqrt(a + b);
      const double df =
          (a + b) * (a + b) /
          (a * a / static_cast<double>(in.n - 1) + b * b / static_cast<double>(rest.n - 1));
      const double t = t_quantile(p, df);
      is.gap = o.higher_rating_is_better ? rest.mean() - in.mean() : in.mean() - rest.mean();
      is.gap_low = is.gap - t * se;
      is.gap_high = is.gap + t * se;
      is.rating_term = clamp01(is.gap_low / sd_all);
    }
    weighted += o.rating_weight * is.rating_term;
    weights += o.rating_weight;
  }
  is.has_severity = !o.severity.empty();
  std::map<std::string, std::size_t> hit_counts;
  double severity_sum = 0;
  for (auto row : m) {
    severity_sum += f.severity[row] / 3.0;
    is.severe_voices += f.severity[row] > 0 ? 1 : 0;
    f.for_each_hit(row, [&](const std::string& t) { ++hit_counts[t]; });
    is.negated_voices += f.negated(row) ? 1 : 0;
  }
  if (is.has_severity) {
    is.severity_term = clamp01(severity_sum / static_cast<double>(m.size()));
    is.severity_hits.assign(hit_counts.begin(), hit_counts.end());
    std::stable_sort(is.severity_hits.begin(), is.severity_hits.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
    weighted += o.severity_weight * is.severity_term;
    weights += o.severity_weight;
  }
  is.negativity_term = static_cast<double>(is.negated_voices) / static_cast<double>(m.size());
  weighted += o.negativity_weight * is.negativity_term;
  weights += o.negativity_weight;
  is.has_segment = f.has_segment;
  if (f.has_segment) {
    double sum = 0;
    for (auto row : m)
      sum += f.segment_weight[row];
    is.mean_segment_weight = sum / static_cast<double>(m.size());
    is.segment_term = clamp01((is.mean_segment_weight - 1) / (f.max_segment_weight - 1));
    weighted += o.segment_weight * is.segment_term;
    weights += o.segment_weight;
  }
  return weights > 0 ? clamp01(weighted / weights) : 0.0;
}

/// The candidate of one cluster, whose rows are `m`, scored on the three criteria with reasons.
candidate score_cluster(const cluster_description& d, std::span<const std::uint32_t> m,
                        const row_facts& f, std::size_t rows, const score_options& o) {
  candidate c;
  c.cluster = d.id;
  c.key = cluster_key(d, o.decisions.key_terms);
  c.label = d.label;
  for (const auto& t : d.terms)
    c.top_terms.push_back(t.term);
  c.representatives = d.representatives;

  c.scores.frequency = measure_frequency(m, f, rows, o.frequency, c.frequency);
  c.scores.impact = measure_impact(m, f, o.impact, c.impact);

  // Difficulty: an override found by key wins over the rules.
  std::vector<std::string> top;
  for (std::size_t i = 0; i < d.terms.size() && i < o.difficulty.top_terms; ++i)
    top.push_back(d.terms[i].term);
  c.difficulty = rate_difficulty(top, o.difficulty.rules);
  double best_overlap = 0;
  for (const auto& ov : o.difficulty.overrides) {
    const double overlap = key_overlap(ov.key, c.key);
    if (overlap >= o.decisions.min_overlap && overlap > best_overlap) {
      best_overlap = overlap;
      c.difficulty.level = ov.level;
      c.difficulty.overridden = true;
      c.difficulty.override_key = ov.key;
      c.difficulty.override_reason = ov.reason;
    }
  }
  c.scores.difficulty = level_score(c.difficulty.level, o.difficulty);

  // Adoption, the team's rule, the quadrant and the small-cluster flag.
  const adoption_options& a = o.adoption;
  const double total = a.frequency_weight + a.impact_weight + a.ease_weight;
  c.scores.adoption =
      total > 0 ? (a.frequency_weight * c.scores.frequency + a.impact_weight * c.scores.impact +
                   a.ease_weight * (1 - c.scores.difficulty)) /
                      total
                : 0.0;
  const bool high_impact = c.scores.impact >= a.impact_split;
  const bool easy = c.scores.difficulty <= a.difficulty_split;
  c.quad = high_impact ? (easy ? quadrant::quick_win : quadrant::big_bet)
                       : (easy ? quadrant::fill_in : quadrant::reconsider);
  c.recommended = c.scores.frequency >= a.min_frequency && c.scores.impact >= a.min_impact &&
                  c.scores.difficulty <= a.max_difficulty;
  c.small_high_impact = c.frequency.share < a.small_share && c.scores.impact >= a.small_impact;

  c.reasons.push_back(
      frequency_reason(c.frequency, c.scores.frequency, o.frequency.period, f.has_periods));
  c.reasons.push_back(impact_reason(c.impact, c.scores.impact, o.impact.confidence));
  c.reasons.push_back(difficulty_reason(c.difficulty, c.scores.difficulty));
  c.reasons.push_back("採用スコア " + fixed(c.scores.adoption) + " = (" +
                      fixed(a.frequency_weight, 1) + "×頻度 + " + fixed(a.impact_weight, 1) +
                      "×影響度 + " + fixed(a.ease_weight, 1) + "×(1−難易度)) / " + fixed(total, 1));
  std::vector<std::string> unmet;
  if (c.scores.frequency < a.min_frequency)
    unmet.push_back("頻度 " + fixed(c.scores.frequency) + " < " + fixed(a.min_frequency));
  if (c.scores.impact < a.min_impact)
    unmet.push_back("影響度 " + fixed(c.scores.impact) + " < " + fixed(a.min_impact));
  if (c.scores.difficulty > a.max_difficulty)
    unmet.push_back("難易度 " + fixed(c.scores.difficulty) + " > " + fixed(a.max_difficulty));
  c.reasons.push_back(unmet.empty() ? "採用条件（頻度 ≥ " + fixed(a.min_frequency) + "、影響度 ≥ " +
                                          fixed(a.min_impact) + "、難易度 ≤ " +
                                          fixed(a.max_difficulty) + "）を満たす"
                                    : "採用条件を満たさない: " + join(unmet, "、"));
  if (c.small_high_impact)
    c.reasons.push_back("少数でも影響度が高い（全体の " + percent(c.frequency.share) + "、影響度 " +
                        fixed(c.scores.impact) + "）: 埋もれさせずに個別に確認");
  return c;
}

std::vector<candidate> score_with(const score_input& in, const score_options& o,
                                  const row_facts& f) {
  const std::size_t rows = in.rows();
  const std::size_t k = in.clusters.size();
  // Rows as 32-bit indices (the matrix's own indices are 32-bit, so rows fit), in one array:
  // at millions of voices these lists are a large part of scoring's memory.
  const std::size_t assigned = std::min(rows, in.assignment.size());
  const detail::cluster_members<std::uint32_t> members(in.assignment, k, assigned);

  // Clusters are scored apart, each into its own slot (in parallel: a cluster's signals read
  // every member's facts), and kept in cluster order.
  std::vector<std::optional<candidate>> slots(k);
  detail::parallel_chunks(k, 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t ci = first; ci < last; ++ci)
      if (!members[ci].empty()) slots[ci] = score_cluster(in.clusters[ci], members[ci], f, rows, o);
  });
  std::vector<candidate> out;
  for (auto& slot : slots)
    if (slot) out.push_back(std::move(*slot));

  std::stable_sort(out.begin(), out.end(), [](const candidate& x, const candidate& y) {
    if (x.scores.adoption != y.scores.adoption) return x.scores.adoption > y.scores.adoption;
    if (x.scores.impact != y.scores.impact) return x.scores.impact > y.scores.impact;
    return x.cluster < y.cluster;
  });
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].rank = i + 1;
  return out;
}

std::vector<critical_signal> critical_signals_with(const score_input& in, const score_options& o,
                                                   const row_facts& f, std::size_t min_voices) {
  std::set<std::string> critical;
  for (const auto& e : o.impact.severity)
    if (e.weight >= 3) critical.insert(e.term);
  if (critical.empty()) return {};
  // Voices per cluster of each critical entry, by its index in the (sorted) lexicon: the
  // entries are compared once, not once per hit.
  std::vector<char> is_critical(f.lexicon_terms.size(), 0);
  for (std::size_t t = 0; t < f.lexicon_terms.size(); ++t)
    is_critical[t] = critical.contains(f.lexicon_terms[t]) ? 1 : 0;
  std::vector<std::map<int, std::size_t>> where(f.lexicon_terms.size());
  for (const auto& [row, term] : f.hits) {
    const int a = row < in.assignment.size() ? in.assignment[row] : -1;
    // By the cluster's stable id (its description's), as candidates name clusters.
    const int c = a >= 0 && static_cast<std::size_t>(a) < in.clusters.size()
                      ? in.clusters[static_cast<std::size_t>(a)].id
                      : a;
    if (is_critical[term]) ++where[term][c];
  }
  std::vector<critical_signal> out;
  for (std::size_t t = 0; t < where.size(); ++t) {
    const std::map<int, std::size_t>& by_cluster = where[t];
    if (by_cluster.empty()) continue;
    critical_signal s;
    s.term = f.lexicon_terms[t];
    for (const auto& [c, n] : by_cluster) {
      s.voices += n;
      s.clusters.emplace_back(c, n);
    }
    if (s.voices < min_voices) continue;
    std::stable_sort(s.clusters.begin(), s.clusters.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const critical_signal& a, const critical_signal& b) {
    return a.voices > b.voices;
  });
  return out;
}

std::vector<std::string> signal_notes_with(const score_input& in, const score_options& o,
                                           const row_facts& f) {
  std::vector<std::string> notes;
  auto has_column = [&](const std::string& name) { return meta_column(in, name) >= 0; };
  if (!has_column(o.impact.rating_column))
    notes.push_back("評価の列（" + o.impact.rating_column +
                    "）がないため、影響度に評価を使っていません。");
  else if (!f.has_rating)
    notes.push_back("評価の列に使える数値が少ないため、影響度に評価を使っていません。");
  if (o.impact.severity.empty())
    notes.push_back("深刻語の辞書が空のため、影響度に深刻語を使っていません。");
  if (!o.impact.segment_weights.empty() && !has_column(o.impact.segment_column))
    notes.push_back("区分の列（" + o.impact.segment_column +
                    "）がないため、区分の重みを使っていません。");
  if (!f.has_periods) notes.push_back("日時が2期間分そろわないため、頻度に伸びを使っていません。");
  if (!has_column(o.frequency.contributor_column))
    notes.push_back("投稿者の列（" + o.frequency.contributor_column +
                    "）がないため、投稿者数と返信文案はありません。");
  if (o.difficulty.rules.empty())
    notes.push_back("難易度のルールが空のため、すべてのクラスタが未判定です。");
  return notes;
}

}  // namespace

std::vector<candidate> score(const score_input& in, const score_options& o) {
  return score_with(in, o, gather(in, o));
}

std::vector<critical_signal> critical_signals(const score_input& in, const score_options& o,
                                              std::size_t min_voices) {
  return critical_signals_with(in, o, gather(in, o), min_voices);
}

std::vector<std::string> signal_notes(const score_input& in, const score_options& o) {
  return signal_notes_with(in, o, gather(in, o, false));
}

scored_clusters score_clusters(const score_input& in, const score_options& o,
                               std::size_t critical_min_voices) {
  const row_facts facts = gather(in, o);
  scored_clusters out;
  out.candidates = score_with(in, o, facts);
  out.notes = signal_notes_with(in, o, facts);
  out.critical = critical_signals_with(in, o, facts, critical_min_voices);
  return out;
}

}  // namespace koe
