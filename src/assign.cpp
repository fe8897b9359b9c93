// Assigning new voices to a fitted model: read and tokenize as the model was fitted, weigh with
// its vocabulary, nearest centroid, the new-theme rule, and the new themes grouped on their own.
#include <koe/assign.hpp>
#include <koe/error.hpp>

#include "detail/io_text.hpp"
#include "detail/report.hpp"

#include <tbb/task_arena.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace koe {

const char* to_string(new_theme_reason reason) noexcept {
  switch (reason) {
    case new_theme_reason::none:
      return "";
    case new_theme_reason::below_threshold:
      return "below_threshold";
    case new_theme_reason::no_known_terms:
      return "no_known_terms";
  }
  return "";
}

tokenize_options tokenize_options_of(const model& m) {
  tokenize_options t = m.tokenizer;
  if (!m.stopwords.empty()) {
    // The stop words in effect at the fit, whatever the files hold now.
    t.stopword_files.clear();
    t.use_default_stopwords = false;
    t.extra_stopwords = m.stopwords;
  }
  return t;
}

std::vector<double> new_theme_thresholds(const model& m, const new_theme_options& o) {
  std::vector<double> out;
  if (o.mode == new_theme_mode::off) return out;
  KOE_THROW_IF_NOT(
      o.percentile >= 0 && o.percentile <= 100, errc::invalid_argument,
      "the new-theme percentile must be in [0, 100], not " + std::to_string(o.percentile));
  out.reserve(m.clusters.size());
  for (const model_cluster& c : m.clusters) {
    if (o.mode == new_theme_mode::fixed) {
      out.push_back(o.similarity);
      continue;
    }
    const std::vector<double>& p = c.similarity_percentiles;
    const auto at = static_cast<std::size_t>(o.percentile);
    out.push_back(p.size() == 101 ? std::max(o.floor, p[at]) : o.floor);
  }
  return out;
}

assignment_status assign_result::status(std::size_t record) const {
  const std::span<const std::size_t> rows = batch.row_document;
  const auto it = std::lower_bound(rows.begin(), rows.end(), record);
  std::optional<std::size_t> row;
  if (it != rows.end() && *it == record) row = static_cast<std::size_t>(it - rows.begin());
  return detail::assignment_status_of(batch, &new_theme, record, row);
}

std::string assign_result::reason(std::size_t record) const {
  const std::span<const std::size_t> rows = batch.row_document;
  const auto it = std::lower_bound(rows.begin(), rows.end(), record);
  std::optional<std::size_t> row;
  if (it != rows.end() && *it == record) row = static_cast<std::size_t>(it - rows.begin());
  return detail::assignment_reason(batch, &new_theme, record, row);
}

std::size_t assign_result::count(assignment_status s) const {
  // Records and rows walked in step (rows ascend by record): no search per record.
  const std::vector<std::size_t>& rows = batch.row_document;
  std::size_t n = 0;
  std::size_t row = 0;
  for (std::size_t i = 0; i < batch.input.documents.size(); ++i) {
    while (row < rows.size() && rows[row] < i)
      ++row;
    std::optional<std::size_t> at;
    if (row < rows.size() && rows[row] == i) at = row;
    n += detail::assignment_status_of(batch, &new_theme, i, at) == s ? 1 : 0;
  }
  return n;
}

