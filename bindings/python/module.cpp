// The _koe extension module: converts between Python objects and koe's value types and calls the
// public API; every decision about voices, terms and clusters stays in the library.
#include <koe/error.hpp>
#include <koe/normalize.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/score.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

// Exception classes created at import; module-lifetime references, never released.
PyObject* koe_error_type = nullptr;
PyObject* input_error_type = nullptr;
PyObject* option_error_type = nullptr;

const char* code_name(koe::errc code) {
  switch (code) {
    case koe::errc::io_failure:
      return "io_failure";
    case koe::errc::invalid_encoding:
      return "invalid_encoding";
    case koe::errc::malformed_record:
      return "malformed_record";
    case koe::errc::missing_column:
      return "missing_column";
    case koe::errc::mecab_init_failed:
      return "mecab_init_failed";
    case koe::errc::mecab_parse_failed:
      return "mecab_parse_failed";
    case koe::errc::invalid_argument:
      return "invalid_argument";
    case koe::errc::empty_corpus:
      return "empty_corpus";
    case koe::errc::invalid_config:
      return "invalid_config";
    case koe::errc::out_of_memory:
      return "out_of_memory";
    case koe::errc::internal:
      return "internal";
  }
  return "unknown";
}

PyObject* exception_type(koe::errc code) {
  switch (code) {
    case koe::errc::io_failure:
    case koe::errc::invalid_encoding:
    case koe::errc::malformed_record:
    case koe::errc::missing_column:
    case koe::errc::empty_corpus:
      return input_error_type;
    case koe::errc::invalid_argument:
    case koe::errc::invalid_config:
      return option_error_type;
    case koe::errc::mecab_init_failed:
    case koe::errc::mecab_parse_failed:
    case koe::errc::out_of_memory:
    case koe::errc::internal:
      break;
  }
  return koe_error_type;
}

// Raises the Python counterpart of `e` with a `code` attribute. Runs inside pybind11's
// translator, which must not throw, so every C API failure just leaves its own error set.
void raise_koe_error(const koe::error& e) {
  PyObject* type = exception_type(e.code());
  const std::string what = e.what();
  // Messages may quote input bytes; "replace" keeps a message even if they are not UTF-8.
  PyObject* message =
      PyUnicode_DecodeUTF8(what.data(), static_cast<Py_ssize_t>(what.size()), "replace");
  if (message == nullptr) return;
  PyObject* instance = PyObject_CallOneArg(type, message);
  Py_DECREF(message);
  if (instance == nullptr) return;
  PyObject* code = PyUnicode_FromString(code_name(e.code()));
  if (code != nullptr) {
    PyObject_SetAttrString(instance, "code", code);
    Py_DECREF(code);
  }
  PyErr_SetObject(type, instance);
  Py_DECREF(instance);
}

PyObject* new_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  const std::string qualified = std::string("koe.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  // A class-level default, so `code` exists even on instances raised from Python code.
  if (PyObject_SetAttrString(type, "code", Py_None) != 0) throw py::error_already_set();
  m.add_object(name, py::handle(type));
  return type;
}

bool is_missing(py::handle item) {
  if (item.is_none()) return true;
  return PyFloat_Check(item.ptr()) && std::isnan(PyFloat_AsDouble(item.ptr()));
}

std::string utf8(py::handle item) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(item.ptr(), &size);
  if (data == nullptr) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

// Texts from any Python sequence: str as is, None and NaN (a missing value in pandas) as "",
// anything else a TypeError that names the position, so a stray number is never clustered.
std::vector<std::string> texts_from(py::handle items, const char* what) {
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(items);
  std::vector<std::string> out;
  out.reserve(seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const py::object item = seq[i];
    if (PyUnicode_Check(item.ptr())) {
      out.push_back(utf8(item));
    } else if (is_missing(item)) {
      out.emplace_back();
    } else {
      throw py::type_error(std::string(what) + "[" + std::to_string(i) +
                           "] must be a str (or None for a missing voice), not " +
                           std::string(py::str(py::type::handle_of(item).attr("__name__"))));
    }
  }
  return out;
}

