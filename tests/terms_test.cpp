#include <koe/terms.hpp>
#include <koe/vectorize.hpp>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using rows_t = std::vector<std::vector<std::string>>;

TEST(Terms, IdsFollowFirstAppearanceRowByRow) {
  const koe::term_table t({{"配送", "遅い", "配送"}, {}, {"早い", "遅い"}});
  ASSERT_EQ(t.rows(), 3u);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.occurrences(), 5u);
  EXPECT_EQ(t.term(0), "配送");
  EXPECT_EQ(t.term(1), "遅い");
  EXPECT_EQ(t.term(2), "早い");
  EXPECT_EQ(std::vector<koe::term_table::id_type>(t.row(0).begin(), t.row(0).end()),
            (std::vector<koe::term_table::id_type>{0, 1, 0}));
  EXPECT_TRUE(t.row(1).empty());
  EXPECT_EQ(t.find("早い"), 2u);
  EXPECT_FALSE(t.find("高い").has_value());
}

TEST(Terms, RoundTripsToStrings) {
  const rows_t rows = {{"a", "b"}, {"b", "c", "c"}, {}, {"d", "a"}};
  EXPECT_EQ(koe::term_table(rows).to_rows(), rows);
  EXPECT_EQ(koe::term_table(rows).row_terms(1), rows[1]);
}

TEST(Terms, AppendIsAssociativeAndEqualsBuildingTheWhole) {
  const rows_t a = {{"x", "y"}, {"y"}};
  const rows_t b = {{"z", "x"}};
  const rows_t c = {{"w"}, {"z", "w", "v"}};
  rows_t all = a;
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());
  const koe::term_table whole(all);

  koe::term_table left(a);  // (a + b) + c
  left.append(koe::term_table(b));
  left.append(koe::term_table(c));
  koe::term_table bc(b);  // a + (b + c)
  bc.append(koe::term_table(c));
  koe::term_table right(a);
  right.append(bc);

  for (const koe::term_table* t : {&left, &right}) {
    EXPECT_EQ(t->terms(), whole.terms());
    EXPECT_EQ(t->to_rows(), all);
    for (std::size_t r = 0; r < all.size(); ++r) {
      EXPECT_EQ(std::vector<koe::term_table::id_type>(t->row(r).begin(), t->row(r).end()),
                std::vector<koe::term_table::id_type>(whole.row(r).begin(), whole.row(r).end()));
    }
  }
}

rows_t synthetic_rows(std::size_t n) {
  rows_t rows(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i % 9; ++j)
      rows[i].push_back("t" + std::to_string((i * 37 + j * 11) % 1499));
  return rows;
}

rows_t many_rows(std::size_t n) {
  rows_t rows(n);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < r % 7; ++j)
      rows[r].push_back("語" + std::to_string((r * 13 + j * 5) % 211));
  return rows;
}

TEST(Terms, SpilledRowsReadBackAsBuiltWhileRowsAreStillAdded) {
  const rows_t rows = many_rows(5000);
  koe::term_table t;
  std::size_t added = 0;
  for (const std::size_t upto : {1u, 2u, 900u, 3000u, 5000u}) {
    for (; added < upto; ++added) {
      for (const auto& term : rows[added])
        t.push(term);
      t.end_row();
    }
    ASSERT_TRUE(t.spill());
    EXPECT_EQ(t.spilled(), t.occurrences());
    ASSERT_EQ(t.rows(), added);
    for (std::size_t r = 0; r < added; ++r)
      ASSERT_EQ(t.row_terms(r), rows[r]) << "row " << r << " after spilling " << added;
  }
  // A row being built is not spilled; the ones before it are, and all read back.
  t.push("途中");
  ASSERT_TRUE(t.spill());
  EXPECT_EQ(t.spilled() + 1, t.occurrences());
  t.end_row();
  t.drop_pages();
  EXPECT_EQ(t.row_terms(rows.size()), std::vector<std::string>{"途中"});
  const koe::term_table whole(rows);
  for (std::size_t r = 0; r < rows.size(); ++r)
    ASSERT_TRUE(
        std::equal(t.row(r).begin(), t.row(r).end(), whole.row(r).begin(), whole.row(r).end()))
        << "ids of row " << r;
}

