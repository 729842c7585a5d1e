// PowerShell console output pasted into text files: Format-List and Format-Table output of the
// Graph cmdlets (Get-MgAuditLogDirectoryAudit, Get-MgAuditLogProvisioning and their beta twins),
// or of Select-Object over them. Each record's cells become a Graph-shaped JSON record (RowJson)
// for the shared mappers, like a CSV row.
//
// The console does not write nested values: an object shows as its type name
// ("Microsoft.Graph.PowerShell.Models.MicrosoftGraphProvisioningStatusInfo") and a list as
// "{a, b}". Those cells are left out and the file says so in a warning, with the properties
// concerned; Format-Table also cuts long cells to the window ("…" or "..."), kept as shown.
//
// Format-List: "Name<padding> : value" lines, records separated by blank lines, long values
// wrapped onto lines indented to the value column. Format-Table: a header line, a line of dash
// groups that gives the columns, then one row per line (-Wrap rows continue with an empty first
// cell); a new header and dash line start a new table.
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "parsers/csv_reader.h"
#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/mappers.h"
#include "parsers/row_json.h"
#include "parsers/text_decode.h"

namespace syncdoctor {

namespace {

constexpr size_t kMaxRecordBytes = 1u << 20;
constexpr size_t kMaxCells = 256;

// Format-List's "Name : value" (the name padded to the longest name, the value possibly empty).
const RE2& ListLineRe() {
  static const RE2 re(R"(^([A-Za-z][A-Za-z0-9_.]{0,80}?)\s*:(?: (.*))?$)");
  return re;
}

bool IsDashLine(std::string_view line) {
  bool dash = false;
  for (char c : line) {
    if (c == '-') {
      dash = true;
    } else if (c != ' ' && c != '\t') {
      return false;
    }
  }
  return dash;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A value the console wrote in place of a nested one: a type name or a list "{…}".
bool IsCutValue(std::string_view v) {
  if (v.size() >= 2 && v.front() == '{' && v.back() == '}') return v != "{}";
  return v.rfind("Microsoft.Graph.", 0) == 0 || v.rfind("System.", 0) == 0;
}

// A cell Format-Table cut to the window width.
bool IsTruncated(std::string_view v) {
  return (v.size() >= 3 && v.substr(v.size() - 3) == "...") ||
         (v.size() >= 3 && v.substr(v.size() - 3) == "\xE2\x80\xA6");  // U+2026
}

// Property names of each kind, normalised (NormalizeHeader): the ones only that kind has decide
// detection; every one is read when present.
const std::set<std::string>& AuditOnlyKeys() {
  static const std::set<std::string> k = {"activitydisplayname", "loggedbyservice"};
  return k;
}
const std::set<std::string>& ProvisioningOnlyKeys() {
  static const std::set<std::string> k = {"jobid", "cycleid", "changeid", "provisioningaction",
                                          "provisioningsteps", "provisioningstatusinfo"};
  return k;
}

const std::map<std::string, std::string>& AuditColumnAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"id", "id"},
      {"activitydatetime", "activityDateTime"}, {"date", "activityDateTime"},
      {"activitydisplayname", "activityDisplayName"}, {"activity", "activityDisplayName"},
      {"category", "category"},
      {"correlationid", "correlationId"},
      {"loggedbyservice", "loggedByService"}, {"service", "loggedByService"},
      {"operationtype", "operationType"},
      {"result", "result"}, {"resultreason", "resultReason"},
      {"initiatedbyuseruserprincipalname", "initiatedBy.user.userPrincipalName"},
      {"initiatedbyuserdisplayname", "initiatedBy.user.displayName"},
      {"initiatedbyuserid", "initiatedBy.user.id"},
      {"initiatedbyappdisplayname", "initiatedBy.app.displayName"},
      {"initiatedbyappserviceprincipalname", "initiatedBy.app.servicePrincipalName"},
  };
  return aliases;
}

class ConsoleParser : public Parser {
 public:
  explicit ConsoleParser(EventKind kind) : kind_(kind) {}

