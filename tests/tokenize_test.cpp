#include <koe/error.hpp>
#include <koe/tokenize.hpp>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

bool has(const std::vector<std::string>& v, const std::string& t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}

koe::tokenizer make(koe::tokenize_options o = {}) {
  o.use_default_stopwords = false;
  return koe::tokenizer(o);
}

TEST(Tokenize, KeepsBaseFormsOfNounsVerbsAndAdjectives) {
  auto tok = make();
  auto w = tok.new_worker();
  const auto t = w.terms("料理がとても美味しかった。また頼みます");
  EXPECT_TRUE(has(t, "料理"));
  EXPECT_TRUE(has(t, "美味しい"));  // base form, not 美味しかっ
  EXPECT_TRUE(has(t, "頼む"));
  EXPECT_FALSE(has(t, "が"));
  EXPECT_FALSE(has(t, "とても"));  // adverbs are filtered out by default
}

TEST(Tokenize, ConsecutiveNounsGiveACompoundBesideTheirParts) {
  auto tok = make();
  auto w = tok.new_worker();
  const auto t = w.terms("ログイン画面が開かない");
  EXPECT_TRUE(has(t, "ログイン画面"));
  EXPECT_TRUE(has(t, "ログイン"));
  EXPECT_TRUE(has(t, "画面"));
}

TEST(Tokenize, JoinModeReplacesPartsByTheCompound) {
  koe::tokenize_options o;
  o.compounds = koe::compound_mode::join;
  auto tok = make(o);
  auto w = tok.new_worker();
  const auto t = w.terms("ログイン画面が開かない");
  EXPECT_TRUE(has(t, "ログイン画面"));
  EXPECT_FALSE(has(t, "ログイン"));
  EXPECT_FALSE(has(t, "画面"));
}

TEST(Tokenize, CompoundsOffKeepsOnlyParts) {
  koe::tokenize_options o;
  o.compounds = koe::compound_mode::off;
  auto tok = make(o);
  auto w = tok.new_worker();
  const auto t = w.terms("ログイン画面");
  EXPECT_FALSE(has(t, "ログイン画面"));
  EXPECT_TRUE(has(t, "ログイン"));
}

TEST(Tokenize, NegationStaysWithItsVerb) {
  auto tok = make();
  auto w = tok.new_worker();
  const auto negative = w.terms("アプリが使えない");
  const auto positive = w.terms("アプリが使える");
  EXPECT_TRUE(has(negative, "使えない"));
  EXPECT_FALSE(has(negative, "使える"));
  EXPECT_TRUE(has(positive, "使える"));
  EXPECT_FALSE(has(positive, "使えない"));
}

TEST(Tokenize, PoliteAndPastNegationsMapToOneTerm) {
  auto tok = make();
  auto w = tok.new_worker();
  EXPECT_TRUE(has(w.terms("荷物が届きませんでした"), "届かない"));
  EXPECT_TRUE(has(w.terms("荷物が届かなかった"), "届かない"));
  EXPECT_TRUE(has(w.terms("ログインできません"), "できない"));
  EXPECT_TRUE(has(w.terms("味が良くない"), "良くない"));
  EXPECT_TRUE(has(w.terms("まだ使えていない"), "使えない"));
}

TEST(Tokenize, SuruNounNegationReadsAsOneTerm) {
  auto tok = make();
  auto w = tok.new_worker();
  EXPECT_TRUE(has(w.terms("サポートが対応してくれません"), "対応しない"));
}

TEST(Tokenize, NegationCanBeKeptApart) {
  koe::tokenize_options o;
  o.join_negation = false;
  auto tok = make(o);
  auto w = tok.new_worker();
  const auto t = w.terms("アプリが使えない");
  EXPECT_TRUE(has(t, "使える"));
  EXPECT_FALSE(has(t, "使えない"));
}

TEST(Tokenize, NumbersFoldToOneTerm) {
  auto tok = make();
  auto w = tok.new_worker();
  const auto a = w.terms("3日待った");
  const auto b = w.terms("12日待った");
  EXPECT_TRUE(has(a, "<数>"));
  EXPECT_TRUE(has(b, "<数>"));
  EXPECT_FALSE(has(b, "12"));
}

TEST(Tokenize, StopWordsAreDropped) {
  koe::tokenize_options o;
  o.extra_stopwords = {"アプリ"};
  auto tok = make(o);
  auto w = tok.new_worker();
  const auto t = w.terms("アプリが重い");
  EXPECT_FALSE(has(t, "アプリ"));
  EXPECT_TRUE(has(t, "重い"));
}

TEST(Tokenize, BundledStopWordsRemoveRequestPhrasing) {
  koe::tokenize_options o;
  o.use_default_stopwords = true;
  koe::tokenizer tok(o);
  auto w = tok.new_worker();
  const auto t = w.terms("配送をもっと早くしてほしいと思います");
  EXPECT_FALSE(has(t, "思う"));
  EXPECT_FALSE(has(t, "する"));
  EXPECT_TRUE(has(t, "配送"));
}

TEST(Tokenize, AnalyzeReportsByteOffsetsIntoTheText) {
  auto tok = make();
  auto w = tok.new_worker();
  const std::string text = "配送が遅い";
  const auto tokens = w.analyze(text);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(text.substr(tokens[0].begin, tokens[0].end - tokens[0].begin), "配送");
  EXPECT_EQ(tokens[2].lemma, "遅い");
  EXPECT_EQ(tokens[2].pos.rfind("形容詞", 0), 0u);
}

TEST(Tokenize, MissingDictionaryIsAClearError) {
  koe::tokenize_options o;
  o.dicdir = "/nonexistent/dictionary";
  try {
    koe::tokenizer tok(o);
    FAIL() << "expected an error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::mecab_init_failed);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dictionary"), std::string::npos);
  }
}

