// Tabular exports -> the Graph record shape -> the shared mappers (mappers.h):
//   provisioning-log-analytics-csv / -json   AADProvisioningLogs exported from Log Analytics
//   audit-log-analytics-csv / -json          AuditLogs exported from Log Analytics
//   provisioning-portal-csv                  the portal download's three files: the records,
//                                            ProvisioningSteps and ModifiedProperties
//   audit-portal-csv                         the portal's audit download (86 columns: Date (UTC),
//                                            ..., Target1..3, AdditionalDetail1..6)
// Log Analytics column names are Graph property names in PascalCase (plus TimeGenerated and the
// Result* columns), and its complex columns are JSON held in strings: each row becomes one JSON
// object with those columns, JSON-looking cells embedded as JSON. The portal CSV headers are not
// published: they are matched by name, ignoring case, spaces, dots and underscores, against the
// Graph names and their display forms (docs/formats.md lists the names accepted).
#include <map>
#include <string>
#include <vector>

#include "parsers/csv_reader.h"
#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/mappers.h"
#include "parsers/row_json.h"

namespace syncdoctor {

namespace {

bool HeaderHas(const std::string& norm_header_line, std::string_view col) {
  std::string needle = "," + std::string(col) + ",";
  return ("," + norm_header_line + ",").find(needle) != std::string::npos;
}

// The first line of `head` as normalised column names joined by ','. Header names hold no
// commas, so splitting on them (quotes aside) is enough for detection.
std::string NormalizedHeaderLine(std::string_view head) {
  size_t nl = head.find('\n');
  std::string_view l = head.substr(0, nl);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t comma = l.find(',', start);
    std::string_view cell = l.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!out.empty() || start > 0) out.push_back(',');
    out += NormalizeHeader(cell);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Which table a CSV or Log Analytics file holds.
enum class Table {
  kLaProvisioning, kLaAudit, kPortalProvisioning, kPortalSteps, kPortalModified, kPortalAudit
};

// The portal audit CSV row as a directoryAudit object: actor, targets with their modified
// properties (3 x 5 at most) and additional details (6 at most) become the nested lists they are
// in Graph. `get` reads a column by its normalised name.
template <typename Get>
void AuditRowToJson(const Get& get, const std::string& date, RowJson* json) {
  json->Add("activityDateTime", date);
  json->Add("correlationId", get("correlationid"));
  json->Add("loggedByService", get("service"));
  json->Add("category", get("category"));
  json->Add("activityDisplayName", get("activity"));
  json->Add("result", get("result"));
  json->Add("resultReason", get("resultreason"));
  json->Add("userAgent", get("useragent"));
  std::string upn = get("actoruserprincipalname");
  std::string type = ToLower(get("actortype"));
  if (type == "user" || (type.empty() && !upn.empty())) {
    json->Add("initiatedBy.user.displayName", get("actordisplayname"));
    json->Add("initiatedBy.user.id", get("actorobjectid"));
    json->Add("initiatedBy.user.userPrincipalName", upn);
    json->Add("initiatedBy.user.ipAddress", get("ipaddress"));
    json->Add("initiatedBy.user.homeTenantId", get("actorhometenantid"));
    json->Add("initiatedBy.user.homeTenantName", get("actorhometenantname"));
  } else {
    json->Add("initiatedBy.app.displayName", get("actordisplayname"));
    json->Add("initiatedBy.app.servicePrincipalId", get("actorserviceprincipalid"));
    json->Add("initiatedBy.app.servicePrincipalName", get("actorserviceprincipalname"));
  }
  std::string targets;
  for (int t = 1; t <= 3; ++t) {
    std::string p = "target" + std::to_string(t);
    std::string mods;
    for (int m = 1; m <= 5; ++m) {
      std::string q = p + "modifiedproperty" + std::to_string(m);
      std::string name = get(q + "name"), old_value = get(q + "oldvalue"), new_value = get(q + "newvalue");
      if (name.empty() && old_value.empty() && new_value.empty()) continue;
      mods += (mods.empty() ? "" : ",") + std::string("{\"displayName\":") + JsonQuote(name) +
              ",\"oldValue\":" + JsonQuote(old_value) + ",\"newValue\":" + JsonQuote(new_value) + "}";
    }
    std::string id = get(p + "objectid"), dn = get(p + "displayname"), ttype = get(p + "type"),
                tupn = get(p + "userprincipalname");
    if (id.empty() && dn.empty() && ttype.empty() && tupn.empty() && mods.empty()) continue;
    targets += (targets.empty() ? "" : ",") + std::string("{\"id\":") + JsonQuote(id) +
               ",\"displayName\":" + JsonQuote(dn) + ",\"type\":" + JsonQuote(ttype) +
               ",\"userPrincipalName\":" + JsonQuote(tupn) + ",\"modifiedProperties\":[" + mods + "]}";
  }
  if (!targets.empty()) json->Add("targetResources", "[" + targets + "]", true);
  std::string details;
  for (int d = 1; d <= 6; ++d) {
    std::string key = get("additionaldetail" + std::to_string(d) + "key");
    std::string value = get("additionaldetail" + std::to_string(d) + "value");
    if (key.empty() && value.empty()) continue;
    details += (details.empty() ? "" : ",") + std::string("{\"key\":") + JsonQuote(key) +
               ",\"value\":" + JsonQuote(value) + "}";
  }
  if (!details.empty()) json->Add("additionalDetails", "[" + details + "]", true);
}

// Reads a CSV with a header row; each row becomes a JSON object for the kind's mapper.
class TabularCsvParser : public Parser {
 public:
  TabularCsvParser(std::string_view name, EventKind kind) : name_(name), kind_(kind) {}
  std::string_view name() const override { return name_; }
  EventKind kind() const override { return kind_; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    std::string h = NormalizedHeaderLine(head);
    if (h.find(',') == std::string::npos) return 0;
    if (name_ == "audit-portal-csv") {
      // The first column is the date, whatever the language of its header ("Data (UTC)").
      bool date_first = h.rfind("date(utc),", 0) == 0 || h.rfind("data(utc),", 0) == 0 ||
                        h.rfind("date,", 0) == 0;
      if (date_first && HeaderHas(h, "correlationid") && HeaderHas(h, "activity") &&
          HeaderHas(h, "service")) {
        return Claim(why, 95, "a CSV header that starts with the date and has CorrelationId, "
                              "Activity and Service (the portal's audit download)");
      }
      return 0;
    }
    bool la = HeaderHas(h, "timegenerated");
    if (name_ == "provisioning-log-analytics-csv") {
      if (la && (HeaderHas(h, "jobid") || HeaderHas(h, "cycleid"))) {
        return Claim(why, 90, "a CSV header with TimeGenerated and JobId or CycleId (Log Analytics)");
      }
      return 0;
    }
    if (name_ == "audit-log-analytics-csv") {
      if (la && (HeaderHas(h, "loggedbyservice") || HeaderHas(h, "activitydisplayname"))) {
        return Claim(why, 90, "a CSV header with TimeGenerated and LoggedByService or "
                              "ActivityDisplayName (Log Analytics)");
      }
      return 0;
    }
    // provisioning-portal-csv: any of the three members of the download.
    if (la || !HeaderHas(h, "changeid")) return 0;
    if (HeaderHas(h, "jobid") || HeaderHas(h, "cycleid")) {
      return Claim(why, 85, "a CSV header with Change ID and Job ID or Cycle ID (the portal's "
                            "provisioning download, its main file)");
    }
    if (HeaderHas(h, "oldvalue") && HeaderHas(h, "newvalue")) {
      return Claim(why, 80, "a CSV header with Change ID, Old Value and New Value (the portal's "
                            "modified-properties file)");
    }
    if (HeaderHas(h, "description") && HeaderHas(h, "status")) {
      return Claim(why, 80, "a CSV header with Change ID, Description and Status (the portal's "
                            "steps file)");
    }
    return 0;
  }

  Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) override {
    CsvReader csv(in);
    std::vector<std::string> header, row;
    std::string error;
    SourceLoc loc{std::string(file_name), 0, 0};
    if (!csv.Next(&header, &error)) return csv.status();
    std::vector<std::string> norm;
    std::string joined;
    for (const auto& h : header) {
      norm.push_back(NormalizeHeader(h));
      joined += (joined.empty() ? "" : ",") + norm.back();
    }
    Table table = TableOf(joined);
    std::map<std::string, int> per_change;  // row number within a change ID (steps, properties)
    while (csv.Next(&row, &error)) {
      loc.line = csv.record_line();
      loc.offset = csv.record_offset();
      if (!error.empty()) {
        sink->OnBadInput(loc, error, csv.raw());
        continue;
      }
      if (row.size() != header.size()) {
        sink->OnBadInput(loc, "row has " + std::to_string(row.size()) +
                                  " fields where the header has " + std::to_string(header.size()),
                         csv.raw());
        continue;
      }
      std::string why;
      event_.Clear();
      event_.kind = kind_;
      event_.loc = loc;
      event_.raw = csv.raw();
      bool ok = false;
      if (table == Table::kPortalSteps || table == Table::kPortalModified) {
        ok = MapMemberRow(table, norm, row, &per_change, &why);
      } else if (table == Table::kPortalAudit) {
        json_.Clear();
        auto get = [&](const std::string& key) -> std::string {
          for (size_t i = 0; i < norm.size(); ++i) {
            if (norm[i] == key) return row[i];
          }
          return "";
        };
        const std::string& date = row[0];
        AuditRowToJson(get, date, &json_);
        ok = MapJson(&why);
        if (ok) {

          // The CSV has no record id: correlation, time, activity and target identify a row, so
          // that overlapping downloads are stored once.
          event_.record_id = "csv:" + event_.correlation_id + "|" + date + "|" + event_.activity +
                             "|" + event_.target_id;
        }
        event_.raw = csv.raw();
      } else {
        json_.Clear();
        for (size_t i = 0; i < row.size(); ++i) {
          if (table == Table::kPortalProvisioning) {
            auto it = ProvisioningColumnAliases().find(norm[i]);
            if (it != ProvisioningColumnAliases().end()) json_.Add(it->second, row[i]);
          } else {
            json_.Add(CleanHeader(header[i]), row[i]);
          }
        }
        ok = MapJson(&why);
        event_.raw = csv.raw();
      }
      if (!ok) {
        sink->OnBadInput(loc, why, csv.raw());
        continue;
      }
      if (!event_.note.empty()) sink->OnWarning(loc, event_.note);
      if (!sink->OnEvent(event_)) break;
    }
    return csv.status();
  }

