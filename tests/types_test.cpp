// The column stores behind a corpus: text_column and document_table.
#include <koe/error.hpp>
#include <koe/types.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

std::vector<std::string> sample_strings(std::size_t n, std::size_t seed) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    // Mostly short voices, some empty, now and then one longer than a whole block.
    const std::size_t kind = (i * 7 + seed) % 11;
    if (kind == 0) {
      out.emplace_back();
    } else if (kind == 5 && i % 97 == 3) {
      out.emplace_back(std::size_t{3} << 20, static_cast<char>('a' + i % 26));
    } else {
      std::string s = "声" + std::to_string(i * 31 + seed);
      for (std::size_t j = 0; j < kind; ++j)
        s += "アプリ";
      out.push_back(s);
    }
  }
  return out;
}

koe::text_column column_of(const std::vector<std::string>& v) {
  koe::text_column c;
  for (const auto& s : v)
    c.push_back(s);
  return c;
}

TEST(TextColumn, HoldsEachStringAsPushed) {
  const auto v = sample_strings(3000, 1);
  const koe::text_column c = column_of(v);
  ASSERT_EQ(c.size(), v.size());
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(c[i], v[i]) << "string " << i;
    bytes += v[i].size();
  }
  EXPECT_EQ(c.bytes(), bytes);
  EXPECT_EQ(c.to_strings(), v);
}

TEST(TextColumn, EmptyStringsBeforeAndAfterTheFirstText) {
  koe::text_column c;
  c.push_back("");
  c.push_back("");
  c.push_back("配送");
  c.push_back("");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_TRUE(c[0].empty());
  EXPECT_TRUE(c[1].empty());
  EXPECT_EQ(c[2], "配送");
  EXPECT_TRUE(c[3].empty());
}

TEST(TextColumn, AppendIsAssociativeAndMatchesPushingInOrder) {
  const auto a = sample_strings(500, 2), b = sample_strings(700, 3), c = sample_strings(1, 0);
  std::vector<std::string> all(a);
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());

  koe::text_column left = column_of(a);  // (a + b) + c
  left.append(column_of(b));
  left.append(column_of(c));
  koe::text_column bc = column_of(b);  // a + (b + c)
  bc.append(column_of(c));
  koe::text_column right = column_of(a);
  right.append(std::move(bc));
  EXPECT_TRUE(bc.empty());

  EXPECT_EQ(left.to_strings(), all);
  EXPECT_EQ(right.to_strings(), all);
  EXPECT_EQ(left.bytes(), right.bytes());
  // Pushing after an append goes on where the appended strings ended.
  left.push_back("あと");
  EXPECT_EQ(left[all.size()], "あと");
  EXPECT_EQ(left[all.size() - 1], all.back());
}

TEST(TextColumn, AppendingAllEmptyColumnsKeepsTheCount) {
  koe::text_column a, b;
  a.push_back("");
  b.push_back("");
  b.push_back("");
  a.append(std::move(b));
  EXPECT_EQ(a.size(), 3u);
  koe::text_column c = column_of({"x"});
  c.append(std::move(a));
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], "x");
  EXPECT_TRUE(c[3].empty());
}

TEST(TextColumn, ReleasingEarlierStringsLeavesLaterOnesIntact) {
  const auto v = sample_strings(20000, 4);  // a few dozen blocks, some of one string each
  koe::text_column c = column_of(v);
  for (std::size_t n : {0u, 1u, 5000u, 5000u, 15000u, 19999u}) {
    c.release_before(n);
    for (std::size_t i = n; i < v.size(); ++i)
      ASSERT_EQ(c[i], v[i]) << "after releasing before " << n << ", string " << i;
  }
  c.push_back("あと");  // the last block is never released, so pushing goes on
  EXPECT_EQ(c[v.size()], "あと");
  EXPECT_EQ(c[v.size() - 1], v.back());
}

TEST(TextColumn, CopiesAreIndependent) {
  koe::text_column a = column_of({"一", "二"});
  koe::text_column b = a;
  a.push_back("三");
  a.clear();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1], "二");
}

