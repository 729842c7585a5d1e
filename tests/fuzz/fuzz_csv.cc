// libFuzzer target: the RFC 4180 reader and header normalisation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "parsers/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  syncdoctor::StringByteStream in(input);
  syncdoctor::CsvReader csv(&in, ',', 1 << 16);
  std::vector<std::string> fields;
  std::string error;
  size_t total = 0;
  while (csv.Next(&fields, &error)) {
    for (const auto& f : fields) total += syncdoctor::NormalizeHeader(f).size();
    total += csv.raw().size() + error.size();
  }
  return total == static_cast<size_t>(-1);
}