// Metadata values as the reader would hold them: text; dates in ISO 8601, other values as str().
std::vector<std::string> values_from(py::handle items) {
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(items);
  std::vector<std::string> out;
  out.reserve(seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const py::object item = seq[i];
    if (PyUnicode_Check(item.ptr()))
      out.push_back(utf8(item));
    else if (is_missing(item))
      out.emplace_back();
    else if (py::hasattr(item, "isoformat"))
      out.push_back(utf8(item.attr("isoformat")()));
    else
      out.push_back(utf8(py::str(item)));
  }
  return out;
}

py::list to_list(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    out[i] = py::str(v[i]);
  return out;
}

py::list to_lists(const std::vector<std::vector<std::string>>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    out[i] = to_list(v[i]);
  return out;
}

// Runs `f` without the GIL in an arena of `threads` workers (0 = all cores), the same sizing
// `pipeline` uses, for the library calls that do not go through a pipeline.
template <class F>
void run_in_arena(int threads, F&& f) {
  py::gil_scoped_release release;
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute(std::forward<F>(f));
}

// CSR arrays (data, indices, indptr, shape) with one row per input record: records that were
// never vectorized (empty, rejected) get empty rows, so row i always belongs to input i. Rows
// keep the records' order, so `data` and `indices` are Eigen's value and index buffers as they
// are: one memcpy each; only `indptr` repeats an offset for each record without a row.
py::tuple csr_arrays(const koe::sparse_matrix& matrix, const std::vector<std::int64_t>& row_of) {
  koe::sparse_matrix compressed;
  const koe::sparse_matrix* m = &matrix;
  if (!matrix.isCompressed()) {
    compressed = matrix;
    compressed.makeCompressed();
    m = &compressed;
  }
  const auto nnz = static_cast<std::size_t>(m->nonZeros());
  const std::size_t records = row_of.size();
  py::array_t<float> data(static_cast<py::ssize_t>(nnz));
  py::array_t<std::int32_t> indices(static_cast<py::ssize_t>(nnz));
  py::array_t<std::int32_t> indptr(static_cast<py::ssize_t>(records + 1));
  std::memcpy(data.mutable_data(), m->valuePtr(), nnz * sizeof(float));
  std::memcpy(indices.mutable_data(), m->innerIndexPtr(), nnz * sizeof(std::int32_t));
  const std::int32_t* outer = m->outerIndexPtr();
  std::int32_t* ptr = indptr.mutable_data();
  ptr[0] = 0;
  for (std::size_t i = 0; i < records; ++i)
    ptr[i + 1] = row_of[i] >= 0 ? outer[row_of[i] + 1] : ptr[i];
  return py::make_tuple(
      data, indices, indptr,
      py::make_tuple(static_cast<py::ssize_t>(records), static_cast<py::ssize_t>(m->cols())));
}

// Same, for a matrix whose rows are already the records in order.
py::tuple csr_arrays(const koe::sparse_matrix& m) {
  std::vector<std::int64_t> row_of(static_cast<std::size_t>(m.rows()));
  for (std::size_t i = 0; i < row_of.size(); ++i)
    row_of[i] = static_cast<std::int64_t>(i);
  return csr_arrays(m, row_of);
}

const char* status_name(koe::record_status s) {
  switch (s) {
    case koe::record_status::kept:
      return "kept";
    case koe::record_status::empty:
      return "empty";
    case koe::record_status::rejected:
      return "rejected";
  }
  return "kept";
}

koe::record_status parse_status(const std::string& s, std::size_t i) {
  if (s == "kept" || s.empty()) return koe::record_status::kept;
  if (s == "empty") return koe::record_status::empty;
  if (s == "rejected") return koe::record_status::rejected;
  throw koe::error(
      koe::errc::invalid_argument,
      "status[" + std::to_string(i) + "] must be kept, empty or rejected, not '" + s + "'");
}

