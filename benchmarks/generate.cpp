// koe-generate: writes a synthetic corpus of Japanese customer voices as CSV, with the true topic
// of each voice, for benchmarks and quality checks.
//
//   koe-generate --voices 1000000 --seed 1 -o voices.csv [--columns] [--hard]
//   koe-generate --voices 24000 --months 12 --events born:T3@6,burst:T6@11 -o year.csv
#include "corpus_generator.hpp"
#include "hard_corpus.hpp"
#include "scenario.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage =
    "usage: koe-generate --voices N [--seed S] -o FILE [--columns] [--hard | --profile P]\n"
    "  Writes N synthetic customer voices as CSV: id,text,topic[,rating,segment,created_at].\n"
    "  The same seed always gives the same file. FILE '-' writes to standard output.\n"
    "  --profile default  short voices, mostly one complaint each (about 105 bytes of text)\n"
    "  --profile hard     (or --hard) longer voices: stores, places, ages, dates, product\n"
    "                     codes, up to four complaints in one voice (topic = the first),\n"
    "                     exact and near repeats of earlier voices (about 117 bytes)\n"
    "Month by month (the default profile; the columns are always written):\n"
    "  --months N          spread the voices over N months; created_at falls in its month\n"
    "  --start YYYY-MM     the first month (default 2024-01)\n"
    "  --events SPEC       planted events, comma-separated KIND:TOPIC@MONTH[:SIZE]:\n"
    "                        born:T@M  fade:T@M[:F]  split:T@M  merge:T+U@M\n"
    "                        burst:T@M[:P]  return:T@A-B   (T: T1..T30 or a topic name)\n"
    "  --events-out FILE   write the planted events as JSON (data/sample/year/events.json)\n"
    "  --split-months DIR  also write DIR/YYYY-MM.csv, one file per month (-o is optional)\n";

bool parse_count(std::string_view s, std::uint64_t& out) {
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end;
}

struct options {
  std::uint64_t voices = 0, seed = 1, months = 0;
  bool have_voices = false, columns = false, hard = false;
  int start_year = 2024, start_month = 1;
  std::string output, events, events_out, split_dir;
};

// A CSV file written in large blocks: a million small fwrite calls would dominate the run.
class csv_sink {
 public:
  explicit csv_sink(const std::string& path)
      : name_(path), f_(path == "-" ? stdout : std::fopen(path.c_str(), "wb")) {
    if (!f_) {
      std::cerr << "koe-generate: cannot open " << path << ": " << std::strerror(errno) << '\n';
      std::exit(1);
    }
    buf.reserve(flush_at + 4096);
  }
  csv_sink(const csv_sink&) = delete;
  csv_sink& operator=(const csv_sink&) = delete;
  ~csv_sink() {
    if (f_ && f_ != stdout) std::fclose(f_);
  }
  void maybe_flush() {
    if (buf.size() >= flush_at) flush();
  }
  void flush() {
    if (std::fwrite(buf.data(), 1, buf.size(), f_) != buf.size()) fail();
    buf.clear();
  }
  void close() {
    flush();
    if (std::fflush(f_) != 0) fail();
  }

  std::string buf;

 private:
  static constexpr std::size_t flush_at = std::size_t{4} << 20;
  [[noreturn]] void fail() const {
    std::cerr << "koe-generate: cannot write " << name_ << ": " << std::strerror(errno) << '\n';
    std::exit(1);
  }
  std::string name_;
  std::FILE* f_;
};

void append_id(std::string& buf, std::uint64_t n) {
  char id[24];
  const auto [end, ec] = std::to_chars(id, id + sizeof id, n);
  buf.append(id, end);
}

// Without --months: one stream of voices, as the benchmarks read them.
int write_flat(const options& o) {
  csv_sink out(o.output);
  out.buf += o.columns ? "id,text,topic,rating,segment,created_at\n" : "id,text,topic\n";
  const auto& topics = koe::bench::topics();
  // One loop for both profiles: the generator is chosen once, not per voice.
  auto write_voices = [&](auto& gen) {
    for (std::uint64_t i = 0; i < o.voices; ++i) {
      const koe::bench::voice& v = gen.next();
      append_id(out.buf, i + 1);
      out.buf += ',';
      koe::bench::append_csv_field(out.buf, v.text);
      out.buf += ',';
      out.buf += topics[static_cast<std::size_t>(v.topic)].slug;
      if (o.columns) gen.append_columns(v.topic, out.buf);
      out.buf += '\n';
      out.maybe_flush();
    }
  };
  if (o.hard) {
    koe::bench::hard_voice_generator gen(o.seed);
    write_voices(gen);
  } else {
    koe::bench::voice_generator gen(o.seed);
    write_voices(gen);
  }
  out.close();
  return 0;
}

