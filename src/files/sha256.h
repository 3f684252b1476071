#pragma once
// SHA-256 of a file's bytes (OpenSSL libcrypto EVP_sha256), as lower-case hex.
#include <string>

namespace tolteca::files {

// Reads the open file `fd` from offset 0 to its end (pread: the fd's offset is
// left as it was). Throws UserError naming `what` when it cannot be read.
std::string sha256_hex_fd(int fd, const std::string& what);
// Opens and hashes the file at path. Throws UserError naming the path.
std::string sha256_hex_file(const std::string& path);

}  // namespace tolteca::files