namespace {

// What a batch keeps of the model: everything but the vocabulary and the matrices.
model light_copy(const model& m) {
  model out;
  out.normalization = m.normalization;
  out.tokenizer = m.tokenizer;
  out.dictionary = m.dictionary;
  out.dictionary_id = m.dictionary_id;
  out.stopwords = m.stopwords;
  out.vectorizer.options = m.vectorizer.options;
  out.vectorizer.documents = m.vectorizer.documents;
  out.lsa = m.lsa;
  out.clustering = m.clustering;
  out.clustering.init = dense_matrix();
  out.description = m.description;
  out.clusters = m.clusters;
  out.k_curve = m.k_curve;
  out.decisions = m.decisions;
  out.period_first = m.period_first;
  out.period_last = m.period_last;
  return out;
}

pipeline_options reading_options(const model& m, const assign_options& o) {
  pipeline_options p = o.reading;
  p.normalize = m.normalization;
  p.tokenize = tokenize_options_of(m);
  if (!o.dicdir.empty()) p.tokenize.dicdir = o.dicdir;
  p.vectorize = m.vectorizer.options;
  p.cluster = m.clustering;
  p.cluster.init = dense_matrix();
  p.lsa_dimensions = m.lsa.dimensions;
  p.describe = m.description;
  return p;
}

void check_model(const model& m) {
  KOE_THROW_IF_NOT(m.fitted(), errc::invalid_argument, "the model has not been fitted");
  const auto k = static_cast<std::size_t>(m.centroids.rows());
  const auto columns = static_cast<std::size_t>(m.centroids.cols());
  const bool lsa = m.lsa_basis.size() > 0;
  KOE_THROW_IF_NOT(
      m.clusters.size() == k && m.vectorizer.idf.size() == m.vectorizer.vocabulary.size() &&
          m.vectorizer.index.size() <= m.vectorizer.vocabulary.size() &&
          (lsa ? static_cast<std::size_t>(m.lsa_basis.rows()) == m.vectorizer.vocabulary.size() &&
                     static_cast<std::size_t>(m.lsa_basis.cols()) == columns
               : columns == m.vectorizer.vocabulary.size()),
      errc::invalid_model,
      "the model's parts do not fit together (" + std::to_string(k) + " centroids of " +
          std::to_string(columns) + " columns, " + std::to_string(m.clusters.size()) +
          " clusters, " + std::to_string(m.vectorizer.vocabulary.size()) + " terms)");
  std::unordered_set<int> ids;
  for (std::size_t i = 0; i < k; ++i)
    KOE_THROW_IF_NOT(m.clusters[i].id >= 0 && ids.insert(m.clusters[i].id).second,
                     errc::invalid_model,
                     "the model's cluster " + std::to_string(i) + " has id " +
                         std::to_string(m.clusters[i].id) + ", negative or repeated");
}

// The dictionary as a message names it: its sys.dic, layout and the start of its fingerprint.
std::string dictionary_text(const dictionary_identity& id, const std::string& directory) {
  std::string s = id.name.empty() ? directory : id.name;
  if (!id.layout.empty()) s += " (" + id.layout;
  if (!id.fingerprint.empty())
    s += (id.layout.empty() ? " (" : ", ") + id.fingerprint.substr(0, 16);
  if (!id.layout.empty() || !id.fingerprint.empty()) s += ")";
  for (const std::string& u : id.user_dictionaries)
    s += " + " + u;
  return s;
}

// The same dictionary: by its fingerprint, layout, character set and user dictionaries where
// the model recorded them (wherever the files now are), else by its directory.
bool same_dictionary(const model& m, const tokenizer& tok) {
  const dictionary_identity& was = m.dictionary_id;
  if (was.fingerprint.empty()) return m.dictionary.empty() || m.dictionary == tok.dictionary();
  const dictionary_identity& now = tok.identity();
  return was.fingerprint == now.fingerprint && was.layout == now.layout &&
         was.charset == now.charset && was.user_dictionaries == now.user_dictionaries;
}

void check_dictionary(const model& m, const tokenizer& tok, bool allow) {
  if (allow || same_dictionary(m, tok)) return;
  throw error(errc::dictionary_mismatch,
              "the model was fitted with the MeCab dictionary " +
                  dictionary_text(m.dictionary_id, m.dictionary) +
                  ", but the tokenizer now loads " +
                  dictionary_text(tok.identity(), tok.dictionary()) +
                  "; give the model's dictionary (--dicdir) or allow the change "
                  "(--allow-dictionary-change)");
}

// What of `now` differs from the model's tokenizing, for a message; empty when nothing does.
std::string tokenizing_difference(const model& m, const tokenizer& tok,
                                  const normalize_options& normalization,
                                  const tokenize_options& now) {
  std::string d;
  const auto add = [&d](bool differs, const char* what) {
    if (differs) d += (d.empty() ? "" : ", ") + std::string(what);
  };
  const tokenize_options& was = m.tokenizer;
  add(!(normalization == m.normalization), "normalization options");
  add(now.pos != was.pos, "parts of speech (--pos)");
  add(now.drop_subclasses != was.drop_subclasses, "dropped subclasses");
  add(now.compounds != was.compounds, "compounds");
  add(now.join_negation != was.join_negation, "negation joining");
  add(now.fold_numbers != was.fold_numbers || now.number_term != was.number_term, "number folding");
  add(!m.stopwords.empty() && tok.stopwords() != m.stopwords, "stop words");
  return d;
}

}  // namespace

void check_same_tokenizing(const model& m, const tokenizer& tok,
                           const normalize_options& normalization, const tokenize_options& now,
                           bool allow_dictionary_change) {
  check_dictionary(m, tok, allow_dictionary_change);
  const std::string d = tokenizing_difference(m, tok, normalization, now);
  if (d.empty()) return;
  throw error(errc::dictionary_mismatch,
              "the previous model was fitted with other " + d +
                  " than this run's; give the options it was fitted with, so that its terms "
                  "keep their meaning");
}

