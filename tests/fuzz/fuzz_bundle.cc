// libFuzzer target: the bundle reader (archives through libarchive, nested, in memory).
#include <cstddef>
#include <cstdint>
#include <string>

#include "analyzer/bundle.h"

namespace {

class DrainVisitor : public syncdoctor::BundleVisitor {
 public:
  void OnFile(const syncdoctor::BundleFile& f) override {
    char buf[4096];
    size_t got = 0;
    do {
      if (!f.stream->Read(buf, sizeof buf, &got).ok()) return;
    } while (got > 0);
  }
  bool OnArchive(const syncdoctor::BundleFile&, std::string_view) override { return true; }
  void OnSkipped(const std::string&, const std::string&, int64_t, std::string_view) override {}
  void OnError(const std::string&, const std::string&, std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  syncdoctor::StringByteStream in(input);
  syncdoctor::BundleLimits limits;
  limits.max_depth = 4;
  limits.max_entries = 1000;
  DrainVisitor v;
  syncdoctor::WalkStream("fuzz", "fuzz.bin", &in, limits, &v);
  return 0;
}
