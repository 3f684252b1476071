#pragma once
// The I/O seam of the files/ part, in the spirit of leveldb's Env (include/leveldb/env.h): the few
// operations through which the header reader touches the outside world. Production code uses
// Env::Default(); a test hands read_header() (or the header helper's entry point, see
// files/header_process.h) an Env of its own to inject faults — a crash or a hang inside the netCDF
// library, an open that fails — without production code knowing any fault syntax.
//
// An Env must be safe to use from several threads at once (each call stands alone).
#include <string>

#include "files/unique_fd.h"

namespace tolteca::files {

class Env {
 public:
  Env() = default;
  virtual ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // The real file system and netCDF-C. Shared by the whole process and never destroyed.
  static Env& Default();

  // Opens `path` for reading (O_RDONLY | O_CLOEXEC). On failure: an empty UniqueFd, errno set as
  // open(2) sets it.
  virtual UniqueFd open_read(const std::string& path) = 0;

  // Opens `path` read-only with netCDF-C (nc_open(path, NC_NOWRITE, ncid)): the call in which
  // netCDF-C and libhdf5 parse a file's header, and where a damaged netCDF-4 file can crash or hang
  // them. The caller holds files::netcdf_mutex() and closes *ncid with nc_close. Returns the netCDF
  // status (NC_NOERR: *ncid is open).
  virtual int nc_open_read(const std::string& path, int* ncid) = 0;
};

// An Env that forwards every call to another one (leveldb's EnvWrapper): a test derives from it and
// overrides only the operations it wants to change. `target` must outlive the wrapper.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env& target) : target_(target) {}
  Env& target() const { return target_; }

  UniqueFd open_read(const std::string& path) override { return target_.open_read(path); }
  int nc_open_read(const std::string& path, int* ncid) override { return target_.nc_open_read(path, ncid); }

 private:
  Env& target_;
};

}  // namespace tolteca::files
