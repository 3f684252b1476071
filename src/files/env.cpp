// The default Env: POSIX and netCDF-C, see env.h.
#include "files/env.h"

#include <fcntl.h>
#include <netcdf.h>

namespace tolteca::files {

Env::~Env() = default;

namespace {

class PosixEnv final : public Env {
 public:
  UniqueFd open_read(const std::string& path) override { return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); }
  int nc_open_read(const std::string& path, int* ncid) override { return nc_open(path.c_str(), NC_NOWRITE, ncid); }
};

}  // namespace

Env& Env::Default() {
  static PosixEnv* env = new PosixEnv;  // never destroyed: helpers and threads may use it at exit
  return *env;
}

}  // namespace tolteca::files
