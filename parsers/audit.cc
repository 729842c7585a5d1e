// Audit logs (Graph directoryAudit and its exports) -> Event: Graph pages, the portal JSON
// download (a top-level array) and Azure Monitor diagnostic records (`properties` = directoryAudit).
#include <string>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/mappers.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

void Append(std::string* out, std::string_view sep, std::string_view text) {
  if (text.empty()) return;
  if (!out->empty()) out->append(sep);
  out->append(text);
}

}  // namespace

bool MapAuditRecord(JsonElement record, Event* e, std::string* why) {
  JsonElement rec = record;
  JsonElement props;
  bool diagnostic = UnwrapDiagnostic(record, "AuditLogs", &props);
  if (diagnostic) rec = props;

  JsonElement probe;
  if (!JsonFirst(rec, {"activityDisplayName", "loggedByService", "targetResources"}, &probe)) {
    *why = "not an audit record: none of activityDisplayName, loggedByService, targetResources";
    return false;
  }
  e->record_id = JsonFieldText(rec, "id");
  if (!MapRecordTime(rec, {"activityDateTime", "TimeGenerated"}, e) && diagnostic) {
    (void)MapRecordTime(record, {"time"}, e);
  }
  e->level = ToLower(JsonFieldText(rec, "result"));
  if (e->level.empty()) e->level = ToLower(JsonFieldText(rec, "resultType"));  // Log Analytics
  e->activity = JsonFieldText(rec, "activityDisplayName");
  if (e->activity.empty()) e->activity = JsonFieldText(diagnostic ? record : rec, "operationName");
  e->reason = JsonFieldText(rec, "category");
  e->correlation_id = JsonFieldText(rec, "correlationId");

  JsonElement initiator, who;
  if (JsonField(rec, "initiatedBy", &initiator)) {
    if (JsonField(initiator, "user", &who) && who.is_object()) {
      e->actor = JsonFirstText(who, {"userPrincipalName", "displayName", "id"});
    }
    if (e->actor.empty() && JsonField(initiator, "app", &who) && who.is_object()) {
      e->actor = JsonFirstText(who, {"displayName", "servicePrincipalName", "appId"});
    }
  }

  JsonElement targets;
  if (JsonField(rec, "targetResources", &targets) && targets.is_array()) {
    for (JsonElement t : targets.get_array()) {
      Append(&e->target_identity, "; ", JsonFirstText(t, {"userPrincipalName", "displayName", "id"}));
      if (e->target_id.empty()) e->target_id = JsonFieldText(t, "id");
      TargetResource tr;
      tr.id = JsonFieldText(t, "id");
      tr.display_name = JsonFieldText(t, "displayName");
      tr.type = JsonFieldText(t, "type");
      tr.user_principal_name = JsonFieldText(t, "userPrincipalName");
      e->targets.push_back(std::move(tr));
      JsonElement modified;
      if (JsonField(t, "modifiedProperties", &modified) && modified.is_array()) {
        for (JsonElement m : modified.get_array()) {
          ModifiedProperty mp;
          mp.target = static_cast<int>(e->targets.size()) - 1;
          mp.name = JsonFieldText(m, "displayName");
          mp.old_value = JsonFieldText(m, "oldValue");
          mp.new_value = JsonFieldText(m, "newValue");
          e->modified.push_back(std::move(mp));
        }
      }
    }
  }

  e->message = JsonFieldText(rec, "resultReason");
  if (e->message.empty()) e->message = JsonFieldText(rec, "resultDescription");  // Log Analytics
  JsonElement details;
  if (JsonField(rec, "additionalDetails", &details) && details.is_array()) {
    for (JsonElement d : details.get_array()) {
      std::string key = JsonFieldText(d, "key");
      std::string value = JsonFieldText(d, "value");
      if (EqualsIgnoreCase(key, "ErrorCode") && e->error_code.empty()) e->error_code = value;
      if (!key.empty() || !value.empty()) Append(&e->message, "; ", key + "=" + value);
      e->details.push_back(KeyValue{key, value});
    }
  }
  return true;
}

namespace {

class AuditParser : public JsonLogParser {
 public:
  enum class Variant { kGraph, kPortal, kDiagnostic };
  explicit AuditParser(Variant v) : variant_(v) {}

  std::string_view name() const override {
    switch (variant_) {
      case Variant::kGraph: return "audit-graph-json";
      case Variant::kPortal: return "audit-portal-json";
      case Variant::kDiagnostic: return "audit-diagnostic-json";
    }
    return "";
  }
  EventKind kind() const override { return EventKind::kAudit; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    char first = FirstNonSpace(head);
    if (first != '{' && first != '[') return 0;
    switch (variant_) {
      case Variant::kGraph:
        if (HeadContainsIgnoreCase(head, "$metadata#auditLogs/directoryAudits")) {
          return Claim(why, 100, "@odata.context names auditLogs/directoryAudits (a Graph page, "
                                 "or one record got by id)");
        }
        return 0;
      case Variant::kDiagnostic:
        if (HeadHasKeyValue(head, "category", "AuditLogs")) {
          return Claim(why, 95, "\"category\": \"AuditLogs\" (Azure Monitor diagnostic records)");
        }
        return 0;
      case Variant::kPortal: {
        // The portal's JSON download (an array of directoryAudit objects), PowerShell's
        // Get-MgAuditLogDirectoryAudit | ConvertTo-Json (PascalCase keys; one result is a bare
        // object), or one record copied out of a page. activityDisplayName is what only audit
        // records have; one more audit key makes the claim.
        if (!HeadContainsIgnoreCase(head, "\"activityDisplayName\"")) return 0;
        for (std::string_view key : {"loggedByService", "targetResources", "initiatedBy",
                                     "operationType", "resultReason"}) {
          if (HeadContainsIgnoreCase(head, "\"" + std::string(key) + "\"")) {
            return Claim(why, 80, std::string(first == '[' ? "an array of" : "a top-level object with") +
                                      " directoryAudit keys (activityDisplayName, " + std::string(key) + ")");
          }
        }
        return 0;
      }
    }
    return 0;
  }

 protected:
  bool MapRecord(JsonElement record, Event* event, std::string* why) override {
    return MapAuditRecord(record, event, why);
  }

 private:
  Variant variant_;
};

}  // namespace

std::unique_ptr<Parser> NewAuditGraphParser() {
  return std::make_unique<AuditParser>(AuditParser::Variant::kGraph);
}
std::unique_ptr<Parser> NewAuditPortalParser() {
  return std::make_unique<AuditParser>(AuditParser::Variant::kPortal);
}
std::unique_ptr<Parser> NewAuditDiagnosticParser() {
  return std::make_unique<AuditParser>(AuditParser::Variant::kDiagnostic);
}

}  // namespace syncdoctor
