// libFuzzer target: the raw text blocks of the index. Any texts packed into blocks come back
// byte for byte; any bytes given to the inflater as a stored block (a damaged index) are refused
// or inflated to exactly the size asked, never read or written past.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "analyzer/raw_blocks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Round trip: the input's lines are the records.
  static syncdoctor::RawBlockBuilder* builder = new syncdoctor::RawBlockBuilder();
  builder->Clear();
  std::vector<std::string_view> texts;
  std::vector<syncdoctor::RawRef> refs;
  for (size_t at = 0; at < input.size();) {
    size_t nl = input.find('\n', at);
    size_t end = nl == std::string_view::npos ? input.size() : nl + 1;
    texts.push_back(input.substr(at, end - at));
    refs.push_back(builder->Add(texts.back()));
    at = end;
  }
  builder->Seal();
  std::vector<std::string> blocks(builder->count());
  for (size_t i = 0; i < builder->count(); ++i) {
    const syncdoctor::RawBlock& b = builder->block(i);
    if (!syncdoctor::InflateBlock(b.data, b.size, &blocks[i])) abort();
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    const syncdoctor::RawRef& r = refs[i];
    if (r.block < 0 || static_cast<size_t>(r.block) >= blocks.size()) abort();
    if (blocks[r.block].compare(r.start, r.len, texts[i]) != 0) abort();
  }
  // The input as a damaged block: its first two bytes give the size asked for.
  if (size >= 2) {
    int64_t want = (static_cast<int64_t>(data[0]) << 8 | data[1]) * 4;
    std::string out;
    if (syncdoctor::InflateBlock(input.substr(2), want, &out) &&
        static_cast<int64_t>(out.size()) != want) {
      abort();
    }
  }
  return 0;
}
