// libFuzzer target: the netCDF header reader (src/files/header.h). Each input is written to a temporary
// file and read with read_header(), which must never crash or throw for a bad file (it returns a
// HeaderError with a reason). A successful read is compared with a few file names.
// netCDF-C itself is not instrumented; its own leaks are not ours (see fuzz/lsan.supp).
// netCDF-4 (HDF5) inputs are skipped unless TOLTECA_FUZZ_HDF5=1: Debian's libhdf5 1.10 frees wild
// pointers on some corrupt files within seconds of fuzzing (an HDF5 bug, not ours; see
// docs/RELIABILITY.md), which would stop every run before it reaches our code. Ingest reads netCDF-4
// headers in a helper process (files/header_process.h) because of it; this target calls read_header()
// in-process on purpose, to see our own code under the sanitizers.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "files/filename.h"
#include "files/header.h"

using namespace tolteca::files;

namespace {
std::string temp_path() {
  const char* dir = std::getenv("TMPDIR");
  std::string base = (dir && *dir) ? dir : "/tmp";
  return base + "/tolteca_fuzz_header_" + std::to_string(::getpid()) + ".nc";
}

[[noreturn]] void fail(const char* what, const std::string& extra = {}) {
  std::fprintf(stderr, "fuzz_header: %s %s\n", what, extra.c_str());
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = temp_path();
  static const bool fuzz_hdf5 = [] {
    const char* v = std::getenv("TOLTECA_FUZZ_HDF5");
    return v && std::string(v) == "1";
  }();
  if (!fuzz_hdf5 && size >= 4 && data[0] == 0x89 && data[1] == 'H' && data[2] == 'D' && data[3] == 'F') return -1;
  static const NameParse names[] = {
      parse_filename("toltec/ics/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc"),
      parse_filename("tel/tel_toltec_2024-11-13_131289_00_0002.nc"),
      parse_filename("toltec/tcs/hwpr/hwpr_131289_0_2_2025_03_19_12_25_40.nc"),
  };
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) fail("cannot create", path);
  if (size && std::fwrite(data, 1, size, f) != size) fail("cannot write", path);
  std::fclose(f);
  std::variant<HeaderInfo, HeaderError> r;
  try {
    r = read_header(path);
  } catch (const std::exception& e) {
    fail("read_header threw", e.what());
  }
  if (const HeaderError* e = as_error(r)) {
    if (e->reason.empty()) fail("HeaderError without a reason");
  } else {
    const HeaderInfo* h = as_header(r);
    (void)to_string(h->file_class);
    for (const auto& n : names)
      if (const ParsedName* p = as_parsed(n)) (void)compare_with_name(*h, *p);
  }
  ::unlink(path.c_str());
  return 0;
}
