// Every example in every --help runs, and succeeds, on a small demo registry.
//
// The test walks the command tree from `tolteca_db --help` ("Subcommands:"
// blocks), takes every line of each "Examples:" block, rewrites it
// mechanically and runs it with /bin/sh in a sandbox directory, requiring exit 0:
//
//   1. `tolteca_db` (at the start, or after `|`, `;` or `&&`) becomes the binary under test;
//   2. an absolute path (a `/` that starts a word, after a space, a quote or `=`; and the path in
//      `duckdb:////abs`) is re-rooted in the sandbox: `/data_lmt/tel` -> `$SANDBOX/data_lmt/tel`;
//   3. the commands run with the sandbox as the working directory, so `data_lmt`, `tolteca.duckdb`
//      (the default --db) and `/data_lmt` all name the demo.
//
// The sandbox holds what the examples talk about, built like scripts/demo.sh at a small scale:
// `data_lmt/` (one simulated night, `--seed 1 --scale 0.1`), `tolteca.duckdb` (location LMT at
// data_lmt, ingested, associated), `lmt_metadata.csv` and `toltec_db.sqlite` (the simulator's
// catalogue and site database), and empty `tmp/` and `archive/` directories. Commands run in tree order (db, simulate,
// ingest, assoc, query; each group's subcommands in --help order) on that one sandbox, so an example
// may rely on an earlier one (`assoc group add` after `assoc group create`).
// A server example (`serve`, `dash serve`) runs until it is stopped: it runs in the background until
// its server file appears, a `query stats` is answered through it, and SIGTERM must stop it with 0.
// The top-level examples (`tolteca_db --help`) are a first session: they run in order in an empty
// directory of their own.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

using namespace tolteca;
namespace fs = std::filesystem;

