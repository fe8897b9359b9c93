// Trends across a chain of models: one point per fit and stable id, rolled up along lineage
// before a merge or split, with the one-file trends' alerts and writers.
#include <koe/model_trends.hpp>

#include <koe/error.hpp>
#include <koe/model_file.hpp>
#include <koe/score.hpp>

#include "detail/model_summary.hpp"
#include "detail/report.hpp"
#include "detail/trends_json.hpp"

#include <tbb/parallel_for.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <sstream>

namespace koe {

const char* to_string(chain_status status) noexcept {
  switch (status) {
    case chain_status::active:
      return "active";
    case chain_status::dormant:
      return "dormant";
    case chain_status::unborn:
      break;
  }
  return "unborn";
}

namespace {

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// The chain's rules, checked pairwise on neighbours; the first break names both files.
void check_chain(std::span<const model> chain, std::span<const std::string> names) {
  if (chain.empty()) throw error(errc::invalid_argument, "koe trend: no model given");
  if (names.size() != chain.size())
    throw error(errc::invalid_argument, "koe trend: " + std::to_string(chain.size()) +
                                            " models but " + std::to_string(names.size()) +
                                            " names");
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const model& m = chain[i];
    if (!m.fitted()) throw error(errc::invalid_model, names[i] + ": the model is not fitted");
    if (i == 0) continue;
    const model& p = chain[i - 1];
    const std::string pair = names[i] + " (after " + names[i - 1] + ")";
    if (m.fits <= p.fits)
      throw error(errc::invalid_argument,
                  pair + ": fits " + std::to_string(m.fits) + " is not above the previous " +
                      std::to_string(p.fits) + "; give the models oldest first, each a refit " +
                      "of the one before");
    for (std::size_t j = 0; j < i; ++j)
      if (chain[j].period == m.period)
        throw error(errc::invalid_argument, names[i] + ": period " + quoted(m.period) +
                                                " is also the period of " + names[j]);
    const auto a = period_of(p.period, period_unit::month);
    const auto b = period_of(m.period, period_unit::month);
    if (a && b && *b < *a)
      throw error(errc::invalid_argument,
                  pair + ": period " + quoted(m.period) + " comes before " + quoted(p.period));
    if (!(m.dictionary_id == p.dictionary_id))
      throw error(errc::dictionary_mismatch,
                  pair + ": fitted with another MeCab dictionary (" + m.dictionary_id.name + " " +
                      m.dictionary_id.fingerprint + ", not " + p.dictionary_id.name + " " +
                      p.dictionary_id.fingerprint + ")");
    if (!(m.tokenizer == p.tokenizer) || !(m.normalization == p.normalization))
      throw error(errc::invalid_argument,
                  pair + ": normalizes or tokenizes otherwise than the previous model");
  }
}

// Per fit: each id's own count and status, and the parents the fit records.
struct fit_view {
  std::map<int, std::size_t> size;  // active clusters
  std::map<int, bool> dormant;      // dormant clusters
  std::map<int, std::vector<int>> parents;
  std::size_t kept = 0;
  std::size_t clustered = 0;
};

fit_view view_of(const model& m, const std::string& name) {
  fit_view v;
  v.kept = static_cast<std::size_t>(m.vectorizer.documents);
  for (const auto& c : m.clusters) {
    v.size[c.id] = c.size;
    v.clustered += c.size;
    if (!c.parents.empty()) v.parents[c.id] = c.parents;
  }
  for (const auto& c : m.dormant) {
    v.dormant[c.id] = true;
    if (!c.parents.empty()) v.parents[c.id] = c.parents;
  }
  if (v.clustered > v.kept)
    throw error(errc::invalid_model, name + ": its clusters hold " + std::to_string(v.clustered) +
                                         " voices but the fit kept " + std::to_string(v.kept));
  return v;
}

// A lineage event of an id: the fit at which it got (new) parents.
struct lineage_event {
  std::size_t fit = 0;
  std::vector<int> parents;
};

class roll_up {
 public:
  explicit roll_up(const std::vector<fit_view>& fits) : fits_(fits) {
    // An event is a fit whose parents of an id differ from the previous fit's; parents already
    // recorded by the first model of the chain come from before it and roll nothing up.
    for (std::size_t f = 1; f < fits.size(); ++f)
      for (const auto& [id, parents] : fits[f].parents) {
        const auto before = fits[f - 1].parents.find(id);
        if (before == fits[f - 1].parents.end() || before->second != parents)
          events_[id].push_back({f, parents});
      }
  }

  // The count of `id` at fit `t`, with the lineage events up to fit `upto` applied, and whether
  // a roll-up gave it.
  // Its size at fit `t` when active there, else 0.
  [[nodiscard]] std::size_t own(int id, std::size_t t) const {
    const auto it = fits_[t].size.find(id);
    return it == fits_[t].size.end() ? 0 : it->second;
  }

  std::pair<std::size_t, bool> count(int id, std::size_t t, std::size_t upto, int depth = 0) const {
    const lineage_event* e = next_event(id, t, upto);
    if (e == nullptr || depth > 64) return {own(id, t), false};
    std::size_t sum = 0;
    for (const int p : e->parents)
      sum += count(p, t, e->fit - 1, depth + 1).first;
    return {sum, true};
  }

