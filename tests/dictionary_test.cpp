// Choosing, detecting and reading MeCab dictionaries: ipadic by default whatever the system
// default is, each known layout read into the same kind of terms, the others refused.
#include <koe/error.hpp>
#include <koe/tokenize.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using terms = std::vector<std::string>;

// A dictionary Debian installs under /var/lib/mecab/dic/NAME, or a copy under
// $KOE_TEST_DICTIONARIES/NAME (to test dictionaries that are not installed); empty when neither.
std::string installed(const std::string& name) {
  if (const char* root = std::getenv("KOE_TEST_DICTIONARIES"); root != nullptr && *root != '\0') {
    if (fs::exists(fs::path(root) / name / "sys.dic")) return (fs::path(root) / name).string();
  }
  const fs::path debian = fs::path("/var/lib/mecab/dic") / name;
  return fs::exists(debian / "sys.dic") ? debian.string() : std::string();
}

koe::tokenizer make(const std::string& dicdir) {
  koe::tokenize_options o;
  o.dicdir = dicdir;
  o.use_default_stopwords = false;
  return koe::tokenizer(o);
}

terms terms_of(const koe::tokenizer& tok, const std::string& text) {
  auto w = tok.new_worker();
  return w.terms(text);
}

// Builds the dictionary tests/dictionaries/NAME (with the files in common/) into `out` with
// MeCab's own compiler.
std::string build_dictionary(const std::string& name, const koe::test::temp_dir& dir) {
  const fs::path compiler = "/usr/lib/mecab/mecab-dict-index";
  if (!fs::exists(compiler)) return {};
  const fs::path src = dir.path() / "src", out = dir.path() / name;
  fs::create_directories(src);
  fs::create_directories(out);
  const fs::path fixtures = fs::path(KOE_TEST_DIR) / "dictionaries";
  for (const char* f : {"char.def", "unk.def", "matrix.def"})
    fs::copy_file(fixtures / "common" / f, src / f);
  for (const char* f : {"dicrc", "lex.csv"})
    fs::copy_file(fixtures / name / f, src / f);
  const std::string cmd = compiler.string() + " -d " + src.string() + " -o " + out.string() +
                          " -f UTF-8 -t UTF-8 >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  fs::copy_file(src / "dicrc", out / "dicrc");
  return out.string();
}

TEST(Dictionary, DefaultIsIpadicWhateverTheSystemDefaultIs) {
  // Debian's alternatives link (/var/lib/mecab/dic/debian) points at the dictionary of highest
  // priority installed: UniDic (110) and NAIST-jdic (100) outrank ipadic-utf8 (80). CI installs
  // UniDic, so there this test shows that koe does not follow the link.
  ASSERT_FALSE(installed("ipadic-utf8").empty()) << "mecab-ipadic-utf8 is not installed";
  const koe::tokenizer tok;
  EXPECT_EQ(tok.dictionary(), "/var/lib/mecab/dic/ipadic-utf8");
  EXPECT_EQ(tok.identity().layout, "ipadic");
  EXPECT_EQ(tok.identity().name, "/var/lib/mecab/dic/ipadic-utf8/sys.dic");
  EXPECT_EQ(tok.identity().charset, "UTF-8");
}

TEST(Dictionary, IpadicTermsAreItsBaseForms) {
  const auto tok = make("/var/lib/mecab/dic/ipadic-utf8");
  EXPECT_EQ(terms_of(tok, "子どもが喜ぶ宿。こども用のベッドが欲しい"),
            (terms{"子ども", "喜ぶ", "宿", "こども", "こども用", "ベッド", "欲しい"}));
  EXPECT_EQ(terms_of(tok, "子供連れで使えない"), (terms{"子供", "子供連れ", "使えない"}));
  EXPECT_EQ(terms_of(tok, "3日待った。ログインできません"),
            (terms{"<数>", "待つ", "ログイン", "できない"}));
}

TEST(Dictionary, UnidicTermsAreWrittenLemmasNotReadings) {
  const std::string dir = installed("unidic");
  if (dir.empty()) GTEST_SKIP() << "unidic-mecab is not installed";
  const auto tok = make(dir);
  EXPECT_EQ(tok.identity().layout, "unidic-3");
  // The lemma (語彙素) unifies spellings: 子ども and こども are both 子供.
  EXPECT_EQ(terms_of(tok, "子どもが喜ぶ宿。こども用のベッドが欲しい"),
            (terms{"子供", "喜ぶ", "宿", "子供", "こども用", "ベッド", "欲しい"}));
  EXPECT_EQ(terms_of(tok, "子供連れで使えない"), (terms{"子供", "子供連れ", "使えない"}));
  EXPECT_EQ(terms_of(tok, "3日待った。ログインできません"),
            (terms{"<数>", "待つ", "ログ", "イン", "ログイン", "できない"}));
  // A verb that is dependent after て (いる) neither becomes a term nor stops the negation.
  EXPECT_EQ(terms_of(tok, "まだ使えていない"), (terms{"使えない"}));
  EXPECT_EQ(terms_of(tok, "サポートが対応してくれません"),
            (terms{"サポート", "対応", "対応しない"}));
  // A proper noun keeps its spelling: its lemma is a katakana reading (オキナワ).
  EXPECT_EQ(terms_of(tok, "沖縄の宿"), (terms{"沖縄", "宿"}));
  // The passive auxiliary extends the verb it follows.
  EXPECT_EQ(terms_of(tok, "アメニティが使われない"), (terms{"アメニティー", "使われない"}));
}

