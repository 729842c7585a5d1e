#include "analyzer/sha256.h"

#include <openssl/evp.h>

#include <vector>

namespace syncdoctor {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

std::string Sha256::HexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

Status HashStream(ByteStream* in, std::string* hex, uint64_t* size) {
  Sha256 sha;
  std::vector<char> buf(1 << 16);
  *size = 0;
  for (;;) {
    size_t got = 0;
    Status s = in->Read(buf.data(), buf.size(), &got);
    if (!s.ok()) return s;
    if (got == 0) break;
    sha.Update(std::string_view(buf.data(), got));
    *size += got;
  }
  *hex = sha.HexDigest();
  return Status::Ok();
}

Status HashingByteStream::Read(char* buf, size_t cap, size_t* got) {
  Status s = in_->Read(buf, cap, got);
  if (s.ok() && *got > 0) {
    sha_.Update(std::string_view(buf, *got));
    bytes_ += *got;
  }
  return s;
}

Status HashingByteStream::Drain() {
  std::vector<char> buf(1 << 16);
  for (;;) {
    size_t got = 0;
    Status s = Read(buf.data(), buf.size(), &got);
    if (!s.ok()) return s;
    if (got == 0) return Status::Ok();
  }
}

}  // namespace syncdoctor
