// The _koe extension module: converts between Python objects and koe's value types and calls the
// public API; every decision about voices, terms and clusters stays in the library.
#include <koe/assess.hpp>
#include <koe/changes.hpp>
#include <koe/error.hpp>
#include <koe/job.hpp>
#include <koe/model_file.hpp>
#include <koe/model_trends.hpp>
#include <koe/normalize.hpp>
#include <koe/options.hpp>
#include <koe/output_set.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/score_config.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <tbb/task_arena.h>

#include "convert.hpp"
#include "fitted_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

using namespace koe_python;  // NOLINT(google-build-using-namespace): the module's own helpers

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
    case koe::errc::invalid_model:
      return "invalid_model";
    case koe::errc::dictionary_mismatch:
      return "dictionary_mismatch";
    case koe::errc::mixed_outputs:
      return "mixed_outputs";
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
    case koe::errc::invalid_model:
    case koe::errc::mixed_outputs:
      return input_error_type;
    case koe::errc::invalid_argument:
    case koe::errc::invalid_config:
      return option_error_type;
    case koe::errc::mecab_init_failed:
    case koe::errc::mecab_parse_failed:
    case koe::errc::out_of_memory:
    case koe::errc::internal:
    case koe::errc::dictionary_mismatch:
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

koe::record_status parse_status(const std::string& s, std::size_t i) {
  try {
    return koe::parse_record_status(s);
  } catch (const koe::error& e) {
    throw koe::error(e.code(), "status[" + std::to_string(i) + "]: " + e.what());
  }
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
    status[i] = py::str(koe::to_string(d.status));
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

// An option's value from Python: None, bool, int, float, str, a path, or a list of str or paths.
koe::option_value option_value_from(py::handle v, const std::string& name) {
  if (v.is_none()) return std::monostate{};
  if (PyBool_Check(v.ptr())) return v.cast<bool>();
  if (PyLong_Check(v.ptr())) {
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
    if (overflow == 0) return static_cast<std::int64_t>(i);
    const unsigned long long u = PyLong_AsUnsignedLongLong(v.ptr());
    if (!PyErr_Occurred()) return static_cast<std::uint64_t>(u);
    PyErr_Clear();
    return PyLong_AsDouble(v.ptr());  // out of every integer range: the library rejects it
  }
  if (PyFloat_Check(v.ptr())) return v.cast<double>();
  if (PyUnicode_Check(v.ptr())) return utf8(v);
  const py::module_ os = py::module_::import("os");
  if (py::isinstance(v, os.attr("PathLike"))) return utf8(os.attr("fspath")(v));
  if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
    std::vector<std::string> items;
    for (py::handle item : v) {
      const koe::option_value one = option_value_from(item, name);
      const auto* text = std::get_if<std::string>(&one);
      if (text == nullptr)
        throw py::type_error(name + " must hold str or paths, not " +
                             std::string(py::str(py::type::handle_of(item).attr("__name__"))));
      items.push_back(*text);
    }
    return items;
  }
  throw py::type_error(name + " cannot be a " +
                       std::string(py::str(py::type::handle_of(v).attr("__name__"))));
}

// A job's options from Python keywords; the library checks every value.
koe::job_options job_options_from(const py::dict& params) {
  koe::job_options o;
  for (const auto& [key, value] : params) {
    const std::string name = py::str(key);
    const koe::option_descriptor* d = koe::find_option(name);
    if (d == nullptr || d->python != name)
      throw py::type_error("unexpected keyword argument '" + name + "'");
    if (name == "decisions" && py::hasattr(value, "to_csv")) {  // a pandas DataFrame
      o.decisions_csv = utf8(value.attr("to_csv")(py::arg("index") = false));
      continue;
    }
    koe::set_option(o, *d, option_value_from(value, name), koe::option_surface::python);
  }
  return o;
}

py::object to_python(const koe::option_value& v) {
  return std::visit(
      [](const auto& x) -> py::object {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          return py::none();
        else
          return py::cast(x);
      },
      v);
}

const char* scope_name(koe::option_scope s) {
  switch (s) {
    case koe::option_scope::read:
      return "read";
    case koe::option_scope::text:
      return "text";
    case koe::option_scope::model:
      return "model";
    case koe::option_scope::scoring:
      return "scoring";
    case koe::option_scope::assign:
      return "assign";
    case koe::option_scope::recorded:
      break;
  }
  return "recorded";
}

// The option descriptors as Python sees them: name, command-line spelling, scope, default, help.
py::list option_table() {
  const koe::job_options defaults;
  py::list out;
  for (const auto& d : koe::option_descriptors()) {
    if (d.python.empty()) continue;
    py::dict row;
    row["name"] = std::string(d.python);
    row["cli"] = std::string(d.cli);
    row["scope"] = scope_name(d.scope);
    row["default"] = to_python(koe::get_option(defaults, d, koe::option_surface::python));
    row["help"] = std::string(d.help);
    py::list choices;
    for (auto c : d.choices)
      choices.append(std::string(c));
    row["choices"] = choices;
    out.append(std::move(row));
  }
  return out;
}

