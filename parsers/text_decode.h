// Text decoding: BOM sniffing, UTF-16 to UTF-8 on the fly, and a line reader that handles CRLF
// and caps line length. Everything above this layer sees UTF-8 (possibly invalid, never dropped).
#ifndef SYNCDOCTOR_PARSERS_TEXT_DECODE_H_
#define SYNCDOCTOR_PARSERS_TEXT_DECODE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/byte_stream.h"

namespace syncdoctor {

enum class Encoding { kUtf8, kUtf8Bom, kUtf16LeBom, kUtf16BeBom, kUtf16Le, kUtf16Be, kUtf32LeBom, kUtf32BeBom };

// "utf-8", "utf-8-bom", "utf-16le-bom", ...
std::string_view EncodingName(Encoding e);

// Decides the encoding from the first bytes: a BOM if there is one (UTF-32's FF FE 00 00 before
// UTF-16's FF FE); otherwise UTF-16 without BOM when the NUL bytes of ASCII text sit at odd (LE)
// or even (BE) positions; otherwise UTF-8.
Encoding SniffEncoding(std::string_view head);

// Number of bytes the BOM of `e` takes (0, 2, 3 or 4).
size_t BomSize(Encoding e);

// Wraps a stream and yields its text as UTF-8 without BOM. UTF-16 and UTF-32 are transcoded as
// they arrive; a lone surrogate, a code point beyond U+10FFFF or a dangling byte becomes U+FFFD
// and is counted in replacements().
// UTF-8 input passes through unchanged (invalid sequences included: they are data).
class DecodingStream : public ByteStream {
 public:
  DecodingStream(ByteStream* in, Encoding encoding) : in_(in), encoding_(encoding) {}
  Status Read(char* buf, size_t cap, size_t* got) override;
  uint64_t replacements() const { return replacements_; }

 private:
  Status Fill();
  ByteStream* in_;
  Encoding encoding_;
  bool bom_checked_ = false;
  bool eof_ = false;
  std::string raw_;      // undecoded bytes carried over between reads (UTF-16: 0..3 bytes)
  std::string out_;      // decoded bytes not yet handed out
  size_t out_pos_ = 0;
  uint64_t replacements_ = 0;
};

// Appends the UTF-8 form of code point `cp` to `out`.
void AppendUtf8(uint32_t cp, std::string* out);

// True when `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);

// Reads lines ("\n", "\r\n" or a lone "\r" at the end of a line) from a stream.
// A line longer than `max_line` is cut: Next() returns its first `max_line` bytes with
// *truncated set, and the rest of that line is skipped.
class LineReader {
 public:
  explicit LineReader(ByteStream* in, size_t max_line = 64u << 20) : in_(in), max_line_(max_line) {}
  // Returns false at the end of input (or on a read error, see status()).
  // `line` stays valid until the next call. line_number() is 1-based.
  bool Next(std::string_view* line, bool* truncated);
  uint64_t line_number() const { return line_number_; }
  uint64_t line_offset() const { return line_offset_; }
  const Status& status() const { return status_; }

 private:
  bool FillBuffer();
  ByteStream* in_;
  size_t max_line_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  std::string line_;
  uint64_t line_number_ = 0;
  uint64_t line_offset_ = 0;
  uint64_t consumed_ = 0;  // bytes of the stream before buf_[0]
  Status status_;
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_TEXT_DECODE_H_