namespace {

// Vectorizing options under which `rows` documents keep any term at all: the model's, with the
// document-frequency bounds relaxed where a small bucket would make them contradict.
vectorize_options bucket_options(vectorize_options o, std::size_t rows) {
  o.max_features = 0;
  if (o.max_df.count(rows) < o.min_df.count(rows)) o.max_df = df_bound{1.0, true};
  if (o.max_df.count(rows) < o.min_df.count(rows)) o.min_df = df_bound{1, false};
  return o;
}

}  // namespace

placement place_voices(const model& m, const term_table& terms, const sparse_matrix& x,
                       const std::vector<double>& thresholds) {
  placement p;
  clustering& c = p.clusters;
  c = m.lsa_basis.size() > 0 ? nearest_centroids(project_lsa(x, m.lsa_basis), m.centroids)
                             : nearest_centroids(x, m.centroids);
  const bool active = !thresholds.empty();
  const std::size_t n = c.assignment.size();
  p.new_theme.assign(n, new_theme_reason::none);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t a = c.assignment[i];
    if (a < 0) {
      // No term of the vocabulary: a new theme when it had terms of its own.
      if (active && !terms.row(i).empty()) p.new_theme[i] = new_theme_reason::no_known_terms;
      continue;
    }
    if (active && c.similarity[i] < thresholds[static_cast<std::size_t>(a)]) {
      p.new_theme[i] = new_theme_reason::below_threshold;
    } else if (!(c.similarity[i] < m.clustering.min_similarity)) {
      continue;
    }
    // As the fit: below the least similarity, the voice is in no cluster.
    c.noise[i] = noise_reason::low_similarity;
    c.assignment[i] = -1;
  }
  return p;
}

new_theme_groups group_new_themes(const model& m, const term_table& all_terms,
                                  const std::vector<std::uint64_t>& text_hash,
                                  const std::vector<new_theme_reason>& new_theme,
                                  std::size_t voices_per_group) {
  new_theme_groups g;
  for (std::size_t i = 0; i < new_theme.size(); ++i)
    if (new_theme[i] != new_theme_reason::none) g.rows.push_back(i);
  if (g.rows.empty()) return g;
  term_table terms;
  std::vector<std::uint64_t> hashes;
  hashes.reserve(g.rows.size());
  for (const std::size_t r : g.rows) {
    for (const term_table::id_type id : all_terms.row(r))
      terms.push(all_terms.term(id));
    terms.end_row();
    hashes.push_back(text_hash[r]);
  }
  g.vectorizer = fit_tfidf(terms, bucket_options(m.vectorizer.options, g.rows.size()));
  const sparse_matrix x = transform(terms, g.vectorizer);
  std::size_t with_terms = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    with_terms += x.outerIndexPtr()[i + 1] > x.outerIndexPtr()[i] ? 1 : 0;
  if (with_terms == 0) {
    g.groups.assignment.assign(g.rows.size(), -1);
    g.groups.similarity.assign(g.rows.size(), 0.0f);
    g.groups.noise.assign(g.rows.size(), noise_reason::no_terms);
    return g;
  }
  cluster_options co = m.clustering;
  co.init = dense_matrix();
  co.min_similarity = 0;
  co.merge_factor = 1;
  const std::size_t most = with_terms / std::max<std::size_t>(1, voices_per_group);
  if (most < 2) {
    co.k = 1;
  } else {
    co.k = 0;
    co.k_max = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(co.k_max), most));
    co.k_min = std::min(co.k_min, co.k_max);
  }
  g.groups = cluster(x, co);
  g.descriptions = describe(terms, g.vectorizer, g.groups, hashes, m.description);
  for (cluster_description& d : g.descriptions)
    for (std::size_t& r : d.representatives)
      r = g.rows[r];
  return g;
}

struct assigner::impl {
  const model& m;
  assign_options options;
  pipeline reader;
  tbb::task_arena arena;
  std::vector<double> thresholds;

  impl(const model& fitted, const assign_options& o)
      : m(fitted),
        options(o),
        reader(reading_options(fitted, o)),
        arena(o.reading.threads > 0 ? o.reading.threads : tbb::task_arena::automatic),
        thresholds(new_theme_thresholds(fitted, o.new_theme)) {
    check_dictionary(m, reader.get_tokenizer(), o.allow_dictionary_change);
  }