class model {
 public:
  explicit model(const koe::job_options& options) : job_(options) {}

  /// A copy of the last fit's model.
  [[nodiscard]] fitted_model fitted() const {
    const koe::analysis_result& r = result();
    koe::model copy;
    {
      py::gil_scoped_release release;
      copy = r.fitted;
    }
    return {std::move(copy), fitted_model::unsaved_info()};
  }

  /// Saves the last fit's model, as `koe cluster` writes model.koe.
  void save_model(const std::filesystem::path& path) const {
    const koe::analysis_result& r = result();
    py::gil_scoped_release release;
    koe::save_model(r.fitted, path);
  }

  void fit(py::handle texts, py::handle ids, py::handle timestamps, py::handle status,
           py::handle reasons, const std::vector<std::string>& meta_names, py::handle meta,
           const std::string& source, const std::string& encoding, py::handle prev) {
    // A refit holds its own copy of the previous model, whatever Python does with it meanwhile.
    std::optional<koe::model> previous;
    if (!prev.is_none()) previous = py::cast<const fitted_model&>(prev).get();
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
    const koe::analysis_result& r = job_.run(std::move(c), previous ? &*previous : nullptr);
    row_of_.assign(r.input.documents.size(), -1);
    for (std::size_t row = 0; row < r.row_document.size(); ++row)
      row_of_[r.row_document[row]] = static_cast<std::int64_t>(row);
  }

  [[nodiscard]] const koe::analysis_result& result() const { return job_.result(); }

  /// The scored candidates of the last fit, computed (without the GIL) on first use.
  [[nodiscard]] const koe::adoption_result& adoption() {
    (void)result();
    py::gil_scoped_release release;
    return job_.adoption();
  }

  [[nodiscard]] std::size_t records() const { return result().input.documents.size(); }

  py::array_t<std::int32_t> labels() const {
    const auto& r = result();
    py::array_t<std::int32_t> out(static_cast<py::ssize_t>(records()));
    auto* p = out.mutable_data();
    for (std::size_t i = 0; i < row_of_.size(); ++i)
      p[i] = row_of_[i] >= 0
                 ? stable_id(r, r.clusters.assignment[static_cast<std::size_t>(row_of_[i])])
                 : -1;
    return out;
  }

  /// The stable id of cluster row `a` (its description's), -1 for none.
  static std::int32_t stable_id(const koe::analysis_result& r, std::int32_t a) {
    return a >= 0 && static_cast<std::size_t>(a) < r.descriptions.size()
               ? r.descriptions[static_cast<std::size_t>(a)].id
               : -1;
  }

  /// The last fit's comparison with the previous model (`koe::refit_comparison`) as a dict, None
  /// for a fresh fit.
  [[nodiscard]] py::object refit() const {
    const auto& r = result();
    if (!r.refit) return py::none();
    const koe::refit_comparison& c = *r.refit;
    py::dict d;
    d["previous_period"] = c.previous_period;
    d["period"] = c.period;
    d["previous_ids"] = c.previous_ids;
    d["previous_dormant"] = c.previous_dormant;
    d["previous_share"] = c.previous_share;
    d["ids"] = c.ids;
    d["share"] = c.share;
    d["similarity"] = c.similarity;
    d["match"] = c.match;
    d["contingency"] = c.contingency;
    return d;
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

  py::list vocabulary() const { return to_list(result().fitted.vectorizer.vocabulary); }

  py::list terms() const {
    const auto& r = result();
    py::list out(records());
    for (std::size_t i = 0; i < row_of_.size(); ++i)
      out[i] = row_of_[i] >= 0
                   ? py::object(to_list(r.terms.row_terms(static_cast<std::size_t>(row_of_[i]))))
                   : py::object(py::list());
    return out;
  }

  py::list k_curve() const {
    py::list out;
    for (const auto& p : result().fitted.k_curve)
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
    const koe::report_format f = koe::parse_report_format(format);
    (void)result();
    std::ostringstream out;
    py::gil_scoped_release release;
    job_.write(out, f, stats);
    return out.str();
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
      status[i] = py::str(koe::to_string(t.status));
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
      terms = job_.get_pipeline().tokenize(text);
    }
    koe::sparse_matrix m;
    run_in_arena(job_.options().pipeline.threads, [&] {
      koe::sparse_matrix rows = koe::transform(terms, r.fitted.vectorizer);
      m.swap(rows);  // not `=`: Eigen would copy the arrays
    });
    return csr_arrays(m);
  }

