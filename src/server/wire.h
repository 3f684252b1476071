#pragma once
// The CLI <-> server protocol on the Unix-domain socket: messages are a 4-byte big-endian length
// and that many bytes of JSON; a message may carry descriptors (SCM_RIGHTS). A forwarded command:
//   client -> server  {"type":"run","protocol":1,"argv":[...],"env":{...},"umask":18}
//                     with descriptors [cwd, stdin, stdout, stderr]
//   client -> server  {"type":"cancel"}        (Ctrl-C; closing the socket means the same)
//   server -> client  {"type":"exit","code":N} (the command's exit code), then the server closes
// The command writes to the caller's own stdout/stderr descriptors, so its output, progress bars
// and terminal are the caller's; the socket carries only the control messages.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "files/unique_fd.h"

namespace tolteca::server {

struct Message {
  nlohmann::json body;
  std::vector<files::UniqueFd> fds;
};

// Largest message accepted (a command line and its environment): bigger is a protocol error.
inline constexpr std::size_t kMaxMessageBytes = 4 << 20;

// Sends one message (with fds, at most 8). Throws std::runtime_error on a failed send.
void send_message(int socket, const nlohmann::json& body, const std::vector<int>& fds = {});
// Receives one message; nullopt on end of stream before one starts. Throws std::runtime_error on
// a malformed or truncated message.
std::optional<Message> receive_message(int socket);

// A connected socket to the server's Unix socket path (throws std::runtime_error naming it).
files::UniqueFd connect_unix(const std::string& path);
// A listening socket bound at path (an old socket file there is replaced), with mode bits `mode`.
files::UniqueFd listen_unix(const std::string& path, unsigned mode);

}  // namespace tolteca::server
