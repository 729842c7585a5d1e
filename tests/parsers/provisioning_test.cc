// Tests of the provisioning-log parsers (parsers/provisioning.cc) and of format detection
// (parsers/registry.h).
#include <algorithm>
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

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// graph_v1_provisioning_list_error.json of the shared corpus, trimmed, with additionalDetails set.
const char kGraphV1Page[] = R"({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning",
    "value": [
        {
            "id": "gc532ff9-r265-ec76-861e-42e2970a8218",
            "activityDateTime": "2019-06-24T20:53:08Z",
            "tenantId": "7928d5b5-7442-4a97-ne2d-66f9j9972ecn",
            "jobId": "ContosoOutDelta.7928d5b574424a97ne2d66f9j9972ecn",
            "cycleId": "44576n58-v14b-70fj-8404-3d22tt46ed93",
            "changeId": "eaad2f8b-e6e3-409b-83bd-e4e2e57177d5",
            "provisioningAction": "create",
            "durationInMilliseconds": 2785,
            "sourceSystem": {"id": "0404601d-a9c0-4ec7-bbcd-02660120d8c9", "displayName": "Azure Active Directory", "details": {}},
            "targetSystem": {"id": "cd22f60b-5f2d-1adg-adb4-76ef31db996b", "displayName": "Contoso", "details": {}},
            "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
            "sourceIdentity": {
                "id": "5e6c9rae-ab4d-5239-8ad0-174391d110eb",
                "displayName": "Self-service Pilot",
                "identityType": "Group",
                "details": {}
            },
            "targetIdentity": {"id": "", "displayName": "", "identityType": "Group", "details": {}},
            "provisioningStatusInfo": {
                "status": "failure",
                "errorInformation" : {
                    "errorCode": "ContosoEntryConflict",
                    "reason": "Message: Contoso returned an error response with the HTTP status code 409.",
                    "additionalDetails": "A group with the same name already exists.",
                    "errorCategory": "nonServiceFailure",
                    "recommendedAction": null
                }
            },
            "provisioningSteps": [
                {"name": "EntryImportAdd", "provisioningStepType": "import", "status": "success",
                 "description": "Received Group 'Self-service Pilot' change of type (Add) from Azure Active Directory", "details": {}},
                {"name": "EntryExportAdd", "provisioningStepType": "export", "status": "failure",
                 "description": "Failed to create Group 'Self-service Pilot' in Contoso",
                 "details": {"ReportableIdentifier": "Self-service Pilot"}}
            ],
            "modifiedProperties": []
       }
    ]
}
)";

// diag_provisioninglogs_duration_as_string.ndjson of the shared corpus, trimmed: PascalCase
// Id/Name, integer step status and type, durationMs as a string, capital Status.
const char kDiagnosticSkipped[] =
    R"({"time":"2022-08-23T13:36:50.3538931Z","resourceId":"/tenants/5611623b-9128-461e-9d7f-a0d9c270ead2/providers/Microsoft.aadiam","operationName":"Provisioning activity","operationVersion":"1.0","category":"ProvisioningLogs","tenantId":"5611623b-9128-461e-9d7f-a0d9c270ead2","resultType":"Skipped","durationMs":"828","correlationId":"54416401-eef2-461c-8de7-385dde2b3cba","identity":"d6cbb0bd-c3ec-6455-bd3e-4282141ce369","Level":4,"properties":{"id":"d6cbb0bd-c3ec-6455-bd3e-4282141ce369","activityDateTime":"2022-08-23T13:36:50.353893Z","jobId":"DropboxSCIMOutDelta.5611623b9128461e9d7fa0d9c270ead2.d6163622-bdf8-4b26-976f-7d573c638e2a","cycleId":"cc305635-a28e-4139-a056-42b5102933fe","changeId":"54416401-eef2-461c-8de7-385dde2b3cba","action":"Create","provisioningAction":"create","initiatedBy":{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"},"sourceIdentity":{"identityType":"User","details":{"id":"7383d412-41f2-478f-a317-7396cc32ce9e","odatatype":"User","DisplayName":"Ellie","UserPrincipalName":"ellie@contoso.onmicrosoft.com"},"Id":"7383d412-41f2-478f-a317-7396cc32ce9e","Name":"Ellie"},"targetIdentity":{"identityType":"urn:ietf:params:scim:schemas:core:2.0:User","details":{},"Id":"","Name":""},"provisioningStatusInfo":{"Status":"skipped","errorInformation":null},"statusInfo":{"Status":2},"provisioningSteps":[{"name":"EntryImportAdd","provisioningStepType":0,"status":0,"description":"Received User 'ellie@contoso.onmicrosoft.com' change of type (Add) from Azure Active Directory","details":{}},{"name":"EntrySynchronizationSkip","provisioningStepType":3,"status":2,"description":"urn:ietf:params:scim:schemas:core:2.0:User 'ellie@contoso.onmicrosoft.com' will be skipped because the value of the property name.familyName is missing or invalid.","details":{"PropertyName":"name.familyName","SkipReason":"AttributeValidationFailed"}}],"modifiedProperties":[],"durationInMilliseconds":828}})";

}  // namespace