py::dict corpus_columns(const koe::corpus& c) {
  const std::size_t n = c.documents.size();
  py::list id(n), text(n), status(n), reason(n), timestamp(n);
  py::array_t<std::int64_t> record(static_cast<py::ssize_t>(n));
  py::array_t<std::int64_t> line(static_cast<py::ssize_t>(n));
  auto* rec = record.mutable_data();
  auto* lin = line.mutable_data();
  std::vector<py::list> meta;
  for (std::size_t j = 0; j < c.meta_columns.size(); ++j)
    meta.emplace_back(n);
  for (std::size_t i = 0; i < n; ++i) {
    const koe::document_view d = c.documents[i];
    id[i] = py::str(d.id);
    text[i] = py::str(d.text);
    status[i] = py::str(status_name(d.status));
    reason[i] = py::str(d.reason);
    timestamp[i] = py::str(d.timestamp);
    rec[i] = static_cast<std::int64_t>(d.record);
    lin[i] = static_cast<std::int64_t>(d.line);
    for (std::size_t j = 0; j < meta.size(); ++j)
      meta[j][i] = py::str(j < d.meta.size() ? d.meta[j] : std::string());
  }
  py::list meta_values;
  for (auto& m : meta)
    meta_values.append(std::move(m));
  py::dict out;
  out["id"] = id;
  out["text"] = text;
  out["status"] = status;
  out["reason"] = reason;
  out["timestamp"] = timestamp;
  out["record"] = record;
  out["line"] = line;
  out["meta_columns"] = to_list(c.meta_columns);
  out["meta"] = meta_values;
  out["source"] = c.source;
  out["encoding"] = c.encoding;
  return out;
}

/// Where the scoring stage reads its settings: a koe.toml and a decisions file (a path or CSV
/// text), as `koe cluster --config --decisions --top` take them. Empty = not given.
struct scoring_settings {
  std::string config;
  std::string decisions_path;
  std::string decisions_csv;
  std::size_t report_top = 5;
};

/// A pipeline and the result of its last run, scored. Not thread-safe (as `koe::pipeline`).
class model {
 public:
  model(const koe::pipeline_options& options, scoring_settings scoring)
      : pipeline_(options), scoring_(std::move(scoring)) {}

  void fit(py::handle texts, py::handle ids, py::handle timestamps, py::handle status,
           py::handle reasons, const std::vector<std::string>& meta_names, py::handle meta,
           const std::string& source, const std::string& encoding) {
    koe::corpus c;
    c.source = source;
    c.encoding = encoding;
    c.meta_columns = meta_names;
    std::vector<std::string> text = texts_from(texts, "texts");
    const std::size_t n = text.size();
    const auto column = [&](py::handle h, const char* name) {
      if (h.is_none()) return std::vector<std::string>(n);
      std::vector<std::string> v = values_from(h);
      KOE_THROW_IF_NOT(v.size() == n, koe::errc::invalid_argument,
                       std::string(name) + " has " + std::to_string(v.size()) + " values for " +
                           std::to_string(n) + " texts");
      return v;
    };
    std::vector<std::string> id = column(ids, "id");
    std::vector<std::string> time = column(timestamps, "timestamp");
    std::vector<std::string> state = column(status, "status");
    std::vector<std::string> reason = column(reasons, "reason");
    std::vector<std::vector<std::string>> meta_values;
    const py::sequence meta_seq = py::reinterpret_borrow<py::sequence>(meta);
    KOE_THROW_IF_NOT(meta_seq.size() == meta_names.size(), koe::errc::invalid_argument,
                     "meta names and columns differ in number");
    for (std::size_t j = 0; j < meta_names.size(); ++j)
      meta_values.push_back(column(meta_seq[j], meta_names[j].c_str()));

    c.documents.reserve(n);
    koe::document d;
    for (std::size_t i = 0; i < n; ++i) {
      d.record = i + 1;
      d.line = i + 1;
      d.id = ids.is_none() ? std::to_string(i) : std::move(id[i]);
      d.text = std::move(text[i]);
      d.timestamp = std::move(time[i]);
      d.status = parse_status(state[i], i);
      d.reason = std::move(reason[i]);
      d.meta.clear();
      for (auto& col : meta_values)
        d.meta.push_back(std::move(col[i]));
      c.documents.push_back(d);
    }

    py::gil_scoped_release release;
    result_.reset();
    adoption_.reset();
    // Settings are read before the long run, so a typo in them fails at once (as in the CLI);
    // scoring itself waits until a candidate output is asked for, so clustering alone is not
    // slowed by it.
    score_options_ = scoring_.config.empty() ? koe::default_score_options()
                                             : koe::load_score_config(scoring_.config);
    decisions_.clear();
    if (!scoring_.decisions_path.empty()) {
      decisions_ = koe::read_decisions(scoring_.decisions_path);
    } else if (!scoring_.decisions_csv.empty()) {
      std::istringstream in(scoring_.decisions_csv);
      decisions_ = koe::read_decisions(in, "decisions");
    }
    koe::analysis_result r = pipeline_.run(std::move(c));
    row_of_.assign(r.input.documents.size(), -1);
    for (std::size_t row = 0; row < r.row_document.size(); ++row)
      row_of_[r.row_document[row]] = static_cast<std::int64_t>(row);
    result_ = std::move(r);
  }

