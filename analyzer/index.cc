#include "analyzer/index.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "analyzer/report/json_writer.h"

namespace syncdoctor {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
  id INTEGER PRIMARY KEY,
  bundle TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER,
  format TEXT NOT NULL,
  kind TEXT NOT NULL,
  encoding TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('parsed', 'partial', 'skipped', 'failed')),
  reason TEXT NOT NULL DEFAULT '',
  warnings TEXT NOT NULL DEFAULT '[]',
  records INTEGER NOT NULL DEFAULT 0,
  events INTEGER NOT NULL DEFAULT 0,
  unparsed INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  first_time INTEGER,
  last_time INTEGER,
  detect_score INTEGER NOT NULL DEFAULT 0,
  stat_key TEXT,
  UNIQUE (bundle, path, sha256));
CREATE INDEX IF NOT EXISTS sources_sha ON sources(sha256);
CREATE TABLE IF NOT EXISTS event_rows(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  time INTEGER,
  time_inferred INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL,
  level TEXT,
  record_id TEXT,
  job_id TEXT,
  cycle_id TEXT,
  change_id TEXT,
  correlation_id TEXT,
  activity TEXT,
  actor TEXT,
  source_identity TEXT,
  target_identity TEXT,
  source_object_id TEXT,
  target_object_id TEXT,
  error_code TEXT,
  reason TEXT,
  message TEXT,
  content_key INTEGER NOT NULL DEFAULT 0,
  raw_block INTEGER,
  raw_start INTEGER,
  raw_len INTEGER,
  UNIQUE (kind, record_id, content_key));
