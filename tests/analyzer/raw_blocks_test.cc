// Tests of the raw text blocks (analyzer/raw_blocks.h) and of the index's use of them.
#include "analyzer/raw_blocks.h"

#include <libdeflate.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "analyzer/index.h"

namespace syncdoctor {
namespace {

std::string Random(size_t n, uint64_t seed) {
  std::string s;
  uint64_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s.push_back(static_cast<char>(x & 0xff));
  }
  return s;
}

std::string One(sqlite3* db, const std::string& sql, bool* error = nullptr) {
  sqlite3_stmt* st = nullptr;
  std::string out = "<none>";
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out = p == nullptr ? "<NULL>" : std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, 0)));
  } else {
    out = sqlite3_errmsg(db);
  }
  if (error != nullptr) *error = rc != SQLITE_ROW;
  sqlite3_finalize(st);
  return out;
}

TEST_CASE("raw blocks: text deflates and inflates back, and what does not shrink is stored as is",
          "[analyzer][raw]") {
  libdeflate_compressor* c = libdeflate_alloc_compressor(1);
  std::string text;
  for (int i = 0; i < 500; ++i) text += R"({"id":")" + std::to_string(i) + R"(","status":"failure"})";
  std::string data, back;
  DeflateBlock(c, text, &data);
  CHECK(data.size() < text.size() / 4);
  REQUIRE(InflateBlock(data, static_cast<int64_t>(text.size()), &back));
  CHECK(back == text);

  std::string noise = Random(5000, 7);
  DeflateBlock(c, noise, &data);
  CHECK(data == noise);  // length == size marks it stored
  REQUIRE(InflateBlock(data, static_cast<int64_t>(noise.size()), &back));
  CHECK(back == noise);

  // A wrong size or damaged data is refused, not read past.
  DeflateBlock(c, text, &data);
  CHECK_FALSE(InflateBlock(data, static_cast<int64_t>(text.size()) - 1, &back));
  CHECK_FALSE(InflateBlock(data, static_cast<int64_t>(text.size()) + 1, &back));
  std::string damaged = data;
  damaged[damaged.size() / 2] ^= 0x5a;
  damaged.resize(damaged.size() - 3);
  CHECK_FALSE(InflateBlock(damaged, static_cast<int64_t>(text.size()), &back));
  CHECK_FALSE(InflateBlock(data, -1, &back));
  libdeflate_free_compressor(c);
}

TEST_CASE("raw blocks: the builder closes a block before the text that would overflow it",
          "[analyzer][raw]") {
  RawBlockBuilder b;
  CHECK(b.Add("").block == -1);  // no text, no ref
  std::string rec(1000, 'r');
  std::vector<RawRef> refs;
  for (int i = 0; i < 40; ++i) refs.push_back(b.Add(rec));
  // 32 records of 1000 bytes fit in 32 KiB, the 33rd starts block 1.
  CHECK(refs[31].block == 0);
  CHECK(refs[31].start == 31000);
  CHECK(refs[32].block == 1);
  CHECK(refs[32].start == 0);
  RawRef big = b.Add(std::string(100000, 'b'));  // longer than a block: a block of its own
  CHECK(big.block == 2);
  CHECK(big.start == 0);
  RawRef after = b.Add("tail");
  CHECK(after.block == 3);
  b.Seal();
  REQUIRE(b.count() == 4);
  CHECK(b.block(0).size == 32000);
  CHECK(b.block(1).size == 8000);
  CHECK(b.block(2).size == 100000);
  CHECK(b.block(3).size == 4);
  std::string back;
  REQUIRE(InflateBlock(b.block(2).data, b.block(2).size, &back));
  CHECK(back == std::string(100000, 'b'));
  b.Clear();
  CHECK(b.count() == 0);
  CHECK(b.Add("again").block == 0);
}

