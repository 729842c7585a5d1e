// libFuzzer target: the signature loader (YAML) and the matcher built from what it accepts.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/matcher.h"
#include "analyzer/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<syncdoctor::Signature> sigs(1);
  if (!syncdoctor::ParseSignature(input, "fuzz/FUZZ.yaml", &sigs[0]).ok()) return 0;
  std::unique_ptr<syncdoctor::Matcher> matcher;
  if (!syncdoctor::Matcher::Build(&sigs, &matcher).ok()) return 0;
  syncdoctor::Matcher::Scratch scratch;
  std::vector<int> hits;
  for (const auto& ex : sigs[0].examples) {
    syncdoctor::Event e = ex.event;
    e.raw = ex.raw;
    (void)matcher->Match(e, &scratch, &hits);
  }
  return 0;
}
