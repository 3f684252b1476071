// Issue 12, trust boundary of outputs, end to end through the binary:
//   case 1  `query export self.duckdb --db self.duckdb` overwrote the open database;
//   case 3  `db import` of an incomplete export (killed mid-way, --tables subset) exited 0 with products
//           but no sources; a directory name with [ ] was read as a glob (another directory's files);
//   case 9  `simulate OUT --toltec-db reg.duckdb --catalog keep.csv` overwrote both.
// Each case has the reproduction and at least one more variant.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "files/sha256.h"
#include "reliability/reliability_support.h"
#include "storage/duckdb/schema.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace tolteca::test {
namespace {

// One ingested, associated registry for the whole suite; each test works on its own copy.
class TrustOutputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new TempDir();
    const std::string root = (*suite_ / "data_lmt").string(), db = (*suite_ / "reg.duckdb").string();
    auto sim = run_cli({"simulate", root, "--seed", "12", "--scale", "0.05", "--quiet"});
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    auto init = run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", root});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto ing = run_cli({"ingest", "directory", root, "--db", db, "--location", "LMT", "--with-associations", "--quiet"});
    ASSERT_EQ(ing.exit_code, 0) << ing.err;
    ASSERT_FALSE(fs::exists(db + ".wal"));
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  // A private copy of the registry in this test's directory.
  std::string registry(const std::string& name = "self.duckdb") {
    const fs::path p = dir_ / name;
    fs::copy_file(*suite_ / "reg.duckdb", p, fs::copy_options::overwrite_existing);
    return p.string();
  }
  static std::string sha(const std::string& p) { return files::sha256_hex_file(p); }
  static std::size_t temporaries(const fs::path& d) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().filename().string().rfind(".tolteca-tmp.", 0) == 0) ++n;
    return n;
  }
  static std::int64_t count(const std::string& db, const std::string& table) {
    auto c = canonical_tables(db);
    return static_cast<std::int64_t>(c[table].size());
  }
  std::string exported(const std::string& db, const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"db", "export", (dir_ / name).string(), "--db", db};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return (dir_ / name).string();
  }

  static TempDir* suite_;
  TempDir dir_;
};
TempDir* TrustOutputs::suite_ = nullptr;

// ---- case 1: query export never writes over the open database ---------------------------------------

TEST_F(TrustOutputs, Case1QueryExportOntoTheOpenDatabaseIsRefused) {
  const std::string db = registry();
  const std::string before = sha(db);
  const auto canon = canonical_tables(db);
  auto r = run_cli({"query", "export", db, "--format", "csv", "--db", db});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // was 0, and the registry was CSV afterwards
  EXPECT_NE(r.err.find("open database"), std::string::npos) << r.err;
  EXPECT_EQ(sha(db), before);
  EXPECT_EQ(describe_differences(canon, canonical_tables(db)), "");
  EXPECT_EQ(temporaries(dir_.path()), 0u);
}

TEST_F(TrustOutputs, Case1OtherSpellingsOfTheDatabaseAreRefusedEvenWithForce) {
  const std::string db = registry();
  const std::string before = sha(db);
  fs::create_directories(dir_ / "x");
  fs::create_symlink(db, dir_ / "link.csv");
  ASSERT_EQ(::link(db.c_str(), (dir_ / "hard.csv").c_str()), 0);
  for (const std::string& target : {(dir_ / "x/../self.duckdb").string(), (dir_ / "link.csv").string(),
                                    (dir_ / "hard.csv").string(), db + ".wal"}) {
    auto r = run_cli({"query", "export", target, "--format", "csv", "--force", "--db", db});
    EXPECT_EQ(r.exit_code, 1) << target << ": " << r.err;
    EXPECT_NE(r.err.find("open database"), std::string::npos) << target << ": " << r.err;
  }
  EXPECT_EQ(sha(db), before);
  EXPECT_FALSE(fs::exists(db + ".wal"));
}

