// The reader's legacy encodings: Shift_JIS / CP932, EUC-JP, UTF-16 with a byte order mark, and
// detection, converted with ICU; bad bytes named by line; characters split by a chunk boundary.
#include <koe/error.hpp>
#include <koe/io.hpp>

#include "io_helpers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace std::string_literals;
using namespace koe::test::io;

TEST(Io, ShiftJisIsConvertedToUtf8) {
  // ソ, 表 and 能 end in byte 0x5C, which must not be taken for a backslash or split a field.
  const std::string utf8 = "id,text\n1,アプリが重い①～\\100\n2,\"ソフトの表示,機能\"\n";
  const auto c = read_bytes("v.csv", encode(utf8, "windows-31j"), with_encoding("shift_jis"));
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.encoding, "shift_jis");
  EXPECT_EQ(c.documents[0].text, "アプリが重い①～\\100");
  EXPECT_EQ(c.documents[1].text, "ソフトの表示,機能");
}

TEST(Io, Cp932NamesAreAcceptedAndRecorded) {
  const auto c =
      read_bytes("v.txt", "\x83\x41\x83\x76\x83\x8A\n\x87\x40\n", with_encoding("CP932"));
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.encoding, "cp932");
  EXPECT_EQ(c.documents[0].text, "アプリ");
  EXPECT_EQ(c.documents[1].text, "①");
  EXPECT_EQ(read_bytes("v.txt", "\x82\xA0\n", with_encoding("windows-31j")).documents.at(0).text,
            "あ");
}

TEST(Io, EucJpIsConvertedToUtf8) {
  const std::string utf8 = "text,id\n\"画面が真っ白, 直して\",x\n";
  const auto c = read_bytes("v.csv", encode(utf8, "EUC-JP"), with_encoding("euc-jp"));
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.encoding, "euc-jp");
  EXPECT_EQ(c.documents[0].text, "画面が真っ白, 直して");
  EXPECT_EQ(read_bytes("v.txt", "\xA4\xA2\n", with_encoding("EUCJP")).documents.at(0).text, "あ");
}

TEST(Io, AutoDetectsShiftJis) {
  ASSERT_GT(japanese_voices.size(), 300u);
  const auto c = read_bytes("v.csv", encode(japanese_voices, "windows-31j"), with_encoding("auto"));
  EXPECT_EQ(c.encoding, "shift_jis");
  ASSERT_EQ(c.read(), 5u);
  EXPECT_EQ(c.documents[4].text,
            "使いやすくて便利ですが、もう少し速くしてほしいです。期待しています。");
}

TEST(Io, AutoDetectsEucJp) {
  const auto c = read_bytes("v.csv", encode(japanese_voices, "EUC-JP"), with_encoding("auto"));
  EXPECT_EQ(c.encoding, "euc-jp");
  ASSERT_EQ(c.read(), 5u);
  EXPECT_EQ(c.documents[0].text,
            "アプリの動作がとても重いです。ログインできないことがよくあります。");
}

TEST(Io, AutoDetectsUtf8AndPlainAscii) {
  const auto c = read_bytes("v.csv", japanese_voices, with_encoding("auto"));
  EXPECT_EQ(c.encoding, "utf-8");
  EXPECT_EQ(c.read(), 5u);
  EXPECT_EQ(read_bytes("v.txt", "plain ascii\n", with_encoding("auto")).encoding, "utf-8");
  EXPECT_EQ(read_bytes("v.txt", "", with_encoding("auto")).encoding, "utf-8");
}

TEST(Io, AutoDetectionKeepsUtf8WithARareBadByteAndReportsIt) {
  const auto f = read_failure("v.csv", japanese_voices + "6,壊れた\xFF行\n", with_encoding("auto"));
  EXPECT_EQ(f.code, koe::errc::invalid_encoding);
  EXPECT_EQ(f.message, "FILE:7: invalid UTF-8 byte sequence <FF> in field 2 (text)");
}