  // The LSA rows clustering saw, recomputed by the library with the options the run used.
  py::object reduced() const {
    (void)result();
    if (job_.options().pipeline.lsa_dimensions <= 0) return py::none();
    koe::dense_matrix x;
    {
      py::gil_scoped_release release;
      x = job_.reduced();
    }
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

  [[nodiscard]] int k() const { return result().clusters.k; }
  [[nodiscard]] int iterations() const { return result().clusters.iterations; }
  [[nodiscard]] double objective() const { return result().clusters.objective; }
  [[nodiscard]] std::string dictionary() const {
    return job_.get_pipeline().get_tokenizer().dictionary();
  }

 private:
  koe::job job_;
  std::vector<std::int64_t> row_of_;  ///< Row of each input record, -1 when it has none.
};

void bind_options(py::module_& m) {
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
  m.def("options", &option_table);
  m.def("default_time_column", &koe::default_time_column, py::arg("names"));
}

void register_errors(py::module_& m) {
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
}

void bind_functions(py::module_& m) {
  m.def(
      "read_corpus",
      [](const std::filesystem::path& path, const py::dict& params) {
        const koe::job_options o = job_options_from(params);
        koe::corpus c;
        {
          py::gil_scoped_release release;
          c = koe::read_corpus(path, o.pipeline.io);
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
      [](py::handle texts, const py::dict& params) {
        const koe::job_options o = job_options_from(params);
        const std::vector<std::string> v = texts_from(texts, "texts");
        std::vector<std::vector<std::string>> terms;
        {
          py::gil_scoped_release release;
          koe::pipeline p(o.pipeline);
          terms = p.tokenize(v);
        }
        return to_lists(terms);
      },
      py::arg("texts"), py::arg("options"));
  m.def("data_directory", &koe::data_directory);
}

void bind_model(py::module_& m) {
  py::class_<model>(m, "Model", "A koe::job and its last result.")
      .def(py::init([](const py::dict& params) {
             const koe::job_options o = job_options_from(params);
             py::gil_scoped_release release;
             return std::make_unique<model>(o);
           }),
           py::arg("options"))
      .def("fit", &model::fit, py::arg("texts"), py::arg("ids"), py::arg("timestamps"),
           py::arg("status"), py::arg("reasons"), py::arg("meta_names"), py::arg("meta"),
           py::arg("source") = "texts", py::arg("encoding") = "utf-8", py::arg("prev") = py::none())
      .def("refit", &model::refit)
      .def("trace", &model::trace)
      .def("notes", &model::notes)
      .def("unmatched_decisions", &model::unmatched_decisions)
      .def("labels", &model::labels)
      .def("similarity", &model::similarity)
      .def("tfidf", &model::tfidf)
      .def("vocabulary", &model::vocabulary)
      .def("terms", &model::terms)
      .def("k_curve", &model::k_curve)
      .def("timings", &model::timings)
      .def("report", &model::report, py::arg("format"), py::arg("stats") = false)
      .def("transform", &model::transform, py::arg("texts"))
      .def("reduced", &model::reduced)
      .def("input", &model::input)
      .def("k", &model::k)
      .def("iterations", &model::iterations)
      .def("objective", &model::objective)
      .def("dictionary", &model::dictionary)
      .def("fitted_model", &model::fitted)
      .def("save_model", &model::save_model, py::arg("path"));
}

// The fitted model on its own (koe.Model, koe.load): what a fit learned, read from or written
// to a model file.
void bind_fitted_model(py::module_& m) {
  py::class_<fitted_model>(m, "FittedModel", "A koe::model: what a fit learned.")
      .def("k", &fitted_model::k)
      .def("vocabulary", &fitted_model::vocabulary)
      .def("idf", &fitted_model::idf)
      .def("centroids", &fitted_model::centroids)
      .def("clusters", &fitted_model::clusters)
      .def("period", &fitted_model::period)
      .def("next_id", &fitted_model::next_id)
      .def("dormant", &fitted_model::dormant)
      .def("dictionary", &fitted_model::dictionary)
      .def("koe_version", &fitted_model::koe_version)
      .def("format", &fitted_model::format)
      .def("save", &fitted_model::save, py::arg("path"))
      .def(
          "predict",
          // The new-theme options by their Python names, checked as every option is.
          [](const fitted_model& f, py::handle texts, const py::dict& params) {
            const koe::job_options o = job_options_from(params);
            koe::assign_options a;
            a.new_theme = o.new_theme;
            a.allow_dictionary_change = o.allow_dictionary_change;
            a.reading.threads = o.pipeline.threads;
            return f.predict(texts, a);
          },
          py::arg("texts"), py::arg("params"))
      .def("tfidf", &fitted_model::tfidf, py::arg("texts"), py::arg("threads"))
      .def("transform", &fitted_model::transform, py::arg("texts"), py::arg("threads"))
      .def("has_lsa", &fitted_model::has_lsa);
  m.def("load_model", &fitted_model::load, py::arg("path"));
  m.attr("MODEL_FORMAT") = koe::model_format;
}

// Output sets (koe/output_set.hpp): koe.check_outputs(dir) returns what manifest.json lists once
// every file is checked against it, as a dict shaped like the manifest.
void bind_output_set(py::module_& m) {
  m.def(
      "check_outputs",
      [](const std::filesystem::path& dir) {
        koe::output_manifest manifest;
        {
          py::gil_scoped_release release;
          manifest = koe::check_output_set(dir);
        }
        py::list files;
        for (const auto& f : manifest.files) {
          char hex[17];
          std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(f.xxh64));
          files.append(py::dict(py::arg("name") = f.name, py::arg("size") = f.size,
                                py::arg("xxh64") = std::string(hex)));
        }
        return py::dict(py::arg("format_version") = manifest.format_version,
                        py::arg("koe_version") = manifest.koe_version,
                        py::arg("run_id") = manifest.run_id, py::arg("files") = files);
      },
      py::arg("dir"));
}

// Lineage (koe/lineage.hpp, koe/changes.hpp): the events of a refit comparison given as a dict
// of refit_comparison's fields, returned as the text of changes.json.
void bind_lineage(py::module_& m) {
  m.def(
      "changes_json",
      [](const py::dict& c, const std::map<int, std::string>& labels,
         std::optional<double> min_similarity, std::optional<double> min_part_share,
         std::optional<std::size_t> min_voices, std::optional<double> min_part_similarity) {
        koe::refit_comparison r;
        r.previous_period = c["previous_period"].cast<std::string>();
        r.period = c["period"].cast<std::string>();
        r.previous_ids = c["previous_ids"].cast<std::vector<int>>();
        r.previous_dormant = c["previous_dormant"].cast<std::vector<bool>>();
        r.previous_share = c["previous_share"].cast<std::vector<double>>();
        r.ids = c["ids"].cast<std::vector<int>>();
        r.share = c["share"].cast<std::vector<double>>();
        r.similarity = c["similarity"].cast<std::vector<std::vector<double>>>();
        r.match = c["match"].cast<std::vector<int>>();
        r.contingency = c["contingency"].cast<std::vector<std::vector<std::size_t>>>();
        // Thresholds left out keep the library's defaults (koe.toml's [lineage]).
        koe::lineage_options o;
        o.min_similarity = min_similarity.value_or(o.min_similarity);
        o.min_part_share = min_part_share.value_or(o.min_part_share);
        o.min_voices = min_voices.value_or(o.min_voices);
        o.min_part_similarity = min_part_similarity.value_or(o.min_part_similarity);
        return koe::changes_json(koe::make_lineage_report(r, labels, o));
      },
      py::arg("comparison"), py::arg("labels"), py::arg("min_similarity"),
      py::arg("min_part_share"), py::arg("min_voices"), py::arg("min_part_similarity"));
}

// Trends across a chain of models (koe/model_trends.hpp): each item a FittedModel or a path;
// returns the text of trends.csv and alerts.json as `koe trend` writes them.
void bind_model_trends(py::module_& m) {
  m.def(
      "model_trends",
      [](const py::list& items, const std::optional<std::string>& config) {
        std::vector<koe::model> chain;
        std::vector<std::string> names;
        std::vector<std::optional<std::filesystem::path>> paths;
        for (const py::handle item : items) {
          if (py::isinstance<fitted_model>(item)) {
            chain.push_back(item.cast<const fitted_model&>().get());
            names.push_back("model " + std::to_string(chain.size()));
          } else {
            const auto path = item.cast<std::filesystem::path>();
            py::gil_scoped_release release;
            chain.push_back(koe::load_model(path));
            names.push_back(path.string());
          }
        }
        py::gil_scoped_release release;
        const koe::trend_options alerts =
            config ? koe::load_score_config(*config).trends : koe::default_score_options().trends;
        const koe::chain_trends t = koe::model_trends(chain, names, alerts);
        std::ostringstream csv, json;
        koe::write_chain_trends_csv(csv, t);
        koe::write_chain_alerts_json(json, t);
        return std::make_pair(csv.str(), json.str());
      },
      py::arg("models"), py::arg("config"));
}

}  // namespace

PYBIND11_MODULE(_koe, m) {
  m.doc() = "Native part of koe; use the koe package, which wraps it.";
  m.attr("__version__") = KOE_VERSION;
  register_errors(m);
  bind_options(m);
  bind_functions(m);
  bind_model(m);
  bind_output_set(m);
  bind_fitted_model(m);
  bind_lineage(m);
  bind_model_trends(m);
}
