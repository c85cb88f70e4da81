// SHA-256 (FIPS 180-4), for the checksums of files we resume from: a damaged resume
// checkpoint used to load without complaint and end "finished" with other numbers. A
// compact implementation of our own: the build has no OpenSSL, and libtorch and HDF5 keep
// theirs internal. Streams, so a checkpoint of gigabytes is hashed in constant memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sweet {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hexDigest();

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes hashed
};

// The SHA-256 of a file's bytes; throws std::runtime_error naming the file when it cannot be read.
std::string sha256OfFile(const std::string& path);

}  // namespace sweet
