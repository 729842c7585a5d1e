// The Entra admin center's audit log "Download -> CSV" (86 columns: Date (UTC), CorrelationId,
// Service, Category, Activity, Result, ..., Target1..3, AdditionalDetail1..6) -> Event.
// Columns are found by name, ignoring case and spaces, so reordered or localised-date exports
// ("Data (UTC)") still map.
#include <map>
#include <string>
#include <vector>

#include "parsers/csv_reader.h"
#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

std::string FirstLine(std::string_view head) {
  size_t nl = head.find('\n');
  std::string_view l = head.substr(0, nl);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return std::string(l);
}

class AuditCsvParser : public Parser {
 public:
  std::string_view name() const override { return "audit-portal-csv"; }
  EventKind kind() const override { return EventKind::kAudit; }

  int Probe(std::string_view, std::string_view head) const override {
    std::string h = NormalizeHeader(FirstLine(head));
    bool date_first = h.rfind("date(utc),", 0) == 0 || h.rfind("data(utc),", 0) == 0 ||
                      h.rfind("date,", 0) == 0;
    if (date_first && h.find(",correlationid,") != std::string::npos &&
        h.find(",activity,") != std::string::npos && h.find(",service,") != std::string::npos) {
      return 95;
    }
    return 0;
  }

  Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) override {
    CsvReader csv(in);
    std::vector<std::string> header, row;
    std::string error;
    SourceLoc loc{std::string(file_name), 0, 0};
    if (!csv.Next(&header, &error)) return csv.status();
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < header.size(); ++i) col.emplace(NormalizeHeader(header[i]), i);
    // The first column is the date, whatever the language of its header.
    size_t date_col = 0;
    while (csv.Next(&row, &error)) {
      loc.line = csv.record_line();
      loc.offset = csv.record_offset();
      if (!error.empty()) {
        sink->OnBadInput(loc, error, csv.raw());
        continue;
      }
      if (row.size() != header.size()) {
        sink->OnBadInput(loc,
                         "row has " + std::to_string(row.size()) + " fields where the header has " +
                             std::to_string(header.size()),
                         csv.raw());
        continue;
      }
      auto get = [&](std::string_view key) -> std::string {
        auto it = col.find(std::string(key));
        return it == col.end() ? std::string() : row[it->second];
      };
      event_.Clear();
      event_.kind = EventKind::kAudit;
      event_.loc = loc;
      event_.raw = csv.raw();
      std::string date = row[date_col];
      if (!ParseTimestamp(date, &event_.time_ms) && !date.empty()) {
        sink->OnWarning(loc, "date '" + date.substr(0, 40) + "' is not a time this version reads");
      }
      event_.correlation_id = get("correlationid");
      event_.activity = get("activity");
      event_.reason = get("category");
      event_.level = ToLower(get("result"));
      event_.actor = get("actoruserprincipalname");
      if (event_.actor.empty()) event_.actor = get("actordisplayname");
      if (event_.actor.empty()) event_.actor = get("actorserviceprincipalname");
      for (int t = 1; t <= 3; ++t) {
        std::string p = "target" + std::to_string(t);
        std::string who = get(p + "userprincipalname");
        if (who.empty()) who = get(p + "displayname");
        if (who.empty()) who = get(p + "objectid");
        if (!who.empty()) {
          if (!event_.target_identity.empty()) event_.target_identity += "; ";
          event_.target_identity += who;
        }
        if (event_.target_id.empty()) event_.target_id = get(p + "objectid");
        std::string id = get(p + "objectid"), dn = get(p + "displayname"), type = get(p + "type"),
                    upn = get(p + "userprincipalname");
        bool any_modified = false;
        for (int m = 1; m <= 5; ++m) {
          std::string q = p + "modifiedproperty" + std::to_string(m);
          any_modified |= !get(q + "name").empty();
        }
        if (id.empty() && dn.empty() && type.empty() && upn.empty() && !any_modified) continue;
        event_.targets.push_back(TargetResource{id, dn, type, upn});
        for (int m = 1; m <= 5; ++m) {
          std::string q = p + "modifiedproperty" + std::to_string(m);
          ModifiedProperty mp;
          mp.target = static_cast<int>(event_.targets.size()) - 1;
          mp.name = get(q + "name");
          mp.old_value = get(q + "oldvalue");
          mp.new_value = get(q + "newvalue");
          if (!mp.name.empty() || !mp.old_value.empty() || !mp.new_value.empty()) {
            event_.modified.push_back(std::move(mp));
          }
        }
      }
      event_.message = get("resultreason");
      for (int d = 1; d <= 6; ++d) {
        std::string key = get("additionaldetail" + std::to_string(d) + "key");
        std::string value = get("additionaldetail" + std::to_string(d) + "value");
        if (key.empty() && value.empty()) continue;
        if (EqualsIgnoreCase(key, "ErrorCode") && event_.error_code.empty()) event_.error_code = value;
        if (!event_.message.empty()) event_.message += "; ";
        event_.message += key + "=" + value;
        event_.details.push_back(KeyValue{key, value});
      }
      // The CSV has no record id: correlation, time, activity and target identify a row, so
      // that overlapping downloads are stored once.
      event_.record_id = "csv:" + event_.correlation_id + "|" + date + "|" + event_.activity + "|" +
                         event_.target_id;
      if (!sink->OnEvent(event_)) break;
    }
    return csv.status();
  }

 private:
  Event event_;
};

}  // namespace

std::unique_ptr<Parser> NewAuditPortalCsvParser() { return std::make_unique<AuditCsvParser>(); }

}  // namespace syncdoctor
