#include "parsers/byte_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace syncdoctor {

Status StringByteStream::Read(char* buf, size_t cap, size_t* got) {
  size_t n = std::min(cap, data_.size() - pos_);
  if (n > 0) std::memcpy(buf, data_.data() + pos_, n);
  pos_ += n;
  *got = n;
  return Status::Ok();
}

FileByteStream::~FileByteStream() {
  if (file_ != nullptr) std::fclose(file_);
}

Status FileByteStream::Open(const std::string& path, bool no_follow) {
  path_ = path;
  if (!no_follow) {
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) return Status::IoError(path + ": " + std::strerror(errno));
    return Status::Ok();
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError(path + ": " + (errno == ELOOP ? std::string("a symbolic link, not followed")
                                                          : std::string(std::strerror(errno))));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError(path + ": not a regular file");
  }
  file_ = ::fdopen(fd, "rb");
  if (file_ == nullptr) {
    ::close(fd);
    return Status::IoError(path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status FileByteStream::Read(char* buf, size_t cap, size_t* got) {
  *got = 0;
  if (file_ == nullptr) return Status::IoError(path_ + ": not open");
  size_t n = std::fread(buf, 1, cap, file_);
  if (n == 0 && std::ferror(file_)) return Status::IoError(path_ + ": " + std::strerror(errno));
  *got = n;
  return Status::Ok();
}

Status PrefixedByteStream::Read(char* buf, size_t cap, size_t* got) {
  if (pos_ < head_.size()) {
    size_t n = std::min(cap, head_.size() - pos_);
    std::memcpy(buf, head_.data() + pos_, n);
    pos_ += n;
    *got = n;
    return Status::Ok();
  }
  return rest_->Read(buf, cap, got);
}

Status ReadUpTo(ByteStream* in, size_t cap, std::string* out) {
  // Grows as data arrives: `cap` is a limit, not an allocation size.
  out->clear();
  size_t have = 0;
  while (have < cap) {
    size_t want = std::min(cap - have, std::max<size_t>(have, 1 << 16));
    out->resize(have + want);
    size_t got = 0;
    Status s = in->Read(out->data() + have, want, &got);
    if (!s.ok()) {
      out->resize(have);
      return s;
    }
    if (got == 0) break;
    have += got;
  }
  out->resize(have);
  return Status::Ok();
}

}  // namespace syncdoctor