namespace {

struct Shell {
  int exit_code = -1;
  std::string out, err;
};

// Runs a shell command line in dir; stdin is /dev/null.
Shell sh(const fs::path& dir, const std::string& line) {
  static int n = 0;
  const fs::path out = dir / fmt::format(".help_example_{}.out", n), err = dir / fmt::format(".help_example_{}.err", n);
  ++n;
  std::string quoted;
  for (char c : line) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  std::string cmd = fmt::format("cd '{}' && /bin/sh -c '{}' </dev/null >'{}' 2>'{}'", dir.string(), quoted,
                                out.string(), err.string());
  int status = std::system(cmd.c_str());
  Shell r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = test::read_bytes(out);
  r.err = test::read_bytes(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// Rules 1 and 2 of the header.
std::string rewrite(const std::string& example, const fs::path& sandbox) {
  const std::string bin = test::cli_binary();
  std::string out;
  const std::string word = "tolteca_db";
  for (std::size_t i = 0; i < example.size();) {
    const char prev = i == 0 ? ' ' : example[i - 1];
    if (example.compare(i, word.size(), word) == 0 && (i == 0 || prev == ' ') &&
        (i + word.size() == example.size() || example[i + word.size()] == ' ')) {
      std::size_t k = out.find_last_not_of(' ');
      if (k == std::string::npos || out[k] == '|' || out[k] == ';' || out[k] == '&') {
        out += bin;
        i += word.size();
        continue;
      }
    }
    if (example.compare(i, 11, "duckdb:////") == 0) {
      out += "duckdb:///" + sandbox.string() + "/";
      i += 11;
      continue;
    }
    if (example[i] == '/' && (prev == ' ' || prev == '\'' || prev == '"' || prev == '=') &&
        out.compare(out.size() >= 10 ? out.size() - 10 : 0, 10, "duckdb:///") != 0) {
      out += sandbox.string() + "/";
      ++i;
      continue;
    }
    out += example[i++];
  }
  return out;
}

std::vector<std::string> block(const std::string& help, const std::string& title) {
  std::vector<std::string> lines;
  std::istringstream in(help);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == title) {
      inside = true;
      continue;
    }
    if (inside && line.empty()) break;
    if (inside) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> examples_of(const std::string& help) {
  std::vector<std::string> out;
  for (const auto& l : block(help, "Examples:")) {
    auto s = l.find_first_not_of(' ');
    if (s != std::string::npos && l.compare(s, 11, "tolteca_db ") == 0) out.push_back(l.substr(s));
  }
  return out;
}

std::vector<std::string> subcommands_of(const std::string& help) {
  std::vector<std::string> out;
  for (const auto& l : block(help, "Subcommands:")) {
    // An entry starts at column 2; deeper lines continue its description (e.g. its SPEC… argument).
    if (l.size() < 3 || l.compare(0, 2, "  ") != 0 || l[2] == ' ') continue;
    std::istringstream w(l);
    std::string name;
    // "toltec-db, from-toltec-db": a command and its aliases; the first name is the command.
    if (w >> name) {
      if (name.back() == ',') name.pop_back();
      out.push_back(name);
    }
  }
  return out;
}

struct Command {
  std::vector<std::string> path;  // e.g. {"assoc", "group", "create"}
  std::vector<std::string> examples;
};

void walk(std::vector<std::string> path, std::vector<Command>& out) {
  // The tree is three levels deep (assoc group create); deeper means a name was misread.
  ASSERT_LE(path.size(), 4u) << fmt::format("{}", fmt::join(path, " "));
  auto args = path;
  args.push_back("--help");
  auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << fmt::format("{}: {}", fmt::join(args, " "), r.err);
  if (!path.empty()) out.push_back({path, examples_of(r.out)});
  for (const auto& sub : subcommands_of(r.out)) {
    auto p = path;
    p.push_back(sub);
    walk(p, out);
  }
}

// The shell line that runs a server example as the header says (the sandbox's tolteca.duckdb).
std::string serving(const std::string& line) {
  const std::string bin = test::cli_binary();
  return fmt::format(
      "{} & pid=$!; i=0; while [ ! -f tolteca.duckdb.server.json ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
      "{} query stats >/dev/null; q=$?; kill -TERM $pid; wait $pid; s=$?; echo \"query $q, serve $s\" >&2; "
      "[ $q -eq 0 ] && [ $s -eq 0 ]",
      line, bin);
}

bool is_server_example(const std::string& line) {
  const std::string bin = test::cli_binary();
  return line.rfind(bin + " serve", 0) == 0 || line.rfind(bin + " dash serve", 0) == 0;
}

void run_all(const fs::path& dir, const std::vector<std::string>& examples, const std::string& where) {
  for (const auto& e : examples) {
    auto line = rewrite(e, dir);
    if (is_server_example(line)) line = serving(line);
    auto r = sh(dir, line);
    EXPECT_EQ(r.exit_code, 0) << where << ": example failed: " << e << "\n  ran: " << line << "\n  stderr: " << r.err
                              << "\n  stdout (first 400): " << r.out.substr(0, 400);
  }
}

TEST(HelpExamples, TopLevelExamplesRunInOrderInAnEmptyDirectory) {
  auto r = test::run_cli({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  auto examples = examples_of(r.out);
  ASSERT_GE(examples.size(), 4u) << r.out;
  test::TempDir empty;
  run_all(empty.path(), examples, "tolteca_db --help");
}

TEST(HelpExamples, EveryCommandsExamplesRunOnTheDemo) {
  std::vector<Command> commands;
  walk({}, commands);
  ASSERT_FALSE(HasFatalFailure());
  // The tree the help shows is the tree the tool has: every group and its leaves are there.
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(fmt::format("{}", fmt::join(c.path, " ")));
  for (const char* must : {"db init", "db info", "simulate", "ingest directory", "assoc generate", "assoc group create",
                           "query obs", "query files", "query groups", "query stats"})
    EXPECT_NE(std::find(names.begin(), names.end(), must), names.end()) << must;

  test::TempDir box;
  const fs::path dir = box.path();
  fs::create_directories(dir / "tmp");
  fs::create_directories(dir / "archive");
  for (const char* setup :
       {"tolteca_db simulate data_lmt --seed 1 --scale 0.1 --catalog lmt_metadata.csv --toltec-db toltec_db.sqlite -q",
        "tolteca_db db init --location LMT --data-root data_lmt", "tolteca_db ingest directory data_lmt -q",
        "tolteca_db assoc generate"}) {
    auto s = sh(dir, rewrite(setup, dir));
    ASSERT_EQ(s.exit_code, 0) << setup << ": " << s.err;
  }
  std::size_t ran = 0;
  for (const auto& c : commands) {
    if (c.examples.empty()) continue;
    ran += c.examples.size();
    run_all(dir, c.examples, fmt::format("tolteca_db {} --help", fmt::join(c.path, " ")));
  }
  // Every leaf command shows examples (groups of commands need not).
  for (const auto& c : commands) {
    bool is_group = std::any_of(commands.begin(), commands.end(), [&](const Command& o) {
      return o.path.size() == c.path.size() + 1 && std::equal(c.path.begin(), c.path.end(), o.path.begin());
    });
    if (!is_group) {
      EXPECT_FALSE(c.examples.empty()) << fmt::format("{} has no examples", fmt::join(c.path, " "));
    }
  }
  EXPECT_GE(ran, 40u);
}

TEST(HelpExamples, RewriteIsMechanical) {
  const fs::path box = "/sb";
  const std::string bin = test::cli_binary();
  EXPECT_EQ(rewrite("tolteca_db ingest directory /data_lmt --location LMT", box),
            bin + " ingest directory /sb/data_lmt --location LMT");
  EXPECT_EQ(rewrite("tolteca_db db init --db duckdb:////archive/t.duckdb --data-root=/x", box),
            bin + " db init --db duckdb:////sb/archive/t.duckdb --data-root=/sb/x");
  EXPECT_EQ(rewrite("tolteca_db query files latest | xargs ls -l", box), bin + " query files latest | xargs ls -l");
  EXPECT_EQ(rewrite("tolteca_db db init --db duckdb:///./t.duckdb", box), bin + " db init --db duckdb:///./t.duckdb");
  EXPECT_EQ(rewrite("tolteca_db query obs 'ics-1/7' a/b", box), bin + " query obs 'ics-1/7' a/b");
}

}  // namespace
