// Tests for reading voices: formats, columns, encodings, bad input and chunk boundaries.
#include <koe/error.hpp>
#include <koe/io.hpp>

#include "io_helpers.hpp"
#include "same_record.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::string_literals;
namespace fs = std::filesystem;
using namespace koe::test::io;

// ---------------------------------------------------------------------------------------------
// CSV

TEST(Io, CsvReadsTextIdAndTimestampColumnsByDefaultNames) {
  const auto c = read_bytes("v.csv",
                            "id,created_at,text,channel\n"
                            "a1,2024-01-02,アプリが重い,web\n"
                            "a2,2024-01-03,ログインできない,app\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.encoding, "utf-8");
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"channel"});
  const auto& d = c.documents[0];
  EXPECT_EQ(d.record, 1u);
  EXPECT_EQ(d.line, 2u);
  EXPECT_EQ(d.id, "a1");
  EXPECT_EQ(d.text, "アプリが重い");
  EXPECT_EQ(d.timestamp, "2024-01-02");
  EXPECT_EQ(d.meta, std::vector<std::string>{"web"});
  EXPECT_EQ(d.status, koe::record_status::kept);
  EXPECT_TRUE(d.reason.empty());
  EXPECT_EQ(c.documents[1].text, "ログインできない");
  EXPECT_EQ(c.documents[1].line, 3u);
}

TEST(Io, QuotedFieldKeepsCommas) {
  const auto c = read_bytes("v.csv", "text,n\n\"遅い, とても遅い\",1\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "遅い, とても遅い");
  EXPECT_EQ(c.documents[0].meta, std::vector<std::string>{"1"});
}

TEST(Io, DoubledQuotesInsideQuotedFieldBecomeOneQuote) {
  const auto c = read_bytes("v.csv", "text\n\"彼は\"\"最悪\"\"と言った\"\n\"\"\"\"\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, "彼は\"最悪\"と言った");
  EXPECT_EQ(c.documents[1].text, "\"");
}

TEST(Io, QuotedFieldKeepsNewlinesAndLaterRecordsKeepTheirPhysicalLines) {
  const auto c = read_bytes("v.csv", "id,text\n1,\"一行目\n二行目\n三行目\"\n2,次\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, "一行目\n二行目\n三行目");
  EXPECT_EQ(c.documents[0].line, 2u);
  EXPECT_EQ(c.documents[1].line, 5u);
}

TEST(Io, CrLfLineBreaksAreRemovedAndBecomeLfInsideQuotes) {
  const auto c = read_bytes("v.csv", "id,text\r\n1,\"上\r\n下\"\r\n2,end\r\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, "上\n下");
  EXPECT_EQ(c.documents[1].text, "end");
  EXPECT_EQ(c.documents[1].line, 4u);
}

TEST(Io, LoneCarriageReturnIsKeptAsText) {
  const auto c = read_bytes("v.csv", "text\na\rb\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "a\rb");
}

TEST(Io, Utf8ByteOrderMarkIsStrippedBeforeTheHeader) {
  const auto c = read_bytes("v.csv", "\xEF\xBB\xBFtext,id\nこんにちは,x\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "こんにちは");
  EXPECT_EQ(c.documents[0].id, "x");
  EXPECT_EQ(c.encoding, "utf-8");
}

TEST(Io, LastRecordWithoutLineBreakIsRead) {
  const auto c = read_bytes("v.csv", "text\na\n\"b\"");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[1].text, "b");
}

TEST(Io, EmptyFieldsAreEmptyStrings) {
  const auto c = read_bytes("v.csv", "a,text,c\n,x,\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].meta, (std::vector<std::string>{"", ""}));
}

TEST(Io, BlankLineIsAnEmptyRecordNotAFieldCountError) {
  const auto c = read_bytes("v.csv", "id,text\n1,a\n\n2,b\n");
  ASSERT_EQ(c.read(), 3u);
  EXPECT_EQ(c.documents[1].status, koe::record_status::empty);
  EXPECT_EQ(c.documents[1].line, 3u);
  EXPECT_EQ(c.documents[1].id, "2");
  EXPECT_EQ(c.documents[2].id, "2");
}

TEST(Io, HeaderOnlyFileGivesNoDocuments) {
  const auto c = read_bytes("v.csv", "id,text,channel\n");
  EXPECT_EQ(c.read(), 0u);
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"channel"});
}

TEST(Io, EmptyFileGivesNoDocuments) {
  EXPECT_EQ(read_bytes("v.csv", "").read(), 0u);
  EXPECT_EQ(read_bytes("v.jsonl", "").read(), 0u);
  EXPECT_EQ(read_bytes("v.txt", "").read(), 0u);
}

TEST(Io, HeaderNamesAreTrimmedOfSpaces) {
  const auto c = read_bytes("v.csv", "id, text\n1,a\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "a");
  EXPECT_EQ(c.documents[0].id, "1");
}

// ---------------------------------------------------------------------------------------------
// Columns

TEST(Io, TextColumnIsChosenByName) {
  koe::io_options options;
  options.text_column = "comment";
  const auto c = read_bytes("v.csv", "text,comment\nx,y\n", options);
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "y");
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"text"});
}

TEST(Io, TextColumnIsChosenByOneBasedIndex) {
  koe::io_options options;
  options.text_column = "2";
  const auto c = read_bytes("v.csv", "a,b,c\nx,y,z\n", options);
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "y");
  EXPECT_EQ(c.meta_columns, (std::vector<std::string>{"a", "c"}));
}

