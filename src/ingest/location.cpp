// resolve_location(): which location an ingest writes to, creating it or
// extending its root first (see ingest.h).
#include <fmt/format.h>

#include "storage/registry.h"
#include "ingest/data_root.h"
#include "ingest/errors.h"
#include "ingest/ingest.h"
#include "model/error.h"

namespace tolteca::ingest {

namespace {

std::optional<storage::Location> pick_location(storage::Registry& s, const std::string& label, std::string& use_label) {
  use_label = label;
  if (!label.empty()) return s.locations().find(label);
  auto all = s.locations().list();
  if (all.size() == 1) {
    use_label = all[0].label;
    return all[0];
  }
  if (all.size() > 1) {
    std::vector<std::string> labels;
    for (const auto& l : all) labels.push_back(l.label);
    throw SeveralLocations(std::move(labels));
  }
  use_label = "local";
  return std::nullopt;
}

// Extends loc's root so that it contains dir (both absolute), or throws before anything is written.
void extend_root(storage::Registry& s, const storage::Location& loc, const std::string& dir, bool write, ResolvedLocation& out) {
  const std::string old_root = absolute_root(loc.root_path);
  const std::string new_root = common_ancestor(old_root, dir);
  auto refuse = [&](const std::string& why) { return RootCannotGrow(dir, loc.root_path, loc.label, why); };
  if (new_root == "/") throw refuse("their only common ancestor is /");
  const auto lex = lexical_relative(old_root, new_root);
  const auto real = relative_to(canonical_path(old_root), canonical_path(new_root));
  if (!lex || !real || *lex != *real) throw refuse(fmt::format("symlinks make {} ambiguous", new_root));
  out.root = new_root;
  out.extended_from = loc.root_path;
  if (write) out.paths_rewritten = s.locations().rebase(loc.id, new_root, "", *lex + "/");
}

}  // namespace

ResolvedLocation resolve_location(storage::Registry& s, const std::string& label, const std::string& data_root,
                                  const std::string& must_contain, bool create) {
  const std::string want_root = data_root.empty() ? std::string() : absolute_root(data_root);
  std::string use_label;
  std::optional<storage::Location> loc = pick_location(s, label, use_label);
  ResolvedLocation out;
  out.label = use_label;
  if (loc) {
    out.id = loc->id;
    out.root = loc->root_path;
    if (!want_root.empty() && canonical_path(want_root) != canonical_path(loc->root_path))
      throw RootMismatch(loc->label, loc->root_path, want_root);
    if (!must_contain.empty()) {
      const std::string dir = absolute_root(must_contain);
      if (!relative_to(canonical_path(dir), canonical_path(loc->root_path))) {
        if (!want_root.empty())  // the user named the root: no silent growth
          throw OutsideGivenRoot(dir, loc->root_path, loc->label);
        extend_root(s, *loc, dir, create, out);
      }
    }
    return out;
  }
  if (!want_root.empty())
    out.root = want_root;
  else if (!must_contain.empty())
    out.root = detect_data_root(must_contain);
  else
    throw LocationNeedsRoot(use_label);
  if (!must_contain.empty() && !relative_to(canonical_path(must_contain), canonical_path(out.root)))
    throw UserError(fmt::format("{} is not under the data root {} given for the new location {}; nothing was written",
                                must_contain, out.root, use_label));
  if (!create) return out;
  auto made = s.locations().upsert(use_label, out.root);
  out.id = made.id;
  out.created = true;
  return out;
}

LocationMove move_location(storage::Registry& s, const std::string& label, const std::string& new_root, bool keep_paths) {
  auto loc = s.locations().find(label);
  if (!loc) throw UnknownLocation(label);
  LocationMove m;
  m.label = label;
  m.old_root = loc->root_path;
  m.new_root = absolute_root(new_root);
  m.files = s.locations().usage(loc->id).files;
  const std::string old_root = absolute_root(loc->root_path);
  std::string strip, add;
  if (m.new_root == old_root) {
    m.mode = "unchanged";
  } else if (auto up = lexical_relative(old_root, m.new_root); up && !keep_paths) {
    m.mode = "ancestor";
    add = *up + "/";
  } else if (auto down = lexical_relative(m.new_root, old_root); down && !keep_paths) {
    m.mode = "descendant";
    strip = *down + "/";
  } else {
    m.mode = "moved";
  }
  m.rewritten = s.locations().rebase(loc->id, m.new_root, strip, add);
  return m;
}

}  // namespace tolteca::ingest