  [[nodiscard]] const koe::analysis_result& result() const {
    if (!result_)
      throw koe::error(koe::errc::invalid_argument, "this model has not been fitted yet");
    return *result_;
  }

  /// The scored candidates of the last fit, computed (without the GIL) on first use.
  [[nodiscard]] const koe::adoption_result& adoption() {
    const auto& r = result();
    if (!adoption_) {
      py::gil_scoped_release release;
      adoption_ = koe::assess(r, score_options_, decisions_);
    }
    return *adoption_;
  }

  [[nodiscard]] std::size_t records() const { return result().input.documents.size(); }

  py::array_t<std::int32_t> labels() const {
    const auto& r = result();
    py::array_t<std::int32_t> out(static_cast<py::ssize_t>(records()));
    auto* p = out.mutable_data();
    for (std::size_t i = 0; i < row_of_.size(); ++i)
      p[i] = row_of_[i] >= 0 ? r.clusters.assignment[static_cast<std::size_t>(row_of_[i])] : -1;
    return out;
  }

  py::array_t<float> similarity() const {
    const auto& r = result();
    py::array_t<float> out(static_cast<py::ssize_t>(records()));
    auto* p = out.mutable_data();
    for (std::size_t i = 0; i < row_of_.size(); ++i)
      p[i] = row_of_[i] >= 0 ? r.clusters.similarity[static_cast<std::size_t>(row_of_[i])]
                             : std::numeric_limits<float>::quiet_NaN();
    return out;
  }

  py::tuple tfidf() const { return csr_arrays(result().tfidf.rows, row_of_); }

  py::list vocabulary() const { return to_list(result().tfidf.model.vocabulary); }

  py::list terms() const {
    const auto& r = result();
    py::list out(records());
    for (std::size_t i = 0; i < row_of_.size(); ++i)
      out[i] = row_of_[i] >= 0
                   ? py::object(to_list(r.terms.row_terms(static_cast<std::size_t>(row_of_[i]))))
                   : py::object(py::list());
    return out;
  }

  py::list clusters() const {
    const auto& r = result();
    py::list out;
    for (const auto& d : r.descriptions) {
      py::list terms;
      for (const auto& t : d.terms)
        terms.append(py::make_tuple(t.term, t.weight));
      py::list reps;
      for (const std::size_t row : d.representatives) {
        const std::size_t i = r.row_document[row];
        py::dict rep;
        rep["index"] = i;
        rep["id"] = r.input.documents[i].id;
        rep["text"] = r.input.documents[i].text;
        reps.append(std::move(rep));
      }
      py::dict c;
      c["id"] = d.id;
      c["label"] = d.label;
      c["size"] = d.size;
      c["share"] = d.share;
      c["cohesion"] = d.cohesion;
      c["duplicates"] = d.duplicates;
      c["terms"] = std::move(terms);
      c["representatives"] = std::move(reps);
      out.append(std::move(c));
    }
    return out;
  }

  py::list k_curve() const {
    py::list out;
    for (const auto& p : result().clusters.k_curve)
      out.append(py::make_tuple(p.k, p.silhouette));
    return out;
  }

  py::dict timings() const {
    py::dict out;
    for (const auto& t : result().timings)
      out[py::str(t.stage)] = t.seconds;
    return out;
  }

  std::string report(const std::string& format, bool stats) {
    static const std::pair<const char*, koe::report_format> formats[] = {
        {"table", koe::report_format::table},
        {"json", koe::report_format::clusters_json},
        {"csv", koe::report_format::assignments_csv},
        {"candidates", koe::report_format::candidates_json},
        {"trace", koe::report_format::trace_csv},
        {"html", koe::report_format::report_html},
        {"candidates_table", koe::report_format::candidates_table},
    };
    const auto* f = std::find_if(std::begin(formats), std::end(formats),
                                 [&](const auto& p) { return format == p.first; });
    if (f == std::end(formats))
      throw koe::error(koe::errc::invalid_argument,
                       "report format must be table, json, csv, candidates, trace, html or "
                       "candidates_table, not '" +
                           format + "'");
    const auto& r = result();
    // Only the candidate formats read the scores; the others do not wait for them.
    const bool scored = f->second == koe::report_format::candidates_json ||
                        f->second == koe::report_format::trace_csv ||
                        f->second == koe::report_format::report_html ||
                        f->second == koe::report_format::candidates_table;
    const koe::adoption_result* a = scored ? &adoption() : nullptr;
    std::ostringstream out;
    {
      py::gil_scoped_release release;
      koe::report_options ro;
      ro.options = &pipeline_.options();
      ro.include_stats = stats;
      ro.adoption = a;
      ro.report_top = scoring_.report_top;
      koe::write_report(out, r, f->second, ro);
    }
    return out.str();
  }

