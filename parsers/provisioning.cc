// Provisioning logs (Graph provisioningObjectSummary and its exports) -> Event.
// One mapping serves every JSON shape: Graph v1.0 and beta/legacy, the portal download, Azure
// Monitor diagnostic records (PascalCase Id/Name, integer enums) and PowerShell exports.
#include <cctype>
#include <string>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/mappers.h"
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

// Step type names when a diagnostic record gives them as integers (Graph CSDL member order).
std::string StepTypeText(JsonElement v) {
  if (v.is_int64() || v.is_uint64()) {
    static const char* kNames[] = {"import", "scoping", "matching", "processing",
                                   "referenceResolution", "export"};
    int64_t n = v.is_int64() ? int64_t(v.get_int64()) : int64_t(uint64_t(v.get_uint64()));
    return n >= 0 && n < 6 ? kNames[n] : std::to_string(n);
  }
  std::string s = JsonText(v);
  // The documentation capitalises some step types ("Import"); Graph writes them in camelCase.
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
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

}  // namespace

bool MapProvisioningRecord(JsonElement record, Event* e, std::string* why) {
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
  // startTime/endTime: a provisionOnDemand result, which has no activityDateTime.
  if (!MapRecordTime(rec, {"activityDateTime", "TimeGenerated", "startTime", "endTime"}, e) &&
      diagnostic) {
    (void)MapRecordTime(record, {"time"}, e);
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
  // A provisionOnDemand result names its object by reportableIdentifier (a UPN) where the
  // identities carry only ids.
  std::string reportable = JsonFieldText(rec, "reportableIdentifier");
  if (!reportable.empty() && (e->source_identity.empty() || e->source_identity == e->source_id)) {
    e->source_identity = reportable;
  }

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
  // Envelope and Log Analytics fallbacks: resultType, resultSignature (the error code) and
  // resultDescription (the error text).
  if (e->level.empty()) e->level = ToLower(JsonFieldText(diagnostic ? record : rec, "resultType"));
  if (!have_error) {
    std::string code = JsonFieldText(diagnostic ? record : rec, "resultSignature");
    if (!code.empty() && code != "None" && code != "0") {
      e->error_code = code;
      AppendText(&e->message, " ", JsonFieldText(diagnostic ? record : rec, "resultDescription"));
    }
  }
  if (have_error) {
    e->error_code = JsonFieldText(error, "errorCode");
    e->reason = JsonFieldText(error, "errorCategory");
    AppendText(&e->message, " ", JsonFieldText(error, "reason"));
    AppendText(&e->message, " ", JsonFieldText(error, "additionalDetails"));
  }

  // The steps are kept whole; without an error text they also tell the story (the failed,
  // skipped or warning ones first).
  JsonElement steps;
  if (JsonField(rec, "provisioningSteps", &steps) && steps.is_array()) {
    std::string story, last;
    for (JsonElement step : steps.get_array()) {
      ProvisioningStep ps;
      JsonElement v;
      ps.name = JsonFieldText(step, "name");
      // provisionOnDemand results name the step type "type".
      if (JsonField(step, "provisioningStepType", &v) || JsonField(step, "type", &v)) {
        ps.type = StepTypeText(v);
      }
      if (JsonField(step, "status", &v)) ps.status = StepStatusText(v);
      ps.description = JsonFieldText(step, "description");
      // A default JsonElement has no document: ask it nothing unless JsonField filled it.
      JsonElement details;
      bool has_details = JsonField(step, "details", &details) && details.is_object();
      if (has_details) {
        ps.details = simdjson::minify(details);
        if (ps.details == "{}") ps.details.clear();
      }
      if (ps.status == "failure" || ps.status == "skipped" || ps.status == "warning") {
        AppendText(&story, "; ", ps.description);
        std::string skip = has_details ? JsonFieldText(details, "SkipReason") : "";
        if (!skip.empty()) AppendText(&story, " ", "SkipReason=" + skip);
      }
      if (!ps.description.empty()) last = ps.description;
      e->steps.push_back(std::move(ps));
    }
    if (e->message.empty()) e->message = story.empty() ? last : story;
  }
  JsonElement modified;
  if (JsonField(rec, "modifiedProperties", &modified) && modified.is_array()) {
    for (JsonElement m : modified.get_array()) {
      ModifiedProperty mp;
      mp.name = JsonFirstText(m, {"displayName", "Name"});
      mp.old_value = JsonFieldText(m, "oldValue");
      mp.new_value = JsonFieldText(m, "newValue");
      e->modified.push_back(std::move(mp));
    }
  }
  return true;
}

namespace {

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

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    char first = FirstNonSpace(head);
    if (first != '{' && first != '[') return 0;
    const char* shape = first == '[' ? "an array of" : "a top-level object with";
    switch (variant_) {
      case Variant::kGraph:
        if (HeadContainsIgnoreCase(head, "$metadata#auditLogs/provisioning")) {
          return Claim(why, 100, "@odata.context names auditLogs/provisioning (a Graph page, or "
                                 "one record got by id)");
        }
        return 0;
      case Variant::kDiagnostic:
        if (HeadHasKeyValue(head, "category", "ProvisioningLogs")) {
          return Claim(why, 95, "\"category\": \"ProvisioningLogs\" (Azure Monitor diagnostic records)");
        }
        return 0;
      case Variant::kPortal:
        // An array of camelCase provisioning records, or one record (Graph by id without its
        // @odata.context, a record copied out of a page).
        if (head.find("\"provisioningSteps\"") != std::string_view::npos) {
          return Claim(why, 80, std::string(shape) + " camelCase provisioningSteps");
        }
        if (head.find("\"cycleId\"") != std::string_view::npos &&
            head.find("\"changeId\"") != std::string_view::npos) {
          return Claim(why, 80, std::string(shape) + " camelCase cycleId and changeId");
        }
        if (head.find("\"provisioningStatusInfo\"") != std::string_view::npos ||
            (head.find("\"jobId\"") != std::string_view::npos &&
             head.find("\"provisioningAction\"") != std::string_view::npos)) {
          return Claim(why, 75, std::string(shape) +
                                    " camelCase provisioningStatusInfo, or jobId and provisioningAction");
        }
        return 0;
      case Variant::kPowerShell:
        if (head.find("\"ProvisioningSteps\"") != std::string_view::npos) {
          return Claim(why, 80, std::string(shape) + " PascalCase ProvisioningSteps (ConvertTo-Json)");
        }
        if (head.find("\"CycleId\"") != std::string_view::npos &&
            head.find("\"ChangeId\"") != std::string_view::npos) {
          return Claim(why, 80, std::string(shape) + " PascalCase CycleId and ChangeId (ConvertTo-Json)");
        }
        if (head.find("\"ProvisioningStatusInfo\"") != std::string_view::npos ||
            (head.find("\"JobId\"") != std::string_view::npos &&
             head.find("\"ProvisioningAction\"") != std::string_view::npos)) {
          return Claim(why, 75, std::string(shape) + " PascalCase ProvisioningStatusInfo, or JobId "
                                                     "and ProvisioningAction (ConvertTo-Json)");
        }
        return 0;
    }
    return 0;
  }

 protected:
  bool MapRecord(JsonElement record, Event* event, std::string* why) override {
    return MapProvisioningRecord(record, event, why);
  }

 private:
  Variant variant_;
};

