// Tests of the SQLite index (analyzer/index.h).
#include "analyzer/index.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

namespace syncdoctor {
namespace {

std::unique_ptr<Index> OpenMemory() {
  std::unique_ptr<Index> index;
  Status s = Index::Open(":memory:", &index);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(index != nullptr);
  return index;
}

int64_t QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

std::string QueryText(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const unsigned char* p = sqlite3_column_text(st, 0);
  std::string v = p ? reinterpret_cast<const char*>(p) : "";
  sqlite3_finalize(st);
  return v;
}

int64_t AddSource(Index* index, const std::string& path = "page.json") {
  SourceRow row;
  row.bundle = "bundle.zip";
  row.path = path;
  row.sha256 = "ab12";
  row.size = 100;
  row.format = "provisioning-graph-json";
  row.kind = "provisioning";
  row.encoding = "utf-8";
  Status s = index->InsertSource(&row);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(row.id > 0);
  return row.id;
}

Event MakeEvent(const std::string& record_id) {
  Event e;
  e.kind = EventKind::kProvisioning;
  e.record_id = record_id;
  e.level = "failure";
  e.error_code = "ContosoEntryConflict";
  e.message = "Message: conflict";
  e.raw = R"({"id":"r1"})";
  e.loc.line = 3;
  return e;
}

// A file name in the temp folder, removed (with SQLite's side files) when the test ends.
class TempPath {
 public:
  explicit TempPath(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               ("syncdoctor_index_test_" + std::to_string(::getpid()) + "_" + name))
                  .string()) {
    Remove();
  }
  ~TempPath() { Remove(); }
  const std::string& str() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
  }
  std::string path_;
};

// Creates an SQLite file at `path` with one foreign table, without syncdoctor.
void CreateForeignDb(const std::string& path, const std::string& extra_sql = "") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string sql = "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);"
                    "INSERT INTO customers(name) VALUES('Contoso');" + extra_sql;
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("Index: an event with the same (kind, record_id) is stored once", "[analyzer][index]") {
  auto index = OpenMemory();
  int64_t source = AddSource(index.get());
  bool inserted = false;
  int64_t id = 0;
  REQUIRE(index->InsertEvent(source, MakeEvent("r1"), &inserted, &id).ok());
  CHECK(inserted);
  CHECK(id > 0);

  REQUIRE(index->InsertEvent(source, MakeEvent("r1"), &inserted, &id).ok());
  CHECK_FALSE(inserted);
  CHECK(id == 0);
  CHECK(QueryInt(index->db(), "SELECT count(*) FROM events") == 1);

  SECTION("the same record_id of another kind is another event") {
    Event audit = MakeEvent("r1");
    audit.kind = EventKind::kAudit;
    REQUIRE(index->InsertEvent(source, audit, &inserted, &id).ok());
    CHECK(inserted);
    CHECK(QueryInt(index->db(), "SELECT count(*) FROM events") == 2);
  }
  SECTION("a new record_id after a duplicate is inserted") {
    REQUIRE(index->InsertEvent(source, MakeEvent("r2"), &inserted, &id).ok());
    CHECK(inserted);
    CHECK(id > 0);
  }
  SECTION("the same record_id saying something else is kept too (a second job snapshot)") {
    Event later = MakeEvent("r1");
    later.level = "failure";
    later.error_code = "AzureActiveDirectoryInvalidCredential";
    REQUIRE(index->InsertEvent(source, later, &inserted, &id).ok());
    CHECK(inserted);
    CHECK(QueryInt(index->db(), "SELECT count(*) FROM events WHERE record_id = 'r1'") == 2);
    CHECK(ContentKey(later) != ContentKey(MakeEvent("r1")));
  }
  SECTION("an explicit record id replaces the event's own") {
    REQUIRE(index->InsertEvent(source, MakeEvent("r1"), &inserted, &id, "bundle-a|r1").ok());
    CHECK(inserted);
    CHECK(QueryInt(index->db(), "SELECT count(*) FROM events WHERE record_id = 'bundle-a|r1'") == 1);
  }
}

TEST_CASE("Index: ContentKey is stable across runs", "[analyzer][index]") {
  Event e;
  e.time_ms = 1794925510000;
  e.level = "failure";
  e.error_code = "AzureActiveDirectoryInvalidCredential";
  e.message = "CredentialsInvalid AADSTS50034";
  // Pinned: the key is stored in indexes, so it must never change for the same fields.
  const int64_t pinned = 2965372414349637373LL;
  CHECK(ContentKey(e) == pinned);
  Event copy = e;
  copy.raw = "different raw text does not matter";
  copy.record_id = "ids do not matter either";
  CHECK(ContentKey(copy) == pinned);
}

TEST_CASE("Index: events without a record_id are all stored", "[analyzer][index]") {
  auto index = OpenMemory();
  int64_t source = AddSource(index.get());
  bool inserted = false;
  int64_t first = 0, second = 0;
  REQUIRE(index->InsertEvent(source, MakeEvent(""), &inserted, &first).ok());
  CHECK(inserted);
  REQUIRE(index->InsertEvent(source, MakeEvent(""), &inserted, &second).ok());
  CHECK(inserted);
  CHECK(second != first);
  CHECK(QueryInt(index->db(), "SELECT count(*) FROM events WHERE record_id IS NULL") == 2);
}

