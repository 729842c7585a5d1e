// Tests of the synchronizationJob parser (parsers/job_status.cc).
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

// Shaped like graph_v1_synchronizationjob_get_quarantine.json of the shared corpus, with a
// quarantine reason and times set.
const char kQuarantinedJob[] = R"({
    "id": "AD2AADProvisioning.30b500eaf9c643b2b78804e80c1421fe.8b27f8b6-4e3b-4c6e-9a3e-2d1f0c9b8a7e",
    "templateId": "AD2AADProvisioning",
    "schedule": {"expiration": null, "interval": "PT2M", "state": "Active"},
    "status": {
        "countSuccessiveCompleteFailures": 12,
        "escrowsPruned": false,
        "code": "Quarantine",
        "lastExecution": null,
        "lastSuccessfulExecution": null,
        "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
        "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
        "quarantine": {
            "currentBegan": "2026-11-17T14:02:11.483Z",
            "nextAttempt": "2026-11-18T02:02:11.483Z",
            "reason": "EncounteredQuarantineException",
            "seriesBegan": "2026-11-17T08:02:11Z",
            "seriesCount": 2,
            "error": {
                "code": "AzureActiveDirectoryInvalidCredential",
                "message": "CredentialsInvalid AADSTS50034: The user account {EmailHidden} does not exist in the contoso.onmicrosoft.com directory.",
                "tenantActionable": true
            }
        },
        "troubleshootingUrl": null
    },
    "synchronizationJobSettings": [{"name": "QuarantineTooManyDeletesThreshold", "value": "500"}]
}
)";

}  // namespace

TEST_CASE("JobParser: a quarantined job gives level, reason, error and the quarantine time",
          "[parsers][job_status]") {
  auto parser = NewJobParser();
  CHECK(parser->name() == "job-graph-json");
  CHECK(parser->kind() == EventKind::kJob);
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json", kQuarantinedJob, &sink).ok());
  CHECK(sink.bad.empty());
  CHECK(sink.warnings.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.kind == EventKind::kJob);
  CHECK(e.level == "Quarantine");
  CHECK(e.reason == "EncounteredQuarantineException");
  CHECK(e.error_code == "AzureActiveDirectoryInvalidCredential");
  CHECK(e.message ==
        "CredentialsInvalid AADSTS50034: The user account {EmailHidden} does not exist in the "
        "contoso.onmicrosoft.com directory.");
  CHECK(e.time_ms == Ms("2026-11-17T14:02:11.483Z"));
  CHECK(e.time_ms == 1794924131483);
  CHECK(e.job_id == "AD2AADProvisioning.30b500eaf9c643b2b78804e80c1421fe.8b27f8b6-4e3b-4c6e-9a3e-2d1f0c9b8a7e");
  CHECK(e.record_id == e.job_id);
  CHECK(e.loc.line == 1);
  CHECK(e.raw == std::string_view(kQuarantinedJob, sizeof kQuarantinedJob - 2));  // minus "\n"
}

TEST_CASE("JobParser: without currentBegan the series start is the time",
          "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json",
                      R"({"id":"j","status":{"code":"Quarantine","quarantine":{"currentBegan":"","seriesBegan":"2026-11-17T08:02:11Z","reason":"TooManyDeletes"}}})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].time_ms == Ms("2026-11-17T08:02:11Z"));
  CHECK(sink.events[0].reason == "TooManyDeletes");
}

TEST_CASE("JobParser: empty-string quarantine times give no time", "[parsers][job_status]") {
  // graph_v1_synchronizationjob_get_quarantine.json of the shared corpus (the Graph doc example).
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json", R"({
    "id": "{jobId}",
    "templateId": "BoxOutDelta",
    "schedule": {"expiration": null, "interval": "P10675199DT2H48M5.4775807S", "state": "Disabled"},
    "status": {
        "countSuccessiveCompleteFailures": 0,
        "escrowsPruned": false,
        "synchronizedEntryCountByType": [],
        "code": "Paused",
        "lastExecution": null,
        "lastSuccessfulExecution": null,
        "progress": [],
        "lastSuccessfulExecutionWithExports": null,
        "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
        "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
        "quarantine": {
            "currentBegan": "",
            "nextAttempt": "",
            "reason": "",
            "seriesBegan": "",
            "seriesCount": 2,
            "error": {
                "code": "SalesforceInvalidCredentials",
                "message": "Your Salesforce.com credentials are invalid.",
                "tenantActionable": true
            }
        },
        "troubleshootingUrl": null
    }
})",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.time_ms == 0);
  CHECK_FALSE(e.time_inferred);
  CHECK(e.level == "Paused");
  CHECK(e.reason == "");
  CHECK(e.error_code == "SalesforceInvalidCredentials");
  CHECK(e.message == "Your Salesforce.com credentials are invalid.");
  CHECK(e.record_id == "{jobId}");
}

