// The three KPIs per period: participation, adoption rate and satisfaction (koe/programme.hpp,
// definitions in docs/scoring.md), and kpis.csv. The report's section is in report_kpis.cpp.
#include <koe/programme.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>

#include "detail/csv.hpp"
#include "detail/programme.hpp"
#include "detail/report.hpp"
#include "detail/score_text.hpp"
#include "detail/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace koe {

namespace detail {

namespace {

// One kept voice as the KPIs read it.
struct voice_fact {
  std::optional<std::int64_t> period;  // Ordinal of its period; none when it has no date.
  std::optional<std::int64_t> day;     // Ordinal of its day; none when its time has no day.
  int cluster = -1;                    // Stable cluster id; -1 = noise.
  int contributor = -1;                // Index into `kpi_facts::contributors`; -1 = none.
  std::optional<double> rating;
};

// Whether a cluster's candidate reached 採用 or later, and on which day.
struct cluster_adoption {
  bool adopted = false;
  std::optional<std::int64_t> day;
};

// Everything the KPI rows are counted from, read once.
struct kpi_facts {
  std::vector<voice_fact> voices;
  std::size_t contributors = 0;
  bool has_contributors = false;
  bool has_rating = false;
  std::map<int, cluster_adoption> adoption;  // By stable cluster id.
  // Per contributor: the first period they wrote in, the number of periods they wrote in, and
  // the first day on which one of their voices sat in a cluster already adopted.
  std::vector<std::optional<std::int64_t>> first_period;
  std::vector<std::size_t> periods;
  std::vector<std::optional<std::int64_t>> heard_from;
  std::vector<std::string> notes;
};

int column_of(const score_input& in, const std::string& name) {
  return name.empty() || in.records == nullptr ? -1 : in.records->meta_index(name);
}

// The voices' periods, days, clusters, contributors and ratings.
void read_voices(const score_input& in, const score_options& options, kpi_facts& f) {
  const int contributor = column_of(in, options.frequency.contributor_column);
  const int rating = column_of(in, options.impact.rating_column);
  f.has_contributors = contributor >= 0;
  f.has_rating = rating >= 0;
  std::map<std::string, int, std::less<>> index;
  f.voices.resize(in.rows());
  for (std::size_t row = 0; row < in.rows(); ++row) {
    const document_view d = in.records->documents[in.row_document[row]];
    voice_fact& v = f.voices[row];
    v.period = period_of(d.timestamp, options.trends.period);
    v.day = period_of(d.timestamp, period_unit::day);
    const std::int32_t a = in.assignment[row];
    if (a >= 0) v.cluster = in.clusters[static_cast<std::size_t>(a)].id;
    if (contributor >= 0 && static_cast<std::size_t>(contributor) < d.meta.size()) {
      std::string name = trim(d.meta[static_cast<std::size_t>(contributor)]);
      if (!name.empty()) {
        const auto [it, added] = index.emplace(std::move(name), static_cast<int>(index.size()));
        v.contributor = it->second;
      }
    }
    if (rating >= 0 && static_cast<std::size_t>(rating) < d.meta.size())
      v.rating = parse_number(d.meta[static_cast<std::size_t>(rating)]);
  }
  f.contributors = index.size();
}

// Each contributor's first period, number of periods and first day of being heard.
void read_contributors(kpi_facts& f) {
  f.first_period.assign(f.contributors, std::nullopt);
  f.periods.assign(f.contributors, 0);
  f.heard_from.assign(f.contributors, std::nullopt);
  std::vector<std::pair<int, std::int64_t>> seen;  // (contributor, period)
  for (const voice_fact& v : f.voices) {
    if (v.contributor < 0) continue;
    const auto c = static_cast<std::size_t>(v.contributor);
    if (v.period) {
      f.first_period[c] = std::min(f.first_period[c].value_or(*v.period), *v.period);
      seen.emplace_back(v.contributor, *v.period);
    }
    const auto a = f.adoption.find(v.cluster);
    // A voice feeds an adoption when it came on or before the adoption date; its writer is
    // heard from that date on. A voice written after the adoption fed nothing.
    if (v.day && a != f.adoption.end() && a->second.adopted && a->second.day &&
        *v.day <= *a->second.day) {
      const std::int64_t heard = *a->second.day;
      f.heard_from[c] = std::min(f.heard_from[c].value_or(heard), heard);
    }
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (const auto& [c, p] : seen)
    ++f.periods[static_cast<std::size_t>(c)];
}

kpi_facts gather(const score_input& in, const std::vector<candidate>& candidates,
                 const std::vector<stage_state>& stages, const score_options& options) {
  kpi_facts f;
  for (std::size_t i = 0; i < candidates.size() && i < stages.size(); ++i) {
    cluster_adoption& a = f.adoption[candidates[i].cluster];
    a.adopted = reached_adoption(stages[i].stage);
    if (a.adopted) a.day = period_of(stages[i].adopted_on, period_unit::day);
  }
  if (in.records != nullptr) read_voices(in, options, f);
  read_contributors(f);
  if (!f.has_contributors)
    f.notes.push_back("投稿者の列がないため参加の指標は出せません（列名: " +
                      options.frequency.contributor_column + "）");
  if (!f.has_rating)
    f.notes.push_back(
        "評価の列がないため満足度は出せません（列名: " + options.impact.rating_column + "）");
  return f;
}

double ratio(std::size_t part, std::size_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// Contributors of `rows`; `period` none = the whole run (new = all, returning = those who wrote
// in two periods or more).
void count_participation(const kpi_facts& f, const std::vector<std::size_t>& rows,
                         std::optional<std::int64_t> period, kpi_row& k) {
  k.has_contributors = f.has_contributors;
  if (!f.has_contributors) return;
  std::vector<int> who;
  std::size_t with_contributor = 0;
  for (const std::size_t r : rows)
    if (f.voices[r].contributor >= 0) {
      who.push_back(f.voices[r].contributor);
      ++with_contributor;
    }
  std::sort(who.begin(), who.end());
  who.erase(std::unique(who.begin(), who.end()), who.end());
  k.contributors = who.size();
  for (const int c : who) {
    const auto i = static_cast<std::size_t>(c);
    if (!period)
      k.returning_contributors += f.periods[i] >= 2 ? 1 : 0;
    else if (f.first_period[i] == period)
      ++k.new_contributors;
  }
  if (!period)
    k.new_contributors = k.contributors;
  else
    k.returning_contributors = k.contributors - k.new_contributors;
  k.voices_per_contributor = ratio(with_contributor, k.contributors);
}

std::optional<double> median(std::vector<double> xs) {
  if (xs.empty()) return std::nullopt;
  std::sort(xs.begin(), xs.end());
  const std::size_t m = xs.size() / 2;
  return xs.size() % 2 == 1 ? xs[m] : 0.5 * (xs[m - 1] + xs[m]);
}

void count_adoption(const kpi_facts& f, const std::vector<std::size_t>& rows, kpi_row& k) {
  // The clusters of `rows`, each with the day of its first dated voice among them.
  std::map<int, std::optional<std::int64_t>> first_day;
  for (const std::size_t r : rows) {
    const voice_fact& v = f.voices[r];
    if (v.cluster < 0) continue;
    auto& d = first_day[v.cluster];
    if (v.day) d = std::min(d.value_or(*v.day), *v.day);
    const auto a = f.adoption.find(v.cluster);
    if (a != f.adoption.end() && a->second.adopted) ++k.adopted_voices;
  }
  std::vector<double> days;
  k.clusters = first_day.size();
  for (const auto& [cluster, first] : first_day) {
    const auto a = f.adoption.find(cluster);
    if (a == f.adoption.end() || !a->second.adopted) continue;
    ++k.adopted_clusters;
    if (first && a->second.day && *a->second.day >= *first)
      days.push_back(static_cast<double>(*a->second.day - *first));
  }
  k.cluster_adoption_rate = ratio(k.adopted_clusters, k.clusters);
  k.voice_adoption_rate = ratio(k.adopted_voices, k.voices);
  k.median_days_to_adoption = median(std::move(days));
}

// Mean and two-sided 95% t interval of `m` (n = 1: the mean alone).
mean_interval interval_of(const moments& m) {
  mean_interval x;
  x.n = m.n;
  if (m.n == 0) return x;
  x.mean = m.mean();
  x.low = x.high = x.mean;
  if (m.n >= 2) {
    const double t = t_quantile(0.975, static_cast<double>(m.n - 1));
    const double half = t * std::sqrt(m.variance() / static_cast<double>(m.n));
    x.low = x.mean - half;
    x.high = x.mean + half;
  }
  return x;
}

void count_satisfaction(const kpi_facts& f, const std::vector<std::size_t>& rows, kpi_row& k) {
  k.has_rating = f.has_rating;
  if (!f.has_rating) return;
  moments all, heard, other;
  for (const std::size_t r : rows) {
    const voice_fact& v = f.voices[r];
    if (!v.rating) continue;
    all.add(*v.rating);
    if (v.contributor < 0) continue;
    const auto& from = f.heard_from[static_cast<std::size_t>(v.contributor)];
    (from && v.day && *from <= *v.day ? heard : other).add(*v.rating);
  }
  k.rating = interval_of(all);
  if (!f.has_contributors) return;
  k.heard_rating = interval_of(heard);
  k.other_rating = interval_of(other);
}

kpi_row measure(const kpi_facts& f, const std::vector<std::size_t>& rows, std::string label,
                std::optional<std::int64_t> period) {
  kpi_row k;
  k.period = std::move(label);
  k.voices = rows.size();
  count_participation(f, rows, period, k);
  count_adoption(f, rows, k);
  count_satisfaction(f, rows, k);
  k.notes = f.notes;
  return k;
}

}  // namespace

std::vector<kpi_row> programme_kpis(const score_input& in, const std::vector<candidate>& candidates,
                                    const std::vector<stage_state>& stages,
                                    const score_options& options) {
  const kpi_facts f = gather(in, candidates, stages, options);
  std::optional<std::int64_t> first, last;
  for (const voice_fact& v : f.voices)
    if (v.period) {
      first = std::min(first.value_or(*v.period), *v.period);
      last = std::max(last.value_or(*v.period), *v.period);
    }
  std::vector<kpi_row> out;
  std::vector<std::size_t> all(f.voices.size());
  for (std::size_t r = 0; r < all.size(); ++r)
    all[r] = r;
  if (first) {
    // Every period from the first to the last, empty ones included, as trends.csv has them.
    std::vector<std::vector<std::size_t>> by_period(static_cast<std::size_t>(*last - *first + 1));
    std::size_t undated = 0;
    for (std::size_t r = 0; r < f.voices.size(); ++r) {
      if (f.voices[r].period)
        by_period[static_cast<std::size_t>(*f.voices[r].period - *first)].push_back(r);
      else
        ++undated;
    }
    for (std::size_t p = 0; p < by_period.size(); ++p) {
      const std::int64_t ordinal = *first + static_cast<std::int64_t>(p);
      out.push_back(
          measure(f, by_period[p], period_label(ordinal, options.trends.period), ordinal));
    }
    out.push_back(measure(f, all, "all", std::nullopt));
    if (undated > 0)
      out.back().notes.push_back("日時のない声 " + std::to_string(undated) +
                                 " 件は all の行にだけ数えています");
  } else {
    out.push_back(measure(f, all, "all", std::nullopt));
  }
  return out;
}

}  // namespace detail

namespace {

void interval_cells(detail::csv::row& row, const mean_interval& x, bool shown) {
  if (!shown) {
    row.empty(4);
    return;
  }
  row.field(x.n);
  if (x.n == 0) {
    row.empty(3);
    return;
  }
  row.field(detail::fixed6(x.mean)).field(detail::fixed6(x.low)).field(detail::fixed6(x.high));
}

// A rate, or an empty cell when its denominator is zero.
std::string rate_cell(double rate, std::size_t whole) {
  return whole > 0 ? detail::fixed6(rate) : std::string();
}

std::string joined(const std::vector<std::string>& notes) {
  std::string s;
  for (const std::string& n : notes)
    s += (s.empty() ? "" : "; ") + n;
  return s;
}

}  // namespace

void write_kpis_csv(std::ostream& out, const programme_result& p) {
  out << "period,voices,contributors,new_contributors,returning_contributors,"
         "voices_per_contributor,clusters,adopted_clusters,cluster_adoption_rate,adopted_voices,"
         "voice_adoption_rate,median_days_to_adoption,rating_n,rating_mean,rating_low,"
         "rating_high,heard_n,heard_mean,heard_low,heard_high,other_n,other_mean,other_low,"
         "other_high,notes\n";
  std::string s;
  for (const kpi_row& k : p.kpis) {
    s.clear();
    detail::csv::row row(s);
    row.field(k.period).field(k.voices);
    if (k.has_contributors)
      row.field(k.contributors)
          .field(k.new_contributors)
          .field(k.returning_contributors)
          .field(rate_cell(k.voices_per_contributor, k.contributors));
    else
      row.empty(4);
    row.field(k.clusters)
        .field(k.adopted_clusters)
        .field(rate_cell(k.cluster_adoption_rate, k.clusters))
        .field(k.adopted_voices)
        .field(rate_cell(k.voice_adoption_rate, k.voices))
        .field(k.median_days_to_adoption ? detail::fixed6(*k.median_days_to_adoption)
                                         : std::string());
    interval_cells(row, k.rating, k.has_rating);
    interval_cells(row, k.heard_rating, k.has_rating && k.has_contributors);
    interval_cells(row, k.other_rating, k.has_rating && k.has_contributors);
    row.field(joined(k.notes)).end();
    out << s;
  }
}

}  // namespace koe
