// Provisioning logs (Graph provisioningObjectSummary and its exports) -> Event.
// One mapping serves every JSON shape: Graph v1.0 and beta/legacy, the portal download, Azure
// Monitor diagnostic records (PascalCase Id/Name, integer enums) and PowerShell exports.
#include <string>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

// Status names of provisioningStepType/status when a diagnostic record gives them as integers.
std::string StepStatusText(JsonElement v) {
  if (v.is_int64() || v.is_uint64()) {
    static const char* kNames[] = {"success", "failure", "skipped", "warning"};
    int64_t n = v.is_int64() ? int64_t(v.get_int64()) : int64_t(uint64_t(v.get_uint64()));
    return n >= 0 && n < 4 ? kNames[n] : std::to_string(n);
  }
  return ToLower(JsonText(v));
}

// displayName (Graph) or Name (diagnostic) or details.DisplayName, then the id.
void MapIdentity(JsonElement rec, std::string_view key, std::string* name, std::string* id) {
  JsonElement ident;
  if (!JsonField(rec, key, &ident) || !ident.is_object()) return;
  *name = JsonFirstText(ident, {"displayName", "Name"});
  *id = JsonFieldText(ident, "id");
  JsonElement details;
  if (JsonField(ident, "details", &details)) {
    if (name->empty()) *name = JsonFirstText(details, {"DisplayName", "UserPrincipalName"});
    if (id->empty()) *id = JsonFieldText(details, "id");
  }
  if (name->empty()) *name = *id;
}

void AppendText(std::string* out, std::string_view sep, std::string_view text) {
  if (text.empty()) return;
  if (!out->empty()) out->append(sep);
  out->append(text);
}

bool MapProvisioning(JsonElement record, Event* e, std::string* why) {
  JsonElement rec = record;
  JsonElement props;
  bool diagnostic = UnwrapDiagnostic(record, "ProvisioningLogs", &props);
  if (diagnostic) rec = props;

  JsonElement probe;
  if (!JsonFirst(rec, {"jobId", "cycleId", "changeId", "provisioningStatusInfo", "statusInfo",
                       "provisioningSteps", "provisioningAction", "action"},
                 &probe)) {
    *why = "not a provisioning record: none of jobId, cycleId, changeId, provisioningStatusInfo, "
           "provisioningSteps";
    return false;
  }

  e->record_id = JsonFieldText(rec, "id");
  if (e->record_id.empty() && diagnostic) e->record_id = JsonFieldText(record, "identity");
  std::string when = JsonFieldText(rec, "activityDateTime");
  if (!ParseTimestamp(when, &e->time_ms) && diagnostic) {
    (void)ParseTimestamp(JsonFieldText(record, "time"), &e->time_ms);
  }
  e->job_id = JsonFieldText(rec, "jobId");
  e->cycle_id = JsonFieldText(rec, "cycleId");
  e->change_id = JsonFieldText(rec, "changeId");
  e->correlation_id = JsonFieldText(rec, "correlationId");
  if (e->correlation_id.empty() && diagnostic) e->correlation_id = JsonFieldText(record, "correlationId");
  e->activity = ToLower(JsonFirstText(rec, {"provisioningAction", "action"}));

  JsonElement initiator;
  if (JsonField(rec, "initiatedBy", &initiator)) {
    e->actor = JsonFirstText(initiator, {"displayName", "Name"});
  }
  MapIdentity(rec, "sourceIdentity", &e->source_identity, &e->source_id);
  MapIdentity(rec, "targetIdentity", &e->target_identity, &e->target_id);

  // Status and error: provisioningStatusInfo{status, errorInformation|errorInfo} (v1.0), or the
  // flat legacy statusInfo{status, errorCode, reason, ...} (beta); integers are diagnostic test
  // values and say nothing.
  JsonElement status_info, error;
  bool have_error = false;
  if (JsonField(rec, "provisioningStatusInfo", &status_info) && status_info.is_object()) {
    JsonElement st;
    if (JsonField(status_info, "status", &st) && st.is_string()) e->level = ToLower(JsonText(st));
    if (JsonFirst(status_info, {"errorInformation", "errorInfo"}, &error) && error.is_object()) {
      have_error = true;
    }
  }
  JsonElement legacy;
  if (JsonField(rec, "statusInfo", &legacy) && legacy.is_object()) {
    JsonElement st;
    if (e->level.empty() && JsonField(legacy, "status", &st) && st.is_string()) {
      e->level = ToLower(JsonText(st));
    }
    if (!have_error && !JsonFieldText(legacy, "errorCode").empty()) {
      error = legacy;
      have_error = true;
    }
  }
  if (e->level.empty() && diagnostic) e->level = ToLower(JsonFieldText(record, "resultType"));
  if (have_error) {
    e->error_code = JsonFieldText(error, "errorCode");
    e->reason = JsonFieldText(error, "errorCategory");
    AppendText(&e->message, " ", JsonFieldText(error, "reason"));
    AppendText(&e->message, " ", JsonFieldText(error, "additionalDetails"));
  }

  // Without an error text, the steps tell the story: the failed/skipped/warning ones first.
  JsonElement steps;
  if (e->message.empty() && JsonField(rec, "provisioningSteps", &steps) && steps.is_array()) {
    std::string last;
    for (JsonElement step : steps.get_array()) {
      JsonElement st;
      std::string status = JsonField(step, "status", &st) ? StepStatusText(st) : "";
      std::string desc = JsonFieldText(step, "description");
      if (status == "failure" || status == "skipped" || status == "warning") {
        AppendText(&e->message, "; ", desc);
        JsonElement details;
        if (JsonField(step, "details", &details)) {
          std::string skip = JsonFieldText(details, "SkipReason");
          if (!skip.empty()) AppendText(&e->message, " ", "SkipReason=" + skip);
        }
      }
      if (!desc.empty()) last = desc;
    }
    if (e->message.empty()) e->message = last;
  }
  return true;
}