 private:
  Table TableOf(const std::string& h) const {
    if (name_ == "audit-portal-csv") return Table::kPortalAudit;
    if (name_ == "provisioning-log-analytics-csv") return Table::kLaProvisioning;
    if (name_ == "audit-log-analytics-csv") return Table::kLaAudit;
    if (HeaderHas(h, "jobid") || HeaderHas(h, "cycleid")) return Table::kPortalProvisioning;
    if (HeaderHas(h, "oldvalue")) return Table::kPortalModified;
    return Table::kPortalSteps;
  }

  bool MapJson(std::string* why) {
    const std::string& text = json_.Build();
    JsonElement doc;
    if (parser_.parse(text.data(), text.size(), false).get(doc) != simdjson::SUCCESS) {
      *why = "row cannot be read as a record";
      return false;
    }
    return kind_ == EventKind::kAudit ? MapAuditRecord(doc, &event_, why)
                                      : MapProvisioningRecord(doc, &event_, why);
  }

  // A row of ProvisioningLogs_ProvisioningSteps or _ModifiedProperties: an event of its own,
  // joined to its record by change ID (the detail row is kept in its table too).
  bool MapMemberRow(Table table, const std::vector<std::string>& norm,
                    const std::vector<std::string>& row, std::map<std::string, int>* per_change,
                    std::string* why) {
    auto get = [&](std::initializer_list<const char*> names) -> std::string {
      for (const char* n : names) {
        for (size_t i = 0; i < norm.size(); ++i) {
          if (norm[i] == n) return row[i];
        }
      }
      return "";
    };
    event_.change_id = get({"changeid"});
    if (event_.change_id.empty()) {
      *why = "row without a change ID cannot be joined to its record";
      return false;
    }
    int n = (*per_change)[event_.change_id]++;
    if (table == Table::kPortalSteps) {
      ProvisioningStep st;
      st.name = get({"name", "stepname", "step"});
      st.type = ToLower(get({"provisioningsteptype", "steptype", "type"}));
      st.status = ToLower(get({"status", "stepstatus"}));
      st.description = get({"description", "stepdescription"});
      st.details = get({"details", "stepdetails"});
      event_.record_id = "portal-csv-step:" + event_.change_id + ":" + std::to_string(n);
      event_.activity = "step " + st.name;
      event_.level = st.status;
      event_.message = st.description;
      event_.steps.push_back(std::move(st));
    } else {
      ModifiedProperty mp;
      mp.name = get({"displayname", "name", "attribute", "attributename", "property"});
      mp.old_value = get({"oldvalue"});
      mp.new_value = get({"newvalue"});
      event_.record_id = "portal-csv-property:" + event_.change_id + ":" + std::to_string(n);
      event_.activity = "modified property";
      event_.message = mp.name + ": '" + mp.old_value + "' -> '" + mp.new_value + "'";
      event_.modified.push_back(std::move(mp));
    }
    return true;
  }

