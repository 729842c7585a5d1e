// Index: the SQLite file that holds everything syncdoctor knows about a bundle. Its schema is a
// public interface, documented in docs/index-schema.md; kSchemaVersion changes with it.
#ifndef SYNCDOCTOR_ANALYZER_INDEX_H_
#define SYNCDOCTOR_ANALYZER_INDEX_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "analyzer/raw_blocks.h"
#include "analyzer/sqlite_util.h"
#include "parsers/event.h"
#include "parsers/status.h"

namespace syncdoctor {

constexpr int kSchemaVersion = 3;

// One row of `sources`: an input file and what became of it.
struct SourceRow {
  int64_t id = 0;
  std::string bundle, path, sha256;
  int64_t size = -1;
  std::string format = "unknown", kind = "", encoding = "";
  std::string status = "parsed";  // parsed, partial, skipped, failed
  std::string reason;
  std::vector<std::string> warnings;
  int64_t records = 0, events = 0, unparsed = 0, duplicates = 0;
  int64_t first_time = 0, last_time = 0;
  int detect_score = 0;
  std::string stat_key;  // BundleFile::stat_key; "" inside archives
};

class Index {
 public:
  // Opens (creating when missing) the index at `path` (":memory:" for tests). A file that is no
  // syncdoctor index, or one of another schema version, is refused with a clear message.
  // With `create` false an empty or missing file is refused instead of made an index (query,
  // search and report only read).
  static Status Open(const std::string& path, std::unique_ptr<Index>* out, bool create = true);

  // Opens an existing index for reading only (SQLITE_OPEN_READONLY): report, query, search and
  // timeline. A file that cannot be written, or that lies in a folder that cannot be written (a
  // case archive, a mounted share), is opened as immutable, so that no -shm or -wal file is
  // needed beside it. Nothing about the file is changed.
  static Status OpenReadOnly(const std::string& path, std::unique_ptr<Index>* out);

  // Seals a reading connection for SQL a user typed (`query`): query_only, SQLite's defensive
  // mode, and an authorizer that refuses ATTACH and DETACH, PRAGMAs that set a value, and any
  // statement that writes (VACUUM INTO included), so that no file is created or changed. Call it
  // after the connection's own ATTACHes.
  Status SealForUserSql();

  // Whether the index was opened read-only.
  bool read_only() const { return read_only_; }
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  sqlite3* db() const { return db_; }

  Status Begin();     // BEGIN IMMEDIATE: waits up to the busy timeout for another writer
  Status Commit();    // stores the open raw text block first
  Status Rollback();

  // True when (bundle, path, sha256) is already a row: re-ingesting it is a no-op.
  Status HasSource(const std::string& bundle, const std::string& path, const std::string& sha256,
                   bool* found);
  // The path and bundle of a row with this content that was read (not skipped), if any.
  // The sha256 recorded for `path` of `bundle` with the same stat key (see BundleFile).
  Status FindByStat(const std::string& bundle, const std::string& path,
                    const std::string& stat_key, std::string* sha256, bool* found);
  Status FindIndexedCopy(const std::string& sha256, std::string* path, std::string* bundle,
                         bool* found);
  Status InsertSource(SourceRow* row);       // sets row->id
  Status UpdateSource(const SourceRow& row);

  // Stores an event unless one with the same kind, record id and content (ContentKey) is stored
  // already (*inserted = false then): overlapping exports store a record once, while two records
  // that share an id but say different things are both kept. `record_id`, when not empty,
  // replaces e.record_id (the ingest qualifies positional ids with their bundle).
  // `content_key`: ContentKey(e) when a worker computed it already; 0 computes it here.
  // `raw`: where a worker put e's text (a raw_blocks id from NextRawBlockId, stored with
  // StoreRawBlock before the commit); without it, e.raw goes into a block of the index's own,
  // stored when it is full or at Commit.
  Status InsertEvent(int64_t source_id, const Event& e, bool* inserted, int64_t* event_id,
                     std::string_view record_id = {}, int64_t content_key = 0,
                     const RawRef* raw = nullptr);
  // The id the next raw text block will be stored under, and storing it (under that id).
  Status NextRawBlockId(int64_t* id);
  Status StoreRawBlock(const RawBlock& block, int64_t* id);
  Status InsertUnparsed(int64_t source_id, const SourceLoc& loc, std::string_view reason,
                        std::string_view raw);
  Status InsertMatch(std::string_view signature, std::string_view scope, int64_t event_id);

  // Brings the full-text index up to date with `events` (rows added since the last call).
  Status UpdateFts();

  // The largest event row id (0 for none): where a run's events start.
  Status MaxEventId(int64_t* id);
  // Record ids that name two or more events of different content (ContentKey keeps them apart)
  // where one of them came after `after_event_id`: each later event gets a warning on its source
  // ("line 7: record id 'X' also names a different record at a.json:3; both are kept"), at most
  // kMaxSharedIdWarnings per source then one line with the count. *noted: the events warned of.
  Status NoteSharedRecordIds(int64_t after_event_id, int64_t* noted);
  static constexpr int kMaxSharedIdWarnings = 10;
  // Bulk loading: no sync on commit (WAL still journals every transaction, so a killed run
  // leaves a usable index; only a power loss during the load can lose its last transactions),
  // then EndBulk syncs and checkpoints.
  Status BeginBulk();
  Status EndBulk();

  Status GetMeta(const std::string& key, std::string* value, bool* found);
  Status SetMeta(const std::string& key, const std::string& value);

 private:
  Index() = default;
  Status CreateSchema(bool create);
  bool read_only_ = false;
  Status PrepareAll();

  sqlite3* db_ = nullptr;
  Status InsertDetails(int64_t event_id, const Event& e);
  Status FlushPendingRaw();
  std::unique_ptr<RawBlockBuilder> pending_raw_;  // the open block of InsertEvent without a ref
  int64_t next_block_ = 0;                         // 0: read it from raw_blocks
  Stmt insert_step_, insert_modified_, insert_target_, insert_detail_;
  Stmt insert_event_, insert_block_, next_block_stmt_, insert_unparsed_, insert_match_, insert_source_, update_source_,
      has_source_, find_copy_, find_stat_;
};

// A stable 63-bit hash of what an event says (time, level, activity, error code, message, job,
// cycle, change, target): the third part of the dedupe key.
int64_t ContentKey(const Event& e);

// Serialises warnings as a JSON array of strings (the `sources.warnings` column).
std::string WarningsToJson(const std::vector<std::string>& warnings);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_INDEX_H_
