#pragma once
// A compact binary encoding of a header read's result, so a header read in a helper process
// (files/header_process.h) can travel back over a socket. Exact: doubles keep every bit (NaN included),
// optionals keep "absent". Same build on both ends, so no versioning is needed.
#include <string>
#include <string_view>
#include <variant>

#include "files/header.h"

namespace tolteca::files {

using HeaderResult = std::variant<HeaderInfo, HeaderError>;

std::string encode_header_result(const HeaderResult& r);
// Throws std::runtime_error on a truncated or malformed message.
HeaderResult decode_header_result(std::string_view bytes);

}  // namespace tolteca::files
