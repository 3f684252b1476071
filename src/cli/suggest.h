#pragma once
// "did you mean …" for mistyped options and subcommands (edit distance).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tolteca::cli {

// Levenshtein distance (insertions, deletions, substitutions; an adjacent swap counts 1).
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to word, when close enough to be a likely typo (distance <= 1 for short
// words, <= 2 from 5 characters, <= 3 from 10); "" otherwise. Ties: the first candidate.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

// Every long and short option name of cmd ("--db", "-n", …), and its subcommands' names and aliases.
std::vector<std::string> option_names(const CLI::App& cmd);
std::vector<std::string> subcommand_names(const CLI::App& cmd);

// For a command line CLI11 rejected: the one-line message with a suggestion for the first unknown
// option or subcommand word that has a close known one ("unknown option '--obsnm' for 'query obs';
// did you mean --obsnum?"); "" when there is none.
std::string did_you_mean_message(CLI::App& app, int argc, char** argv);

// For a word a command received as an extra argument (query commands take specs as extras).
std::string unknown_option_message(const CLI::App& cmd, const std::string& path, const std::string& arg);

}  // namespace tolteca::cli
