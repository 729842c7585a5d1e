#include "analyzer/raw_blocks.h"

#include <libdeflate.h>

#include <cstring>

namespace syncdoctor {

namespace {

// Level 1: 700 MB/s on provisioning JSON on this project's benchmark machine, 8x smaller; the
// higher levels gain a few percent for half the speed or less.
constexpr int kDeflateLevel = 1;

}  // namespace

void DeflateBlock(libdeflate_compressor* c, std::string_view text, std::string* out) {
  out->resize(libdeflate_zlib_compress_bound(c, text.size()));
  size_t n = libdeflate_zlib_compress(c, text.data(), text.size(), out->data(), out->size());
  if (n == 0 || n >= text.size()) {
    out->assign(text.data(), text.size());  // stored as is: length == size says so
  } else {
    out->resize(n);
  }
}

bool InflateBlock(std::string_view data, int64_t size, std::string* out) {
  if (size < 0) return false;
  // Deflate's densest output is 258 bytes from about 2 bits: a little over 1032 times its input.
  const int64_t most = static_cast<int64_t>(data.size()) * 1032 + 1024;
  if (size > most || size > kMaxInflateBytes) return false;
  if (static_cast<int64_t>(data.size()) == size) {
    out->assign(data.data(), data.size());
    return true;
  }
  // One decompressor per thread: allocating it costs more than inflating a small block.
  struct Decompressor {
    libdeflate_decompressor* d = libdeflate_alloc_decompressor();
    ~Decompressor() { libdeflate_free_decompressor(d); }
  };
  thread_local Decompressor dec;
  if (dec.d == nullptr) return false;
  out->resize(static_cast<size_t>(size));
  size_t got = 0;
  return libdeflate_zlib_decompress(dec.d, data.data(), data.size(), out->data(), out->size(),
                                    &got) == LIBDEFLATE_SUCCESS &&
         got == static_cast<size_t>(size);
}

RawBlockBuilder::RawBlockBuilder() : compressor_(libdeflate_alloc_compressor(kDeflateLevel)) {}

RawBlockBuilder::~RawBlockBuilder() { libdeflate_free_compressor(compressor_); }

RawRef RawBlockBuilder::Add(std::string_view text) {
  RawRef ref;
  if (text.empty()) return ref;
  if (NeedsSeal(text.size())) Seal();
  ref.block = static_cast<int64_t>(used_);
  ref.start = static_cast<int64_t>(open_.size());
  ref.len = static_cast<int64_t>(text.size());
  open_.append(text.data(), text.size());
  return ref;
}

void RawBlockBuilder::Seal() {
  if (open_.empty()) return;
  if (used_ == sealed_.size()) sealed_.emplace_back();
  RawBlock& b = sealed_[used_++];
  b.size = static_cast<int64_t>(open_.size());
  DeflateBlock(compressor_, open_, &b.data);
  open_.clear();
}

void RawBlockBuilder::Clear() {
  open_.clear();
  used_ = 0;
}

namespace {

// Per connection: the last block each function inflated.
struct RawCache {
  // sqlar_uncompress: the deflated bytes it was last given, and their text.
  std::string last_in, last_out;
  int64_t last_size = -1;
  // sd_raw: the raw_blocks id it last read (-1: none), and its text.
  int64_t block = -1;
  std::string text;
};

void SqlarUncompress(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* cache = static_cast<RawCache*>(sqlite3_user_data(ctx));
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  int64_t size = sqlite3_value_int64(argv[1]);
  const void* p = sqlite3_value_blob(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  std::string_view in(static_cast<const char*>(p), static_cast<size_t>(n));
  if (size <= 0 || size == n) {  // stored as is (the sqlar convention)
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  if (size != cache->last_size || in != cache->last_in) {
    if (!InflateBlock(in, size, &cache->last_out)) {
      cache->last_size = -1;
      sqlite3_result_error(ctx, "sqlar_uncompress: the data is not a deflated block of that size", -1);
      return;
    }
    cache->last_in.assign(in.data(), in.size());
    cache->last_size = size;
  }
  sqlite3_result_blob64(ctx, cache->last_out.data(), cache->last_out.size(), SQLITE_TRANSIENT);
}

void SdRaw(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* cache = static_cast<RawCache*>(sqlite3_user_data(ctx));
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  int64_t block = sqlite3_value_int64(argv[0]);
  int64_t start = sqlite3_value_int64(argv[1]);
  int64_t len = sqlite3_value_int64(argv[2]);
  if (block != cache->block) {
    cache->block = -1;
    sqlite3* db = sqlite3_context_db_handle(ctx);
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db, "SELECT size, data FROM raw_blocks WHERE id = ?1", -1, &st,
                                nullptr);
    bool found = false, ok = false;
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(st, 1, block);
      rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) {
        found = true;
        const void* p = sqlite3_column_blob(st, 1);
        size_t n = static_cast<size_t>(sqlite3_column_bytes(st, 1));
        ok = InflateBlock(std::string_view(static_cast<const char*>(p), n),
                          sqlite3_column_int64(st, 0), &cache->text);
      }
    }
    sqlite3_finalize(st);
    if (!found) {
      if (rc == SQLITE_DONE) {
        sqlite3_result_error(ctx, "sd_raw: no such raw block", -1);
      } else {
        sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
      }
      return;
    }
    if (!ok) {
      // A damaged (or crafted) block: its text is lost, the rest of the index is not. NULL lets
      // a report go on without that text; `query` shows the NULL.
      sqlite3_result_null(ctx);
      return;
    }
    cache->block = block;
  }
  if (start < 0 || len < 0 || static_cast<uint64_t>(start + len) > cache->text.size()) {
    sqlite3_result_error(ctx, "sd_raw: the range lies outside its block", -1);
    return;
  }
  sqlite3_result_text64(ctx, cache->text.data() + start, static_cast<uint64_t>(len),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
}

void ForgetBlocks(void* p) {
  auto* cache = static_cast<RawCache*>(p);
  cache->block = -1;
}

void DeleteCache(void* p) { delete static_cast<RawCache*>(p); }

}  // namespace

Status RegisterRawFunctions(sqlite3* db) {
  auto* cache = new RawCache();
  // The cache is owned by sd_raw (deleted with the connection); sqlar_uncompress shares it.
  // Innocuous: both only read (sd_raw this index's raw_blocks), so the events view works on a
  // connection that does not trust its schema (Index::SealForUserSql).
  int rc = sqlite3_create_function_v2(db, "sd_raw", 3, SQLITE_UTF8 | SQLITE_INNOCUOUS, cache, SdRaw,
                                      nullptr, nullptr, DeleteCache);
  if (rc != SQLITE_OK) {
    DeleteCache(cache);
    return Status::DbError(std::string("cannot define sd_raw: ") + sqlite3_errmsg(db));
  }
  rc = sqlite3_create_function_v2(db, "sqlar_uncompress", 2,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  cache, SqlarUncompress, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return Status::DbError(std::string("cannot define sqlar_uncompress: ") + sqlite3_errmsg(db));
  }
  // A rolled-back transaction's block ids are given again to other blocks.
  sqlite3_rollback_hook(db, ForgetBlocks, cache);
  return Status::Ok();
}

}  // namespace syncdoctor