  py::list candidates() {
    const auto& r = result();
    py::list out;
    for (const koe::candidate& c : adoption().candidates) {
      py::list reps;
      for (const std::size_t row : c.representatives) {
        const std::size_t i = r.row_document[row];
        py::dict rep;
        rep["index"] = i;
        rep["id"] = r.input.documents[i].id;
        rep["text"] = r.input.documents[i].text;
        reps.append(std::move(rep));
      }
      py::dict d;
      d["rank"] = c.rank;
      d["cluster"] = c.cluster;
      d["key"] = c.key;
      d["label"] = c.label;
      d["size"] = c.frequency.voices;
      d["share"] = c.frequency.share;
      d["frequency"] = c.scores.frequency;
      d["impact"] = c.scores.impact;
      d["difficulty"] = c.scores.difficulty;
      d["adoption"] = c.scores.adoption;
      d["difficulty_level"] = koe::to_string(c.difficulty.level);
      d["quadrant"] = koe::to_string(c.quad);
      d["recommended"] = c.recommended;
      d["small_high_impact"] = c.small_high_impact;
      d["decision"] = koe::to_string(c.decision.status);
      d["decision_reason"] = c.decision.reason;
      d["decision_date"] = c.decision.date;
      d["reasons"] = to_list(c.reasons);
      d["representatives"] = std::move(reps);
      out.append(std::move(d));
    }
    return out;
  }

  py::dict trace() {
    const koe::adoption_result& a = adoption();
    const koe::document_table& records = result().input.documents;
    const auto& rows = a.trace;
    const std::size_t n = rows.size();
    py::list id(n), status(n), label(n), decision(n), reply(n);
    py::array_t<bool> clustered(static_cast<py::ssize_t>(n));
    py::array_t<std::int32_t> cluster(static_cast<py::ssize_t>(n));
    py::array_t<std::int64_t> rank(static_cast<py::ssize_t>(n));
    auto* cl = clustered.mutable_data();
    auto* cu = cluster.mutable_data();
    auto* rk = rank.mutable_data();
    for (std::size_t i = 0; i < n; ++i) {
      const koe::trace_row& t = rows[i];
      const std::string_view record_id = records.id(i), draft = a.trace.replies[i];
      id[i] = py::str(record_id.data(), record_id.size());
      status[i] = py::str(status_name(t.status));
      cl[i] = t.clustered;
      cu[i] = t.cluster;
      label[i] = py::str(a.label_of(t));
      rk[i] = static_cast<std::int64_t>(t.rank);
      decision[i] = py::str(koe::to_string(t.decision));
      reply[i] = py::str(draft.data(), draft.size());
    }
    py::dict out;
    out["id"] = id;
    out["status"] = status;
    out["clustered"] = clustered;
    out["cluster"] = cluster;
    out["label"] = label;
    out["rank"] = rank;
    out["decision"] = decision;
    out["reply"] = reply;
    return out;
  }

  py::list notes() { return to_list(adoption().notes); }

  py::list unmatched_decisions() {
    py::list out;
    for (const koe::decision& d : adoption().unmatched_decisions) {
      py::dict row;
      row["key"] = d.key;
      row["decision"] = koe::to_string(d.status);
      row["reason"] = d.reason;
      row["date"] = d.date;
      row["line"] = d.line;
      out.append(std::move(row));
    }
    return out;
  }

  py::tuple transform(py::handle texts) {
    const auto& r = result();
    const std::vector<std::string> text = texts_from(texts, "texts");
    std::vector<std::vector<std::string>> terms;
    {
      py::gil_scoped_release release;
      terms = pipeline_.tokenize(text);
    }
    koe::sparse_matrix m;
    run_in_arena(pipeline_.options().threads, [&] {
      koe::sparse_matrix rows = koe::transform(terms, r.tfidf.model);
      m.swap(rows);  // not `=`: Eigen would copy the arrays
    });
    return csr_arrays(m);
  }