TEST(Io, FirstColumnIsTheTextWithoutATextHeader) {
  const auto c = read_bytes("v.csv", "comment,score\n良い,5\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].text, "良い");
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"score"});
}

TEST(Io, MissingTextColumnNameIsAnErrorListingTheColumns) {
  koe::io_options options;
  options.text_column = "comment";
  const auto f = read_failure("v.csv", "id,text,created_at\n1,a,b\n", options);
  EXPECT_EQ(f.code, koe::errc::missing_column);
  EXPECT_EQ(f.message,
            "FILE:1: text column \"comment\" not found; the header has: id, text, created_at");
}

TEST(Io, MissingColumnIsAnErrorEvenWhenSkipping) {
  auto options = skipping();
  options.id_column = "voice_id";
  const auto f = read_failure("v.csv", "id,text\n1,a\n", options);
  EXPECT_EQ(f.code, koe::errc::missing_column);
  EXPECT_EQ(f.message, "FILE:1: id column \"voice_id\" not found; the header has: id, text");
}

TEST(Io, ColumnIndexBeyondTheHeaderIsAMissingColumn) {
  koe::io_options options;
  options.text_column = "4";
  const auto f = read_failure("v.csv", "id,text\n1,a\n", options);
  EXPECT_EQ(f.code, koe::errc::missing_column);
  EXPECT_EQ(f.message, "FILE:1: text column 4 is out of range; the header has 2 columns: id, text");
  options.text_column = "0";
  EXPECT_EQ(read_failure("v.csv", "id,text\n1,a\n", options).code, koe::errc::missing_column);
}

TEST(Io, IdDefaultsToTheRecordNumber) {
  const auto c = read_bytes("v.csv", "text\na\nb\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].id, "1");
  EXPECT_EQ(c.documents[1].id, "2");
}

TEST(Io, IdAndTimestampColumnsAreChosenByNameOrIndex) {
  koe::io_options options;
  options.id_column = "no";
  options.time_column = "3";
  const auto c = read_bytes("v.csv", "no,text,when,id\n7,a,2024,x\n", options);
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.documents[0].id, "7");
  EXPECT_EQ(c.documents[0].timestamp, "2024");
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(c.documents[0].meta, std::vector<std::string>{"x"});
}

TEST(Io, TextColumnMayAlsoServeAsTheId) {
  koe::io_options options;
  options.id_column = "text";
  const auto c = read_bytes("v.csv", "text,n\nx,1\n", options);
  EXPECT_EQ(c.documents.at(0).id, "x");
  EXPECT_EQ(c.documents.at(0).text, "x");
}

TEST(Io, TimestampColumnDefaultsToCreatedAtThenTimestamp) {
  const auto both = read_bytes("v.csv", "timestamp,created_at,text\nt,c,x\n");
  EXPECT_EQ(both.documents.at(0).timestamp, "c");
  EXPECT_EQ(both.meta_columns, std::vector<std::string>{"timestamp"});
  const auto one = read_bytes("v.csv", "text,timestamp\nx,t\n");
  EXPECT_EQ(one.documents.at(0).timestamp, "t");
  EXPECT_TRUE(one.meta_columns.empty());
}