  std::string_view name() const override {
    return kind_ == EventKind::kAudit ? "audit-powershell-console" : "provisioning-powershell-console";
  }
  EventKind kind() const override { return kind_; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    char first = FirstNonSpace(head);
    if (first == '{' || first == '[' || first == '\0') return 0;
    // Format-List: names at column 0 followed by " : ".
    std::set<std::string> list_keys;
    std::string prev, header, dashes;
    bool table = false;
    size_t pos = 0;
    for (int n = 0; n < 200 && pos < head.size(); ++n) {
      size_t end = head.find('\n', pos);
      if (end == std::string_view::npos) end = head.size();
      std::string_view line = head.substr(pos, end - pos);
      pos = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string key;
      if (RE2::FullMatch(line, ListLineRe(), &key)) list_keys.insert(NormalizeHeader(key));
      if (!table && IsDashLine(line) && !Trim(prev).empty()) {
        table = true;
        header = prev;
        dashes = std::string(line);
      }
      prev = std::string(line);
    }
    const auto& only = kind_ == EventKind::kAudit ? AuditOnlyKeys() : ProvisioningOnlyKeys();
    const auto& other = kind_ == EventKind::kAudit ? ProvisioningOnlyKeys() : AuditOnlyKeys();
    auto claims = [&](const std::set<std::string>& keys) {
      bool mine = false, theirs = false;
      for (const auto& k : keys) {
        mine = mine || only.count(k) > 0;
        theirs = theirs || other.count(k) > 0;
      }
      return mine && !theirs;
    };
    const char* cmdlet = kind_ == EventKind::kAudit ? "Get-MgAuditLogDirectoryAudit" : "Get-MgAuditLogProvisioning";
    if (list_keys.size() >= 3 && claims(list_keys)) {
      return Claim(why, 85, std::string("Format-List console output (\"Name : value\" lines) with ") +
                                cmdlet + " property names");
    }
    if (table) {
      std::set<std::string> cols;
      for (const auto& name : HeaderNames(header, DashColumns(dashes))) cols.insert(NormalizeHeader(name));
      if (cols.size() >= 2 && claims(cols)) {
        return Claim(why, 85, std::string("Format-Table console output (a header over a line of "
                                          "dashes) with ") + cmdlet + " property names");
      }
    }
    return 0;
  }

  Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) override {
    file_ = std::string(file_name);
    sink_ = sink;
    stopped_ = false;
    cut_.clear();
    truncated_ = 0;
    table_ = false;
    columns_.clear();
    cells_.clear();
    raw_.clear();
    pending_.clear();
    have_pending_ = false;
    prompts_ = 0;
    LineReader reader(in);
    std::string_view line;
    bool cut_line = false;
    while (!stopped_ && reader.Next(&line, &cut_line)) {
      if (cut_line) {
        sink_->OnDataLost(Loc(reader), "line longer than the 64 MB cap was cut: its end is not kept");
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      // A table's header is known only when the dash line under it comes: hold one line back.
      if (IsDashLine(line) && have_pending_ && !Trim(pending_).empty()) {
        FlushRecord();
        StartTable(pending_, line);
        have_pending_ = false;
        continue;
      }
      if (have_pending_) TakeLine(pending_, pending_line_, pending_offset_);
      pending_.assign(line);
      pending_line_ = reader.line_number();
      pending_offset_ = reader.line_offset();
      have_pending_ = true;
    }
    if (have_pending_ && !stopped_) TakeLine(pending_, pending_line_, pending_offset_);
    if (!stopped_) FlushRecord();
    SayWhatWasCut();
    return reader.status();
  }

 private:
  SourceLoc Loc(const LineReader& r) const { return SourceLoc{file_, r.line_number(), r.line_offset()}; }

  // The columns of a Format-Table from its dash line: [start, end) of each dash group.
  static std::vector<std::pair<size_t, size_t>> DashColumns(std::string_view dashes) {
    std::vector<std::pair<size_t, size_t>> cols;
    size_t i = 0;
    while (i < dashes.size() && cols.size() < kMaxCells) {
      while (i < dashes.size() && dashes[i] != '-') ++i;
      if (i >= dashes.size()) break;
      size_t start = i;
      while (i < dashes.size() && dashes[i] == '-') ++i;
      cols.emplace_back(start, i);
    }
    return cols;
  }

  // The header's names, each read over its column up to the next one (a calculated property's
  // name may hold blanks).
  static std::vector<std::string> HeaderNames(std::string_view header,
                                              const std::vector<std::pair<size_t, size_t>>& cols) {
    std::vector<std::string> names;
    for (size_t c = 0; c < cols.size(); ++c) {
      size_t start = cols[c].first;
      size_t end = c + 1 < cols.size() ? cols[c + 1].first : header.size();
      names.emplace_back(start < header.size() ? Trim(header.substr(start, std::min(end, header.size()) - start))
                                               : std::string_view());
    }
    return names;
  }

  void StartTable(const std::string& header, std::string_view dashes) {
    table_ = true;
    columns_ = DashColumns(dashes);
    header_names_ = HeaderNames(header, columns_);
  }

  void TakeLine(const std::string& line, uint64_t line_no, uint64_t offset) {
    std::string_view body = Trim(line);
    // A prompt (and the command after it) is no record; it ends the table before it.
    if (line.rfind("PS ", 0) == 0 && line.find('>') != std::string::npos) {
      FlushRecord();
      table_ = false;
      if (prompts_++ == 0) first_prompt_ = SourceLoc{file_, line_no, offset};
      return;
    }
    if (table_) {
      if (body.empty()) {
        FlushRecord();
        return;
      }
      std::vector<std::string> row = SplitRow(line);
      bool continues = !row.empty() && row[0].empty() && !cells_.empty();
      if (!continues) {
        FlushRecord();
        StartRecord(line_no, offset);
        for (size_t c = 0; c < row.size() && c < header_names_.size(); ++c) {
          cells_.emplace_back(header_names_[c], row[c]);
        }
      } else {
        // -Wrap: the rest of the cells of the row above.
        for (size_t c = 0; c < row.size() && c < cells_.size(); ++c) {
          if (row[c].empty()) continue;
          cells_[c].second += (cells_[c].second.empty() ? "" : " ") + row[c];
        }
      }
      AppendRaw(line);
      return;
    }
    // Format-List.
    if (body.empty()) {
      FlushRecord();
      return;
    }
    const bool indented = line[0] == ' ' || line[0] == '\t';
    if (indented && !cells_.empty()) {
      // A long value wrapped onto the next line, indented to the value column.
      std::string& v = cells_.back().second;
      if (v.size() < kMaxRecordBytes) v += (v.empty() ? "" : " ") + std::string(body);
      AppendRaw(line);
      return;
    }
    std::string key, value;
    if (!indented && RE2::FullMatch(line, ListLineRe(), &key, &value)) {
      // A name seen twice: the next record began without a blank line between.
      for (const auto& [k, v] : cells_) {
        if (k == key) {
          FlushRecord();
          break;
        }
      }
      if (cells_.empty()) StartRecord(line_no, offset);
      if (cells_.size() < kMaxCells) cells_.emplace_back(key, std::string(Trim(value)));
      AppendRaw(line);
      return;
    }
    FlushRecord();
    sink_->OnBadInput(SourceLoc{file_, line_no, offset},
                      "console text outside any record (a prompt, a command or a message)",
                      body.substr(0, 4096));
  }

  std::vector<std::string> SplitRow(std::string_view line) const {
    std::vector<std::string> row;
    for (size_t c = 0; c < columns_.size(); ++c) {
      size_t start = columns_[c].first;
      size_t end = c + 1 < columns_.size() ? columns_[c + 1].first : line.size();
      if (start >= line.size()) {
        row.emplace_back();
        continue;
      }
      row.emplace_back(Trim(line.substr(start, std::min(end, line.size()) - start)));
    }
    return row;
  }

  void StartRecord(uint64_t line_no, uint64_t offset) {
    cells_.clear();
    raw_.clear();
    start_line_ = line_no;
    start_offset_ = offset;
  }

  void AppendRaw(std::string_view line) {
    if (raw_.size() >= kMaxRecordBytes) return;
    if (!raw_.empty()) raw_.push_back('\n');
    raw_.append(line.substr(0, kMaxRecordBytes - raw_.size()));
  }

  void FlushRecord() {
    if (cells_.empty() || stopped_) {
      cells_.clear();
      return;
    }
    SourceLoc loc{file_, start_line_, start_offset_};
    json_.Clear();
    const auto& aliases = kind_ == EventKind::kAudit ? AuditColumnAliases() : ProvisioningColumnAliases();
    for (const auto& [name, value] : cells_) {
      std::string key = NormalizeHeader(name);
      if (value.empty()) continue;
      if (IsCutValue(value)) {
        cut_.insert(name);
        continue;
      }
      if (IsTruncated(value)) ++truncated_;
      if (kind_ == EventKind::kAudit && (key == "initiatedby" || key == "actor")) {
        // A flattened initiator (Select-Object with an expression): a UPN is a user.
        json_.Add(value.find('@') != std::string::npos ? "initiatedBy.user.userPrincipalName"
                                                      : "initiatedBy.app.displayName",
                  value);
        continue;
      }
      if (kind_ == EventKind::kAudit &&
          (key == "targetresources" || key == "target" || key == "targetdisplayname" ||
           key == "targetuserprincipalname")) {
        std::string field = value.find('@') != std::string::npos ? "userPrincipalName" : "displayName";
        json_.Add("targetResources", "[{\"" + field + "\":" + JsonQuote(value) + "}]", true);
        continue;
      }
      auto it = aliases.find(key);
      if (it == aliases.end() && kind_ == EventKind::kProvisioning &&
          (key == "error" || key == "errormessage")) {
        it = aliases.find("reason");
      }
      if (it != aliases.end()) json_.Add(it->second, value);
    }
    cells_.clear();
    const std::string& text = json_.Build();
    JsonElement doc;
    event_.Clear();
    event_.kind = kind_;
    event_.loc = loc;
    event_.raw = raw_;
    std::string why;
    if (parser_.parse(text.data(), text.size(), false).get(doc) != simdjson::SUCCESS) {
      sink_->OnBadInput(loc, "record cannot be read", raw_);
      return;
    }
    bool ok = kind_ == EventKind::kAudit ? MapAuditRecord(doc, &event_, &why)
                                         : MapProvisioningRecord(doc, &event_, &why);
    event_.raw = raw_;
    event_.loc = loc;
    if (!ok) {
      sink_->OnBadInput(loc, "console record without the properties of its kind: " + why, raw_);
      return;
    }
    if (!event_.note.empty()) sink_->OnWarning(loc, event_.note);
    stopped_ = !sink_->OnEvent(event_);
  }

  void SayWhatWasCut() {
    SourceLoc loc{file_, 0, 0};
    if (prompts_ > 0) {
      sink_->OnWarning(first_prompt_, std::to_string(prompts_) +
                                          " PowerShell prompt line(s) with their command are not "
                                          "records and were passed over");
    }
    if (!cut_.empty()) {
      std::string names;
      for (const auto& n : cut_) names += (names.empty() ? "" : ", ") + n;
      std::string what = "console output: nested values were not written by the console (shown as "
                         "type names or {…}) and are not in the file: " + names;
      bool status_cut = cut_.count("ProvisioningStatusInfo") > 0 || cut_.count("StatusInfo") > 0;
      if (kind_ == EventKind::kProvisioning && status_cut) {
        what += "; the records' status and error are among them, so failures cannot be told from "
                "successes: export with ConvertTo-Json -Depth 10 or Export-Csv instead";
      } else {
        what += "; for whole records export with ConvertTo-Json -Depth 10";
      }
      sink_->OnWarning(loc, what);
    }
    if (truncated_ > 0) {
      sink_->OnWarning(loc, std::to_string(truncated_) +
                                " value(s) were cut to the console width (they end in … or ...) "
                                "and are kept as shown");
    }
  }

  EventKind kind_;
  std::string file_;
  EventSink* sink_ = nullptr;
  bool stopped_ = false;
  bool table_ = false;
  std::vector<std::pair<size_t, size_t>> columns_;
  std::vector<std::string> header_names_;
  std::vector<std::pair<std::string, std::string>> cells_;
  std::string raw_;
  uint64_t start_line_ = 0, start_offset_ = 0;
  std::string pending_;
  uint64_t pending_line_ = 0, pending_offset_ = 0;
  bool have_pending_ = false;
  std::set<std::string> cut_;
  int64_t truncated_ = 0;
  int64_t prompts_ = 0;
  SourceLoc first_prompt_;
  RowJson json_;
  simdjson::dom::parser parser_;
  Event event_;
};

}  // namespace

std::unique_ptr<Parser> NewAuditConsoleParser() { return std::make_unique<ConsoleParser>(EventKind::kAudit); }
std::unique_ptr<Parser> NewProvisioningConsoleParser() {
  return std::make_unique<ConsoleParser>(EventKind::kProvisioning);
}

}  // namespace syncdoctor