  // The LSA rows clustering saw: `pipeline::run` does not keep them, so they are recomputed with
  // the options and seed the run used, which gives the same rows bit for bit.
  py::object reduced() const {
    const auto& r = result();
    const koe::pipeline_options& o = pipeline_.options();
    if (o.lsa_dimensions <= 0) return py::none();
    koe::dense_matrix x;
    run_in_arena(o.threads, [&] {
      koe::lsa_options lsa;
      lsa.dimensions = o.lsa_dimensions;
      lsa.seed = o.cluster.seed;
      x = koe::reduce_lsa(r.tfidf.rows, lsa);
    });
    const auto cols = static_cast<std::size_t>(x.cols());
    py::array_t<float> out({static_cast<py::ssize_t>(records()), static_cast<py::ssize_t>(cols)});
    float* p = out.mutable_data();
    for (std::size_t i = 0; i < row_of_.size(); ++i) {
      float* dst = p + i * cols;
      if (row_of_[i] >= 0)
        std::memcpy(dst, x.row(static_cast<Eigen::Index>(row_of_[i])).data(), cols * sizeof(float));
      else
        std::fill(dst, dst + cols, 0.0F);
    }
    return out;
  }

  py::dict input() const { return corpus_columns(result().input); }

  [[nodiscard]] const koe::pipeline_options& options() const { return pipeline_.options(); }
  [[nodiscard]] int k() const { return result().clusters.k; }
  [[nodiscard]] int iterations() const { return result().clusters.iterations; }
  [[nodiscard]] double objective() const { return result().clusters.objective; }
  [[nodiscard]] std::string dictionary() const { return pipeline_.get_tokenizer().dictionary(); }

 private:
  koe::pipeline pipeline_;
  scoring_settings scoring_;
  std::optional<koe::analysis_result> result_;
  koe::score_options score_options_;              ///< Read by `fit`, used by `adoption`.
  std::vector<koe::decision> decisions_;          ///< Read by `fit`, used by `adoption`.
  std::optional<koe::adoption_result> adoption_;  ///< Scores of `result_`, once computed.
  std::vector<std::int64_t> row_of_;  ///< Row of each input record, -1 when it has none.
};

