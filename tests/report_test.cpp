#include <koe/assess.hpp>
#include <koe/error.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>

#include "detail/csv.hpp"
#include "detail/utf8.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string sample = KOE_DATA_DIR "/sample/voices.csv";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("koe_report_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Records of a CSV text (quoted fields may hold newlines), without the header.
std::size_t csv_records(const std::string& s) {
  std::size_t records = 0;
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (c == '\n' && !quoted) ++records;
  }
  return records - 1;
}

// The sample clustered once for the whole suite: MeCab and k-means take a moment.
struct sample_run {
  koe::analysis_result result;
  koe::adoption_result adoption;
};

const sample_run& run_sample() {
  static const sample_run s = [] {
    koe::pipeline_options po;
    po.cluster.k = 15;
    sample_run out{koe::pipeline(po).run(sample), {}};
    out.adoption = koe::assess(out.result, koe::default_score_options());
    return out;
  }();
  return s;
}

std::string render(koe::report_format f, const koe::analysis_result& r,
                   const koe::adoption_result& a) {
  koe::report_options ro;
  ro.adoption = &a;
  std::ostringstream out;
  koe::write_report(out, r, f, ro);
  return out.str();
}

// Checks that every non-void element is closed in order: enough to catch a broken writer.
testing::AssertionResult balanced_html(const std::string& html) {
  static const std::set<std::string> void_elements = {"meta", "br",   "hr",   "img",    "input",
                                                      "link", "rect", "line", "circle", "path"};
  std::vector<std::string> stack;
  for (std::size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    if (html.compare(i, 2, "<!") == 0) continue;
    const std::size_t end = html.find('>', i);
    if (end == std::string::npos) return testing::AssertionFailure() << "unclosed '<'";
    std::string tag = html.substr(i + 1, end - i - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (closing) tag.erase(0, 1);
    tag = tag.substr(0, tag.find_first_of(" /"));
    if (self_closing || void_elements.contains(tag)) continue;
    if (!closing) {
      stack.push_back(tag);
    } else {
      if (stack.empty() || stack.back() != tag)
        return testing::AssertionFailure()
               << "</" << tag << "> closes <" << (stack.empty() ? "" : stack.back()) << ">";
      stack.pop_back();
    }
  }
  if (!stack.empty()) return testing::AssertionFailure() << "<" << stack.back() << "> not closed";
  return testing::AssertionSuccess();
}

TEST(Report, CandidatesJsonIsARankedArrayWithEveryField) {
  const auto& s = run_sample();
  const auto j =
      nlohmann::json::parse(render(koe::report_format::candidates_json, s.result, s.adoption));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), s.adoption.candidates.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& c = j[i];
    for (const char* key : {"cluster", "key", "label", "rank", "scores", "quadrant", "reasons",
                            "representatives", "decision"})
      EXPECT_TRUE(c.contains(key)) << key;
    EXPECT_EQ(c["rank"], i + 1);
    for (const char* key : {"frequency", "impact", "difficulty", "adoption"}) {
      EXPECT_GE(c["scores"][key].get<double>(), 0.0);
      EXPECT_LE(c["scores"][key].get<double>(), 1.0);
    }
    if (i > 0) {
      EXPECT_LE(c["scores"]["adoption"], j[i - 1]["scores"]["adoption"]);
    }
    EXPECT_FALSE(c["reasons"].empty());
    EXPECT_TRUE(c["representatives"][0].contains("id"));
    EXPECT_TRUE(c["representatives"][0].contains("text"));
    EXPECT_EQ(c["decision"]["status"], "undecided");
    const std::set<std::string> quadrants = {"quick_win", "big_bet", "fill_in", "reconsider"};
    EXPECT_TRUE(quadrants.contains(c["quadrant"].get<std::string>()));
  }
}

