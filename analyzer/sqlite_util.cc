#include "analyzer/sqlite_util.h"

#include <string>

namespace syncdoctor {

Status Stmt::Prepare(sqlite3* db, std::string_view sql, Stmt* out, size_t* used) {
  sqlite3_stmt* s = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s, &tail);
  if (used != nullptr) *used = tail != nullptr ? static_cast<size_t>(tail - sql.data()) : sql.size();
  if (rc != SQLITE_OK) {
    return Status::DbError(std::string(sqlite3_errmsg(db)) + " in: " + std::string(sql.substr(0, 200)));
  }
  out->stmt_.reset(s);
  out->db_ = db;
  return Status::Ok();
}

void Stmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Stmt::BindStatic(int i, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Stmt::Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_.get(), i, v); }

void Stmt::BindNull(int i) { sqlite3_bind_null(stmt_.get(), i); }

void Stmt::BindOrNull(int i, std::string_view text) {
  if (text.empty()) {
    BindNull(i);
  } else {
    BindStatic(i, text);
  }
}

Status SqliteError(sqlite3* db, int rc) {
  // The user reads these: what happened to the index, never SQLite's own wording, except for
  // plain errors (SQLITE_ERROR), which are those of SQL the user wrote (`query`).
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::DbError("the index is in use by another syncdoctor run (waited 10 s); run "
                             "again when it has finished, or use another --db file");
    case SQLITE_CONSTRAINT:
      return Status::Conflict("another run stored the same entry in the index at the same time");
    case SQLITE_CORRUPT:
      return Status::DbError("the index is damaged; build a new one from the bundle with another --db file");
    case SQLITE_NOTADB:
      return Status::DbError("the file is not an index (not an SQLite database, or a damaged one)");
    case SQLITE_READONLY:
      return Status::DbError("the index cannot be written here: read-only (the file or its folder, "
                             "or a command that only reads)");
    case SQLITE_FULL:
      return Status::DbError("the disk that holds the index is full");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Status::DbError("the index file cannot be read or written (an I/O error)");
    case SQLITE_NOMEM:
      return Status::DbError("out of memory");
    case SQLITE_TOOBIG:
      return Status::DbError("a value is larger than the index accepts");
    case SQLITE_INTERRUPT:
      return Status::DbError("interrupted");
    case SQLITE_AUTH:
      return Status::DbError(std::string("not allowed: ") + sqlite3_errmsg(db));
    default:
      return Status::DbError(sqlite3_errmsg(db));
  }
}

Status Stmt::Step(bool* row) {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) {
    *row = true;
    return Status::Ok();
  }
  *row = false;
  if (rc == SQLITE_DONE) return Status::Ok();
  return SqliteError(db_, rc);
}

Status Stmt::Run() {
  bool row = true;
  Status s;
  while (s.ok() && row) s = Step(&row);
  Reset();
  return s;
}

void Stmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string_view Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

Status Exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  std::string q(sql);
  int rc = sqlite3_exec(db, q.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    Status mapped = SqliteError(db, rc);
    return (rc & 0xff) == SQLITE_ERROR ? Status::DbError(msg) : mapped;
  }
  return Status::Ok();
}

}  // namespace syncdoctor
