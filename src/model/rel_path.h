#pragma once
// Paths relative to a location's data root, as the registry stores them ('/'-separated).
#include <optional>
#include <string>
#include <string_view>

namespace tolteca {

// Lexical normalisation: empty components ("a//b") and "." are dropped, ".." removes the component
// before it. nullopt when the path is absolute or a ".." would climb above its start (it escapes the
// root it is relative to). "" when nothing is left.
std::optional<std::string> normalize_relative(std::string_view rel);

// True when rel is already normal, non-empty and stays under its root (normalize_relative(rel) == rel):
// joined to a data root it names a path inside that root.
bool is_normal_relative(std::string_view rel);

}  // namespace tolteca