-- (time, level) covers the report's timeline; (source_id, time_inferred, time) gives the newest
-- event of a file in one seek (the report's silence checks).
CREATE INDEX IF NOT EXISTS events_time ON event_rows(time, level);
CREATE INDEX IF NOT EXISTS events_source ON event_rows(source_id, time_inferred, time);
CREATE INDEX IF NOT EXISTS events_job ON event_rows(job_id);
CREATE INDEX IF NOT EXISTS events_error ON event_rows(error_code);
-- The original text of the events, apart from their fields: the raw records of consecutive
-- events of a file, concatenated into blocks of about 32 KiB and deflated (zlib format; `data`
-- is the text itself when deflating did not shrink it, as in SQLite's sqlar archives). An event
-- names its block and its bytes [raw_start, raw_start + raw_len) in the inflated block.
CREATE TABLE IF NOT EXISTS raw_blocks(
  id INTEGER PRIMARY KEY,
  size INTEGER NOT NULL,
  data BLOB NOT NULL);
-- What users query: every field and the raw text, in the column order of schema version 1.
-- sqlar_uncompress is defined by syncdoctor and by the sqlite3 shell.
CREATE VIEW IF NOT EXISTS events AS
  SELECT r.id, r.source_id, r.line, r.offset, r.time, r.time_inferred, r.kind, r.level,
         r.record_id, r.job_id, r.cycle_id, r.change_id, r.correlation_id, r.activity, r.actor,
         r.source_identity, r.target_identity, r.source_object_id, r.target_object_id,
         r.error_code, r.reason, r.message,
         CAST(substr(sqlar_uncompress(x.data, x.size), r.raw_start + 1, r.raw_len) AS TEXT) AS raw,
         r.content_key
  FROM event_rows r LEFT JOIN raw_blocks x ON x.id = r.raw_block;
-- columnsize=0: no per-row token counts (only bm25 ranking needs them, and search orders by
-- time); filling the index takes a third less time.
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(message, content='event_rows', content_rowid='id', columnsize=0);
CREATE TABLE IF NOT EXISTS provisioning_steps(
  event_id INTEGER NOT NULL REFERENCES events(id),
  ordinal INTEGER NOT NULL,
  name TEXT,
  step_type TEXT,
  status TEXT,
  description TEXT,
  details TEXT,
  PRIMARY KEY (event_id, ordinal)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS modified_properties(
  event_id INTEGER NOT NULL REFERENCES events(id),
  ordinal INTEGER NOT NULL,
  target INTEGER,
  name TEXT,
  old_value TEXT,
  new_value TEXT,
  PRIMARY KEY (event_id, ordinal)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS target_resources(
  event_id INTEGER NOT NULL REFERENCES events(id),
  ordinal INTEGER NOT NULL,
  object_id TEXT,
  display_name TEXT,
  type TEXT,
  user_principal_name TEXT,
  PRIMARY KEY (event_id, ordinal)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS additional_details(
  event_id INTEGER NOT NULL REFERENCES events(id),
  ordinal INTEGER NOT NULL,
  key TEXT,
  value TEXT,
  PRIMARY KEY (event_id, ordinal)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unparsed(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS matches(
  signature TEXT NOT NULL,
  event_id INTEGER NOT NULL REFERENCES events(id),
  scope TEXT NOT NULL,
  PRIMARY KEY (signature, event_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS matches_event ON matches(event_id);
-- Findings group matches by signature and scope: in this order they need no sort (whose memory
-- grew with the number of matches).
CREATE INDEX IF NOT EXISTS matches_scope ON matches(signature, scope);
CREATE TABLE IF NOT EXISTS findings(
  id INTEGER PRIMARY KEY,
  signature TEXT NOT NULL,
  scope TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_time INTEGER,
  last_time INTEGER,
  hidden_by TEXT NOT NULL DEFAULT '',
  UNIQUE (signature, scope));
)sql";

}  // namespace

std::string WarningsToJson(const std::vector<std::string>& warnings) {
  std::string out;
  JsonWriter w(&out, false);
  w.BeginArray();
  for (const auto& s : warnings) w.String(s);
  w.EndArray();
  return out;
}

Status Index::Open(const std::string& path, std::unique_ptr<Index>* out, bool create) {
  // No memory statistics: they take a global mutex on every allocation, which the writer and
  // the readers of --jobs then contend for. Must precede the library's initialisation; a later
  // call fails harmlessly.
  static std::once_flag config_once;
  std::call_once(config_once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  std::unique_ptr<Index> idx(new Index());
  int rc = sqlite3_open_v2(path.c_str(), &idx->db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = idx->db_ ? sqlite3_errmsg(idx->db_) : "out of memory";
    return Status::DbError(path + ": cannot open the index: " + msg);
  }
  sqlite3_busy_timeout(idx->db_, 10000);
  Status fs = RegisterRawFunctions(idx->db_);
  if (!fs.ok()) return Status::DbError(path + ": " + fs.message());
  // 16 KB pages for a new index (an existing one keeps its own): a provisioning record's raw
  // JSON is about 2 KB, and on 4 KB pages most of each page is left empty, so the index was
  // 30 % larger and an ingest wrote that much more. It has no effect on an existing file.
  Status s = Exec(idx->db_, "PRAGMA page_size=16384");
  // A file that is not SQLite fails the first read with "file is not a database"; one that is
  // someone else's database is refused by CreateSchema before anything is changed in it.
  if (s.ok()) s = idx->CreateSchema(create);
  if (!s.ok()) return Status::DbError(path + ": " + s.message());
  // WAL, checkpointed every 64 MB rather than every 4 MB (each checkpoint syncs), and a 32 MB
  // page cache: the index is written in bulk, and these halve the time of a large ingest.
  int64_t page_size = 4096;
  {
    Stmt ps;
    bool row = false;
    if (Stmt::Prepare(idx->db_, "PRAGMA page_size", &ps).ok() && ps.Step(&row).ok() && row) {
      page_size = ps.Int(0) > 0 ? ps.Int(0) : 4096;
    }
  }
  s = Exec(idx->db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA wal_autocheckpoint=" + std::to_string((64 << 20) / page_size) +
                     "; PRAGMA cache_size=-32768;");
  if (!s.ok()) return Status::DbError(path + ": not a usable index: " + s.message());
  s = idx->PrepareAll();
  if (!s.ok()) return s;
  *out = std::move(idx);
  return Status::Ok();
}

namespace {

std::string UriEscape(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The authorizer of a sealed connection (Index::SealForUserSql).
int DenyWrites(void*, int action, const char* a, const char* b, const char*, const char*) {
  switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      // Reading a pragma is fine (PRAGMA table_info(x) names its table in `b`, a value set
      // with "=" does too): only those that read are let through.
      if (b == nullptr) return SQLITE_OK;
      for (const char* ok : {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                             "foreign_key_list", "table_list", "function_list", "pragma_list"}) {
        if (a != nullptr && std::strcmp(a, ok) == 0) return SQLITE_OK;
      }
      return SQLITE_DENY;
    default:
      return SQLITE_OK;
  }
}

}  // namespace

Status Index::OpenReadOnly(const std::string& path, std::unique_ptr<Index>* out) {
  static std::once_flag config_once;
  std::call_once(config_once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  std::string dir = abs.parent_path().string();
  // Immutable when nothing beside the file can be written (no -shm can be made); an index
  // written by syncdoctor ends with its log checkpointed, so the file holds everything.
  bool writable = ::access(abs.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0;
  std::string uri = "file:" + UriEscape(abs.string()) + (writable ? "?mode=ro" : "?mode=ro&immutable=1");
  std::unique_ptr<Index> idx(new Index());
  idx->read_only_ = true;
  int rc = sqlite3_open_v2(uri.c_str(), &idx->db_,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = idx->db_ ? SqliteError(idx->db_, rc).message() : "out of memory";
    return Status::DbError(path + ": cannot open the index: " + msg);
  }
  sqlite3_busy_timeout(idx->db_, 10000);
  Status s = RegisterRawFunctions(idx->db_);
  if (s.ok()) s = idx->CreateSchema(/*create=*/false);
  if (s.ok()) s = Exec(idx->db_, "PRAGMA cache_size=-32768");
  if (!s.ok()) return Status::DbError(path + ": " + s.message());
  s = idx->PrepareAll();
  if (!s.ok()) return s;
  *out = std::move(idx);
  return Status::Ok();
}

Status Index::SealForUserSql() {
  Status s = Exec(db_, "PRAGMA query_only=ON");
  if (!s.ok()) return s;
  (void)sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  (void)sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  (void)sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_set_authorizer(db_, DenyWrites, nullptr);
  return Status::Ok();
}

Status Index::BeginBulk() { return Exec(db_, "PRAGMA synchronous=OFF"); }

Status Index::EndBulk() {
  Status s = Exec(db_, "PRAGMA synchronous=NORMAL");
  // The checkpoint copies the log into the database file and syncs it: from here on the index
  // survives a power loss too, not only a killed process.
  if (s.ok()) s = Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  return s;
}

Index::~Index() {
  insert_step_ = Stmt();
  insert_modified_ = Stmt();
  insert_target_ = Stmt();
  insert_detail_ = Stmt();
  insert_event_ = Stmt();
  insert_block_ = Stmt();
  next_block_stmt_ = Stmt();
  insert_unparsed_ = Stmt();
  insert_match_ = Stmt();
  insert_source_ = Stmt();
  update_source_ = Stmt();
  has_source_ = Stmt();
  find_copy_ = Stmt();
  find_stat_ = Stmt();
  if (db_ != nullptr) sqlite3_close(db_);
}

Status Index::CreateSchema(bool create) {
  Stmt v;
  Status s = Stmt::Prepare(db_, "PRAGMA user_version", &v);
  bool row = false;
  if (s.ok()) s = v.Step(&row);
  if (!s.ok()) return Status::DbError("not a usable index: " + s.message());
  int64_t version = row ? v.Int(0) : 0;
  v = Stmt();
  if (version == kSchemaVersion) return Status::Ok();
  if (version != 0) {
    return Status::DbError("index schema version " + std::to_string(version) +
                           " is not the version this syncdoctor reads (" +
                           std::to_string(kSchemaVersion) + "); use a new --db file");
  }
  // A non-empty database without our version is someone else's file: refuse to touch it.
  Stmt t;
  s = Stmt::Prepare(db_, "SELECT count(*) FROM sqlite_master", &t);
  if (s.ok()) s = t.Step(&row);
  if (!s.ok()) return s;
  if (t.Int(0) != 0) return Status::DbError("not a syncdoctor index (it holds other tables)");
  t = Stmt();
  if (!create) return Status::DbError("not a syncdoctor index (it is empty; build one with 'syncdoctor ingest')");
  s = Exec(db_, "BEGIN IMMEDIATE");
  if (s.ok()) s = Exec(db_, kSchema);
  if (s.ok()) {
    s = Exec(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '" +
                      std::to_string(kSchemaVersion) + "'), ('tool_version', '" SYNCDOCTOR_VERSION
                      "'), ('fts_rowid', '0');"
                      "PRAGMA user_version=" + std::to_string(kSchemaVersion));
  }
  if (s.ok()) {
    s = Exec(db_, "COMMIT");
  } else {
    (void)Exec(db_, "ROLLBACK");
  }
  return s;
}

Status Index::PrepareAll() {
  Status s = Stmt::Prepare(db_,
      "INSERT OR IGNORE INTO event_rows(source_id, line, offset, time, time_inferred, kind, level, "
      "record_id, job_id, cycle_id, change_id, correlation_id, activity, actor, source_identity, "
      "target_identity, source_object_id, target_object_id, error_code, reason, message, "
      "content_key, raw_block, raw_start, raw_len) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
      &insert_event_);
  if (s.ok()) {
    s = Stmt::Prepare(db_, "INSERT INTO raw_blocks(id, size, data) VALUES(?1, ?2, ?3)",
                      &insert_block_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_, "SELECT coalesce(max(id), 0) + 1 FROM raw_blocks", &next_block_stmt_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT INTO provisioning_steps(event_id, ordinal, name, step_type, status, description, "
        "details) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &insert_step_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT INTO modified_properties(event_id, ordinal, target, name, old_value, new_value) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        &insert_modified_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT INTO target_resources(event_id, ordinal, object_id, display_name, type, "
        "user_principal_name) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        &insert_target_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT INTO additional_details(event_id, ordinal, key, value) VALUES(?1, ?2, ?3, ?4)",
        &insert_detail_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT INTO unparsed(source_id, line, offset, reason, raw) VALUES(?1, ?2, ?3, ?4, ?5)",
        &insert_unparsed_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT OR IGNORE INTO matches(signature, scope, event_id) VALUES(?1, ?2, ?3)",
        &insert_match_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "INSERT INTO sources(bundle, path, sha256, size, format, kind, encoding, status, reason, "
        "warnings, records, events, unparsed, duplicates, first_time, last_time, detect_score, "
        "stat_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
        "?17, ?18)",
        &insert_source_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "UPDATE sources SET bundle=?1, path=?2, sha256=?3, size=?4, format=?5, kind=?6, "
        "encoding=?7, status=?8, reason=?9, warnings=?10, records=?11, events=?12, unparsed=?13, "
        "duplicates=?14, first_time=?15, last_time=?16, detect_score=?17, stat_key=?18 WHERE id=?19",
        &update_source_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_, "SELECT 1 FROM sources WHERE bundle=?1 AND path=?2 AND sha256=?3",
                      &has_source_);
  }
  if (s.ok()) {
    s = Stmt::Prepare(db_,
        "SELECT path, bundle FROM sources WHERE sha256=?1 AND status <> 'skipped' ORDER BY id LIMIT 1",
        &find_copy_);
  }
  if (s.ok()) {
    // Only a row with the real hash: "pending" (a killed run) and "-" (unreadable) do not count.
    s = Stmt::Prepare(db_,
        "SELECT sha256 FROM sources WHERE bundle=?1 AND path=?2 AND stat_key=?3 "
        "AND length(sha256) = 64 ORDER BY id DESC LIMIT 1",
        &find_stat_);
  }
  return s;
}

Status Index::Begin() {
  next_block_ = 0;  // another process may have stored blocks since our last transaction
  return Exec(db_, "BEGIN IMMEDIATE");  // a busy index says so (SqliteError)
}
Status Index::Commit() {
  Status s = FlushPendingRaw();
  return s.ok() ? Exec(db_, "COMMIT") : s;
}

Status Index::Rollback() {
  if (pending_raw_ != nullptr) pending_raw_->Clear();
  next_block_ = 0;
  return Exec(db_, "ROLLBACK");
}

Status Index::NextRawBlockId(int64_t* id) {
  if (next_block_ == 0) {
    bool row = false;
    Status s = next_block_stmt_.Step(&row);
    if (s.ok() && row) next_block_ = next_block_stmt_.Int(0);
    next_block_stmt_.Reset();
    if (!s.ok()) return s;
    if (next_block_ <= 0) return Status::DbError("cannot number the next raw text block");
  }
  *id = next_block_;
  return Status::Ok();
}

Status Index::StoreRawBlock(const RawBlock& block, int64_t* id) {
  Status s = FlushPendingRaw();  // blocks are numbered in the order they are stored
  if (s.ok()) s = NextRawBlockId(id);
  if (!s.ok()) return s;
  insert_block_.Bind(1, *id);
  insert_block_.Bind(2, block.size);
  sqlite3_bind_blob64(insert_block_.get(), 3, block.data.data(), block.data.size(), SQLITE_STATIC);
  s = insert_block_.Run();
  if (s.ok()) ++next_block_;
  return s;
}

Status Index::FlushPendingRaw() {
  if (pending_raw_ == nullptr || pending_raw_->open_bytes() == 0) return Status::Ok();
  pending_raw_->Seal();
  int64_t id = 0;
  // StoreRawBlock flushes first: take the block out of pending_raw_ so that it does not recurse.
  RawBlock block = pending_raw_->block(0);
  pending_raw_->Clear();
  return StoreRawBlock(block, &id);
}

Status Index::HasSource(const std::string& bundle, const std::string& path,
                        const std::string& sha256, bool* found) {
  has_source_.Bind(1, bundle);
  has_source_.Bind(2, path);
  has_source_.Bind(3, sha256);
  Status s = has_source_.Step(found);
  has_source_.Reset();
  return s;
}

Status Index::FindByStat(const std::string& bundle, const std::string& path,
                         const std::string& stat_key, std::string* sha256, bool* found) {
  find_stat_.Bind(1, bundle);
  find_stat_.Bind(2, path);
  find_stat_.Bind(3, stat_key);
  Status s = find_stat_.Step(found);
  if (s.ok() && *found) *sha256 = std::string(find_stat_.Text(0));
  find_stat_.Reset();
  return s;
}

Status Index::FindIndexedCopy(const std::string& sha256, std::string* path, std::string* bundle,
                              bool* found) {
  find_copy_.Bind(1, sha256);
  Status s = find_copy_.Step(found);
  if (s.ok() && *found) {
    *path = std::string(find_copy_.Text(0));
    *bundle = std::string(find_copy_.Text(1));
  }
  find_copy_.Reset();
  return s;
}

namespace {
void BindSource(Stmt* st, const SourceRow& r) {
  st->Bind(1, r.bundle);
  st->Bind(2, r.path);
  st->Bind(3, r.sha256);
  st->Bind(4, r.size);
  st->Bind(5, r.format);
  st->Bind(6, r.kind);
  st->Bind(7, r.encoding);
  st->Bind(8, r.status);
  st->Bind(9, r.reason);
  st->Bind(10, WarningsToJson(r.warnings));
  st->Bind(11, r.records);
  st->Bind(12, r.events);
  st->Bind(13, r.unparsed);
  st->Bind(14, r.duplicates);
  if (r.first_time != 0) st->Bind(15, r.first_time); else st->BindNull(15);
  if (r.last_time != 0) st->Bind(16, r.last_time); else st->BindNull(16);
  st->Bind(17, static_cast<int64_t>(r.detect_score));
  st->BindOrNull(18, r.stat_key);
}
}  // namespace

Status Index::InsertSource(SourceRow* row) {
  BindSource(&insert_source_, *row);
  Status s = insert_source_.Run();
  if (s.ok()) row->id = sqlite3_last_insert_rowid(db_);
  return s;
}

Status Index::UpdateSource(const SourceRow& row) {
  BindSource(&update_source_, row);
  update_source_.Bind(19, row.id);
  return update_source_.Run();
}

int64_t ContentKey(const Event& e) {
  // FNV-1a over the normalised fields that say what happened. Stable across runs and builds.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(std::to_string(e.time_ms));
  for (const std::string* s : {&e.level, &e.activity, &e.error_code, &e.message, &e.job_id,
                               &e.cycle_id, &e.change_id, &e.target_identity}) {
    mix(*s);
  }
  // Who and what a record names count as much as what happened: two records that share an id
  // but differ in their initiator or their object are two records (see NoteSharedRecordIds).
  // These fields join the key only when set, each under its own tag, so that the keys of events
  // without them stay what indexes of earlier versions hold.
  const std::pair<char, const std::string*> named[] = {
      {'a', &e.actor}, {'s', &e.source_identity}, {'i', &e.source_id}, {'t', &e.target_id},
      {'r', &e.reason}};
  for (const auto& [tag, field] : named) {
    if (field->empty()) continue;
    mix(std::string_view(&tag, 1));
    mix(*field);
  }
  return static_cast<int64_t>(h >> 1);  // keep it positive for readers of the index
}

Status Index::InsertEvent(int64_t source_id, const Event& e, bool* inserted, int64_t* event_id,
                          std::string_view record_id, int64_t content_key, const RawRef* raw) {
  Stmt& st = insert_event_;
  // Without a ref from a worker, the text goes into this connection's open block; the row
  // names the block by the id it will be stored under.
  RawRef own;
  bool keep_text = false;
  if (raw == nullptr && !e.raw.empty()) {
    if (pending_raw_ == nullptr) pending_raw_ = std::make_unique<RawBlockBuilder>();
    if (pending_raw_->NeedsSeal(e.raw.size())) {
      Status fs = FlushPendingRaw();
      if (!fs.ok()) return fs;
    }
    Status ns = NextRawBlockId(&own.block);
    if (!ns.ok()) return ns;
    own.start = static_cast<int64_t>(pending_raw_->open_bytes());
    own.len = static_cast<int64_t>(e.raw.size());
    raw = &own;
    keep_text = true;
  }
  st.Bind(1, source_id);
  st.Bind(2, static_cast<int64_t>(e.loc.line));
  st.Bind(3, static_cast<int64_t>(e.loc.offset));
  if (e.time_ms != 0) st.Bind(4, e.time_ms); else st.BindNull(4);
  st.Bind(5, static_cast<int64_t>(e.time_inferred ? 1 : 0));
  st.BindStatic(6, EventKindName(e.kind));
  st.BindOrNull(7, e.level);
  st.BindOrNull(8, record_id.empty() ? std::string_view(e.record_id) : record_id);
  st.BindOrNull(9, e.job_id);
  st.BindOrNull(10, e.cycle_id);
  st.BindOrNull(11, e.change_id);
  st.BindOrNull(12, e.correlation_id);
  st.BindOrNull(13, e.activity);
  st.BindOrNull(14, e.actor);
  st.BindOrNull(15, e.source_identity);
  st.BindOrNull(16, e.target_identity);
  st.BindOrNull(17, e.source_id);
  st.BindOrNull(18, e.target_id);
  st.BindOrNull(19, e.error_code);
  st.BindOrNull(20, e.reason);
  st.BindStatic(21, e.message);
  st.Bind(22, content_key != 0 ? content_key : ContentKey(e));
  if (raw != nullptr && raw->block > 0) {  // no text: NULLs, and the events view shows NULL
    st.Bind(23, raw->block);
    st.Bind(24, raw->start);
    st.Bind(25, raw->len);
  } else {
    st.BindNull(23);
    st.BindNull(24);
    st.BindNull(25);
  }
  Status s = st.Run();
  if (!s.ok()) return s;
  *inserted = sqlite3_changes(db_) > 0;
  *event_id = *inserted ? sqlite3_last_insert_rowid(db_) : 0;
  if (!*inserted) return Status::Ok();
  if (keep_text) {
    pending_raw_->Add(e.raw);
    // Outside a transaction nothing would store the block later: store it now.
    if (sqlite3_get_autocommit(db_) != 0 && !(s = FlushPendingRaw()).ok()) return s;
  }
  return InsertDetails(*event_id, e);
}

Status Index::InsertDetails(int64_t event_id, const Event& e) {
  Status s;
  int64_t i = 0;
  for (const auto& st : e.steps) {
    insert_step_.Bind(1, event_id);
    insert_step_.Bind(2, i++);
    insert_step_.BindOrNull(3, st.name);
    insert_step_.BindOrNull(4, st.type);
    insert_step_.BindOrNull(5, st.status);
    insert_step_.BindOrNull(6, st.description);
    insert_step_.BindOrNull(7, st.details);
    if (!(s = insert_step_.Run()).ok()) return s;
  }
  i = 0;
  for (const auto& m : e.modified) {
    insert_modified_.Bind(1, event_id);
    insert_modified_.Bind(2, i++);
    if (m.target >= 0) insert_modified_.Bind(3, static_cast<int64_t>(m.target)); else insert_modified_.BindNull(3);
    insert_modified_.BindOrNull(4, m.name);
    insert_modified_.BindOrNull(5, m.old_value);
    insert_modified_.BindOrNull(6, m.new_value);
    if (!(s = insert_modified_.Run()).ok()) return s;
  }
  i = 0;
  for (const auto& t : e.targets) {
    insert_target_.Bind(1, event_id);
    insert_target_.Bind(2, i++);
    insert_target_.BindOrNull(3, t.id);
    insert_target_.BindOrNull(4, t.display_name);
    insert_target_.BindOrNull(5, t.type);
    insert_target_.BindOrNull(6, t.user_principal_name);
    if (!(s = insert_target_.Run()).ok()) return s;
  }
  i = 0;
  for (const auto& d : e.details) {
    insert_detail_.Bind(1, event_id);
    insert_detail_.Bind(2, i++);
    insert_detail_.BindOrNull(3, d.key);
    insert_detail_.BindOrNull(4, d.value);
    if (!(s = insert_detail_.Run()).ok()) return s;
  }
  return s;
}

Status Index::InsertUnparsed(int64_t source_id, const SourceLoc& loc, std::string_view reason,
                             std::string_view raw) {
  insert_unparsed_.Bind(1, source_id);
  insert_unparsed_.Bind(2, static_cast<int64_t>(loc.line));
  insert_unparsed_.Bind(3, static_cast<int64_t>(loc.offset));
  insert_unparsed_.BindStatic(4, reason);
  insert_unparsed_.BindStatic(5, raw);
  return insert_unparsed_.Run();
}

Status Index::InsertMatch(std::string_view signature, std::string_view scope, int64_t event_id) {
  insert_match_.BindStatic(1, signature);
  insert_match_.BindStatic(2, scope);
  insert_match_.Bind(3, event_id);
  return insert_match_.Run();
}

Status Index::UpdateFts() {
  std::string value;
  bool found = false;
  Status s = GetMeta("fts_rowid", &value, &found);
  if (!s.ok()) return s;
  int64_t last = found ? std::stoll(value) : 0;
  {
    // Nothing to do (the common case for search, and for an ingest that added nothing): no
    // write transaction, so a read-only index is fine.
    Stmt st;
    bool row = false;
    s = Stmt::Prepare(db_, "SELECT 1 FROM event_rows WHERE id > ?1 LIMIT 1", &st);
    if (s.ok()) st.Bind(1, last);
    if (s.ok()) s = st.Step(&row);
    if (!s.ok() || !row) return s;
  }
  s = Begin();
  if (!s.ok()) return s;
  s = Exec(db_, "INSERT INTO events_fts(rowid, message) SELECT id, message FROM event_rows WHERE id > " +
                    std::to_string(last));
  if (s.ok()) {
    s = Exec(db_, "INSERT OR REPLACE INTO meta(key, value) "
                  "SELECT 'fts_rowid', CAST(coalesce(max(id), 0) AS TEXT) FROM event_rows");
  }
  if (s.ok()) return Commit();
  (void)Rollback();
  return s;
}

Status Index::MaxEventId(int64_t* id) {
  Stmt st;
  bool row = false;
  Status s = Stmt::Prepare(db_, "SELECT coalesce(max(id), 0) FROM event_rows", &st);
  if (s.ok()) s = st.Step(&row);
  *id = s.ok() && row ? st.Int(0) : 0;
  return s;
}

Status Index::NoteSharedRecordIds(int64_t after_event_id, int64_t* noted) {
  *noted = 0;
  // Groups by the unique (kind, record_id, content_key) index: no sort, one pass over it.
  Stmt st;
  Status s = Stmt::Prepare(db_,
      "WITH shared AS (SELECT kind, record_id FROM event_rows WHERE record_id <> '' "
      "  GROUP BY kind, record_id HAVING count(*) > 1 AND max(id) > ?1) "
      "SELECT e.record_id, e.id, e.source_id, e.line, s.path "
      "FROM shared JOIN event_rows e ON e.kind = shared.kind AND e.record_id = shared.record_id "
      "JOIN sources s ON s.id = e.source_id ORDER BY e.kind, e.record_id, e.id",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, after_event_id);
  struct Note {
    int64_t source_id;
    std::string text;
  };
  std::vector<Note> notes;
  std::map<int64_t, int64_t> per_source;
  std::string group, first_where;
  for (;;) {
    bool row = false;
    s = st.Step(&row);
    if (!s.ok()) return s;
    if (!row) break;
    std::string id(st.Text(0));
    int64_t event_id = st.Int(1), source_id = st.Int(2), line = st.Int(3);
    std::string where = std::string(st.Text(4)) + ":" + std::to_string(line);
    if (id != group) {  // the first event of the id: the one the others are told apart from
      group = id;
      first_where = where;
      continue;
    }
    if (event_id <= after_event_id) continue;  // warned of by the run that stored it
    ++*noted;
    int64_t n = ++per_source[source_id];
    if (n <= kMaxSharedIdWarnings) {
      std::string shown = id.size() > 80 ? id.substr(0, 80) + "…" : id;
      notes.push_back({source_id, "line " + std::to_string(line) + ": record id '" + shown +
                                      "' also names a different record at " + first_where +
                                      " (the two differ in what they say); both are kept"});
    }
  }
  for (const auto& [source_id, n] : per_source) {
    if (n > kMaxSharedIdWarnings) {
      notes.push_back({source_id, "... and " + std::to_string(n - kMaxSharedIdWarnings) +
                                      " more records share their id with a different record"});
    }
  }
  if (notes.empty()) return Status::Ok();
  Stmt up;
  s = Stmt::Prepare(db_, "UPDATE sources SET warnings = json_insert(warnings, '$[#]', ?2) WHERE id = ?1", &up);
  if (!s.ok()) return s;
  s = Begin();
  if (!s.ok()) return s;
  for (const auto& n : notes) {
    up.Bind(1, n.source_id);
    up.Bind(2, n.text);
    s = up.Run();
    up.Reset();
    if (!s.ok()) {
      (void)Rollback();
      return s;
    }
  }
  return Commit();
}

Status Index::GetMeta(const std::string& key, std::string* value, bool* found) {
  Stmt st;
  Status s = Stmt::Prepare(db_, "SELECT value FROM meta WHERE key=?1", &st);
  if (!s.ok()) return s;
  st.Bind(1, key);
  s = st.Step(found);
  if (s.ok() && *found) *value = std::string(st.Text(0));
  return s;
}

Status Index::SetMeta(const std::string& key, const std::string& value) {
  Stmt st;
  Status s = Stmt::Prepare(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", &st);
  if (!s.ok()) return s;
  st.Bind(1, key);
  st.Bind(2, value);
  return st.Run();
}

}  // namespace syncdoctor
