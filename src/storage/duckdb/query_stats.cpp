// query stats (query_repo.h query_stats).
#include "storage/duckdb/query_repo.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include "storage/duckdb/admin.h"
#include "files/output_file.h"
#include "model/error.h"
#include "model/time_arg.h"
#include "model/rel_path.h"
#include "storage/errors.h"
#include "storage/duckdb/query_sql.h"

namespace tolteca::storage::duckdb {

using namespace sql;

// ---- stats ------------------------------------------------------------------------

query::Stats query_stats(Session& s) {
  query::Stats st;
  auto& con = s.con();
  // One small GROUP BY over products (types x masters x kinds: a few dozen
  // groups); totals, per master and per kind are summed here.
  std::map<std::string, std::int64_t> per_master, per_group_type;
  std::vector<std::int64_t> per_kind(all_data_kinds().size(), 0);
  for (auto& r : con.query("SELECT product_type, master, data_kind, count(*), min(obs_start_time), "
                           "max(obs_start_time) FROM products GROUP BY ALL")
                     .rows()) {
    std::string type = as_str(r[0]);
    std::int64_t n = as_int(r[3]);
    if (type == product_type::raw_obs) {
      st.observations += n;
      per_master[as_str(r[1])] += n;
      auto kind = static_cast<DataKindBits>(as_int(r[2]));
      for (std::size_t k = 0; k < all_data_kinds().size(); ++k)
        if (has(kind, all_data_kinds()[k].kind)) per_kind[k] += n;
      auto lo = opt_time(r[4]), hi = opt_time(r[5]);
      if (lo && (!st.first_start || *lo < *st.first_start)) st.first_start = lo;
      if (hi && (!st.last_start || *hi > *st.last_start)) st.last_start = hi;
    } else if (type == product_type::reduced_obs) {
      st.reduced += n;
    } else if (type.rfind(product_type::prefix, 0) == 0) {
      st.groups += n;
      per_group_type[type_of_product(type)] += n;
    }
  }
  for (const char* m : {"tcs", "ics", "clip"})
    if (per_master.count(m)) st.per_master.push_back({m, per_master[m]});
  for (auto& [m, n] : per_master)
    if (m != "tcs" && m != "ics" && m != "clip") st.per_master.push_back({m.empty() ? "(none)" : m, n});
  for (std::size_t k = 0; k < per_kind.size(); ++k)
    st.per_kind.push_back({std::string(all_data_kinds()[k].name), per_kind[k]});
  for (auto& [t, n] : per_group_type) st.groups_per_type.push_back({t, n});
  for (auto& r : con.query("SELECT assoc_type, count(*) FROM edges GROUP BY 1 ORDER BY 1").rows()) {
    st.edges_per_type.push_back({as_str(r[0]), as_int(r[1])});
    st.edges += as_int(r[1]);
  }
  // Nights: group by the DATE (formatting 1M timestamps in SQL costs more than the scan).
  for (auto& r : con.query(fmt::format("SELECT CAST(obs_start_time AS DATE) AS d, count(*) FROM products "
                                       "WHERE product_type = {} AND obs_start_time IS NOT NULL GROUP BY 1 ORDER BY 1",
                                       kRaw))
                     .rows())
    if (auto t = opt_time(r[0])) st.per_night.push_back({format_iso8601(*t).substr(0, 10), as_int(r[1])});
  // Files per interface, then the (rare) missing ones per interface: two
  // cheap scans rather than one with a per-row filter, and no per-interface
  // distinct count of observations (a hash-distinct over every file row).
  std::map<std::string, std::size_t> net_index;
  for (auto& r : con.query("SELECT interface, count(*) FROM sources GROUP BY 1").rows())
    st.networks.push_back({as_str(r[0]), as_int(r[1]), 0});
  // Networks in number order, then the other interfaces by name.
  auto net_key = [](const std::string& i) {
    bool net = i.rfind("toltec", 0) == 0 && i.size() > 6 && std::isdigit(static_cast<unsigned char>(i[6]));
    return std::make_pair(net ? std::stoi(i.substr(6)) : 1000, i);
  };
  std::sort(st.networks.begin(), st.networks.end(),
            [&](const auto& a, const auto& b) { return net_key(a.interface) < net_key(b.interface); });
  for (std::size_t i = 0; i < st.networks.size(); ++i) {
    net_index[st.networks[i].interface] = i;
    st.files += st.networks[i].files;
  }
  for (auto& r : con.query("SELECT interface, count(*) FROM sources WHERE availability = 'missing' GROUP BY 1").rows()) {
    auto it = net_index.find(as_str(r[0]));
    if (it != net_index.end()) st.networks[it->second].missing = as_int(r[1]);
    st.missing_files += as_int(r[1]);
  }
  st.failed_ingests = con.scalar_int("SELECT count(*) FROM events WHERE kind = 'failed'").value_or(0);
  for (auto& r : con.query("SELECT time, subject, message FROM events WHERE kind = 'failed' "
                           "ORDER BY time DESC, id DESC LIMIT 10")
                     .rows())
    st.recent_failures.push_back({opt_time(r[0]), as_str(r[1]), as_str(r[2])});
  st.db_size = database_file_size(s);
  return st;
}

}  // namespace tolteca::storage::duckdb