TEST_CASE("JobParser: a value list of jobs gives one event per job", "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "jobs.json", R"({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('x')/synchronization/jobs",
  "value": [
    {"id": "AD2AADProvisioning.aaa", "templateId": "AD2AADProvisioning", "status": {"code": "Active"}},
    {"id": "AD2AADPasswordHash.bbb", "templateId": "AD2AADPasswordHash", "status": {"code": "NotRun"}}
  ]
})",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].job_id == "AD2AADProvisioning.aaa");
  CHECK(sink.events[0].level == "Active");
  CHECK(sink.events[0].loc.line == 4);
  CHECK(sink.events[1].job_id == "AD2AADPasswordHash.bbb");
  CHECK(sink.events[1].level == "NotRun");
  CHECK(sink.events[1].loc.line == 5);
}

TEST_CASE("JobParser: a job with only lastExecution.error takes its code, message and time",
          "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json", R"({
  "id": "AD2AADProvisioning.ccc",
  "templateId": "AD2AADProvisioning",
  "status": {
    "code": "Active",
    "quarantine": null,
    "lastExecution": {
      "activityIdentifier": "cycle-42",
      "state": "Failed",
      "timeBegan": "2026-11-17T13:00:00Z",
      "timeEnded": "2026-11-17T13:00:05Z",
      "error": {"code": "HybridIdentityServiceNoActiveAgents", "message": "No active agents.", "tenantActionable": true}
    }
  }
})",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.error_code == "HybridIdentityServiceNoActiveAgents");
  // The failed run is said in the message, with its times (the counts are absent here).
  CHECK(e.message ==
        "No active agents.\nLast execution Failed, 2026-11-17T13:00:00Z to 2026-11-17T13:00:05Z");
  CHECK(e.reason == "");
  CHECK(e.cycle_id == "cycle-42");
  CHECK(e.time_ms == Ms("2026-11-17T13:00:05Z"));
}

TEST_CASE("JobParser: the quarantine error wins, and a different lastExecution.error joins the message",
          "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json",
                      R"({"id":"j","status":{"code":"Quarantine",
"quarantine":{"reason":"EncounteredQuarantineException","error":{"code":"QuarantineCode","message":"q"}},
"lastExecution":{"error":{"code":"LastCode","message":"l"},"timeEnded":"2026-11-17T13:00:05Z"}}})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].error_code == "QuarantineCode");
  CHECK(sink.events[0].message == "q\nLast execution error: LastCode: l");
  CHECK(sink.events[0].time_ms == Ms("2026-11-17T13:00:05Z"));  // no quarantine time
}

TEST_CASE("JobParser: an error code None is no error", "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json",
                      R"({"id":"j","status":{"code":"Active","quarantine":null,
"lastExecution":{"state":"Succeeded","error":{"code":"None","message":null,"tenantActionable":false},
"timeEnded":"2026-11-17T13:00:05Z"}}})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].error_code.empty());
  CHECK(sink.events[0].message.empty());
}

TEST_CASE("JobParser: the last execution's error stands alone when there is no quarantine error",
          "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json",
                      R"({"id":"j","status":{"code":"Quarantine","quarantine":{"reason":"EncounteredQuarantineException"},
"lastExecution":{"error":{"code":"SalesforceInvalidCredentials","message":"bad token"}}}})",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].error_code == "SalesforceInvalidCredentials");
  CHECK(sink.events[0].message == "bad token");
  CHECK(sink.events[0].reason == "EncounteredQuarantineException");
}

TEST_CASE("JobParser: an object without a status object is bad input", "[parsers][job_status]") {
  auto parser = NewJobParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "job.json",
                      "{\"value\":[\n{\"id\":\"a\",\"templateId\":\"t\"},\n{\"id\":\"b\",\"status\":\"Active\"},\n{\"id\":\"c\",\"status\":{\"code\":\"Active\"}}]}",
                      &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].job_id == "c");
  REQUIRE(sink.bad.size() == 2);
  CHECK(sink.bad[0] == "job.json:2: not a synchronizationJob: no status object");
  CHECK(sink.bad[1] == "job.json:3: not a synchronizationJob: no status object");
  CHECK(sink.bad_raw[0] == "{\"id\":\"a\",\"templateId\":\"t\"}");
}

TEST_CASE("JobParser: Probe claims a job and not a provisioning page", "[parsers][job_status]") {
  auto parser = NewJobParser();
  CHECK(parser->Probe("job.json", kQuarantinedJob) == 90);
  CHECK(parser->Probe("x.json", R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('x')/synchronization/jobs","value":[]})") == 95);
  CHECK(parser->Probe("p.json", R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning","value":[{"status":"x"}]})") == 0);
  CHECK(parser->Probe("job.log", "AADConnectProvisioningAgent.exe Error: 0 : x") == 0);
}

}  // namespace syncdoctor
