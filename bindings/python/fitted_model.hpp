// koe.Model's native side: a fitted koe::model read from a file or taken from a fit, with what
// predicting and transforming new texts need.
#pragma once

#include <koe/assign.hpp>
#include <koe/cluster.hpp>
#include <koe/model.hpp>
#include <koe/model_file.hpp>
#include <koe/pipeline.hpp>
#include <koe/vectorize.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "convert.hpp"

namespace koe_python {

// A koe::model as Python sees it (koe.Model wraps it): shared and never changed, so it can be
// handed out and read from any thread. Properties return copies; `predict` and `transform` run
// without the GIL, one at a time per model.
class fitted_model {
 public:
  fitted_model(koe::model m, koe::model_file_info info)
      : model_(std::make_shared<const koe::model>(std::move(m))),
        info_(std::move(info)),
        work_(std::make_shared<workspace>()) {}

  /// A model fitted in this process: what `save` would write.
  static koe::model_file_info unsaved_info() {
    koe::model_file_info info;
    info.format = koe::model_format;
    info.koe_version = KOE_VERSION;
    return info;
  }

  static fitted_model load(const std::filesystem::path& path) {
    koe::model_file f;
    {
      py::gil_scoped_release release;
      f = koe::read_model_file(path);
    }
    return {std::move(f.content), std::move(f.info)};
  }

  void save(const std::filesystem::path& path) const {
    py::gil_scoped_release release;
    koe::save_model(*model_, path);
  }

  [[nodiscard]] const koe::model& get() const noexcept { return *model_; }

  [[nodiscard]] std::int64_t k() const { return model_->centroids.rows(); }
  [[nodiscard]] py::list vocabulary() const { return to_list(model_->vectorizer.vocabulary); }
  [[nodiscard]] std::string dictionary() const { return model_->dictionary; }
  [[nodiscard]] std::string koe_version() const { return info_.koe_version; }
  [[nodiscard]] std::uint32_t format() const { return info_.format; }

  [[nodiscard]] py::array_t<float> idf() const {
    const std::vector<float>& idf = model_->vectorizer.idf;
    py::array_t<float> out(static_cast<py::ssize_t>(idf.size()));
    if (!idf.empty()) std::memcpy(out.mutable_data(), idf.data(), idf.size() * sizeof(float));
    return out;
  }

  [[nodiscard]] py::array_t<float> centroids() const {
    const koe::dense_matrix& c = model_->centroids;  // row-major, as numpy's default order
    py::array_t<float> out(
        {static_cast<py::ssize_t>(c.rows()), static_cast<py::ssize_t>(c.cols())});
    if (c.size() != 0)
      std::memcpy(out.mutable_data(), c.data(), static_cast<std::size_t>(c.size()) * sizeof(float));
    return out;
  }

  [[nodiscard]] py::list clusters() const {
    py::list out;
    for (const koe::model_cluster& c : model_->clusters) {
      py::dict row;
      row["id"] = c.id;
      row["label"] = c.label;
      row["key_terms"] = to_list(c.key_terms);
      row["size"] = c.size;
      row["cohesion"] = c.cohesion;
      row["born"] = c.born;
      row["status"] = koe::to_string(c.status);
      out.append(std::move(row));
    }
    return out;
  }

  /// The period label of the fit, the next fresh id, and the dormant clusters (as `clusters`).
  [[nodiscard]] std::string period() const { return model_->period; }
  [[nodiscard]] int next_id() const { return model_->next_id; }
  [[nodiscard]] py::list dormant() const {
    py::list out;
    for (const koe::model_cluster& c : model_->dormant) {
      py::dict row;
      row["id"] = c.id;
      row["label"] = c.label;
      row["born"] = c.born;
      row["status"] = koe::to_string(c.status);
      out.append(std::move(row));
    }
    return out;
  }

