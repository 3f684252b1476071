#include "sim/netcdf_writer.h"

#include <fmt/format.h>
#include <netcdf.h>

#include <mutex>
#include <stdexcept>

#include "files/header.h"

namespace tolteca::sim {

using files::netcdf_mutex;
using files::quiet_hdf5_errors_for_this_thread;

std::string_view to_string(NcFormat f) {
  switch (f) {
    case NcFormat::classic: return "classic";
    case NcFormat::offset64: return "64bit_offset";
    case NcFormat::cdf5: return "cdf5";
    case NcFormat::netcdf4: return "netcdf4";
    case NcFormat::netcdf4_classic: return "netcdf4_classic";
  }
  return "?";
}

std::optional<NcFormat> parse_nc_format(std::string_view t) {
  if (t == "classic") return NcFormat::classic;
  if (t == "64bit" || t == "64bit_offset" || t == "offset64") return NcFormat::offset64;
  if (t == "cdf5") return NcFormat::cdf5;
  if (t == "netcdf4" || t == "nc4") return NcFormat::netcdf4;
  if (t == "netcdf4_classic") return NcFormat::netcdf4_classic;
  return std::nullopt;
}

void NcWriter::check(int status, const char* what) const {
  if (status != NC_NOERR) throw std::runtime_error(fmt::format("{}: netCDF {}: {}", path_, what, nc_strerror(status)));
}

NcWriter::NcWriter(const std::string& path, NcFormat format) : path_(path) {
  int mode = NC_CLOBBER;
  switch (format) {
    case NcFormat::classic: break;
    case NcFormat::offset64: mode |= NC_64BIT_OFFSET; break;
    case NcFormat::cdf5: mode |= NC_64BIT_DATA; break;
    case NcFormat::netcdf4: mode |= NC_NETCDF4; break;
    case NcFormat::netcdf4_classic: mode |= NC_NETCDF4 | NC_CLASSIC_MODEL; break;
  }
  std::lock_guard lock(netcdf_mutex());
  quiet_hdf5_errors_for_this_thread();
  check(nc_create(path.c_str(), mode, &ncid_), "create");
  open_ = true;
  // Pre-filling costs a write per variable; the simulator writes every value it defines.
  int old = 0;
  check(nc_set_fill(ncid_, NC_NOFILL, &old), "set_fill");
}

NcWriter::~NcWriter() {
  if (open_) {
    std::lock_guard lock(netcdf_mutex());
    nc_close(ncid_);
  }
}

int NcWriter::def_dim(const std::string& name, std::size_t len) {
  int id = -1;
  std::lock_guard lock(netcdf_mutex());
  check(nc_def_dim(ncid_, name.c_str(), len == 0 ? NC_UNLIMITED : len, &id), "def_dim");
  return id;
}

int NcWriter::def_var(const std::string& name, NcType type, const std::vector<int>& dims) {
  int id = -1;
  std::lock_guard lock(netcdf_mutex());
  check(nc_def_var(ncid_, name.c_str(), static_cast<nc_type>(type), static_cast<int>(dims.size()), dims.data(), &id),
        "def_var");
  return id;
}

void NcWriter::put_att_text(int varid, const std::string& name, const std::string& value) {
  std::lock_guard lock(netcdf_mutex());
  check(nc_put_att_text(ncid_, varid < 0 ? NC_GLOBAL : varid, name.c_str(), value.size(), value.data()), "put_att");
}

void NcWriter::end_def() {
  std::lock_guard lock(netcdf_mutex());
  check(nc_enddef(ncid_), "enddef");
}

void NcWriter::put_number(int varid, double value) {
  std::lock_guard lock(netcdf_mutex());
  int ndims = 0;
  check(nc_inq_varndims(ncid_, varid, &ndims), "inq_varndims");
  std::vector<std::size_t> index(static_cast<std::size_t>(ndims), 0);
  check(nc_put_var1_double(ncid_, varid, index.data(), &value), "put_var1");
}

void NcWriter::put_int64(int varid, std::int64_t value) {
  std::lock_guard lock(netcdf_mutex());
  int ndims = 0;
  check(nc_inq_varndims(ncid_, varid, &ndims), "inq_varndims");
  std::vector<std::size_t> index(static_cast<std::size_t>(ndims), 0);
  long long v = value;
  check(nc_put_var1_longlong(ncid_, varid, index.data(), &v), "put_var1");
}

void NcWriter::put_text(int varid, std::string_view value, std::size_t len, char pad) {
  std::string buf(value.substr(0, len));
  buf.resize(len, pad);
  std::lock_guard lock(netcdf_mutex());
  int ndims = 0;
  check(nc_inq_varndims(ncid_, varid, &ndims), "inq_varndims");
  std::vector<std::size_t> start(static_cast<std::size_t>(ndims), 0), count(static_cast<std::size_t>(ndims), 1);
  if (ndims > 0) count.back() = len;
  check(nc_put_vara_text(ncid_, varid, start.data(), count.data(), buf.data()), "put_text");
}

void NcWriter::put_string(int varid, const std::string& value) {
  const char* p = value.c_str();
  std::lock_guard lock(netcdf_mutex());
  check(nc_put_var_string(ncid_, varid, &p), "put_string");
}

void NcWriter::put_ints(int varid, const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
                        const std::int32_t* data) {
  std::lock_guard lock(netcdf_mutex());
  check(nc_put_vara_int(ncid_, varid, start.data(), count.data(), data), "put_ints");
}

void NcWriter::put_doubles(int varid, const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
                           const double* data) {
  std::lock_guard lock(netcdf_mutex());
  check(nc_put_vara_double(ncid_, varid, start.data(), count.data(), data), "put_doubles");
}

void NcWriter::close() {
  if (!open_) return;
  std::lock_guard lock(netcdf_mutex());
  open_ = false;
  check(nc_close(ncid_), "close");
}

}  // namespace tolteca::sim