TEST_F(TrustOutputs, Case1AnExistingExportFileNeedsForceAndIsReplacedWhole) {
  const std::string db = registry();
  const std::string out = (dir_ / "obs.csv").string();
  write_bytes(out, "keep me\n");
  auto refused = run_cli({"query", "export", out, "--db", db});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(out), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(read_bytes(out), "keep me\n");
  auto forced = run_cli({"query", "export", out, "--force", "--db", db, "--json"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  const auto rows = json::parse(forced.out)["rows"].get<std::int64_t>();
  EXPECT_GT(rows, 0);
  const std::string text = read_bytes(out);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), rows + 1);  // header + rows, nothing of the old file
  EXPECT_EQ(temporaries(dir_.path()), 0u);
}

// ---- case 3: db import verifies the manifest and reads DIR literally --------------------------------

TEST_F(TrustOutputs, Case3ImportOfAKilledExportIsRefusedAndImportsNothing) {
  const std::string db = registry();
  const std::string good = exported(db, "good");
  // What a kill mid-way left before manifests: the first tables' files, products included, no sources.
  fs::create_directories(dir_ / "killed");
  for (const char* t : {"schema_meta", "product_types", "assoc_types", "data_kinds", "locations", "products"})
    fs::copy_file(fs::path(good) / (std::string(t) + ".parquet"), dir_ / "killed" / (std::string(t) + ".parquet"));
  const std::string restored = (dir_ / "r.duckdb").string();
  auto r = run_cli({"db", "import", (dir_ / "killed").string(), "--db", restored});
  EXPECT_EQ(r.exit_code, 1) << r.out;  // was 0 with products and no sources
  EXPECT_NE(r.err.find("manifest.json"), std::string::npos) << r.err;
  // --no-verify still refuses: the subset lacks tables, which are named.
  auto nv = run_cli({"db", "import", (dir_ / "killed").string(), "--db", restored, "--no-verify"});
  EXPECT_EQ(nv.exit_code, 1);
  EXPECT_NE(nv.err.find("sources"), std::string::npos) << nv.err;
  EXPECT_EQ(count(restored, "products"), 0);

  // A real kill now: after 6 table files the process dies; no directory at the target.
  auto k = run_cli({"db", "export", (dir_ / "k").string(), "--db", db}, {"TOLTECA_FAULT_EXPORT_KILL_AFTER=6"});
  EXPECT_EQ(k.exit_code, 137);
  EXPECT_FALSE(fs::exists(dir_ / "k"));
  EXPECT_EQ(temporaries(dir_.path()), 1u);  // the dead process's temporary, hidden ...
  ASSERT_EQ(run_cli({"db", "export", (dir_ / "k").string(), "--db", db}).exit_code, 0);
  EXPECT_EQ(temporaries(dir_.path()), 0u);  // ... and cleared by the next export to that target
  // Killed while replacing an earlier export (--force): the earlier export is still whole and imports.
  auto k2 = run_cli({"db", "export", good, "--force", "--db", db}, {"TOLTECA_FAULT_EXPORT_KILL_AFTER=6"});
  EXPECT_EQ(k2.exit_code, 137);
  auto ok = run_cli({"db", "import", good, "--db", restored});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(describe_differences(canonical_tables(db), canonical_tables(restored)), "");
}

