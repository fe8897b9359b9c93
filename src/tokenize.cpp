// MeCab-backed tokenizer: one shared model, one lattice per worker.
#include <koe/error.hpp>
#include <koe/tokenize.hpp>

#include "detail/dictionary.hpp"
#include "detail/parallel.hpp"

#include <mecab.h>
#include <sys/mman.h>
#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>

namespace koe {
namespace {

namespace fs = std::filesystem;

using detail::context_rule;
using detail::mapped_features;

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The negative form of a verb or adjective from its lemma and conjugation type, so that every
// conjugated negation (使えない, 使えません, 使えなかった) maps to one term.
std::string negative_form(std::string_view lemma, std::string_view ctype) {
  std::string base(lemma);
  if (starts_with(ctype, "形容詞") && ends_with(base, "い")) {
    return base.substr(0, base.size() - 3) + "くない";
  }
  if (starts_with(ctype, "一段") && ends_with(base, "る")) {
    return base.substr(0, base.size() - 3) + "ない";
  }
  if (starts_with(ctype, "サ変") && ends_with(base, "する")) {
    return base.substr(0, base.size() - 6) + "しない";
  }
  if (starts_with(ctype, "サ変") && ends_with(base, "ずる")) {
    return base.substr(0, base.size() - 6) + "じない";
  }
  if (starts_with(ctype, "カ変")) {
    return base == "来る" ? "来ない" : "こない";
  }
  if (starts_with(ctype, "五段・ラ行アル")) return "ない";
  if (starts_with(ctype, "五段") && base.size() >= 3) {
    // Godan verbs: the final u-row kana becomes its a-row partner (う takes わ).
    static const std::pair<std::string_view, std::string_view> shift[] = {
        {"う", "わ"}, {"く", "か"}, {"ぐ", "が"}, {"す", "さ"}, {"つ", "た"},
        {"ぬ", "な"}, {"ぶ", "ば"}, {"む", "ま"}, {"る", "ら"}};
    const std::string_view last = std::string_view(base).substr(base.size() - 3);
    for (const auto& [u, a] : shift) {
      if (last == u) return base.substr(0, base.size() - 3) + std::string(a) + "ない";
    }
  }
  return base + "ない";
}

bool is_negator(const mapped_features& f) {
  return f.pos == "助動詞" &&
         (f.base == "ない" || f.base == "ぬ" || f.base == "ん" || f.base == "ず");
}

// Tokens that may stand between a predicate and its negator without changing what is negated:
// politeness (ます), auxiliary verbs (ている, てくれる), passive/causative suffixes and て.
bool is_negation_bridge(const mapped_features& f) {
  if (f.pos == "助動詞") return f.base == "ます";
  if (f.pos == "動詞") return f.sub1 == "非自立" || f.sub1 == "接尾";
  if (f.pos == "助詞") return f.base == "て" || f.base == "で";
  return false;
}

// One character of kana (3 bytes in UTF-8) or pure ASCII punctuation carries no topic.
bool is_trivial_term(std::string_view t) {
  if (t.empty()) return true;
  if (t.size() == 3) {
    const auto b0 = static_cast<unsigned char>(t[0]);
    const auto b1 = static_cast<unsigned char>(t[1]);
    // U+3040..U+30FF (hiragana and katakana) encode as E3 81..83 xx.
    if (b0 == 0xE3 && b1 >= 0x81 && b1 <= 0x83) return true;
  }
  return std::all_of(t.begin(), t.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x80 && !std::isalnum(u);
  });
}

// A string set that looks up string_views without building a std::string per token.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;

// A handful of part-of-speech names, checked for every morpheme: comparing a few short strings
// costs less than hashing one.
class small_set {
 public:
  void insert(std::string_view s) {
    if (!contains(s)) items_.emplace_back(s);
  }
  [[nodiscard]] bool contains(std::string_view s) const noexcept {
    return std::find(items_.begin(), items_.end(), s) != items_.end();
  }

 private:
  std::vector<std::string> items_;
};

void load_stopwords(const fs::path& file, string_set& out) {
  std::ifstream in(file);
  KOE_THROW_IF_NOT(in, errc::io_failure, "cannot open stop-word file " + file.string());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t");
    out.insert(line.substr(first, last - first + 1));
  }
}

}  // namespace

