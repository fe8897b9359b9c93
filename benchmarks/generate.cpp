// koe-generate: writes a synthetic corpus of Japanese customer voices as CSV, with the true topic
// of each voice, for benchmarks and quality checks.
//
//   koe-generate --voices 1000000 --seed 1 -o voices.csv [--columns] [--hard]
#include "corpus_generator.hpp"
#include "hard_corpus.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
    "                     exact and near repeats of earlier voices (about 117 bytes)\n";

bool parse_count(std::string_view s, std::uint64_t& out) {
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end;
}

struct file_closer {
  void operator()(std::FILE* f) const {
    if (f != stdout) std::fclose(f);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t voices = 0, seed = 1;
  bool have_voices = false, columns = false, hard = false;
  std::string output;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> std::string_view {
      if (i + 1 >= argc) {
        std::cerr << "koe-generate: " << name << " needs a value\n" << usage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--voices" || a == "-n") {
      have_voices = parse_count(value(a), voices);
      if (!have_voices) {
        std::cerr << "koe-generate: --voices must be a whole number\n";
        return 2;
      }
    } else if (a == "--seed") {
      if (!parse_count(value(a), seed)) {
        std::cerr << "koe-generate: --seed must be a whole number\n";
        return 2;
      }
    } else if (a == "-o" || a == "--output") {
      output = value(a);
    } else if (a == "--columns") {
      columns = true;
    } else if (a == "--hard") {
      hard = true;
    } else if (a == "--profile") {
      const std::string_view p = value(a);
      if (p != "default" && p != "hard") {
        std::cerr << "koe-generate: --profile must be 'default' or 'hard', not '" << p << "'\n";
        return 2;
      }
      hard = p == "hard";
    } else if (a == "-h" || a == "--help") {
      std::cout << usage;
      return 0;
    } else {
      std::cerr << "koe-generate: unknown argument '" << a << "'\n" << usage;
      return 2;
    }
  }
  if (!have_voices || output.empty()) {
    std::cerr << usage;
    return 2;
  }

  std::unique_ptr<std::FILE, file_closer> out(output == "-" ? stdout
                                                            : std::fopen(output.c_str(), "wb"));
  if (!out) {
    std::cerr << "koe-generate: cannot open " << output << ": " << std::strerror(errno) << '\n';
    return 1;
  }
  // One buffer flushed in large writes: a million small fwrite calls would dominate the run.
  constexpr std::size_t flush_at = std::size_t{4} << 20;
  std::string buf;
  buf.reserve(flush_at + 4096);
  auto flush = [&] {
    if (std::fwrite(buf.data(), 1, buf.size(), out.get()) != buf.size()) {
      std::cerr << "koe-generate: cannot write " << output << ": " << std::strerror(errno) << '\n';
      std::exit(1);
    }
    buf.clear();
  };

  buf += columns ? "id,text,topic,rating,segment,created_at\n" : "id,text,topic\n";
  const auto& topics = koe::bench::topics();
  char id[24];
  // One loop for both profiles: the generator is chosen once, not per voice.
  auto write_voices = [&](auto& gen) {
    for (std::uint64_t i = 0; i < voices; ++i) {
      const koe::bench::voice& v = gen.next();
      const auto [end, ec] = std::to_chars(id, id + sizeof id, i + 1);
      buf.append(id, end);
      buf += ',';
      koe::bench::append_csv_field(buf, v.text);
      buf += ',';
      buf += topics[static_cast<std::size_t>(v.topic)].slug;
      if (columns) gen.append_columns(v.topic, buf);
      buf += '\n';
      if (buf.size() >= flush_at) flush();
    }
  };
  if (hard) {
    koe::bench::hard_voice_generator gen(seed);
    write_voices(gen);
  } else {
    koe::bench::voice_generator gen(seed);
    write_voices(gen);
  }
  flush();
  if (std::fflush(out.get()) != 0) {
    std::cerr << "koe-generate: cannot write " << output << ": " << std::strerror(errno) << '\n';
    return 1;
  }
  return 0;
}
