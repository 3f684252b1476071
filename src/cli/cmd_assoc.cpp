// `tolteca_db assoc …`: generate, stream, state, reset-state, group.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "assoc/engine.h"
#include "assoc/named.h"
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

nlohmann::json rule_json(const assoc::RuleReport& r) {
  return {{"type", r.type},           {"created", r.created},         {"updated", r.updated},
          {"deleted", r.deleted},     {"unchanged", r.unchanged},     {"edges_added", r.edges_added},
          {"edges_removed", r.edges_removed}, {"pending", r.pending}, {"considered", r.considered}};
}

// The changed groups by name: "grown  cal_group  ics-18341-g3-cal -> ics-18341-g4-cal  (3 -> 4)".
void print_changes(const std::vector<assoc::GroupChange>& changes) {
  if (changes.empty()) return;
  constexpr std::size_t kShown = 50;
  Table t{{"change", "type", "group", "members"}, {}, {false, false, false, false}};
  t.whole = {true, true, true, false};
  for (std::size_t i = 0; i < changes.size() && i < kShown; ++i) {
    const auto& c = changes[i];
    std::string name = c.old_name.empty() || c.old_name == c.name ? c.name : c.old_name + " -> " + c.name;
    std::string n = c.change == "created"   ? std::to_string(c.n_items)
                    : c.change == "deleted" ? std::to_string(c.old_n_items)
                                            : fmt::format("{} -> {}", c.old_n_items, c.n_items);
    t.rows.push_back({c.change, c.type, name, n});
  }
  std::cout << '\n';
  print_table(std::cout, t, OutputFormat::table);
  if (changes.size() > kShown) std::cout << fmt::format("… and {} more (see --json)\n", changes.size() - kShown);
  std::cout << '\n';
}

void print_generate(const assoc::GenerateReport& r, bool json) {
  if (json) {
    nlohmann::json j{{"mode", r.mode},
                     {"full_reason", r.full_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.full_reason)},
                     {"dry_run", r.dry_run},
                     {"raw_obs_total", r.raw_obs_total},
                     {"pending", r.pending},
                     {"considered", r.considered},
                     {"watermark_before", r.watermark_before},
                     {"watermark_after", r.watermark_after},
                     {"groups_created", r.groups_created},
                     {"groups_updated", r.groups_updated},
                     {"groups_deleted", r.groups_deleted},
                     {"groups_unchanged", r.groups_unchanged},
                     {"edges_added", r.edges_added},
                     {"edges_removed", r.edges_removed},
                     {"elapsed_s", r.elapsed_s},
                     {"messages", r.messages}};
    j["rules"] = nlohmann::json::array();
    for (const auto& rr : r.rules) j["rules"].push_back(rule_json(rr));
    j["changes"] = nlohmann::json::array();
    for (const auto& c : r.changes)
      j["changes"].push_back({{"type", c.type},
                              {"change", c.change},
                              {"uid", c.uid},
                              {"name", c.name},
                              {"old_name", c.old_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.old_name)},
                              {"n_items", c.n_items},
                              {"old_n_items", c.old_n_items}});
    print_json(std::cout, j);
    return;
  }
  for (const auto& m : r.messages) std::cerr << "tolteca_db: " << m << '\n';
  std::cout << fmt::format("assoc generate: {}{}\n", r.mode, r.dry_run ? " (dry run: nothing written)" : "");
  std::cout << fmt::format("observations: {} total, {} pending, {} considered\n", r.raw_obs_total, r.pending,
                           r.considered);
  Table t{{"type", "created", "updated", "deleted", "unchanged", "edges added", "edges removed"},
          {},
          {false, true, true, true, true, true, true}};
  for (const auto& rr : r.rules)
    t.rows.push_back({rr.type, std::to_string(rr.created), std::to_string(rr.updated), std::to_string(rr.deleted),
                      std::to_string(rr.unchanged), std::to_string(rr.edges_added), std::to_string(rr.edges_removed)});
  print_table(std::cout, t, OutputFormat::table);
  print_changes(r.changes);
  std::cout << fmt::format("{} groups created, {} updated, {} deleted, {} unchanged; {} edges written, {} removed; "
                           "watermark {} -> {}; {:.3f} s\n",
                           r.groups_created, r.groups_updated, r.groups_deleted, r.groups_unchanged, r.edges_added,
                           r.edges_removed, r.watermark_before, r.watermark_after, r.elapsed_s);
}

