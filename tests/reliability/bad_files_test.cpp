// Bad files end to end: a clean simulated archive is ingested, then bad files of every kind are added
// and the archive is ingested again. Each bad file gets a per-file reason in the summary (--json
// "problems") and in the event log; the batch completes (exit 0); nothing recorded before changes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "storage/duckdb/duckdb.h"
#include "reliability/reliability_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace tolteca::test {
namespace {

constexpr const char* kStamp = "2024_11_13_17_24_46";

std::string net_name(int roach, int obsnum, const std::string& suffix = "vnasweep") {
  char buf[128];
  std::snprintf(buf, sizeof buf, "toltec%d_%06d_000_0000_%s_%s.nc", roach, obsnum, kStamp, suffix.c_str());
  return buf;
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// The events of one kind, subject -> message.
std::map<std::string, std::string> events(const std::string& db_path, const std::string& kind) {
  storage::duckdb::Database database(db_path, true);
  storage::duckdb::Connection con(database);
  auto st = con.prepare("SELECT subject, message FROM events WHERE kind = $1 ORDER BY id");
  st.bind(1, kind);
  std::map<std::string, std::string> out;
  for (auto& row : st.execute().rows()) out[std::get<std::string>(row[0])] = std::get<std::string>(row[1]);
  return out;
}

bool subset(const std::vector<std::string>& small, const std::vector<std::string>& big) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

struct Archive {
  TempDir dir;
  fs::path root = dir / "data_lmt";
  fs::path db = dir / "reg.duckdb";

  Archive() {
    auto sim = run_cli({"simulate", root.string(), "--seed", "5", "--scale", "0.05", "--quiet"});
    EXPECT_EQ(sim.exit_code, 0) << sim.err;
    auto init = run_cli({"db", "init", "--db", db.string(), "--location", "LMT", "--data-root", root.string()});
    EXPECT_EQ(init.exit_code, 0) << init.err;
  }
  RunResult ingest() const {
    return run_cli({"ingest", "directory", root.string(), "--db", db.string(), "--location", "LMT", "--json",
                    "--quiet"});
  }
};

struct Expect {
  std::string rel;     // path relative to the data root
  std::string status;  // failed | skipped | flagged
  std::string reason;  // substring of the per-file reason
  bool or_parent = false;  // the report may name a parent directory of rel instead (unreachable paths)
};

TEST(BadFiles, EveryBadFileIsReportedTheBatchCompletesNothingBeforeChanges) {
  Archive a;
  auto first = a.ingest();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto before = canonical_tables(a.db.string());
  ASSERT_GT(before["sources"].size(), 300u);

  std::vector<Expect> expect;
  // The simulator's bad files (truncated, zero-byte, header/name mismatch, LoFreq 0, not TolTEC, current-file
  // link), on obsnums the clean archive does not have.
  TempDir other;
  auto sim = run_cli({"simulate", other.str(), "--seed", "5", "--scale", "0.05", "--bad-files", "--ics-start-obsnum",
                      "99000", "--tcs-start-obsnum", "199000", "--json", "--quiet"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const std::map<std::string, std::string> case_reason = {
      {"truncated", "truncated"}, {"zero_byte", "empty"},       {"header_mismatch", "obsnum"},
      {"lofreq_zero", "LoFreq"},  {"not_toltec", "not a TolTEC"}, {"current_link", "current"}};
  const json manifest = json::parse(sim.out);
  ASSERT_EQ(manifest["bad_files"].size(), 6u);
  for (const auto& b : manifest["bad_files"]) {
    std::string rel = b["path"];
    fs::create_directories((a.root / rel).parent_path());
    if (b["case"] == "current_link") {
      // The link to "the file being written": point it at a file of this archive.
      fs::path target;
      for (const auto& e : fs::directory_iterator((a.root / rel).parent_path()))
        if (e.is_regular_file()) target = e.path().filename();
      ASSERT_FALSE(target.empty());
      fs::create_symlink(target, a.root / rel);
    } else {
      fs::copy(other / rel, a.root / rel);
    }
    expect.push_back({rel, b["expect"], case_reason.at(b["case"].get<std::string>())});
  }
  // Random bytes with a data file name.
  std::string rnd = "toltec/ics/toltec3/" + net_name(3, 99901);
  write_bytes(a.root / rnd, random_bytes(5000, 1));
  expect.push_back({rnd, "failed", "not a netCDF file"});
  // A netCDF signature followed by garbage.
  std::string sig = "toltec/ics/toltec3/" + net_name(3, 99902);
  write_bytes(a.root / sig, std::string("CDF\x01", 4) + random_bytes(3000, 2));
  expect.push_back({sig, "failed", "netCDF"});
  // A directory named like a data file (with a file inside that is not a TolTEC file).
  std::string dirlike = "toltec/ics/toltec4/" + net_name(4, 99903);
  fs::create_directories(a.root / dirlike);
  write_bytes(a.root / dirlike / "notes.txt", "not data");
  expect.push_back({dirlike, "skipped", "directory"});
  expect.push_back({dirlike + "/notes.txt", "skipped", "not a TolTEC"});
  // A symlink loop with a data file name, and a directory symlink loop.
  std::string loop = "toltec/ics/toltec5/" + net_name(5, 99904);
  fs::create_directories((a.root / loop).parent_path());
  fs::create_symlink(fs::path(loop).filename(), a.root / loop);
  expect.push_back({loop, "skipped", "symbolic links"});
  fs::create_directory_symlink("..", a.root / "toltec/ics/toltec5/up");
  // A dangling symlink.
  std::string dangling = "toltec/ics/toltec5/" + net_name(5, 99905);
  fs::create_symlink("/nonexistent/file.nc", a.root / dangling);
  expect.push_back({dangling, "skipped", "No such file"});
  // Names with spaces and non-ASCII characters (a copy of a good file).
  fs::path good;
  for (const auto& e : fs::recursive_directory_iterator(a.root / "toltec/ics"))
    if (e.is_regular_file() && e.path().extension() == ".nc") {
      good = e.path();
      break;
    }
  ASSERT_FALSE(good.empty());
  const std::string spaced = std::string("toltec0_099906_000_0000_") + kStamp + "_vnasweep copy.nc";
  const std::string non_ascii = std::string("t\xc3\xb8ltec0_099907_000_0000_") + kStamp + "_vnasweep.nc";
  const std::string snowman = std::string("toltec0_099908_000_0000_") + kStamp + "_vnasweep \xe2\x98\x83.nc";
  for (const std::string& name : {spaced, non_ascii, snowman}) {
    std::string rel = "toltec/ics/toltec0/" + name;
    fs::copy_file(good, a.root / rel);
    expect.push_back({rel, "skipped", "not a TolTEC"});
  }
  // A very long path: nested directories past PATH_MAX (created relative to an open directory).
  {
    std::string rel = "toltec/ics/toltec6";
    fs::create_directories(a.root / rel);
    int dfd = ::open((a.root / rel).c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(dfd, 0);
    std::string seg(200, 'd');
    while (rel.size() + a.root.string().size() < 4300) {
      ASSERT_EQ(::mkdirat(dfd, seg.c_str(), 0755), 0);
      int next = ::openat(dfd, seg.c_str(), O_RDONLY | O_DIRECTORY);
      ::close(dfd);
      ASSERT_GE(next, 0);
      dfd = next;
      rel += "/" + seg;
    }
    std::string name = net_name(6, 99909);
    int fd = ::openat(dfd, name.c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "CDF\x01", 4), 4);
    ::close(fd);
    ::close(dfd);
    // The walker reports the first directory whose absolute path exceeds PATH_MAX.
    expect.push_back({rel + "/" + name, "skipped", "too long", true});
  }
  // A 255-byte file name (the longest a directory entry may have) that is not a TolTEC name.
  {
    std::string rel = "toltec/ics/toltec0/" + std::string(252, 'x') + ".nc";
    fs::copy_file(good, a.root / rel);
    expect.push_back({rel, "skipped", "not a TolTEC"});
  }

  auto second = a.ingest();
  ASSERT_EQ(second.exit_code, 0) << second.err;  // the batch completes
  auto summary = json::parse(second.out);
  std::map<std::string, json> problems;
  for (const auto& p : summary["problems"]) problems[p["path"].get<std::string>()] = p;
  auto failed_events = events(a.db.string(), "failed");
  auto skipped_events = events(a.db.string(), "skipped");
  for (const auto& e : expect) {
    SCOPED_TRACE(e.rel);
    auto it = problems.find(e.rel);
    if (it == problems.end() && e.or_parent)
      for (auto p = problems.begin(); p != problems.end(); ++p)
        if (e.rel.rfind(p->first + "/", 0) == 0) it = p;
    ASSERT_NE(it, problems.end()) << "no per-file entry in the summary; summary: " << second.out.substr(0, 3000);
    EXPECT_EQ(it->second["status"], e.status) << it->second.dump();
    std::string reason = it->second["reason"];
    EXPECT_NE(reason.find(e.reason), std::string::npos) << reason;
    if (e.status == "flagged") continue;  // recorded with its problem (sources.problem), not an event
    const auto& ev = e.status == "failed" ? failed_events : skipped_events;
    auto ei = ev.find(it->first);
    ASSERT_NE(ei, ev.end()) << "no '" << e.status << "' event";
    EXPECT_NE(ei->second.find(e.reason), std::string::npos) << ei->second;
  }
  EXPECT_EQ(summary["failed"].get<int>() + summary["skipped"].get<int>() + summary["flagged"].get<int>(),
            static_cast<int>(expect.size()))
      << second.out.substr(0, 3000);

  // Nothing recorded before changed: every earlier row is still there, identical.
  auto after = canonical_tables(a.db.string());
  for (const char* t : {"locations", "products", "sources", "edges"})
    EXPECT_TRUE(subset(before[t], after[t])) << t << "\n" << describe_differences(before, after);

  // A third run changes nothing and reports the same problems again (nothing is silently forgotten).
  auto third = a.ingest();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  auto s3 = json::parse(third.out);
  EXPECT_EQ(s3["new"], 0);
  EXPECT_EQ(s3["updated"], 0);
  EXPECT_EQ(describe_differences(after, canonical_tables(a.db.string())).find("products"), std::string::npos);
}

// A mode-000 file. Root reads any file, so as root the ingest runs as the user nobody (setpriv) over
// an archive and database handed to nobody, with the one file left to root, mode 000.
TEST(BadFiles, UnreadableFile) {
  Archive a;
  std::string rel = "toltec/ics/toltec3/" + net_name(3, 99920);
  fs::create_directories((a.root / rel).parent_path());
  write_bytes(a.root / rel, "CDF\x01");
  RunResult r;
  if (::geteuid() == 0) {
    for (const auto& e : fs::recursive_directory_iterator(a.dir.path()))
      ASSERT_EQ(::lchown(e.path().c_str(), 65534, 65534), 0) << e.path();
    ASSERT_EQ(::chown(a.dir.path().c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chown((a.root / rel).c_str(), 0, 0), 0);
    ::chmod((a.root / rel).c_str(), 0);
    auto as_nobody = run_cli_as_nobody({"ingest", "directory", a.root.string(), "--db", a.db.string(), "--location",
                                        "LMT", "--json", "--quiet"});
    if (!as_nobody) GTEST_SKIP() << "running as root without setpriv: a mode-000 file cannot be made unreadable here";
    r = *as_nobody;
  } else {
    ::chmod((a.root / rel).c_str(), 0);
    r = a.ingest();
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  bool found = false;
  const json summary = json::parse(r.out);
  for (const auto& p : summary["problems"])
    if (p["path"] == rel) {
      found = true;
      EXPECT_NE(p["reason"].get<std::string>().find("ermission denied"), std::string::npos) << p.dump();
    }
  EXPECT_TRUE(found);
}

TEST(BadFiles, DataRootWithSpacesAndNonAsciiIngestsLikeAnyOther) {
  TempDir dir;
  fs::path plain = dir / "plain", fancy = dir / "d\xc3\xa5ta lmt \xe2\x98\x83 (copy)";
  for (const auto& root : {plain, fancy}) {
    auto sim = run_cli({"simulate", root.string(), "--seed", "9", "--scale", "0.05", "--quiet"});
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
  }
  std::map<std::string, Canonical> got;
  for (const auto& root : {plain, fancy}) {
    std::string db = (dir / (root == plain ? "a.duckdb" : "b.duckdb")).string();
    ASSERT_EQ(run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", root.string()}).exit_code, 0);
    auto r = run_cli({"ingest", "directory", root.string(), "--db", db, "--location", "LMT", "--json", "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["failed"], 0);
    EXPECT_EQ(json::parse(r.out)["skipped"], 0);
    got[root.string()] = canonical_tables(db, /*with_mtime=*/false);
    got[root.string()].erase("locations");  // the root paths differ by construction
  }
  EXPECT_EQ(describe_differences(got[plain.string()], got[fancy.string()]), "");
}

// Regression: dry runs open the database read-only, and counting existing observations appended to a
// temp table there ("internal error: appender ingest_paths (create): Cannot append to a readonly database").
TEST(BadFiles, DryRunsWorkOnTheReadOnlyDatabase) {
  Archive a;
  std::string csv = (a.dir / "catalog.csv").string();
  ASSERT_EQ(run_cli({"simulate", (a.dir / "other").string(), "--seed", "5", "--scale", "0.05", "--catalog", csv,
                     "--quiet"})
                .exit_code,
            0);
  fs::path file;
  for (const auto& e : fs::recursive_directory_iterator(a.root))
    if (e.is_regular_file()) file = e.path();
  auto r = run_cli({"ingest", "file", file.string(), "--db", a.db.string(), "--location", "LMT", "--dry-run", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto d = run_cli({"ingest", "directory", a.root.string(), "--db", a.db.string(), "--location", "LMT", "--dry-run",
                    "--json", "--quiet"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  auto t = run_cli({"ingest", "tel-csv", csv, "--db", a.db.string(), "--dry-run"});
  EXPECT_EQ(t.exit_code, 0) << t.err;
  // …and wrote nothing.
  auto info = run_cli({"query", "stats", "--db", a.db.string(), "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(canonical_tables(a.db.string())["sources"].size(), 0u);
}

// fuzz_header (TOLTECA_FUZZ_HDF5=1) found a corrupt netCDF-4 file on which Debian's libhdf5 1.10.8
// frees an uninitialised pointer (valgrind: H5G__link_release_table -> H5MM_xfree). netCDF-4 headers are
// read in a helper process (files/header_process.h), so whatever libhdf5 does, the ingest survives and
// the file is failed with a reason: uninstrumented, libhdf5 has always come back with "NetCDF: HDF
// error"; under ASan the helper dies on the bad free and the reason says the library crashed.
// Kept compressed (1.5 KB) in tests/reliability/data.
TEST(BadFiles, CorruptNetcdf4FileFromFuzzingFailsCleanly) {
  Archive a;
  auto first = a.ingest();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto before = canonical_tables(a.db.string());
  std::string rel = "toltec/ics/toltec1/" + net_name(1, 99930);
  fs::create_directories((a.root / rel).parent_path());
  std::string cmd = std::string("xz -dc '") + TOLTECA_SOURCE_DIR + "/tests/reliability/data/hdf5_uninit_free.nc.xz' > '" +
                    (a.root / rel).string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto reason_ok = [](const std::string& out) {
    return out.find("HDF error") != std::string::npos ||
           out.find("the netCDF/HDF5 library crashed reading this file") != std::string::npos;
  };
  for (int i = 0; i < 3; ++i) {
    auto r = run_cli({"ingest", "file", (a.root / rel).string(), "--db", a.db.string(), "--location", "LMT",
                      "--dry-run", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(reason_ok(r.out)) << r.out;
  }
  // The whole tree again, the file among good ones: it is failed with its reason, nothing recorded
  // before changes, and the file is recorded (with its problem) as one more source.
  auto r = a.ingest();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(reason_ok(r.out)) << r.out;
  auto after = canonical_tables(a.db.string());
  for (const char* t : {"locations", "products", "sources", "edges"})
    EXPECT_TRUE(subset(before.at(t), after.at(t))) << t << "\n" << describe_differences(before, after);
  EXPECT_EQ(after.at("sources").size(), before.at("sources").size() + 1);
}

}  // namespace
}  // namespace tolteca::test
