#include "storage/duckdb/registry.h"

#include <stdexcept>

#include "storage/duckdb/admin.h"
#include "storage/duckdb/assoc_store.h"
#include "storage/duckdb/backup.h"
#include "storage/duckdb/coverage_repo.h"
#include "storage/duckdb/fixture_store.h"
#include "storage/duckdb/ingest_repo.h"
#include "storage/duckdb/location_repo.h"
#include "storage/duckdb/query_repo.h"

namespace tolteca::storage::duckdb {

namespace {

class DuckIngestStore final : public IngestStore {
 public:
  explicit DuckIngestStore(Session& s) : s_(s) {}
  std::unique_ptr<IngestWriter> writer(std::int64_t location_id, const IngestOptions& options) override {
    return std::make_unique<IngestRepo>(s_, location_id, options);
  }
  Snapshot load_snapshot_concurrently(std::int64_t location_id, std::string_view prefix) override {
    return load_snapshot_own_connection(s_, location_id, prefix);
  }

 private:
  Session& s_;
};

// Every read runs in one transaction: its statements (an obs query's selection, summaries and
// groups; the totals of stats) all see the same committed state, never a commit landing between
// them (a server answers while an ingest commits). It ends with a rollback: nothing was written.
class DuckQueryStore final : public QueryStore {
  template <typename F>
  auto snapshot(F&& read) {
    Transaction tx(s_.con());  // rolled back by its destructor: a read writes nothing
    return read();
  }

 public:
  explicit DuckQueryStore(Session& s) : s_(s) {}
  // DuckDB answers obs/files whole (their summaries are set-based passes over
  // the selection); the rows still go out one by one through the sink.
  void obs(const query::ObsFilter& f, bool with_files, const RowSink<query::ObsRow>& sink) override {
    auto rows = snapshot([&] { return query_obs(s_, f, with_files); });
    for (auto& r : rows)
      if (!sink(std::move(r))) return;
  }
  void files(const query::FileFilter& f, const RowSink<query::FileRow>& sink) override {
    auto rows = snapshot([&] { return query_files(s_, f); });
    for (auto& r : rows)
      if (!sink(std::move(r))) return;
  }
  std::vector<query::GroupRow> groups(const query::GroupFilter& f) override {
    return snapshot([&] { return query_groups(s_, f); });
  }
  query::Stats stats() override {
    return snapshot([&] { return query_stats(s_); });
  }
  std::vector<query::Provenance> provenance(const std::vector<query::ObsSpec>& specs, std::int64_t limit) override {
    return snapshot([&] { return query_provenance(s_, specs, limit); });
  }
  query::NightNetworks night_networks() override {
    return snapshot([&] { return duckdb::night_networks(s_); });
  }
  query::ExportResult export_rows(const query::ExportRequest& r) override {
    return snapshot([&] { return export_query(s_, r); });
  }
  std::vector<ExportColumn> export_columns(const std::string& what) override {
    std::vector<ExportColumn> out;
    for (auto& [name, type] : duckdb::export_columns(s_, what)) out.push_back({name, type});
    return out;
  }

 private:
  Session& s_;
};

class DuckAdminStore final : public AdminStore {
 public:
  explicit DuckAdminStore(Session& s) : s_(s) {}
  RegistryInfo info() override { return db_info(s_); }
  VacuumReport vacuum() override { return duckdb::vacuum(s_); }
  std::optional<std::int64_t> size_bytes() override { return database_file_size(s_); }
  std::optional<std::int64_t> memory_bytes() override { return database_memory(s_); }
  std::vector<ExportedFile> export_backup(const std::string& out_dir, const std::vector<std::string>& tables,
                                          BackupFormat format, bool force,
                                          const BackupExportOptions& options) override {
    return export_tables(s_, out_dir, tables, format, force, options);
  }
  std::vector<ExportedFile> import_backup(const std::string& in_dir, const BackupImportOptions& options) override {
    return import_tables(s_, in_dir, options);
  }
  bool created_schema() const override { return s_.created_schema(); }

 private:
  Session& s_;
};

class DuckLocationStore final : public LocationStore {
 public:
  explicit DuckLocationStore(Session& s) : s_(s) {}
  std::optional<Location> find(const std::string& label) override { return find_location(s_, label); }
  std::vector<Location> list() override { return list_locations(s_); }
  LocationUsage usage(std::int64_t id) override { return location_usage(s_, id); }
  std::int64_t count_files_outside(std::int64_t id, const std::string& prefix) override {
    return duckdb::count_files_outside(s_, id, prefix);
  }
  Location upsert(const std::string& label, const std::string& root, std::int64_t priority) override {
    return upsert_location(s_, label, root, priority);
  }
  Location add(const std::string& label, const std::string& root, std::int64_t priority) override {
    return add_location(s_, label, root, priority);
  }
  std::int64_t rebase(std::int64_t id, const std::string& new_root, const std::string& strip,
                      const std::string& add) override {
    return rebase_location(s_, id, new_root, strip, add);
  }
  std::int64_t remove(std::int64_t id) override { return remove_location(s_, id); }
  std::int64_t prune_missing(std::int64_t id) override { return prune_missing_files(s_, id); }

 private:
  Session& s_;
};

class DuckRegistry final : public Registry {
 public:
  // owned: the registry closes the session; borrowed (owned == nullptr): the caller keeps it.
  DuckRegistry(std::unique_ptr<Session> owned, Session& s, const AssocOptions& assoc = {})
      : owned_(std::move(owned)), s_(&s), ingest_(s), query_(s), admin_(s), locations_(s),
        assoc_(make_assoc_store(s, assoc)), assoc_options_(assoc), fixtures_(make_fixture_store(s)) {}
  const std::string& url_text() const override { return s_->url().text; }
  std::string display_name() const override { return s_->display_name(); }
  bool read_only() const override { return s_->read_only(); }
  std::vector<std::string> own_files() const override { return s_->own_files(); }
  std::unique_ptr<Registry> another_handle(OpenMode mode) const override {
    auto session = s_->another(mode);
    Session& s = *session;
    return std::make_unique<DuckRegistry>(std::move(session), s, assoc_options_);
  }
  IngestStore& ingest() override { return ingest_; }
  QueryStore& query() override { return query_; }
  AdminStore& admin() override { return admin_; }
  LocationStore& locations() override { return locations_; }
  AssocStore& assoc() override { return *assoc_; }
  FixtureStore& fixtures() override { return *fixtures_; }
  Session& session() { return *s_; }

 private:
  std::unique_ptr<Session> owned_;
  Session* s_;
  DuckIngestStore ingest_;
  DuckQueryStore query_;
  DuckAdminStore admin_;
  DuckLocationStore locations_;
  std::unique_ptr<AssocStore> assoc_;
  AssocOptions assoc_options_;
  std::unique_ptr<FixtureStore> fixtures_;
};

}  // namespace

std::unique_ptr<Registry> open(const RegistryUrl& url, const OpenOptions& options) {
  auto session = Session::open(url, options);
  Session& s = *session;
  return std::make_unique<DuckRegistry>(std::move(session), s, options.assoc);
}

std::unique_ptr<Registry> wrap(std::unique_ptr<Session> session) {
  Session& s = *session;
  return std::make_unique<DuckRegistry>(std::move(session), s);
}

std::unique_ptr<Registry> borrow(Session& session) { return std::make_unique<DuckRegistry>(nullptr, session); }

}  // namespace tolteca::storage::duckdb