  std::string name_;
  EventKind kind_;
  RowJson json_;
  simdjson::dom::parser parser_;
  Event event_;
};

// Log Analytics JSON export: an array (or NDJSON) of rows whose complex columns are JSON in
// strings. Each row is rebuilt with those strings embedded as JSON, then mapped.
class LogAnalyticsJsonParser : public JsonLogParser {
 public:
  LogAnalyticsJsonParser(std::string_view name, EventKind kind) : name_(name), kind_(kind) {}
  std::string_view name() const override { return name_; }
  EventKind kind() const override { return kind_; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    char first = FirstNonSpace(head);
    if ((first != '[' && first != '{') || head.find("\"TimeGenerated\"") == std::string_view::npos) {
      return 0;
    }
    bool prov = head.find("\"JobId\"") != std::string_view::npos ||
                head.find("\"CycleId\"") != std::string_view::npos;
    bool audit = head.find("\"LoggedByService\"") != std::string_view::npos ||
                 head.find("\"ActivityDisplayName\"") != std::string_view::npos;
    if (kind_ == EventKind::kProvisioning) {
      return prov ? Claim(why, 90, "JSON rows with TimeGenerated and JobId or CycleId (Log Analytics)") : 0;
    }
    return audit ? Claim(why, 90, "JSON rows with TimeGenerated and LoggedByService or "
                                  "ActivityDisplayName (Log Analytics)")
                 : 0;
  }

