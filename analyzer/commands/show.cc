// show PATH:LINE: the record behind an evidence line. Every report prints its evidence as
// `path:line`; show finds what the index stored for that place (the parsed fields, the lists
// inside the record, the signatures that matched it, the raw text) without the bundle at hand.
// Like query, it only reads: the index is opened read-only and sealed.
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include "analyzer/cli.h"
#include "analyzer/commands/common.h"
#include "analyzer/index.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/report/redact.h"
#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace po = boost::program_options;

namespace {

// Exit code of a reference that names nothing in the index (the documented "1: not found").
constexpr int kExitNotFound = 1;

// How many lines with records are offered on each side of a line that has none.
constexpr int kNearbyLines = 2;

// "a.zip!/dir/x.json:12" as evidence prints it. The path may itself hold ':' (an archive entry,
// a drive letter), so the line is what follows the last one.
bool ParseReference(const std::string& text, std::string* path, int64_t* line) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string digits = text.substr(colon + 1);
  if (digits.size() > 15 || !std::all_of(digits.begin(), digits.end(),
                                         [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  *path = text.substr(0, colon);
  *line = std::stoll(digits);
  return *line >= 1;
}

struct SourceInfo {
  int64_t id = 0;
  std::string bundle, path, format, kind, status, reason;
  int64_t duplicates = 0;
};

// One value of a row as SQLite returned it, so that JSON can keep integers and NULLs apart.
struct Cell {
  std::string name, text;
  int type = SQLITE_NULL;
};
using Row = std::vector<Cell>;

const Cell* Find(const Row& row, std::string_view name) {
  for (const auto& c : row) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string Get(const Row& row, std::string_view name) {
  const Cell* c = Find(row, name);
  return c == nullptr ? std::string() : c->text;
}

struct Match {
  std::string signature, scope, severity, title, hidden_by;
};

// One thing that starts at the line: an event, or a piece that could not be parsed.
struct Item {
  bool unparsed = false;
  int64_t id = 0;  // event_rows.id or unparsed.id
  const SourceInfo* source = nullptr;
  Row event;       // the event's columns (an unparsed piece: line, offset, reason)
  std::vector<Row> steps, modified, targets, details;
  std::vector<Match> matches;
  std::string raw;
};

// The columns of event_rows that say what the record says (the header shows the others).
const char* const kFieldColumns[] = {
    "record_id", "job_id", "cycle_id", "change_id", "correlation_id", "activity", "actor",
    "source_identity", "target_identity", "source_object_id", "target_object_id", "error_code",
    "reason", "message"};

const char kEventColumns[] =
    "SELECT id, source_id, line, offset, time, time_inferred, kind, level, record_id, job_id, "
    "cycle_id, change_id, correlation_id, activity, actor, source_identity, target_identity, "
    "source_object_id, target_object_id, error_code, reason, message, "
    "sd_raw(raw_block, raw_start, raw_len) AS raw FROM event_rows ";

// The rows of a prepared statement, every column kept with its name and type.
Status ReadRows(Stmt* st, std::vector<Row>* rows) {
  bool more = false;
  Status s;
  while ((s = st->Step(&more)).ok() && more) {
    Row row;
    for (int i = 0; i < st->columns(); ++i) {
      row.push_back({sqlite3_column_name(st->get(), i), std::string(st->Text(i)),
                     sqlite3_column_type(st->get(), i)});
    }
    rows->push_back(std::move(row));
  }
  return s;
}

Status Query(Index* index, const std::string& sql, const std::vector<std::string>& binds,
             std::vector<Row>* rows) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(), sql, &st);
  for (size_t i = 0; s.ok() && i < binds.size(); ++i) st.Bind(static_cast<int>(i + 1), binds[i]);
  if (s.ok()) s = ReadRows(&st, rows);
  return s;
}

SourceInfo ToSource(const Row& r) {
  SourceInfo s;
  s.id = std::stoll(Get(r, "id"));
  s.bundle = Get(r, "bundle");
  s.path = Get(r, "path");
  s.format = Get(r, "format");
  s.kind = Get(r, "kind");
  s.status = Get(r, "status");
  s.reason = Get(r, "reason");
  s.duplicates = std::stoll(Get(r, "duplicates"));
  return s;
}

const char kSourceColumns[] =
    "SELECT id, bundle, path, format, kind, status, reason, duplicates FROM sources ";

// The sources whose path is `path`; when none is, those whose path ends with "/path" (a suffix
// of whole path components, so that "x.json" finds "a.zip!/dir/x.json" but not "ax.json").
Status FindSources(Index* index, const std::string& path, std::vector<SourceInfo>* out) {
  std::vector<Row> rows;
  Status s = Query(index, std::string(kSourceColumns) + "WHERE path = ?1 ORDER BY id", {path}, &rows);
  if (s.ok() && rows.empty()) {
    s = Query(index, std::string(kSourceColumns) +
                  "WHERE length(path) > length(?1) AND substr(path, -length(?1) - 1) = '/' || ?1 "
                  "ORDER BY path, id",
              {path}, &rows);
  }
  for (const auto& r : rows) out->push_back(ToSource(r));
  return s;
}

// Fills an event item's lists and matches.
Status LoadChildren(Index* index, Item* item) {
  const std::vector<std::string> id = {std::to_string(item->id)};
  Status s = Query(index,
                   "SELECT ordinal, name, step_type, status, description, details FROM provisioning_steps "
                   "WHERE event_id = ?1 ORDER BY ordinal", id, &item->steps);
  if (s.ok()) {
    s = Query(index, "SELECT ordinal, target, name, old_value, new_value FROM modified_properties "
                     "WHERE event_id = ?1 ORDER BY ordinal", id, &item->modified);
  }
  if (s.ok()) {
    s = Query(index, "SELECT ordinal, object_id, display_name, type, user_principal_name FROM target_resources "
                     "WHERE event_id = ?1 ORDER BY ordinal", id, &item->targets);
  }
  if (s.ok()) {
    s = Query(index, "SELECT ordinal, key, value FROM additional_details WHERE event_id = ?1 ORDER BY ordinal",
              id, &item->details);
  }
  // A match of scope '' joins its signature's one scoped finding (see findings), so the finding
  // of the match's own scope is preferred and any finding of the signature is the fallback. A
  // signature with a threshold that was not reached has no finding at all.
  std::vector<Row> matches;
  if (s.ok()) {
    s = Query(index,
              "SELECT m.signature, m.scope, "
              "coalesce(f.severity, (SELECT severity FROM findings WHERE signature = m.signature ORDER BY id LIMIT 1), '') AS severity, "
              "coalesce(f.title, (SELECT title FROM findings WHERE signature = m.signature ORDER BY id LIMIT 1), '') AS title, "
              "coalesce(f.hidden_by, (SELECT hidden_by FROM findings WHERE signature = m.signature ORDER BY id LIMIT 1), '') AS hidden_by "
              "FROM matches m LEFT JOIN findings f ON f.signature = m.signature AND f.scope = m.scope "
              "WHERE m.event_id = ?1 ORDER BY hidden_by <> '', m.signature, m.scope",
              id, &matches);
  }
  for (const auto& m : matches) {
    item->matches.push_back({Get(m, "signature"), Get(m, "scope"), Get(m, "severity"), Get(m, "title"),
                             Get(m, "hidden_by")});
  }
  return s;
}

Item EventItem(Row row, const SourceInfo* source) {
  Item item;
  item.id = std::stoll(Get(row, "id"));
  item.source = source;
  item.raw = Get(row, "raw");
  row.pop_back();  // raw is kept apart
  item.event = std::move(row);
  return item;
}

// Everything that starts at `line` of the given sources: events and unparsed pieces, in the
// order of the sources, then of their byte offset.
Status LoadLine(Index* index, const std::vector<SourceInfo>& sources, int64_t line,
                std::vector<Item>* items) {
  for (const auto& src : sources) {
    const std::vector<std::string> binds = {std::to_string(src.id), std::to_string(line)};
    std::vector<Row> events, unparsed;
    Status s = Query(index, std::string(kEventColumns) +
                                "WHERE source_id = ?1 AND line = ?2 ORDER BY offset, id",
                     binds, &events);
    if (s.ok()) {
      s = Query(index, "SELECT id, line, offset, reason, raw FROM unparsed "
                       "WHERE source_id = ?1 AND line = ?2 ORDER BY offset, id", binds, &unparsed);
    }
    if (!s.ok()) return s;
    std::vector<Item> here;
    for (auto& r : events) here.push_back(EventItem(std::move(r), &src));
    for (auto& r : unparsed) {
      Item item;
      item.unparsed = true;
      item.id = std::stoll(Get(r, "id"));
      item.source = &src;
      item.raw = Get(r, "raw");
      r.pop_back();
      item.event = std::move(r);
      here.push_back(std::move(item));
    }
    std::stable_sort(here.begin(), here.end(), [](const Item& a, const Item& b) {
      return std::stoll(Get(a.event, "offset")) < std::stoll(Get(b.event, "offset"));
    });
    for (auto& item : here) items->push_back(std::move(item));
  }
  for (auto& item : *items) {
    if (item.unparsed) continue;
    Status s = LoadChildren(index, &item);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// The lines of the same sources nearest to `line` that do have records, in line order.
Status NearbyLines(Index* index, const std::vector<SourceInfo>& sources, int64_t line,
                   std::vector<int64_t>* lines) {
  std::string ids;
  for (const auto& s : sources) ids += (ids.empty() ? "" : ",") + std::to_string(s.id);
  const std::string all = "SELECT line FROM event_rows WHERE source_id IN (" + ids +
                          ") UNION SELECT line FROM unparsed WHERE source_id IN (" + ids + ")";
  std::vector<Row> rows;
  const std::string n = std::to_string(kNearbyLines);
  Status s = Query(index,
                   "SELECT line FROM (SELECT line FROM (" + all + ") WHERE line < ?1 ORDER BY line DESC LIMIT " + n +
                   ") UNION SELECT line FROM (SELECT line FROM (" + all + ") WHERE line > ?1 ORDER BY line LIMIT " + n +
                   ") ORDER BY line",
                   {std::to_string(line)}, &rows);
  for (const auto& r : rows) lines->push_back(std::stoll(Get(r, "line")));
  return s;
}

// Every value that came from the logs goes through this before it is written.
class Cleaner {
 public:
  explicit Cleaner(Redactor* redactor) : redactor_(redactor) {}
  std::string operator()(std::string_view text) const {
    return redactor_ == nullptr ? std::string(text) : redactor_->Apply(text);
  }
  Redactor* redactor() const { return redactor_; }

 private:
  Redactor* redactor_;
};

// The raw text parsed as JSON, when it is an object or an array (a bare number or word in a
// trace or CSV row is not taken for JSON).
bool ParseRawJson(const std::string& raw, simdjson::dom::parser* parser, simdjson::dom::element* root) {
  if (raw.find_first_of("{[") == std::string::npos) return false;
  if (parser->parse(raw).get(*root) != simdjson::SUCCESS) return false;
  return root->is_object() || root->is_array();
}

// A pretty printer over simdjson's DOM: members in the order of the document, two spaces of
// indentation (JsonWriter's), strings (keys too) redacted after they are unescaped, so that a
// pseudonym never cuts an escape sequence in half.
void WriteDom(simdjson::dom::element e, const Cleaner& clean, JsonWriter* w) {
  using Type = simdjson::dom::element_type;
  simdjson::dom::object object;
  simdjson::dom::array array;
  std::string_view text;
  switch (e.type()) {
    case Type::OBJECT:
      w->BeginObject();
      if (e.get(object) == simdjson::SUCCESS) {
        for (auto field : object) {
          w->Key(clean(field.key));
          WriteDom(field.value, clean, w);
        }
      }
      w->EndObject();
      break;
    case Type::ARRAY:
      w->BeginArray();
      if (e.get(array) == simdjson::SUCCESS) {
        for (auto v : array) WriteDom(v, clean, w);
      }
      w->EndArray();
      break;
    case Type::STRING:
      if (e.get(text) == simdjson::SUCCESS) w->String(clean(text)); else w->Null();
      break;
    case Type::INT64: w->Int(int64_t(e)); break;
    case Type::UINT64: w->Raw(std::to_string(uint64_t(e))); break;
    // The shortest text that reads back as the same double (simdjson's own number writer).
    case Type::DOUBLE: w->Raw(simdjson::minify(e)); break;
    case Type::BOOL: w->Bool(bool(e)); break;
    case Type::NULL_VALUE: w->Null(); break;
  }
}

// Text cut at line breaks (a "\r\n" counts as one), each line made terminal-safe.
std::vector<std::string> SafeLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(start, nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(TerminalSafe(l));
    start = nl + 1;
  }
  return lines;
}

std::string TimeText(const Row& event) {
  const Cell* t = Find(event, "time");
  if (t == nullptr || t->type == SQLITE_NULL) return "";
  return FormatTimestamp(std::stoll(t->text)) + (Get(event, "time_inferred") == "1" ? "~" : "");
}

// "label  value" lines with the labels in one column; a value of several lines continues under
// its first line.
void Aligned(const std::vector<std::pair<std::string, std::string>>& rows, const std::string& indent,
             std::string* out) {
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (const auto& r : rows) {
    std::vector<std::string> lines = SafeLines(r.second);
    *out += indent + r.first + std::string(width - r.first.size() + 2, ' ') + lines[0] + "\n";
    for (size_t i = 1; i < lines.size(); ++i) *out += indent + std::string(width + 2, ' ') + lines[i] + "\n";
  }
}

std::string Or(const std::string& value, const char* fallback) { return value.empty() ? fallback : value; }

void TextChildren(const Item& item, const Cleaner& clean, std::string* out) {
  auto safe = [&](const Row& r, std::string_view col) { return TerminalSafe(clean(Get(r, col))); };
  if (!item.steps.empty()) {
    *out += "\nProvisioning steps\n";
    for (const auto& r : item.steps) {
      *out += "  " + std::to_string(std::stoll(Get(r, "ordinal")) + 1) + ". " + safe(r, "name") + " (" +
              safe(r, "step_type") + ", " + safe(r, "status") + ")";
      if (!Get(r, "description").empty()) *out += ": " + safe(r, "description");
      *out += "\n";
      const std::string details = Get(r, "details");
      if (!details.empty() && details != "{}") *out += "     details: " + safe(r, "details") + "\n";
    }
  }
  if (!item.modified.empty()) {
    *out += "\nModified properties\n";
    for (const auto& r : item.modified) {
      const Cell* target = Find(r, "target");
      *out += "  " + safe(r, "name") +
              (target != nullptr && target->type != SQLITE_NULL ? " (target " + target->text + ")" : "") + ": " +
              Or(safe(r, "old_value"), "(none)") + " -> " + Or(safe(r, "new_value"), "(none)") + "\n";
    }
  }
  if (!item.targets.empty()) {
    *out += "\nTarget resources\n";
    for (const auto& r : item.targets) {
      std::string line = "  " + std::to_string(std::stoll(Get(r, "ordinal")) + 1) + ".";
      for (const char* col : {"display_name", "type", "object_id", "user_principal_name"}) {
        if (!Get(r, col).empty()) line += std::string("  ") + col + "=" + safe(r, col);
      }
      *out += line + "\n";
    }
  }
  if (!item.details.empty()) {
    *out += "\nAdditional details\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& r : item.details) rows.emplace_back(safe(r, "key"), clean(Get(r, "value")));
    Aligned(rows, "  ", out);
  }
}

void TextMatches(const Item& item, std::string* out) {
  *out += "\nMatched signatures\n";
  if (item.matches.empty()) *out += "  (none: no signature matched this record)\n";
  for (const auto& m : item.matches) {
    std::string line = "  " + TerminalSafe(m.signature);
    if (!m.severity.empty()) line += "  [" + TerminalSafe(m.severity) + "]";
    if (!m.title.empty()) line += "  " + TerminalSafe(m.title);
    if (m.severity.empty()) line += "  (no finding in the index for it)";
    if (!m.hidden_by.empty()) line += "  (hidden by " + TerminalSafe(m.hidden_by) + ")";
    *out += line + "\n";
  }
}

void TextRaw(const Item& item, const Cleaner& clean, std::string* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (ParseRawJson(item.raw, &parser, &root)) {
    *out += "\nRaw record (JSON, pretty-printed)\n";
    std::string pretty;
    JsonWriter w(&pretty, /*pretty=*/true);
    WriteDom(root, clean, &w);
    for (const auto& l : SafeLines(pretty)) *out += l + "\n";
    return;
  }
  *out += item.unparsed ? "\nRaw text (as kept in the index, at most 4 KiB)\n" : "\nRaw record\n";
  if (item.raw.empty()) {
    *out += "  (no text stored)\n";
    return;
  }
  for (const auto& l : SafeLines(clean(item.raw))) *out += l + "\n";
}

std::string TextItem(const Item& item, size_t k, size_t n, const Cleaner& clean) {
  const SourceInfo& src = *item.source;
  std::string out = TerminalSafe(clean(src.path)) + ":" + Get(item.event, "line") + "  record " +
                    std::to_string(k) + " of " + std::to_string(n) +
                    (item.unparsed ? "  (unparsed)" : "  (event id " + std::to_string(item.id) + ")") + "\n";
  std::vector<std::pair<std::string, std::string>> head = {
      {"bundle", clean(src.bundle)}, {"format", src.format}};
  if (item.unparsed) {
    head.emplace_back("kind", src.kind);
    head.emplace_back("reason", clean(Get(item.event, "reason")));
  } else {
    head.emplace_back("kind", Get(item.event, "kind"));
    head.emplace_back("time", Or(TimeText(item.event), "(none)"));
    head.emplace_back("level", Or(clean(Get(item.event, "level")), "(none)"));
  }
  head.emplace_back("offset", Get(item.event, "offset"));
  Aligned(head, "  ", &out);
  if (!item.unparsed) {
    out += "\nFields\n";
    std::vector<std::pair<std::string, std::string>> fields;
    for (const char* col : kFieldColumns) {
      if (!Get(item.event, col).empty()) fields.emplace_back(col, clean(Get(item.event, col)));
    }
    if (fields.empty()) out += "  (none)\n";
    Aligned(fields, "  ", &out);
    TextChildren(item, clean, &out);
    TextMatches(item, &out);
  }
  TextRaw(item, clean, &out);
  return out;
}

// A row as a JSON object: integers stay numbers, NULL is null.
void JsonRow(const Row& row, const Cleaner& clean, JsonWriter* w) {
  w->BeginObject();
  for (const auto& c : row) {
    w->Key(c.name);
    if (c.type == SQLITE_NULL) w->Null();
    else if (c.type == SQLITE_INTEGER) w->Int(std::stoll(c.text));
    else w->String(clean(c.text));
  }
  w->EndObject();
}

void JsonRows(std::string_view key, const std::vector<Row>& rows, const Cleaner& clean, JsonWriter* w) {
  w->Key(key);
  w->BeginArray();
  for (const auto& r : rows) JsonRow(r, clean, w);
  w->EndArray();
}

void JsonItem(const Item& item, size_t k, size_t n, const Cleaner& clean, JsonWriter* w) {
  const SourceInfo& src = *item.source;
  w->BeginObject();
  w->Member("record", static_cast<int64_t>(k));
  w->Member("of", static_cast<int64_t>(n));
  w->Key("id");
  if (item.unparsed) w->Null(); else w->Int(item.id);
  w->Member("path", clean(src.path));
  w->Member("line", std::stoll(Get(item.event, "line")));
  w->Member("offset", std::stoll(Get(item.event, "offset")));
  w->Member("bundle", clean(src.bundle));
  w->Member("format", src.format);
  w->Member("kind", item.unparsed ? src.kind : Get(item.event, "kind"));
  w->Key("unparsed");
  if (item.unparsed) w->String(clean(Get(item.event, "reason"))); else w->Null();
  const Cell* time = Find(item.event, "time");
  w->Key("time");
  if (time == nullptr || time->type == SQLITE_NULL) w->Null(); else w->String(FormatTimestamp(std::stoll(time->text)));
  w->Key("time_inferred");
  w->Bool(Get(item.event, "time_inferred") == "1");
  w->Key("level");
  const Cell* level = Find(item.event, "level");
  if (level == nullptr || level->type == SQLITE_NULL) w->Null(); else w->String(clean(level->text));
  w->Key("fields");
  w->BeginObject();
  for (const char* col : kFieldColumns) {
    if (!Get(item.event, col).empty()) w->Member(col, clean(Get(item.event, col)));
  }
  w->EndObject();
  JsonRows("steps", item.steps, clean, w);
  JsonRows("modified", item.modified, clean, w);
  JsonRows("targets", item.targets, clean, w);
  JsonRows("details", item.details, clean, w);
  w->Key("matches");
  w->BeginArray();
  for (const auto& m : item.matches) {
    w->BeginObject();
    w->Member("signature", m.signature);
    w->Member("scope", clean(m.scope));
    w->Member("severity", m.severity);
    w->Member("title", m.title);
    w->Member("hidden_by", m.hidden_by);
    w->EndObject();
  }
  w->EndArray();
  w->Member("raw", clean(item.raw));
  w->Key("raw_json");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (ParseRawJson(item.raw, &parser, &root)) WriteDom(root, clean, w); else w->Null();
  w->EndObject();
}

// Says on stderr that nothing starts at the reference, and which lines of that path do.
int NotFound(Index* index, const std::vector<SourceInfo>& sources, const std::string& path, int64_t line) {
  std::vector<int64_t> lines;
  Status s = NearbyLines(index, sources, line, &lines);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  // A record read again (an overlapping export) is stored once, under the file read first: its
  // line in a later file has nothing of its own.
  int64_t duplicates = 0;
  for (const auto& src : sources) duplicates += src.duplicates;
  const std::string dup_note =
      duplicates == 0 ? ""
      : duplicates == 1 ? "; 1 of its records repeats a record stored from another file and is kept only there"
                        : "; " + std::to_string(duplicates) + " of its records repeat records stored from "
                              "another file and are kept only there";
  if (lines.empty()) {
    const SourceInfo& src = sources[0];
    PrintError(path + " holds no records (" + src.status +
               (src.reason.empty() ? "" : ": " + src.reason) + ")" + dup_note);
    return kExitNotFound;
  }
  PrintError(path + ":" + std::to_string(line) + ": no record starts at this line" + dup_note);
  std::cerr << "  nearest lines with records:\n";
  for (int64_t l : lines) std::cerr << "    " << TerminalSafe(path) << ":" << l << "\n";
  return kExitNotFound;
}

// Says on stderr that no source has the path, naming those that share its file name.
int NoSuchPath(Index* index, const std::string& path) {
  size_t slash = path.find_last_of("/!");
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::vector<Row> rows;
  Status s = Query(index, "SELECT DISTINCT path FROM sources WHERE instr(lower(path), lower(?1)) > 0 "
                          "ORDER BY path LIMIT 10", {name}, &rows);
  PrintError(path + ": no file of the index has this path");
  if (s.ok() && !rows.empty()) {
    std::cerr << "  files with a similar name:\n";
    for (const auto& r : rows) std::cerr << "    " << TerminalSafe(Get(r, "path")) << "\n";
  } else {
    std::cerr << "  (syncdoctor query --db FILE \"SELECT path FROM sources\" lists them)\n";
  }
  return kExitNotFound;
}

// Resolves PATH to the sources of one path: exit code, or -1 when *sources is ready.
int ResolvePath(Index* index, const std::string& path, std::vector<SourceInfo>* sources) {
  Status s = FindSources(index, path, sources);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  if (sources->empty()) return NoSuchPath(index, path);
  std::vector<std::string> paths;
  for (const auto& src : *sources) {
    if (std::find(paths.begin(), paths.end(), src.path) == paths.end()) paths.push_back(src.path);
  }
  if (paths.size() > 1) {
    PrintError(path + " is ambiguous: " + std::to_string(paths.size()) +
               " files end with it; give more of the path");
    for (const auto& p : paths) std::cerr << "    " << TerminalSafe(p) << "\n";
    return kExitUsage;
  }
  return -1;
}

// The event of --id N.
int LoadById(Index* index, int64_t id, std::vector<SourceInfo>* sources, std::vector<Item>* items) {
  std::vector<Row> events, src;
  Status s = Query(index, std::string(kEventColumns) + "WHERE id = ?1", {std::to_string(id)}, &events);
  if (s.ok() && !events.empty()) {
    s = Query(index, std::string(kSourceColumns) + "WHERE id = ?1", {Get(events[0], "source_id")}, &src);
  }
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  if (events.empty() || src.empty()) {
    PrintError("no event has the id " + std::to_string(id));
    return kExitNotFound;
  }
  sources->push_back(ToSource(src[0]));
  items->push_back(EventItem(std::move(events[0]), &sources->back()));
  s = LoadChildren(index, &items->back());
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  return -1;
}

bool OpenIndex(const po::variables_map& vm, std::unique_ptr<Index>* index) {
  if (!vm.count("db")) {
    PrintError("show needs --db FILE");
    return false;
  }
  const std::string db = vm["db"].as<std::string>();
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    PrintError(db + ": no such index");
    return false;
  }
  // As query: read-only (a read-only file or share works) and sealed.
  Status s = Index::OpenReadOnly(db, index);
  if (s.ok()) s = (*index)->SealForUserSql();
  if (!s.ok()) PrintError(s.message());
  return s.ok();
}

int Render(const po::variables_map& vm, const std::vector<Item>& items, const std::string& format,
           const Cleaner& clean, size_t first, size_t last) {
  OutputStream output(vm);
  if (!output.ok()) return kExitUsage;
  const size_t n = items.size();
  if (format == "json") {
    std::string o;
    JsonWriter w(&o, /*pretty=*/true);
    w.BeginArray();
    for (size_t i = first; i < last; ++i) JsonItem(items[i], i + 1, n, clean, &w);
    w.EndArray();
    output.Write(o + "\n");
  } else {
    for (size_t i = first; i < last; ++i) output.Write((i > first ? "\n" : "") + TextItem(items[i], i + 1, n, clean));
  }
  return output.Finish() ? kExitOk : kExitUsage;
}

}  // namespace

void ShowOptions(po::options_description* d) {
  d->add_options()("db", po::value<std::string>()->value_name("FILE"), "the index file (required)")
      ("id", po::value<int64_t>()->value_name("N"), "show the event with row id N instead of a PATH:LINE")
      ("nth", po::value<int>()->value_name("K"), "when several records start on the line, show only the K-th (from 1)")
      ("format", po::value<std::string>()->default_value("text")->value_name("text|json"), "text or json")
      ("output,o", po::value<std::string>()->value_name("FILE"), "write to FILE instead of stdout")
      ("args", po::value<std::vector<std::string>>(), "PATH:LINE as evidence prints it");
  RedactOptions(d);
}

int RunShow(const po::variables_map& vm) {
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    PrintError("--format '" + format + "' is not text or json");
    return kExitUsage;
  }
  std::vector<std::string> args;
  if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
  const bool by_id = vm.count("id") > 0;
  if (by_id == (args.size() == 1) || args.size() > 1) {
    PrintError("show needs one PATH:LINE (as evidence prints it; quote a path with spaces) or --id N, not both");
    return kExitUsage;
  }
  if (by_id && vm.count("nth")) {
    PrintError("--nth picks among the records of a PATH:LINE; --id names one event already");
    return kExitUsage;
  }
  if (vm.count("nth") && vm["nth"].as<int>() < 1) {
    PrintError("--nth counts from 1");
    return kExitUsage;
  }
  std::string path;
  int64_t line = 0;
  if (!by_id && !ParseReference(args[0], &path, &line)) {
    PrintError("'" + args[0] + "' is not a PATH:LINE reference (such as audit-logs.json:750; the line counts from 1)");
    return kExitUsage;
  }
  std::unique_ptr<Index> index;
  if (!OpenIndex(vm, &index)) return kExitUsage;
  std::unique_ptr<Redactor> redactor;
  if (!MakeRedactor(vm, index.get(), &redactor)) return kExitUsage;

  std::vector<SourceInfo> sources;  // the items point into it: filled before them
  std::vector<Item> items;
  if (by_id) {
    int rc = LoadById(index.get(), vm["id"].as<int64_t>(), &sources, &items);
    if (rc >= 0) return rc;
  } else {
    int rc = ResolvePath(index.get(), path, &sources);
    if (rc >= 0) return rc;
    Status s = LoadLine(index.get(), sources, line, &items);
    if (!s.ok()) {
      PrintError(s.message());
      return kExitUsage;
    }
    if (items.empty()) return NotFound(index.get(), sources, sources[0].path, line);
  }
  size_t first = 0, last = items.size();
  if (vm.count("nth")) {
    const size_t k = static_cast<size_t>(vm["nth"].as<int>());
    if (k > items.size()) {
      PrintError(sources[0].path + ":" + std::to_string(line) + " holds " + std::to_string(items.size()) +
                 " record" + (items.size() == 1 ? "" : "s") + "; --nth " + std::to_string(k) + " is past them");
      return kExitNotFound;
    }
    first = k - 1;
    last = k;
  }
  return Render(vm, items, format, Cleaner(redactor.get()), first, last);
}

}  // namespace syncdoctor