 private:
  // The earliest event of `id` after fit `t` and no later than `upto`.
  const lineage_event* next_event(int id, std::size_t t, std::size_t upto) const {
    const auto it = events_.find(id);
    if (it == events_.end()) return nullptr;
    for (const auto& e : it->second)
      if (e.fit > t && e.fit <= upto) return &e;
    return nullptr;
  }

  const std::vector<fit_view>& fits_;
  std::map<int, std::vector<lineage_event>> events_;
};

chain_status status_at(const fit_view& v, int id) {
  if (v.size.count(id) != 0) return chain_status::active;
  if (v.dormant.count(id) != 0) return chain_status::dormant;
  return chain_status::unborn;
}

// Each id's label, born and parents from the latest fit that has it.
std::map<int, chain_cluster> identities(std::span<const model> chain) {
  std::map<int, chain_cluster> out;
  for (const model& m : chain)
    for (const auto* table : {&m.clusters, &m.dormant})
      for (const auto& c : *table) {
        chain_cluster& x = out[c.id];
        x.id = c.id;
        x.label = c.label;
        x.born = c.born;
        x.parents = c.parents;
      }
  return out;
}

}  // namespace

chain_trends model_trends(std::span<const model> chain, std::span<const std::string> names,
                          const trend_options& options) {
  check_chain(chain, names);
  std::vector<fit_view> fits;
  fits.reserve(chain.size());
  for (std::size_t i = 0; i < chain.size(); ++i)
    fits.push_back(view_of(chain[i], names[i]));
  chain_trends out;
  trend_result& t = out.trends;
  t.unit = period_unit::month;
  t.options = options;
  for (std::size_t f = 0; f < chain.size(); ++f) {
    t.ordinals.push_back(static_cast<std::int64_t>(f));
    t.labels.push_back(chain[f].period);
    t.totals.push_back(fits[f].kept);
    out.clustered.push_back(fits[f].clustered);
    t.voices += fits[f].kept;
  }
  const roll_up lineage(fits);
  const std::size_t last = chain.size() - 1;
  for (auto& [id, identity] : identities(chain)) {
    trend_series s;
    s.cluster = id;
    for (std::size_t f = 0; f < chain.size(); ++f) {
      const auto [count, rolled] = lineage.count(id, f, last);
      s.points.push_back(wilson(count, t.totals[f]));
      s.total += count;
      identity.points.push_back({status_at(fits[f], id), rolled, lineage.own(id, f)});
    }
    t.series.push_back(std::move(s));
    out.clusters.push_back(std::move(identity));
  }
  trend_series noise;
  noise.cluster = trend_noise;
  chain_cluster noise_identity;
  noise_identity.id = trend_noise;
  noise_identity.label = "ノイズ";
  for (std::size_t f = 0; f < chain.size(); ++f) {
    const std::size_t n = fits[f].kept - fits[f].clustered;
    noise.points.push_back(wilson(n, t.totals[f]));
    noise.total += n;
    noise_identity.points.push_back({chain_status::active, false, n});
  }
  t.series.push_back(std::move(noise));
  out.clusters.push_back(std::move(noise_identity));
  t.alerts = find_alerts(t, options);
  return out;
}

chain_trends model_trends_of_files(std::span<const std::filesystem::path> files,
                                   const trend_options& options) {
  // Reading the files dominates; they are independent, so they are read in parallel, each into
  // its own slot.
  std::vector<model> chain(files.size());
  std::vector<std::string> names;
  for (const auto& f : files)
    names.push_back(f.string());
  // Any failure is kept in its slot; the first file's in chain order is the one reported, as a
  // loop in order would.
  std::vector<std::exception_ptr> failed(files.size());
  tbb::parallel_for(std::size_t{0}, files.size(), [&](std::size_t i) {
    try {
      // The summary skips the arrays trends never read; anything unusual about the file goes
      // to the full reader, whose error names what is wrong.
      std::optional<model> summary = detail::read_model_summary(files[i]);
      chain[i] = summary ? std::move(*summary) : load_model(files[i]);
    } catch (...) {
      failed[i] = std::current_exception();
    }
  });
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
  return model_trends(chain, names, options);
}

