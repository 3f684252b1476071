// `tolteca_db db location …`: list, add, move, remove, prune-missing.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/common.h"
#include "storage/registry.h"
#include "ingest/data_root.h"
#include "ingest/ingest.h"
#include "model/error.h"

namespace tolteca::cli {

namespace {

struct Opts {
  DbOptions db;
  std::string label, root;
  std::int64_t priority = 0;
  bool force = false, keep_paths = false, json = false;
};

storage::Location need_location(storage::Registry& s, const std::string& label) {
  auto loc = s.locations().find(label);
  if (!loc) throw UserError(fmt::format("location {} does not exist (see 'tolteca_db db location list')", label));
  return *loc;
}

void footer_append(CLI::App* cmd, const std::string& text) { cmd->footer(cmd->get_footer() + text); }

bool dir_exists(const std::string& p) {
  std::error_code ec;
  return std::filesystem::is_directory(p, ec);
}

void warn_missing_root(const std::string& root) {
  if (!dir_exists(root)) cli::err() << fmt::format("tolteca_db: warning: data root {} does not exist (yet)\n", root);
}

void register_list(CLI::App* loc) {
  auto o = std::make_shared<Opts>();
  auto* cmd = loc->add_subcommand("list", "Locations with their root, priority, file rows and missing files");
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db db location list\n  tolteca_db db location list --json\n");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    nlohmann::json arr = nlohmann::json::array();
    Table t{{"location", "root", "priority", "files", "missing", "root exists"}, {}, {false, false, true, true, true, false}};
    for (const auto& l : s->locations().list()) {
      auto u = s->locations().usage(l.id);
      const bool exists = dir_exists(l.root_path);
      arr.push_back({{"label", l.label}, {"root_path", l.root_path}, {"priority", l.priority}, {"files", u.files},
                     {"missing", u.missing}, {"root_exists", exists}});
      t.rows.push_back({l.label, l.root_path, std::to_string(l.priority), std::to_string(u.files),
                        std::to_string(u.missing), exists ? "yes" : "no"});
    }
    if (o->json) return print_json(cli::out(), arr);
    if (t.rows.empty()) {
      cli::out() << "no locations (add one: tolteca_db db location add LABEL ROOT)\n";
      return;
    }
    print_table(cli::out(), t, OutputFormat::table);
  });
}

void register_add(CLI::App* loc) {
  auto o = std::make_shared<Opts>();
  auto* cmd = loc->add_subcommand("add", "Add a location: a label for a data root (stored absolute)");
  cmd->add_option("LABEL", o->label, "Location label, e.g. LMT")->required();
  cmd->add_option("ROOT", o->root, "Its data root (the directory holding tel/ and toltec/)")->required();
  cmd->add_option("--priority", o->priority, "Higher is preferred when a file is at several locations");
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db db location add UMass /archive/data_lmt --priority 1\n"
                    "  tolteca_db db location add old_copy /archive/old_copy\n");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    auto l = s->locations().add(o->label, ingest::absolute_root(o->root), o->priority);
    warn_missing_root(l.root_path);
    if (o->json) return print_json(cli::out(), {{"label", l.label}, {"root_path", l.root_path}, {"priority", l.priority}});
    cli::out() << fmt::format("added location {} -> {}\n", l.label, l.root_path);
  });
}

void register_move(CLI::App* loc) {
  auto o = std::make_shared<Opts>();
  auto* cmd = loc->add_subcommand(
      "move", "Change a location's root, rewriting every stored path in the same transaction");
  cmd->add_option("LABEL", o->label, "Location label")->required();
  cmd->add_option("NEWROOT", o->root, "The new data root")->required();
  cmd->add_flag("--keep-paths", o->keep_paths,
                "The files moved with the root (paths relative to it stay), even when NEWROOT is an ancestor or a "
                "subdirectory of the old root");
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db db location move UMass /archive           # holds the old root: paths gain its prefix\n"
               "  tolteca_db db location move UMass /mnt/new/data_lmt # the archive moved there: paths stay\n");
  footer_append(cmd,
                "\nNEWROOT an ancestor of the root: every path gains the prefix (files stay where they are).\n"
                "NEWROOT inside the root: every path loses the prefix (refused if a file lies outside NEWROOT).\n"
                "Otherwise (or --keep-paths): the archive moved; paths stay relative to the new root.");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    auto m = ingest::move_location(*s, o->label, o->root, o->keep_paths);
    warn_missing_root(m.new_root);
    if (o->json)
      return print_json(cli::out(), {{"label", m.label}, {"old_root", m.old_root}, {"new_root", m.new_root},
                                    {"mode", m.mode}, {"files", m.files}, {"paths_rewritten", m.rewritten}});
    cli::out() << fmt::format("location {}: {} -> {} ({}; {} file(s), {} path(s) rewritten)\n", m.label, m.old_root,
                             m.new_root, m.mode == "moved" ? "archive moved, paths kept" : m.mode, m.files,
                             m.rewritten);
  });
}

void register_remove(CLI::App* loc) {
  auto o = std::make_shared<Opts>();
  auto* cmd = loc->add_subcommand("remove", "Remove a location (refused while files are recorded there, unless --force)");
  cmd->add_option("LABEL", o->label, "Location label")->required();
  cmd->add_flag("--force", o->force,
                "Also delete its file rows (observations stay; their files at other locations too)");
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db db location remove UMass\n  tolteca_db db location remove old_copy --force\n");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    auto l = need_location(*s, o->label);
    auto u = s->locations().usage(l.id);
    if (u.files > 0 && !o->force)
      throw UserError(fmt::format("location {} has {} file row(s); nothing removed (--force deletes them with the "
                                  "location; observations stay)",
                                  l.label, u.files));
    auto n = s->locations().remove(l.id);
    if (o->json) return print_json(cli::out(), {{"label", l.label}, {"removed", true}, {"files_deleted", n}});
    cli::out() << fmt::format("removed location {} ({} file row(s) deleted)\n", l.label, n);
  });
}

void register_prune(CLI::App* loc) {
  auto o = std::make_shared<Opts>();
  auto* cmd = loc->add_subcommand("prune-missing",
                                  "Delete the file rows of a location that are recorded as missing (stale rows)");
  cmd->add_option("LABEL", o->label, "Location label")->required();
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db db location prune-missing LMT\n");
  footer_append(cmd,
                "\nFiles become 'missing' by 'ingest directory --prune' (gone from disk) or 'ingest toltec-db' (not\n"
                "found locally). Their observations stay (with fewer files); 'query files --missing' lists them first.");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    auto l = need_location(*s, o->label);
    auto n = s->locations().prune_missing(l.id);
    if (o->json) return print_json(cli::out(), {{"label", l.label}, {"deleted", n}});
    cli::out() << fmt::format("location {}: {} missing file row(s) deleted\n", l.label, n);
  });
}

}  // namespace

void register_location_commands(CLI::App& db) {
  auto* loc = db.add_subcommand("location", "Locations (data roots): list, add, move, remove, prune-missing");
  loc->require_subcommand(1);
  register_list(loc);
  register_add(loc);
  register_move(loc);
  register_remove(loc);
  register_prune(loc);
}

}  // namespace tolteca::cli
