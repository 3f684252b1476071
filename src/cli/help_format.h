#pragma once
// The --help layout: CLI11's, with usage lines that name the positional
// arguments (`Usage: tolteca_db query obs [OPTIONS] [SPEC...]`), including the
// ones a command takes as extra arguments (observation specs).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace tolteca::cli {

// Installs the formatter on the app; subcommands added afterwards inherit it.
void install_help_formatter(CLI::App& app);
// Words shown after the positionals in the usage line of cmd, e.g. "[SPEC...]".
void set_usage_extra(CLI::App* cmd, std::string words);

}  // namespace tolteca::cli