TEST_CASE("raw blocks: the index stores each event's text across blocks and reads it back",
          "[analyzer][raw]") {
  std::unique_ptr<Index> index;
  REQUIRE(Index::Open(":memory:", &index).ok());
  SourceRow row;
  row.bundle = "b";
  row.path = "p.ndjson";
  row.sha256 = "00";
  row.format = "provisioning-graph-json";
  row.kind = "provisioning";
  row.encoding = "utf-8";
  REQUIRE(index->Begin().ok());
  REQUIRE(index->InsertSource(&row).ok());
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) {
    texts.push_back(i % 5 == 0 ? Random(700, static_cast<uint64_t>(i))
                               : R"({"id":")" + std::to_string(i) + "\"," + std::string(400, 'x') + "}");
  }
  texts[150] = "";  // an event without text
  for (size_t i = 0; i < texts.size(); ++i) {
    Event e;
    e.kind = EventKind::kProvisioning;
    e.record_id = "r" + std::to_string(i);
    e.raw = texts[i];
    bool inserted = false;
    int64_t id = 0;
    REQUIRE(index->InsertEvent(row.id, e, &inserted, &id).ok());
    REQUIRE(inserted);
    if (i == 10) {  // a duplicate: stored once, its text not again
      REQUIRE(index->InsertEvent(row.id, e, &inserted, &id).ok());
      CHECK_FALSE(inserted);
    }
  }
  REQUIRE(index->Commit().ok());
  sqlite3* db = index->db();
  CHECK(One(db, "SELECT count(*) > 4 FROM raw_blocks") == "1");
  CHECK(One(db, "SELECT sum(size) FROM raw_blocks") == One(db, "SELECT sum(raw_len) FROM event_rows"));
  CHECK(One(db, "SELECT raw FROM events WHERE record_id = 'r150'") == "<NULL>");
  size_t same = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) continue;
    std::string sql = "SELECT raw FROM events WHERE record_id = 'r" + std::to_string(i) + "'";
    std::string via_view = One(db, sql);
    std::string via_sd = One(db, "SELECT sd_raw(raw_block, raw_start, raw_len) FROM event_rows "
                                 "WHERE record_id = 'r" + std::to_string(i) + "'");
    same += via_view == texts[i] && via_sd == texts[i] ? 1 : 0;
  }
  CHECK(same == texts.size() - 1);
}

TEST_CASE("raw blocks: a rolled-back block's id is reused, and sd_raw does not serve its text",
          "[analyzer][raw]") {
  std::unique_ptr<Index> index;
  REQUIRE(Index::Open(":memory:", &index).ok());
  sqlite3* db = index->db();
  auto store = [&](const std::string& text, int64_t* id) {
    RawBlock b;
    b.data = text;
    b.size = static_cast<int64_t>(text.size());
    REQUIRE(index->StoreRawBlock(b, id).ok());
  };
  int64_t first = 0, second = 0;
  REQUIRE(index->Begin().ok());
  store("rolled back text", &first);
  CHECK(One(db, "SELECT sd_raw(" + std::to_string(first) + ", 0, 6)") == "rolled");
  REQUIRE(index->Rollback().ok());
  REQUIRE(index->Begin().ok());
  store("kept text here", &second);
  REQUIRE(index->Commit().ok());
  CHECK(second == first);
  CHECK(One(db, "SELECT sd_raw(" + std::to_string(second) + ", 0, 4)") == "kept");
  // Errors name the problem instead of returning a wrong text.
  bool error = false;
  CHECK(One(db, "SELECT sd_raw(" + std::to_string(second) + ", 10, 50)", &error).find("outside") !=
        std::string::npos);
  CHECK(error);
  CHECK(One(db, "SELECT sd_raw(999, 0, 1)", &error).find("no such raw block") != std::string::npos);
  CHECK(error);
  CHECK(One(db, "SELECT sd_raw(NULL, 0, 1)") == "<NULL>");
  // sqlar_uncompress follows the shell's convention.
  CHECK(One(db, "SELECT sqlar_uncompress('plain', 5)") == "plain");
  CHECK(One(db, "SELECT sqlar_uncompress(x'0102030405', 99)", &error).find("not a deflated block") !=
        std::string::npos);
  CHECK(error);
}

}  // namespace
}  // namespace syncdoctor