// The result of provisionOnDemand: Graph returns a stringKeyStringValuePair whose `key` is JSON
// text {"result", "details": {"errorCode", "errorMessage"}} and whose `value` is JSON text of the
// provisioned object's record (action, changeId, start/endTime, provisioningSteps with `type`,
// statusInfo, source/target identity, reportableIdentifier). PowerShell's ConvertTo-Json writes
// Key/Value; a result copied from the portal or a browser is the `value` object itself. Each
// becomes one provisioning record with its steps.
class ProvisionOnDemandParser : public JsonLogParser {
 public:
  std::string_view name() const override { return "provisioning-on-demand-json"; }
  EventKind kind() const override { return EventKind::kProvisioning; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    char first = FirstNonSpace(head);
    if (first != '{' && first != '[') return 0;
    if (HeadContainsIgnoreCase(head, "stringKeyStringValuePair")) {
      return Claim(why, 95, "@odata.context names stringKeyStringValuePair (the response of "
                            "provisionOnDemand)");
    }
    bool key_value = HeadContainsIgnoreCase(head, "\"key\"") && HeadContainsIgnoreCase(head, "\"value\"");
    if (key_value && (HeadContainsIgnoreCase(head, "\\\"result\\\"") ||
                      HeadContainsIgnoreCase(head, "\\\"provisioningSteps\\\""))) {
      return Claim(why, 90, "a key/value pair whose JSON text holds a provision-on-demand result");
    }
    if (!HeadContainsIgnoreCase(head, "\"provisioningSteps\"")) return 0;
    // A provisioning log record has activityDateTime; an on-demand result has none. The key is
    // matched in its case: step details of log records carry "ReportableIdentifier".
    if (HeadContainsIgnoreCase(head, "\"activityDateTime\"")) return 0;
    if (head.find("\"reportableIdentifier\"") != std::string_view::npos) {
      return Claim(why, 85, "provisioningSteps with reportableIdentifier and no activityDateTime "
                            "(a provision-on-demand result object)");
    }
    // Every provisioning record has sourceSystem; alone it only hints at an on-demand result, so
    // the score stays under the portal download's.
    if (HeadContainsIgnoreCase(head, "\"sourceSystem\"")) {
      return Claim(why, 70, "provisioningSteps with sourceSystem and no activityDateTime (perhaps a "
                            "provision-on-demand result object)");
    }
    return 0;
  }