TEST(Dictionary, NaistJdicTermsAreItsBaseForms) {
  const std::string dir = installed("naist-jdic");
  if (dir.empty()) GTEST_SKIP() << "mecab-naist-jdic is not installed";
  const auto tok = make(dir);
  EXPECT_EQ(tok.identity().layout, "naist-jdic");
  EXPECT_EQ(terms_of(tok, "子どもが喜ぶ宿。こども用のベッドが欲しい"),
            (terms{"子ども", "喜ぶ", "宿", "こども", "こども用", "ベッド", "欲しい"}));
  EXPECT_EQ(terms_of(tok, "子供連れで使えない"), (terms{"子供", "子供連れ", "使えない"}));
  EXPECT_EQ(terms_of(tok, "3日待った。ログインできません"),
            (terms{"<数>", "待つ", "ログイン", "できない"}));
}

TEST(Dictionary, JumandicTermsAreItsBaseForms) {
  const std::string dir = installed("juman-utf8");
  if (dir.empty()) GTEST_SKIP() << "mecab-jumandic-utf8 is not installed";
  const auto tok = make(dir);
  EXPECT_EQ(tok.identity().layout, "jumandic");
  EXPECT_EQ(terms_of(tok, "子どもが喜ぶ宿。こども用のベッドが欲しい"),
            (terms{"子ども", "喜ぶ", "宿", "こども", "こども用", "ベッド", "欲しい"}));
  EXPECT_EQ(terms_of(tok, "子供連れで使えない"), (terms{"子供", "連れる", "使えない"}));
  EXPECT_EQ(terms_of(tok, "3日待った。ログインできません"),
            (terms{"<数>", "待つ", "ログイン", "できない"}));
}

TEST(Dictionary, EucJpDictionaryIsRefusedByName) {
  const std::string dir = installed("ipadic");  // mecab-ipadic: the EUC-JP build
  if (dir.empty()) GTEST_SKIP() << "mecab-ipadic is not installed";
  try {
    (void)make(dir);
    FAIL() << "expected an error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::mecab_init_failed);
    const std::string what = e.what();
    EXPECT_NE(what.find(dir), std::string::npos) << what;
    EXPECT_NE(what.find("EUC-JP"), std::string::npos) << what;
    EXPECT_NE(what.find("not UTF-8"), std::string::npos) << what;
  }
}

TEST(Dictionary, UnidicTwoColumnsAreDetectedAndRead) {
  const koe::test::temp_dir dir("dictionary");
  const std::string dic = build_dictionary("unidic2", dir);
  ASSERT_FALSE(dic.empty()) << "mecab-dict-index could not build the test dictionary";
  const auto tok = make(dic);
  EXPECT_EQ(tok.identity().layout, "unidic-2");
  EXPECT_EQ(terms_of(tok, "子どもが喜ぶ"), (terms{"子供", "喜ぶ"}));
  EXPECT_EQ(terms_of(tok, "子供連れで使えない"), (terms{"子供", "子供連れ", "使えない"}));
  EXPECT_EQ(terms_of(tok, "ベッド"), (terms{"ベッド"}));
}

TEST(Dictionary, UnknownLayoutIsRefusedSayingWhatWasSeen) {
  const koe::test::temp_dir dir("dictionary");
  const std::string dic = build_dictionary("unknown", dir);
  ASSERT_FALSE(dic.empty()) << "mecab-dict-index could not build the test dictionary";
  try {
    (void)make(dic);
    FAIL() << "expected an error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::mecab_init_failed);
    const std::string what = e.what();
    EXPECT_NE(what.find(dic), std::string::npos) << what;
    EXPECT_NE(what.find("VERB,喜ぶ"), std::string::npos) << what;
    EXPECT_NE(what.find("2 columns"), std::string::npos) << what;
  }
}

TEST(Dictionary, IdentityDigestsTheDictionaryFiles) {
  const koe::test::temp_dir dir("dictionary");
  const std::string dic = build_dictionary("unidic2", dir);
  ASSERT_FALSE(dic.empty());
  const auto a = make(dic);
  const auto b = make(dic);
  const koe::dictionary_identity& id = a.identity();
  EXPECT_EQ(id.name, dic + "/sys.dic");
  EXPECT_EQ(id.charset, "UTF-8");
  EXPECT_EQ(id.fingerprint.size(), 16u);
  EXPECT_EQ(id.fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(id, b.identity());
  EXPECT_EQ(&a.identity(), &id);  // computed once
  const koe::tokenizer ipadic;
  EXPECT_NE(ipadic.identity().fingerprint, id.fingerprint);
}

#ifdef KOE_CLI_PATH
TEST(Dictionary, CommandPrintsTheDictionaryItsLayoutAndFingerprint) {
  const koe::test::temp_dir dir("dictionary");
  const fs::path out = dir.path() / "out.txt";
  const std::string cmd = std::string(KOE_CLI_PATH) +
                          " dictionary --no-default-stopwords --extra-stopwords 宿 > " +
                          out.string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const koe::tokenizer tok;
  EXPECT_NE(printed.find("directory\t/var/lib/mecab/dic/ipadic-utf8\n"), std::string::npos)
      << printed;
  EXPECT_NE(printed.find("layout\tipadic\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("fingerprint\t" + tok.identity().fingerprint + "\n"), std::string::npos)
      << printed;
  EXPECT_NE(printed.find("stop words\t1\n"), std::string::npos) << printed;
}
#endif

TEST(Dictionary, StopwordsAreTheEffectiveListSorted) {
  koe::tokenize_options o;
  o.use_default_stopwords = false;
  o.extra_stopwords = {"宿", "アプリ", "ある"};
  const koe::tokenizer tok(o);
  EXPECT_EQ(tok.stopwords(), (terms{"ある", "アプリ", "宿"}));
  const koe::tokenizer bundled;
  const auto all = bundled.stopwords();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_TRUE(std::find(all.begin(), all.end(), "思う") != all.end());
}

}  // namespace
