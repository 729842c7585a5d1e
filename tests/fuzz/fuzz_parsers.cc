// libFuzzer target: every parser, through text decoding. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parsers/registry.h"
#include "parsers/text_decode.h"

namespace {

class NullSink : public syncdoctor::EventSink {
 public:
  bool OnEvent(const syncdoctor::Event& e) override {
    // Touch the fields the index would read.
    size_t n = e.raw.size() + e.message.size() + e.record_id.size();
    return n != static_cast<size_t>(-1);
  }
  void OnBadInput(const syncdoctor::SourceLoc&, std::string_view, std::string_view) override {}
  void OnWarning(const syncdoctor::SourceLoc&, std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto parsers = syncdoctor::AllParsers();
  if (size == 0) return 0;
  auto& parser = parsers[data[0] % parsers.size()];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  syncdoctor::StringByteStream raw(input);
  syncdoctor::DecodingStream decoded(&raw, syncdoctor::SniffEncoding(input.substr(0, 4096)));
  NullSink sink;
  if (parser->wants_raw_bytes()) {
    (void)parser->Parse("fuzz.evtx", &raw, &sink);
  } else {
    (void)parser->Parse("fuzz.log", &decoded, &sink);
  }
  (void)syncdoctor::DetectFormat("fuzz.log", input.substr(0, 4096));
  return 0;
}