TEST(Io, OtherColumnsAreCarriedAsMetaInHeaderOrder) {
  const auto c = read_bytes("v.csv", "channel,id,text,score,plan\nweb,1,a,5,free\n");
  EXPECT_EQ(c.meta_columns, (std::vector<std::string>{"channel", "score", "plan"}));
  EXPECT_EQ(c.documents.at(0).meta, (std::vector<std::string>{"web", "5", "free"}));
  EXPECT_EQ(c.meta_index("score"), 1);
}

// ---------------------------------------------------------------------------------------------
// TSV, JSON Lines, text

TEST(Io, TsvSplitsOnTabsAndKeepsCommas) {
  const auto c = read_bytes("v.tsv", "id\ttext\n1\t重い, 遅い\n2\t\"タブ\tと\"\"引用\"\"\"\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, "重い, 遅い");
  EXPECT_EQ(c.documents[1].text, "タブ\tと\"引用\"");
}

TEST(Io, JsonLinesReadsTextIdTimestampAndMeta) {
  const auto c = read_bytes(
      "v.jsonl",
      "{\"id\":\"a\",\"text\":\"重い\",\"created_at\":\"2024-01-01\",\"channel\":\"web\"}\n"
      "{\"id\":2,\"text\":\"遅い\",\"created_at\":\"2024-01-02\",\"channel\":\"app\"}\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.meta_columns, std::vector<std::string>{"channel"});
  EXPECT_EQ(c.documents[0].id, "a");
  EXPECT_EQ(c.documents[0].text, "重い");
  EXPECT_EQ(c.documents[0].timestamp, "2024-01-01");
  EXPECT_EQ(c.documents[0].meta, std::vector<std::string>{"web"});
  EXPECT_EQ(c.documents[1].id, "2");
  EXPECT_EQ(c.documents[1].line, 2u);
}

TEST(Io, JsonLinesNonStringMetaValuesAreWrittenAsJsonText) {
  const auto c = read_bytes(
      "v.jsonl",
      "{\"text\":\"a\",\"score\":4.5,\"ok\":true,\"none\":null,\"tags\":[\"x\",1],\"n\":12}\n");
  ASSERT_EQ(c.read(), 1u);
  EXPECT_EQ(c.meta_columns, (std::vector<std::string>{"score", "ok", "none", "tags", "n"}));
  EXPECT_EQ(c.documents[0].meta,
            (std::vector<std::string>{"4.5", "true", "null", "[\"x\",1]", "12"}));
}

TEST(Io, JsonLinesMetaColumnsAreTheUnionOfKeysInFirstSeenOrder) {
  const auto c = read_bytes("v.jsonl",
                            "{\"text\":\"a\",\"x\":\"1\"}\n"
                            "{\"y\":\"2\",\"text\":\"b\"}\n");
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.meta_columns, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(c.documents[0].meta, (std::vector<std::string>{"1", ""}));
  EXPECT_EQ(c.documents[1].meta, (std::vector<std::string>{"", "2"}));
  EXPECT_EQ(c.documents[1].id, "2");
}

TEST(Io, JsonLinesTextKeyIsChosenByNameOrFirstKey) {
  koe::io_options options;
  options.text_column = "body";
  const auto named = read_bytes("v.jsonl", "{\"a\":\"x\",\"body\":\"y\"}\n", options);
  EXPECT_EQ(named.documents.at(0).text, "y");
  const auto first = read_bytes("v.jsonl", "{\"comment\":\"x\",\"score\":1}\n");
  EXPECT_EQ(first.documents.at(0).text, "x");
  EXPECT_EQ(first.meta_columns, std::vector<std::string>{"score"});
  options.text_column = "2";
  const auto indexed = read_bytes("v.jsonl", "{\"a\":\"x\",\"b\":\"y\"}\n", options);
  EXPECT_EQ(indexed.documents.at(0).text, "y");
  options.text_column = "3";
  EXPECT_EQ(read_failure("v.jsonl", "{\"a\":\"x\",\"b\":\"y\"}\n", options).message,
            "FILE:1: text column 3 is out of range; the first object has 2 columns: a, b");
}

TEST(Io, JsonLinesTextThatIsNotAStringIsMalformed) {
  const auto f = read_failure("v.jsonl", "{\"text\":\"a\"}\n{\"text\":42}\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:2: text is not a string (key \"text\" holds number)");
}

TEST(Io, JsonLinesMissingTextKeyIsMalformed) {
  const auto f = read_failure("v.jsonl", "{\"text\":\"a\"}\n{\"body\":\"b\",\"id\":1}\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:2: no \"text\" key; the object has: body, id");
}

TEST(Io, JsonLinesInvalidJsonIsMalformedWithItsColumn) {
  const auto f = read_failure("v.jsonl", "{\"text\":\"a\"}\n\n{\"text\":\"b\",}\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  // koe's part: file, line, column and "invalid JSON"; the rest is nlohmann_json's wording.
  EXPECT_EQ(f.message.rfind("FILE:3: invalid JSON at column 13: ", 0), 0u) << f.message;
  EXPECT_GT(f.message.size(), std::string("FILE:3: invalid JSON at column 13: ").size());
}

TEST(Io, JsonLinesLineThatIsNotAnObjectIsMalformed) {
  const auto f = read_failure("v.jsonl", "[\"text\"]\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:1: not a JSON object but an array");
}

TEST(Io, JsonLinesBlankLineIsEmptyAndCrLfIsAccepted) {
  const auto c = read_bytes("v.jsonl", "{\"text\":\"a\"}\r\n   \r\n{\"text\":\"b\"}\r\n");
  ASSERT_EQ(c.read(), 3u);
  EXPECT_EQ(c.documents[0].text, "a");
  EXPECT_EQ(c.documents[1].status, koe::record_status::empty);
  EXPECT_EQ(c.documents[2].text, "b");
  EXPECT_EQ(c.documents[2].line, 3u);
}

TEST(Io, OnlyTheMetadataColumnsAskedForAreKept) {
  koe::io_options o;
  o.meta_columns = std::vector<std::string>{"rating", "contributor", "absent"};
  const auto csv = read_bytes("v.csv",
                              "id,text,topic,rating,contributor\n"
                              "a,配送が遅い,delivery,2,u1\n"
                              "b,アプリが落ちる,app,,u2\n",
                              o);
  EXPECT_EQ(csv.meta_columns, (std::vector<std::string>{"rating", "contributor"}));
  ASSERT_EQ(csv.documents.size(), 2u);
  EXPECT_EQ(csv.documents[0].meta, (std::vector<std::string>{"2", "u1"}));
  EXPECT_EQ(csv.documents[1].meta, (std::vector<std::string>{"", "u2"}));
  // JSON Lines: keys left out neither become columns nor count towards the key limit.
  const auto jsonl = read_bytes("v.jsonl",
                                "{\"text\":\"配送が遅い\",\"topic\":\"d\",\"rating\":2}\n"
                                "{\"text\":\"遅い\",\"contributor\":\"u9\",\"x\":1}\n",
                                o);
  EXPECT_EQ(jsonl.meta_columns, (std::vector<std::string>{"rating", "contributor"}));
  EXPECT_EQ(jsonl.documents[0].meta, (std::vector<std::string>{"2", ""}));
  EXPECT_EQ(jsonl.documents[1].meta, (std::vector<std::string>{"", "u9"}));
  // An empty list keeps none; unset keeps all.
  o.meta_columns = std::vector<std::string>{};
  EXPECT_TRUE(read_bytes("v.csv", "text,topic\nx,y\n", o).meta_columns.empty());
  EXPECT_EQ(read_bytes("v.csv", "text,topic\nx,y\n").meta_columns,
            std::vector<std::string>{"topic"});
}

TEST(Io, TextFormatReadsOneVoicePerLineWithoutHeader) {
  const auto c = read_bytes("v.txt", "text\n\"引用\",カンマ\r\n\n最後");
  ASSERT_EQ(c.read(), 4u);
  EXPECT_TRUE(c.meta_columns.empty());
  EXPECT_EQ(c.documents[0].text, "text");
  EXPECT_EQ(c.documents[1].text, "\"引用\",カンマ");
  EXPECT_EQ(c.documents[2].status, koe::record_status::empty);
  EXPECT_EQ(c.documents[3].text, "最後");
  EXPECT_EQ(c.documents[3].id, "4");
  EXPECT_EQ(c.documents[3].line, 4u);
}

TEST(Io, FormatFollowsTheExtensionUnlessGiven) {
  const std::string bytes = "a\tb\n1\t2\n";
  EXPECT_EQ(read_bytes("v.TSV", bytes).documents.at(0).meta, std::vector<std::string>{"2"});
  EXPECT_EQ(read_bytes("v.tab", bytes).documents.at(0).meta, std::vector<std::string>{"2"});
  EXPECT_EQ(read_bytes("v.data", bytes).read(), 2u);  // plain text
  koe::io_options options;
  options.format = koe::input_format::tsv;
  EXPECT_EQ(read_bytes("v.data", bytes, options).read(), 1u);
  EXPECT_EQ(read_bytes("v.ndjson", "{\"text\":\"x\"}\n").documents.at(0).text, "x");
}

TEST(Io, ParseInputFormatAcceptsTheFiveNames) {
  EXPECT_EQ(koe::parse_input_format("csv"), koe::input_format::csv);
  EXPECT_EQ(koe::parse_input_format("tsv"), koe::input_format::tsv);
  EXPECT_EQ(koe::parse_input_format("jsonl"), koe::input_format::jsonl);
  EXPECT_EQ(koe::parse_input_format("text"), koe::input_format::text);
  EXPECT_EQ(koe::parse_input_format("auto"), koe::input_format::auto_detect);
}

TEST(Io, ParseInputFormatRejectsOtherNames) {
  try {
    (void)koe::parse_input_format("xml");
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
    EXPECT_STREQ(e.what(), "unknown input format \"xml\" (expected csv, tsv, jsonl, text or auto)");
  }
}

TEST(Io, StreamIsReadUnderTheGivenName) {
  std::istringstream in("text\n\"open\n");
  koe::io_options options;
  try {
    (void)koe::read_corpus(in, "stdin.csv", options);
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_STREQ(e.what(), "stdin.csv:2: unterminated quote");
  }
  std::istringstream ok("text\nx\n");
  const auto c = koe::read_corpus(ok, "stdin.csv", options);
  EXPECT_EQ(c.source, "stdin.csv");
  EXPECT_EQ(c.read(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Blank and long voices

TEST(Io, WhitespaceOnlyTextIsEmptyIncludingIdeographicSpace) {
  const auto c = read_bytes("v.txt", "  \t\n\u3000\u3000\n\u3000あ\n");
  ASSERT_EQ(c.read(), 3u);
  EXPECT_EQ(c.documents[0].status, koe::record_status::empty);
  EXPECT_EQ(c.documents[1].status, koe::record_status::empty);
  EXPECT_EQ(c.documents[2].status, koe::record_status::kept);
  EXPECT_EQ(c.count(koe::record_status::empty), 2u);
}

TEST(Io, LongTextIsTruncatedAtACharacterBoundary) {
  koe::io_options options;
  options.max_voice_bytes = 10;
  const auto c = read_bytes("v.txt", "あいうえお\nshort\n", options);  // 15 bytes, 3 per kana
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, "あいう");
  EXPECT_EQ(c.documents[0].reason, "truncated from 15 to 9 bytes");
  EXPECT_EQ(c.documents[0].status, koe::record_status::kept);
  EXPECT_TRUE(c.documents[1].reason.empty());
}

TEST(Io, ZeroMaxVoiceBytesKeepsEveryByte) {
  const std::string long_text = repeat("あ", 20000);
  const auto c = read_bytes("v.txt", long_text + "\n", unlimited());
  EXPECT_EQ(c.documents.at(0).text, long_text);
  EXPECT_TRUE(c.documents.at(0).reason.empty());
}

// ---------------------------------------------------------------------------------------------
// Bad input

TEST(Io, UnterminatedQuoteIsMalformedAtTheLineWhereTheRecordStarts) {
  const auto f = read_failure("v.csv", "id,text\n1,a\n2,\"never closed\n3,b\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:3: unterminated quote");
}

TEST(Io, UnterminatedQuoteWhenSkippingRejectsTheRestOfTheFileAsOneRecord) {
  const auto c = read_bytes("v.csv", "id,text\n1,a\n2,\"never closed\n3,b\n4,c\n", skipping());
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[1].status, koe::record_status::rejected);
  EXPECT_EQ(c.documents[1].reason, "line 3: unterminated quote");
  EXPECT_EQ(c.documents[1].id, "2");
}

TEST(Io, RecordWithTooFewFieldsIsMalformed) {
  const auto f = read_failure("v.csv", "id,text,score\n1,a,5\n2,b\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:3: record has 2 fields, header has 3");
  EXPECT_EQ(read_failure("v.csv", "id,text\nlonely\n").message,
            "FILE:2: record has 1 field, header has 2");
}

TEST(Io, RecordWithTooManyFieldsIsMalformed) {
  const auto f = read_failure("v.csv", "id,text\n1,a,b,c\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:2: record has 4 fields, header has 2");
}

TEST(Io, TextAfterClosingQuoteIsMalformed) {
  const auto f = read_failure("v.csv", "id,text\n1,\"a\"b\n");
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:2: unexpected character after closing quote");
}

TEST(Io, NulByteIsMalformed) {
  const auto f = read_failure("v.csv", "id,text\n1,a\0b\n"s);
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:2: NUL byte in field 2 (text)");
  const auto t = read_failure("v.txt", "ok\n\0\n"s);
  EXPECT_EQ(t.message, "FILE:2: NUL byte");
}

TEST(Io, InvalidUtf8IsAnEncodingErrorNamingTheLineAndBytes) {
  const auto f = read_failure("v.csv", "id,text\n1,ok\n2,bad \xE3\x81 end\n");
  EXPECT_EQ(f.code, koe::errc::invalid_encoding);
  EXPECT_EQ(f.message, "FILE:3: invalid UTF-8 byte sequence <E3 81> in field 2 (text)");
}

TEST(Io, OverlongAndSurrogateUtf8AreRejected) {
  EXPECT_EQ(read_failure("v.txt", "\xC0\xAF\n").code, koe::errc::invalid_encoding);
  EXPECT_EQ(read_failure("v.txt", "\xED\xA0\x80\n").message,
            "FILE:1: invalid UTF-8 byte sequence <ED>");
  EXPECT_EQ(read_failure("v.txt", "\xF4\x90\x80\x80\n").code, koe::errc::invalid_encoding);
}

TEST(Io, InvalidUtf8InAMultiLineRecordNamesItsOwnLineToo) {
  const auto f = read_failure("v.csv", "id,text\n1,\"a\nb\n\xFF\"\n");
  EXPECT_EQ(f.message, "FILE:2: invalid UTF-8 byte sequence <FF> in field 2 (text) on line 4");
}

TEST(Io, JsonLinesInvalidUtf8IsAnEncodingError) {
  const auto f = read_failure("v.jsonl", "{\"text\":\"a\"}\n{\"text\":\"\xFF\"}\n");
  EXPECT_EQ(f.code, koe::errc::invalid_encoding);
  EXPECT_EQ(f.message, "FILE:2: invalid UTF-8 byte sequence <FF>");
}

TEST(Io, HeaderProblemsAreFatalEvenWhenSkipping) {
  const auto f = read_failure("v.csv", "id,\"text\n1,a\n", skipping());
  EXPECT_EQ(f.code, koe::errc::malformed_record);
  EXPECT_EQ(f.message, "FILE:1: header: unterminated quote");
  const auto g = read_failure("v.csv", "id,te\xFFxt\n1,a\n", skipping());
  EXPECT_EQ(g.code, koe::errc::invalid_encoding);
  EXPECT_EQ(g.message, "FILE:1: header: invalid UTF-8 byte sequence <FF> in field 2");
}

TEST(Io, SkippingKeepsEveryRecordWithReasonsAndGoesOn) {
  const auto c = read_bytes("v.csv",
                            "id,text,score\n"        // line 1
                            "1,good,5\n"             // 2
                            "2,too few\n"            // 3
                            "3,bad \xFF byte,1\n"    // 4
                            "4,\"multi\nline\",2\n"  // 5-6
                            "5,\u3000 ,3\n"          // 7
                            "6,a,b,c\n"              // 8
                            "7,\"x\"y,1\n"           // 9
                            "8,nul\0here,1\n"        // 10
                            "9,\"never closed,1\n"   // 11
                            "10,swallowed,1\n"s,     // 12
                            skipping());
  ASSERT_EQ(c.read(), 9u);
  EXPECT_EQ(c.count(koe::record_status::kept), 2u);
  EXPECT_EQ(c.count(koe::record_status::empty), 1u);
  EXPECT_EQ(c.count(koe::record_status::rejected), 6u);
  EXPECT_EQ(c.read(), c.count(koe::record_status::kept) + c.count(koe::record_status::empty) +
                          c.count(koe::record_status::rejected));
  const std::vector<std::string> reasons = {
      "",
      "line 3: record has 2 fields, header has 3",
      "line 4: invalid UTF-8 byte sequence <FF> in field 2 (text)",
      "",
      "",
      "line 8: record has 4 fields, header has 3",
      "line 9: unexpected character after closing quote",
      "line 10: NUL byte in field 2 (text)",
      "line 11: unterminated quote",
  };
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const auto& d = c.documents[i];
    EXPECT_EQ(d.record, i + 1);
    EXPECT_EQ(d.reason, reasons[i]) << "record " << i + 1;
    EXPECT_EQ(d.status == koe::record_status::rejected, !reasons[i].empty()) << "record " << i + 1;
    EXPECT_EQ(d.meta.size(), c.meta_columns.size());
  }
  EXPECT_EQ(c.documents[3].text, "multi\nline");
  EXPECT_EQ(c.documents[4].status, koe::record_status::empty);
  EXPECT_EQ(c.documents[5].line, 8u);
}

TEST(Io, SkippingJsonLinesRejectsOnlyTheBadLines) {
  const auto c = read_bytes("v.jsonl",
                            "{\"text\":\"a\",\"k\":1}\n"
                            "{\"text\":\n"
                            "{\"text\":null}\n"
                            "{\"text\":\"b\"}\n",
                            skipping());
  ASSERT_EQ(c.read(), 4u);
  EXPECT_EQ(c.count(koe::record_status::rejected), 2u);
  EXPECT_EQ(c.documents[2].reason, "line 3: text is not a string (key \"text\" holds null)");
  EXPECT_EQ(c.documents[3].text, "b");
  EXPECT_EQ(c.documents[1].meta, std::vector<std::string>{""});
}

TEST(Io, DirectoryIsAnIoFailure) {
  const temp_dir dir;
  try {
    (void)koe::read_corpus(dir.path());
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::io_failure);
    EXPECT_EQ(std::string(e.what()), "cannot open " + dir.path().string() + ": is a directory");
  }
}

TEST(Io, MissingFileIsAnIoFailureWithTheReason) {
  const temp_dir dir;
  const auto p = dir.path() / "nope.csv";
  try {
    (void)koe::read_corpus(p);
    ADD_FAILURE() << "no error";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::io_failure);
    EXPECT_EQ(std::string(e.what()), "cannot open " + p.string() + ": No such file or directory");
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings

// ---------------------------------------------------------------------------------------------
// Chunk boundaries (the reader pulls 1 MiB at a time)

TEST(Io, ManyMultiLineRecordsAcrossChunksAreAllRead) {
  std::string bytes = "id,text\n";
  const std::size_t n = 60000;  // about 2.7 MiB
  for (std::size_t i = 1; i <= n; ++i)
    bytes += std::to_string(i) + ",\"声" + std::to_string(i) + " \"\"引用\"\", 続き\n二行目\"\n";
  ASSERT_GT(bytes.size(), 2 * chunk);
  const auto c = read_bytes("v.csv", bytes);
  ASSERT_EQ(c.read(), n);
  for (std::size_t i = 1; i <= n; ++i) {
    const auto& d = c.documents[i - 1];
    ASSERT_EQ(d.id, std::to_string(i));
    ASSERT_EQ(d.text, "声" + std::to_string(i) + " \"引用\", 続き\n二行目");
    ASSERT_EQ(d.line, 2 * i);
  }
}

TEST(Io, CrLfAndDoubledQuoteSplitByAChunkBoundaryAreJoined) {
  const std::string header = "text\r\n";
  // The CR of the first record's line break is the last byte of the first chunk.
  const std::string first(chunk - 1 - header.size(), 'a');
  const auto c = read_bytes("v.csv", header + first + "\r\nb\r\n", unlimited());
  ASSERT_EQ(c.read(), 2u);
  EXPECT_EQ(c.documents[0].text, first);
  EXPECT_EQ(c.documents[1].text, "b");
  EXPECT_EQ(c.documents[1].line, 3u);

  // The two quotes of a doubled quote lie on either side of the boundary.
  const std::string quoted(chunk - 1 - std::string("text\n\"").size(), 'q');
  const auto d = read_bytes("v.csv", "text\n\"" + quoted + "\"\"x\"\n", unlimited());
  ASSERT_EQ(d.read(), 1u);
  EXPECT_EQ(d.documents[0].text, quoted + "\"x");
}

// Blocks are cut from the input without parsing, by the quoting rules alone, and parsed apart:
// wherever the cuts fall, the blocks appended in order must be the records of the whole input.
TEST(Io, BlocksCutAnywhereParseApartToTheRecordsOfTheWholeInput) {
  const std::string bytes =
      "id,text,segment\n"
      "1,\"quoted, with comma\",a\n"
      "2,\"two\nlines\",b\n"
      "3,un\"quoted \"quote,c\n"
      "\n"
      "4,\"\"\"starts with a quote\"\"\",d\r\n"
      "5,\"crlf\r\ninside\",e\r\n"
      "6,lone\rcarriage return,f\n"
      "7,\"after close\"x,g\n"
      "8,\r\"quote after a CR,h\n"
      "9,too,many,fields\n"
      "10,\"\",i\n"
      "11,\"\"\"\",j\n"
      "12,\"a\"\"\nb\"\"\",k\n"
      "13,last,l\n"
      "14,\"unterminated\nto the end,m\n"
      "x,y\n";
  for (const char* name : {"v.csv", "v.txt"}) {
    const temp_dir dir;
    const fs::path path = dir.write(name, bytes);
    const koe::corpus whole = koe::read_corpus(path, skipping());
    ASSERT_GT(whole.read(), 10u) << name;
    for (const std::size_t block : {1, 2, 3, 5}) {
      std::vector<koe::unparsed_block> blocks;
      const koe::corpus c = koe::read_corpus_unparsed(
          path, skipping(), block,
          [&](koe::unparsed_block&& b) { blocks.push_back(std::move(b)); });
      // Parsed last block first: no block depends on another having been parsed.
      std::vector<koe::document_table> parsed(blocks.size());
      for (std::size_t k = blocks.size(); k-- > 0;)
        parsed[k] = blocks[k]();
      koe::document_table docs;
      for (auto& t : parsed) {
        EXPECT_LE(t.size(), block) << name;
        docs.append(std::move(t));
      }
      EXPECT_EQ(c.meta_columns, whole.meta_columns);
      ASSERT_EQ(docs.size(), whole.read()) << name << " in blocks of " << block;
      for (std::size_t i = 0; i < docs.size(); ++i) {
        EXPECT_TRUE(koe::test::same_record(docs[i].to_document(), whole.documents[i].to_document()))
            << name << " in blocks of " << block << ", record " << i + 1;
      }
    }
  }
}

// A bad record throws from the block that holds it, when that block is parsed, not while the
// input is cut; earlier blocks parse without it.
TEST(Io, ABadRecordFailsOnlyTheBlockThatHoldsIt) {
  const temp_dir dir;
  const fs::path path = dir.write("v.csv", "id,text\n1,a\n2,b\n3,\"c\"x\n4,d\n");
  std::vector<koe::unparsed_block> blocks;
  (void)koe::read_corpus_unparsed(path, {}, 2,
                                  [&](koe::unparsed_block&& b) { blocks.push_back(std::move(b)); });
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]().size(), 2u);
  try {
    (void)blocks[1]();
    ADD_FAILURE() << "the second block did not throw";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::malformed_record);
    EXPECT_NE(std::string(e.what()).find(":4: unexpected character after closing quote"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace

// The cutter and the parser follow one grammar: for every short input over the bytes that
// matter to it, cutting record by record finds the records the whole read finds.
TEST(Io, EveryShortInputCutRecordByRecordReadsAsTheWholeInput) {
  const temp_dir dir;
  const std::string alphabet = "a\",\n\r";
  std::string body;
  for (std::size_t n = 1, total = alphabet.size(); n <= 5; ++n, total *= alphabet.size()) {
    for (std::size_t k = 0; k < total; ++k) {
      body.clear();
      for (std::size_t x = k, i = 0; i < n; ++i, x /= alphabet.size())
        body += alphabet[x % alphabet.size()];
      const fs::path path = dir.write("v.csv", "t,u\n" + body);
      const koe::corpus whole = koe::read_corpus(path, skipping());
      koe::document_table docs;
      const koe::corpus c = koe::read_corpus_unparsed(
          path, skipping(), 1, [&](koe::unparsed_block&& b) { docs.append(b()); });
      docs.resize_meta(c.meta_columns.size());
      ASSERT_EQ(docs.size(), whole.read()) << testing::PrintToString(body);
      for (std::size_t i = 0; i < docs.size(); ++i) {
        ASSERT_TRUE(koe::test::same_record(docs[i].to_document(), whole.documents[i].to_document()))
            << testing::PrintToString(body) << ", record " << i + 1;
      }
    }
  }
}
