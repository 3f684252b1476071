#pragma once
// Safe output files and directories: every file the tool writes for the user
// (query export, db export, simulate's catalogue and site database, the
// association state file) goes through here.
//
// Contract:
// - The target is checked before anything is written (check_output_target):
//   * a target that IS one of the protected paths (the open database and its
//     .wal) is refused ALWAYS, --force or not, whatever the spelling: an
//     existing target is compared by device + inode with each existing
//     protected file (catches ./x/../db, symlinks, hard links); a target that
//     does not exist yet is compared by its normalised absolute path
//     (weakly_canonical) with each protected path;
//   * a directory target that CONTAINS a protected file is refused always;
//   * an existing target is refused unless `force` (UserError naming the path
//     and saying --force); a file target that is a directory is refused.
// - Data goes to a temporary name in the target's directory
//   (".tolteca-tmp.<pid>.<n>.<name>": same filesystem, extension kept so
//   readers that look at it, e.g. DuckDB's compression detection, still work).
//   Temporaries of the same target left by a killed process (pid gone) are
//   removed when the next OutputFile/OutputDir for that target is made.
// - commit() fsyncs the temporary, renames it over the target and fsyncs the
//   directory: a kill or a full disk leaves the old target or nothing, never a
//   partial file. Destruction without commit() removes the temporary.
// - OutputDir does the same for a directory: the caller fills temp_path(), a
//   fresh sibling directory; commit() fsyncs every file in it and swaps it into
//   place (renameat2 RENAME_EXCHANGE when the target exists, so an existing
//   export is replaced atomically), then removes the old tree.
// All failures throw tolteca::UserError naming the path.
#include <filesystem>
#include <string>
#include <vector>

namespace tolteca::files {

struct OutputPolicy {
  bool force = false;                        // --force: an existing target may be replaced
  std::vector<std::string> protected_paths;  // never written (the open database and its .wal)
};

enum class OutputKind { file, directory };

// Throws UserError when `target` must not be written under `policy` (see above).
// A directory target that exists but is empty is accepted without force.
void check_output_target(const std::string& target, OutputKind kind, const OutputPolicy& policy);

// True when the two paths name the same file (device + inode when both exist,
// else the same normalised absolute path).
bool same_file(const std::string& a, const std::string& b);

class OutputFile {
 public:
  // Checks the target (check_output_target) and picks the temporary name; creates nothing.
  OutputFile(std::string target, const OutputPolicy& policy);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& target() const { return target_; }
  // Where the caller (or a library such as DuckDB or SQLite) writes the data.
  const std::string& temp_path() const { return temp_; }
  // Writes `content` to the temporary (replacing what it holds).
  void write(const std::string& content);
  // fsync temporary, rename over target, fsync directory. Throws UserError
  // (the temporary is removed) when the temporary is missing or a step fails.
  void commit();

 private:
  std::string target_;
  bool force_ = false;
  std::vector<std::string> protected_;
  std::string temp_;
  bool committed_ = false;
};

class OutputDir {
 public:
  // Checks the target directory and creates the empty temporary sibling directory.
  OutputDir(std::string target, const OutputPolicy& policy);
  ~OutputDir();  // removes the temporary tree unless committed
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  const std::string& target() const { return target_; }
  const std::string& temp_path() const { return temp_; }
  // fsync each file and the temporary directory, swap it into place, fsync the parent.
  void commit();

 private:
  std::string target_;
  std::string temp_;
  bool committed_ = false;
};

// Writes path atomically (OutputFile with the given policy; default: force,
// nothing protected, as for a state file the tool owns).
void write_file_atomically(const std::string& path, const std::string& content,
                           const OutputPolicy& policy = OutputPolicy{true, {}});

}  // namespace tolteca::files
