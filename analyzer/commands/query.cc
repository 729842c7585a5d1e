// query (SQL over the index) and search (FTS5 over messages).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <typeinfo>

#include "analyzer/cli.h"
#include "analyzer/commands/common.h"
#include "analyzer/index.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/report/redact.h"
#include "analyzer/report/report_model.h"
#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace po = boost::program_options;

namespace {

// SQLite in Debian 12 attaches at most 10 databases to one connection (SQLITE_MAX_ATTACHED).
constexpr size_t kMaxQueryIndexes = 10;

// Several indexes in one connection: each --db file attached as b1, b2, ... (b1 is the first
// again, which is also `main`), and for every ordinary table T of the schema a TEMP VIEW all_T
// with a first column `db` (the path as given) over all of them, plus all_dbs(db, alias).
Status AttachIndexes(sqlite3* db, const std::vector<std::string>& paths) {
  if (paths.size() > kMaxQueryIndexes) {
    return Status::InvalidInput("query reads at most " + std::to_string(kMaxQueryIndexes) +
                                " --db files at once (SQLite's limit on attached databases); "
                                "query the indexes in groups, or read the batch summary");
  }
  auto literal = [](const std::string& text) {
    std::string q = "'";
    for (char c : text) q += (c == '\'') ? std::string("''") : std::string(1, c);
    return q + "'";
  };
  std::string dbs;
  for (size_t i = 0; i < paths.size(); ++i) {
    // Each file must be an index of this schema (the checks of Index::Open, which changes nothing
    // in an existing index) before it is attached.
    std::unique_ptr<Index> check;
    Status s = Index::OpenReadOnly(paths[i], &check);
    check.reset();
    if (!s.ok()) return s;
    Stmt attach;
    const std::string alias = "b" + std::to_string(i + 1);
    s = Stmt::Prepare(db, "ATTACH DATABASE ?1 AS " + alias, &attach);
    if (s.ok()) {
      attach.Bind(1, paths[i]);
      s = attach.Run();
    }
    if (!s.ok()) return Status::DbError(paths[i] + ": cannot attach: " + s.message());
    dbs += std::string(i ? " UNION ALL " : "") + "SELECT " + literal(paths[i]) + " AS db, '" + alias + "' AS alias";
  }
  Status s = Exec(db, "CREATE TEMP VIEW all_dbs AS " + dbs);
  Stmt tables;
  if (s.ok()) s = Stmt::Prepare(db, "SELECT name FROM pragma_table_list WHERE schema = 'b1' AND type IN ('table', 'view') "
                                    "AND name NOT LIKE 'sqlite%' ORDER BY name", &tables);
  bool row = false;
  std::vector<std::string> names;
  while (s.ok() && (s = tables.Step(&row)).ok() && row) names.emplace_back(tables.Text(0));
  for (size_t t = 0; s.ok() && t < names.size(); ++t) {
    std::string sql = "CREATE TEMP VIEW \"all_" + names[t] + "\" AS ";
    for (size_t i = 0; i < paths.size(); ++i) {
      sql += std::string(i ? " UNION ALL " : "") + "SELECT " + literal(paths[i]) + " AS db, * FROM b" +
             std::to_string(i + 1) + ".\"" + names[t] + "\"";
    }
    s = Exec(db, sql);
  }
  return s;
}

// The --db files: one for search and timeline, one or more for query.
std::vector<std::string> DbPaths(const po::variables_map& vm) {
  if (vm["db"].value().type() == typeid(std::vector<std::string>)) {
    return vm["db"].as<std::vector<std::string>>();
  }
  return {vm["db"].as<std::string>()};
}

// `analyze` leaves the full-text index to its first reader, and a killed run may leave it
// behind: brings it up to date in each index before a command reads it. This is the only write
// search, timeline and query make, on a connection of its own (theirs is query_only).
void CatchUpFts(const std::vector<std::string>& dbs) {
  for (const auto& db : dbs) {
    std::error_code ec;
    std::string dir = std::filesystem::absolute(db, ec).parent_path().string();
    if (::access(db.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0) {
      // A read-only index cannot be caught up: say so only when it lags behind.
      std::unique_ptr<Index> reader;
      Stmt st;
      bool row = false;
      Status s = Index::OpenReadOnly(db, &reader);
      if (s.ok()) {
        s = Stmt::Prepare(reader->db(),
            "SELECT coalesce((SELECT max(id) FROM event_rows), 0) - "
            "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_rowid'), 0)", &st);
      }
      if (s.ok()) s = st.Step(&row);
      if (s.ok() && row && st.Int(0) > 0) {
        PrintWarning(db + ": the index is read-only and its full-text index lacks the newest events: "
                     "full-text results miss them");
      }
      continue;
    }
    std::unique_ptr<Index> writer;
    Status s = Index::Open(db, &writer, /*create=*/false);
    if (s.ok()) s = writer->UpdateFts();
    if (!s.ok()) {
      PrintWarning(db + ": the full-text index could not be brought up to date (" + s.message() +
                   "): full-text results miss the events it lacks");
    }
  }
}

bool OpenExisting(const po::variables_map& vm, std::unique_ptr<Index>* index,
                  bool full_text = false) {
  if (!vm.count("db")) {
    PrintError("needs --db FILE");
    return false;
  }
  const std::vector<std::string> dbs = DbPaths(vm);
  std::error_code ec;
  for (const auto& db : dbs) {
    if (!std::filesystem::exists(db, ec)) {
      PrintError(db + ": no such index");
      return false;
    }
  }
  if (full_text) CatchUpFts(dbs);
  // query, search and timeline only read: the index is opened read-only (a read-only file or
  // share works), and sealed, so that neither a mistyped DELETE nor ATTACH, VACUUM INTO or a
  // PRAGMA can change it or create a file anywhere.
  Status s = Index::OpenReadOnly(dbs[0], index);
  if (s.ok() && dbs.size() > 1) s = AttachIndexes((*index)->db(), dbs);
  if (s.ok()) s = (*index)->SealForUserSql();
  if (!s.ok()) PrintError(s.message());
  return s.ok();
}

// Renders rows of a prepared statement as table, json or csv; with a redactor, every text cell
// goes through it first.
int RenderRows(Stmt* st, const std::string& format, const po::variables_map& vm,
               Redactor* redactor = nullptr, size_t cut = 0, size_t* rows = nullptr) {
  // Rows are written as they come (a large join must not be held in memory); a table takes its
  // column widths from the first kWidthRows rows and cuts later cells to them.
  constexpr size_t kWidthRows = 200;
  OutputStream output(vm);
  if (!output.ok()) return kExitUsage;
  int n = st->columns();
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(sqlite3_column_name(st->get(), i));
  std::vector<std::vector<std::string>> head;  // table: rows held until the widths are known
  std::vector<int> types(static_cast<size_t>(n));
  std::vector<size_t> width(static_cast<size_t>(n));
  bool widths_known = false;
  size_t count = 0;
  auto cell = [](const std::string& v) {
    std::string s = TerminalSafe(v);
    for (char& c : s) if (c == '\t') c = ' ';
    if (s.size() > 80) {
      size_t cut = 77;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      s = s.substr(0, cut) + "...";
    }
    return s;
  };
  // Columns are as wide as their text in characters (UTF-8 continuation bytes do not count).
  auto columns = [](const std::string& s) {
    size_t k = 0;
    for (unsigned char c : s) k += (c & 0xC0) != 0x80;
    return k;
  };
  auto line = [&](const std::vector<std::string>& r) {
    std::string l;
    for (int i = 0; i < n; ++i) {
      std::string c = cell(r[i]);
      size_t w = width[static_cast<size_t>(i)];
      if (columns(c) > w) {  // a later row wider than the first ones
        size_t keep = 0, chars = 0;
        while (keep < c.size() && chars + 3 < w) {
          ++keep;
          while (keep < c.size() && (static_cast<unsigned char>(c[keep]) & 0xC0) == 0x80) ++keep;
          ++chars;
        }
        c = c.substr(0, keep) + "...";
      }
      l += c + (i + 1 < n ? std::string(w > columns(c) ? w - columns(c) + 2 : 2, ' ') : "");
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    output.Write(l + "\n");
  };
  auto flush_head = [&]() {
    for (int i = 0; i < n; ++i) width[static_cast<size_t>(i)] = columns(names[static_cast<size_t>(i)]);
    for (const auto& r : head) {
      for (int i = 0; i < n; ++i) width[static_cast<size_t>(i)] = std::max(width[static_cast<size_t>(i)], columns(cell(r[static_cast<size_t>(i)])));
    }
    line(names);
    std::vector<std::string> sep;
    for (int i = 0; i < n; ++i) sep.push_back(std::string(width[static_cast<size_t>(i)], '-'));
    line(sep);
    for (const auto& r : head) line(r);
    head.clear();
    widths_known = true;
  };
  if (format == "json") output.Write("[");
  if (format == "csv") {
    std::string h;
    for (int i = 0; i < n; ++i) h += (i ? "," : "") + CsvField(names[static_cast<size_t>(i)]);
    output.Write(h + "\n");
  }
  bool row = false;
  Status s;
  std::vector<std::string> r(static_cast<size_t>(n));
  while ((s = st->Step(&row)).ok() && row) {
    for (int i = 0; i < n; ++i) {
      types[static_cast<size_t>(i)] = sqlite3_column_type(st->get(), i);
      r[static_cast<size_t>(i)] = std::string(st->Text(i));
      std::string& v = r[static_cast<size_t>(i)];
      if (redactor != nullptr && types[static_cast<size_t>(i)] == SQLITE_TEXT) v = redactor->Apply(v);
      // Cut after redaction, so that no half of an address or id escapes it.
      if (cut > 0 && types[static_cast<size_t>(i)] == SQLITE_TEXT && v.size() > cut) v = Excerpt(v, cut);
    }
    if (format == "json") {
      std::string o;
      JsonWriter w(&o, true);
      w.BeginObject();
      for (int i = 0; i < n; ++i) {
        w.Key(names[static_cast<size_t>(i)]);
        const std::string& v = r[static_cast<size_t>(i)];
        switch (types[static_cast<size_t>(i)]) {
          case SQLITE_NULL: w.Null(); break;
          case SQLITE_INTEGER: w.Int(std::stoll(v)); break;
          case SQLITE_FLOAT:
            // JSON has no Inf or NaN: those become null.
            if (v.find_first_of("IiNn") == std::string::npos) w.Raw(v); else w.Null();
            break;
          default: w.String(v);
        }
      }
      w.EndObject();
      // Indented one level, as a pretty-printed array would have it.
      std::string indented = "  ";
      for (char c : o) {
        indented += c;
        if (c == '\n') indented += "  ";
      }
      output.Write(std::string(count ? ",\n" : "\n") + indented);
    } else if (format == "csv") {
      std::string l;
      for (int i = 0; i < n; ++i) l += (i ? "," : "") + CsvField(r[static_cast<size_t>(i)]);
      output.Write(l + "\n");
    } else if (!widths_known) {
      head.push_back(r);
      if (head.size() >= kWidthRows) flush_head();
    } else {
      line(r);
    }
    ++count;
  }
  if (!s.ok()) {
    PrintError("query: " + s.message());
    return kExitUsage;
  }
  if (format == "json") {
    output.Write(count ? "\n]\n" : "]\n");
  } else if (format != "csv") {
    if (!widths_known) flush_head();
    output.Write("(" + std::to_string(count) + " row" + (count == 1 ? "" : "s") + ")\n");
  }
  if (rows != nullptr) *rows = count;
  return output.Finish() ? kExitOk : kExitUsage;
}

}  // namespace

void QueryOptions(po::options_description* d) {
  d->add_options()("db", po::value<std::vector<std::string>>(),
                   "the index file (required); give it up to 10 times to query several indexes together "
                   "(attached as b1, b2, ...; all_events, all_findings, ... unite them, with a db column)")
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv")
      ("output,o", po::value<std::string>(), "write to FILE instead of stdout")
      ("args", po::value<std::vector<std::string>>(), "the SQL statement");
}

int RunQuery(const po::variables_map& vm) {
  std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    PrintError("--format '" + format + "' is not table, json or csv");
    return kExitUsage;
  }
  if (!vm.count("args") || vm["args"].as<std::vector<std::string>>().size() != 1) {
    PrintError("query needs exactly one SQL statement (quote it)");
    return kExitUsage;
  }
  const std::string& sql = vm["args"].as<std::vector<std::string>>()[0];
  std::string lower = sql;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::unique_ptr<Index> index;
  if (!OpenExisting(vm, &index, lower.find("events_fts") != std::string::npos)) return kExitUsage;
  Stmt st;
  size_t used = 0;
  Status s = Stmt::Prepare(index->db(), sql, &st, &used);
  if (!s.ok()) {
    PrintError("query: " + s.message());
    return kExitUsage;
  }
  if (sql.find_first_not_of(" \t\r\n;", used) != std::string::npos) {
    PrintError("query runs one statement; this one continues after its end: '" +
               sql.substr(used, 60) + "'");
    return kExitUsage;
  }
  if (!sqlite3_stmt_readonly(st.get())) {
    PrintError("query only reads: this statement would change the index or write a file");
    return kExitUsage;
  }
  return RenderRows(&st, format, vm);
}

namespace {

// "alice@contoso.com" as an FTS5 phrase: the tokens in that order.
std::string FtsPhrase(const std::string& text) {
  std::string p = "\"";
  for (char c : text) p += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return p + "\"";
}

// The number of rows `hits_sql` (a WITH clause ending in a CTE named hits) gives, bound like
// the statement it belongs to; -1 when it cannot be counted.
int64_t CountHits(Index* index, const std::string& hits_sql,
                  const std::vector<std::string>& params) {
  Stmt st;
  if (!Stmt::Prepare(index->db(), hits_sql + "SELECT count(*) FROM hits", &st).ok()) return -1;
  for (size_t i = 0; i < params.size(); ++i) st.Bind(static_cast<int>(i + 1), params[i]);
  bool row = false;
  if (!st.Step(&row).ok() || !row) return -1;
  return st.Int(0);
}

// The end of search and timeline, as grep ends: exit 1 when nothing matched; and a cut result
// says so on stderr, with what to do about it.
int FinishMatches(const char* command, int rendered_exit, size_t shown, int64_t total) {
  if (rendered_exit != kExitOk) return rendered_exit;
  if (total > static_cast<int64_t>(shown)) {
    std::cerr << "syncdoctor: " << command << ": " << shown << " of " << total
              << " matches shown (oldest first); " << (total - static_cast<int64_t>(shown))
              << " more, use --limit " << total << " to see them all\n";
  }
  return shown == 0 ? kExitFindings : kExitOk;
}

}  // namespace

void RedactOptions(po::options_description* d) {
  d->add_options()("redact", "replace UPNs, names, domains, IPs and ids with stable pseudonyms")
      ("redact-key", po::value<std::string>()->value_name("KEY"), "key for --redact (default: SYNCDOCTOR_REDACT_KEY, else random)");
}

// The redactor of --redact, taught the names in the index; null without --redact.
bool MakeRedactor(const po::variables_map& vm, Index* index, std::unique_ptr<Redactor>* out) {
  if (vm.count("redact-key") && !vm.count("redact")) {
    PrintError("--redact-key needs --redact");
    return false;
  }
  if (!vm.count("redact")) return true;
  *out = std::make_unique<Redactor>(RedactKey(vm));
  Status s = (*out)->LearnNames(index);
  if (!s.ok()) PrintError(s.message());
  return s.ok();
}

void SearchOptions(po::options_description* d) {
  d->add_options()("db", po::value<std::string>(), "the index file (required)")
      ("limit", po::value<int>()->default_value(50), "at most N results, oldest first")
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv")
      ("output,o", po::value<std::string>(), "write to FILE instead of stdout")
      ("args", po::value<std::vector<std::string>>(), "FTS5 query text");
  RedactOptions(d);
}

void TimelineOptions(po::options_description* d) {
  d->add_options()("db", po::value<std::string>(), "the index file (required)")
      ("cycle", po::value<std::string>(), "follow one cycle, change or correlation id instead of an object")
      ("limit", po::value<int>()->default_value(500), "at most N events, oldest first")
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv")
      ("output,o", po::value<std::string>(), "write to FILE instead of stdout")
      ("args", po::value<std::vector<std::string>>(), "OBJECT: a UPN, display name or object id");
  RedactOptions(d);
}

int RunTimeline(const po::variables_map& vm) {
  const bool by_cycle = vm.count("cycle") > 0;
  std::vector<std::string> args;
  if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
  if (by_cycle == (args.size() == 1) || args.size() > 1) {
    PrintError("timeline needs one OBJECT (a UPN, display name or object id) or --cycle ID, not both");
    return kExitUsage;
  }
  std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    PrintError("--format '" + format + "' is not table, json or csv");
    return kExitUsage;
  }
  const std::string what = by_cycle ? vm["cycle"].as<std::string>() : args[0];
  if (what.empty()) {
    PrintError("timeline: the object or cycle id is empty");
    return kExitUsage;
  }
  std::unique_ptr<Index> index;
  if (!OpenExisting(vm, &index, /*full_text=*/true)) return kExitUsage;
  std::unique_ptr<Redactor> redactor;
  if (!MakeRedactor(vm, index.get(), &redactor)) return kExitUsage;
  // Events that name the object: its identity and id fields (exact, any case; "a; b" lists of
  // identities too), target resources, modified properties, step details (which carry the
  // ReportableIdentifier, often the UPN), and any message through the full-text index, so that
  // agent traces and event logs join the story. Then every event about the object ids those
  // events carry: a UPN finds the object, and the object finds the records that name it by id.
  const std::string object_seed =
      "SELECT id FROM event_rows WHERE lower(?1) IN (lower(source_identity), lower(target_identity), "
      "lower(source_object_id), lower(target_object_id), lower(actor), lower(record_id)) "
      "OR '; ' || lower(target_identity) || ';' LIKE '%; ' || lower(?1) || ';%' "
      "UNION SELECT event_id FROM target_resources WHERE lower(?1) IN "
      "(lower(object_id), lower(display_name), lower(user_principal_name)) "
      "UNION SELECT event_id FROM modified_properties WHERE lower(?1) IN (lower(old_value), lower(new_value)) "
      "UNION SELECT event_id FROM additional_details WHERE lower(value) = lower(?1) "
      "UNION SELECT event_id FROM provisioning_steps WHERE instr(lower(details), lower(?1)) > 0 "
      "UNION SELECT rowid FROM events_fts WHERE events_fts MATCH ?2";
  const std::string cycle_seed =
      "SELECT id FROM event_rows WHERE lower(?1) IN (lower(cycle_id), lower(change_id), lower(correlation_id)) "
      "UNION SELECT rowid FROM events_fts WHERE events_fts MATCH ?2";
  const std::string hits =
      by_cycle ? "WITH hits(id) AS (" + cycle_seed + ") "
               : "WITH seed(id) AS (" + object_seed + "), "
                 "oids(oid) AS (SELECT lower(source_object_id) FROM event_rows WHERE id IN seed AND source_object_id <> '' "
                 "UNION SELECT lower(target_object_id) FROM event_rows WHERE id IN seed AND target_object_id <> ''), "
                 "hits(id) AS (SELECT id FROM seed UNION SELECT id FROM event_rows WHERE "
                 "lower(source_object_id) IN oids OR lower(target_object_id) IN oids) ";
  const std::string sql = hits +
      "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', e.time / 1000.0, 'unixepoch') || "
      "CASE WHEN e.time_inferred THEN '~' ELSE '' END AS time, "
      "e.kind, s.path || ':' || e.line AS location, coalesce(e.level, '') AS level, "
      "coalesce(e.activity, '') AS activity, coalesce(e.error_code, '') AS error_code, "
      "replace(e.message, char(10), ' ') AS message "
      "FROM event_rows e JOIN sources s ON s.id = e.source_id WHERE e.id IN hits "
      "ORDER BY e.time IS NULL, e.time, s.path, e.line LIMIT ?3";
  Stmt st;
  Status s = Stmt::Prepare(index->db(), sql, &st);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  st.Bind(1, what);
  st.Bind(2, FtsPhrase(what));
  const int limit = vm["limit"].as<int>();
  st.Bind(3, static_cast<int64_t>(limit));
  size_t shown = 0;
  int rc = RenderRows(&st, format, vm, redactor.get(), 200, &shown);
  int64_t total = shown < static_cast<size_t>(std::max(limit, 0))
                      ? static_cast<int64_t>(shown)
                      : CountHits(index.get(), hits, {what, FtsPhrase(what)});
  return FinishMatches("timeline", rc, shown, total);
}

