// Conversions between Python objects and koe's value types, shared by the _koe module's parts.
#pragma once

#include <koe/types.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace koe_python {

namespace py = pybind11;

inline bool is_missing(py::handle item) {
  if (item.is_none()) return true;
  return PyFloat_Check(item.ptr()) && std::isnan(PyFloat_AsDouble(item.ptr()));
}

inline std::string utf8(py::handle item) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(item.ptr(), &size);
  if (data == nullptr) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

// Texts from any Python sequence: str as is, None and NaN (a missing value in pandas) as "",
// anything else a TypeError that names the position, so a stray number is never clustered.
inline std::vector<std::string> texts_from(py::handle items, const char* what) {
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
inline std::vector<std::string> values_from(py::handle items) {
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

inline py::list to_list(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    out[i] = py::str(v[i]);
  return out;
}

inline py::list to_lists(const std::vector<std::vector<std::string>>& v) {
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
inline py::tuple csr_arrays(const koe::sparse_matrix& matrix,
                            const std::vector<std::int64_t>& row_of) {
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
inline py::tuple csr_arrays(const koe::sparse_matrix& m) {
  std::vector<std::int64_t> row_of(static_cast<std::size_t>(m.rows()));
  for (std::size_t i = 0; i < row_of.size(); ++i)
    row_of[i] = static_cast<std::int64_t>(i);
  return csr_arrays(m, row_of);
}

}  // namespace koe_python