std::string data_directory() {
  if (const char* env = std::getenv("KOE_DATA_DIR"); env != nullptr && *env != '\0') return env;
  for (const char* dir : {KOE_SOURCE_DATA_DIR, KOE_INSTALL_DATA_DIR}) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return dir;
  }
  return {};
}

struct tokenizer::impl {
  tokenize_options options;
  std::string dictionary;
  std::unique_ptr<MeCab::Model> model;
  detail::dictionary_layout layout = detail::dictionary_layout::ipadic;
  // Digesting sys.dic reads the whole file (a quarter of a gigabyte for UniDic), so the identity
  // is made when first asked for.
  mutable std::once_flag identity_once;
  mutable dictionary_identity identity;
  string_set stopwords;
  small_set pos;
  small_set drop_subclasses;
};

namespace {

// What the term extraction asks of one dictionary entry. MeCab gives every occurrence of an entry
// the same feature pointer (the string lives in the mapped dictionary), so each worker splits and
// compares an entry's fields once, not at every occurrence, and keeps the entry's id in the table
// being filled so a repeated base form is not hashed and looked up again.
enum entry_flag : std::uint16_t {
  noun = 1u << 0,         // 名詞
  number = 1u << 1,       // 名詞,数
  dropped = 1u << 2,      // the subclass is one of tokenize_options::drop_subclasses
  suffix = 1u << 3,       // subclass 接尾
  nai_stem = 1u << 4,     // 名詞,ナイ形容詞語幹
  predicate = 1u << 5,    // 動詞 or 形容詞, 自立
  verb_suffix = 1u << 6,  // 動詞,接尾
  negator = 1u << 7,      // see is_negator
  bridge = 1u << 8,       // see is_negation_bridge
  kept_pos = 1u << 9,     // the part of speech is one of tokenize_options::pos
  te = 1u << 10,          // the conjunctive particle て or で: some verbs after it are dependent
};

struct entry {
  const char* feature = nullptr;  // the key
  std::string_view lemma;  // the term; empty when the dictionary gives none: the surface serves
  std::string_view base;   // the written base form the negation reads; empty as `lemma`
  std::string_view ctype;
  std::uint16_t flags = 0;
  // Where the morpheme before is of kind `context_after` (a flag), the entry reads `context_flags`
  // instead (UniDic's 非自立可能 verb after て, a counter after a number).
  std::uint16_t context_after = 0;
  std::uint16_t context_flags = 0;
  bool lemma_is_term = false;  // the base form passes the trivial-term and stop-word filters
  std::uint64_t table = 0;     // the worker's serial of the table that `id` belongs to; 0: none
  term_table::id_type id = 0;
};

// One morpheme of the parsed text: its surface (a view into the text), its entry's index and the
// entry's flags where it stands.
struct morph {
  std::string_view surface;
  std::uint32_t entry;
  std::uint16_t flags;
};

}  // namespace

struct tokenizer::worker::impl {
  const tokenizer::impl* owner = nullptr;
  std::unique_ptr<MeCab::Tagger> tagger;
  std::unique_ptr<MeCab::Lattice> lattice;
  std::string sentence;              // the lattice points into this copy while parsing
  std::vector<morph> morphs;         // reused by every text
  std::string run, prev, stem;       // buffers of the term extraction, reused
  std::vector<entry> entries;        // every entry met, in order; indices stay valid as it grows
  std::vector<std::uint32_t> slots;  // open addressing by feature pointer: index + 1, 0 = empty
  std::uint64_t serial = 0;          // names the table being filled (see entry::table)

  const MeCab::Node* parse(std::string_view text) {
    // A copy ending in a zero: MeCab's dictionary lookup calls strlen on the text, even when
    // told its length, so a view into a longer buffer would be read past its end.
    sentence.assign(text);
    lattice->set_sentence(sentence.c_str(), sentence.size());
    KOE_THROW_IF_NOT(tagger->parse(lattice.get()), errc::mecab_parse_failed,
                     std::string("MeCab failed to parse: ") + lattice->what());
    return lattice->bos_node();
  }

  std::uint32_t entry_of(const char* feature);
  entry classify(const char* feature) const;
  std::uint16_t flags_of(const mapped_features& f) const;