TEST(Report, TraceCsvHasTheHeaderAndOneRowPerRecord) {
  const auto& s = run_sample();
  const std::string csv = render(koe::report_format::trace_csv, s.result, s.adoption);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "id,cluster,label,rank,decision,reply");
  EXPECT_EQ(csv_records(csv), s.result.input.read());
  // Blank voices are traced too, with empty fields.
  EXPECT_NE(csv.find("\nV0047,,,,,\n"), std::string::npos);
}

TEST(Report, HtmlEscapesEveryVoiceText) {
  const fs::path dir = fresh_dir("escape");
  const fs::path csv = dir / "voices.csv";
  {
    std::ofstream f(csv, std::ios::binary);
    f << "id,text,contributor\n";
    for (int i = 0; i < 6; ++i) {
      f << "A" << i << ",\"<script>alert('x')</script>アプリが落ちる & 動かない\",u" << i << "\n";
      f << "B" << i << ",配送が遅い \"<img src=x onerror=alert(1)>\",u" << i << "\n";
    }
  }
  koe::pipeline_options po;
  po.cluster.k = 2;
  const auto r = koe::pipeline(po).run(csv);
  const auto a = koe::assess(r, koe::default_score_options());
  const std::string html = render(koe::report_format::report_html, r, a);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&amp; 動かない"), std::string::npos);
  EXPECT_TRUE(balanced_html(html));
}

TEST(Report, HtmlEscapesMarkupInLabelsKeysDecisionsAndTheInputPath) {
  const auto& s = run_sample();
  const std::string markup = "<b>&\"", escaped = "&lt;b&gt;&amp;&quot;";
  auto r = s.result;
  r.input.source = markup + "voices.csv";
  auto a = s.adoption;
  ASSERT_GE(a.candidates.size(), 2u);
  koe::candidate& first = a.candidates[0];
  first.label = markup + "label";
  first.decision = {
      markup + "key", koe::decision_status::adopted, markup + "reason", markup + "date", 3, 0.5};
  a.candidates[1].key = markup + "key";  // undecided: the key to write down is shown
  a.unmatched_decisions.push_back(
      {markup + "lost", koe::decision_status::rejected, markup + "why", markup + "when", 9, 0});
  a.critical.push_back({markup + "term", 1, {{first.cluster, 1}}});
  a.notes.push_back(markup + "note");
  const std::string html = render(koe::report_format::report_html, r, a);
  EXPECT_EQ(html.find(markup), std::string::npos);
  const std::string label = escaped + "label";
  for (const std::string& part :
       {"<title>共創レポート — " + escaped + "voices.csv</title>",  // title
        "<p class=\"sub\">" + escaped + "voices.csv の声",          // header
        "<b>「" + label + "」</b>",                                 // summary
        "<td class=\"l\">" + label + "<span",                       // candidates table
        "1. " + label + "</text>",                                  // bar chart
        "<title>1. " + label + "</title>",                          // scatter tooltip
        "<h3>1. " + label + "</h3>",                                // card
        "<span class=\"meta-inline\">" + escaped + "date</span> " + escaped + "reason</p>",
        "<code>" + escaped + "key</code>",                                         // undecided card
        "<td>" + escaped + "lost</td><td>見送り</td><td>" + escaped + "why</td>",  // unmatched
        "<td class=\"t\">" + escaped + "term</td>",                                // critical terms
        "1. " + label + "（1）",          // where they went
        "<li>" + escaped + "note</li>"})  // notes
    EXPECT_NE(html.find(part), std::string::npos) << part;
  EXPECT_TRUE(balanced_html(html));
}

