#pragma once
// Named groups: products grouped by a user (product dp_named_group, uid
// "named:<NAME>", edges dpa_named_group_data_prod group -> member). Members
// are chosen with observation specs (query/spec.h) or exact product uids /
// names (e.g. a cal group "cal_group:ics-18341-0-0" or "ics-18341-g3-cal").
#include <cstdint>
#include <string>
#include <vector>

#include "storage/assoc_store.h"

namespace tolteca::assoc {

struct NamedGroupChange {
  std::string name;
  bool created = false;
  std::int64_t matched = 0;  // products the specs selected
  std::int64_t added = 0, removed = 0;
  std::int64_t n_items = 0;  // members afterwards
};

struct NamedGroupInfo {
  std::string name;
  std::int64_t n_items = 0;
  std::int64_t created_at = 0, updated_at = 0;  // microseconds since the epoch
  std::vector<std::string> members;             // uids (when asked for)
};

// Each runs in one transaction of the store. Throws (assoc/errors.h)
// EmptyGroupName, NamedGroupExists (create), NamedGroupMissing
// (add/remove/delete), NoGroupSpecs; UserError for a name that is too long
// or holds a blank or control character and for a spec that selects nothing;
// query::SpecError for a spec that does not parse (pointing at the character).
NamedGroupChange create_named_group(storage::AssocStore& s, const std::string& name, const std::vector<std::string>& specs);
NamedGroupChange add_to_named_group(storage::AssocStore& s, const std::string& name, const std::vector<std::string>& specs);
NamedGroupChange remove_from_named_group(storage::AssocStore& s, const std::string& name,
                                         const std::vector<std::string>& specs);
void delete_named_group(storage::AssocStore& s, const std::string& name);
std::vector<NamedGroupInfo> list_named_groups(storage::AssocStore& s, bool with_members);

}  // namespace tolteca::assoc
