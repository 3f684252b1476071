#pragma once
// Internal to files/ (read_header()): the checks made before netCDF-C sees a file, so each failure
// gets its own clear reason (netCDF-C reports most of them as "unknown file format"): existence,
// type, permission, the netCDF/HDF5 signature, and for netCDF-3 that the file holds all the data its
// header places (netCDF-C opens a truncated file and reads zeros past its end).
#include <sys/types.h>

#include <optional>
#include <string>

#include "files/env.h"
#include "files/header.h"

namespace tolteca::files::detail {

enum class Signature { none, cdf1, cdf2, cdf5, hdf5 };

// The file's size and signature, or the reason it cannot be a readable netCDF file. Opens the file
// through env.
std::optional<HeaderError> precheck(Env& env, const std::string& path, off_t& size, Signature& sig);

}  // namespace tolteca::files::detail