  // Calls `sink.term(view)` with each term of `text` (valid only during the call), or
  // `sink.lemma(entry)` where the term is an entry's base form.
  template <class Sink>
  void scan(std::string_view text, Sink&& sink);

  // Fills `morphs` with the morphemes of `text`.
  void collect(std::string_view text) {
    morphs.clear();
    for (const MeCab::Node* n = parse(text); n != nullptr; n = n->next) {
      if (n->stat == MECAB_BOS_NODE) continue;
      if (n->stat == MECAB_EOS_NODE) break;
      const std::uint32_t e = entry_of(n->feature);
      std::uint16_t flags = entries[e].flags;
      if (entries[e].context_after != 0 && !morphs.empty() &&
          (morphs.back().flags & entries[e].context_after) != 0)
        flags = entries[e].context_flags;
      morphs.push_back({std::string_view(n->surface, n->length), e, flags});
    }
  }

  // The written base form of morpheme i, or its surface when the dictionary gives none.
  std::string_view base_of(std::size_t i) const {
    const entry& e = entries[morphs[i].entry];
    return e.base.empty() ? morphs[i].surface : e.base;
  }

  // The negated term of the predicate at i, negated by the negator at `neg`; `noun` is the lone
  // noun before it, if any.
  std::string negated_term(std::size_t i, std::size_t neg, const std::string& noun);

  // The terms of `text` as a new row of `table`; ids remembered from the table this worker last
  // filled are reused only while `serial` is unchanged, so a caller starting another table bumps
  // it first.
  void intern(std::string_view text, term_table& table);
};

namespace {

// Fibonacci hashing: the multiply mixes the address into the high bits, which are the ones kept
// (the table has far fewer than 2^32 slots).
std::uint64_t pointer_hash(const char* p) noexcept {
  return (static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p)) *
          0x9E3779B97F4A7C15ull) >>
         32;
}

// Interns into a table, reusing an entry's id while the worker fills the same table.
struct table_sink {
  term_table& table;
  std::uint64_t serial;
  void term(std::string_view t) const { table.push(t); }
  void lemma(entry& e) const {
    if (e.table == serial) {
      table.push_id(e.id);
    } else {
      e.id = table.push(e.lemma);
      e.table = serial;
    }
  }
};

struct strings_sink {
  std::vector<std::string>& out;
  void term(std::string_view t) const { out.emplace_back(t); }
  void lemma(const entry& e) const { out.emplace_back(e.lemma); }
};

}  // namespace

std::uint16_t tokenizer::worker::impl::flags_of(const mapped_features& f) const {
  const tokenizer::impl& tk = *owner;
  std::uint16_t flags = 0;
  const bool is_noun = f.pos == "名詞";
  if (is_noun) flags |= noun;
  if (is_noun && f.sub1 == "数") flags |= number;
  if (is_noun && f.sub1 == "ナイ形容詞語幹") flags |= nai_stem;
  if (tk.drop_subclasses.contains(f.sub1)) flags |= dropped;
  if (f.sub1 == "接尾") flags |= suffix;
  if ((f.pos == "動詞" || f.pos == "形容詞") && f.sub1 == "自立") flags |= predicate;
  if (f.pos == "動詞" && f.sub1 == "接尾") flags |= verb_suffix;
  if (is_negator(f)) flags |= negator;
  if (is_negation_bridge(f)) flags |= bridge;
  if (f.pos == "助詞" && f.sub1 == "接続助詞" && (f.base == "て" || f.base == "で")) flags |= te;
  if (tk.pos.contains(f.pos)) flags |= kept_pos;
  return flags;
}

entry tokenizer::worker::impl::classify(const char* feature) const {
  const tokenizer::impl& tk = *owner;
  mapped_features f = detail::map_features(tk.layout, feature);
  entry e;
  e.feature = feature;
  e.lemma = f.term;
  e.base = f.base;
  e.ctype = f.ctype;
  e.flags = flags_of(f);
  if (f.rule != context_rule::none) {
    e.context_after = f.rule == context_rule::after_te ? te : number;
    f.sub1 = f.context_sub1;
    e.context_flags = flags_of(f);
  }
  // A stop word in either spelling stops the term: UniDic writes する as 為る in its lemma.
  e.lemma_is_term = !e.lemma.empty() && !is_trivial_term(e.lemma) &&
                    tk.stopwords.count(e.lemma) == 0 && tk.stopwords.count(e.base) == 0;
  return e;
}

