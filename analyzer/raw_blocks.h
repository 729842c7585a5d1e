// The raw text of events, stored in compressed blocks.
//
// The raw records of consecutive events of one file are concatenated into blocks of about
// 32 KiB, each deflated (zlib format, libdeflate level 1) into one row of `raw_blocks(id, size,
// data)`; an event row names its block and its byte range in the inflated block. Stored this
// way the raw text takes an eighth of the bytes, and the index is written about twice as fast:
// the plain text was half of every byte SQLite wrote, twice (log, then database file).
//
// The format is SQLite's own "sqlar" convention, so that the stock sqlite3 shell can read it:
// `sqlar_uncompress(data, size)` returns `data` itself when its length is `size` (a block that
// did not shrink is stored as is), and inflates it otherwise. RegisterRawFunctions defines that
// function, and sd_raw(block, start, len), on a syncdoctor connection.
#ifndef SYNCDOCTOR_ANALYZER_RAW_BLOCKS_H_
#define SYNCDOCTOR_ANALYZER_RAW_BLOCKS_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/status.h"

struct libdeflate_compressor;

namespace syncdoctor {

// A block is closed before the text that would take it past this size (a longer record is a
// block of its own). 32 KiB: a ratio near the best of larger blocks, and reading one event's
// text inflates little more than its neighbours.
constexpr size_t kRawBlockBytes = 32 * 1024;

// Where an event's text lies: inside block `block` (a raw_blocks id, or an index into a
// RawBlockBuilder's sealed blocks before they are stored), bytes [start, start + len).
struct RawRef {
  int64_t block = -1;
  int64_t start = 0;
  int64_t len = 0;
};

// A sealed block, ready for raw_blocks.
struct RawBlock {
  std::string data;  // deflated, or the text itself when that is not smaller
  int64_t size = 0;  // bytes of text
};

// Packs texts into blocks and deflates them. One per thread (it owns a compressor).
class RawBlockBuilder {
 public:
  RawBlockBuilder();
  ~RawBlockBuilder();
  RawBlockBuilder(const RawBlockBuilder&) = delete;
  RawBlockBuilder& operator=(const RawBlockBuilder&) = delete;

  // Appends `text` to the open block, sealing it first when `text` would not fit. The returned
  // ref's block is the index the block will have in sealed(). Empty text gets no ref (block -1).
  RawRef Add(std::string_view text);
  // True when Add(text of `len` bytes) would seal the open block first; open_bytes() is where
  // the text would start otherwise. For a writer that adds a text only once it is stored.
  bool NeedsSeal(size_t len) const { return !open_.empty() && open_.size() + len > kRawBlockBytes; }
  size_t open_bytes() const { return open_.size(); }
  // Seals the open block, if it holds anything.
  void Seal();
  // The sealed blocks, in order: block(i) for i < count().
  size_t count() const { return used_; }
  const RawBlock& block(size_t i) const { return sealed_[i]; }
  // Drops the open block and the sealed ones (their buffers are kept for reuse).
  void Clear();

 private:
  std::string open_;
  std::vector<RawBlock> sealed_;  // [0, used_) are live; the rest keep their capacity
  size_t used_ = 0;
  libdeflate_compressor* compressor_ = nullptr;
};

// Deflates `text` into `out` in the sqlar convention (the text itself when that is not smaller).
void DeflateBlock(libdeflate_compressor* c, std::string_view text, std::string* out);
// Inflates a block; false when `data` is not a block of `size` bytes.
//
// `size` comes from the index, which may be damaged or crafted: a size that `data` cannot hold
// when inflated (deflate expands at most 1032 times, kMaxInflateBytes at most) is refused before
// anything is allocated.
bool InflateBlock(std::string_view data, int64_t size, std::string* out);
inline constexpr int64_t kMaxInflateBytes = int64_t{1} << 30;

// Defines sqlar_uncompress(data, size) and sd_raw(block, start, len) on `db`. sd_raw reads the
// block from raw_blocks and keeps the last one it inflated: reading the events of a block in
// order inflates it once. The cache is dropped when a transaction rolls back (block ids are
// reused then). A block that does not inflate to its stored size (a damaged or crafted index) is
// never allocated at that size: sd_raw gives NULL for its texts, sqlar_uncompress an error.
Status RegisterRawFunctions(sqlite3* db);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_RAW_BLOCKS_H_
