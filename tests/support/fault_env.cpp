// Test-side fault injection, see fault_env.h.
#include "support/fault_env.h"

#include <signal.h>
#include <unistd.h>

#include <string_view>

namespace tolteca::test {
namespace {

constexpr std::string_view kCrashOn = "--fault-crash-on=";
constexpr std::string_view kHangOn = "--fault-hang-on=";

}  // namespace

int FaultEnv::nc_open_read(const std::string& path, int* ncid) {
  if (!fault_.crash_on.empty() && path.find(fault_.crash_on) != std::string::npos) ::raise(SIGSEGV);
  if (!fault_.hang_on.empty() && path.find(fault_.hang_on) != std::string::npos) ::sleep(3600);
  return EnvWrapper::nc_open_read(path, ncid);
}

std::vector<std::string> helper_fault_args(const Fault& fault) {
  std::vector<std::string> out;
  if (!fault.crash_on.empty()) out.push_back(std::string(kCrashOn) + fault.crash_on);
  if (!fault.hang_on.empty()) out.push_back(std::string(kHangOn) + fault.hang_on);
  return out;
}

Fault fault_from_helper_args(const std::vector<std::string>& args) {
  Fault f;
  for (const std::string& a : args) {
    if (a.starts_with(kCrashOn)) f.crash_on = a.substr(kCrashOn.size());
    if (a.starts_with(kHangOn)) f.hang_on = a.substr(kHangOn.size());
  }
  return f;
}

}  // namespace tolteca::test