TEST(Report, DisplayWidthCountsWideCharactersTwiceAndMarksZero) {
  namespace utf8 = koe::detail::utf8;
  EXPECT_EQ(utf8::width("abc"), 3u);
  EXPECT_EQ(utf8::width("ｱｲｳ"), 3u);  // half-width katakana: 3 bytes each, 1 column
  EXPECT_EQ(utf8::width("ｶﾞ"), 2u);   // half-width voiced mark is a character of its own
  EXPECT_EQ(utf8::width("アイウ"), 6u);
  EXPECT_EQ(utf8::width("ＡＢ１"), 6u);  // full-width Latin and digits
  EXPECT_EQ(utf8::width("漢字"), 4u);
  EXPECT_EQ(utf8::width("e\u0301"), 1u);           // e + combining acute accent
  EXPECT_EQ(utf8::width("か\u3099"), 2u);          // か + combining voiced mark
  EXPECT_EQ(utf8::width("a\u200Bb"), 2u);          // zero-width space
  EXPECT_EQ(utf8::width("é…→"), 3u);               // narrow and ambiguous: one column each
  EXPECT_EQ(utf8::width("\xF0\x9F\x98\x80"), 2u);  // emoji U+1F600
  EXPECT_EQ(utf8::width(""), 0u);
}

TEST(Report, Utf8CountsCharactersAndReadsMalformedBytesAsOne) {
  namespace utf8 = koe::detail::utf8;
  EXPECT_EQ(utf8::count("aｱア😀"), 4u);
  EXPECT_EQ(static_cast<std::uint32_t>(utf8::decode("ア", 0).value), 0x30A2u);
  EXPECT_EQ(utf8::decode("ア", 0).bytes, 3u);
  // A stray continuation byte, a truncated sequence, an overlong form and a surrogate.
  for (const std::string_view bad : {"\x80", "\xE3\x82", "\xC0\xAF", "\xED\xA0\x80"}) {
    EXPECT_EQ(static_cast<std::uint32_t>(utf8::decode(bad, 0).value), 0xFFFDu) << bad.size();
    EXPECT_EQ(utf8::decode(bad, 0).bytes, 1u);
    EXPECT_EQ(utf8::count(bad), bad.size());
  }
  std::string seen;
  utf8::for_each("aア", [&](utf8::code_point cp, std::size_t at) {
    seen += std::to_string(at) + ":" + std::to_string(cp.bytes) + " ";
  });
  EXPECT_EQ(seen, "0:1 1:3 ");
}

TEST(Report, ClippingKeepsWholeCharactersAndMarksTheCut) {
  namespace utf8 = koe::detail::utf8;
  EXPECT_EQ(utf8::clip_width("あいうえお", 10), "あいうえお");  // fits exactly
  EXPECT_EQ(utf8::clip_width("あいうえお", 9), "あいうえ…");    // 8 + 1 columns
  EXPECT_EQ(utf8::clip_width("あいうえお", 8), "あいう…");      // never half a wide character
  EXPECT_EQ(utf8::clip_width("ｱｲｳｴｵ", 4), "ｱｲｳ…");
  EXPECT_EQ(utf8::clip_width("ｱｲｳｴｵ", 5), "ｱｲｳｴｵ");
  EXPECT_EQ(utf8::width(utf8::clip_width("aアｱ漢字かな", 7)), 7u);
  EXPECT_EQ(utf8::clip_chars("あいうえお", 2), "あい…");
  EXPECT_EQ(utf8::clip_chars("ｱｲｳ", 3), "ｱｲｳ");
  EXPECT_EQ(utf8::clip_chars("", 0), "");
  EXPECT_EQ(utf8::pad("ｱ", 4), "ｱ   ");
  EXPECT_EQ(utf8::pad("ア", 4), "ア  ");
  EXPECT_EQ(utf8::pad("アイウ", 4), "アイウ");
}

