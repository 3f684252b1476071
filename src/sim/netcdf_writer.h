#pragma once
// A small RAII writer for netCDF files (used by the simulator and by tests that need real files).
// Every netCDF-C call takes netcdf_mutex() for its duration, so a writer may be used while other
// threads read headers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tolteca::sim {

enum class NcFormat : std::uint8_t { classic, offset64, cdf5, netcdf4, netcdf4_classic };

// "classic", "64bit_offset", "cdf5", "netcdf4", "netcdf4_classic" (the names HeaderInfo::format uses).
std::string_view to_string(NcFormat f);
// Accepts the names above and the CLI spellings "64bit" and "nc4".
std::optional<NcFormat> parse_nc_format(std::string_view text);

// netCDF type codes (the NC_* values of netcdf.h) so callers need not include netcdf.h.
enum class NcType : int {
  byte_ = 1, char_ = 2, short_ = 3, int_ = 4, float_ = 5, double_ = 6,
  ubyte = 7, ushort = 8, uint = 9, int64 = 10, uint64 = 11, string_ = 12,
};

class NcWriter {
 public:
  // Creates (clobbers) the file. Throws std::runtime_error naming the path on failure.
  NcWriter(const std::string& path, NcFormat format);
  ~NcWriter();  // closes if still open (errors ignored; call close() to see them)
  NcWriter(const NcWriter&) = delete;
  NcWriter& operator=(const NcWriter&) = delete;

  // Define mode. len 0 = unlimited.
  int def_dim(const std::string& name, std::size_t len);
  int def_var(const std::string& name, NcType type, const std::vector<int>& dims);
  void put_att_text(int varid, const std::string& name, const std::string& value);  // varid -1: global
  void end_def();

  // Data mode.
  // Writes one numeric value into a 0-d or length-1 variable (converted to the variable's type).
  void put_number(int varid, double value);
  void put_int64(int varid, std::int64_t value);
  // Writes a string into a NC_CHAR variable of length `len` (its last dimension), padded with `pad`.
  void put_text(int varid, std::string_view value, std::size_t len, char pad);
  // Writes a scalar NC_STRING variable (netCDF-4 only).
  void put_string(int varid, const std::string& value);
  // Hyperslab writes.
  void put_ints(int varid, const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
                const std::int32_t* data);
  void put_doubles(int varid, const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
                   const double* data);
  void close();

  const std::string& path() const { return path_; }

 private:
  void check(int status, const char* what) const;
  std::string path_;
  int ncid_ = -1;
  bool open_ = false;
};

}  // namespace tolteca::sim
