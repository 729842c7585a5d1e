// Tests of the directoryAudit parsers (parsers/audit.cc).
#include <string>

#include <catch2/catch.hpp>

#include "parsers/formats.h"
#include "parsers/timestamp.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

int64_t Ms(const std::string& text) {
  int64_t ms = 0;
  REQUIRE(ParseTimestamp(text, &ms));
  return ms;
}

}  // namespace

TEST_CASE("AuditGraphParser: a Delete user record names who deleted whom",
          "[parsers][audit]") {
  auto parser = NewAuditGraphParser();
  CHECK(parser->name() == "audit-graph-json");
  CHECK(parser->kind() == EventKind::kAudit);
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "audits.json", R"({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
  "value": [
    {
      "id": "Directory_0b8e4a1c-6d2f-4c3b-9a7e-5f1d2c3b4a59_8K3QZ_41234567",
      "category": "UserManagement",
      "correlationId": "0b8e4a1c-6d2f-4c3b-9a7e-5f1d2c3b4a59",
      "result": "success",
      "resultReason": "",
      "activityDisplayName": "Delete user",
      "activityDateTime": "2026-11-17T13:58:40.1234567Z",
      "loggedByService": "Core Directory",
      "operationType": "Delete",
      "initiatedBy": {
        "user": {"id": "728309ae-1a37-4937-9afe-e35d964db09b", "displayName": "Ops Admin",
                 "userPrincipalName": "admin@contoso.com", "ipAddress": "10.1.2.3"},
        "app": null
      },
      "targetResources": [
        {"id": "5f1c2d3e-4a5b-46c7-d8e9-f0a1b2c3d4e5", "displayName": null, "type": "User",
         "userPrincipalName": "ADToAADSyncServiceAccount@contoso.onmicrosoft.com", "modifiedProperties": []}
      ],
      "additionalDetails": [{"key": "UserType", "value": "Member"}]
    }
  ]
})",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.kind == EventKind::kAudit);
  CHECK(e.activity == "Delete user");
  CHECK(e.actor == "admin@contoso.com");
  CHECK(e.target_identity == "ADToAADSyncServiceAccount@contoso.onmicrosoft.com");
  CHECK(e.target_id == "5f1c2d3e-4a5b-46c7-d8e9-f0a1b2c3d4e5");
  CHECK(e.level == "success");
  CHECK(e.reason == "UserManagement");
  CHECK(e.error_code == "");
  CHECK(e.message == "UserType=Member");
  CHECK(e.record_id == "Directory_0b8e4a1c-6d2f-4c3b-9a7e-5f1d2c3b4a59_8K3QZ_41234567");
  CHECK(e.correlation_id == "0b8e4a1c-6d2f-4c3b-9a7e-5f1d2c3b4a59");
  CHECK(e.time_ms == Ms("2026-11-17T13:58:40.123Z"));
  CHECK(e.loc.line == 4);
}

TEST_CASE("AuditGraphParser: the ErrorCode additional detail is the error code",
          "[parsers][audit]") {
  auto parser = NewAuditGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "audits.json", R"({"value":[{
  "id": "Sync_54416401-eef2-461c-8de7-385dde2b3cba_X1Y2Z_1",
  "category": "ProvisioningManagement",
  "result": "failure",
  "resultReason": "Failed to export the change to the target.",
  "activityDisplayName": "Export",
  "loggedByService": "Account Provisioning",
  "initiatedBy": {"user": null, "app": {"appId": null, "displayName": "Azure AD Cloud Sync", "servicePrincipalId": "b9814691", "servicePrincipalName": null}},
  "targetResources": [{"id": "sp-1", "displayName": "contoso.com", "type": "ServicePrincipal"},
                      {"id": "u-1", "displayName": "Ellie", "type": "User"}],
  "additionalDetails": [{"key": "Details", "value": "Export failed"}, {"key": "ErrorCode", "value": "HybridSynchronizationActiveDirectoryInternalServerError"}]
}]})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.error_code == "HybridSynchronizationActiveDirectoryInternalServerError");
  CHECK(e.level == "failure");
  CHECK(e.reason == "ProvisioningManagement");
  CHECK(e.message ==
        "Failed to export the change to the target.; Details=Export failed; "
        "ErrorCode=HybridSynchronizationActiveDirectoryInternalServerError");
  CHECK(e.target_identity == "contoso.com; Ellie");  // several targets, joined
  CHECK(e.target_id == "sp-1");
}

TEST_CASE("AuditGraphParser: an app-initiated record's actor is the app's display name",
          "[parsers][audit]") {
  auto parser = NewAuditGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "audits.json", R"({"value":[{
  "id": "Sync_1", "category": "ProvisioningManagement", "result": "success",
  "activityDisplayName": "Quarantine", "loggedByService": "Account Provisioning",
  "initiatedBy": {"user": null, "app": {"appId": null, "displayName": "Azure AD Cloud Sync", "servicePrincipalId": "b9814691-9ca1-4e55-a1ac-8ef5dd010ec0", "servicePrincipalName": null}},
  "targetResources": []
}]})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].actor == "Azure AD Cloud Sync");
  CHECK(sink.events[0].activity == "Quarantine");
  CHECK(sink.events[0].target_identity == "");
  CHECK(sink.events[0].time_ms == 0);
}

