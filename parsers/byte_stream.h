// ByteStream: bytes arriving in chunks, from a file, an archive entry or an inline string in a test.
// Parsers read their input only through this interface; they never open files.
#ifndef SYNCDOCTOR_PARSERS_BYTE_STREAM_H_
#define SYNCDOCTOR_PARSERS_BYTE_STREAM_H_

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "parsers/status.h"

namespace syncdoctor {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to `cap` bytes into `buf`; *got == 0 means the end of the stream.
  virtual Status Read(char* buf, size_t cap, size_t* got) = 0;
};

// Reads from a string that must outlive the stream.
class StringByteStream : public ByteStream {
 public:
  // Reads `data` in place: it must outlive the stream (a temporary string is refused).
  explicit StringByteStream(std::string_view data) : data_(data) {}
  explicit StringByteStream(const std::string& data) : data_(data) {}
  explicit StringByteStream(const char* data) : data_(data) {}
  explicit StringByteStream(std::string&&) = delete;
  Status Read(char* buf, size_t cap, size_t* got) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Reads a file from disk. Open() reports a missing or unreadable file.
class FileByteStream : public ByteStream {
 public:
  FileByteStream() = default;
  ~FileByteStream() override;
  FileByteStream(const FileByteStream&) = delete;
  FileByteStream& operator=(const FileByteStream&) = delete;
  // Opens `path` for reading. With `no_follow`, a symbolic link in the last part of the path is
  // refused (O_NOFOLLOW) and so is anything that is not a regular file (a FIFO, socket or
  // device), so that a file swapped for a link after the walk listed it is not followed.
  Status Open(const std::string& path, bool no_follow = false);
  Status Read(char* buf, size_t cap, size_t* got) override;

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
};

// Replays `head` (bytes already read from `rest`) and then continues with `rest`.
// Lets the bundle reader look at the first bytes of a stream for detection without losing them.
class PrefixedByteStream : public ByteStream {
 public:
  PrefixedByteStream(std::string head, ByteStream* rest) : head_(std::move(head)), rest_(rest) {}
  Status Read(char* buf, size_t cap, size_t* got) override;

 private:
  std::string head_;
  size_t pos_ = 0;
  ByteStream* rest_;
};

// Reads until `cap` bytes are in `out` or the stream ends.
Status ReadUpTo(ByteStream* in, size_t cap, std::string* out);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_BYTE_STREAM_H_