// Sets TMPDIR for one scope (the place `text_column::spill` makes its file).
class scoped_tmpdir {
 public:
  explicit scoped_tmpdir(const std::string& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  scoped_tmpdir(const scoped_tmpdir&) = delete;
  scoped_tmpdir& operator=(const scoped_tmpdir&) = delete;
  ~scoped_tmpdir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

std::size_t bytes_of(const std::vector<std::string>& v, std::size_t n) {
  std::size_t b = 0;
  for (std::size_t i = 0; i < n; ++i)
    b += v[i].size();
  return b;
}

TEST(TextColumn, SpilledStringsReadBackAsPushedWhilePushingGoesOn) {
  const auto v = sample_strings(20000, 5);
  koe::text_column c;
  std::size_t pushed = 0;
  for (const std::size_t upto : {1u, 700u, 5000u, 5001u, 12000u, 20000u}) {
    for (; pushed < upto; ++pushed)
      c.push_back(v[pushed]);
    ASSERT_TRUE(c.spill(false));
    // Everything but the block still being filled is in the file.
    EXPECT_LE(c.spilled_bytes(), bytes_of(v, pushed));
    for (std::size_t i = 0; i < pushed; ++i)
      ASSERT_EQ(c[i], v[i]) << "string " << i << " after spilling " << pushed;
  }
  EXPECT_GT(c.spilled_bytes(), bytes_of(v, 12000));
  ASSERT_TRUE(c.spill(true));
  EXPECT_EQ(c.spilled_bytes(), bytes_of(v, v.size()));
  // Pushing after a spill of everything starts a block of its own.
  c.push_back("短");
  c.push_back("");
  c.push_back("また届かない");
  EXPECT_EQ(c.size(), v.size() + 3);
  EXPECT_EQ(c[v.size()], "短");
  EXPECT_EQ(c[v.size() + 1], "");
  EXPECT_EQ(c[v.size() + 2], "また届かない");
  for (std::size_t i = 0; i < v.size(); ++i)
    ASSERT_EQ(c[i], v[i]) << "string " << i;
  EXPECT_EQ(c.bytes(), bytes_of(v, v.size()) + std::string("短また届かない").size());
}

TEST(TextColumn, SpilledColumnsCopyMoveAppendAndClear) {
  const auto v = sample_strings(9000, 6);
  const std::vector<std::string> head(v.begin(), v.begin() + 4000);
  const std::vector<std::string> tail(v.begin() + 4000, v.end());
  koe::text_column a = column_of(head);
  ASSERT_TRUE(a.spill(true));
  koe::text_column b = column_of(tail);
  ASSERT_TRUE(b.spill(false));

  const koe::text_column copy = a;  // holds its strings in memory
  EXPECT_EQ(copy.spilled_bytes(), 0u);
  koe::text_column moved = std::move(b);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from column is empty
  a.append(std::move(moved));
  ASSERT_EQ(a.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    ASSERT_EQ(a[i], v[i]) << "string " << i;
  for (std::size_t i = 0; i < head.size(); ++i)
    ASSERT_EQ(copy[i], head[i]) << "copied string " << i;
  a.clear();
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.spilled_bytes(), 0u);
  a.push_back("一");
  EXPECT_EQ(a[0], "一");
}

TEST(TextColumn, ASpillWithNowhereToWriteKeepsTheStringsInMemory) {
  const auto v = sample_strings(3000, 7);
  koe::text_column c = column_of(v);
  {
    const scoped_tmpdir nowhere("/nonexistent/koe-no-such-dir");
    EXPECT_FALSE(c.spill(true));
  }
  EXPECT_EQ(c.spilled_bytes(), 0u);
  for (std::size_t i = 0; i < v.size(); ++i)
    ASSERT_EQ(c[i], v[i]) << "string " << i;
}

TEST(DocumentTable, LineNumbersReadBackWhetherTheyCountUpOrNot) {
  // Lines that count up with the records are kept as a start; a record over several lines (or a
  // skipped line) breaks the count, in a part or where parts meet.
  auto lines_of = [](std::size_t first, std::size_t n, std::size_t jump_at) {
    std::vector<std::size_t> v;
    std::size_t line = first;
    for (std::size_t i = 0; i < n; ++i, ++line) {
      if (i == jump_at) line += 3;
      v.push_back(line);
    }
    return v;
  };
  auto table_of = [](std::size_t first_record, const std::vector<std::size_t>& lines) {
    koe::document_table t;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      koe::document d;
      d.record = first_record + i;
      d.line = lines[i];
      d.text = "声" + std::to_string(i);
      t.push_back(d);
    }
    return t;
  };
  for (const std::size_t jump :
       {std::size_t{0}, std::size_t{1}, std::size_t{57}, std::size_t{999}}) {
    const std::vector<std::size_t> a = lines_of(2, 100, jump);
    std::vector<std::size_t> b = lines_of(a.back() + 1, 50, jump == 999 ? 999 : 10);
    koe::document_table whole = table_of(1, a);
    koe::document_table parts = table_of(1, a);
    parts.append(table_of(101, b));
    for (std::size_t i = 0; i < b.size(); ++i) {
      koe::document d;
      d.record = 101 + i;
      d.line = b[i];
      d.text = "声" + std::to_string(i);
      whole.push_back(d);
    }
    ASSERT_EQ(parts.size(), 150u);
    ASSERT_EQ(whole.size(), 150u);
    for (std::size_t i = 0; i < 150; ++i) {
      const std::size_t want = i < 100 ? a[i] : b[i - 100];
      ASSERT_EQ(whole[i].line, want) << "pushed, record " << i << ", jump at " << jump;
      ASSERT_EQ(parts[i].line, want) << "appended, record " << i << ", jump at " << jump;
      ASSERT_EQ(parts[i].record, i + 1);
    }
  }
  // Parts that each count but do not meet: the second starts past the first's last line.
  koe::document_table t = table_of(1, lines_of(2, 10, 99));
  t.append(table_of(11, lines_of(40, 10, 99)));
  EXPECT_EQ(t[9].line, 11u);
  EXPECT_EQ(t[10].line, 40u);
  EXPECT_EQ(t[19].line, 49u);
}

TEST(DocumentTable, SpilledTextsReadBackWithEveryOtherFieldAsBefore) {
  koe::document_table t;
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < 5000; ++i) {
    koe::document d;
    d.record = i + 1;
    d.line = i + 2;
    d.id = "v" + std::to_string(i);
    d.text = i % 13 == 0 ? "" : "配達が遅い" + std::to_string(i);
    d.status = d.text.empty() ? koe::record_status::empty : koe::record_status::kept;
    texts.push_back(d.text);
    t.push_back(d);
  }
  ASSERT_TRUE(t.spill_texts(true));
  EXPECT_EQ(t.spilled_text_bytes(), bytes_of(texts, texts.size()));
  for (std::size_t i = 0; i < texts.size(); ++i) {
    ASSERT_EQ(t[i].text, texts[i]);
    ASSERT_EQ(t[i].id, "v" + std::to_string(i));
    ASSERT_EQ(t[i].line, i + 2);
  }
}

