// Unit tests for koe::normalize: one group per rule, each rule switched off, and properties
// (idempotence, invalid UTF-8, thread safety).
#include <koe/normalize.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace {

using koe::normalize;
using koe::normalize_options;

/// Options with every rule off, so that a test can switch on exactly the rule it checks.
normalize_options none() {
  normalize_options o;
  o.nfkc = o.fold_case = o.unify_long_vowels = o.collapse_repeats = false;
  o.mask_urls = o.mask_emails = o.mask_phones = o.remove_emoji = o.trim = false;
  return o;
}

normalize_options only(bool normalize_options::*rule) {
  normalize_options o = none();
  o.*rule = true;
  return o;
}

normalize_options all_but(bool normalize_options::*rule) {
  normalize_options o;
  o.*rule = false;
  return o;
}

/// True if `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    char32_t c = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
      c = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      c = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      c = b & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      c = (c << 6) | (t & 0x3F);
    }
    if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10FFFF ||
        (c >= 0xD800 && c <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// --- NFKC ------------------------------------------------------------------------------------

TEST(Normalize, NfkcTurnsFullWidthAsciiIntoAscii) {
  EXPECT_EQ(normalize("ＡＢＣ１２３！", only(&normalize_options::nfkc)), "ABC123!");
  EXPECT_EQ(normalize("価格は１，０００円", only(&normalize_options::nfkc)), "価格は1,000円");
}

TEST(Normalize, NfkcTurnsHalfWidthKatakanaIntoFullWidth) {
  EXPECT_EQ(normalize("ｱﾌﾟﾘが重い", only(&normalize_options::nfkc)), "アプリが重い");
  EXPECT_EQ(normalize("ｶﾞｲﾄﾞ", only(&normalize_options::nfkc)), "ガイド");
}

TEST(Normalize, NfkcExpandsEnclosedAndSquaredCharacters) {
  EXPECT_EQ(normalize("㈱コエ", only(&normalize_options::nfkc)), "(株)コエ");
  EXPECT_EQ(normalize("①番", only(&normalize_options::nfkc)), "1番");
  EXPECT_EQ(normalize("㌔", only(&normalize_options::nfkc)), "キロ");
  EXPECT_EQ(normalize("全角　空白", only(&normalize_options::nfkc)), "全角 空白");
}

TEST(Normalize, NfkcOffKeepsWidthVariants) {
  const normalize_options o = all_but(&normalize_options::nfkc);
  EXPECT_EQ(normalize("ｱﾌﾟﾘ", o), "ｱﾌﾟﾘ");
  EXPECT_EQ(normalize("㈱コエ", o), "㈱コエ");
}

// --- Case folding ----------------------------------------------------------------------------

TEST(Normalize, LatinLettersAreLowerCased) {
  EXPECT_EQ(normalize("iPhoneのAPPが落ちる"), "iphoneのappが落ちる");
  EXPECT_EQ(normalize("ＬＩＮＥで連絡"), "lineで連絡");
  EXPECT_EQ(normalize("ÉCOLE"), "école");
}

TEST(Normalize, CaseFoldingLeavesOtherScriptsAlone) {
  EXPECT_EQ(normalize("ΑΒΓ Привет"), "ΑΒΓ Привет");
}

TEST(Normalize, CaseFoldingOffKeepsCapitals) {
  EXPECT_EQ(normalize("iPhoneのAPP", all_but(&normalize_options::fold_case)), "iPhoneのAPP");
  EXPECT_EQ(normalize("ＡＰＰ", all_but(&normalize_options::fold_case)), "APP");
}

// --- Long vowels and wave dashes ---------------------------------------------------------------

TEST(Normalize, WaveDashAfterKanaBecomesLongVowel) {
  EXPECT_EQ(normalize("スーパ〜"), "スーパー");
  EXPECT_EQ(normalize("さ〜ん"), "さーん");
  EXPECT_EQ(normalize("やば～い"), "やばーい");
  EXPECT_EQ(normalize("ね~"), "ねー");
}

TEST(Normalize, DashesAfterKanaBecomeLongVowel) {
  EXPECT_EQ(normalize("コ－ヒ－"), "コーヒー");  // U+FF0D
  EXPECT_EQ(normalize("ラ−メン"), "ラーメン");   // U+2212
  EXPECT_EQ(normalize("サ―ビス"), "サービス");   // U+2015
  EXPECT_EQ(normalize("メ‐ル"), "メール");       // U+2010
  EXPECT_EQ(normalize("ユ‑ザ"), "ユーザ");       // U+2011
  EXPECT_EQ(normalize("デ–タ"), "データ");       // U+2013
  EXPECT_EQ(normalize("セ—ル"), "セール");       // U+2014
  EXPECT_EQ(normalize("ｽｰﾊﾟｰ"), "スーパー");     // U+FF70
}

TEST(Normalize, WaveDashElsewhereBecomesU301C) {
  EXPECT_EQ(normalize("10時～12時"), "10時〜12時");
  EXPECT_EQ(normalize("10時~12時"), "10時〜12時");
  EXPECT_EQ(normalize("東京〜大阪"), "東京〜大阪");
}

TEST(Normalize, LongVowelRunsCollapseToOne) {
  EXPECT_EQ(normalize("すごーーーい"), "すごーい");
  EXPECT_EQ(normalize("すご〜〜〜い"), "すごーい");
  EXPECT_EQ(normalize("まじかー〜ー"), "まじかー");
  EXPECT_EQ(normalize("10時〜〜12時"), "10時〜12時");
}

TEST(Normalize, DashesAwayFromKanaAreKept) {
  EXPECT_EQ(normalize("Wi-Fi"), "wi-fi");
  EXPECT_EQ(normalize("東京—大阪"), "東京—大阪");
  EXPECT_EQ(normalize("タイプ-A"), "タイプ-a");
  EXPECT_EQ(normalize("ページ-1"), "ページ-1");
}

TEST(Normalize, LongVowelRuleOffLeavesMarksAlone) {
  const normalize_options o = all_but(&normalize_options::unify_long_vowels);
  EXPECT_EQ(normalize("すごーーーい", o), "すごーーーい");
  EXPECT_EQ(normalize("スーパ〜", o), "スーパ〜");
  EXPECT_EQ(normalize("10時〜12時", o), "10時〜12時");
  EXPECT_EQ(normalize("ラ−メン", o), "ラ−メン");
}

// --- Repeats ---------------------------------------------------------------------------------

TEST(Normalize, RepeatedPunctuationCollapsesToOne) {
  EXPECT_EQ(normalize("重い！！！"), "重い!");
  EXPECT_EQ(normalize("重い!!!"), "重い!");
  EXPECT_EQ(normalize("なぜ？？"), "なぜ?");
  EXPECT_EQ(normalize("なぜ？！？！"), "なぜ?!?!");
  EXPECT_EQ(normalize("はい。。。"), "はい。");
  EXPECT_EQ(normalize("えっと・・・"), "えっと・");
  EXPECT_EQ(normalize("あの、、、"), "あの、");
}

TEST(Normalize, EllipsesBecomeOneEllipsis) {
  EXPECT_EQ(normalize("うーん……"), "うーん…");
  EXPECT_EQ(normalize("うーん…"), "うーん…");
  EXPECT_EQ(normalize("うーん..."), "うーん…");
  EXPECT_EQ(normalize("バージョン1.5"), "バージョン1.5");
}

TEST(Normalize, LaughterCollapsesToOne) {
  EXPECT_EQ(normalize("面白いwwww"), "面白いw");
  EXPECT_EQ(normalize("面白いｗｗｗ"), "面白いw");
  EXPECT_EQ(normalize("wwwそれな"), "wそれな");
  EXPECT_EQ(normalize("ww！ まじ"), "w! まじ");
  EXPECT_EQ(normalize("笑笑笑"), "笑");
  EXPECT_EQ(normalize("草草"), "草");
}

TEST(Normalize, LatinWordsWithRepeatedWAreKept) {
  EXPECT_EQ(normalize("awww cute"), "awww cute");
  EXPECT_EQ(normalize("wwwa"), "wwwa");
  EXPECT_EQ(normalize("wow"), "wow");
  EXPECT_EQ(normalize("www.example.com", all_but(&normalize_options::mask_urls)),
            "www.example.com");
  EXPECT_EQ(normalize("微笑む"), "微笑む");
}

TEST(Normalize, RepeatsOffLeavesRunsAlone) {
  const normalize_options o = all_but(&normalize_options::collapse_repeats);
  EXPECT_EQ(normalize("重い！！！", o), "重い!!!");
  EXPECT_EQ(normalize("面白いwwww", o), "面白いwwww");
  EXPECT_EQ(normalize("笑笑笑", o), "笑笑笑");
  EXPECT_EQ(normalize("はい。。。", o), "はい。。。");
}

// --- Masks -----------------------------------------------------------------------------------

TEST(Normalize, UrlsBecomePlaceholder) {
  EXPECT_EQ(normalize("詳細はhttps://example.com/a?b=1&c=%E3を見て"), "詳細は<url>を見て");
  EXPECT_EQ(normalize("http://x.jp/path。"), "<url>。");
  EXPECT_EQ(normalize("www.example.co.jp/faq, です"), "<url>, です");
  EXPECT_EQ(normalize("(https://x.jp/a)"), "(<url>)");
  EXPECT_EQ(normalize("https://ja.wikipedia.org/wiki/A_(B)"), "<url>");
  EXPECT_EQ(normalize("ＨＴＴＰＳ：／／ＥＸＡＭＰＬＥ．ＣＯＭ／ａ"), "<url>");
  EXPECT_EQ(normalize("「https://x.jp」"), "「<url>」");
}

TEST(Normalize, EmailAddressesBecomePlaceholder) {
  EXPECT_EQ(normalize("連絡先: Taro.Yamada+koe@example.co.jp まで"), "連絡先: <email> まで");
  EXPECT_EQ(normalize("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐへ"), "<email>へ");
  EXPECT_EQ(normalize("09012345678@docomo.ne.jp"), "<email>");
  EXPECT_EQ(normalize("a@b.com."), "<email>.");
}

TEST(Normalize, AtSignsOutsideAddressesAreKept) {
  EXPECT_EQ(normalize("@koe_support さん"), "@koe_support さん");
  EXPECT_EQ(normalize("a@b"), "a@b");
  EXPECT_EQ(normalize("単価@100円"), "単価@100円");
}

TEST(Normalize, JapanesePhoneNumbersBecomePlaceholder) {
  EXPECT_EQ(normalize("電話は090-1234-5678です"), "電話は<phone>です");
  EXPECT_EQ(normalize("03-1234-5678"), "<phone>");
  EXPECT_EQ(normalize("0120-123-456"), "<phone>");
  EXPECT_EQ(normalize("03(1234)5678"), "<phone>");
  EXPECT_EQ(normalize("(03)1234-5678"), "<phone>");
  EXPECT_EQ(normalize("+81-90-1234-5678"), "<phone>");
  EXPECT_EQ(normalize("+81 (0)3-1234-5678"), "<phone>");
  EXPECT_EQ(normalize("09012345678"), "<phone>");
  EXPECT_EQ(normalize("０９０－１２３４－５６７８"), "<phone>");
  EXPECT_EQ(normalize("090ー1234ー5678"), "<phone>");
  EXPECT_EQ(normalize("TEL:045 123 4567"), "tel:<phone>");
  EXPECT_EQ(normalize("(03-1234-5678)"), "(<phone>)");
  EXPECT_EQ(normalize("090 1234 5678 2回目"), "<phone> 2回目");
}

TEST(Normalize, OrdinaryNumbersAreNotPhones) {
  for (const char* text : {"2024年", "3000円", "3,000円", "2024-05-01", "2024/05/01", "10:30",
                           "〒123-4567", "0.5", "12345678", "1234567890", "0123", "05-01",
                           "00120123456", "090-1234-56789", "ID 123-0312345678"}) {
    EXPECT_EQ(normalize(text).find("<phone>"), std::string::npos) << text;
  }
}

TEST(Normalize, EachMaskCanBeSwitchedOff) {
  EXPECT_EQ(normalize("https://x.jp", all_but(&normalize_options::mask_urls)), "https://x.jp");
  EXPECT_EQ(normalize("a@b.jp", all_but(&normalize_options::mask_emails)), "a@b.jp");
  EXPECT_EQ(normalize("03-1234-5678", all_but(&normalize_options::mask_phones)), "03-1234-5678");
}

TEST(Normalize, PlaceholdersSurviveLaterRules) {
  EXPECT_EQ(normalize("https://x.jp！！！ wwww"), "<url>! w");
  EXPECT_EQ(normalize("https://x.jp！！！見てwww"), "<url>!見てw");
  EXPECT_EQ(normalize("ｽｰﾊﾟ〜 a@b.jp 〜 090-1234-5678　"), "スーパー <email> 〜 <phone>");
  EXPECT_EQ(normalize("<url> <email> <phone>"), "<url> <email> <phone>");
}

// --- Emoji -----------------------------------------------------------------------------------

normalize_options with_emoji_removal() {
  normalize_options o;
  o.remove_emoji = true;
  return o;
}

TEST(Normalize, EmojiAreKeptByDefault) {
  EXPECT_EQ(normalize("最高👍"), "最高👍");
}

TEST(Normalize, EmojiRemovalDropsPictographs) {
  const normalize_options o = with_emoji_removal();
  EXPECT_EQ(normalize("最高😀👍です", o), "最高です");
  EXPECT_EQ(normalize("好き❤️", o), "好き");    // with U+FE0F
  EXPECT_EQ(normalize("日本🇯🇵代表", o), "日本代表");  // regional indicators
}

TEST(Normalize, EmojiRemovalDropsZwjSequencesAndSkinTones) {
  const normalize_options o = with_emoji_removal();
  EXPECT_EQ(normalize("家族👨‍👩‍👧‍👦で", o), "家族で");
  EXPECT_EQ(normalize("了解👍🏽です", o), "了解です");
  EXPECT_EQ(normalize("👩🏻‍💻エンジニア", o), "エンジニア");
  EXPECT_EQ(normalize("🏴󠁧󠁢󠁥󠁮󠁧󠁿旗", o), "旗");  // tag sequence
}

TEST(Normalize, EmojiRemovalKeepsKeycapDigitAndSeparatesWords) {
  const normalize_options o = with_emoji_removal();
  EXPECT_EQ(normalize("1️⃣番", o), "1番");
  EXPECT_EQ(normalize("good😀bad", o), "good bad");
  EXPECT_EQ(normalize("a\u200Db", o), "a\u200Db");  // a ZWJ outside an emoji is not ours
}

// --- Whitespace ------------------------------------------------------------------------------

TEST(Normalize, WhitespaceRunsBecomeOneSpaceAndEndsAreTrimmed) {
  EXPECT_EQ(normalize("　 アプリ\t\n\r重い　\u00A0"), "アプリ 重い");
  EXPECT_EQ(normalize("a\u3000\u3000b", all_but(&normalize_options::nfkc)), "a b");
  EXPECT_EQ(normalize(" \t\n　"), "");
}

TEST(Normalize, TrimOffKeepsWhitespace) {
  EXPECT_EQ(normalize(" a\t\nb ", all_but(&normalize_options::trim)), " a\t\nb ");
}

// --- Properties ------------------------------------------------------------------------------

TEST(Normalize, AllRulesOffReturnsInputUnchanged) {
  for (const char* text : {"ｱﾌﾟﾘ！！！ ＵＲＬ→https://x.jp", "すご〜〜い😀  ", "03-1234-5678"}) {
    EXPECT_EQ(normalize(text, none()), text);
  }
}

TEST(Normalize, EmbeddedNulBytesAreKept) {
  const std::string ascii("a\0b", 3);
  const std::string japanese("ア\0b", 5);
  EXPECT_EQ(normalize(ascii), ascii);
  EXPECT_EQ(normalize(japanese), japanese);
}

TEST(Normalize, HeaderExampleHolds) {
  EXPECT_EQ(normalize("ｱﾌﾟﾘが重い！！！ ＵＲＬ→https://x.jp"), "アプリが重い! url→<url>");
  EXPECT_EQ(normalize("すご〜〜い 090-1234-5678"), "すごーい <phone>");
}

TEST(Normalize, EmptyInputGivesEmptyOutput) {
  EXPECT_EQ(normalize(""), "");
}

TEST(Normalize, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(normalize("a\xFF"
                      "b"),
            "a\uFFFDb");
  const std::vector<std::string> bad = {
      "\xFF\xFE",     "\xE3\x81",         "\x80\x80 abc",         "\xC0\xAF",
      "\xED\xA0\x80", "\xF4\x90\x80\x80", std::string("a\0b", 3), "ｱﾌﾟﾘ\xE3",
      "\xF0\x9F\x98"};
  for (const auto& text : bad) {
    for (const normalize_options& o : {normalize_options{}, none(), with_emoji_removal()}) {
      const std::string out = normalize(text, o);
      EXPECT_TRUE(is_valid_utf8(out)) << out;
    }
  }
}

const std::vector<std::string>& examples() {
  static const std::vector<std::string> texts = {
      "ｱﾌﾟﾘが重い！！！ ＵＲＬ→https://x.jp",
      "スーパ〜 さ〜ん すごーーーい 10時～12時",
      "うーん……まじか...www",
      "ww..a ww.a a..ww",
      "面白いｗｗｗ笑笑 草草草",
      "連絡は090-1234-5678か03(1234)5678、+81 90 1234 5678へ",
      "090  1234  5678 / 090--1234--5678",
      "メールはTaro@Example.CO.JP、サイトはwww.example.jp/faqです。。",
      "最高😀👍🏽家族👨‍👩‍👧 good😀bad 1️⃣",
      "03😀-1234-5678 a😀b@x.com",
      "タ--A コ－ヒ－ ラ−メン Wi-Fi 2024-05-01",
      "　 全角　空白\t\nと改行　",
      "Ⅻ ㈱ ① ㌔ ﬁ ÉCOLE",
      "a\xFF"
      "b\xE3\x81",
      "<url> <email> <phone>",
      "う‥ えー、、、 ・・・",
  };
  return texts;
}

TEST(Normalize, IsIdempotent) {
  for (const normalize_options& o : {normalize_options{}, with_emoji_removal()}) {
    for (const auto& text : examples()) {
      const std::string once = normalize(text, o);
      EXPECT_EQ(normalize(once, o), once) << text;
    }
  }
}

TEST(Normalize, GivesTheSameResultFromManyThreads) {
  std::vector<std::string> expected;
  for (const auto& text : examples())
    expected.push_back(normalize(text));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (std::size_t i = 0; i < examples().size(); ++i) {
          mismatches[t] += normalize(examples()[i]) == expected[i] ? 0 : 1;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  for (const int m : mismatches)
    EXPECT_EQ(m, 0);
}

}  // namespace