TEST_CASE("AuditDiagnosticParser: an AuditLogs envelope maps its properties",
          "[parsers][audit]") {
  // diag_auditlogs_eventhub.ndjson of the shared corpus, trimmed.
  auto parser = NewAuditDiagnosticParser();
  CHECK(parser->name() == "audit-diagnostic-json");
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "PT1H.json",
                      R"({ "time": "2022-01-22T18:15:02.5168093Z", "resourceId": "/tenants/4bbb79f7-5724-4c9e-95f3-de075f6ec090/providers/Microsoft.aadiam", "operationName": "Add service principal credentials", "operationVersion": "1.0", "category": "AuditLogs", "tenantId": "4bbb79f7-5724-4c9e-95f3-de075f6ec090", "resultSignature": "None", "durationMs": 0, "callerIpAddress": "1.128.3.4", "correlationId": "53161141-e3f4-4944-85b6-7b953f17265e", "identity": "Managed Service Identity", "Level": 4, "properties": {"id":"Directory_53161141-e3f4-4944-85b6-7b953f17265e_6X649_134684731","category":"ApplicationManagement","correlationId":"53161141-e3f4-4944-85b6-7b953f17265e","result":"success","resultReason":"","activityDisplayName":"Add service principal credentials","activityDateTime":"2022-01-22T18:15:02.5168093+00:00","loggedByService":"Core Directory","operationType":"Update","userAgent":null,"initiatedBy":{"app":{"appId":null,"displayName":"Managed Service Identity","servicePrincipalId":"b9814691-9ca1-4e55-a1ac-8ef5dd010ec0","servicePrincipalName":null}},"targetResources":[{"id":"a7d5dcbe-0627-4ddf-a2f4-86b6785bcc42","displayName":"billing-test-wus","type":"ServicePrincipal","modifiedProperties":[],"administrativeUnits":[]}],"additionalDetails":[{"key":"AppId","value":"a70a7931-c387-4dce-9f35-fbf95bdcc91e"}]}}
{ "time": "2022-01-22T18:20:00Z", "operationName": "Delete user", "category": "AuditLogs", "properties": {"id":"Directory_2","category":"UserManagement","result":"success","targetResources":[{"id":"u","userPrincipalName":"someone@contoso.com"}]}}
)",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 2);
  const Event& e = sink.events[0];
  CHECK(e.activity == "Add service principal credentials");
  CHECK(e.actor == "Managed Service Identity");
  CHECK(e.target_identity == "billing-test-wus");
  CHECK(e.level == "success");
  CHECK(e.reason == "ApplicationManagement");
  CHECK(e.record_id == "Directory_53161141-e3f4-4944-85b6-7b953f17265e_6X649_134684731");
  CHECK(e.message == "AppId=a70a7931-c387-4dce-9f35-fbf95bdcc91e");
  CHECK(e.time_ms == Ms("2022-01-22T18:15:02.516Z"));
  // Without activityDisplayName and activityDateTime, the envelope's operationName and time.
  const Event& f = sink.events[1];
  CHECK(f.activity == "Delete user");
  CHECK(f.time_ms == Ms("2022-01-22T18:20:00Z"));
  CHECK(f.loc.line == 2);
}

TEST_CASE("AuditGraphParser: a record of another shape is bad input", "[parsers][audit]") {
  auto parser = NewAuditGraphParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "audits.json",
                      "{\"value\":[{\"jobId\":\"j\",\"cycleId\":\"c\"}]}", &sink).ok());
  CHECK(sink.events.empty());
  REQUIRE(sink.bad.size() == 1);
  CHECK(sink.bad[0] ==
        "audits.json:1: not an audit record: none of activityDisplayName, loggedByService, "
        "targetResources");
}

TEST_CASE("AuditParsers: Probe tells a Graph page, a diagnostic record and a portal array apart",
          "[parsers][audit]") {
  auto graph = NewAuditGraphParser();
  auto diag = NewAuditDiagnosticParser();
  auto portal = NewAuditPortalParser();
  const char page[] = R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditlogs/directoryaudits","value":[]})";
  const char record[] = R"({"time":"2022-01-22T18:15:02Z","category": "AuditLogs","properties":{}})";
  const char array[] = R"([{"activityDisplayName":"Delete user","loggedByService":"Core Directory"}])";
  CHECK(graph->Probe("a.json", page) == 100);
  CHECK(graph->Probe("a.json", record) == 0);
  CHECK(diag->Probe("a.json", record) == 95);
  CHECK(diag->Probe("a.json", page) == 0);
  CHECK(portal->Probe("a.json", array) == 80);
  CHECK(portal->Probe("a.json", page) == 0);
}

}  // namespace syncdoctor
