// A block of records read in one process, as bytes for another (src/detail/block_exchange.hpp).
// Both ends are the same build of koe on machines of the same byte order, so numbers go as they
// are in memory; the bytes are checked only for what a truncated message would break.
#include <koe/error.hpp>

#include "detail/block_exchange.hpp"

#include <cstring>
#include <new>
#include <type_traits>

namespace koe::detail {

namespace {

constexpr std::uint64_t block_magic = 0x6b6f65626c6f636bULL;  // "koeblock"

class writer {
 public:
  template <class T>
  void number(T v) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    const auto u = static_cast<std::uint64_t>(v);
    out_.append(reinterpret_cast<const char*>(&u), sizeof u);
  }
  void text(std::string_view s) {
    number(s.size());
    out_.append(s);
  }
  template <class T>
  void numbers(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    number(v.size());
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void texts(const text_column& c) {
    number(c.size());
    for (std::size_t i = 0; i < c.size(); ++i)
      text(c[i]);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}
  std::uint64_t number() {
    std::uint64_t u = 0;
    std::memcpy(&u, take(sizeof u).data(), sizeof u);
    return u;
  }
  std::size_t size() { return static_cast<std::size_t>(number()); }
  std::string_view text() { return take(size()); }
  template <class T>
  void numbers(std::vector<T>& v) {
    const std::size_t n = size();
    const std::string_view bytes = take(n * sizeof(T));
    v.resize(n);
    // An empty vector may have no storage: memcpy must not be handed its null pointer.
    if (n > 0) std::memcpy(v.data(), bytes.data(), bytes.size());
  }
  void texts(text_column& c) {
    c.clear();
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i)
      c.push_back(text());
  }
  [[nodiscard]] bool done() const noexcept { return in_.empty(); }

 private:
  std::string_view take(std::size_t n) {
    KOE_THROW_IF_NOT(n <= in_.size(), errc::invalid_argument,
                     "a block from another process is truncated");
    const std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }
  std::string_view in_;
};

void write_terms(writer& w, const term_table& t) {
  w.number(t.size());
  for (const std::string& s : t.terms())
    w.text(s);
  w.number(t.rows());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const auto row = t.row(r);
    w.number(row.size());
    for (const term_table::id_type id : row)
      w.number(id);
  }
}

term_table read_terms(reader& in) {
  term_table t;
  const std::size_t n = in.size();
  for (std::size_t i = 0; i < n; ++i)
    (void)t.add(in.text());
  const std::size_t rows = in.size();
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t len = in.size();
    for (std::size_t k = 0; k < len; ++k) {
      const std::uint64_t id = in.number();
      KOE_THROW_IF_NOT(id < n, errc::invalid_argument, "a block from another process is damaged");
      t.push_id(static_cast<term_table::id_type>(id));
    }
    t.end_row();
  }
  return t;
}

}  // namespace

std::string encode_block(const document_table& docs, const normalized_part& part) {
  writer w;
  w.number(block_magic);
  w.number(docs.size());
  w.number(docs.meta_size());
  for (const document_view d : docs) {
    w.number(d.record);
    w.number(d.line);
    w.number(d.status);
    w.text(d.id);
    w.text(d.text);
    w.text(d.timestamp);
    w.text(d.reason);
    for (std::size_t j = 0; j < docs.meta_size(); ++j)
      w.text(d.meta[j]);
  }
  w.texts(part.texts);
  w.numbers(part.rows);
  w.numbers(part.blank);
  w.numbers(part.hashes);
  w.numbers(part.hit_rows);
  w.numbers(part.hit_phrases);
  write_terms(w, part.terms);
  return w.take();
}

void decode_block(std::string_view bytes, document_table& docs, normalized_part& part) {
  reader in(bytes);
  KOE_THROW_IF_NOT(in.number() == block_magic, errc::invalid_argument,
                   "a message from another process is not a block of records");
  docs = document_table();
  part = normalized_part();
  const std::size_t n = in.size();
  const std::size_t columns = in.size();
  docs.resize_meta(columns);
  docs.reserve(n);
  document d;
  d.meta.resize(columns);
  for (std::size_t i = 0; i < n; ++i) {
    d.record = in.size();
    d.line = in.size();
    d.status = static_cast<record_status>(in.number());
    d.id = in.text();
    d.text = in.text();
    d.timestamp = in.text();
    d.reason = in.text();
    for (std::size_t j = 0; j < columns; ++j)
      d.meta[j] = in.text();
    docs.push_back(d);
  }
  in.texts(part.texts);
  in.numbers(part.rows);
  in.numbers(part.blank);
  in.numbers(part.hashes);
  in.numbers(part.hit_rows);
  in.numbers(part.hit_phrases);
  part.terms = read_terms(in);
  KOE_THROW_IF_NOT(in.done(), errc::invalid_argument,
                   "a block from another process has bytes after its end");
}

std::string encode_failure(const std::exception_ptr& failure) {
  writer w;
  try {
    std::rethrow_exception(failure);
  } catch (const error& e) {
    w.number(1);
    w.number(e.code());
    w.text(e.what());
  } catch (const std::bad_alloc&) {
    w.number(1);
    w.number(errc::out_of_memory);
    w.text("a reading process ran out of memory; give it more, or use more processes");
  } catch (const std::exception& e) {
    w.number(0);
    w.number(0);
    w.text(e.what());
  } catch (...) {
    w.number(0);
    w.number(0);
    w.text("unknown failure");
  }
  return w.take();
}

void throw_failure(std::string_view bytes) {
  reader in(bytes);
  const bool is_error = in.number() == 1;
  const auto code = static_cast<errc>(in.number());
  const std::string what(in.text());
  if (is_error) throw error(code, what);
  throw std::runtime_error(what);
}

}  // namespace koe::detail
