// Built twice by scripts/fuzz.sh: as read_summary, and with koe renamed to koe_small and tiny
// chunks as read_summary_small, so one fuzz input runs through both readers.
#include "read_summary.hpp"

#include "fuzz_check.hpp"

#include <koe/error.hpp>
#include <koe/io.hpp>

#include <sstream>

#ifdef KOE_FUZZ_SMALL
#define KOE_FUZZ_READ_SUMMARY read_summary_small
#else
#define KOE_FUZZ_READ_SUMMARY read_summary
#endif

namespace koe_fuzz {
namespace {

/// The reader's promises about a corpus it returns.
void check_corpus(const koe::corpus& c, const read_request& r) {
  std::size_t kept = 0;
  std::size_t empty = 0;
  std::size_t rejected = 0;
  std::size_t last_line = 1;
  for (std::size_t i = 0; i < c.documents.size(); ++i) {
    const koe::document_view d = c.documents[i];
    const std::string at = r.name + " record " + std::to_string(i + 1) + ": ";
    check(d.record == i + 1, at + "record numbers run 1, 2, 3, ...");
    check(d.line >= last_line, at + "lines never go back");
    last_line = d.line;
    check(d.meta.size() == c.meta_columns.size(), at + "one meta value per meta column");
    switch (d.status) {
      case koe::record_status::kept:
        ++kept;
        break;
      case koe::record_status::empty:
        ++empty;
        break;
      case koe::record_status::rejected:
        ++rejected;
        check(r.skip, at + "rejected without on_error::skip");
        check(d.reason.starts_with("line " + std::to_string(d.line) + ": "),
              at + "reason names the record's line: " + std::string(d.reason));
        check(d.text.empty(), at + "a rejected record carries no text");
        continue;
    }
    // Later stages rely on this: the text is UTF-8 without NUL, within the length limit.
    check(valid_utf8(d.text), at + "text is not valid UTF-8");
    check(d.text.find('\0') == std::string::npos, at + "text holds a NUL byte");
    check(valid_utf8(d.id) && valid_utf8(d.timestamp), at + "id or timestamp not UTF-8");
    for (std::size_t j = 0; j < d.meta.size(); ++j)
      check(valid_utf8(d.meta[j]), at + "meta value not UTF-8");
    if (r.max_voice_bytes > 0)
      check(d.text.size() <= r.max_voice_bytes, at + "text longer than max_voice_bytes");
    check(d.status == koe::record_status::empty || !d.text.empty(), at + "kept but empty");
  }
  check(c.read() == kept + empty + rejected, r.name + ": read != kept + empty + rejected");
  check(c.count(koe::record_status::kept) == kept, r.name + ": kept count");
}

}  // namespace

std::string KOE_FUZZ_READ_SUMMARY(const read_request& r) {
  koe::io_options o;
  o.format = static_cast<koe::input_format>(r.format);
  o.errors = r.skip ? koe::on_error::skip : koe::on_error::fail;
  o.encoding = r.encoding;
  o.max_voice_bytes = r.max_voice_bytes;
  std::istringstream in{std::string(r.bytes)};
  std::ostringstream s;
  try {
    const koe::corpus c = koe::read_corpus(in, r.name, o);
    check_corpus(c, r);
    s << "encoding " << c.encoding << "\nmeta";
    for (const auto& m : c.meta_columns)
      s << " [" << m << ']';
    s << '\n';
    for (const auto& d : c.documents) {
      s << d.record << ' ' << d.line << ' ' << static_cast<int>(d.status) << " [" << d.id << "] ["
        << d.text << "] [" << d.timestamp << "] [" << d.reason << "]";
      for (std::size_t j = 0; j < d.meta.size(); ++j)
        s << " [" << d.meta[j] << ']';
      s << '\n';
    }
  } catch (const koe::error& e) {
    const std::string what = e.what();
    // Every message names the input (or, for the encoding option, the bad value).
    check(what.starts_with(r.name + ":") || what.starts_with("unknown encoding"),
          "error does not name the input: " + what);
    s << "error " << static_cast<int>(e.code()) << ": " << what;
  }
  return s.str();
}

}  // namespace koe_fuzz