 protected:
  bool MapRecord(JsonElement record, Event* e, std::string* why) override {
    // A default JsonElement has no document: only elements that were found are asked anything.
    JsonElement key, value, result = record;
    bool have_result = true;
    bool pair = !JsonField(record, "provisioningSteps", &value) && JsonField(record, "key", &key) &&
                JsonField(record, "value", &value);
    JsonElement outcome;  // the key: {result, details}
    bool have_outcome = false;
    if (pair) {
      have_result = Embedded(value, &value_parser_, &result);
      have_outcome = Embedded(key, &key_parser_, &outcome);
      if (!have_result && !have_outcome) {
        *why = "a key/value pair, but neither holds a provision-on-demand result";
        return false;
      }
    }
    if (have_result) {
      std::string inner_why;
      if (!MapProvisioningRecord(result, e, &inner_why) && !have_outcome) {
        *why = "not a provision-on-demand result: " + inner_why;
        return false;
      }
    }
    if (have_outcome) {
      if (e->level.empty()) e->level = ToLower(JsonFieldText(outcome, "result"));
      JsonElement details;
      if (JsonField(outcome, "details", &details) && details.is_object()) {
        std::string code = JsonFieldText(details, "errorCode");
        std::string text = JsonFieldText(details, "errorMessage");
        if (e->error_code.empty()) e->error_code = code;
        if (!text.empty() && e->message.find(text) == std::string::npos) {
          e->message = e->message.empty() ? text : text + "; " + e->message;
        }
      }
    }
    if (e->record_id.empty() && have_result) e->record_id = JsonFieldText(result, "changeId");
    if (e->change_id.empty() && have_result) e->change_id = JsonFieldText(result, "changeId");
    if (e->activity.empty()) e->activity = "provisionondemand";
    return true;
  }

 private:
  // `v` as an object: itself when it is one, parsed when it is JSON text (with its own parser:
  // the outer record's document must stay valid).
  static bool Embedded(JsonElement v, simdjson::dom::parser* parser, JsonElement* out) {
    if (v.is_object()) {
      *out = v;
      return true;
    }
    if (!v.is_string()) return false;
    std::string_view text = v.get_string().value_unsafe();
    if (FirstNonSpace(text) != '{') return false;
    return parser->parse(text.data(), text.size(), true).get(*out) == simdjson::SUCCESS &&
           out->is_object();
  }

  simdjson::dom::parser value_parser_, key_parser_;
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
std::unique_ptr<Parser> NewProvisionOnDemandParser() { return std::make_unique<ProvisionOnDemandParser>(); }
std::unique_ptr<Parser> NewProvisioningPowerShellParser() {
  return std::make_unique<ProvisioningParser>(ProvisioningParser::Variant::kPowerShell);
}

}  // namespace syncdoctor