TEST(Report, CsvWriterQuotesOnlyWhatRfc4180Requires) {
  namespace csv = koe::detail::csv;
  EXPECT_EQ(csv::quote("plain テキスト"), "plain テキスト");
  EXPECT_EQ(csv::quote(""), "");
  EXPECT_EQ(csv::quote("a,b"), "\"a,b\"");
  EXPECT_EQ(csv::quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv::quote("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv::quote("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(csv::quote("\""), "\"\"\"\"");
  std::string s;
  csv::row(s).field("V1").field(-1).empty(2).field("x,\"y\"").field(std::size_t{7}).end();
  csv::append_row(s, {"a", "", "b\r\nc"});
  EXPECT_EQ(s, "V1,-1,,,\"x,\"\"y\"\"\",7\na,,\"b\r\nc\"\n");
}

TEST(Report, RejectsCsvListsOnlyRejectedRecordsWithFieldsQuoted) {
  koe::corpus c;
  for (int i = 0; i < 3; ++i) {
    koe::document d;
    d.record = static_cast<std::size_t>(i + 1);
    d.line = static_cast<std::size_t>(i + 2);
    d.id = i == 1 ? "id,\"2\"" : "id" + std::to_string(i);
    d.text = "text";
    c.documents.push_back(d);
  }
  c.documents.set_status(1, koe::record_status::rejected);
  c.documents.set_reason(1, "line 3: bad\r\nbytes");
  std::ostringstream out;
  koe::write_rejects_csv(out, c);
  EXPECT_EQ(out.str(), "record,line,id,reason\n2,3,\"id,\"\"2\"\"\",\"line 3: bad\r\nbytes\"\n");
}

TEST(Report, HtmlIsOneSelfContainedHtml5Page) {
  const auto& s = run_sample();
  const std::string html = render(koe::report_format::report_html, s.result, s.adoption);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"ja\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("name=\"viewport\""), std::string::npos);
  EXPECT_NE(html.find("<title>"), std::string::npos);
  EXPECT_TRUE(balanced_html(html));
  // Nothing is fetched: no scripts, stylesheets, images or fonts from anywhere.
  for (const char* ref : {"http://", "https://", "<script", "<link", "src=", "@import", "url("})
    EXPECT_EQ(html.find(ref), std::string::npos) << ref;
  // The parts a manager reads: totals, table, both charts, top candidates.
  for (const char* part :
       {"共創レポート", "読み込み", "分析対象", "ノイズ", "採用候補", "まとまりの大きさ",
        "影響度 × 実装難易度", "代表的な声", "判断", "理由", "クイックウィン"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
  std::size_t charts = 0;
  for (auto i = html.find("<svg "); i != std::string::npos; i = html.find("<svg ", i + 1))
    ++charts;
  EXPECT_EQ(charts, 2u);
}

TEST(Report, ReportShowsUnmatchedDecisionsAndSmallSevereClusters) {
  const auto& s = run_sample();
  auto a = s.adoption;
  koe::decision lost{"存在しない+キー+です", koe::decision_status::adopted, "理由", "", 7, 0};
  a.unmatched_decisions.push_back(lost);
  a.candidates.back().small_high_impact = true;
  const std::string html = render(koe::report_format::report_html, s.result, a);
  EXPECT_NE(html.find("一致しなかった判断"), std::string::npos);
  EXPECT_NE(html.find("存在しない+キー+です"), std::string::npos);
  // A flagged cluster is shown in detail even when it ranks last.
  const std::string last = std::to_string(a.candidates.back().rank) + ". ";
  EXPECT_NE(html.find("<h3>" + last), std::string::npos);
}

TEST(Report, CandidateFormatsNeedAnAdoptionResult) {
  const auto& s = run_sample();
  std::ostringstream out;
  try {
    koe::write_report(out, s.result, koe::report_format::report_html);
    FAIL() << "no exception";
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
  }
}

TEST(Report, WriteOutputsAddsTheNewFilesAndLeavesTheContractFilesUnchanged) {
  const auto& s = run_sample();
  const fs::path plain = fresh_dir("plain"), full = fresh_dir("full");
  koe::write_outputs(plain, s.result);
  koe::report_options ro;
  ro.adoption = &s.adoption;
  koe::write_outputs(full, s.result, ro);
  EXPECT_FALSE(fs::exists(plain / "candidates.json"));
  for (const char* f : {"clusters.json", "assignments.csv"})
    EXPECT_EQ(slurp(plain / f), slurp(full / f)) << f;
  for (const char* f : {"candidates.json", "trace.csv", "report.html", "model.koe"})
    EXPECT_GT(fs::file_size(full / f), 100u) << f;
  // No temporary file is left behind; manifest.json lists the six.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(full))
    ++files;
  EXPECT_EQ(files, 7u);
  EXPECT_TRUE(fs::exists(full / "manifest.json"));
}

TEST(Report, OutputsAreTheSameBytesOnEveryRun) {
  koe::pipeline_options po;
  po.cluster.k = 10;
  po.threads = 1;
  const auto r1 = koe::pipeline(po).run(sample);
  po.threads = 4;
  const auto r2 = koe::pipeline(po).run(sample);
  const auto opt = koe::default_score_options();
  const auto a1 = koe::assess(r1, opt), a2 = koe::assess(r2, opt);
  for (auto f : {koe::report_format::candidates_json, koe::report_format::trace_csv,
                 koe::report_format::report_html})
    EXPECT_EQ(render(f, r1, a1), render(f, r2, a2));
}

#ifdef KOE_CLI
int run(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Report, CliRunOnTheSampleWritesEveryFile) {
  const fs::path dir = fresh_dir("cli");
  const fs::path decisions = dir / "decisions.csv";
  std::ofstream(decisions, std::ios::binary)
      << "key,decision,reason,date\n手続き+解約+電話,adopted,解約導線をアプリ内に追加,2026-11-05\n";
  const std::string cmd = std::string("\"") + KOE_CLI + "\" cluster \"" + sample +
                          "\" -k 15 -q -o \"" + (dir / "out").string() + "\" --config \"" +
                          KOE_DATA_DIR "/koe.toml\" --decisions \"" + decisions.string() + "\"";
  ASSERT_EQ(run(cmd), 0) << cmd;
  for (const char* f :
       {"clusters.json", "assignments.csv", "candidates.json", "trace.csv", "report.html"})
    EXPECT_TRUE(fs::exists(dir / "out" / f)) << f;
  EXPECT_EQ(csv_records(slurp(dir / "out" / "trace.csv")), 400u);
  EXPECT_EQ(count_lines(slurp(dir / "out" / "assignments.csv")), 401u);
  const auto j = nlohmann::json::parse(slurp(dir / "out" / "candidates.json"));
  std::size_t adopted = 0;
  for (const auto& c : j)
    adopted += c["decision"]["status"] == "adopted" ? 1 : 0;
  EXPECT_EQ(adopted, 1u);

  // Without --config the defaults and the bundled data are used.
  ASSERT_EQ(run(std::string("\"") + KOE_CLI + "\" cluster \"" + sample + "\" -k 8 -q -o \"" +
                (dir / "defaults").string() + "\""),
            0);
  EXPECT_TRUE(fs::exists(dir / "defaults" / "report.html"));
}

TEST(Report, CliStopsOnABadConfigBeforeClustering) {
  const fs::path dir = fresh_dir("cli_bad");
  std::ofstream(dir / "koe.toml") << "[adoption]\nimpact_wieght = 2\n";
  const std::string cmd = std::string("\"") + KOE_CLI + "\" cluster \"" + sample + "\" -q -o \"" +
                          (dir / "out").string() + "\" --config \"" + (dir / "koe.toml").string() +
                          "\" 2>\"" + (dir / "err.txt").string() + "\"";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);  // bad options, not a usage error
  const std::string err = slurp(dir / "err.txt");
  EXPECT_NE(err.find("koe.toml:2: adoption.impact_wieght: unknown key"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir / "out" / "clusters.json"));
}
#endif

}  // namespace