// With --months: month after month, into -o, one file per month, or both.
int write_months(const options& o, std::vector<koe::bench::scenario_event> events) {
  const std::size_t months = o.months;
  koe::bench::scenario_generator gen(o.seed, months, std::move(events), o.start_year,
                                     o.start_month);
  constexpr std::string_view header = "id,text,topic,rating,segment,created_at\n";
  std::unique_ptr<csv_sink> all;
  if (!o.output.empty()) {
    all = std::make_unique<csv_sink>(o.output);
    all->buf += header;
  }
  if (!o.split_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.split_dir, ec);
    if (ec) {
      std::cerr << "koe-generate: cannot create " << o.split_dir << ": " << ec.message() << '\n';
      return 1;
    }
  }
  std::uint64_t id = 0;
  for (std::size_t m = 0; m < months; ++m) {
    const std::size_t count = o.voices / months + (m < o.voices % months ? 1 : 0);
    std::unique_ptr<csv_sink> part;
    if (!o.split_dir.empty()) {
      part = std::make_unique<csv_sink>(o.split_dir + "/" + gen.month(m) + ".csv");
      part->buf += header;
    }
    for (const auto& v : gen.month_voices(m, count)) {
      std::string row;
      append_id(row, ++id);
      row += ',';
      koe::bench::append_csv_field(row, v.text);
      row += ',' + gen.units()[v.unit].slug + ',' + static_cast<char>('0' + v.rating) + ',';
      row += v.segment;
      row += ',' + v.created_at + '\n';
      for (csv_sink* s : {all.get(), part.get()}) {
        if (!s) continue;
        s->buf += row;
        s->maybe_flush();
      }
    }
    if (part) part->close();
  }
  if (all) all->close();
  if (!o.events_out.empty()) {
    std::ofstream f(o.events_out, std::ios::binary);
    f << koe::bench::events_json(gen, o.voices / months, o.seed, o.events);
    if (!f.flush()) {
      std::cerr << "koe-generate: cannot write " << o.events_out << '\n';
      return 1;
    }
  }
  return 0;
}

[[noreturn]] void bad_option(const std::string& message) {
  std::cerr << "koe-generate: " << message << '\n';
  std::exit(2);
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> std::string_view {
      if (i + 1 >= argc) bad_option(std::string(name) + " needs a value\n" + std::string(usage));
      return argv[++i];
    };
    if (a == "--voices" || a == "-n") {
      o.have_voices = parse_count(value(a), o.voices);
      if (!o.have_voices) bad_option("--voices must be a whole number");
    } else if (a == "--seed") {
      if (!parse_count(value(a), o.seed)) bad_option("--seed must be a whole number");
    } else if (a == "-o" || a == "--output") {
      o.output = value(a);
    } else if (a == "--columns") {
      o.columns = true;
    } else if (a == "--hard") {
      o.hard = true;
    } else if (a == "--profile") {
      const std::string_view p = value(a);
      if (p != "default" && p != "hard")
        bad_option("--profile must be 'default' or 'hard', not '" + std::string(p) + "'");
      o.hard = p == "hard";
    } else if (a == "--months") {
      if (!parse_count(value(a), o.months) || o.months < 1 || o.months > 1200)
        bad_option("--months must be a whole number from 1 to 1200");
    } else if (a == "--start") {
      const std::string_view s = value(a);
      std::uint64_t y = 0, m = 0;
      if (s.size() != 7 || s[4] != '-' || !parse_count(s.substr(0, 4), y) ||
          !parse_count(s.substr(5), m) || m < 1 || m > 12)
        bad_option("--start must be a month YYYY-MM, not '" + std::string(s) + "'");
      o.start_year = static_cast<int>(y);
      o.start_month = static_cast<int>(m);
    } else if (a == "--events") {
      o.events = value(a);
    } else if (a == "--events-out") {
      o.events_out = value(a);
    } else if (a == "--split-months") {
      o.split_dir = value(a);
    } else if (a == "-h" || a == "--help") {
      std::cout << usage;
      std::exit(0);
    } else {
      bad_option("unknown argument '" + std::string(a) + "'\n" + std::string(usage));
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse_options(argc, argv);
  const bool by_month = o.months > 0;
  if (!by_month && (!o.events.empty() || !o.events_out.empty() || !o.split_dir.empty()))
    bad_option("--events, --events-out and --split-months need --months");
  if (by_month && o.hard) bad_option("--months works with the default profile, not --hard");
  if (!o.have_voices || (o.output.empty() && o.split_dir.empty())) {
    std::cerr << usage;
    return 2;
  }
  if (!by_month) return write_flat(o);
  try {
    return write_months(o, koe::bench::parse_events(o.events, o.months));
  } catch (const std::invalid_argument& e) {
    bad_option(std::string("--events: ") + e.what());
  }
}
