// libFuzzer target: encoding sniffing, UTF-16 transcoding, line splitting, timestamps.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parsers/text_decode.h"
#include "parsers/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  syncdoctor::StringByteStream raw(input);
  syncdoctor::DecodingStream decoded(&raw, syncdoctor::SniffEncoding(input));
  syncdoctor::LineReader lines(&decoded, 256);
  std::string_view line;
  bool truncated = false;
  while (lines.Next(&line, &truncated)) {
    int64_t ms = 0;
    if (syncdoctor::ParseTimestamp(line, &ms)) (void)syncdoctor::FormatTimestamp(ms);
    (void)syncdoctor::IsValidUtf8(line);
  }
  return 0;
}