namespace {

const chain_cluster* identity_of(const chain_trends& t, std::int32_t id) {
  for (const auto& c : t.clusters)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace

void write_chain_trends_csv(std::ostream& out, const chain_trends& t) {
  out << "period,cluster,count,share,low,high,status,rolled_up,own\n";
  const trend_result& r = t.trends;
  for (std::size_t i = 0; i < r.series.size(); ++i) {
    const trend_series& s = r.series[i];
    const std::string name = series_name(s.cluster);
    for (std::size_t p = 0; p < s.points.size(); ++p) {
      const proportion& x = s.points[p];
      const chain_point& c = t.clusters[i].points[p];
      out << r.labels[p] << ',' << name << ',' << x.count << ',' << detail::fixed6(x.share) << ','
          << detail::fixed6(x.low) << ',' << detail::fixed6(x.high) << ',' << to_string(c.status)
          << ',' << (c.rolled_up ? 1 : 0) << ',' << c.own << '\n';
    }
  }
}

void write_chain_alerts_json(std::ostream& out, const chain_trends& t) {
  const trend_result& r = t.trends;
  nlohmann::ordered_json j;
  j["periods"] = r.labels;
  j["latest_period"] = r.labels.empty() ? std::string() : r.labels.back();
  j["test"] = "two-proportion z-test, one-sided: latest fit against the previous fits pooled";
  j["alpha"] = r.options.alpha;
  j["min_count"] = r.options.min_count;
  j["baseline_periods"] = r.options.baseline_periods;
  j["totals"] = r.totals;
  nlohmann::ordered_json alerts = nlohmann::ordered_json::array();
  for (const auto& a : r.alerts) {
    const chain_cluster* c = identity_of(t, a.cluster);
    alerts.push_back(detail::alert_json(a, c != nullptr ? c->label : std::string()));
  }
  j["alerts"] = std::move(alerts);
  out << j.dump(2) << '\n';
}

namespace {

bool alerted(const trend_result& t, std::int32_t cluster) {
  return std::any_of(t.alerts.begin(), t.alerts.end(),
                     [cluster](const trend_alert& a) { return a.cluster == cluster; });
}

void trend_row(std::ostream& out, const chain_trends& t, std::size_t i) {
  const trend_series& s = t.trends.series[i];
  const chain_cluster& c = t.clusters[i];
  const bool alert = alerted(t.trends, s.cluster);
  const proportion& last = s.points.back();
  out << "<tr><td class=\"n\">" << detail::html_text(series_name(s.cluster)) << "</td><td>"
      << detail::html_text(c.label);
  if (alert) out << " <span class=\"flag\">増加</span>";
  if (c.points.back().status == chain_status::dormant) out << " <span class=\"meta\">休止</span>";
  const bool rolled = std::any_of(c.points.begin(), c.points.end(),
                                  [](const chain_point& p) { return p.rolled_up; });
  if (rolled) out << " <span class=\"meta\">（以前は親の合計）</span>";
  out << "</td><td>";
  detail::sparkline(out, s, alert);
  out << "</td><td class=\"n\">" << detail::percent1(last.share) << "<br><span class=\"meta\">"
      << detail::percent1(last.low) << "–" << detail::percent1(last.high) << "</span></td></tr>\n";
}

}  // namespace

void write_chain_trend_html(std::ostream& out, const chain_trends& t) {
  const trend_result& r = t.trends;
  out << "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>koe "
         "割合の推移</title>\n<style>body{font-family:sans-serif;margin:2em;color:#1f2933}"
         "table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #e4e7eb;"
         "text-align:left;vertical-align:middle}.n{text-align:right;white-space:nowrap}"
         ".meta{color:#616e7c;font-size:85%}.flag{color:#b91c1c;font-weight:bold}</style>\n"
         "</head>\n<body>\n<h1>割合の推移";
  if (!r.labels.empty())
    out << "（" << detail::html_text(r.labels.front()) << "〜" << detail::html_text(r.labels.back())
        << "）";
  out << "</h1>\n<p class=\"meta\">" << r.labels.size()
      << " 回の学習（モデル）を通した、クラスタ ID ごとの声の割合。帯は 95% 信頼区間（Wilson）、"
         "赤い点は最新の学習で有意な増加（片側 p &lt; "
      << r.options.alpha
      << "）。統合・分割で生まれたクラスタの、それ以前の値は親クラスタの合計です。</p>\n";
  for (const auto& a : r.alerts) {
    const chain_cluster* c = identity_of(t, a.cluster);
    out << "<p><span class=\"flag\">増加</span> "
        << detail::html_text(c != nullptr ? c->label : series_name(a.cluster)) << ": "
        << detail::html_text(a.reason) << "</p>\n";
  }
  out << "<table>\n<thead><tr><th>ID</th><th>クラスタ</th><th>推移</th><th>最新</th></tr>"
         "</thead>\n<tbody>\n";
  for (std::size_t i = 0; i < r.series.size(); ++i)
    trend_row(out, t, i);
  out << "</tbody>\n</table>\n</body>\n</html>\n";
}

output_manifest write_chain_trend_outputs(const std::filesystem::path& dir, const chain_trends& t) {
  // A run's folder has its own trends.csv and manifest.json; writing over them would leave it
  // a trend set that no longer lists the run's files.
  if (std::filesystem::exists(dir / "clusters.json"))
    throw error(errc::invalid_argument,
                dir.string() +
                    ": holds the output of koe cluster or koe assign (clusters.json); "
                    "write koe trend's files to a folder of their own");
  return write_output_set(dir,
                          {{"trends.csv", [&](std::ostream& o) { write_chain_trends_csv(o, t); }},
                           {"alerts.json", [&](std::ostream& o) { write_chain_alerts_json(o, t); }},
                           {"trend.html", [&](std::ostream& o) { write_chain_trend_html(o, t); }}});
}

}  // namespace koe