TEST_CASE("Index: the stored event keeps its fields", "[analyzer][index]") {
  auto index = OpenMemory();
  int64_t source = AddSource(index.get());
  Event e = MakeEvent("r9");
  e.time_ms = 1561409588000;
  e.time_inferred = true;
  bool inserted = false;
  int64_t id = 0;
  REQUIRE(index->InsertEvent(source, e, &inserted, &id).ok());
  const std::string where = " FROM events WHERE id=" + std::to_string(id);
  CHECK(QueryText(index->db(), "SELECT kind" + where) == "provisioning");
  CHECK(QueryText(index->db(), "SELECT error_code" + where) == "ContosoEntryConflict");
  CHECK(QueryText(index->db(), "SELECT raw" + where) == R"({"id":"r1"})");
  CHECK(QueryInt(index->db(), "SELECT time" + where) == 1561409588000);
  CHECK(QueryInt(index->db(), "SELECT time_inferred" + where) == 1);
  CHECK(QueryInt(index->db(), "SELECT line" + where) == 3);
  CHECK(QueryInt(index->db(), "SELECT source_id" + where) == source);
  CHECK(QueryInt(index->db(), "SELECT job_id IS NULL" + where) == 1);  // "" is stored as NULL
}

TEST_CASE("Index: a rolled-back transaction leaves no row", "[analyzer][index]") {
  auto index = OpenMemory();
  int64_t source = AddSource(index.get());
  bool inserted = false;
  int64_t id = 0;
  REQUIRE(index->Begin().ok());
  REQUIRE(index->InsertEvent(source, MakeEvent("r1"), &inserted, &id).ok());
  CHECK(inserted);
  CHECK(QueryInt(index->db(), "SELECT count(*) FROM events") == 1);
  REQUIRE(index->Rollback().ok());
  CHECK(QueryInt(index->db(), "SELECT count(*) FROM events") == 0);

  SECTION("and the same record can be inserted again afterwards") {
    REQUIRE(index->Begin().ok());
    REQUIRE(index->InsertEvent(source, MakeEvent("r1"), &inserted, &id).ok());
    CHECK(inserted);
    REQUIRE(index->Commit().ok());
    CHECK(QueryInt(index->db(), "SELECT count(*) FROM events") == 1);
  }
}

TEST_CASE("Index: HasSource finds a source by bundle, path and sha256", "[analyzer][index]") {
  auto index = OpenMemory();
  bool found = true;
  REQUIRE(index->HasSource("bundle.zip", "page.json", "ab12", &found).ok());
  CHECK_FALSE(found);
  AddSource(index.get());
  REQUIRE(index->HasSource("bundle.zip", "page.json", "ab12", &found).ok());
  CHECK(found);
  REQUIRE(index->HasSource("bundle.zip", "page.json", "ffff", &found).ok());
  CHECK_FALSE(found);
  REQUIRE(index->HasSource("other.zip", "page.json", "ab12", &found).ok());
  CHECK_FALSE(found);
  // The statement is reused: a second look-up with the first key still works.
  REQUIRE(index->HasSource("bundle.zip", "page.json", "ab12", &found).ok());
  CHECK(found);
}

TEST_CASE("Index: meta holds schema version 3", "[analyzer][index]") {
  auto index = OpenMemory();
  std::string value;
  bool found = false;
  REQUIRE(index->GetMeta("schema_version", &value, &found).ok());
  CHECK(found);
  CHECK(value == "3");
  CHECK(QueryInt(index->db(), "PRAGMA user_version") == kSchemaVersion);
  REQUIRE(index->GetMeta("no_such_key", &value, &found).ok());
  CHECK_FALSE(found);
  REQUIRE(index->SetMeta("note", "hello").ok());
  REQUIRE(index->GetMeta("note", &value, &found).ok());
  CHECK(value == "hello");
}

TEST_CASE("Index: a file index is opened again with its events", "[analyzer][index]") {
  TempPath path("reopen.db");
  {
    std::unique_ptr<Index> index;
    REQUIRE(Index::Open(path.str(), &index).ok());
    int64_t source = AddSource(index.get());
    bool inserted = false;
    int64_t id = 0;
    REQUIRE(index->InsertEvent(source, MakeEvent("r1"), &inserted, &id).ok());
  }
  std::unique_ptr<Index> index;
  Status s = Index::Open(path.str(), &index);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(QueryInt(index->db(), "SELECT count(*) FROM events") == 1);
  bool inserted = true;
  int64_t id = 0;
  REQUIRE(index->InsertEvent(1, MakeEvent("r1"), &inserted, &id).ok());
  CHECK_FALSE(inserted);
}