// `assoc generate --limit N`: one stream batch of N pending observations.
void generate_limited(db::Session& s, const assoc::GenerateOptions& g, std::int64_t limit, bool json) {
  assoc::StreamOptions so;
  so.state = g.state;
  so.types = g.types;
  so.batch_size = limit;
  so.commit_every = 1;
  so.max_batches = 1;
  so.dry_run = g.dry_run;
  auto rep = assoc::stream(s, so, [](const assoc::BatchReport&) {});
  std::int64_t obs = 0, created = 0, updated = 0, deleted = 0, added = 0, removed = 0;
  for (const auto& b : rep.batches) {
    obs += b.observations;
    created += b.groups_created;
    updated += b.groups_updated;
    deleted += b.groups_deleted;
    added += b.edges_added;
    removed += b.edges_removed;
  }
  if (json) {
    print_json(std::cout, {{"mode", rep.full_reason.empty() ? "incremental" : "full"},
                           {"full_reason", rep.full_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(rep.full_reason)},
                           {"dry_run", g.dry_run}, {"limit", limit}, {"processed", obs}, {"remaining", rep.remaining},
                           {"groups_created", created}, {"groups_updated", updated}, {"groups_deleted", deleted},
                           {"edges_added", added}, {"edges_removed", removed}, {"elapsed_s", rep.elapsed_s}});
    return;
  }
  if (!rep.full_reason.empty()) std::cerr << "tolteca_db: full regeneration first (" << rep.full_reason << ")\n";
  std::cout << fmt::format("assoc generate --limit {}: {} observation(s) processed{}, {} still pending\n", limit, obs,
                           g.dry_run ? " (dry run: nothing written)" : "", rep.remaining);
  std::cout << fmt::format("{} groups created, {} updated, {} deleted; {} edges written, {} removed; {:.3f} s\n", created,
                           updated, deleted, added, removed, rep.elapsed_s);
}

void register_generate(CLI::App& parent) {
  struct Opts {
    DbOptions db;
    StateCli state;
    bool incremental = false, full = false, dry_run = false, json = false;
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
  set_examples(cmd,
               "  tolteca_db assoc generate\n"
               "  tolteca_db assoc generate --incremental --state filesystem --state-dir ./state\n"
               "  tolteca_db assoc generate --limit 100 --dry-run\n"
               "  tolteca_db assoc generate --full --json\n"
               "  tolteca_db assoc generate --types cal_group,drivefit --dry-run\n"
               "  tolteca_db assoc generate --state filesystem --state-dir /archive/assoc_state\n");
  cmd->callback([o] {
    assoc::GenerateOptions g;
    g.mode = o->full ? assoc::Mode::full : assoc::Mode::incremental;
    g.state = o->state.resolve();
    if (!o->types.empty()) g.types = assoc::parse_rule_types(o->types);
    g.dry_run = o->dry_run;
    if (o->limit && *o->limit <= 0) throw UserError("--limit must be positive");
    if (o->limit && o->full) throw UserError("--limit and --full do not go together (a full run takes everything)");
    auto s = open_session(o->db, o->dry_run ? db::OpenMode::ReadOnly : db::OpenMode::ReadWrite);
    if (o->limit) return generate_limited(*s, g, *o->limit, o->json);
    print_generate(assoc::generate(*s, g), o->json);
  });
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
  cmd->callback([o] {
    assoc::StreamOptions so;
    so.state = o->state.resolve();
    if (!o->types.empty()) so.types = assoc::parse_rule_types(o->types);
    so.batch_size = o->batch_size;
    so.commit_every = o->commit_every;
    so.max_batches = o->max_batches;
    so.dry_run = o->dry_run;
    auto s = open_session(o->db, o->dry_run ? db::OpenMode::ReadOnly : db::OpenMode::ReadWrite);
    const bool json = o->json;
    if (!json)
      std::cout << fmt::format("{:>6} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9}\n", "batch", "obs",
                               "considered", "created", "updated", "deleted", "edges+", "edges-", "watermark",
                               "seconds");
    auto rep = assoc::stream(*s, so, [&](const assoc::BatchReport& b) {
      if (json) return;
      std::cout << fmt::format("{:>6} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9.3f}{}\n", b.index,
                               b.observations, b.considered, b.groups_created, b.groups_updated, b.groups_deleted,
                               b.edges_added, b.edges_removed, b.watermark, b.elapsed_s,
                               b.committed ? " committed" : "");
      std::cout.flush();
    });
    if (json) {
      nlohmann::json j{{"remaining", rep.remaining},
                       {"elapsed_s", rep.elapsed_s},
                       {"full_reason", rep.full_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(rep.full_reason)}};
      j["batches"] = nlohmann::json::array();
      for (const auto& b : rep.batches)
        j["batches"].push_back({{"index", b.index},
                                {"observations", b.observations},
                                {"considered", b.considered},
                                {"groups_created", b.groups_created},
                                {"groups_updated", b.groups_updated},
                                {"groups_deleted", b.groups_deleted},
                                {"edges_added", b.edges_added},
                                {"edges_removed", b.edges_removed},
                                {"watermark", b.watermark},
                                {"committed", b.committed},
                                {"elapsed_s", b.elapsed_s}});
      print_json(std::cout, j);
      return;
    }
    if (!rep.full_reason.empty()) std::cerr << "tolteca_db: full regeneration first (" << rep.full_reason << ")\n";
    std::cout << fmt::format("{} batch(es), {} observation(s) still pending, {:.3f} s\n", rep.batches.size(),
                             rep.remaining, rep.elapsed_s);
  });
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
  cmd->callback([o] {
    auto st = o->state.resolve();
    const auto format = o->out.resolve();
    auto s = open_session(o->db, db::OpenMode::ReadOnly);
    auto info = assoc::state_info(*s, st);
    Table t{{"type", "watermark", "pending", "stored"}, {}, {false, true, true, true}};
    for (const auto& r : info.rules)
      t.rows.push_back({r.type, r.watermark ? std::to_string(*r.watermark) : (format == OutputFormat::table ? "-" : ""),
                        std::to_string(r.pending), std::to_string(r.groups)});
    if (format == OutputFormat::csv || format == OutputFormat::tsv) return print_table(std::cout, t, format);
    if (format == OutputFormat::json) {
      nlohmann::json j{{"backend", info.backend},
                       {"location", info.location},
                       {"exists", info.exists},
                       {"mismatch", info.mismatch.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.mismatch)},
                       {"raw_obs_total", info.raw_obs_total},
                       {"max_ingest_seq", info.max_ingest_seq},
                       {"state_bytes", info.state_bytes},
                       {"updated_at", info.updated_at}};
      j["rules"] = nlohmann::json::array();
      for (const auto& r : info.rules)
        j["rules"].push_back({{"type", r.type},
                              {"watermark", r.watermark ? nlohmann::json(*r.watermark) : nlohmann::json(nullptr)},
                              {"pending", r.pending},
                              {"stored", r.groups}});
      print_json(std::cout, j);
      return;
    }
    print_key_values(std::cout, {{"backend", info.backend},
                                 {"location", info.location},
                                 {"state", info.exists ? fmt::format("{} bytes, updated {}", info.state_bytes,
                                                                     info.updated_at)
                                                       : std::string("none")},
                                 {"raw observations", std::to_string(info.raw_obs_total)},
                                 {"largest ingest_seq", std::to_string(info.max_ingest_seq)}});
    if (!info.mismatch.empty()) std::cout << "note: " << info.mismatch << '\n';
    std::cout << '\n';
    print_table(std::cout, t, OutputFormat::table);
  });
}

