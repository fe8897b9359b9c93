/// Japanese tokenization with MeCab: base forms, compound nouns, negation, stop words.
#pragma once

#include <koe/export.hpp>
#include <koe/terms.hpp>
#include <koe/text_column.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace koe {

/// How runs of consecutive nouns become terms.
enum class compound_mode {
  off,   ///< Each noun is its own term.
  join,  ///< A run of nouns becomes one term (ログイン + 画面 → ログイン画面).
  parts_and_join,  ///< The parts and the joined term (ログイン, 画面, ログイン画面).
};

/// Options for the tokenizer; the defaults suit short customer feedback.
struct KOE_EXPORT tokenize_options {
  /// MeCab dictionary directory; empty = the first of koe's own list that is installed
  /// (ipadic-utf8 first; docs/dictionaries.md). mecabrc and Debian's alternatives are not read.
  std::string dicdir;
  std::vector<std::string> user_dictionaries;  ///< Compiled user dictionaries (.dic) to add.
  /// Parts of speech kept (first field of MeCab's feature string).
  std::vector<std::string> pos = {"名詞", "動詞", "形容詞"};
  /// Noun subclasses dropped (second feature field): pronouns, dependent nouns and the like.
  std::vector<std::string> drop_subclasses = {"非自立", "代名詞", "接尾", "特殊"};
  compound_mode compounds = compound_mode::parts_and_join;
  /// A verb or adjective followed by a negating auxiliary (ない, ぬ, ん) becomes one term in its
  /// negative form (使え + ない → 使えない), so "usable" and "not usable" stay apart.
  bool join_negation = true;
  /// Numbers (名詞,数 and digit runs) become the single term `number_term`.
  bool fold_numbers = true;
  std::string number_term = "<数>";
  /// Stop-word files (one term per line, # comments); empty = the bundled list, if found.
  std::vector<std::string> stopword_files;
  bool use_default_stopwords = true;  ///< Load the bundled list in addition to `stopword_files`.
  std::vector<std::string> extra_stopwords;  ///< Further stop words given directly.

  friend bool operator==(const tokenize_options&, const tokenize_options&) = default;
};

/// What a MeCab dictionary is, so that a model fitted with one can tell another apart.
struct KOE_EXPORT dictionary_identity {
  std::string name;         ///< Its sys.dic's file name as MeCab reports it.
  std::string charset;      ///< Its character set as MeCab reports it.
  std::string layout;       ///< Its feature layout ("ipadic", "unidic", ...); empty when unknown.
  std::string fingerprint;  ///< Hex digest of its sys.dic; empty when unknown.
  /// Each user dictionary as "file name:hex digest", in the order given.
  std::vector<std::string> user_dictionaries;

  friend bool operator==(const dictionary_identity&, const dictionary_identity&) = default;
};

/// One MeCab morpheme, as offsets into the analyzed text (nothing dangles).
struct KOE_EXPORT token {
  std::size_t begin = 0;  ///< Byte offset of the surface in the analyzed text.
  std::size_t end = 0;    ///< One past the last byte.
  /// The term koe makes of it: ipadic's base form (原形), UniDic's lemma (語彙素) without its
  /// gloss, JUMAN's 原形; the surface when the dictionary has none.
  std::string lemma;
  /// Part of speech with subclasses as the dictionary writes them ("名詞,サ変接続,*,*").
  std::string pos;
};

/**
 * Owns a MeCab model and the term filters. Thread-safe: share one tokenizer, and give each thread
 * its own `worker`.
 *
 * **Example**
 * ```cpp
 * koe::tokenizer tok({});
 * auto w = tok.new_worker();
 * auto terms = w.terms("ログイン画面が使えない");  // {"ログイン", "画面", "ログイン画面",
 * "使えない"}
 * ```
 */
class KOE_EXPORT tokenizer {
 public:
  explicit tokenizer(const tokenize_options& options = {});
  ~tokenizer();
  tokenizer(tokenizer&&) noexcept;
  tokenizer& operator=(tokenizer&&) noexcept;
  tokenizer(const tokenizer&) = delete;
  tokenizer& operator=(const tokenizer&) = delete;

  /// Per-thread analyzer holding one MeCab lattice. Not thread-safe; reuse it.
  class KOE_EXPORT worker {
   public:
    ~worker();
    worker(worker&&) noexcept;
    worker& operator=(worker&&) noexcept;
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    /// All morphemes of `text`, unfiltered.
    [[nodiscard]] std::vector<token> analyze(std::string_view text);
    /// Terms of `text` after the POS filter, compounds, negation, numbers and stop words.
    [[nodiscard]] std::vector<std::string> terms(std::string_view text);
    /// The same terms, interned into `table` as one new row.
    void intern(std::string_view text, term_table& table);
    /// The terms of each of `texts`, interned into `table` as new rows, in order.
    void intern(const text_column& texts, term_table& table);

   private:
    friend class tokenizer;
    struct impl;
    explicit worker(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
  };

  [[nodiscard]] worker new_worker() const;
  [[nodiscard]] const tokenize_options& options() const noexcept;
  /// Directory of the dictionary in use (for messages and outputs).
  [[nodiscard]] const std::string& dictionary() const noexcept;
  /// True when `term` is a stop word.
  [[nodiscard]] bool is_stopword(std::string_view term) const;
  /// Gives back the memory of the dictionary's pages read so far (MeCab maps its files
  /// read-only): for a caller done tokenizing for a while. Tokenizing later reads them again from
  /// the files (or the page cache), with the same results. Only MeCab's shared read-only maps
  /// are touched, and never while a tokenizer is being destroyed. Linux only; elsewhere it does
  /// nothing.
  void drop_pages() const noexcept;
  /**
   * What the dictionary is: sys.dic's name and charset as MeCab reports them, the feature layout
   * koe detected, and XXH64 digests of sys.dic and each user dictionary. Computed on the first
   * call and kept; a file is read once per process, however many tokenizers use it. Throws
   * io_failure when a dictionary file cannot be read.
   */
  [[nodiscard]] const dictionary_identity& identity() const;
  /// The stop words in effect (bundled list, files and extra words), sorted.
  [[nodiscard]] std::vector<std::string> stopwords() const;

  /**
   * Terms of every text, in input order, computed in parallel in the calling thread's task arena.
   * The result is the same for any number of threads.
   */
  [[nodiscard]] std::vector<std::vector<std::string>> terms(
      const std::vector<std::string>& texts) const;
  /**
   * The same terms as `terms(texts)`, interned: no string per term occurrence, ids in order of
   * first appearance. Computed in parallel; the table is the same for any number of threads.
   */
  [[nodiscard]] term_table intern(const std::vector<std::string>& texts) const;
  /// `intern` over a column of texts.
  [[nodiscard]] term_table intern(const text_column& texts) const;
  /// The same, giving the texts' memory back as their rows are done (`texts` ends up empty).
  [[nodiscard]] term_table intern(text_column&& texts) const;

 private:
  template <class Text, class Done>
  term_table intern_rows(std::size_t rows, const Text& text, const Done& done) const;

  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Directory holding koe's bundled data (stop words, lexicons): $KOE_DATA_DIR, the source tree's
/// data/ or the installed share/koe, whichever exists first; empty when none does.
[[nodiscard]] KOE_EXPORT std::string data_directory();

}  // namespace koe
