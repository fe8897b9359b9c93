// Private: which MeCab dictionary koe reads, how its feature columns are laid out, and what it is.
#pragma once

#include <mecab.h>

#include <string>
#include <string_view>
#include <vector>

namespace koe::detail {

/// The feature-column layouts koe reads.
enum class dictionary_layout {
  ipadic,      ///< IPAdic: pos, three subclasses, conj. type, conj. form, 原形, reading, sound.
  naist_jdic,  ///< NAIST-jdic: ipadic's nine columns and two more.
  unidic2,     ///< UniDic 2.x (17 or 26 columns): pos1-4, cType, cForm, lForm, lemma, orth, ...
  unidic3,     ///< UniDic 3.x (29 columns): the same first 17 columns as 2.x.
  jumandic,    ///< JUMAN: 品詞, 細分類, 活用型, 活用形, 原形, 読み, 意味情報.
};

/// The layout's name as koe reports it ("ipadic", "naist-jdic", "unidic-2", "unidic-3",
/// "jumandic").
[[nodiscard]] std::string_view layout_name(dictionary_layout layout) noexcept;

/// What a morpheme may become when the morpheme before it is of a given kind.
enum class context_rule {
  none,
  after_te,  ///< A verb or adjective right after て/で is dependent (非自立): ている, てほしい.
  after_number,  ///< A counter noun right after a number is a suffix (接尾): 3 + 日.
};

/**
 * One feature string read in ipadic's vocabulary, whatever the layout. Every view points into
 * the feature string or at a string literal, so it lives as long as the dictionary.
 */
struct mapped_features {
  std::string_view pos;   ///< 名詞, 動詞, 形容詞, 助動詞, 助詞, 記号, ...
  std::string_view sub1;  ///< 一般, 自立, 非自立, 接尾, 数, 代名詞, サ変接続, ...
  std::string_view
      ctype;  ///< Conjugation type: 五段, 一段, サ変, カ変, 形容詞, ... as ipadic names them.
  std::string_view base;  ///< Written base form the grammar reads (ない, ます, する); empty: none.
  std::string_view term;  ///< The term koe makes of the entry; empty: the surface serves.
  context_rule rule = context_rule::none;
  std::string_view context_sub1;  ///< The subclass `rule` gives.
};

/// Reads `feature` (a MeCab feature string) in `layout`.
[[nodiscard]] mapped_features map_features(dictionary_layout layout, const char* feature);

/// The dictionary directories koe tries, in order, when none is given.
[[nodiscard]] const std::vector<std::string>& dictionary_search_order();

/// The first directory of `dictionary_search_order()` holding a sys.dic; empty when none does.
[[nodiscard]] std::string choose_dictionary();

/// The system dictionary's entry of `model`'s dictionary list.
[[nodiscard]] const MeCab::DictionaryInfo& system_dictionary_info(const MeCab::Model& model);

/**
 * The layout of `model`'s system dictionary, from its character set and the features it gives a
 * few probe words. Throws koe::error (mecab_init_failed) naming `dicdir` and what was seen when
 * the dictionary is not UTF-8 or its layout is not one koe reads.
 */
[[nodiscard]] dictionary_layout detect_layout(const MeCab::Model& model, const std::string& dicdir);

/// Hex XXH64 of a file's bytes (16 digits), read in blocks once per process (kept by path, size
/// and modification time). Throws io_failure when unreadable.
[[nodiscard]] std::string file_fingerprint(const std::string& path);

}  // namespace koe::detail
