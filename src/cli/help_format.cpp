#include "cli/help_format.h"

#include <map>
#include <sstream>

namespace tolteca::cli {

namespace {

std::map<const CLI::App*, std::string>& extras() {
  static std::map<const CLI::App*, std::string> m;
  return m;
}

class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::ostringstream out;
    out << get_label("Usage") << ":" << (name.empty() ? "" : " ") << name;
    if (!app->get_options([](const CLI::Option* o) { return o->nonpositional(); }).empty())
      out << " [" << get_label("OPTIONS") << "]";
    for (const CLI::Option* o : app->get_options([](const CLI::Option* o) { return o->get_positional(); })) {
      std::string word = o->get_name(true, false);
      if (o->get_items_expected_max() > 1) word += "...";
      out << ' ' << (o->get_required() ? word : "[" + word + "]");
    }
    if (auto it = extras().find(app); it != extras().end()) out << ' ' << it->second;
    if (!app->get_subcommands([](const CLI::App* s) { return !s->get_disabled() && !s->get_name().empty(); })
             .empty())
      out << ' ' << (app->get_require_subcommand_min() == 0 ? "[COMMAND]" : "COMMAND");
    out << '\n';
    return out.str();
  }
};

}  // namespace

void install_help_formatter(CLI::App& app) { app.formatter(std::make_shared<UsageFormatter>()); }

void set_usage_extra(CLI::App* cmd, std::string words) { extras()[cmd] = std::move(words); }

}  // namespace tolteca::cli
