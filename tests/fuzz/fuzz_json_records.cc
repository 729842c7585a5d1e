// libFuzzer target: the streaming JSON record scanner and the trailing-comma repair.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parsers/byte_stream.h"
#include "parsers/json_records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  syncdoctor::StringByteStream in(input);
  syncdoctor::JsonRecordScanner scanner(1 << 16);
  size_t total = 0;
  (void)scanner.Scan(
      &in, [&](const syncdoctor::JsonRecord& r) { total += r.text.size(); },
      [&](uint64_t, uint64_t, std::string_view, std::string_view raw) { total += raw.size(); },
      [&](uint64_t, std::string_view) {});
  std::string copy(input);
  (void)syncdoctor::StripTrailingCommas(&copy);
  return total == static_cast<size_t>(-1);
}