koe::document make(std::size_t record, const std::string& text, std::vector<std::string> meta,
                   std::string reason = {}) {
  koe::document d;
  d.record = record;
  d.line = record + 1;
  d.id = "v" + std::to_string(record);
  d.text = text;
  d.timestamp = record % 2 == 0 ? "2026-11-" + std::to_string(record % 28 + 1) : "";
  d.meta = std::move(meta);
  d.reason = std::move(reason);
  d.status = text.empty() ? koe::record_status::empty : koe::record_status::kept;
  return d;
}

void expect_same(const koe::document_view& v, const koe::document& d, std::size_t columns) {
  EXPECT_EQ(v.record, d.record);
  EXPECT_EQ(v.line, d.line);
  EXPECT_EQ(v.id, d.id);
  EXPECT_EQ(v.text, d.text);
  EXPECT_EQ(v.timestamp, d.timestamp);
  EXPECT_EQ(v.status, d.status);
  EXPECT_EQ(v.reason, d.reason);
  ASSERT_EQ(v.meta.size(), columns);
  for (std::size_t j = 0; j < columns; ++j)
    EXPECT_EQ(v.meta[j], j < d.meta.size() ? d.meta[j] : "") << "column " << j;
}

TEST(DocumentTable, RecordsComeBackAsPushed) {
  std::vector<koe::document> docs;
  for (std::size_t i = 1; i <= 50; ++i)
    docs.push_back(make(
        i, i % 9 == 0 ? "" : "声 " + std::to_string(i),
        i < 10 ? std::vector<std::string>{"a"} : std::vector<std::string>{"b", std::to_string(i)},
        i % 13 == 0 ? "truncated" : ""));
  koe::document_table t;
  for (const auto& d : docs)
    t.push_back(d);
  ASSERT_EQ(t.size(), docs.size());
  // The second meta column appeared at record 10: earlier records read it as empty.
  for (std::size_t i = 0; i < docs.size(); ++i)
    expect_same(t[i], docs[i], 2);
  EXPECT_EQ(t.at(3).to_document().meta, (std::vector<std::string>{"a", ""}));
  EXPECT_THROW((void)t.at(50), std::out_of_range);
  std::size_t n = 0;
  for (const auto& v : t)
    n += v.status == koe::record_status::kept ? 1 : 0;
  EXPECT_EQ(n, 45u);
}

