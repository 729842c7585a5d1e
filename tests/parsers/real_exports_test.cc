// Real exports read as they really are (issue 19): each shape below is one that customers' files
// take and that earlier versions misread. Inputs are written here, small, in the shape of the
// real thing.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "parsers/formats.h"
#include "parsers/registry.h"
#include "parsers/timestamp.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

int64_t Ms(const std::string& text) {
  int64_t ms = 0;
  REQUIRE(ParseTimestamp(text, &ms));
  return ms;
}

bool HasWarning(const CollectingSink& sink, const std::string& part) {
  for (const auto& w : sink.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

// Detects `text` as a file named `name` and parses it with the parser detection chose.
std::string DetectAndParse(const std::string& name, const std::string& text, CollectingSink* sink,
                           std::string* why = nullptr) {
  Detection d = DetectFormat(name, text);
  if (why != nullptr) *why = d.why;
  if (d.format.empty()) return "";
  auto parser = NewParser(d.format);
  REQUIRE(parser != nullptr);
  REQUIRE(ParseString(parser.get(), name, text, sink).ok());
  return d.format;
}

// One directory audit as ConvertTo-Json writes a single Get-MgAuditLogDirectoryAudit result.
const char kOneAuditPascal[] = R"({
  "ActivityDateTime": "2026-11-17T09:12:44Z",
  "ActivityDisplayName": "Add user",
  "Category": "UserManagement",
  "CorrelationId": "5d0c2b7e-8a3f-4e51-9c2d-1f0e7a6b5c41",
  "Id": "Directory_5d0c2b7e-8a3f-4e51-9c2d-1f0e7a6b5c41_1",
  "InitiatedBy": {"User": {"UserPrincipalName": "admin@contoso.example", "Id": "u1"}},
  "LoggedByService": "Core Directory",
  "OperationType": "Add",
  "Result": "failure",
  "ResultReason": "Another object with the same value for property userPrincipalName already exists.",
  "TargetResources": [{"DisplayName": "Ana Ruiz", "UserPrincipalName": "ana@contoso.example"}]
})";

// One provisioning record as Graph returns it for a GET by id, without its @odata.context (a
// browser copy) and without provisioningSteps.
const char kOneProvisioning[] = R"({
  "id": "a4e1b1c2-0000-4000-8000-00000000aa01",
  "activityDateTime": "2026-11-17T14:25:10Z",
  "jobId": "scim.70eb9a0a96264ae685e818fac0433cbd.4a1f",
  "cycleId": "c1", "changeId": "ch1",
  "provisioningAction": "create",
  "provisioningStatusInfo": {"status": "failure",
    "errorInformation": {"errorCode": "SystemForCrossDomainIdentityManagementBadResponse",
                         "reason": "The SCIM endpoint answered 400."}},
  "sourceIdentity": {"displayName": "Ana Ruiz", "id": "s1"},
  "targetIdentity": {"displayName": "", "id": ""}
})";

}  // namespace

// --- a single object --------------------------------------------------------------------------

TEST_CASE("Real exports: one audit object (ConvertTo-Json of one result) is read, and detection "
          "says why",
          "[parsers][real_exports]") {
  CollectingSink sink;
  std::string why;
  CHECK(DetectAndParse("one-audit.json", kOneAuditPascal, &sink, &why) == "audit-portal-json");
  CHECK(why.find("activityDisplayName") != std::string::npos);
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.activity == "Add user");
  CHECK(e.level == "failure");
  CHECK(e.time_ms == Ms("2026-11-17T09:12:44Z"));
  CHECK(e.actor == "admin@contoso.example");
  CHECK(e.message.find("already exists") != std::string::npos);
}