bool confirm(const std::string& question) {
  if (!isatty(STDIN_FILENO)) throw UserError(question + " — refusing without --yes (stdin is not a terminal)");
  std::cerr << question << " [y/N] ";
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void register_reset_state(CLI::App& parent) {
  struct Opts {
    DbOptions db;
    StateCli state;
    bool yes = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = parent.add_subcommand("reset-state", "Clear the engine state (the next generate is a full one)");
  add_db_options(cmd, o->db);
  add_state_options(cmd, o->state);
  cmd->add_flag("--yes,-y", o->yes, "Do not ask");
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db assoc reset-state --yes\n  tolteca_db assoc reset-state --backend filesystem --state-dir ./state -y\n");
  cmd->callback([o] {
    auto st = o->state.resolve();
    auto s = open_session(o->db, db::OpenMode::ReadWrite);
    if (!o->yes && !confirm("clear the association state (groups stay; the next generate is a full one)?")) {
      std::cout << "nothing changed\n";
      return;
    }
    assoc::reset_state(*s, st);
    if (o->json) {
      print_json(std::cout, {{"reset", true}});
      return;
    }
    std::cout << "association state cleared; the next 'assoc generate' is a full regeneration\n";
  });
}

void print_change(const assoc::NamedGroupChange& c, bool json, const char* verb) {
  if (json) {
    print_json(std::cout, {{"name", c.name},
                           {"created", c.created},
                           {"matched", c.matched},
                           {"added", c.added},
                           {"removed", c.removed},
                           {"n_items", c.n_items}});
    return;
  }
  std::cout << fmt::format("{} named group {}: {} matched, {} added, {} removed, {} member(s)\n", verb, c.name,
                           c.matched, c.added, c.removed, c.n_items);
}

void register_group(CLI::App& parent) {
  auto* grp = parent.add_subcommand("group", "Named groups of products: create, add, remove, list, delete");
  grp->require_subcommand(1);
  set_examples(grp, "  tolteca_db assoc group list\n  tolteca_db assoc group list --members --json\n");
  struct Opts {
    DbOptions db;
    std::string name;
    std::vector<std::string> specs;
    bool json = false, members = false, yes = false;
  };
  auto edit = [&](const char* sub, const char* help, const char* examples, auto fn, const char* verb) {
    auto o = std::make_shared<Opts>();
    auto* cmd = grp->add_subcommand(sub, help);
    cmd->add_option("NAME", o->name, "Group name")->required();
    cmd->add_option("SPEC", o->specs,
                    "Observation specs (ics-18366, tcs-131289-0-{2,3}, 18366-[0:10], latest) or product uids/names")
        ->required();
    add_db_options(cmd, o->db);
    add_json_flag(cmd, o->json);
    set_examples(cmd, examples);
    cmd->callback([o, fn, verb] {
      auto s = open_session(o->db, db::OpenMode::ReadWrite);
      print_change(fn(*s, o->name, o->specs), o->json, verb);
    });
  };
  edit("create", "Create a named group from specs",
       "  tolteca_db assoc group create night1 'ics-18341-[0:10]' tcs-131289\n"
       "  tolteca_db assoc group create cal cal_group:ics-18340-0-0\n",
       &assoc::create_named_group, "created");
  edit("add", "Add the products specs select", "  tolteca_db assoc group add night1 'tcs-131290-0-{2,3}'\n",
       &assoc::add_to_named_group, "updated");
  edit("remove", "Remove the products specs select", "  tolteca_db assoc group remove night1 ics-18345\n",
       &assoc::remove_from_named_group, "updated");
  {
    auto o = std::make_shared<Opts>();
    auto out = std::make_shared<FormatOptions>();
    auto* cmd = grp->add_subcommand("list", "List named groups");
    add_db_options(cmd, o->db);
    cmd->add_flag("--members", o->members, "Also list the members (uids)");
    add_format_options(cmd, *out);
    set_examples(cmd, "  tolteca_db assoc group list\n  tolteca_db assoc group list --members --json\n"
                      "  tolteca_db assoc group list --format csv\n");
    cmd->callback([o, out] {
      const auto format = out->resolve();
      auto s = open_session(o->db, db::OpenMode::ReadOnly);
      auto groups = assoc::list_named_groups(*s, o->members || format != OutputFormat::table);
      if (format == OutputFormat::csv || format == OutputFormat::tsv) {
        Table t{{"name", "n_items", "created_at", "updated_at", "members"}, {}, {false, true, false, false, false}};
        for (const auto& g : groups)
          t.rows.push_back({g.name, std::to_string(g.n_items), format_iso8601(g.created_at),
                            format_iso8601(g.updated_at), fmt::format("{}", fmt::join(g.members, ";"))});
        return print_table(std::cout, t, format);
      }
      if (format == OutputFormat::json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& g : groups)
          arr.push_back({{"name", g.name},
                         {"n_items", g.n_items},
                         {"created_at", format_iso8601(g.created_at)},
                         {"updated_at", format_iso8601(g.updated_at)},
                         {"members", g.members}});
        print_json(std::cout, arr);
        return;
      }
      Table t{{"name", "updated", "members"}, {}, {false, false, false}};
      t.whole = {true, true, false};
      t.wrap_last = true;
      for (const auto& g : groups) {
        std::string m = std::to_string(g.n_items);
        if (o->members && !g.members.empty()) {
          m += ":";
          for (const auto& u : g.members) m += " " + u;
        }
        t.rows.push_back({g.name, format_iso8601(g.updated_at), m});
      }
      print_table(std::cout, t, OutputFormat::table);
    });
  }
  {
    auto o = std::make_shared<Opts>();
    auto* cmd = grp->add_subcommand("delete", "Delete a named group (its members stay)");
    cmd->add_option("NAME", o->name, "Group name")->required();
    add_db_options(cmd, o->db);
    add_json_flag(cmd, o->json);
    set_examples(cmd, "  tolteca_db assoc group delete night1\n");
    cmd->callback([o] {
      auto s = open_session(o->db, db::OpenMode::ReadWrite);
      assoc::delete_named_group(*s, o->name);
      if (o->json) {
        print_json(std::cout, {{"name", o->name}, {"deleted", true}});
        return;
      }
      std::cout << fmt::format("deleted named group {}\n", o->name);
    });
  }
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