void bind_options(py::module_& m) {
  py::enum_<koe::input_format>(m, "InputFormat")
      .value("auto", koe::input_format::auto_detect)
      .value("csv", koe::input_format::csv)
      .value("tsv", koe::input_format::tsv)
      .value("jsonl", koe::input_format::jsonl)
      .value("text", koe::input_format::text);
  py::enum_<koe::on_error>(m, "OnError")
      .value("fail", koe::on_error::fail)
      .value("skip", koe::on_error::skip);
  py::enum_<koe::compound_mode>(m, "CompoundMode")
      .value("off", koe::compound_mode::off)
      .value("join", koe::compound_mode::join)
      .value("parts_and_join", koe::compound_mode::parts_and_join);

  py::class_<koe::io_options>(m, "IoOptions", "koe::io_options")
      .def(py::init<>())
      .def_readwrite("format", &koe::io_options::format)
      .def_readwrite("text_column", &koe::io_options::text_column)
      .def_readwrite("id_column", &koe::io_options::id_column)
      .def_readwrite("time_column", &koe::io_options::time_column)
      .def_readwrite("encoding", &koe::io_options::encoding)
      .def_readwrite("errors", &koe::io_options::errors)
      .def_readwrite("max_voice_bytes", &koe::io_options::max_voice_bytes);

  py::class_<koe::normalize_options>(m, "NormalizeOptions", "koe::normalize_options")
      .def(py::init<>())
      .def_readwrite("nfkc", &koe::normalize_options::nfkc)
      .def_readwrite("fold_case", &koe::normalize_options::fold_case)
      .def_readwrite("unify_long_vowels", &koe::normalize_options::unify_long_vowels)
      .def_readwrite("collapse_repeats", &koe::normalize_options::collapse_repeats)
      .def_readwrite("mask_urls", &koe::normalize_options::mask_urls)
      .def_readwrite("mask_emails", &koe::normalize_options::mask_emails)
      .def_readwrite("mask_phones", &koe::normalize_options::mask_phones)
      .def_readwrite("remove_emoji", &koe::normalize_options::remove_emoji)
      .def_readwrite("trim", &koe::normalize_options::trim);

  py::class_<koe::tokenize_options>(m, "TokenizeOptions", "koe::tokenize_options")
      .def(py::init<>())
      .def_readwrite("dicdir", &koe::tokenize_options::dicdir)
      .def_readwrite("user_dictionaries", &koe::tokenize_options::user_dictionaries)
      .def_readwrite("pos", &koe::tokenize_options::pos)
      .def_readwrite("drop_subclasses", &koe::tokenize_options::drop_subclasses)
      .def_readwrite("compounds", &koe::tokenize_options::compounds)
      .def_readwrite("join_negation", &koe::tokenize_options::join_negation)
      .def_readwrite("fold_numbers", &koe::tokenize_options::fold_numbers)
      .def_readwrite("number_term", &koe::tokenize_options::number_term)
      .def_readwrite("stopword_files", &koe::tokenize_options::stopword_files)
      .def_readwrite("use_default_stopwords", &koe::tokenize_options::use_default_stopwords)
      .def_readwrite("extra_stopwords", &koe::tokenize_options::extra_stopwords);

  py::class_<koe::df_bound>(m, "DfBound", "koe::df_bound: a document count, or a fraction")
      .def(py::init([](double value, bool fraction) {
             return koe::df_bound{value, fraction};
           }),
           py::arg("value"), py::arg("fraction"))
      .def_readwrite("value", &koe::df_bound::value)
      .def_readwrite("fraction", &koe::df_bound::fraction);

  py::class_<koe::vectorize_options>(m, "VectorizeOptions", "koe::vectorize_options")
      .def(py::init<>())
      .def_readwrite("min_df", &koe::vectorize_options::min_df)
      .def_readwrite("max_df", &koe::vectorize_options::max_df)
      .def_readwrite("max_features", &koe::vectorize_options::max_features)
      .def_readwrite("sublinear_tf", &koe::vectorize_options::sublinear_tf)
      .def_readwrite("use_idf", &koe::vectorize_options::use_idf)
      .def_readwrite("smooth_idf", &koe::vectorize_options::smooth_idf)
      .def_readwrite("normalize", &koe::vectorize_options::normalize);

  py::class_<koe::cluster_options>(m, "ClusterOptions", "koe::cluster_options")
      .def(py::init<>())
      .def_readwrite("k", &koe::cluster_options::k)
      .def_readwrite("k_min", &koe::cluster_options::k_min)
      .def_readwrite("k_max", &koe::cluster_options::k_max)
      .def_readwrite("n_init", &koe::cluster_options::n_init)
      .def_readwrite("max_iter", &koe::cluster_options::max_iter)
      .def_readwrite("tol", &koe::cluster_options::tol)
      .def_readwrite("seed", &koe::cluster_options::seed)
      .def_readwrite("min_similarity", &koe::cluster_options::min_similarity)
      .def_readwrite("merge_factor", &koe::cluster_options::merge_factor)
      .def_readwrite("auto_sample", &koe::cluster_options::auto_sample)
      .def_readwrite("seed_sample", &koe::cluster_options::seed_sample)
      .def_readwrite("silhouette_sample", &koe::cluster_options::silhouette_sample);

  py::class_<koe::describe_options>(m, "DescribeOptions", "koe::describe_options")
      .def(py::init<>())
      .def_readwrite("top_terms", &koe::describe_options::top_terms)
      .def_readwrite("label_terms", &koe::describe_options::label_terms)
      .def_readwrite("representatives", &koe::describe_options::representatives);

  py::class_<koe::pipeline_options>(m, "PipelineOptions", "koe::pipeline_options")
      .def(py::init<>())
      .def_readwrite("io", &koe::pipeline_options::io)
      .def_readwrite("normalize", &koe::pipeline_options::normalize)
      .def_readwrite("tokenize", &koe::pipeline_options::tokenize)
      .def_readwrite("vectorize", &koe::pipeline_options::vectorize)
      .def_readwrite("cluster", &koe::pipeline_options::cluster)
      .def_readwrite("lsa_dimensions", &koe::pipeline_options::lsa_dimensions)
      .def_readwrite("describe", &koe::pipeline_options::describe)
      .def_readwrite("threads", &koe::pipeline_options::threads);
}

}  // namespace

