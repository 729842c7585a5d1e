// SHA-256 over streamed bytes (OpenSSL's libcrypto), and a ByteStream that hashes what it passes on.
#ifndef SYNCDOCTOR_ANALYZER_SHA256_H_
#define SYNCDOCTOR_ANALYZER_SHA256_H_

#include <memory>
#include <string>
#include <string_view>

#include "parsers/byte_stream.h"

struct evp_md_ctx_st;

namespace syncdoctor {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  evp_md_ctx_st* ctx_;
};

// Hex SHA-256 of a whole stream.
Status HashStream(ByteStream* in, std::string* hex, uint64_t* size);

// Passes `in` through, hashing and counting every byte read. Drain() reads what the consumer
// left unread so that the digest always covers the whole stream.
class HashingByteStream : public ByteStream {
 public:
  explicit HashingByteStream(ByteStream* in) : in_(in) {}
  Status Read(char* buf, size_t cap, size_t* got) override;
  Status Drain();
  std::string HexDigest() { return sha_.HexDigest(); }
  uint64_t bytes() const { return bytes_; }

 private:
  ByteStream* in_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_SHA256_H_
