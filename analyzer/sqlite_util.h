// Thin RAII wrappers over SQLite's C API: a prepared statement with bind/step/column helpers.
#ifndef SYNCDOCTOR_ANALYZER_SQLITE_UTIL_H_
#define SYNCDOCTOR_ANALYZER_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "parsers/status.h"

namespace syncdoctor {

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// A prepared statement. Bind indexes are 1-based, column indexes 0-based (SQLite's own).
// Reset() keeps it for reuse; the statement must be destroyed before its connection is closed.
class Stmt {
 public:
  Stmt() = default;
  // `used`, when given, receives how many bytes of `sql` the first statement took.
  static Status Prepare(sqlite3* db, std::string_view sql, Stmt* out, size_t* used = nullptr);
  bool valid() const { return stmt_ != nullptr; }

  // Text is copied by SQLite (SQLITE_TRANSIENT) unless BindStatic is used.
  void Bind(int i, std::string_view text);
  // `text` must stay unchanged until the next Reset().
  void BindStatic(int i, std::string_view text);
  void Bind(int i, int64_t v);
  void BindNull(int i);
  // Binds NULL for "" and the text otherwise.
  void BindOrNull(int i, std::string_view text);

  // SQLITE_ROW -> *row = true; SQLITE_DONE -> *row = false; anything else -> DbError.
  Status Step(bool* row);
  // Steps to completion (an INSERT or UPDATE).
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  std::string_view Text(int col) const;
  int columns() const { return sqlite3_column_count(stmt_.get()); }
  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  std::unique_ptr<sqlite3_stmt, StatementDeleter> stmt_;
  sqlite3* db_ = nullptr;
};

// Runs one or more statements with no results.
Status Exec(sqlite3* db, std::string_view sql);

// The Status for a failed SQLite call with result code `rc`, worded for the user: a busy,
// damaged, read-only or full index says so; a unique key broken by another writer is
// Status::Conflict; plain SQL errors keep SQLite's message (they are the user's own SQL).
Status SqliteError(sqlite3* db, int rc);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_SQLITE_UTIL_H_
