#include "query/fixture.h"

#include <fmt/format.h>

#include "storage/duckdb/file_summary.h"
#include "support/test_db.h"

namespace tolteca::test {

Registry::Registry(const std::string& url) {
  session = fresh_registry(url);
}

std::int64_t Registry::location(const std::string& label, const std::string& root, int priority) {
  auto st = con().prepare("INSERT INTO locations (label, root_path, priority) VALUES (?, ?, ?) RETURNING id");
  st.bind(1, label).bind(2, root).bind(3, priority);
  return std::get<std::int64_t>(st.execute().rows()[0][0]);
}

std::int64_t Registry::raw_obs(const Quartet& q, const std::string& start, std::uint32_t kind,
                               const std::optional<std::string>& goal, const std::optional<std::string>& source,
                               const std::optional<std::string>& project, std::optional<double> tau) {
  auto st = con().prepare(
      "INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, obs_start_time, "
      "obs_goal, source_name, project_id, tau, ingest_seq) VALUES ('dp_raw_obs', ?, ?, ?, ?, ?, ?, ?, "
      "CAST(? AS TIMESTAMP), ?, ?, ?, ?, nextval('seq_ingest')) RETURNING id");
  std::string uid = to_string(q);
  st.bind(1, uid).bind(2, uid).bind(3, std::string(to_string(q.master))).bind(4, q.obsnum).bind(5, q.subobsnum);
  st.bind(6, q.scannum).bind(7, static_cast<std::int64_t>(kind)).bind(8, start);
  st.bind(9, goal).bind(10, source).bind(11, project).bind(12, tau);
  return std::get<std::int64_t>(st.execute().rows()[0][0]);
}

std::int64_t Registry::source(std::int64_t product_id, std::int64_t location_id, const std::string& rel_path,
                              const std::string& interface, std::uint32_t kind, bool available, bool is_raw) {
  auto st = con().prepare(
      "INSERT INTO sources (product_id, location_id, rel_path, interface, roach, data_kind, is_raw, availability, size) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1000) RETURNING id");
  std::optional<std::int64_t> roach;
  if (interface.rfind("toltec", 0) == 0 && interface.size() > 6 && std::isdigit(static_cast<unsigned char>(interface[6])))
    roach = std::stoll(interface.substr(6));
  st.bind(1, product_id).bind(2, location_id).bind(3, rel_path).bind(4, interface).bind(5, roach);
  st.bind(6, static_cast<std::int64_t>(kind)).bind(7, is_raw).bind(8, available ? "available" : "missing");
  auto id = std::get<std::int64_t>(st.execute().rows()[0][0]);
  // Every writer of sources keeps the observation's file summary (query obs reads it); so does this one.
  storage::duckdb::refresh_file_summaries(con(), {product_id});
  return id;
}

int Registry::network_files(std::int64_t product_id, std::int64_t location_id, const Quartet& q,
                            const std::string& stamp, const std::vector<int>& networks, const std::string& suffix,
                            std::uint32_t kind) {
  int n = 0;
  std::string m(to_string(q.master));
  for (int net : networks) {
    std::string name = fmt::format("toltec{}_{:06d}_{:03d}_{:04d}_{}{}.nc", net, q.obsnum, q.subobsnum, q.scannum,
                                   stamp, suffix.empty() ? "" : "_" + suffix);
    source(product_id, location_id, fmt::format("toltec/{}/toltec{}/{}", m, net, name), fmt::format("toltec{}", net),
           kind);
    ++n;
  }
  if (q.master == Master::tcs) {
    std::string date = stamp.substr(0, 10);
    for (auto& c : date)
      if (c == '_') c = '-';
    source(product_id, location_id,
           fmt::format("tel/tel_toltec_{}_{:06d}_{:02d}_{:04d}.nc", date, q.obsnum, q.subobsnum, q.scannum),
           "tel_toltec", 16);
    ++n;
  }
  return n;
}

std::int64_t Registry::group(const std::string& type, const std::string& name,
                             const std::vector<std::int64_t>& members) {
  // Facts of the members, for the group's summary columns.
  std::string ids;
  ids = fmt::format("{}", fmt::join(members, ","));
  auto first = con().query(fmt::format(
      "SELECT uid, master, obsnum, subobsnum, scannum FROM products WHERE id = {}", members.at(0))).rows();
  std::string first_uid = std::get<std::string>(first[0][0]);
  auto st = con().prepare(fmt::format(
      "INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum, n_items, first_obsnum, "
      "last_obsnum, latest_member_time) SELECT ?, ?, ?, ?, ?, ?, ?, count(*), min(obsnum), max(obsnum), "
      "max(obs_start_time) FROM products WHERE id IN ({}) RETURNING id",
      ids));
  std::string ptype = fmt::format("dp_{}", type);
  std::string uid = type == "named_group" ? fmt::format("named:{}", name) : fmt::format("{}:{}", type, first_uid);
  st.bind(1, ptype).bind(2, uid).bind(3, name).bind_value(4, first[0][1]).bind_value(5, first[0][2]);
  st.bind_value(6, first[0][3]).bind_value(7, first[0][4]);
  auto gid = std::get<std::int64_t>(st.execute().rows()[0][0]);
  std::string assoc = type == "named_group" ? std::string("dpa_named_group_data_prod") : fmt::format("dpa_{}_raw_obs", type);
  for (auto id : members) edge(assoc, gid, id);
  return gid;
}

std::int64_t Registry::reduced(const Quartet& q, std::int64_t raw_id) {
  auto st = con().prepare(
      "INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum) "
      "VALUES ('dp_reduced_obs', ?, ?, ?, ?, ?, ?) RETURNING id");
  std::string uid = "reduced:" + to_string(q);
  st.bind(1, uid).bind(2, uid).bind(3, std::string(to_string(q.master))).bind(4, q.obsnum).bind(5, q.subobsnum);
  st.bind(6, q.scannum);
  auto id = std::get<std::int64_t>(st.execute().rows()[0][0]);
  edge("dpa_reduced_obs_raw_obs", id, raw_id);
  return id;
}

void Registry::edge(const std::string& assoc_type, std::int64_t src, std::int64_t dst, const std::string& context) {
  auto st = con().prepare("INSERT INTO edges (assoc_type, src_product_id, dst_product_id, context) VALUES (?, ?, ?, ?)");
  st.bind(1, assoc_type).bind(2, src).bind(3, dst);
  if (context.empty()) st.bind_null(4);
  else st.bind(4, context);
  st.execute();
}

void Registry::event(const std::string& kind, const std::string& subject, const std::string& message) {
  auto st = con().prepare("INSERT INTO events (kind, subject, message) VALUES (?, ?, ?)");
  st.bind(1, kind).bind(2, subject).bind(3, message).execute();
}

}  // namespace tolteca::test
