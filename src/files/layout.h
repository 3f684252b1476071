#pragma once
// The data_lmt layout check: does a file sit in the directory its name belongs in?
// (../shared/spec/domain.md, "Archive layout": toltec/{ics,tcs,clip}/{toltec0..12,hwpr,toltec_hk,wyatt}/,
// tel/ for telescope files.) The master directory is checked against the header, not here
// (compare_with_name: the header is the authority for the master).
#include <optional>
#include <string>
#include <string_view>

#include "files/filename.h"

namespace tolteca::files {

// The directory name a file of this interface belongs in: "toltec7", "hwpr", "toltec_hk", "wyatt", "tel".
std::string expected_directory(const ParsedName& name);

// One problem line when the file's parent directory is an interface directory of the layout other
// than its own ("toltec1 file in directory toltec0/ (expected toltec1/)"); nullopt when it is in its own
// directory, or in a directory that is not part of the layout (a flat directory of files, a test tree).
std::optional<std::string> layout_problem(std::string_view path, const ParsedName& name);

}  // namespace tolteca::files
