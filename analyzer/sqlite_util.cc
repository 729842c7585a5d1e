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

Status Stmt::Step(bool* row) {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) {
    *row = true;
    return Status::Ok();
  }
  *row = false;
  if (rc == SQLITE_DONE) return Status::Ok();
  return Status::DbError(sqlite3_errmsg(db_));
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
  if (sqlite3_exec(db, q.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::DbError(msg);
  }
  return Status::Ok();
}

}  // namespace syncdoctor
