// Result writers: clusters.json, assignments.csv and the terminal table.
#include <koe/error.hpp>
#include <koe/report.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <unistd.h>

namespace koe {
namespace {

using json = nlohmann::ordered_json;

// Figures are rounded so the files stay readable; the rounding is deterministic.
double rounded(double x, int digits = 6) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

std::string format_name(input_format f) {
  switch (f) {
    case input_format::auto_detect:
      return "auto";
    case input_format::csv:
      return "csv";
    case input_format::tsv:
      return "tsv";
    case input_format::jsonl:
      return "jsonl";
    case input_format::text:
      return "text";
  }
  return "auto";
}

std::string compound_name(compound_mode m) {
  switch (m) {
    case compound_mode::off:
      return "off";
    case compound_mode::join:
      return "join";
    case compound_mode::parts_and_join:
      return "parts_and_join";
  }
  return "off";
}

json df_json(const df_bound& b) {
  return b.fraction ? json(b.value) : json(static_cast<long long>(std::llround(b.value)));
}

// The options in effect, except the thread count, which never changes a result.
json options_json(const pipeline_options& o) {
  json j;
  j["format"] = format_name(o.io.format);
  j["text_column"] = o.io.text_column;
  j["id_column"] = o.io.id_column;
  j["time_column"] = o.io.time_column;
  j["encoding"] = o.io.encoding;
  j["on_error"] = o.io.errors == on_error::skip ? "skip" : "fail";
  j["max_voice_bytes"] = o.io.max_voice_bytes;
  j["normalize"] = {{"nfkc", o.normalize.nfkc},
                    {"fold_case", o.normalize.fold_case},
                    {"unify_long_vowels", o.normalize.unify_long_vowels},
                    {"collapse_repeats", o.normalize.collapse_repeats},
                    {"mask_urls", o.normalize.mask_urls},
                    {"mask_emails", o.normalize.mask_emails},
                    {"mask_phones", o.normalize.mask_phones},
                    {"remove_emoji", o.normalize.remove_emoji},
                    {"trim", o.normalize.trim}};
  j["tokenize"] = {{"dicdir", o.tokenize.dicdir},
                   {"user_dictionaries", o.tokenize.user_dictionaries},
                   {"pos", o.tokenize.pos},
                   {"drop_subclasses", o.tokenize.drop_subclasses},
                   {"compounds", compound_name(o.tokenize.compounds)},
                   {"join_negation", o.tokenize.join_negation},
                   {"fold_numbers", o.tokenize.fold_numbers},
                   {"stopword_files", o.tokenize.stopword_files},
                   {"use_default_stopwords", o.tokenize.use_default_stopwords},
                   {"extra_stopwords", o.tokenize.extra_stopwords}};
  j["vectorize"] = {
      {"min_df", df_json(o.vectorize.min_df)},    {"max_df", df_json(o.vectorize.max_df)},
      {"max_features", o.vectorize.max_features}, {"sublinear_tf", o.vectorize.sublinear_tf},
      {"use_idf", o.vectorize.use_idf},           {"smooth_idf", o.vectorize.smooth_idf},
      {"normalize", o.vectorize.normalize}};
  j["reduce"] =
      o.lsa_dimensions > 0 ? json("lsa:" + std::to_string(o.lsa_dimensions)) : json(nullptr);
  j["cluster"] = {{"k", o.cluster.k == 0 ? json("auto") : json(o.cluster.k)},
                  {"k_min", o.cluster.k_min},
                  {"k_max", o.cluster.k_max},
                  {"seed", o.cluster.seed},
                  {"n_init", o.cluster.n_init},
                  {"max_iter", o.cluster.max_iter},
                  {"tol", o.cluster.tol},
                  {"min_similarity", o.cluster.min_similarity},
                  {"merge_factor", o.cluster.merge_factor},
                  {"auto_sample", o.cluster.auto_sample},
                  {"silhouette_sample", o.cluster.silhouette_sample}};
  j["describe"] = {{"top_terms", o.describe.top_terms},
                   {"label_terms", o.describe.label_terms},
                   {"representatives", o.describe.representatives}};
  return j;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

const char* noise_text(noise_reason r) {
  switch (r) {
    case noise_reason::none:
      return "";
    case noise_reason::no_terms:
      return "no terms after filtering";
    case noise_reason::low_similarity:
      return "low similarity to every cluster";
  }
  return "";
}

// Terminal columns taken by a UTF-8 string: East Asian wide characters count two.
std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}

// At most `width` columns of `s`, cut at a character boundary, with "…" when cut.
std::string clip(const std::string& s, std::size_t width) {
  if (display_width(s) <= width) return s;
  std::string out;
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::size_t cw = len >= 3 ? 2 : 1;
    if (w + cw + 1 > width) break;
    out.append(s, i, len);
    w += cw;
    i += len;
  }
  return out + "…";
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

void write_clusters_json(std::ostream& out, const analysis_result& r, const report_options& ro) {
  json j;
  j["version"] = KOE_VERSION;
  j["input"] = {{"path", r.input.source},
                {"encoding", r.input.encoding},
                {"read", r.input.read()},
                {"kept", r.input.count(record_status::kept)},
                {"empty", r.input.count(record_status::empty)},
                {"rejected", r.input.count(record_status::rejected)}};
  if (ro.options != nullptr) j["options"] = options_json(*ro.options);
  j["dictionary"] = r.dictionary;
  j["vocabulary_size"] = r.tfidf.model.vocabulary.size();
  j["k"] = r.clusters.k;
  json clusters = json::array();
  for (const auto& d : r.descriptions) {
    json c;
    c["id"] = d.id;
    c["label"] = d.label;
    c["size"] = d.size;
    c["share"] = rounded(d.share);
    json terms = json::array();
    for (const auto& t : d.terms)
      terms.push_back({{"term", t.term}, {"weight", rounded(t.weight)}});
    c["terms"] = std::move(terms);
    json reps = json::array();
    for (std::size_t row : d.representatives) {
      const document& doc = r.input.documents[r.row_document[row]];
      reps.push_back({{"id", doc.id}, {"text", doc.text}});
    }
    c["representatives"] = std::move(reps);
    c["cohesion"] = rounded(d.cohesion);
    c["duplicates"] = d.duplicates;
    clusters.push_back(std::move(c));
  }
  j["clusters"] = std::move(clusters);
  std::size_t noise = 0;
  for (auto a : r.clusters.assignment)
    noise += a < 0 ? 1 : 0;
  j["noise"] = noise;
  if (!r.clusters.k_curve.empty()) {
    json curve = json::array();
    for (const auto& p : r.clusters.k_curve)
      curve.push_back({{"k", p.k}, {"silhouette", rounded(p.silhouette)}});
    j["k_selection"] = {{"criterion", "mean cosine silhouette on a deterministic sample"},
                        {"chosen", r.clusters.k},
                        {"curve", std::move(curve)}};
  }
  if (ro.include_stats) {
    json stages = json::object();
    for (const auto& t : r.timings)
      stages[t.stage] = rounded(t.seconds, 4);
    j["stats"] = {{"seconds", std::move(stages)}, {"peak_rss_bytes", r.peak_rss_bytes}};
  }
  out << j.dump(2) << '\n';
}

void write_assignments_csv(std::ostream& out, const analysis_result& r) {
  std::vector<long long> row_of(r.input.documents.size(), -1);
  for (std::size_t row = 0; row < r.row_document.size(); ++row)
    row_of[r.row_document[row]] = static_cast<long long>(row);
  out << "id,cluster,similarity,status,reason\n";
  char sim[32];
  for (std::size_t i = 0; i < r.input.documents.size(); ++i) {
    const document& d = r.input.documents[i];
    out << csv_field(d.id) << ',';
    if (row_of[i] >= 0) {
      const auto row = static_cast<std::size_t>(row_of[i]);
      const std::int32_t c = r.clusters.assignment[row];
      std::snprintf(sim, sizeof sim, "%.4f", static_cast<double>(r.clusters.similarity[row]));
      out << c << ',' << sim << ',' << (c >= 0 ? "clustered" : "noise") << ','
          << csv_field(c >= 0 ? d.reason : noise_text(r.clusters.noise[row])) << '\n';
    } else {
      const bool rejected = d.status == record_status::rejected;
      out << "-1,," << (rejected ? "rejected" : "empty") << ','
          << csv_field(d.reason.empty() ? std::string(rejected ? "rejected" : "blank") : d.reason)
          << '\n';
    }
  }
}

void write_table(std::ostream& out, const analysis_result& r) {
  out << pad("#", 4) << pad("size", 7) << pad("share", 8) << pad("label", 34) << "representative\n";
  for (const auto& d : r.descriptions) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * d.share);
    std::string rep;
    if (!d.representatives.empty()) rep = r.normalized[d.representatives.front()];
    out << pad(std::to_string(d.id), 4) << pad(std::to_string(d.size), 7) << pad(share, 8)
        << pad(clip(d.label, 32), 34) << clip(rep, 44) << '\n';
  }
  std::size_t noise = 0;
  for (auto a : r.clusters.assignment)
    noise += a < 0 ? 1 : 0;
  out << "read " << r.input.read() << " = kept " << r.input.count(record_status::kept)
      << " + empty " << r.input.count(record_status::empty) << " + rejected "
      << r.input.count(record_status::rejected) << "; clusters " << r.clusters.k << ", noise "
      << noise << '\n';
}

}  // namespace

