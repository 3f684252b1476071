#include "cli/suggest.h"

#include <fmt/format.h>

#include <algorithm>

namespace tolteca::cli {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment distance.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  auto stem = [](const std::string& s) { return s.substr(s.find_first_not_of('-') == std::string::npos ? 0 : s.find_first_not_of('-')); };
  const std::string w = stem(word);
  const std::size_t budget = w.size() >= 10 ? 3 : w.size() >= 5 ? 2 : 1;
  std::string best;
  std::size_t best_d = budget + 1;
  for (const auto& c : candidates) {
    std::size_t dist = edit_distance(w, stem(c));
    if (dist < best_d && dist < std::max(w.size(), stem(c).size())) {
      best_d = dist;
      best = c;
    }
  }
  return best;
}

std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& sn : o->get_snames()) out.push_back("-" + sn);
    for (const auto& f : o->get_fnames()) {
      std::string name = f.rfind("--", 0) == 0 || f.rfind('-', 0) == 0 ? f : "--" + f;
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
  }
  return out;
}

std::vector<std::string> subcommand_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::App* sub : cmd.get_subcommands([](const CLI::App*) { return true; })) {
    out.push_back(sub->get_name());
    for (const auto& a : sub->get_aliases()) out.push_back(a);
  }
  return out;
}

namespace {

std::string option_word(const std::string& arg) { return arg.substr(0, arg.find('=')); }

}  // namespace

std::string unknown_option_message(const CLI::App& cmd, const std::string& path, const std::string& arg) {
  const std::string word = option_word(arg);
  std::string msg = fmt::format("unknown option '{}' for '{}'", word, path);
  if (auto c = closest(word, option_names(cmd)); !c.empty()) return msg + fmt::format("; did you mean {}?", c);
  return msg + "; see --help";
}

std::string did_you_mean_message(CLI::App& app, int argc, char** argv) {
  CLI::App* cur = &app;
  std::string path = "tolteca_db";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") break;
    if (a.size() > 1 && a[0] == '-') {
      const std::string word = option_word(a);
      const CLI::Option* opt = cur->get_option_no_throw(word);
      if (!opt) {
        auto names = option_names(*cur);
        std::string c = closest(word, names);
        if (!c.empty()) return unknown_option_message(*cur, path, a);
        return {};
      }
      if (a.find('=') == std::string::npos && opt->get_items_expected_max() > 0) ++i;
      continue;
    }
    CLI::App* sub = nullptr;
    try {
      sub = cur->get_subcommand(a);
    } catch (const CLI::OptionNotFound&) {
    }
    if (!sub) {
      auto subs = subcommand_names(*cur);
      if (subs.empty()) continue;  // a positional argument
      if (auto c = closest(a, subs); !c.empty())
        return fmt::format("unknown command '{}' for '{}'; did you mean '{}'?", a, path, c);
      return {};
    }
    cur = sub;
    path += " " + a;
  }
  return {};
}

}  // namespace tolteca::cli