TEST(DocumentTable, RecordNumbersNeedNotCountFromOne) {
  koe::document_table t;
  t.push_back(make(1, "a", {}));
  t.push_back(make(2, "b", {}));
  t.push_back(make(7, "c", {}));
  t.push_back(make(8, "d", {}));
  EXPECT_EQ(t[0].record, 1u);
  EXPECT_EQ(t[1].record, 2u);
  EXPECT_EQ(t[2].record, 7u);
  EXPECT_EQ(t[3].record, 8u);
}

TEST(DocumentTable, AppendKeepsRecordNumbersAcrossGapsAndOffsets) {
  koe::document_table low, high, empty;
  for (std::size_t r : {1u, 2u, 3u})
    low.push_back(make(r, "a", {}));
  for (std::size_t r : {10u, 11u, 12u})
    high.push_back(make(r, "b", {}));
  EXPECT_EQ(high[0].record, 10u);
  EXPECT_EQ(high[2].record, 12u);
  empty.append(std::move(high));  // an empty table takes the other's numbering as it is
  EXPECT_EQ(empty[1].record, 11u);
  low.append(std::move(empty));  // a gap: 3 then 10
  ASSERT_EQ(low.size(), 6u);
  const std::size_t expected[] = {1, 2, 3, 10, 11, 12};
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_EQ(low[i].record, expected[i]) << i;
  low.push_back(make(13, "c", {}));
  EXPECT_EQ(low[6].record, 13u);
}

TEST(DocumentTable, ReasonsCanBeSetInAnyOrderAndCleared) {
  koe::document_table t;
  for (std::size_t i = 1; i <= 6; ++i)
    t.push_back(make(i, "x", {}));
  t.set_reason(4, "four");
  t.set_reason(1, "one");
  t.set_reason(5, "five");
  t.set_reason(1, "one again");
  t.set_reason(4, "");
  t.set_status(2, koe::record_status::empty);
  EXPECT_EQ(t[1].reason, "one again");
  EXPECT_TRUE(t[4].reason.empty());
  EXPECT_EQ(t[5].reason, "five");
  EXPECT_TRUE(t[0].reason.empty());
  EXPECT_EQ(t.status(2), koe::record_status::empty);
}

TEST(DocumentTable, AppendMatchesPushingInOrder) {
  std::vector<koe::document> docs;
  for (std::size_t i = 1; i <= 30; ++i)
    docs.push_back(
        make(i, "声" + std::to_string(i),
             i > 20 ? std::vector<std::string>{"x", "y", "z"} : std::vector<std::string>{"x"},
             i % 7 == 0 ? "r" + std::to_string(i) : ""));
  koe::document_table whole, first, second, third;
  for (const auto& d : docs)
    whole.push_back(d);
  for (std::size_t i = 0; i < docs.size(); ++i)
    (i < 12 ? first : i < 25 ? second : third).push_back(docs[i]);
  second.append(std::move(third));
  first.append(std::move(second));
  ASSERT_EQ(first.size(), whole.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    expect_same(first[i], docs[i], 3);
    expect_same(whole[i], docs[i], 3);
  }
}

TEST(Types, RecordStatusNamesReadBackAndOthersAreAnError) {
  for (const auto s :
       {koe::record_status::kept, koe::record_status::empty, koe::record_status::rejected})
    EXPECT_EQ(koe::parse_record_status(koe::to_string(s)), s);
  EXPECT_STREQ(koe::to_string(koe::record_status::rejected), "rejected");
  EXPECT_EQ(koe::parse_record_status(""), koe::record_status::kept);
  try {
    (void)koe::parse_record_status("done");
    FAIL() << "an unknown status must throw";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("'done'"), std::string::npos) << e.what();
  }
}

}  // namespace