TEST_CASE("ProvisioningGraphParser: a v1.0 failure record maps to one event",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CHECK(parser->name() == "provisioning-graph-json");
  CHECK(parser->kind() == EventKind::kProvisioning);
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "page.json", kGraphV1Page, &sink).ok());
  CHECK(sink.bad.empty());
  CHECK(sink.warnings.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.kind == EventKind::kProvisioning);
  CHECK(e.level == "failure");
  CHECK(e.error_code == "ContosoEntryConflict");
  CHECK(e.reason == "nonServiceFailure");
  CHECK(e.message ==
        "Message: Contoso returned an error response with the HTTP status code 409. "
        "A group with the same name already exists.");
  CHECK(e.record_id == "gc532ff9-r265-ec76-861e-42e2970a8218");
  CHECK(e.job_id == "ContosoOutDelta.7928d5b574424a97ne2d66f9j9972ecn");
  CHECK(e.cycle_id == "44576n58-v14b-70fj-8404-3d22tt46ed93");
  CHECK(e.change_id == "eaad2f8b-e6e3-409b-83bd-e4e2e57177d5");
  CHECK(e.activity == "create");
  CHECK(e.actor == "Azure AD Provisioning Service");
  CHECK(e.source_identity == "Self-service Pilot");
  CHECK(e.source_id == "5e6c9rae-ab4d-5239-8ad0-174391d110eb");
  CHECK(e.target_identity == "");
  CHECK(e.time_ms == Ms("2019-06-24T20:53:08Z"));
  CHECK_FALSE(e.time_inferred);
  CHECK(e.loc.file == "page.json");
  CHECK(e.loc.line == 4);
  CHECK(StartsWith(std::string(e.raw), "{\n            \"id\": \"gc532ff9-r265-ec76-861e-42e2970a8218\""));
}

TEST_CASE("ProvisioningGraphParser: without additionalDetails the message is the reason alone",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "p.json", R"({"value":[{"id":"r1","jobId":"j1",
"provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":"EntryConflict",
"reason":"Conflict.","additionalDetails":null,"errorCategory":"nonServiceFailure"}}}]})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].message == "Conflict.");
  CHECK(sink.events[0].time_ms == 0);  // no activityDateTime
}

TEST_CASE("ProvisioningGraphParser: a beta/legacy record with action and a flat statusInfo",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "beta.json", R"({
  "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/provisioning",
  "value": [
    {
      "id": "b-1",
      "activityDateTime": "2019-06-24T20:53:08Z",
      "jobId": "ContosoOutDelta.7928d5b574424a97ne2d66f9j9972ecn",
      "action": "Create",
      "statusInfo": {
        "@odata.type": "#microsoft.graph.statusDetails",
        "status": "failure",
        "errorCode": "ContosoEntryConflict",
        "reason": "Message: Contoso returned an error response with the HTTP status code 409.",
        "additionalDetails": null,
        "errorCategory": "nonServiceFailure",
        "recommendedAction": null
      }
    }
  ]
})",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.level == "failure");
  CHECK(e.error_code == "ContosoEntryConflict");
  CHECK(e.reason == "nonServiceFailure");
  CHECK(e.message == "Message: Contoso returned an error response with the HTTP status code 409.");
  CHECK(e.activity == "create");
  CHECK(e.record_id == "b-1");
}