TEST(Tokenize, ParallelEqualsSerialForAnyThreadCount) {
  auto tok = make();
  std::vector<std::string> texts;
  const char* base[] = {"配送が遅い",
                        "アプリが落ちる",
                        "ログインできない",
                        "解約したい",
                        "野菜が傷んでいた",
                        "ポイントが使えない",
                        ""};
  for (int i = 0; i < 3000; ++i)
    texts.push_back(base[i % 7] + std::to_string(i % 13));
  auto w = tok.new_worker();
  std::vector<std::vector<std::string>> serial;
  for (const auto& t : texts)
    serial.push_back(w.terms(t));
  for (int threads : {1, 2, 8}) {
    tbb::task_arena arena(threads);
    std::vector<std::vector<std::string>> parallel;
    arena.execute([&] { parallel = tok.terms(texts); });
    EXPECT_EQ(parallel, serial) << threads << " threads";
  }
}

// Resident kilobytes of the process's maps of `file` (from /proc/self/smaps; 0 when unmapped).
std::size_t resident_kib(const std::string& file) {
  std::ifstream smaps("/proc/self/smaps");
  std::size_t kib = 0;
  bool in_file = false;
  for (std::string line; std::getline(smaps, line);) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find('-') < line.find(' '))
      in_file = line.size() >= file.size() && line.ends_with(file);
    else if (in_file && line.starts_with("Rss:"))
      kib += std::stoul(line.substr(4));
  }
  return kib;
}

TEST(Tokenize, DroppingTheDictionaryPagesGivesThemBackAndChangesNoTerm) {
  auto tok = make();
  const std::string sys_dic =
      std::filesystem::canonical(std::filesystem::path(tok.dictionary()) / "sys.dic").string();
  std::vector<std::string> texts;
  for (int i = 0; i < 2000; ++i)
    texts.push_back("配送が遅い" + std::to_string(i) +
                    "件目、アプリが落ちて解約したい。野菜が傷んでいた");
  const auto before = tok.terms(texts);
  const std::size_t touched = resident_kib(sys_dic);
  ASSERT_GT(touched, 0u) << sys_dic << " is not mapped";
  tok.drop_pages();
  EXPECT_LT(resident_kib(sys_dic), touched / 2) << "the pages of " << sys_dic << " stay resident";
  EXPECT_EQ(tok.terms(texts), before);
  EXPECT_GT(resident_kib(sys_dic), 0u);  // read again as tokenizing goes on
}

TEST(Tokenize, AWorkerInternsIntoAnyTableItIsGiven) {
  // A worker remembers the ids its entries got in the table it fills; given another table, it must
  // not push those ids there.
  auto tok = make();
  auto w = tok.new_worker();
  koe::term_table a, b;
  w.intern("アプリが重い", a);
  w.intern("配送が遅い", a);  // 配送 and 遅い get ids 2 and 3 in `a`
  w.intern("配送が遅い", b);  // ... and 0 and 1 in `b`
  w.intern("配送が遅い", b);
  const std::vector<std::string> terms = {"配送", "遅い"};
  EXPECT_EQ(a.row_terms(1), terms);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.row_terms(0), terms);
  EXPECT_EQ(b.row_terms(1), terms);
}

TEST(Tokenize, ReadsOnlyTheBytesOfTheTextItIsGiven) {
  // Texts in a column sit back to back with no terminating zero between them.
  auto tok = make();
  auto w = tok.new_worker();
  const std::string joined = "配送が遅いアプリが重い";
  const std::string_view first(joined.data(), std::string_view("配送が遅い").size());
  EXPECT_EQ(w.terms(first), w.terms("配送が遅い"));
  koe::term_table t;
  w.intern(first, t);
  EXPECT_EQ(t.row_terms(0), w.terms("配送が遅い"));
  EXPECT_EQ(w.analyze(first).size(), w.analyze("配送が遅い").size());
  // A text that fills its buffer exactly, with no zero after it (under AddressSanitizer a read
  // past the end fails here: MeCab calls strlen on what it is given).
  const std::string_view exact = "配送が遅い";
  const auto buffer = std::make_unique<char[]>(exact.size());
  std::copy(exact.begin(), exact.end(), buffer.get());
  EXPECT_EQ(w.terms(std::string_view(buffer.get(), exact.size())), w.terms("配送が遅い"));
  // An empty view may have no data at all.
  EXPECT_TRUE(w.analyze(std::string_view()).empty());
  EXPECT_TRUE(w.terms(std::string_view()).empty());
}

TEST(Tokenize, InternedTermsEqualTheTermsForAnyThreadCount) {
  auto tok = make();
  std::vector<std::string> texts;
  const char* base[] = {"配送が遅い", "アプリが落ちる", "ログインできない", "", "解約したい"};
  for (int i = 0; i < 5000; ++i)  // several blocks of 1024
    texts.push_back(base[i % 5] + std::to_string(i % 17));
  const auto plain = tok.terms(texts);
  const koe::term_table expected(plain);
  for (int threads : {1, 2, 8}) {
    tbb::task_arena arena(threads);
    koe::term_table t;
    arena.execute([&] { t = tok.intern(texts); });
    EXPECT_EQ(t.to_rows(), plain) << threads << " threads";
    EXPECT_EQ(t.terms(), expected.terms()) << threads << " threads";
    // From a column consumed as it goes: the same table, and the column given back.
    koe::text_column column;
    for (const auto& s : texts)
      column.push_back(s);
    arena.execute([&] { t = tok.intern(std::move(column)); });
    EXPECT_EQ(t.to_rows(), plain) << threads << " threads, consumed column";
    EXPECT_TRUE(column.empty());
  }
}

}  // namespace
