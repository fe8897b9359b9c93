// MeCab dictionaries: the order koe chooses one in, their feature layouts read in ipadic's
// vocabulary, and their fingerprints.
#include "detail/dictionary.hpp"

#include <koe/error.hpp>

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace koe::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_fields = 11;
using fields = std::array<std::string_view, max_fields>;

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Splits at commas into the first `max_fields` fields and counts them all. With `quoted`, a field
// that starts with a double quote runs to its closing quote (UniDic quotes fields holding commas);
// ipadic and jumandic never quote, and their entries for the quote character itself hold one bare.
std::size_t split(std::string_view s, fields& out, bool quoted) {
  std::size_t n = 0, at = 0;
  while (true) {
    std::size_t end = at;
    if (quoted && at < s.size() && s[at] == '"') {
      end = at + 1;
      while (end < s.size() && !(s[end] == '"' && (end + 1 == s.size() || s[end + 1] == ',')))
        end += (s[end] == '"' && end + 1 < s.size() && s[end + 1] == '"') ? 2 : 1;
      end = std::min(s.size(), end + 1);
    }
    end = std::min(s.size(), s.find(',', end));
    if (n < max_fields) out[n] = s.substr(at, end - at);
    ++n;
    if (end == s.size()) return n;
    at = end + 1;
  }
}

std::string_view none_if_star(std::string_view s) {
  return s == "*" ? std::string_view() : s;
}

mapped_features map_ipadic(const char* feature) {
  fields f;
  split(feature, f, false);
  mapped_features m;
  m.pos = f[0];
  m.sub1 = f[1];
  m.ctype = f[4];
  m.base = m.term = none_if_star(f[6]);
  return m;
}

// UniDic's conjugation types by ipadic's names, as far as the negative form needs them.
std::string_view unidic_ctype(std::string_view c, std::string_view base) {
  if (starts_with(c, "五段")) return base == "ある" || base == "有る" ? "五段・ラ行アル" : "五段";
  if (starts_with(c, "上一段") || starts_with(c, "下一段")) return "一段";
  if (starts_with(c, "サ行変格")) return "サ変";
  if (starts_with(c, "カ行変格")) return "カ変";
  return c;
}

// UniDic's lemma (語彙素) names a word in its standard written form, unifying spelling variants
// (子ども, こども → 子供); loanwords and a few others carry a gloss after a hyphen (ベッド-bed,
// 私-代名詞), which is not part of the word.
std::string_view unidic_term(std::string_view lemma) {
  const auto dash = lemma.find('-');
  return dash == std::string_view::npos || dash == 0 ? lemma : lemma.substr(0, dash);
}

std::string_view unidic_noun_subclass(std::string_view pos2, std::string_view pos3) {
  if (pos2 == "固有名詞") return "固有名詞";
  if (pos2 == "数詞") return "数";
  if (pos2 == "助動詞語幹") return "特殊";
  if (pos3 == "サ変可能" || pos3 == "サ変形状詞可能") return "サ変接続";
  if (pos3 == "副詞可能") return "副詞可能";
  return "一般";
}

