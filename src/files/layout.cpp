#include "files/layout.h"

#include <fmt/format.h>

namespace tolteca::files {

namespace {

// toltec0 … toltec12, hwpr, toltec_hk, wyatt, tel.
bool is_interface_directory(std::string_view d) {
  if (d == "hwpr" || d == "toltec_hk" || d == "wyatt" || d == "tel") return true;
  if (d.size() < 7 || d.size() > 8 || d.substr(0, 6) != "toltec") return false;
  std::string_view n = d.substr(6);
  for (char c : n)
    if (c < '0' || c > '9') return false;
  if (n.size() == 2 && (n[0] != '1' || n[1] > '2')) return false;
  return true;
}

}  // namespace

std::string expected_directory(const ParsedName& name) {
  if (name.kind == InterfaceKind::tel_toltec || name.kind == InterfaceKind::tel_toltec2) return "tel";
  return interface_name(name.kind, name.roach);
}

std::optional<std::string> layout_problem(std::string_view path, const ParsedName& name) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view dir = path.substr(0, slash);
  while (!dir.empty() && dir.back() == '/') dir.remove_suffix(1);
  auto up = dir.rfind('/');
  std::string_view parent = up == std::string_view::npos ? dir : dir.substr(up + 1);
  if (!is_interface_directory(parent)) return std::nullopt;
  std::string want = expected_directory(name);
  if (parent == want) return std::nullopt;
  return fmt::format("{} file in directory {}/ (expected {}/)", name.interface, parent, want);
}

}  // namespace tolteca::files