TEST_CASE("ProvisioningDiagnosticParser: a diagnostic record with PascalCase Id/Name and integer "
          "enums", "[parsers][provisioning]") {
  auto parser = NewProvisioningDiagnosticParser();
  CHECK(parser->name() == "provisioning-diagnostic-json");
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "diag.ndjson", std::string(kDiagnosticSkipped) + "\n", &sink).ok());
  CHECK(sink.bad.empty());
  CHECK(sink.warnings.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.record_id == "d6cbb0bd-c3ec-6455-bd3e-4282141ce369");
  CHECK(e.level == "skipped");
  CHECK(e.source_identity == "Ellie");
  CHECK(e.source_id == "7383d412-41f2-478f-a317-7396cc32ce9e");
  CHECK(e.target_identity == "");
  CHECK(e.actor == "Azure AD Provisioning Service");
  CHECK(e.activity == "create");
  CHECK(e.correlation_id == "54416401-eef2-461c-8de7-385dde2b3cba");
  CHECK(e.time_ms == Ms("2022-08-23T13:36:50.353Z"));
  CHECK(e.error_code == "");
  CHECK(e.loc.line == 1);
}

TEST_CASE("ProvisioningDiagnosticParser: without properties.id the envelope's identity is the id",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningDiagnosticParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "diag.ndjson",
                      R"({"time":"2022-08-23T13:36:50.3538931Z","category":"ProvisioningLogs","resultType":"Failure","identity":"env-id","properties":{"jobId":"j","provisioningStatusInfo":{"Status":1}}})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].record_id == "env-id");
  CHECK(sink.events[0].level == "failure");  // integer Status says nothing: resultType is used
  CHECK(sink.events[0].time_ms == Ms("2022-08-23T13:36:50.353Z"));  // envelope time
}

TEST_CASE("ProvisioningParser: a skipped record's message is the skipped step with its SkipReason",
          "[parsers][provisioning]") {
  const std::string want =
      "urn:ietf:params:scim:schemas:core:2.0:User 'ellie@contoso.onmicrosoft.com' will be skipped "
      "because the value of the property name.familyName is missing or invalid. "
      "SkipReason=AttributeValidationFailed";

  SECTION("diagnostic record, integer step status") {
    auto parser = NewProvisioningDiagnosticParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "diag.ndjson", kDiagnosticSkipped, &sink).ok());
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].message == want);
  }
  SECTION("Graph record, string step status") {
    auto parser = NewProvisioningGraphParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "p.json", R"({"value":[{"id":"s1","jobId":"j",
"provisioningStatusInfo":{"status":"skipped","errorInformation":null},
"provisioningSteps":[
 {"name":"EntryImportAdd","status":"success","description":"Received User 'ellie@contoso.onmicrosoft.com' change of type (Add) from Azure Active Directory","details":{}},
 {"name":"EntrySynchronizationSkip","status":"skipped","description":"urn:ietf:params:scim:schemas:core:2.0:User 'ellie@contoso.onmicrosoft.com' will be skipped because the value of the property name.familyName is missing or invalid.","details":{"SkipReason":"AttributeValidationFailed"}}]}]})",
                        &sink).ok());
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].level == "skipped");
    CHECK(sink.events[0].message == want);
  }
  SECTION("a success record's message is its last step") {
    auto parser = NewProvisioningGraphParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "p.json", R"({"value":[{"id":"s2","jobId":"j",
"provisioningStatusInfo":{"status":"success"},
"provisioningSteps":[{"status":"success","description":"first"},{"status":"success","description":"User 'a' was created"}]}]})",
                        &sink).ok());
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].message == "User 'a' was created");
  }
}

TEST_CASE("ProvisioningGraphParser: a record with trailing commas is kept with a warning",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "doc.json", R"({
"value": [
  {"id": "t1", "jobId": "j", "provisioningStatusInfo": {"status": "success",},},
  {"id": "t2", "jobId": "j"}
]})",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].record_id == "t1");
  CHECK(sink.events[0].level == "success");
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].find("trailing comma") != std::string::npos);
  CHECK(sink.warnings[0] ==
        "doc.json:3: repaired 2 trailing comma(s) (not valid JSON as written; records kept)");
}

TEST_CASE("ProvisioningGraphParser: a record of another shape is bad input, the others are kept",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "p.json",
                      "{\"value\":[\n{\"id\":\"1\",\"jobId\":\"j\"},\n{\"foo\":1},\n{\"id\":\"3\",\"cycleId\":\"c\"}\n]}",
                      &sink).ok());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].record_id == "1");
  CHECK(sink.events[1].record_id == "3");
  REQUIRE(sink.bad.size() == 1);
  CHECK(StartsWith(sink.bad[0], "p.json:3: not a provisioning record"));
  CHECK(sink.bad[0] ==
        "p.json:3: not a provisioning record: none of jobId, cycleId, changeId, "
        "provisioningStatusInfo, provisioningSteps");
  CHECK(sink.bad_raw[0] == "{\"foo\":1}");
}