// Columns: pos1, pos2, pos3, pos4, cType, cForm, lForm, lemma, orth, pron, orthBase, ...
// Unknown words have only the first six.
mapped_features map_unidic(const char* feature) {
  fields f;
  split(feature, f, true);
  mapped_features m;
  const std::string_view pos1 = f[0], pos2 = f[1], pos3 = f[2];
  m.base = f[10].empty() ? f[7] : f[10];
  // A proper noun's lemma is its reading in katakana (沖縄 → オキナワ): it keeps its spelling.
  m.term = pos2 == "固有名詞" && !f[10].empty() ? f[10] : unidic_term(f[7]);
  m.ctype = unidic_ctype(f[4], m.base);
  m.pos = pos1;
  m.sub1 = pos2;
  if (pos1 == "名詞") {
    m.sub1 = unidic_noun_subclass(pos2, pos3);
    if (pos3 == "助数詞可能") {
      m.rule = context_rule::after_number;
      m.context_sub1 = "接尾";
    }
  } else if (pos1 == "代名詞") {
    m.pos = "名詞";
    m.sub1 = "代名詞";
  } else if (pos1 == "形状詞") {
    m.pos = "名詞";
    m.sub1 = pos2 == "助動詞語幹" ? "特殊" : "形容動詞語幹";
  } else if (pos1 == "接尾辞") {
    m.pos = pos2 == "動詞的" ? "動詞" : pos2 == "形容詞的" ? "形容詞" : "名詞";
    m.sub1 = "接尾";
  } else if (pos1 == "動詞" || pos1 == "形容詞") {
    m.sub1 = "自立";
    if (pos2 == "非自立可能") {
      m.rule = context_rule::after_te;
      m.context_sub1 = "非自立";
    }
  } else if (pos1 == "助動詞") {
    // Passive and causative auxiliaries extend the verb they follow, as ipadic's 動詞,接尾.
    if (m.base == "れる" || m.base == "られる" || m.base == "せる" || m.base == "させる") {
      m.pos = "動詞";
      m.sub1 = "接尾";
      m.ctype = "一段";  // they conjugate as 一段 verbs: 使わ + れ + ない → 使われない
    }
  } else if (pos1 == "補助記号" || pos1 == "空白") {
    m.pos = "記号";
  }
  return m;
}

std::string_view juman_noun_subclass(std::string_view sub) {
  if (sub == "サ変名詞") return "サ変接続";
  if (sub == "固有名詞" || sub == "地名" || sub == "人名" || sub == "組織名") return "固有名詞";
  if (sub == "数詞") return "数";
  if (sub == "形式名詞" || sub == "副詞的名詞") return "非自立";
  if (sub == "時相名詞") return "副詞可能";
  return "一般";
}

std::string_view juman_ctype(std::string_view c, std::string_view base) {
  if (c == "母音動詞") return "一段";
  if (starts_with(c, "子音動詞")) return base == "ある" ? "五段・ラ行アル" : "五段";
  if (c == "サ変動詞" || c == "ザ変動詞") return "サ変";
  if (starts_with(c, "カ変動詞")) return "カ変";
  if (starts_with(c, "イ形容詞")) return "形容詞";
  return c;
}

// Verbs JUMAN does not mark, that ipadic calls dependent (非自立) after て/で.
bool juman_auxiliary_verb(std::string_view base) {
  static constexpr std::string_view verbs[] = {"いる",   "ある",   "おる",  "いく",
                                               "くる",   "しまう", "おく",  "みる",
                                               "くれる", "もらう", "あげる"};
  return std::find(std::begin(verbs), std::end(verbs), base) != std::end(verbs);
}

// Columns: 品詞, 細分類, 活用型, 活用形, 原形, 読み, 意味情報.
mapped_features map_jumandic(const char* feature) {
  fields f;
  split(feature, f, false);
  mapped_features m;
  const std::string_view pos = f[0], sub = f[1];
  m.base = m.term = none_if_star(f[4]);
  m.ctype = juman_ctype(f[2], m.base);
  m.pos = pos;
  m.sub1 = sub;
  if (pos == "名詞") {
    m.sub1 = juman_noun_subclass(sub);
  } else if (pos == "指示詞") {
    m.pos = sub == "名詞形態指示詞" ? "名詞" : sub == "連体詞形態指示詞" ? "連体詞" : "副詞";
    m.sub1 = "代名詞";
  } else if (pos == "動詞") {
    m.sub1 = "自立";
    if (juman_auxiliary_verb(m.base)) {
      m.rule = context_rule::after_te;
      m.context_sub1 = "非自立";
    }
  } else if (pos == "形容詞" && !starts_with(f[2], "イ形容詞")) {
    // ナ形容詞 (静かだ) is ipadic's 形容動詞語幹 noun (静か).
    m.pos = "名詞";
    m.sub1 = "形容動詞語幹";
    if (ends_with(m.term, "だ")) m.term.remove_suffix(std::string_view("だ").size());
  } else if (pos == "形容詞") {
    m.sub1 = "自立";
  } else if (pos == "接尾辞") {
    // ない and ます are suffixes in JUMAN and auxiliaries in ipadic.
    if (m.base == "ない" || m.base == "ます") {
      m.pos = "助動詞";
    } else {
      m.pos = starts_with(sub, "動詞性")     ? "動詞"
              : starts_with(sub, "形容詞性") ? "形容詞"
                                             : "名詞";
    }
    m.sub1 = "接尾";
  } else if (pos == "判定詞") {
    m.pos = "助動詞";
  } else if (pos == "特殊") {
    m.pos = "記号";
  }
  return m;
}

