#pragma once
// Turning one file (its name, stat and optionally its header) into the record
// ingestion writes, or a reason to skip it. Pure functions: no I/O except
// classify_file(), which reads the header.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "storage/ingest_store.h"
#include "files/filename.h"
#include "files/header.h"

namespace tolteca::ingest {

struct FileStat {
  std::optional<std::int64_t> size;
  std::optional<std::int64_t> mtime_ns;
};

enum class Outcome : std::uint8_t {
  recorded,  // record is valid; flagged when record.problem is set
  failed,    // the header could not be read: record is still valid (kind from the name, problem set);
             // or the file must not be recorded at all (record.uid empty: a path outside the data root,
             // a site-database identity out of range)
  skipped,   // not a TolTEC data file (reason says why); no record
};

struct Classified {
  Outcome outcome = Outcome::skipped;
  storage::FileRecord record;
  std::string reason;  // skipped/failed: a short category ("not a TolTEC name", "master unknown", "truncated or corrupt")
  std::string detail;  // human explanation
};

using HeaderResult = std::variant<files::HeaderInfo, files::HeaderError>;

// rel_path: relative to the data root (stored); name_path: what the name parser
// sees (a path whose directories give the master). header: nullptr in
// names-only mode. fallback_master: the master of a file whose directory and
// header name none (`ingest --master`); otherwise such a file is skipped.
Classified classify(std::string_view rel_path, std::string_view name_path, const FileStat& st,
                    const HeaderResult* header, std::optional<Master> fallback_master = std::nullopt);

// Reads the header when read_header is true (netCDF calls are serialised by
// files::netcdf_mutex()), then classify().
Classified classify_file(std::string_view rel_path, const std::string& abs_path, const FileStat& st,
                         bool read_header, std::optional<Master> fallback_master = std::nullopt);

// The header facts as a JSON object (stored in sources.header).
std::string header_json(const files::HeaderInfo& h);
// Telescope metadata of a telescope header, typed (az/el in degrees, offsets in arcsec).
storage::TelMetaRecord tel_meta_from_header(const files::TelescopeMeta& t);

// The short category of a header error reason ("truncated or corrupt: …" -> "truncated or corrupt").
std::string reason_category(std::string_view reason);

}  // namespace tolteca::ingest