std::uint32_t tokenizer::worker::impl::entry_of(const char* feature) {
  if (2 * (entries.size() + 1) > slots.size()) {
    // Keep the table at most half full: rebuild it twice as large from the entries.
    slots.assign(std::max<std::size_t>(1024, 2 * slots.size()), 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      std::size_t s = pointer_hash(entries[i].feature) & mask;
      while (slots[s] != 0)
        s = (s + 1) & mask;
      slots[s] = static_cast<std::uint32_t>(i + 1);
    }
  }
  const std::size_t mask = slots.size() - 1;
  for (std::size_t s = pointer_hash(feature) & mask;; s = (s + 1) & mask) {
    if (slots[s] == 0) {
      entries.push_back(classify(feature));
      slots[s] = static_cast<std::uint32_t>(entries.size());
      return slots[s] - 1;
    }
    if (entries[slots[s] - 1].feature == feature) return slots[s] - 1;
  }
}

void tokenizer::worker::impl::intern(std::string_view text, term_table& table) {
  scan(text, table_sink{table, serial});
  table.end_row();
}

tokenizer::tokenizer(const tokenize_options& options) : impl_(std::make_unique<impl>()) {
  impl_->options = options;
  impl_->dictionary = options.dicdir.empty() ? detail::choose_dictionary() : options.dicdir;
  KOE_THROW_IF_NOT(!impl_->dictionary.empty(), errc::mecab_init_failed,
                   "no MeCab dictionary found in " + detail::dictionary_search_order().front() +
                       " or the other places koe looks (docs/dictionaries.md): install "
                       "mecab-ipadic-utf8 or pass a dictionary directory (--dicdir)");
  KOE_THROW_IF_NOT(fs::exists(fs::path(impl_->dictionary) / "sys.dic"), errc::mecab_init_failed,
                   "MeCab dictionary directory " + impl_->dictionary + " has no sys.dic");
  std::string arg = "-d " + impl_->dictionary;
  if (!options.user_dictionaries.empty()) {
    arg += " -u ";
    for (std::size_t i = 0; i < options.user_dictionaries.size(); ++i) {
      KOE_THROW_IF_NOT(fs::exists(options.user_dictionaries[i]), errc::mecab_init_failed,
                       "user dictionary not found: " + options.user_dictionaries[i]);
      arg += (i ? "," : "") + options.user_dictionaries[i];
    }
  }
  impl_->model.reset(MeCab::createModel(arg.c_str()));
  KOE_THROW_IF_NOT(
      impl_->model != nullptr, errc::mecab_init_failed,
      "MeCab could not load dictionary " + impl_->dictionary + ": " + MeCab::getLastError());
  impl_->layout = detail::detect_layout(*impl_->model, impl_->dictionary);
  for (const auto& p : options.pos)
    impl_->pos.insert(p);
  for (const auto& d : options.drop_subclasses)
    impl_->drop_subclasses.insert(d);
  if (options.use_default_stopwords) {
    const std::string dir = data_directory();
    if (!dir.empty() && fs::exists(fs::path(dir) / "stopwords-ja.txt")) {
      load_stopwords(fs::path(dir) / "stopwords-ja.txt", impl_->stopwords);
    }
  }
  for (const auto& f : options.stopword_files)
    load_stopwords(f, impl_->stopwords);
  impl_->stopwords.insert(options.extra_stopwords.begin(), options.extra_stopwords.end());
}

namespace {

// Held while `drop_pages` walks the process's maps and while a tokenizer's MeCab model goes (its
// maps with it), so that no range listed can be unmapped and reused before it is dropped.
std::mutex& maps_lock() {
  static std::mutex m;
  return m;
}

}  // namespace

tokenizer::~tokenizer() {
  const std::lock_guard<std::mutex> lock(maps_lock());
  impl_.reset();
}
tokenizer::tokenizer(tokenizer&&) noexcept = default;
tokenizer& tokenizer::operator=(tokenizer&& other) noexcept {
  if (this == &other) return *this;
  std::unique_ptr<impl> old = std::move(impl_);
  impl_ = std::move(other.impl_);
  const std::lock_guard<std::mutex> lock(maps_lock());
  old.reset();
  return *this;
}

