#pragma once
// Data roots of locations, as paths (no database): how a root is written down,
// how the real root of an archive is found from a directory inside it, and how
// a root grows to take in a directory outside it. Locations themselves (SQL)
// are in db/location_repo.h; resolve_location() in ingest.h combines the two.
#include <optional>
#include <string>

namespace tolteca::ingest {

// The stored form of a root: absolute (against the current directory), "~" and
// "~/…" expanded from $HOME, lexically normalised ("a/./b/../c" -> "a/c"), no
// trailing '/'. Symlinks are NOT resolved (a root on a symlinked mount stays as
// the user wrote it). Throws UserError for an empty path or "~user".
std::string absolute_root(const std::string& path);

// True when dir looks like the top of a TolTEC archive (a `data_lmt`): it holds
// `tel/`, or `toltec/` with one of `ics/`, `tcs/`, `clip/`.
bool looks_like_data_root(const std::string& dir);

// The data root an ingest of `dir` should create a location with: the nearest
// of dir and its ancestors that looks_like_data_root(); else dir itself.
// Both in absolute_root() form.
std::string detect_data_root(const std::string& dir);

// The deepest common ancestor of two absolute_root() paths ("/" at worst).
std::string common_ancestor(const std::string& a, const std::string& b);

// rel_path of `path` under `root` (both absolute_root() form): "" when equal,
// nullopt when path is not under root. Purely lexical.
std::optional<std::string> lexical_relative(const std::string& path, const std::string& root);

}  // namespace tolteca::ingest