TEST_CASE("Index: an SQLite file that is not an index is refused", "[analyzer][index]") {
  TempPath path("foreign.db");
  CreateForeignDb(path.str());
  std::unique_ptr<Index> index;
  Status s = Index::Open(path.str(), &index);
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Status::Code::kDbError);
  CHECK(s.message().find("not a syncdoctor index") != std::string::npos);
  CHECK(s.message() == path.str() + ": not a syncdoctor index (it holds other tables)");
  CHECK(index == nullptr);
}

TEST_CASE("Index: refusing a foreign SQLite file leaves it as it was",
          "[analyzer][index][regression]") {
  // Bug: Index::Open runs "PRAGMA journal_mode=WAL" before it checks that the file is an
  // index, so a refused foreign database is switched to WAL mode for good.
  TempPath path("foreign_wal.db");
  CreateForeignDb(path.str());
  std::unique_ptr<Index> index;
  REQUIRE_FALSE(Index::Open(path.str(), &index).ok());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.str().c_str(), &db) == SQLITE_OK);
  std::string mode = QueryText(db, "PRAGMA journal_mode");
  int64_t tables = QueryInt(db, "SELECT count(*) FROM sqlite_master");
  sqlite3_close(db);
  CHECK(mode == "delete");
  CHECK(tables == 1);
}

TEST_CASE("Index: an index of another schema version is refused", "[analyzer][index]") {
  TempPath path("v7.db");
  CreateForeignDb(path.str(), "PRAGMA user_version=7;");
  std::unique_ptr<Index> index;
  Status s = Index::Open(path.str(), &index);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == path.str() +
                           ": index schema version 7 is not the version this syncdoctor reads "
                           "(3); use a new --db file");
}

TEST_CASE("Index: a file that is not SQLite is refused", "[analyzer][index]") {
  TempPath path("text.db");
  {
    FILE* f = std::fopen(path.str().c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("AADConnectProvisioningAgent.exe Error: 0 : this is a trace, not a database\n"
               "padding padding padding padding padding padding padding padding padding\n",
               f);
    std::fclose(f);
  }
  std::unique_ptr<Index> index;
  Status s = Index::Open(path.str(), &index);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == path.str() + ": not a usable index: the file is not an index (not an SQLite database, or a damaged one)");
}

}  // namespace syncdoctor

namespace syncdoctor {

TEST_CASE("Index: records that share an id but not their initiator are both kept, and said",
          "[analyzer][index]") {
  auto index = OpenMemory();
  int64_t before = 0;
  REQUIRE(index->MaxEventId(&before).ok());
  CHECK(before == 0);
  int64_t a = AddSource(index.get(), "a.json");
  int64_t b = AddSource(index.get(), "b.json");
  Event first = MakeEvent("audit-1");
  first.kind = EventKind::kAudit;
  first.actor = "admin@contoso.example";
  Event second = first;
  second.actor = "sync@contoso.example";  // the same id, another initiator
  second.loc.line = 9;
  Event again = first;  // the same record read a second time
  bool inserted = false;
  int64_t id = 0;
  REQUIRE(index->InsertEvent(a, first, &inserted, &id).ok());
  CHECK(inserted);
  REQUIRE(index->InsertEvent(b, second, &inserted, &id).ok());
  CHECK(inserted);  // a different record: kept
  REQUIRE(index->InsertEvent(b, again, &inserted, &id).ok());
  CHECK_FALSE(inserted);  // the same record: a duplicate
  CHECK(ContentKey(first) != ContentKey(second));
  CHECK(ContentKey(first) == ContentKey(again));

  int64_t noted = 0;
  REQUIRE(index->NoteSharedRecordIds(before, &noted).ok());
  CHECK(noted == 1);
  CHECK(QueryText(index->db(), "SELECT warnings FROM sources WHERE path = 'b.json'")
            .find("line 9: record id 'audit-1' also names a different record at a.json:3") !=
        std::string::npos);
  CHECK(QueryText(index->db(), "SELECT coalesce(warnings, '') FROM sources WHERE path = 'a.json'")
            .find("audit-1") == std::string::npos);
  // A later run with nothing new says nothing again.
  int64_t now = 0;
  REQUIRE(index->MaxEventId(&now).ok());
  REQUIRE(index->NoteSharedRecordIds(now, &noted).ok());
  CHECK(noted == 0);
}

TEST_CASE("Index: a field that is set changes the content key, an empty one leaves it as it was",
          "[analyzer][index]") {
  Event e = MakeEvent("r");
  const int64_t plain = ContentKey(e);
  for (std::string Event::*field : {&Event::actor, &Event::source_identity, &Event::source_id,
                                    &Event::target_id, &Event::reason}) {
    Event changed = e;
    changed.*field = "x";
    CHECK(ContentKey(changed) != plain);
  }
  // The tag keeps fields apart: the same text in two different fields gives two keys.
  Event by_actor = e, by_reason = e;
  by_actor.actor = "x";
  by_reason.reason = "x";
  CHECK(ContentKey(by_actor) != ContentKey(by_reason));
}

}  // namespace syncdoctor