const tokenize_options& tokenizer::options() const noexcept {
  return impl_->options;
}
const std::string& tokenizer::dictionary() const noexcept {
  return impl_->dictionary;
}
void tokenizer::drop_pages() const noexcept {
#ifdef __linux__
  try {
    const std::lock_guard<std::mutex> lock(maps_lock());
    // The dictionary's files as the process maps them (real paths, as /proc/self/maps names
    // them): sys.dic, matrix.bin, char.bin, unk.dic, and each user dictionary.
    std::vector<std::string> files;
    std::error_code ec;
    const std::string dir = std::filesystem::canonical(impl_->dictionary, ec).string();
    if (!ec) files.push_back(dir + "/");
    for (const std::string& u : impl_->options.user_dictionaries)
      if (const auto real = std::filesystem::canonical(u, ec); !ec) files.push_back(real.string());
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
      // start-end perms offset device inode path
      std::istringstream fields(line);
      std::string range, perms, offset, device, inode, path;
      fields >> range >> perms >> offset >> device >> inode;
      std::getline(fields >> std::ws, path);
      // Only shared read-only maps of a file: what they hold is the file, whatever happens.
      if (perms.size() < 4 || perms[1] == 'w' || perms[3] != 's' || path.empty()) continue;
      const bool ours = std::any_of(files.begin(), files.end(), [&](const std::string& f) {
        return f.back() == '/' ? path.starts_with(f) : path == f;
      });
      const std::size_t dash = range.find('-');
      if (!ours || dash == std::string::npos) continue;
      const std::uintptr_t start = std::stoull(range.substr(0, dash), nullptr, 16);
      const std::uintptr_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
      // A shared read-only map of a file: dropped pages are read again from it when next
      // touched. (Paging out instead would skip the pages another process maps too.)
      // NOLINTNEXTLINE(performance-no-int-to-ptr): an address /proc/self/maps lists
      ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
    }
  } catch (...) {  // only memory is at stake: a map that cannot be read drops nothing
  }
#endif
}

bool tokenizer::is_stopword(std::string_view term) const {
  return impl_->stopwords.count(term) != 0;
}

const dictionary_identity& tokenizer::identity() const {
  std::call_once(impl_->identity_once, [&] {
    const MeCab::DictionaryInfo& sys = detail::system_dictionary_info(*impl_->model);
    dictionary_identity id;
    id.name = sys.filename;
    id.charset = sys.charset;
    id.layout = detail::layout_name(impl_->layout);
    id.fingerprint = detail::file_fingerprint(sys.filename);
    for (const auto& u : impl_->options.user_dictionaries)
      id.user_dictionaries.push_back(fs::path(u).filename().string() + ":" +
                                     detail::file_fingerprint(u));
    impl_->identity = std::move(id);
  });
  return impl_->identity;
}

std::vector<std::string> tokenizer::stopwords() const {
  std::vector<std::string> out(impl_->stopwords.begin(), impl_->stopwords.end());
  std::sort(out.begin(), out.end());
  return out;
}

tokenizer::worker tokenizer::new_worker() const {
  auto w = std::make_unique<worker::impl>();
  w->owner = impl_.get();
  w->tagger.reset(impl_->model->createTagger());
  w->lattice.reset(impl_->model->createLattice());
  KOE_THROW_IF_NOT(w->tagger && w->lattice, errc::mecab_init_failed,
                   std::string("MeCab could not create a tagger: ") + MeCab::getLastError());
  return worker(std::move(w));
}