TEST(Terms, SpilledTablesAppendCopyAndMoveLikeOthers) {
  const rows_t rows = many_rows(3000);
  const rows_t head(rows.begin(), rows.begin() + 1200);
  const rows_t tail(rows.begin() + 1200, rows.end());
  koe::term_table a(head);
  ASSERT_TRUE(a.spill());
  koe::term_table b(tail);
  ASSERT_TRUE(b.spill());
  a.append(b);                     // spilled onto spilled
  const koe::term_table copy = a;  // in memory
  EXPECT_EQ(copy.spilled(), 0u);
  koe::term_table moved = std::move(a);
  EXPECT_EQ(a.rows(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from table is empty
  a.push("また");           // and can be filled again, row by row or by appending
  a.end_row();
  a.append(koe::term_table({{"次"}}));
  ASSERT_EQ(a.rows(), 2u);
  EXPECT_EQ(a.to_rows(), (rows_t{{"また"}, {"次"}}));
  EXPECT_EQ(moved.to_rows(), rows);
  EXPECT_EQ(copy.to_rows(), rows);
  EXPECT_EQ(moved.occurrences(), koe::term_table(rows).occurrences());
}

TEST(Terms, CountsAndMatrixEqualTheStringPathForAnyThreadCount) {
  const rows_t rows = synthetic_rows(30000);
  const koe::term_table table(rows);
  // The references go through strings only: counts one document at a time, and rows looked up
  // term by term in the model's index.
  koe::term_statistics by_string;
  for (const auto& r : rows)
    by_string.add(r);
  koe::tfidf_matrix reference;
  reference.model = koe::fit_tfidf(by_string, {});
  reference.rows = koe::transform(rows, reference.model);
  for (int threads : {1, 2, 8}) {
    koe::term_statistics by_id;
    koe::tfidf_matrix m;
    tbb::task_arena(threads).execute([&] {
      by_id = koe::count_terms(table);
      m = koe::vectorize(table);
    });
    EXPECT_EQ(by_id.documents, by_string.documents);
    ASSERT_EQ(by_id.terms.size(), by_string.terms.size()) << threads << " threads";
    for (const auto& [term, c] : by_string.terms) {
      EXPECT_EQ(by_id.terms.at(term).df, c.df) << term;
      EXPECT_EQ(by_id.terms.at(term).total, c.total) << term;
    }
    EXPECT_EQ(m.model.vocabulary, reference.model.vocabulary);
    EXPECT_EQ(m.model.df, reference.model.df);
    EXPECT_EQ(m.model.idf, reference.model.idf);
    ASSERT_EQ(m.rows.nonZeros(), reference.rows.nonZeros());
    EXPECT_TRUE(m.rows.isApprox(reference.rows, 0.0f)) << threads << " threads";
  }
}

}  // namespace

namespace {

TEST(PhraseSet, FindsEachPhraseOnceInIndexOrder) {
  const koe::phrase_set p({"ありえない", "二重請求", "請求", "ない", "abc"});
  std::vector<std::uint32_t> hits;
  p.find("二重請求はありえない。請求がない", hits);
  EXPECT_EQ(hits, (std::vector<std::uint32_t>{0, 1, 2, 3}));
  p.find("abcabc", hits);
  EXPECT_EQ(hits, (std::vector<std::uint32_t>{4}));
  p.find("ab", hits);  // a phrase cut off at the end of the text is not found
  EXPECT_TRUE(hits.empty());
  p.find("", hits);
  EXPECT_TRUE(hits.empty());
}

TEST(PhraseSet, CopiesKeepWorkingAfterTheOriginalIsGone) {
  // Short phrases live inside their strings; a copy must not look them up in the original.
  std::vector<std::uint32_t> hits;
  koe::phrase_set copy;
  {
    const koe::phrase_set p({"遅い", "高い"});
    copy = p;
  }
  copy.find("配送が遅いし高い", hits);
  EXPECT_EQ(hits, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_TRUE(koe::phrase_set().empty());
}

}  // namespace