TEST_F(TrustOutputs, Case3ASubsetExportIsRefusedUnlessTheSubsetIsAskedForAndConsistent) {
  const std::string db = registry();
  const std::string sub = exported(db, "sub", {"--tables", "products"});
  const std::string restored = (dir_ / "r.duckdb").string();
  auto r = run_cli({"db", "import", sub, "--db", restored});
  EXPECT_EQ(r.exit_code, 1) << r.out;  // was 0: products without sources, locations, edges
  EXPECT_NE(r.err.find("incomplete"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sources"), std::string::npos) << r.err;
  EXPECT_EQ(count(restored, "products"), 0);

  const std::string full = exported(db, "full");
  auto lacks = run_cli({"db", "import", full, "--tables", "products,sources", "--db", restored});
  EXPECT_EQ(lacks.exit_code, 1);
  EXPECT_NE(lacks.err.find("sources needs products and locations"), std::string::npos) << lacks.err;
  EXPECT_NE(lacks.err.find("add locations"), std::string::npos) << lacks.err;
  auto edges = run_cli({"db", "import", full, "--tables", "edges", "--db", restored});
  EXPECT_EQ(edges.exit_code, 1);
  EXPECT_NE(edges.err.find("edges needs products"), std::string::npos) << edges.err;
  EXPECT_EQ(count(restored, "products"), 0);
  auto ok = run_cli({"db", "import", full, "--tables", "locations,products,sources", "--db", restored});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto want = canonical_tables(db), got = canonical_tables(restored);
  EXPECT_EQ(got["sources"], want["sources"]);
  EXPECT_EQ(got["products"], want["products"]);
  EXPECT_TRUE(got["edges"].empty());
}

TEST_F(TrustOutputs, Case3AnAlteredOrIncompleteExportNamesTheTableAndImportsNothing) {
  const std::string db = registry();
  const std::string good = exported(db, "good");
  const std::string restored = (dir_ / "r.duckdb").string();
  auto import_of = [&](const fs::path& d) { return run_cli({"db", "import", d.string(), "--db", restored}); };

  fs::copy(good, dir_ / "altered");
  std::string bytes = read_bytes(dir_ / "altered" / "sources.parquet");
  bytes[bytes.size() / 2] ^= 0x01;  // one bit
  write_bytes(dir_ / "altered" / "sources.parquet", bytes);
  auto a = import_of(dir_ / "altered");
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_NE(a.err.find("table sources"), std::string::npos) << a.err;
  EXPECT_NE(a.err.find("SHA-256"), std::string::npos) << a.err;

  fs::copy(good, dir_ / "missing");
  fs::remove(dir_ / "missing" / "edges.parquet");
  auto m = import_of(dir_ / "missing");
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("table edges"), std::string::npos) << m.err;

  fs::copy(good, dir_ / "version");
  auto man = json::parse(read_bytes(dir_ / "version" / "manifest.json"));
  man["schema_version"] = 99;
  write_bytes(dir_ / "version" / "manifest.json", man.dump());
  auto v = import_of(dir_ / "version");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.err.find("schema version 99"), std::string::npos) << v.err;

  EXPECT_EQ(count(restored, "products"), 0);
  EXPECT_EQ(count(restored, "locations"), 0);
  // The manifest: tool, versions, per table file, rows and checksum.
  auto good_man = json::parse(read_bytes(fs::path(good) / "manifest.json"));
  EXPECT_EQ(good_man["schema_version"], storage::duckdb::kSchemaVersion);
  EXPECT_EQ(good_man["format"], "parquet");
  EXPECT_EQ(good_man["tables"].size(), 11u);
  for (const auto& t : good_man["tables"])
    EXPECT_EQ(t["sha256"], sha((fs::path(good) / t["file"].get<std::string>()).string())) << t;
}

TEST_F(TrustOutputs, Case3ADirectoryNameWithGlobCharactersIsTakenLiterally) {
  const std::string db = registry();
  // "other" has a location of another name and no observations.
  const std::string other = (dir_ / "other.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", other, "--location", "ELSEWHERE", "--data-root", "/x"}).exit_code, 0);
  exported(db, "exp1");
  const std::string bracket = exported(other, "exp[12]");  // as a glob, exp[12] matches exp1
  const std::string restored = (dir_ / "r.duckdb").string();
  auto r = run_cli({"db", "import", bracket, "--db", restored});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto c = canonical_tables(restored);
  ASSERT_EQ(c["locations"].size(), 1u);
  EXPECT_NE(c["locations"][0].find("ELSEWHERE"), std::string::npos) << c["locations"][0];  // was LMT (exp1's)
  EXPECT_TRUE(c["products"].empty());

  // Variant: CSV files under a name with * and ?.
  exported(db, "csv1", {"--format", "csv"});
  const std::string star = exported(other, "csv*?", {"--format", "csv"});
  const std::string restored2 = (dir_ / "r2.duckdb").string();
  auto r2 = run_cli({"db", "import", star, "--db", restored2});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  auto c2 = canonical_tables(restored2);
  ASSERT_EQ(c2["locations"].size(), 1u);
  EXPECT_NE(c2["locations"][0].find("ELSEWHERE"), std::string::npos) << c2["locations"][0];
  EXPECT_TRUE(c2["products"].empty());
}