  /// Each text's assignment, as `koe assign` gives it: (cluster ids, similarities, statuses,
  /// reasons), the ids -1 for noise, empty voices and new themes.
  [[nodiscard]] py::tuple predict(py::handle texts, const koe::assign_options& options) const {
    const std::vector<std::string> values = texts_from(texts, "texts");
    std::vector<koe::assigned_voice> out;
    {
      py::gil_scoped_release release;
      const std::lock_guard<std::mutex> lock(work_->busy);
      out = assigner_for(options).assign_texts(values);
    }
    py::array_t<std::int32_t> ids(static_cast<py::ssize_t>(out.size()));
    py::array_t<float> similarity(static_cast<py::ssize_t>(out.size()));
    py::list status(out.size());
    py::list reason(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      ids.mutable_data()[i] = out[i].cluster;
      similarity.mutable_data()[i] = out[i].similarity;
      status[i] = py::str(koe::to_string(out[i].status));
      reason[i] = py::str(out[i].reason);
    }
    return py::make_tuple(ids, similarity, status, reason);
  }

  /// TF-IDF rows of `texts` in the model's vocabulary, weighed with its idf (CSR arrays).
  [[nodiscard]] py::tuple tfidf(py::handle texts, int threads) const {
    return csr_arrays(tfidf_rows(texts, threads));
  }

  /// `texts` in the space of the centroids: their LSA coordinates when the model has a basis (a
  /// dense array), else their TF-IDF rows (CSR arrays).
  [[nodiscard]] py::object transform(py::handle texts, int threads) const {
    const koe::sparse_matrix rows = tfidf_rows(texts, threads);
    if (model_->lsa_basis.size() == 0) return csr_arrays(rows);
    koe::dense_matrix x;
    run_in_arena(threads, [&] { x = koe::project_lsa(rows, model_->lsa_basis); });
    py::array_t<float> out(
        {static_cast<py::ssize_t>(x.rows()), static_cast<py::ssize_t>(x.cols())});
    if (x.size() != 0)
      std::memcpy(out.mutable_data(), x.data(), static_cast<std::size_t>(x.size()) * sizeof(float));
    return out;
  }

  [[nodiscard]] bool has_lsa() const noexcept { return model_->lsa_basis.size() != 0; }

 private:
  // What predicting and transforming keep between calls: the assigner of the last options (its
  // tokenizer loads the dictionary once) and a pipeline that tokenizes as the model was fitted.
  struct workspace {
    std::mutex busy;
    std::optional<koe::assign_options> options;
    std::unique_ptr<koe::assigner> assigner;
    std::unique_ptr<koe::pipeline> tokenizer;
  };

  static bool same(const koe::assign_options& a, const koe::assign_options& b) {
    return a.new_theme.mode == b.new_theme.mode &&
           a.new_theme.similarity == b.new_theme.similarity &&
           a.new_theme.percentile == b.new_theme.percentile &&
           a.new_theme.floor == b.new_theme.floor &&
           a.new_theme.voices_per_group == b.new_theme.voices_per_group &&
           a.allow_dictionary_change == b.allow_dictionary_change && a.dicdir == b.dicdir &&
           a.reading.threads == b.reading.threads;
  }

  koe::assigner& assigner_for(const koe::assign_options& options) const {
    if (!work_->assigner || !work_->options || !same(*work_->options, options)) {
      work_->assigner.reset();
      work_->assigner = std::make_unique<koe::assigner>(*model_, options);
      work_->options = options;
    }
    return *work_->assigner;
  }

  koe::sparse_matrix tfidf_rows(py::handle texts, int threads) const {
    const std::vector<std::string> values = texts_from(texts, "texts");
    koe::sparse_matrix m;
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> lock(work_->busy);
    if (!work_->tokenizer) {
      koe::pipeline_options o;
      o.normalize = model_->normalization;
      o.tokenize = koe::tokenize_options_of(*model_);
      work_->tokenizer = std::make_unique<koe::pipeline>(o);
    }
    const std::vector<std::vector<std::string>> terms = work_->tokenizer->tokenize(values);
    tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
    arena.execute([&] {
      koe::sparse_matrix rows = koe::transform(terms, model_->vectorizer);
      m.swap(rows);  // not `=`: Eigen would copy the arrays
    });
    return m;
  }

  std::shared_ptr<const koe::model> model_;
  koe::model_file_info info_;
  std::shared_ptr<workspace> work_;
};

}  // namespace koe_python