void write_report(std::ostream& out, const analysis_result& r, report_format format,
                  const report_options& options) {
  switch (format) {
    case report_format::clusters_json:
      write_clusters_json(out, r, options);
      break;
    case report_format::assignments_csv:
      write_assignments_csv(out, r);
      break;
    case report_format::table:
      write_table(out, r);
      break;
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  const std::filesystem::path tmp =
      path.string() + ".tmp." + std::to_string(static_cast<long long>(::getpid()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    KOE_THROW_IF_NOT(f, errc::io_failure, "cannot write " + tmp.string());
    f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    f.flush();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw error(errc::io_failure, "cannot write " + tmp.string() + " (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw error(errc::io_failure, "cannot replace " + path.string() + ": " + ec.message());
  }
}

void write_outputs(const std::filesystem::path& dir, const analysis_result& r,
                   const report_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  KOE_THROW_IF_NOT(!ec && std::filesystem::is_directory(dir), errc::io_failure,
                   "cannot create output directory " + dir.string() +
                       (ec ? ": " + ec.message() : std::string()));
  std::ostringstream clusters, assignments;
  write_report(clusters, r, report_format::clusters_json, options);
  write_report(assignments, r, report_format::assignments_csv, options);
  write_file_atomically(dir / "clusters.json", clusters.str());
  write_file_atomically(dir / "assignments.csv", assignments.str());
}

}  // namespace koe