PYBIND11_MODULE(_koe, m) {
  m.doc() = "Native part of koe; use the koe package, which wraps it.";
  m.attr("__version__") = KOE_VERSION;

  koe_error_type = new_exception(m, "KoeError", py::make_tuple(py::handle(PyExc_RuntimeError)),
                                 "Any error raised by koe; `code` names the koe::errc value.");
  input_error_type = new_exception(
      m, "InputError", py::make_tuple(py::handle(koe_error_type), py::handle(PyExc_ValueError)),
      "Bad input: unreadable file, bad encoding, malformed record, missing column, or nothing "
      "to cluster. The message reads 'FILE:LINE: what is wrong' where a line is known.");
  option_error_type = new_exception(
      m, "OptionError", py::make_tuple(py::handle(koe_error_type), py::handle(PyExc_ValueError)),
      "An option outside its domain, or a malformed configuration file.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const koe::error& e) {
      raise_koe_error(e);
    }
  });

  bind_options(m);

  m.def(
      "parse_df_bound", [](const std::string& text) { return koe::parse_df_bound(text); },
      py::arg("text"));

  m.def(
      "read_corpus",
      [](const std::filesystem::path& path, const koe::io_options& options) {
        const koe::io_options copy = options;
        koe::corpus c;
        {
          py::gil_scoped_release release;
          c = koe::read_corpus(path, copy);
        }
        return corpus_columns(c);
      },
      py::arg("path"), py::arg("options"));

  m.def(
      "normalize",
      [](py::handle texts, const koe::normalize_options& options) {
        const koe::normalize_options copy = options;
        std::vector<std::string> v = texts_from(texts, "texts");
        {
          py::gil_scoped_release release;
          for (auto& t : v)
            t = koe::normalize(t, copy);
        }
        return to_list(v);
      },
      py::arg("texts"), py::arg("options"));

  m.def(
      "tokenize",
      [](py::handle texts, const koe::pipeline_options& options) {
        const koe::pipeline_options copy = options;
        const std::vector<std::string> v = texts_from(texts, "texts");
        std::vector<std::vector<std::string>> terms;
        {
          py::gil_scoped_release release;
          koe::pipeline p(copy);
          terms = p.tokenize(v);
        }
        return to_lists(terms);
      },
      py::arg("texts"), py::arg("options"));

  m.def("data_directory", &koe::data_directory);

  py::class_<model>(m, "Model", "A koe::pipeline and its last result.")
      .def(py::init([](const koe::pipeline_options& options, std::string config,
                       std::string decisions_path, std::string decisions_csv,
                       std::size_t report_top) {
             const koe::pipeline_options copy = options;
             scoring_settings scoring{std::move(config), std::move(decisions_path),
                                      std::move(decisions_csv), report_top};
             py::gil_scoped_release release;
             return std::make_unique<model>(copy, std::move(scoring));
           }),
           py::arg("options"), py::arg("config") = "", py::arg("decisions_path") = "",
           py::arg("decisions_csv") = "", py::arg("report_top") = 5)
      .def("fit", &model::fit, py::arg("texts"), py::arg("ids"), py::arg("timestamps"),
           py::arg("status"), py::arg("reasons"), py::arg("meta_names"), py::arg("meta"),
           py::arg("source") = "texts", py::arg("encoding") = "utf-8")
      .def("candidates", &model::candidates)
      .def("trace", &model::trace)
      .def("notes", &model::notes)
      .def("unmatched_decisions", &model::unmatched_decisions)
      .def("labels", &model::labels)
      .def("similarity", &model::similarity)
      .def("tfidf", &model::tfidf)
      .def("vocabulary", &model::vocabulary)
      .def("terms", &model::terms)
      .def("clusters", &model::clusters)
      .def("k_curve", &model::k_curve)
      .def("timings", &model::timings)
      .def("report", &model::report, py::arg("format"), py::arg("stats") = false)
      .def("transform", &model::transform, py::arg("texts"))
      .def("reduced", &model::reduced)
      .def("input", &model::input)
      .def("options", &model::options, py::return_value_policy::copy)
      .def("k", &model::k)
      .def("iterations", &model::iterations)
      .def("objective", &model::objective)
      .def("dictionary", &model::dictionary);
}