TEST_CASE("Real exports: one provisioning object without steps is read as a provisioning record",
          "[parsers][real_exports]") {
  CollectingSink sink;
  std::string why;
  std::string format = DetectAndParse("one-prov.json", kOneProvisioning, &sink, &why);
  CHECK(format == "provisioning-portal-json");
  CHECK(why.find("a top-level object with camelCase cycleId and changeId") != std::string::npos);
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].error_code == "SystemForCrossDomainIdentityManagementBadResponse");
  CHECK(sink.events[0].level == "failure");
  CHECK(sink.events[0].job_id == "scim.70eb9a0a96264ae685e818fac0433cbd.4a1f");

  // Selected down to its status (Select-Object JobId, ProvisioningAction, ProvisioningStatusInfo).
  CollectingSink few;
  format = DetectAndParse("few.json",
                          R"({"JobId":"j1","ProvisioningAction":"delete","ProvisioningStatusInfo":)"
                          R"({"Status":"failure","ErrorInformation":{"ErrorCode":"E1","Reason":"r"}}})",
                          &few, &why);
  CHECK(format == "provisioning-powershell-json");
  CHECK(why.find("ProvisioningStatusInfo") != std::string::npos);
  REQUIRE(few.events.size() == 1);
  CHECK(few.events[0].activity == "delete");
  CHECK(few.events[0].error_code == "E1");
}

TEST_CASE("Real exports: an object of neither kind is still refused, with the keys it has",
          "[parsers][real_exports]") {
  Detection d = DetectFormat("users.json", R"({"displayName":"Ana","mail":"ana@contoso.example"})");
  CHECK(d.format == "");
}

// --- a job whose last run failed ----------------------------------------------------------------

TEST_CASE("Real exports: a job's error code None is no error, and its failed last run is said",
          "[parsers][real_exports]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json", R"({
  "id": "scim.70eb9a0a.4a1f", "templateId": "scim",
  "schedule": {"interval": "PT40M", "state": "Active"},
  "status": {
    "code": "Active", "countSuccessiveCompleteFailures": 3,
    "lastExecution": {"activityIdentifier": "run-7", "state": "Failed",
      "timeBegan": "2026-11-17T13:00:00Z", "timeEnded": "2026-11-17T13:04:00Z",
      "countImported": 12, "countExported": 0, "countEscrowed": 4,
      "error": {"code": "None", "message": "", "tenantActionable": false}}
  }
})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.error_code == "");  // "None" is no code
  CHECK(e.message.find("Last execution Failed, 2026-11-17T13:00:00Z to 2026-11-17T13:04:00Z") !=
        std::string::npos);
  CHECK(e.message.find("12 imported") != std::string::npos);
  CHECK(e.message.find("4 escrowed") != std::string::npos);
  bool state = false, failures = false;
  for (const auto& kv : e.details) {
    if (kv.key == "lastExecution.state" && kv.value == "Failed") state = true;
    if (kv.key == "countSuccessiveCompleteFailures" && kv.value == "3") failures = true;
  }
  CHECK(state);
  CHECK(failures);
}

TEST_CASE("Real exports: a job whose last run succeeded says nothing of it", "[parsers][real_exports]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json",
                      R"({"id":"j","templateId":"scim","status":{"code":"Active",
"lastExecution":{"state":"Succeeded","timeEnded":"2026-11-17T13:04:00Z","error":null}}})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].message.find("Last execution") == std::string::npos);
  CHECK(sink.events[0].error_code == "");
}

// --- trace headers with leading whitespace ------------------------------------------------------

TEST_CASE("Real exports: an indented trace keeps its levels, sources and footers",
          "[parsers][real_exports]") {
  const std::string text =
      "    AADConnectProvisioningAgent Error: 0 : Web socket failed to connect.\n"
      "    more detail on the next line\n"
      "        DateTime=2026-11-17T14:25:10.0000000Z\n"
      "    AADConnectProvisioningAgent Information: 0 : Reconnected.\n"
      "        DateTime=2026-11-17T14:26:00.0000000Z\n";
  CollectingSink sink;
  std::string why;
  std::string format = DetectAndParse("trace-agent.log", text, &sink, &why);
  CHECK(format == "agent-trace");
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].level == "Error");
  CHECK(sink.events[0].activity == "AADConnectProvisioningAgent");
  CHECK(sink.events[0].message.find("more detail on the next line") != std::string::npos);
  CHECK(sink.events[0].time_ms == Ms("2026-11-17T14:25:10Z"));
  CHECK(sink.events[1].level == "Information");
  CHECK(sink.events[1].time_ms == Ms("2026-11-17T14:26:00Z"));
  CHECK(HasWarning(sink, "trace headers are indented by 4"));
  CHECK(sink.bad.empty());
}

