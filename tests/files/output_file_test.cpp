// files::OutputFile / OutputDir / check_output_target: the contract in src/files/output_file.h.
#include "files/output_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "files/sha256.h"
#include "model/error.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace tolteca;
using namespace tolteca::files;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST(OutputFile, CommitRenamesTheTemporaryIntoPlaceInTheSameDirectory) {
  TempDir dir;
  const std::string target = (dir / "out.csv").string();
  OutputFile out(target, {});
  EXPECT_EQ(fs::path(out.temp_path()).parent_path(), dir.path());
  EXPECT_EQ(fs::path(out.temp_path()).extension(), ".csv");  // readers that look at the extension still work
  EXPECT_FALSE(fs::exists(target));
  out.write("a,b\n1,2\n");
  EXPECT_FALSE(fs::exists(target));  // nothing at the target until commit
  out.commit();
  EXPECT_EQ(read_bytes(target), "a,b\n1,2\n");
  EXPECT_FALSE(fs::exists(out.temp_path()));
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(OutputFile, DestructionWithoutCommitLeavesNothing) {
  TempDir dir;
  write_bytes(dir / "old.csv", "old");
  {
    OutputFile out((dir / "old.csv").string(), {true, {}});
    out.write("partial");
    EXPECT_TRUE(fs::exists(out.temp_path()));
  }
  EXPECT_EQ(read_bytes(dir / "old.csv"), "old");  // the old file, not a partial one
  EXPECT_EQ(entries(dir.path()), 1u);
  {
    OutputFile out((dir / "new.csv").string(), {});
    out.write("partial");
  }
  EXPECT_FALSE(fs::exists(dir / "new.csv"));
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(OutputFile, AnExistingTargetNeedsForce) {
  TempDir dir;
  write_bytes(dir / "x.json", "keep");
  auto err = error_of([&] { OutputFile((dir / "x.json").string(), {}); });
  EXPECT_NE(err.find((dir / "x.json").string()), std::string::npos) << err;
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  EXPECT_EQ(read_bytes(dir / "x.json"), "keep");
  write_file_atomically((dir / "x.json").string(), "new", {true, {}});
  EXPECT_EQ(read_bytes(dir / "x.json"), "new");
  // A directory is never a file target; a missing parent directory is named.
  EXPECT_NE(error_of([&] { OutputFile(dir.str(), {true, {}}); }).find("is a directory"), std::string::npos);
  EXPECT_NE(error_of([&] { OutputFile((dir / "no/x.csv").string(), {}); }).find("does not exist"), std::string::npos);
}

TEST(OutputFile, TheProtectedFileIsRefusedWhateverItsSpellingAndWhateverForce) {
  TempDir dir;
  fs::create_directories(dir / "sub");
  const std::string db = (dir / "reg.duckdb").string();
  write_bytes(db, "DATABASE");
  fs::create_symlink(db, dir / "link.duckdb");
  ASSERT_EQ(::link(db.c_str(), (dir / "hard.duckdb").c_str()), 0);
  const OutputPolicy policy{true, {db, db + ".wal"}};
  for (const std::string& spelling :
       {db, (dir / "sub/../reg.duckdb").string(), (dir / "./reg.duckdb").string(), (dir / "link.duckdb").string(),
        (dir / "hard.duckdb").string(), db + ".wal" /* not yet there: by normalised path */,
        (dir / "sub/../reg.duckdb.wal").string()}) {
    auto err = error_of([&] { OutputFile(spelling, policy); });
    EXPECT_NE(err.find("open database"), std::string::npos) << spelling << ": " << err;
  }
  EXPECT_EQ(read_bytes(db), "DATABASE");
  // Another file beside it is fine.
  write_file_atomically((dir / "other.csv").string(), "ok", policy);
  EXPECT_EQ(read_bytes(dir / "other.csv"), "ok");
}

TEST(OutputFile, SameFileComparesInodesThenNormalisedPaths) {
  TempDir dir;
  write_bytes(dir / "a", "1");
  write_bytes(dir / "b", "1");
  EXPECT_TRUE(same_file((dir / "a").string(), (dir / "./a").string()));
  EXPECT_FALSE(same_file((dir / "a").string(), (dir / "b").string()));
  EXPECT_TRUE(same_file((dir / "x/../c").string(), (dir / "c").string()));
  EXPECT_FALSE(same_file((dir / "c").string(), (dir / "d").string()));
}

TEST(OutputDir, FillsASiblingThenSwapsItIntoPlace) {
  TempDir dir;
  const std::string target = (dir / "export").string();
  {
    OutputDir out(target, {});
    EXPECT_EQ(fs::path(out.temp_path()).parent_path(), dir.path());
    write_bytes(fs::path(out.temp_path()) / "t.csv", "v1");
    EXPECT_FALSE(fs::exists(target));
    out.commit();
  }
  EXPECT_EQ(read_bytes(fs::path(target) / "t.csv"), "v1");
  EXPECT_EQ(entries(dir.path()), 1u);
  // Non-empty: refused without force; with force the old tree is replaced as a whole.
  EXPECT_NE(error_of([&] { OutputDir(target, {}); }).find("--force"), std::string::npos);
  {
    OutputDir out(target, {true, {}});
    write_bytes(fs::path(out.temp_path()) / "u.csv", "v2");
    out.commit();
  }
  EXPECT_FALSE(fs::exists(fs::path(target) / "t.csv"));
  EXPECT_EQ(read_bytes(fs::path(target) / "u.csv"), "v2");
  EXPECT_EQ(entries(dir.path()), 1u);
  // Abandoned: the old export stays, the temporary goes.
  {
    OutputDir out(target, {true, {}});
    write_bytes(fs::path(out.temp_path()) / "w.csv", "partial");
  }
  EXPECT_EQ(read_bytes(fs::path(target) / "u.csv"), "v2");
  EXPECT_EQ(entries(dir.path()), 1u);
  // An empty existing directory is accepted without force.
  fs::create_directories(dir / "empty");
  OutputDir ok((dir / "empty").string(), {});
  ok.commit();
}

TEST(OutputDir, ADirectoryHoldingTheDatabaseIsRefusedEvenWithForce) {
  TempDir dir;
  write_bytes(dir / "db" / "reg.duckdb", "DATABASE");
  const OutputPolicy policy{true, {(dir / "db" / "reg.duckdb").string()}};
  auto err = error_of([&] { OutputDir((dir / "db").string(), policy); });
  EXPECT_NE(err.find("open database"), std::string::npos) << err;
  err = error_of([&] { OutputDir(dir.str(), policy); });
  EXPECT_NE(err.find("open database"), std::string::npos) << err;
  EXPECT_EQ(read_bytes(dir / "db" / "reg.duckdb"), "DATABASE");
}

TEST(Sha256, KnownVectors) {
  TempDir dir;
  write_bytes(dir / "abc", "abc");
  EXPECT_EQ(sha256_hex_file((dir / "abc").string()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  write_bytes(dir / "empty", "");
  EXPECT_EQ(sha256_hex_file((dir / "empty").string()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_THROW(sha256_hex_file((dir / "none").string()), UserError);
}