TEST_CASE("ProvisioningGraphParser: an element that is not an object is bad input",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "p.json", "{\"value\":[[1,2],{\"jobId\":\"j\"}]}", &sink).ok());
  CHECK(sink.events.size() == 1);
  REQUIRE(sink.bad.size() == 1);
  CHECK(sink.bad[0] == "p.json:1: not a JSON object");
}

TEST_CASE("ProvisioningGraphParser: an element that is invalid JSON is bad input",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "p.json",
                      "{\"value\":[\n{\"id\":\"1\",\"jobId\":\"j\"},\n{\"id\":tru},\n{\"id\":\"3\",\"jobId\":\"j\"}]}",
                      &sink).ok());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[1].record_id == "3");
  REQUIRE(sink.bad.size() == 1);
  CHECK(StartsWith(sink.bad[0], "p.json:3: invalid JSON: "));
  CHECK(sink.bad_raw[0] == "{\"id\":tru}");
}

TEST_CASE("ProvisioningDiagnosticParser: damaged NDJSON lines are reported one by one",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningDiagnosticParser();
  CollectingSink sink;
  const std::string input = std::string(kDiagnosticSkipped) + "\n" +
                            "garbage line\n" +
                            R"({"category":"ProvisioningLogs","properties":{"id":"x")" + "\n" +
                            std::string(kDiagnosticSkipped).substr(0, 200);
  REQUIRE(ParseString(parser.get(), "d.ndjson", input, &sink).ok());
  CHECK(sink.events.size() == 1);
  REQUIRE(sink.bad.size() == 3);
  CHECK(sink.bad[0] == "d.ndjson:2: not JSON: expected '{' or '[' at the start of a record");
  CHECK(sink.bad[1] == "d.ndjson:3: unterminated JSON record: a new record starts on the next line");
  CHECK(sink.bad[2] == "d.ndjson:4: truncated: the input ends inside a JSON record");
}

TEST_CASE("ProvisioningGraphParser: CRLF line ends and a UTF-8 BOM still parse",
          "[parsers][provisioning]") {
  std::string crlf;
  for (char c : std::string(kGraphV1Page)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto parser = NewProvisioningGraphParser();

  SECTION("CRLF") {
    CollectingSink sink;
    REQUIRE(ParseBytes(parser.get(), "crlf.json", crlf, &sink).ok());
    CHECK(sink.bad.empty());
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].error_code == "ContosoEntryConflict");
    CHECK(sink.events[0].loc.line == 4);
  }
  SECTION("UTF-8 BOM and CRLF") {
    CollectingSink sink;
    REQUIRE(ParseBytes(parser.get(), "bom.json", "\xEF\xBB\xBF" + crlf, &sink).ok());
    CHECK(sink.bad.empty());
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].error_code == "ContosoEntryConflict");
    CHECK(sink.events[0].level == "failure");
  }
  SECTION("UTF-16LE with BOM (Windows PowerShell 5.1 redirection)") {
    std::string utf16 = "\xFF\xFE";
    for (char c : crlf) {
      utf16 += c;
      utf16 += '\0';
    }
    CollectingSink sink;
    REQUIRE(ParseBytes(parser.get(), "ps.json", utf16, &sink).ok());
    CHECK(sink.bad.empty());
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].source_identity == "Self-service Pilot");
  }
}

TEST_CASE("ProvisioningGraphParser: stops when the sink returns false",
          "[parsers][provisioning][regression]") {
  // Bug: JsonLogParser::Parse ignores the result of EventSink::OnEvent, although event.h says
  // "Returns false to ask the parser to stop early": every record of the file is still parsed
  // and handed over (ingest returns false after an index error and gets the rest anyway).
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  sink.stop_after = 1;
  REQUIRE(ParseString(parser.get(), "p.json",
                      R"({"value":[{"id":"1","jobId":"j"},{"id":"2","jobId":"j"},{"id":"3","jobId":"j"}]})",
                      &sink).ok());
  CHECK(sink.events.size() == 1);
}

