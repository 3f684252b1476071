#include "assoc/named.h"

#include <fmt/format.h>

#include <algorithm>

#include "assoc/errors.h"
#include "model/error.h"
#include "query/spec.h"

namespace tolteca::assoc {

namespace {

void check_name(const std::string& name) {
  if (name.empty()) throw EmptyGroupName();
  if (name.size() > 200) throw UserError(fmt::format("group name '{}…' is longer than 200 characters", name.substr(0, 40)));
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == ' ')
      throw UserError(fmt::format("group name '{}' contains a blank or control character", name));
}

// Product ids the texts select: a spec, or an exact product uid / name.
std::vector<std::int64_t> resolve(storage::AssocStore& repo, const std::vector<std::string>& texts, bool require_match) {
  if (texts.empty()) throw NoGroupSpecs();
  std::vector<std::int64_t> ids;
  for (const auto& t : texts) {
    std::vector<std::int64_t> got;
    try {
      got = repo.resolve_spec(query::parse_spec(t));
    } catch (const query::SpecError&) {
      auto id = repo.product_by_uid_or_name(t);
      if (!id) throw;  // the spec error points at the offending character
      got.push_back(*id);
    }
    if (got.empty() && require_match) throw UserError(fmt::format("spec '{}' selects no observation", t));
    ids.insert(ids.end(), got.begin(), got.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::int64_t require_group(storage::AssocStore& repo, const std::string& name) {
  auto id = repo.named_group_id(name);
  if (!id) throw NamedGroupMissing(name);
  return *id;
}

std::int64_t count_members(storage::AssocStore& repo, std::int64_t gid) {
  return static_cast<std::int64_t>(repo.named_members(gid).size());
}

}  // namespace

NamedGroupChange create_named_group(storage::AssocStore& repo, const std::string& name, const std::vector<std::string>& specs) {
  check_name(name);
  auto tx = repo.begin();
  if (repo.named_group_id(name)) throw NamedGroupExists(name);
  auto ids = resolve(repo, specs, true);
  NamedGroupChange c;
  c.name = name;
  c.created = true;
  c.matched = static_cast<std::int64_t>(ids.size());
  const std::int64_t gid = repo.create_named_group(name);
  ids.erase(std::remove(ids.begin(), ids.end(), gid), ids.end());
  c.added = repo.add_named_members(gid, ids);
  c.n_items = count_members(repo, gid);
  repo.log_event(fmt::format("named group {} created with {} member(s)", name, c.n_items), "{}");
  tx->commit();
  return c;
}

namespace {
// Adds (add) or removes the products the specs select, in one transaction (a group never holds itself).
NamedGroupChange change_members(storage::AssocStore& repo, const std::string& name,
                                const std::vector<std::string>& specs, bool add) {
  auto tx = repo.begin();
  const std::int64_t gid = require_group(repo, name);
  auto ids = resolve(repo, specs, add);
  if (add) ids.erase(std::remove(ids.begin(), ids.end(), gid), ids.end());
  NamedGroupChange c;
  c.name = name;
  c.matched = static_cast<std::int64_t>(ids.size());
  if (add)
    c.added = repo.add_named_members(gid, ids);
  else
    c.removed = repo.remove_named_members(gid, ids);
  c.n_items = count_members(repo, gid);
  tx->commit();
  return c;
}
}  // namespace

NamedGroupChange add_to_named_group(storage::AssocStore& repo, const std::string& name, const std::vector<std::string>& specs) {
  return change_members(repo, name, specs, true);
}

NamedGroupChange remove_from_named_group(storage::AssocStore& repo, const std::string& name,
                                         const std::vector<std::string>& specs) {
  return change_members(repo, name, specs, false);
}

void delete_named_group(storage::AssocStore& repo, const std::string& name) {
  auto tx = repo.begin();
  repo.delete_named_group(require_group(repo, name));
  repo.log_event(fmt::format("named group {} deleted", name), "{}");
  tx->commit();
}

std::vector<NamedGroupInfo> list_named_groups(storage::AssocStore& repo, bool with_members) {
  std::vector<NamedGroupInfo> out;
  for (const auto& r : repo.named_groups()) {
    NamedGroupInfo i{r.name, r.n_items, r.created_at, r.updated_at, {}};
    if (with_members) i.members = repo.named_members(r.id);
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace tolteca::assoc
