// The manual page and the bash completion the build writes cover every option descriptor that
// has a command-line spelling, so neither can fall behind the options.
#include <koe/options.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "-k" or "--seed-sample" as roff writes it: every hyphen escaped.
std::string roff_name(std::string_view name) {
  std::string out;
  for (const char c : name)
    out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

std::vector<std::string> cli_names(std::string_view spelling) {
  std::vector<std::string> names;
  std::string name;
  for (const char c : spelling) {
    if (c == ',') {
      names.push_back(name);
      name.clear();
    } else {
      name += c;
    }
  }
  names.push_back(name);
  return names;
}

}  // namespace

TEST(Docs, ManPageNamesEveryCommandLineOption) {
  const std::string page = read_file(KOE_MAN_PAGE);
  ASSERT_FALSE(page.empty());
  EXPECT_NE(page.find(".SS \"koe cluster\""), std::string::npos);
  EXPECT_NE(page.find(".SS \"koe tokenize\""), std::string::npos);
  EXPECT_NE(page.find(".SS \"koe verify\""), std::string::npos);
  EXPECT_NE(page.find(".B koe verify\n[\\fIOPTIONS\\fR] \\fIOUTDIR\\fR"), std::string::npos);
  for (const auto& d : koe::option_descriptors()) {
    if (d.cli.empty()) continue;
    for (const auto& name : cli_names(d.cli)) {
      // In an option's heading: "\fB\-k, \-\-clusters\fR".
      const std::string shown = roff_name(name);
      EXPECT_TRUE(page.find(shown + "\\fR") != std::string::npos ||
                  page.find(shown + ", ") != std::string::npos)
          << name;
    }
  }
}

TEST(Docs, BashCompletionNamesEveryCommandLineOption) {
  const std::string script = read_file(KOE_BASH_COMPLETION);
  ASSERT_FALSE(script.empty());
  EXPECT_NE(script.find("complete -o filenames -F _koe koe"), std::string::npos);
  EXPECT_NE(script.find("    verify) opts="), std::string::npos);
  for (const auto& d : koe::option_descriptors()) {
    if (d.cli.empty()) continue;
    for (const auto& name : cli_names(d.cli)) {
      const bool listed = script.find(" " + name + " ") != std::string::npos ||
                          script.find("\"" + name + " ") != std::string::npos ||
                          script.find(" " + name + "\"") != std::string::npos;
      EXPECT_TRUE(listed) << name;
    }
    if (d.kind != koe::option_kind::choice) continue;
    for (const auto choice : d.choices) {
      EXPECT_NE(script.find(std::string(choice)), std::string::npos) << d.cli << ' ' << choice;
    }
  }
}
