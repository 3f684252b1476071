#pragma once
// Named groups: products grouped by a user (product dp_named_group, uid
// "named:<NAME>", edges dpa_named_group_data_prod group -> member). Members
// are chosen with observation specs (query/spec.h) or exact product uids /
// names (e.g. a cal group "cal_group:ics-18341-0-0" or "ics-18341-g3-cal").
#include <cstdint>
#include <string>
#include <vector>

#include "db/session.h"

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

// Throws UserError: empty/bad name, existing group (create), missing group
// (add/remove/delete), a spec that does not parse (pointing at the
// character) or selects nothing.
NamedGroupChange create_named_group(db::Session& s, const std::string& name, const std::vector<std::string>& specs);
NamedGroupChange add_to_named_group(db::Session& s, const std::string& name, const std::vector<std::string>& specs);
NamedGroupChange remove_from_named_group(db::Session& s, const std::string& name,
                                         const std::vector<std::string>& specs);
void delete_named_group(db::Session& s, const std::string& name);
std::vector<NamedGroupInfo> list_named_groups(db::Session& s, bool with_members);

}  // namespace tolteca::assoc