// --- provision on demand ------------------------------------------------------------------------

namespace {

// The shape of the provisionOnDemand response: key and value are JSON texts.
const char kOnDemandEnvelope[] = R"({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
  "key": "{\"result\":\"Failure\",\"details\":{\"errorCode\":\"SystemForCrossDomainIdentityManagementBadResponse\",\"errorMessage\":\"The SCIM endpoint refused the request.\"}}",
  "value": "{\"action\":\"Create\",\"changeId\":\"od-1\",\"startTime\":\"2026-11-17T15:00:00Z\",\"endTime\":\"2026-11-17T15:00:02Z\",\"reportableIdentifier\":\"ana@contoso.example\",\"provisioningSteps\":[{\"name\":\"EntryImport\",\"type\":\"Import\",\"status\":\"Success\",\"description\":\"Retrieved ana@contoso.example\"},{\"name\":\"EntryExportAdd\",\"type\":\"Export\",\"status\":\"Failure\",\"description\":\"Failed to create User\"}]}"
})";

}  // namespace

TEST_CASE("Real exports: a provisionOnDemand response is one provisioning record with its steps",
          "[parsers][real_exports]") {
  CollectingSink sink;
  std::string why;
  CHECK(DetectAndParse("pod.json", kOnDemandEnvelope, &sink, &why) == "provisioning-on-demand-json");
  CHECK(why.find("stringKeyStringValuePair") != std::string::npos);
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.kind == EventKind::kProvisioning);
  CHECK(e.level == "failure");
  CHECK(e.error_code == "SystemForCrossDomainIdentityManagementBadResponse");
  CHECK(e.message.find("The SCIM endpoint refused the request.") != std::string::npos);
  CHECK(e.change_id == "od-1");
  CHECK(e.source_identity == "ana@contoso.example");
  CHECK(e.time_ms != 0);
  REQUIRE(e.steps.size() == 2);
  CHECK(e.steps[0].type == "import");
  CHECK(e.steps[1].status == "failure");
}

TEST_CASE("Real exports: provision on demand as PowerShell's Key/Value and as the bare result",
          "[parsers][real_exports]") {
  SECTION("Key and Value, as ConvertTo-Json of the cmdlet's result writes them") {
    const std::string text =
        R"({"Key":"{\"result\":\"Skipped\",\"details\":{\"errorCode\":\"RedundantExport\",\"errorMessage\":\"Already in sync.\"}}",)"
        R"("Value":"{\"changeId\":\"od-2\",\"provisioningSteps\":[{\"name\":\"EntryImport\",\"type\":\"Import\",\"status\":\"Success\"}]}"})";
    CollectingSink sink;
    CHECK(DetectAndParse("pod.json", text, &sink) == "provisioning-on-demand-json");
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].level == "skipped");
    CHECK(sink.events[0].error_code == "RedundantExport");
    CHECK(sink.events[0].steps.size() == 1);
  }
  SECTION("the result object itself, copied from the portal") {
    const std::string text =
        R"({"changeId":"od-3","reportableIdentifier":"ana@contoso.example","startTime":"2026-11-17T15:00:00Z",)"
        R"("provisioningSteps":[{"name":"EntryExportAdd","type":"Export","status":"Failure","description":"Failed"}],)"
        R"("statusInfo":{"status":"failure"}})";
    CollectingSink sink;
    std::string why;
    CHECK(DetectAndParse("result.json", text, &sink, &why) == "provisioning-on-demand-json");
    CHECK(why.find("reportableIdentifier") != std::string::npos);
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].time_ms == Ms("2026-11-17T15:00:00Z"));
    CHECK(sink.events[0].record_id == "od-3");
  }
  SECTION("a pair that holds neither result is one unparsed record") {
    auto parser = NewProvisionOnDemandParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "pod.json", R"({"key":"k","value":"v"})", &sink).ok());
    CHECK(sink.events.empty());
    REQUIRE(sink.bad.size() == 1);
    CHECK(sink.bad[0].find("neither holds a provision-on-demand result") != std::string::npos);
  }
}