class ProvisioningParser : public JsonLogParser {
 public:
  enum class Variant { kGraph, kPortal, kDiagnostic, kPowerShell };
  explicit ProvisioningParser(Variant v) : variant_(v) {}

  std::string_view name() const override {
    switch (variant_) {
      case Variant::kGraph: return "provisioning-graph-json";
      case Variant::kPortal: return "provisioning-portal-json";
      case Variant::kDiagnostic: return "provisioning-diagnostic-json";
      case Variant::kPowerShell: return "provisioning-powershell-json";
    }
    return "";
  }
  EventKind kind() const override { return EventKind::kProvisioning; }

  int Probe(std::string_view, std::string_view head) const override {
    char first = FirstNonSpace(head);
    if (first != '{' && first != '[') return 0;
    switch (variant_) {
      case Variant::kGraph:
        if (HeadContainsIgnoreCase(head, "$metadata#auditLogs/provisioning")) return 100;
        return 0;
      case Variant::kDiagnostic:
        if (HeadHasKeyValue(head, "category", "ProvisioningLogs")) return 95;
        return 0;
      case Variant::kPortal:
        // A bare array (or object) of camelCase provisioning records.
        if (head.find("\"provisioningSteps\"") != std::string_view::npos ||
            (head.find("\"cycleId\"") != std::string_view::npos &&
             head.find("\"changeId\"") != std::string_view::npos)) {
          return 80;
        }
        return 0;
      case Variant::kPowerShell:
        if (head.find("\"ProvisioningSteps\"") != std::string_view::npos ||
            (head.find("\"CycleId\"") != std::string_view::npos &&
             head.find("\"ChangeId\"") != std::string_view::npos)) {
          return 80;
        }
        return 0;
    }
    return 0;
  }

 protected:
  bool MapRecord(JsonElement record, Event* event, std::string* why) override {
    return MapProvisioning(record, event, why);
  }

 private:
  Variant variant_;
};

}  // namespace

std::unique_ptr<Parser> NewProvisioningGraphParser() {
  return std::make_unique<ProvisioningParser>(ProvisioningParser::Variant::kGraph);
}
std::unique_ptr<Parser> NewProvisioningPortalParser() {
  return std::make_unique<ProvisioningParser>(ProvisioningParser::Variant::kPortal);
}
std::unique_ptr<Parser> NewProvisioningDiagnosticParser() {
  return std::make_unique<ProvisioningParser>(ProvisioningParser::Variant::kDiagnostic);
}
std::unique_ptr<Parser> NewProvisioningPowerShellParser() {
  return std::make_unique<ProvisioningParser>(ProvisioningParser::Variant::kPowerShell);
}

}  // namespace syncdoctor