  // Nearest centroids, the new-theme rule and the fit's noise rule.
  void place(assign_result& res) const {
    analysis_result& b = res.batch;
    sparse_matrix x = transform(b.terms, m.vectorizer);
    placement p = place_voices(m, b.terms, x, thresholds);
    res.new_theme = std::move(p.new_theme);
    b.clusters = std::move(p.clusters);
    b.tfidf.rows.swap(x);
  }

  // One description per model cluster: the model's label and key terms (so that decisions find
  // their cluster by its key), this batch's size, cohesion and representatives.
  void describe_batch(assign_result& res) const {
    analysis_result& b = res.batch;
    b.descriptions = describe(b.terms, m.vectorizer, b.clusters, b.text_hash, m.description);
    for (std::size_t i = 0; i < b.descriptions.size(); ++i) {
      cluster_description& d = b.descriptions[i];
      const model_cluster& mc = m.clusters[i];
      d.id = mc.id;  // the model's stable id; the batch's rows index the model's rows
      std::unordered_map<std::string, double> weight;
      for (const term_weight& t : d.terms)
        weight.emplace(t.term, t.weight);
      d.label = mc.label;
      d.terms.clear();
      for (const std::string& t : mc.key_terms) {
        const auto it = weight.find(t);
        d.terms.push_back({t, it == weight.end() ? 0.0 : it->second});
      }
    }
  }

  assign_result finish(analysis_result batch) {
    assign_result res;
    res.period_first = std::move(batch.fitted.period_first);
    res.period_last = std::move(batch.fitted.period_last);
    res.batch = std::move(batch);
    res.batch.fitted = light_copy(m);
    res.rule = options.new_theme;
    res.thresholds = thresholds;
    arena.execute([&] {
      place(res);
      describe_batch(res);
      res.new_themes = group_new_themes(m, res.batch.terms, res.batch.text_hash, res.new_theme,
                                        options.new_theme.voices_per_group);
    });
    return res;
  }

  static void require_rows(const analysis_result& b) {
    KOE_THROW_IF_NOT(!b.row_document.empty(), errc::empty_corpus,
                     b.input.source + ": no voice with text to assign (read " +
                         std::to_string(b.input.read()) + ")");
  }
};

assigner::assigner(const model& m, const assign_options& options) {
  check_model(m);
  impl_ = std::make_unique<impl>(m, options);
}
assigner::~assigner() = default;
assigner::assigner(assigner&&) noexcept = default;
assigner& assigner::operator=(assigner&&) noexcept = default;

assign_result assigner::run(const std::filesystem::path& path) {
  return run(std::vector<std::filesystem::path>{path});
}

assign_result assigner::run(const std::vector<std::filesystem::path>& paths) {
  analysis_result b = impl_->reader.read_terms(paths);
  impl::require_rows(b);
  return impl_->finish(std::move(b));
}

analysis_result assigner::read_terms(const std::filesystem::path& path) {
  return impl_->reader.read_terms(path);
}

analysis_result assigner::read_terms(const std::vector<std::filesystem::path>& paths) {
  return impl_->reader.read_terms(paths);
}

assign_result assigner::run(corpus input) {
  analysis_result b = impl_->reader.read_terms(std::move(input));
  impl::require_rows(b);
  return impl_->finish(std::move(b));
}

std::vector<assigned_voice> assigner::assign_texts(const std::vector<std::string>& texts) {
  corpus c;
  c.source = "texts";
  c.encoding = "utf-8";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    document d;
    d.record = i + 1;
    d.line = i + 1;
    d.id = std::to_string(i + 1);
    d.text = texts[i];
    // A blank voice is empty as the reader would have it, not a voice blank once normalized.
    if (detail::is_blank(d.text)) d.status = record_status::empty;
    c.documents.push_back(d);
  }
  const assign_result r = impl_->finish(impl_->reader.read_terms(std::move(c)));
  std::vector<assigned_voice> out(texts.size());
  const analysis_result& b = r.batch;
  for (std::size_t row = 0; row < b.row_document.size(); ++row) {
    assigned_voice& v = out[b.row_document[row]];
    const std::int32_t a = b.clusters.assignment[row];
    v.cluster = a < 0 ? -1 : impl_->m.clusters[static_cast<std::size_t>(a)].id;
    v.similarity = b.clusters.similarity[row];
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].status = r.status(i);
    out[i].reason = r.reason(i);
  }
  return out;
}

const std::vector<double>& assigner::thresholds() const noexcept {
  return impl_->thresholds;
}
const model& assigner::fitted() const noexcept {
  return impl_->m;
}
const assign_options& assigner::options() const noexcept {
  return impl_->options;
}
const tokenizer& assigner::get_tokenizer() const noexcept {
  return impl_->reader.get_tokenizer();
}

}  // namespace koe
