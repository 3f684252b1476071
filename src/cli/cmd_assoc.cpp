// `tolteca_db assoc …`: generate, stream, state, reset-state, group.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "assoc/engine.h"
#include "assoc/named.h"
#include "cli/assoc_open.h"
#include "cli/assoc_report.h"
#include "cli/common.h"
#include "model/error.h"
#include "model/time.h"

namespace tolteca::cli {

namespace {

constexpr const char* kDefaultStateDir = "./.tolteca_db_state";  // the seed's default

struct StateCli {
  std::string backend = "database";
  std::string dir;
  CLI::Option* backend_opt = nullptr;
  assoc::StateOptions resolve() const {
    assoc::StateOptions s;
    const bool explicit_backend = backend_opt && backend_opt->count() > 0;
    if (backend == "filesystem" || (!explicit_backend && !dir.empty())) {
      s.backend = assoc::StateBackend::filesystem;
      s.dir = dir.empty() ? std::string(kDefaultStateDir) : dir;
    } else if (!dir.empty()) {
      throw UserError("--state-dir is for --state filesystem");
    }
    return s;
  }
};

void add_state_options(CLI::App* cmd, StateCli& s) {
  s.backend_opt = cmd->add_option("--state,--backend", s.backend,
                                  "Where the engine keeps its state: database (default) or filesystem (--backend is "
                                  "the seed's name)")
                      ->check(CLI::IsMember({"database", "filesystem"}));
  cmd->add_option("--state-dir", s.dir,
                  "Directory of the filesystem state (assoc_state.json; default ./.tolteca_db_state); implies --state "
                  "filesystem");
}

// `assoc generate --limit N`: one stream batch of N pending observations.
void generate_limited(storage::AssocStore& store, const assoc::GenerateOptions& g, std::int64_t limit, bool json,
                      bool quiet) {
  assoc::StreamOptions so;
  so.state = g.state;
  so.types = g.types;
  so.batch_size = limit;
  so.commit_every = 1;
  so.max_batches = 1;
  so.dry_run = g.dry_run;
  const auto report = assoc::stream(store, so, [](const assoc::BatchReport&) {});
  if (!quiet || json) print_generate_limited(report, limit, g.dry_run, json);
}

void register_generate(CLI::App& parent) {
  struct Opts {
    DbOptions db;
    StateCli state;
    bool incremental = false, full = false, dry_run = false, json = false, quiet = false;
    std::string types;
    std::optional<std::int64_t> limit;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = parent.add_subcommand("generate", "Generate the associations (groups and cal-obs edges)");
  add_db_options(cmd, o->db);
  auto* inc = cmd->add_flag("--incremental", o->incremental,
                            "Only what new/changed observations can affect (default; falls back to full when the "
                            "state does not match)");
  auto* full = cmd->add_flag("--full", o->full, "Recompute everything from all raw observations");
  inc->excludes(full);
  add_state_options(cmd, o->state);
  cmd->add_option("--types", o->types,
                  "Comma-separated subset: cal_group, drivefit, focus_group, astig_group, raw_obs_cal_obs");
  cmd->add_flag("--dry-run,!--commit", o->dry_run,
                "--dry-run: compute and show what would change, write nothing; --commit (default): write");
  cmd->add_option("--limit,-n", o->limit,
                  "Process at most N pending observations this run, oldest first (the rest stay pending for the next "
                  "run; the seed took the N newest, which would leave older ones unprocessed below the watermark). "
                  "Runs like 'assoc stream --batch-size N --max-batches 1': without a state, one full generation "
                  "comes first");
  add_json_flag(cmd, o->json);
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd,
               "  tolteca_db assoc generate\n"
               "  tolteca_db assoc generate --incremental --state filesystem --state-dir ./state\n"
               "  tolteca_db assoc generate --limit 100 --dry-run\n"
               "  tolteca_db assoc generate --full --json\n"
               "  tolteca_db assoc generate --types cal_group,drivefit --dry-run\n"
               "  tolteca_db assoc generate --state filesystem --state-dir /archive/assoc_state\n");
  cmd->callback(assoc_callback([o] {
    assoc::GenerateOptions g;
    g.mode = o->full ? assoc::Mode::full : assoc::Mode::incremental;
    g.state = o->state.resolve();
    if (!o->types.empty()) g.types = assoc::parse_assoc_types(o->types);
    g.dry_run = o->dry_run;
    if (o->limit && *o->limit <= 0) throw UserError("--limit must be positive");
    if (o->limit && o->full) throw UserError("--limit and --full do not go together (a full run takes everything)");
    auto s = open_registry(o->db, o->dry_run ? storage::OpenMode::ReadOnly : storage::OpenMode::ReadWrite);
    storage::AssocStore* store = &s->assoc();
    if (o->limit) return generate_limited(*store, g, *o->limit, o->json, o->quiet);
    const auto report = assoc::generate(*store, g);
    if (!o->quiet || o->json) print_generate(report, o->json);
  }));
}

void register_stream(CLI::App& parent) {
  struct Opts {
    DbOptions db;
    StateCli state;
    std::int64_t batch_size = 20, commit_every = 5, max_batches = 0;  // the seed's defaults
    bool dry_run = false, json = false;
    std::string types;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = parent.add_subcommand("stream", "Process pending observations in ingest order, batch by batch");
  add_db_options(cmd, o->db);
  add_state_options(cmd, o->state);
  cmd->add_option("--batch-size", o->batch_size, "Observations per batch")->capture_default_str();
  cmd->add_option("--commit-every", o->commit_every, "Batches per transaction")->capture_default_str();
  cmd->add_option("--max-batches", o->max_batches, "Stop after this many batches (0: until nothing is pending)")
      ->capture_default_str();
  cmd->add_option("--types", o->types, "Comma-separated subset of the association types");
  cmd->add_flag("--dry-run", o->dry_run, "Show the first batch; write nothing");
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db assoc stream --batch-size 500\n"
               "  tolteca_db assoc stream --batch-size 1000 --commit-every 10 --max-batches 100 --json\n");
  cmd->callback(assoc_callback([o] {
    assoc::StreamOptions so;
    so.state = o->state.resolve();
    if (!o->types.empty()) so.types = assoc::parse_assoc_types(o->types);
    so.batch_size = o->batch_size;
    so.commit_every = o->commit_every;
    so.max_batches = o->max_batches;
    so.dry_run = o->dry_run;
    auto s = open_registry(o->db, o->dry_run ? storage::OpenMode::ReadOnly : storage::OpenMode::ReadWrite);
    storage::AssocStore* store = &s->assoc();
    const bool json = o->json;
    if (!json) print_stream_header();
    auto rep = assoc::stream(*store, so, [&](const assoc::BatchReport& b) {
      if (!json) print_batch_row(b);
    });
    print_stream(rep, json);
  }));
}

void register_state(CLI::App& parent) {
  struct Opts {
    DbOptions db;
    StateCli state;
    FormatOptions out;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = parent.add_subcommand("state", "Show the engine state: watermarks, pending observations, groups");
  add_db_options(cmd, o->db);
  add_state_options(cmd, o->state);
  add_format_options(cmd, o->out);
  set_examples(cmd,
               "  tolteca_db assoc state\n  tolteca_db assoc state --state-dir /archive/assoc_state --json\n"
               "  tolteca_db assoc state --backend filesystem --state-dir ./state\n");
  cmd->callback(assoc_callback([o] {
    auto st = o->state.resolve();
    const auto format = o->out.resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    print_state_info(assoc::state_info(s->assoc(), st), format);
  }));
}

bool confirm(const std::string& question) {
  if (console().in_fd() < 0 || !isatty(console().in_fd())) throw UserError(question + " — refusing without --yes (stdin is not a terminal)");
  cli::err() << question << " [y/N] ";
  std::string answer;
  std::getline(cli::console().in(), answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void register_reset_state(CLI::App& parent) {
  struct Opts {
    DbOptions db;
    StateCli state;
    bool yes = false, json = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = parent.add_subcommand("reset-state", "Clear the engine state (the next generate is a full one)");
  add_db_options(cmd, o->db);
  add_state_options(cmd, o->state);
  cmd->add_flag("--yes,-y", o->yes, "Do not ask");
  add_json_flag(cmd, o->json);
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd, "  tolteca_db assoc reset-state --yes\n  tolteca_db assoc reset-state --backend filesystem --state-dir ./state -y\n");
  cmd->callback(assoc_callback([o] {
    auto st = o->state.resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    if (!o->yes && !confirm("clear the association state (groups stay; the next generate is a full one)?")) {
      cli::out() << "nothing changed\n";
      return;
    }
    assoc::reset_state(s->assoc(), st);
    if (o->json) {
      print_json(cli::out(), {{"reset", true}});
      return;
    }
    if (o->quiet) return;
    cli::out() << "association state cleared; the next 'assoc generate' is a full regeneration\n";
  }));
}

struct GroupOpts {
  DbOptions db;
  std::string name;
  std::vector<std::string> specs;
  bool json = false, members = false, yes = false;
};

void register_group_list(CLI::App* grp) {
  auto o = std::make_shared<GroupOpts>();
  auto out = std::make_shared<FormatOptions>();
  auto* cmd = grp->add_subcommand("list", "List named groups");
  add_db_options(cmd, o->db);
  cmd->add_flag("--members", o->members, "Also list the members (uids)");
  add_format_options(cmd, *out);
  set_examples(cmd, "  tolteca_db assoc group list\n  tolteca_db assoc group list --members --json\n"
                    "  tolteca_db assoc group list --format csv\n");
  cmd->callback(assoc_callback([o, out] {
    const auto format = out->resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto groups = assoc::list_named_groups(s->assoc(), o->members || format != OutputFormat::table);
    print_named_groups(groups, format, o->members);
  }));
}

void register_group_delete(CLI::App* grp) {
  auto o = std::make_shared<GroupOpts>();
  auto* cmd = grp->add_subcommand("delete", "Delete a named group (its members stay)");
  cmd->add_option("NAME", o->name, "Group name")->required();
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db assoc group delete night1\n");
  cmd->callback(assoc_callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    assoc::delete_named_group(s->assoc(), o->name);
    if (o->json) {
      print_json(cli::out(), {{"name", o->name}, {"deleted", true}});
      return;
    }
    cli::out() << fmt::format("deleted named group {}\n", o->name);
  }));
}

void register_group(CLI::App& parent) {
  auto* grp = parent.add_subcommand("group", "Named groups of products: create, add, remove, list, delete");
  grp->require_subcommand(1);
  set_examples(grp, "  tolteca_db assoc group list\n  tolteca_db assoc group list --members --json\n");
  auto edit = [&](const char* sub, const char* help, const char* examples, auto fn, const char* verb) {
    auto o = std::make_shared<GroupOpts>();
    auto* cmd = grp->add_subcommand(sub, help);
    cmd->add_option("NAME", o->name, "Group name")->required();
    cmd->add_option("SPEC", o->specs,
                    "Observation specs (ics-18366, tcs-131289-0-{2,3}, 18366-[0:10], latest) or product uids/names")
        ->required();
    add_db_options(cmd, o->db);
    add_json_flag(cmd, o->json);
    set_examples(cmd, examples);
    cmd->callback(assoc_callback([o, fn, verb] {
      auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
      print_named_group_change(fn(s->assoc(), o->name, o->specs), o->json, verb);
    }));
  };
  edit("create", "Create a named group from specs",
       "  tolteca_db assoc group create night1 'ics-18341-[0:10]' tcs-131289\n"
       "  tolteca_db assoc group create cal cal_group:ics-18340-0-0\n",
       &assoc::create_named_group, "created");
  edit("add", "Add the products specs select", "  tolteca_db assoc group add night1 'tcs-131290-0-{2,3}'\n",
       &assoc::add_to_named_group, "updated");
  edit("remove", "Remove the products specs select", "  tolteca_db assoc group remove night1 ics-18345\n",
       &assoc::remove_from_named_group, "updated");
  register_group_list(grp);
  register_group_delete(grp);
}

}  // namespace

void register_assoc_commands(CLI::App& app) {
  auto* a = app.add_subcommand("assoc", "Associations: generate groups and cal-obs edges, engine state, named groups");
  a->require_subcommand(1);
  register_generate(*a);
  register_stream(*a);
  register_state(*a);
  register_reset_state(*a);
  register_group(*a);
}

}  // namespace tolteca::cli