TEST_CASE("ProvisioningGraphParser: empty input gives no events and no errors",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "empty.json", "", &sink).ok());
  CHECK(sink.events.empty());
  CHECK(sink.bad.empty());
  CHECK(sink.warnings.empty());
}

TEST_CASE("ProvisioningGraphParser: Probe scores a Graph page 100 and other text 0",
          "[parsers][provisioning]") {
  auto parser = NewProvisioningGraphParser();
  CHECK(parser->Probe("page.json", kGraphV1Page) == 100);
  CHECK(parser->Probe("page.json", "hello world") == 0);
  CHECK(parser->Probe("page.json", kDiagnosticSkipped) == 0);
}

TEST_CASE("DetectFormat: picks the format from the first bytes", "[parsers][registry]") {
  CHECK(DetectFormat("page.json", kGraphV1Page).format == "provisioning-graph-json");
  CHECK(DetectFormat("page.json", kGraphV1Page).score == 100);
  CHECK(DetectFormat("PT1H.json", kDiagnosticSkipped).format == "provisioning-diagnostic-json");
  CHECK(DetectFormat("audits.json", R"({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditlogs/directoryaudits",
  "value": [{"id": "id", "category": "UserManagement", "activityDisplayName": "Add member to group"}]
})").format == "audit-graph-json");
  CHECK(DetectFormat("audit.ndjson",
                     R"({"time":"2022-01-22T18:15:02.5168093Z","operationName":"Add service principal credentials","category":"AuditLogs","properties":{"id":"x"}})")
            .format == "audit-diagnostic-json");
  CHECK(DetectFormat("job.json", R"({
    "id": "AD2AADProvisioning.30b500eaf9c643b2b78804e80c1421fe",
    "templateId": "AD2AADProvisioning",
    "schedule": {"expiration": null, "interval": "PT2M", "state": "Active"},
    "status": {"code": "Quarantine"}
})").format == "job-graph-json");
  CHECK(DetectFormat("AzureADConnectProvisioningAgent_1.log",
                     "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.\n"
                     "    ThreadId=5\n")
            .format == "agent-trace");
  CHECK(DetectFormat("trace-agent-verbose-20261118-091502.log",
                     "AAD Connect Provisioning Agent Information: 0 : Starting the agent\r\n")
            .format == "agent-trace-verbose");
  // The verbose trace source is recognised without the file name too.
  CHECK(DetectFormat("x.log", "AAD Connect Provisioning Agent Verbose: 0 : step\n").format ==
        "agent-trace-verbose");
}

TEST_CASE("DetectFormat: text no parser claims has no format", "[parsers][registry]") {
  Detection hello = DetectFormat("notes.txt", "hello world\n");
  CHECK(hello.format == "");
  CHECK(hello.score == 0);
  CHECK(hello.scores.empty());
  // A CSV that is not the audit download (no CorrelationId/Service/Activity header).
  CHECK(DetectFormat("users.csv", "\"Name\",\"Mail\",\"Department\"\r\n").format == "");
  CHECK(DetectFormat("empty.json", "").format == "");
}

TEST_CASE("DetectFormat: lists every parser that scored, best first", "[parsers][registry]") {
  Detection d = DetectFormat("page.json", kGraphV1Page);
  REQUIRE(d.scores.size() >= 2);
  CHECK(d.scores[0] == std::make_pair(std::string("provisioning-graph-json"), 100));
  // The page also looks like a portal download (it has provisioningSteps), with less certainty.
  CHECK(d.scores[1] == std::make_pair(std::string("provisioning-portal-json"), 80));
}

TEST_CASE("NewParser: finds every format name and nothing else", "[parsers][registry]") {
  for (const std::string& name : FormatNames()) {
    auto p = NewParser(name);
    REQUIRE(p != nullptr);
    CHECK(p->name() == name);
  }
  CHECK(NewParser("provisioning-graph-csv") == nullptr);
  const std::vector<std::string> names = FormatNames();
  for (const char* want :
       {"provisioning-graph-json", "provisioning-portal-json", "provisioning-diagnostic-json",
        "provisioning-powershell-json", "audit-graph-json", "audit-portal-json",
        "audit-diagnostic-json", "job-graph-json", "agent-trace", "agent-trace-verbose"}) {
    INFO(want);
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
  }
}

}  // namespace syncdoctor