bool is_utf8(std::string_view charset) {
  std::string c(charset);
  std::transform(c.begin(), c.end(), c.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return c == "utf-8" || c == "utf8";
}

// The feature MeCab gives `word` inside `text`, or empty when it does not cut `word` out whole.
std::string probe(const MeCab::Model& model, const char* text, std::string_view word) {
  const std::unique_ptr<MeCab::Tagger> tagger(model.createTagger());
  const std::unique_ptr<MeCab::Lattice> lattice(model.createLattice());
  if (!tagger || !lattice) return {};
  lattice->set_sentence(text);
  if (!tagger->parse(lattice.get())) return {};
  for (const MeCab::Node* n = lattice->bos_node(); n != nullptr; n = n->next) {
    if (std::string_view(n->surface, n->length) == word) return n->feature;
  }
  return {};
}

}  // namespace

std::string_view layout_name(dictionary_layout layout) noexcept {
  switch (layout) {
    case dictionary_layout::ipadic:
      return "ipadic";
    case dictionary_layout::naist_jdic:
      return "naist-jdic";
    case dictionary_layout::unidic2:
      return "unidic-2";
    case dictionary_layout::unidic3:
      return "unidic-3";
    case dictionary_layout::jumandic:
      return "jumandic";
  }
  return "unknown";
}

mapped_features map_features(dictionary_layout layout, const char* feature) {
  switch (layout) {
    case dictionary_layout::unidic2:
    case dictionary_layout::unidic3:
      return map_unidic(feature);
    case dictionary_layout::jumandic:
      return map_jumandic(feature);
    case dictionary_layout::ipadic:
    case dictionary_layout::naist_jdic:
      break;
  }
  return map_ipadic(feature);
}

const std::vector<std::string>& dictionary_search_order() {
  // ipadic first: koe's stop words and checked outputs are made with it. Then the other UTF-8
  // dictionaries Debian packages, ipadic's columns before UniDic's and JUMAN's. Neither mecabrc
  // nor Debian's alternatives link (/var/lib/mecab/dic/debian) is read: installing another
  // dictionary package must not change what koe reads.
  static const std::vector<std::string> order = {
      "/var/lib/mecab/dic/ipadic-utf8", "/usr/lib/x86_64-linux-gnu/mecab/dic/ipadic-utf8",
      "/usr/lib/mecab/dic/ipadic-utf8", "/usr/local/lib/mecab/dic/ipadic-utf8",
      "/var/lib/mecab/dic/naist-jdic",  "/var/lib/mecab/dic/unidic",
      "/var/lib/mecab/dic/juman-utf8",
  };
  return order;
}

std::string choose_dictionary() {
  for (const auto& dir : dictionary_search_order()) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(dir) / "sys.dic", ec)) return dir;
  }
  return {};
}

const MeCab::DictionaryInfo& system_dictionary_info(const MeCab::Model& model) {
  const MeCab::DictionaryInfo* info = model.dictionary_info();
  for (const auto* d = info; d != nullptr; d = d->next) {
    if (d->type == MECAB_SYS_DIC) return *d;
  }
  KOE_THROW_IF_NOT(info != nullptr, errc::mecab_init_failed, "MeCab reports no dictionary");
  return *info;
}

