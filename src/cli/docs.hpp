// The koe manual page and bash completion, written from the command line itself: every command
// and option as --help shows it (the job's options come from koe::option_descriptors()).
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

namespace koe_cli {

// koe.1 in roff (man(7)): each visible command, each option with its help and default.
void write_man_page(std::ostream& out, const CLI::App& app, const std::string& version);

// A bash completion script: commands, their options, and the values of options with choices.
void write_bash_completion(std::ostream& out, const CLI::App& app);

}  // namespace koe_cli