// --- date forms -----------------------------------------------------------------------------

TEST_CASE("Real exports: a record time in another culture's form is read, and one in no form is a "
          "warning on that record",
          "[parsers][real_exports]") {
  auto parser = NewAuditPortalParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "a.json", R"([
{"id":"1","activityDisplayName":"Add user","loggedByService":"Core Directory","activityDateTime":"1/9/2007 10:41:00 AM +01:00"},
{"id":"2","activityDisplayName":"Add user","loggedByService":"Core Directory","activityDateTime":"the ninth of January"},
{"id":"3","activityDisplayName":"Add user","loggedByService":"Core Directory","activityDateTime":""}
])",
                      &sink).ok());
  REQUIRE(sink.events.size() == 3);  // no record is lost over its time
  CHECK(sink.events[0].time_ms == Ms("2007-01-09T09:41:00Z"));
  CHECK(sink.events[1].time_ms == 0);
  CHECK(sink.events[2].time_ms == 0);
  REQUIRE(sink.warnings.size() == 1);  // the empty time is no time, not an unread one
  CHECK(sink.warnings[0] ==
        "a.json:3: activityDateTime 'the ninth of January' is in no date form syncdoctor reads: the "
        "record is kept without a time");
}

// --- console output -----------------------------------------------------------------------------

TEST_CASE("Real exports: Format-List of Get-MgAuditLogDirectoryAudit is read, and the cut nested "
          "values are named",
          "[parsers][real_exports]") {
  const std::string text =
      "PS C:\\> Get-MgAuditLogDirectoryAudit -Top 2 | Format-List\r\n"
      "\r\n"
      "ActivityDateTime    : 11/17/2026 9:12:44 AM\r\n"
      "ActivityDisplayName : Add user\r\n"
      "Category            : UserManagement\r\n"
      "CorrelationId       : 5d0c2b7e-8a3f-4e51-9c2d-1f0e7a6b5c41\r\n"
      "Id                  : Directory_1\r\n"
      "InitiatedBy         : Microsoft.Graph.PowerShell.Models.MicrosoftGraphAuditActivityInitiator\r\n"
      "LoggedByService     : Core Directory\r\n"
      "Result              : failure\r\n"
      "ResultReason        : Another object with the same value for property userPrincipalName\r\n"
      "                      already exists.\r\n"
      "TargetResources     : {Ana Ruiz}\r\n"
      "\r\n"
      "ActivityDateTime    : 11/17/2026 9:20:00 AM\r\n"
      "ActivityDisplayName : Update user\r\n"
      "Id                  : Directory_2\r\n"
      "LoggedByService     : Core Directory\r\n"
      "Result              : success\r\n"
      "ResultReason        : \r\n";
  CollectingSink sink;
  std::string why;
  CHECK(DetectAndParse("audit.txt", text, &sink, &why) == "audit-powershell-console");
  CHECK(why.find("Format-List") != std::string::npos);
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 2);
  const Event& e = sink.events[0];
  CHECK(e.activity == "Add user");
  CHECK(e.level == "failure");
  CHECK(e.time_ms == Ms("2026-11-17T09:12:44Z"));
  CHECK(e.correlation_id == "5d0c2b7e-8a3f-4e51-9c2d-1f0e7a6b5c41");
  // The wrapped value is joined back.
  CHECK(e.message.find("userPrincipalName already exists.") != std::string::npos);
  CHECK(sink.events[1].activity == "Update user");
  CHECK(HasWarning(sink, "nested values were not written by the console"));
  CHECK(HasWarning(sink, "InitiatedBy"));
  CHECK(HasWarning(sink, "TargetResources"));
  CHECK(HasWarning(sink, "1 PowerShell prompt line(s)"));
}

