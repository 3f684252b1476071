#pragma once
// Internal to files/: the framing between HeaderReaderProcess and its helper over a socket. A message
// is a 4-byte length (host order: both ends are this executable) and that many bytes: a path one way,
// an encoded HeaderResult (files/header_codec.h) the other.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tolteca::files::detail {

inline constexpr std::uint32_t kMaxMessage = 64u << 20;
// The helper's end of the socket is this descriptor in the helper process.
inline constexpr int kHelperFd = 3;

// Sends one message; false when the peer is gone (EPIPE, never SIGPIPE) or on another error.
bool send_message(int fd, std::string_view body);

// Blocking read of exactly n bytes; false on end of input or error.
bool read_exact(int fd, char* p, std::size_t n);

enum class ReadStatus { ok, peer_gone, timed_out };
// Reads exactly n bytes before the deadline.
ReadStatus read_exact_until(int fd, char* p, std::size_t n, std::chrono::steady_clock::time_point deadline);

}  // namespace tolteca::files::detail
