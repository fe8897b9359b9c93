// Randomized LSA: a truncated SVD of the TF-IDF rows by random projection, with every sum over
// row blocks added in block order, so the reduced rows do not depend on the thread count.
#include <koe/cluster.hpp>
#include <koe/error.hpp>

#include "detail/parallel.hpp"
#include "detail/rng.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace koe {
namespace {

// Sum over fixed row blocks of Y_b^T Y_b, added in block order.
Eigen::MatrixXd gram(const Eigen::MatrixXd& y) {
  constexpr Eigen::Index block = 8192;
  const Eigen::Index n = y.rows();
  const std::size_t blocks = detail::block_count(static_cast<std::size_t>(n), block);
  std::vector<Eigen::MatrixXd> part(blocks);
  detail::parallel_chunks(blocks, 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const Eigen::Index s = static_cast<Eigen::Index>(b) * block;
      const auto yb = y.middleRows(s, std::min(block, n - s));
      part[b] = yb.transpose() * yb;
    }
  });
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(y.cols(), y.cols());
  for (const auto& p : part)
    g += p;
  return g;
}

// Orthonormal columns spanning Y, by Cholesky QR applied twice for stability.
void orthonormalize(Eigen::MatrixXd& y) {
  for (int pass = 0; pass < 2; ++pass) {
    Eigen::MatrixXd g = gram(y);
    g.diagonal().array() += 1e-10 * std::max(1.0, g.diagonal().maxCoeff());
    const Eigen::LLT<Eigen::MatrixXd> llt(g);
    const Eigen::MatrixXd r_inv =
        llt.matrixU().solve(Eigen::MatrixXd::Identity(y.cols(), y.cols()));
    detail::parallel_chunks(static_cast<std::size_t>(y.rows()), 4096,
                            [&](std::size_t b, std::size_t e) {
                              const auto rows = static_cast<Eigen::Index>(e - b);
                              y.middleRows(static_cast<Eigen::Index>(b), rows) =
                                  y.middleRows(static_cast<Eigen::Index>(b), rows) * r_inv;
                            });
  }
}

// A · X for sparse A (n × V) and dense X (V × l), one output row per task.
Eigen::MatrixXd times(const sparse_matrix& a, const Eigen::MatrixXd& x) {
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(a.rows(), x.cols());
  detail::parallel_chunks(
      static_cast<std::size_t>(a.rows()), 1024, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i)
          for (sparse_matrix::InnerIterator it(a, static_cast<Eigen::Index>(i)); it; ++it)
            y.row(static_cast<Eigen::Index>(i)) +=
                static_cast<double>(it.value()) * x.row(it.col());
      });
  return y;
}

// Aᵀ · Q through the column-major copy, one output row per task in row order.
Eigen::MatrixXd times_transposed(const Eigen::SparseMatrix<float, Eigen::ColMajor, std::int32_t>& a,
                                 const Eigen::MatrixXd& q) {
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(a.cols(), q.cols());
  detail::parallel_chunks(
      static_cast<std::size_t>(a.cols()), 256, [&](std::size_t b, std::size_t e) {
        for (std::size_t j = b; j < e; ++j)
          for (Eigen::SparseMatrix<float, Eigen::ColMajor, std::int32_t>::InnerIterator it(
                   a, static_cast<Eigen::Index>(j));
               it; ++it)
            z.row(static_cast<Eigen::Index>(j)) +=
                static_cast<double>(it.value()) * q.row(it.row());
      });
  return z;
}

}  // namespace

lsa_fit fit_lsa(const sparse_matrix& rows, const lsa_options& options) {
  KOE_THROW_IF_NOT(options.dimensions >= 1, errc::invalid_argument,
                   "LSA needs at least 1 dimension");
  const Eigen::Index v = rows.cols();
  const Eigen::Index d = std::min<Eigen::Index>(options.dimensions, std::min(rows.rows(), v));
  const Eigen::Index l = std::min<Eigen::Index>(d + options.oversample, std::min(rows.rows(), v));
  KOE_THROW_IF_NOT(d >= 1, errc::empty_corpus, "LSA needs a non-empty matrix");
  const Eigen::SparseMatrix<float, Eigen::ColMajor, std::int32_t> cols(rows);

  detail::rng r(options.seed);
  Eigen::MatrixXd omega(v, l);
  for (Eigen::Index j = 0; j < v; ++j)
    for (Eigen::Index c = 0; c < l; ++c)
      omega(j, c) = r.normal();
  Eigen::MatrixXd q = times(rows, omega);
  orthonormalize(q);
  for (int p = 0; p < options.power_iterations; ++p) {
    q = times(rows, times_transposed(cols, q));
    orthonormalize(q);
  }
  // With B = Qᵀ A, the right singular vectors V = Bᵀ·U_b·Σ⁻¹ come from the eigenvectors of B·Bᵀ.
  const Eigen::MatrixXd z = times_transposed(cols, q);  // = Bᵀ
  const Eigen::MatrixXd bbt = gram(z);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(bbt);
  // Eigenvalues ascend; take the largest d. Fix each vector's sign so its largest entry is
  // positive.
  Eigen::MatrixXd basis_of_b(l, d);  // U_b Σ⁻¹: B·V = Σ·Uᵀ gives V = Bᵀ·U_b·Σ⁻¹
  for (Eigen::Index c = 0; c < d; ++c) {
    Eigen::VectorXd vec = eig.eigenvectors().col(l - 1 - c);
    Eigen::Index arg = 0;
    vec.cwiseAbs().maxCoeff(&arg);
    if (vec(arg) < 0) vec = -vec;
    const double sigma = std::sqrt(std::max(0.0, eig.eigenvalues()(l - 1 - c)));
    basis_of_b.col(c) = sigma > 0 ? Eigen::VectorXd(vec / sigma) : Eigen::VectorXd::Zero(l);
  }
  lsa_fit fit;
  fit.basis = (z * basis_of_b).cast<float>();
  // The rows are the voices projected with the basis, as any later voice is (`project_lsa`), not
  // Q·U_b·Σ: the two agree only where Q spans the rows, and the model's centroids must sit in the
  // space that assigning new voices uses.
  fit.rows = project_lsa(rows, fit.basis);
  return fit;
}

dense_matrix reduce_lsa(const sparse_matrix& rows, const lsa_options& options) {
  return fit_lsa(rows, options).rows;
}

dense_matrix project_lsa(const sparse_matrix& rows, const dense_matrix& basis) {
  KOE_THROW_IF_NOT(rows.cols() == basis.rows(), errc::invalid_argument,
                   "the rows have " + std::to_string(rows.cols()) + " columns but the LSA basis " +
                       std::to_string(basis.rows()));
  dense_matrix out = dense_matrix::Zero(rows.rows(), basis.cols());
  detail::parallel_chunks(
      static_cast<std::size_t>(rows.rows()), 1024, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
          Eigen::VectorXd x = Eigen::VectorXd::Zero(basis.cols());
          for (sparse_matrix::InnerIterator it(rows, static_cast<Eigen::Index>(i)); it; ++it)
            x += static_cast<double>(it.value()) * basis.row(it.col()).transpose().cast<double>();
          const double norm = x.norm();
          out.row(static_cast<Eigen::Index>(i)) =
              (norm > 0 ? x / norm : x).cast<float>().transpose();
        }
      });
  return out;
}

}  // namespace koe