TEST_CASE("Real exports: Format-Table of Get-MgAuditLogProvisioning is read, and a cut status is "
          "said to hide failures",
          "[parsers][real_exports]") {
  const std::string text =
      "\n"
      "ActivityDateTime      JobId          ChangeId CycleId ProvisioningAction ProvisioningStatusInfo\n"
      "----------------      -----          -------- ------- ------------------ ----------------------\n"
      "11/17/2026 2:25:10 PM scim.70eb.4a1f ch-1     c-1     create             Microsoft.Graph.PowerShell.Models.M...\n"
      "11/17/2026 2:26:10 PM scim.70eb.4a1f ch-2     c-1     update             Microsoft.Graph.PowerShell.Models.M...\n";
  CollectingSink sink;
  std::string why;
  CHECK(DetectAndParse("prov.txt", text, &sink, &why) == "provisioning-powershell-console");
  CHECK(why.find("Format-Table") != std::string::npos);
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].job_id == "scim.70eb.4a1f");
  CHECK(sink.events[0].change_id == "ch-1");
  CHECK(sink.events[0].activity == "create");
  CHECK(sink.events[1].time_ms == Ms("2026-11-17T14:26:10Z"));
  CHECK(HasWarning(sink, "failures cannot be told from successes"));
}

// --- broken records and their debris -----------------------------------------------------------

TEST_CASE("Real exports: a stray closing brace after a broken record is part of it, not one more "
          "unparsed record",
          "[parsers][real_exports]") {
  auto parser = NewAuditDiagnosticParser();
  CollectingSink sink;
  const std::string good =
      R"({"category":"AuditLogs","time":"2026-11-17T09:00:00Z","operationName":"Add user","properties":{"id":"g1","activityDisplayName":"Add user"}})";
  const std::string text = good + "\n" +
                           R"({"category":"AuditLogs","properties":{"id":"b1","activityDisplayName":"Add )" +
                           "\n}}\n" + "}\n" +
                           R"({"category":"AuditLogs","time":"2026-11-17T09:05:00Z","operationName":"Add user","properties":{"id":"g2","activityDisplayName":"Add user"}})" +
                           "\n";
  REQUIRE(ParseString(parser.get(), "d.ndjson", text, &sink).ok());
  CHECK(sink.events.size() == 2);
  REQUIRE(sink.bad.size() == 1);
  CHECK(sink.bad[0].rfind("d.ndjson:2: ", 0) == 0);
  CHECK(sink.bad[0].find("debris after it") != std::string::npos);
}

TEST_CASE("Real exports: an NDJSON record an editor wrapped over two lines is one record",
          "[parsers][real_exports]") {
  auto parser = NewAuditDiagnosticParser();
  CollectingSink sink;
  const std::string text =
      "{\"category\":\"AuditLogs\",\"time\":\"2026-11-17T09:00:00Z\",\n"
      "  \"properties\":{\"id\":\"w1\",\"activityDisplayName\":\"Add user\"}}\n"
      "{\"category\":\"AuditLogs\",\"time\":\"2026-11-17T09:01:00Z\",\"properties\":{\"id\":\"w2\",\"activityDisplayName\":\"Add user\"}}\n";
  REQUIRE(ParseString(parser.get(), "d.ndjson", text, &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].loc.line == 1);
  CHECK(sink.events[1].loc.line == 3);
}

TEST_CASE("Real exports: lines of other text after JSON lines stay one unparsed record each",
          "[parsers][real_exports]") {
  auto parser = NewAuditDiagnosticParser();
  CollectingSink sink;
  const std::string text =
      "{\"category\":\"AuditLogs\",\"time\":\"2026-11-17T09:00:00Z\",\"properties\":{\"id\":\"w1\",\"activityDisplayName\":\"Add user\"}}\n"
      "some other text\n"
      "and more of it\n";
  REQUIRE(ParseString(parser.get(), "d.ndjson", text, &sink).ok());
  CHECK(sink.events.size() == 1);
  CHECK(sink.bad.size() == 2);
}

}  // namespace syncdoctor