dictionary_layout detect_layout(const MeCab::Model& model, const std::string& dicdir) {
  const MeCab::DictionaryInfo& info = system_dictionary_info(model);
  const std::string what = "MeCab dictionary " + dicdir + " (" + info.filename + ", charset " +
                           info.charset + ", version " + std::to_string(info.version) + ")";
  KOE_THROW_IF_NOT(is_utf8(info.charset), errc::mecab_init_failed,
                   what +
                       " is not UTF-8: koe reads UTF-8 text; use the dictionary's UTF-8 build "
                       "(mecab-ipadic-utf8, mecab-naist-jdic, mecab-jumandic-utf8)");
  // A verb in its base form and a noun: where the part of speech, the subclass and the base
  // form sit tells the layouts apart, and the column count tells the versions apart.
  const std::string verb = probe(model, "子供が喜ぶ", "喜ぶ");
  const std::string noun = probe(model, "子供が喜ぶ", "子供");
  fields v, n;
  const std::size_t columns = split(verb, v, true);
  split(noun, n, true);
  const bool noun_first = n[0] == "名詞";
  if (noun_first && v[0] == "動詞" && v[1] == "自立" && v[6] == "喜ぶ") {
    if (columns == 9) return dictionary_layout::ipadic;
    if (columns == 11) return dictionary_layout::naist_jdic;
  }
  if (noun_first && n[1] == "普通名詞" && v[0] == "動詞" && v[7] == "喜ぶ" && v[10] == "喜ぶ") {
    if (columns == 17 || columns == 26) return dictionary_layout::unidic2;
    if (columns >= 29) return dictionary_layout::unidic3;
  }
  if (noun_first && n[1] == "普通名詞" && v[0] == "動詞" && starts_with(v[2], "子音動詞") &&
      v[4] == "喜ぶ" && columns == 7) {
    return dictionary_layout::jumandic;
  }
  throw error(errc::mecab_init_failed,
              what + " has a feature layout koe does not read: 喜ぶ → \"" + verb + "\" (" +
                  std::to_string(columns) + " columns), 子供 → \"" + noun +
                  "\"; koe reads ipadic, NAIST-jdic, UniDic 2.x and 3.x, and jumandic");
}

namespace {

std::string digest_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  KOE_THROW_IF_NOT(in, errc::io_failure, "cannot read " + path);
  const std::unique_ptr<XXH64_state_t, decltype(&XXH64_freeState)> state(XXH64_createState(),
                                                                         &XXH64_freeState);
  XXH64_reset(state.get(), 0);
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    XXH64_update(state.get(), block.data(), static_cast<std::size_t>(in.gcount()));
  }
  KOE_THROW_IF_NOT(in.eof(), errc::io_failure, "cannot read " + path);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(XXH64_digest(state.get())));
  return hex;
}

}  // namespace

std::string file_fingerprint(const std::string& path) {
  // Digesting UniDic's sys.dic (240 MB) takes a few hundred milliseconds, so each file is read
  // once per process: every tokenizer and every fit after the first finds it here, unless the
  // file changed (another size or modification time).
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  KOE_THROW_IF_NOT(!ec, errc::io_failure, "cannot read " + path + ": " + ec.message());
  const auto time = fs::last_write_time(path, ec).time_since_epoch().count();
  const std::string key =
      fs::absolute(path, ec).string() + '\n' + std::to_string(size) + '\n' + std::to_string(time);
  static std::mutex mutex;
  static std::map<std::string, std::string> digests;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = digests.find(key); it != digests.end()) return it->second;
  }
  std::string hex = digest_file(path);
  const std::lock_guard<std::mutex> lock(mutex);
  digests.emplace(key, hex);
  return hex;
}

}  // namespace koe::detail