TEST_F(TrustOutputs, Case3DbExportRefusesAnExistingDirectoryAndTheDatabaseItself) {
  const std::string db = registry();
  const std::string good = exported(db, "good");
  auto again = run_cli({"db", "export", good, "--db", db});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(run_cli({"db", "export", good, "--db", db, "--force"}).exit_code, 0);
  // The directory holding the database: refused, --force or not.
  const std::string before = sha(db);
  auto self = run_cli({"db", "export", dir_.str(), "--db", db, "--force"});
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_NE(self.err.find("open database"), std::string::npos) << self.err;
  // --force replaces only an earlier export, not any directory.
  write_bytes(dir_ / "notes" / "thesis.tex", "precious");
  auto notes = run_cli({"db", "export", (dir_ / "notes").string(), "--db", db, "--force"});
  EXPECT_EQ(notes.exit_code, 1);
  EXPECT_NE(notes.err.find("not a tolteca_db export"), std::string::npos) << notes.err;
  EXPECT_EQ(read_bytes(dir_ / "notes" / "thesis.tex"), "precious");
  EXPECT_EQ(sha(db), before);
  EXPECT_EQ(temporaries(dir_.path()), 0u);
}

// ---- case 9: simulate never overwrites a registry or a catalogue ------------------------------------

TEST_F(TrustOutputs, Case9SimulateRefusesToOverwriteTheRegistryAndTheCatalogue) {
  const std::string reg = registry("reg.duckdb");
  const std::string keep = (dir_ / "keep.csv").string();
  write_bytes(keep, "precious,catalogue\n");
  const std::string before = sha(reg);
  const std::string out = (dir_ / "OUT").string();
  auto r = run_cli({"simulate", out, "--toltec-db", reg, "--catalog", keep, "--scale", "0.05", "--quiet"});
  EXPECT_EQ(r.exit_code, 1);  // was 0, and both were replaced
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(sha(reg), before);
  EXPECT_EQ(read_bytes(keep), "precious,catalogue\n");
  EXPECT_FALSE(fs::exists(out));  // refused before anything was written
  auto only_csv = run_cli({"simulate", out, "--catalog", keep, "--scale", "0.05", "--quiet"});
  EXPECT_EQ(only_csv.exit_code, 1);
  EXPECT_NE(only_csv.err.find(keep), std::string::npos) << only_csv.err;
  EXPECT_EQ(read_bytes(keep), "precious,catalogue\n");
  EXPECT_EQ(describe_differences(canonical_tables((*suite_ / "reg.duckdb").string()), canonical_tables(reg)), "");
}

TEST_F(TrustOutputs, Case9ANonEmptyOutNeedsForceAndForceReplacesTheFilesWhole) {
  const std::string out = (dir_ / "OUT").string();
  const std::string sdb = (dir_ / "site.sqlite").string(), csv = (dir_ / "cat.csv").string();
  ASSERT_EQ(run_cli({"simulate", out, "--scale", "0.05", "--quiet"}).exit_code, 0);
  auto again = run_cli({"simulate", out, "--scale", "0.05", "--quiet"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  auto same = run_cli({"simulate", (dir_ / "OUT2").string(), "--catalog", csv, "--toltec-db", csv, "--quiet"});
  EXPECT_EQ(same.exit_code, 1);
  EXPECT_NE(same.err.find("same file"), std::string::npos) << same.err;
  write_bytes(sdb, "not a database");
  write_bytes(csv, "old");
  auto forced = run_cli(
      {"simulate", out, "--scale", "0.05", "--quiet", "--force", "--toltec-db", sdb, "--catalog", csv});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_bytes(csv).rfind("ObsNum,", 0), 0u);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2(sdb.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT count(*) FROM toltec", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_GT(sqlite3_column_int(st, 0), 10);
  sqlite3_finalize(st);
  sqlite3_close(h);
  EXPECT_EQ(temporaries(dir_.path()), 0u);
}

}  // namespace
}  // namespace tolteca::test