 protected:
  bool MapRecord(JsonElement record, Event* event, std::string* why) override {
    simdjson::dom::object obj;
    if (record.get_object().get(obj) != simdjson::SUCCESS) {
      *why = "not a JSON object";
      return false;
    }
    json_.Clear();
    for (auto field : obj) {
      if (field.value.is_string()) {
        json_.Add(field.key, JsonText(field.value));
      } else if (!field.value.is_null()) {
        json_.Add(field.key, simdjson::minify(field.value), true);
      }
    }
    const std::string& text = json_.Build();
    JsonElement doc;
    if (parser_.parse(text.data(), text.size(), false).get(doc) != simdjson::SUCCESS) {
      *why = "row cannot be read as a record";
      return false;
    }
    std::string_view raw = event->raw;
    SourceLoc loc = event->loc;
    bool ok = kind_ == EventKind::kAudit ? MapAuditRecord(doc, event, why)
                                         : MapProvisioningRecord(doc, event, why);
    event->raw = raw;
    event->loc = loc;
    return ok;
  }

 private:
  std::string name_;
  EventKind kind_;
  RowJson json_;
  simdjson::dom::parser parser_;
};

}  // namespace

std::unique_ptr<Parser> NewProvisioningLogAnalyticsCsvParser() {
  return std::make_unique<TabularCsvParser>("provisioning-log-analytics-csv", EventKind::kProvisioning);
}
std::unique_ptr<Parser> NewAuditLogAnalyticsCsvParser() {
  return std::make_unique<TabularCsvParser>("audit-log-analytics-csv", EventKind::kAudit);
}
std::unique_ptr<Parser> NewProvisioningPortalCsvParser() {
  return std::make_unique<TabularCsvParser>("provisioning-portal-csv", EventKind::kProvisioning);
}
std::unique_ptr<Parser> NewAuditPortalCsvParser() {
  return std::make_unique<TabularCsvParser>("audit-portal-csv", EventKind::kAudit);
}
std::unique_ptr<Parser> NewProvisioningLogAnalyticsJsonParser() {
  return std::make_unique<LogAnalyticsJsonParser>("provisioning-log-analytics-json", EventKind::kProvisioning);
}
std::unique_ptr<Parser> NewAuditLogAnalyticsJsonParser() {
  return std::make_unique<LogAnalyticsJsonParser>("audit-log-analytics-json", EventKind::kAudit);
}

}  // namespace syncdoctor