tokenizer::worker::worker(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
tokenizer::worker::~worker() = default;
tokenizer::worker::worker(worker&&) noexcept = default;
tokenizer::worker& tokenizer::worker::operator=(worker&&) noexcept = default;

std::vector<token> tokenizer::worker::analyze(std::string_view text) {
  std::vector<token> out;
  const char* base = nullptr;
  for (const MeCab::Node* n = impl_->parse(text); n != nullptr; n = n->next) {
    if (n->stat == MECAB_BOS_NODE) {
      base = impl_->sentence.c_str();
      continue;
    }
    if (n->stat == MECAB_EOS_NODE) break;
    const mapped_features f = detail::map_features(impl_->owner->layout, n->feature);
    token t;
    t.begin = static_cast<std::size_t>(n->surface - base);
    t.end = t.begin + n->length;
    t.lemma = f.term.empty() ? std::string(n->surface, n->length) : std::string(f.term);
    const std::string_view feat(n->feature);
    std::size_t cut = 0, commas = 0;
    while (cut < feat.size() && !(feat[cut] == ',' && ++commas == 4))
      ++cut;
    t.pos = std::string(feat.substr(0, cut));
    out.push_back(std::move(t));
  }
  return out;
}

std::string tokenizer::worker::impl::negated_term(std::size_t i, std::size_t neg,
                                                  const std::string& noun) {
  // Verb suffixes (える, れる, られる) change the meaning, so the negation applies to the whole
  // chain: あり + え + ない → ありえない, 使わ + れ + ない → 使われない.
  std::size_t head = i;
  stem.clear();
  for (std::size_t j = i + 1; j < neg; ++j) {
    if ((morphs[j].flags & verb_suffix) != 0 && j == head + 1) {
      stem.append(morphs[head].surface);
      head = j;
    }
  }
  std::string term = stem + negative_form(base_of(head), entries[morphs[head].entry].ctype);
  // サ変 nouns carry the meaning of する: 対応 + しない reads 対応しない.
  if (base_of(i) == "する" && !noun.empty()) term = noun + term;
  return term;
}

template <class Sink>
void tokenizer::worker::impl::scan(std::string_view text, Sink&& sink) {
  const tokenizer::impl& tk = *owner;
  const tokenize_options& opt = tk.options;
  if (text.empty()) return;

  collect(text);
  const std::vector<morph>& ms = morphs;
  // No entry is added from here on, so references into `entries` stay valid.
  auto at = [&](std::size_t i) -> entry& { return entries[ms[i].entry]; };
  auto is = [&](std::size_t i, entry_flag f) { return (ms[i].flags & f) != 0; };
  auto emit = [&](std::string_view term) {
    if (is_trivial_term(term) || tk.stopwords.count(term) != 0) return;
    sink.term(term);
  };
  auto emit_lemma = [&](std::size_t i) {
    entry& e = at(i);
    if (e.lemma.empty()) {
      emit(ms[i].surface);
    } else if (e.lemma_is_term) {
      sink.lemma(e);
    }
  };
  // Index of the negator that applies to the predicate at i, or 0 when none does.
  auto negated_at = [&](std::size_t i) -> std::size_t {
    if (!opt.join_negation) return 0;
    for (std::size_t j = i + 1; j < ms.size() && j <= i + 4; ++j) {
      if (is(j, negator)) return j;
      if (!is(j, bridge)) return 0;
    }
    return 0;
  };

  run.clear();                // surface of the current noun run
  std::size_t run_parts = 0;  // content nouns in the run
  const bool keep_nouns = tk.pos.contains("名詞");
  auto close_run = [&] {
    const std::size_t min_parts = opt.compounds == compound_mode::join ? 1 : 2;
    if (keep_nouns && opt.compounds != compound_mode::off && run_parts >= min_parts) emit(run);
    run.clear();
    run_parts = 0;
  };

  for (std::size_t i = 0; i < ms.size(); ++i) {
    const std::string_view surface = ms[i].surface;
    const std::uint16_t flags = ms[i].flags;
    if ((flags & number) != 0) {
      close_run();
      while (i + 1 < ms.size() && is(i + 1, number))
        ++i;
      if (opt.fold_numbers) emit(opt.number_term);
      continue;
    }
    if ((flags & noun) != 0 && is_trivial_term(surface)) {
      // ipadic files unknown ASCII symbols (!, <, >) as nouns; they end a run like punctuation.
      close_run();
      continue;
    }
    if ((flags & noun) != 0) {
      const bool is_dropped = (flags & dropped) != 0;
      // A suffix noun (性, 化) extends a run but never starts one.
      const bool joins = !is_dropped || ((flags & suffix) != 0 && run_parts > 0);
      if ((flags & nai_stem) != 0 && opt.join_negation && i + 1 < ms.size() && is(i + 1, negator)) {
        close_run();
        emit(std::string(base_of(i)) + "ない");
        ++i;
        continue;
      }
      if (joins) {
        run.append(surface);
        ++run_parts;
      } else {
        close_run();
      }
      if (!is_dropped && keep_nouns && opt.compounds != compound_mode::join) emit_lemma(i);
      continue;
    }
    prev.clear();
    if (run_parts == 1) prev = run;
    close_run();
    if ((flags & predicate) != 0) {
      if (const std::size_t neg = negated_at(i); neg != 0) {
        const std::string term = negated_term(i, neg, prev);
        emit(term);
        i = neg;
        continue;
      }
    }
    if ((flags & kept_pos) != 0 && (flags & dropped) == 0) emit_lemma(i);
  }
  close_run();
}

std::vector<std::string> tokenizer::worker::terms(std::string_view text) {
  std::vector<std::string> out;
  impl_->scan(text, strings_sink{out});
  return out;
}

void tokenizer::worker::intern(std::string_view text, term_table& table) {
  ++impl_->serial;  // `table` may not be the one this worker filled last
  impl_->intern(text, table);
}

void tokenizer::worker::intern(const text_column& texts, term_table& table) {
  ++impl_->serial;  // as above; within this call `table` stays the same
  table.reserve(texts.size(), 16 * texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i)
    impl_->intern(texts[i], table);
}

std::vector<std::vector<std::string>> tokenizer::terms(
    const std::vector<std::string>& texts) const {
  std::vector<std::vector<std::string>> out(texts.size());
  // Each thread keeps one worker (one MeCab lattice); no nested parallelism runs while it is held.
  tbb::enumerable_thread_specific<std::unique_ptr<worker>> workers;
  detail::parallel_chunks(texts.size(), 256, [&](std::size_t begin, std::size_t end) {
    auto& w = workers.local();
    if (!w) w = std::make_unique<worker>(new_worker());
    for (std::size_t i = begin; i < end; ++i)
      out[i] = w->terms(texts[i]);
  });
  return out;
}

term_table tokenizer::intern(const std::vector<std::string>& texts) const {
  return intern_rows(
      texts.size(), [&](std::size_t i) { return std::string_view(texts[i]); }, [](std::size_t) {});
}

term_table tokenizer::intern(const text_column& texts) const {
  return intern_rows(
      texts.size(), [&](std::size_t i) { return texts[i]; }, [](std::size_t) {});
}

term_table tokenizer::intern(text_column&& texts) const {
  term_table out = intern_rows(
      texts.size(), [&](std::size_t i) { return texts[i]; },
      [&](std::size_t end) { texts.release_before(end); });
  texts.clear();
  return out;
}

template <class Text, class Done>
term_table tokenizer::intern_rows(std::size_t rows, const Text& text, const Done& done) const {
  // Fixed blocks, each interned on its own by any thread, then appended in block order: the ids
  // come out in order of first appearance whatever the number of threads. A pipeline with a few
  // blocks in flight keeps memory to the table plus those blocks, not a copy of every block.
  constexpr std::size_t block = 1024;
  const std::size_t blocks = detail::block_count(rows, block);
  term_table out;
  tbb::enumerable_thread_specific<std::unique_ptr<worker>> workers;
  detail::map_in_order(
      blocks,
      [&](std::size_t b) {
        term_table part;
        auto& w = workers.local();
        if (!w) w = std::make_unique<worker>(new_worker());
        const std::size_t end = std::min(rows, (b + 1) * block);
        part.reserve(end - b * block, 16 * (end - b * block));
        worker::impl& wi = *w->impl_;
        ++wi.serial;  // a new table: ids remembered from the last one are void
        for (std::size_t i = b * block; i < end; ++i)
          wi.intern(text(i), part);
        return part;
      },
      [&](const term_table& part) {
        if (out.empty() && part.rows() > 0) {
          // The first block tells how many terms a voice has; room for all, with some to spare,
          // saves regrowing the largest array of the table.
          const double per_row =
              static_cast<double>(part.occurrences()) / static_cast<double>(part.rows());
          out.reserve(rows, static_cast<std::size_t>(per_row * 1.1 * static_cast<double>(rows)));
        }
        out.append(part);
        // Rows before out.rows() are done, and no block in flight is earlier.
        done(out.rows());
      });
  return out;
}

}  // namespace koe
