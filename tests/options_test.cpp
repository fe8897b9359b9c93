#include <koe/error.hpp>
#include <koe/options.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

koe::option_value python_default(const koe::option_descriptor& d) {
  return koe::get_option(koe::job_options{}, d, koe::option_surface::python);
}

std::string message_of_setting(const std::string& name, const koe::option_value& v,
                               koe::option_surface surface) {
  koe::job_options o;
  try {
    koe::set_option(o, *koe::find_option(name), v, surface);
  } catch (const koe::error& e) {
    EXPECT_EQ(e.code(), koe::errc::invalid_argument);
    return e.what();
  }
  return "";
}

TEST(Options, EverySettableOptionHasBothNamesOnceEach) {
  std::set<std::string_view> python, cli;
  for (const auto& d : koe::option_descriptors()) {
    if (d.scope == koe::option_scope::recorded) {
      EXPECT_TRUE(d.python.empty() && d.cli.empty()) << d.json_key;
      EXPECT_FALSE(d.json_key.empty());
      continue;
    }
    EXPECT_FALSE(d.python.empty());
    EXPECT_FALSE(d.cli.empty()) << d.python << " has no command-line spelling";
    EXPECT_FALSE(d.help.empty()) << d.python;
    EXPECT_TRUE(python.insert(d.python).second) << d.python;
    EXPECT_TRUE(cli.insert(d.cli).second) << d.cli;
    EXPECT_EQ(koe::find_option(d.python), &d);
    EXPECT_EQ(koe::find_option(d.cli), &d);
  }
}

TEST(Options, DefaultsAreTheStructsAndSurviveARoundTrip) {
  EXPECT_EQ(python_default(*koe::find_option("k")), koe::option_value(std::string("auto")));
  EXPECT_EQ(python_default(*koe::find_option("seed_sample")),
            koe::option_value(std::uint64_t{koe::cluster_options{}.seed_sample}));
  EXPECT_EQ(python_default(*koe::find_option("threads")), koe::option_value());
  EXPECT_EQ(python_default(*koe::find_option("min_df")), koe::option_value(std::int64_t{2}));
  EXPECT_EQ(python_default(*koe::find_option("max_df")), koe::option_value(1.0));
  koe::job_options o;
  for (const auto& d : koe::option_descriptors()) {
    if (d.python.empty()) continue;
    koe::set_option(o, d, python_default(d), koe::option_surface::python);
    EXPECT_EQ(d.get(o), d.get(koe::job_options{})) << d.python;
  }
}

TEST(Options, CommandLineTextsAreReadAsTheOptionsType) {
  koe::job_options o;
  const auto cli = koe::option_surface::cli;
  koe::set_option(o, *koe::find_option("-k"), std::string("8"), cli);
  koe::set_option(o, *koe::find_option("--min-df"), std::string("0.25"), cli);
  koe::set_option(o, *koe::find_option("--tol"), std::string("0.001"), cli);
  koe::set_option(o, *koe::find_option("--reduce"), std::string("lsa:20"), cli);
  koe::set_option(o, *koe::find_option("--seed"), std::string("18446744073709551615"), cli);
  EXPECT_EQ(o.pipeline.cluster.k, 8);
  EXPECT_TRUE(o.pipeline.vectorize.min_df.fraction);
  EXPECT_DOUBLE_EQ(o.pipeline.vectorize.min_df.value, 0.25);
  EXPECT_DOUBLE_EQ(o.pipeline.cluster.tol, 0.001);
  EXPECT_EQ(o.pipeline.lsa_dimensions, 20);
  EXPECT_EQ(o.pipeline.cluster.seed, 18446744073709551615ULL);
}

TEST(Options, BadValuesAreRejectedWithTheOptionsName) {
  const auto py = koe::option_surface::python;
  const auto cli = koe::option_surface::cli;
  EXPECT_EQ(message_of_setting("k", std::int64_t{0}, py),
            "k must be 'auto' or a positive integer, not 0");
  EXPECT_EQ(message_of_setting("k", std::string("many"), cli),
            "-k must be 'auto' or a positive integer, not 'many'");
  EXPECT_EQ(message_of_setting("reduce", std::string("pca:3"), py),
            "reduce must be a positive int or 'lsa:N' (e.g. 'lsa:100'), not 'pca:3'");
  EXPECT_EQ(message_of_setting("seed", std::int64_t{-1}, py),
            "seed must be an integer in [0, 2**64), not -1");
  EXPECT_EQ(message_of_setting("compounds", std::string("all"), cli),
            "--compounds must be 'off', 'join' or 'parts_and_join', not 'all'");
  EXPECT_EQ(message_of_setting("min_df", std::string("2"), py),
            "min_df must be an int (documents) or a float in [0, 1] (a fraction), not '2'");
  EXPECT_NE(message_of_setting("min_df", 1.5, py).find("above 1.0"), std::string::npos);
  EXPECT_EQ(message_of_setting("join_negation", std::int64_t{1}, py),
            "join_negation must be True or False, not 1");
}

TEST(Options, TheTimeColumnIsCreatedAtBeforeTimestamp) {
  EXPECT_EQ(koe::default_time_column({"text", "timestamp", "created_at"}), "created_at");
  EXPECT_EQ(koe::default_time_column({"text", "timestamp"}), "timestamp");
  EXPECT_EQ(koe::default_time_column({"text"}), "");
}

}  // namespace