TEST(Io, Utf16WithByteOrderMarkIsConverted) {
  const std::string utf8 = "id,text\n1,重い😀\n";
  const auto le = read_bytes("v.csv", "\xFF\xFE" + encode(utf8, "UTF-16LE"));
  EXPECT_EQ(le.encoding, "utf-16le");
  ASSERT_EQ(le.read(), 1u);
  EXPECT_EQ(le.documents[0].text, "重い😀");
  const auto be = read_bytes("v.csv", "\xFE\xFF" + encode(utf8, "UTF-16BE"), with_encoding("auto"));
  EXPECT_EQ(be.encoding, "utf-16be");
  EXPECT_EQ(be.documents.at(0).text, "重い😀");
}

TEST(Io, InvalidShiftJisIsAnEncodingErrorNamingTheLine) {
  const std::string bytes = encode("id,text\n1,正常\n", "windows-31j") + "2,\x82 x\n";
  const auto f = read_failure("v.csv", bytes, with_encoding("shift_jis"));
  EXPECT_EQ(f.code, koe::errc::invalid_encoding);
  EXPECT_EQ(f.message, "FILE:3: invalid shift_jis byte sequence <82> in field 2 (text)");
}

TEST(Io, UnmappableShiftJisIsAnEncodingError) {
  const auto f = read_failure("v.txt", "ok\n\xEF\x40\n", with_encoding("cp932"));
  EXPECT_EQ(f.code, koe::errc::invalid_encoding);
  EXPECT_EQ(f.message, "FILE:2: unmappable cp932 byte sequence <EF 40>");
}

TEST(Io, IncompleteEucJpAtEndOfInputIsAnEncodingError) {
  const auto f = read_failure("v.txt", "\xA4\xA2\n\xA4", with_encoding("euc-jp"));
  EXPECT_EQ(f.code, koe::errc::invalid_encoding);
  EXPECT_EQ(f.message, "FILE:2: incomplete euc-jp byte sequence <A4> at end of input");
}

TEST(Io, SkippingInvalidShiftJisRejectsOnlyThatRecord) {
  const std::string bytes =
      encode("text\n前\n", "windows-31j") + "\x82\n" + encode("後\n", "windows-31j");
  auto options = skipping();
  options.encoding = "shift_jis";
  const auto c = read_bytes("v.csv", bytes, options);
  ASSERT_EQ(c.read(), 3u);
  EXPECT_EQ(c.documents[0].text, "前");
  EXPECT_EQ(c.documents[1].reason,
            "line 3: invalid shift_jis byte sequence <82> in field 1 (text)");
  EXPECT_EQ(c.documents[2].text, "後");
  EXPECT_EQ(c.documents[2].line, 4u);
}

TEST(Io, UnknownEncodingIsAnInvalidArgument) {
  try {
    (void)read_bytes("v.txt", "x\n", with_encoding("latin1"));
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
    EXPECT_STREQ(e.what(),
                 "unknown encoding \"latin1\" (expected utf-8, shift_jis, cp932, euc-jp or auto)");
  }
}

TEST(Io, ShiftJisCharacterSplitByAChunkBoundaryIsJoined) {
  // One ASCII byte first, so that a two-byte character straddles every even offset.
  const std::string utf8 = "x" + repeat("漢", chunk / 2 + 100) + "\n" + "次\n";
  auto options = unlimited();
  options.encoding = "shift_jis";
  const auto c = read_bytes("v.txt", encode(utf8, "windows-31j"), options);
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, utf8.substr(0, utf8.find('\n')));
  EXPECT_EQ(c.documents[1].text, "次");
  EXPECT_EQ(c.documents[1].line, 2u);
}

TEST(Io, Utf16SurrogatePairSplitByAChunkBoundaryIsJoined) {
  const std::string utf8 = repeat("😀", chunk / 4 + 100) + "\n";
  const auto c = read_bytes("v.txt", "\xFF\xFE" + encode(utf8, "UTF-16LE"), unlimited());
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, utf8.substr(0, utf8.size() - 1));
}

}  // namespace
