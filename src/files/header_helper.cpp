// The header helper's serving loop, see header_helper.h.
#include "files/header_helper.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <string_view>

#include "files/header.h"
#include "files/header_codec.h"
#include "files/header_wire.h"

namespace tolteca::files {

bool is_header_helper(int argc, char** argv) {
  return argc >= 2 && argv[1] && std::string_view(argv[1]) == kHeaderHelperArg;
}

std::vector<std::string> header_helper_args(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 2; i < argc; ++i) out.emplace_back(argv[i]);
  return out;
}

void serve_header_helper(Env& env) {
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  const int fd = detail::kHelperFd;
  for (;;) {
    std::uint32_t n = 0;
    if (!detail::read_exact(fd, reinterpret_cast<char*>(&n), 4) || n > detail::kMaxMessage) ::_exit(0);
    std::string path(n, '\0');
    if (!detail::read_exact(fd, path.data(), n)) ::_exit(0);
    HeaderResult r;
    try {
      r = read_header(path, env);
    } catch (const std::exception& e) {  // read_header does not throw for bad files; bad_alloc can
      r = HeaderError{fmt::format("header reader error: {}", e.what())};
    }
    if (!detail::send_message(fd, encode_header_result(r))) ::_exit(0);
  }
}

}  // namespace tolteca::files