int RunSearch(const po::variables_map& vm) {
  if (!vm.count("args")) {
    PrintError("search needs the text to look for");
    return kExitUsage;
  }
  std::string q;
  for (const auto& a : vm["args"].as<std::vector<std::string>>()) q += (q.empty() ? "" : " ") + a;
  std::unique_ptr<Index> index;
  if (!OpenExisting(vm, &index, /*full_text=*/true)) return kExitUsage;
  std::unique_ptr<Redactor> redactor;
  if (!MakeRedactor(vm, index.get(), &redactor)) return kExitUsage;
  // What matches: the message through the full-text index (FTS5 syntax: phrases, AND, OR, NEAR,
  // prefixes), or the text, in any case, inside an identity or id field (actor, source and target
  // identities and object ids, record, job, cycle, change and correlation ids, the error code),
  // a target resource, a modified property, an additional detail, or the raw record. found_in
  // says which (the first of message, field, raw).
  const std::string hits =
      "WITH found(id, src) AS ("
      "SELECT rowid, 1 FROM events_fts WHERE events_fts MATCH ?1 "
      "UNION ALL SELECT id, 2 FROM event_rows WHERE instr(lower(coalesce(actor, '') || char(31) || "
      "coalesce(source_identity, '') || char(31) || coalesce(target_identity, '') || char(31) || "
      "coalesce(source_object_id, '') || char(31) || coalesce(target_object_id, '') || char(31) || "
      "coalesce(record_id, '') || char(31) || coalesce(job_id, '') || char(31) || "
      "coalesce(cycle_id, '') || char(31) || coalesce(change_id, '') || char(31) || "
      "coalesce(correlation_id, '') || char(31) || coalesce(error_code, '')), lower(?2)) > 0 "
      "UNION ALL SELECT event_id, 2 FROM target_resources WHERE instr(lower(coalesce(object_id, '') || "
      "char(31) || coalesce(display_name, '') || char(31) || coalesce(user_principal_name, '')), lower(?2)) > 0 "
      "UNION ALL SELECT event_id, 2 FROM modified_properties WHERE instr(lower(coalesce(old_value, '') || "
      "char(31) || coalesce(new_value, '')), lower(?2)) > 0 "
      "UNION ALL SELECT event_id, 2 FROM additional_details WHERE instr(lower(value), lower(?2)) > 0 "
      "UNION ALL SELECT id, 3 FROM event_rows WHERE raw_block IS NOT NULL AND "
      "instr(lower(sd_raw(raw_block, raw_start, raw_len)), lower(?2)) > 0), "
      "hits(id, src) AS (SELECT id, min(src) FROM found GROUP BY id) ";
  Stmt st;
  Status s = Stmt::Prepare(index->db(), hits +
      "SELECT s.path || ':' || e.line AS location, "
      "coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', e.time / 1000, 'unixepoch'), '') AS time, "
      "e.kind, coalesce(e.error_code, '') AS error_code, "
      "CASE h.src WHEN 1 THEN 'message' WHEN 2 THEN 'field' ELSE 'raw' END AS found_in, "
      "replace(e.message, char(10), ' ') AS message "
      "FROM hits h JOIN event_rows e ON e.id = h.id JOIN sources s ON s.id = e.source_id "
      "ORDER BY e.time IS NULL, e.time, s.path, e.line LIMIT ?3",
      &st);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  const int limit = vm["limit"].as<int>();
  // The full-text query alone tells whether FTS5 understands it (cheaply: the rest of the search
  // scans the raw text).
  Stmt fts;
  s = Stmt::Prepare(index->db(), "SELECT rowid FROM events_fts WHERE events_fts MATCH ?1 LIMIT 1", &fts);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  auto works = [&](const std::string& text) {
    fts.Bind(1, text);
    bool row = false;
    bool ok = fts.Step(&row).ok();
    fts.Reset();
    return ok;
  };
  // Text that is no valid FTS5 query (AADSTS-50034, a path with dots) is searched as a phrase.
  std::string effective = q;
  if (!works(q)) {
    effective = FtsPhrase(q);
    if (!works(effective)) {
      PrintError("search: '" + q + "' is not a query the full-text index understands");
      return kExitUsage;
    }
  }
  st.Bind(1, effective);
  st.Bind(2, q);
  st.Bind(3, static_cast<int64_t>(limit));
  size_t shown = 0;
  int rc = RenderRows(&st, vm["format"].as<std::string>(), vm, redactor.get(), 160, &shown);
  int64_t total = shown < static_cast<size_t>(std::max(limit, 0))
                      ? static_cast<int64_t>(shown)
                      : CountHits(index.get(), hits, {effective, q});
  return FinishMatches("search", rc, shown, total);
}

}  // namespace syncdoctor
