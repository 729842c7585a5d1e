#!/usr/bin/env python3
"""Writes a bundle with eight planted failures, each in a different export format, for
tests/e2e/e2e_test.cc ("a bundle with planted failures yields exactly them"). Deterministic.

Planted (catalog ID <- where):
  CS-QUARANTINE-CREDENTIALS-INVALID  job status (Graph JSON), Cloud Sync job quarantined
  CS-SVCACCT-DELETED                 portal audit CSV: Delete user ADToAADSyncServiceAccount
  PROV-QUAR-ESCROW-PROPORTION        job status list (Graph value[]), an app job
  SCIM-CONFLICT                      Azure Monitor diagnostic NDJSON, app provisioning record
  DIR-ATTRIBUTE-VALUE-MUST-BE-UNIQUE Log Analytics CSV, Cloud Sync provisioning record
  AD-INSUFFICIENT-ACCESS-RIGHTS      portal JSON (top-level array), HR-inbound provisioning record
  AGT-LDAP-CLIENT-TIMEOUT            agent trace, exception continuation lines
  AGT-METRICS-COLLECTOR-REGISTRY-DENIED  verbose agent trace
Around them: healthy records of the same jobs, so that only the failures stand out.
"""
import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
CS_JOB = "AD2AADProvisioning.3c1e5b0a9f2d4e6b8a7c6d5e4f3a2b1c.0d1e2f3a-4b5c-4d6e-8f70-819203a4b5c6"
APP_JOB = "ServiceNowOutDelta.3c1e5b0a9f2d4e6b8a7c6d5e4f3a2b1c.5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
HR_JOB = "Workday2AD.3c1e5b0a9f2d4e6b8a7c6d5e4f3a2b1c.7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"


def write(name, text, encoding="utf-8"):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def prov(i, job, status, code=None, reason=None, when="2026-11-21T09:00:00Z", action="update"):
    rec = {
        "id": f"9a00{i:04d}-0000-4000-8000-{i:012d}", "activityDateTime": when, "jobId": job,
        "cycleId": "c0000000-0000-4000-8000-000000000001", "changeId": f"cc00{i:04d}-0000-4000-8000-{i:012d}",
        "provisioningAction": action, "durationInMilliseconds": 400,
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "sourceIdentity": {"id": f"5000{i:04d}-0000-4000-8000-{i:012d}", "displayName": f"User {i}", "identityType": "User", "details": {}},
        "targetIdentity": {"id": f"6000{i:04d}-0000-4000-8000-{i:012d}", "displayName": f"User {i}", "identityType": "User", "details": {}},
        "provisioningStatusInfo": {"status": status, "errorInformation": None},
        "provisioningSteps": [{"name": "EntryImport", "provisioningStepType": "import", "status": "success",
                               "description": f"Retrieved User 'user{i}' from the source", "details": {}}],
        "modifiedProperties": [],
    }
    if code:
        rec["provisioningStatusInfo"]["errorInformation"] = {
            "errorCode": code, "reason": reason, "additionalDetails": None, "errorCategory": "nonServiceFailure",
            "recommendedAction": None}
    return rec


def main():
    # 1. Cloud Sync job quarantined: the service account is gone.
    write("job-status/cloud-sync-job.json", json.dumps({
        "id": CS_JOB, "templateId": "AD2AADProvisioning", "schedule": {"interval": "PT40M", "state": "Active"},
        "status": {"code": "Quarantine", "quarantine": {
            "currentBegan": "2026-11-21T08:30:00Z", "seriesBegan": "2026-11-21T08:30:00Z", "seriesCount": 1,
            "reason": "EncounteredQuarantineException", "nextAttempt": "2026-11-21T14:30:00Z",
            "error": {"code": "AzureActiveDirectoryInvalidCredential", "tenantActionable": True,
                      "message": "We found an issue with the service account that is used to run Microsoft Entra Cloud Sync. "
                                 "Additional Error Details: CredentialsInvalid AADSTS50034: The user account {EmailHidden} "
                                 "doesn't exist in the fabrikam.onmicrosoft.com directory. To sign into this application, "
                                 "the account must be added to the directory."}}}}, indent=2))
    # 2. The deletion, in the portal's audit CSV (86 columns, UTF-8 BOM).
    header = ["Date (UTC)", "CorrelationId", "Service", "Category", "Activity", "Result", "ResultReason",
              "User Agent", "ActorType", "ActorDisplayName", "ActorObjectId", "ActorUserPrincipalName", "IPAddress",
              "ActorHomeTenantId", "ActorHomeTenantName", "ActorServicePrincipalId", "ActorServicePrincipalName"]
    for t in range(1, 4):
        header += [f"Target{t}Type", f"Target{t}DisplayName", f"Target{t}ObjectId", f"Target{t}UserPrincipalName"]
        for m in range(1, 6):
            header += [f"Target{t}ModifiedProperty{m}Name", f"Target{t}ModifiedProperty{m}OldValue",
                       f"Target{t}ModifiedProperty{m}NewValue"]
    for d in range(1, 7):
        header += [f"AdditionalDetail{d}Key", f"AdditionalDetail{d}Value"]
    rows = []
    for i, (when, act, upn, who) in enumerate([
            ("2026-11-21T07:10:00+00:00", "Update user", "kim.ng@fabrikam.com", "Kim Ng"),
            ("2026-11-21T08:12:44+00:00", "Delete user", "ADToAADSyncServiceAccount@fabrikam.onmicrosoft.com",
             "On-Premises Directory Synchronization Service Account"),
            ("2026-11-21T08:40:00+00:00", "Update user", "lee.park@fabrikam.com", "Lee Park")]):
        row = dict.fromkeys(header, "")
        row.update({"Date (UTC)": when, "CorrelationId": f"7d000000-0000-4000-8000-00000000000{i}",
                    "Service": "Core Directory", "Category": "UserManagement", "Activity": act, "Result": "Success",
                    "ActorType": "User", "ActorDisplayName": "Sam Ortiz", "ActorUserPrincipalName": "sam.ortiz@fabrikam.com",
                    "IPAddress": "198.51.100.7", "Target1Type": "User", "Target1DisplayName": who,
                    "Target1ObjectId": f"0e000000-0000-4000-8000-00000000000{i}", "Target1UserPrincipalName": upn})
        rows.append(list(row.values()))
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    write("audit/AuditLogs_2026-11-21.csv", "\ufeff" + out.getvalue())
    # 3. An app job quarantined for too many failed objects (a job list page).
    write("job-status/app-jobs.json", json.dumps({"value": [{
        "id": APP_JOB, "templateId": "ServiceNowOutDelta", "schedule": {"interval": "PT40M", "state": "Active"},
        "status": {"code": "Quarantine", "quarantine": {
            "currentBegan": "2026-11-21T06:00:00Z", "seriesBegan": "2026-11-21T06:00:00Z", "seriesCount": 1,
            "reason": "EncounteredEscrowProportionThreshold", "nextAttempt": "2026-11-21T12:00:00Z",
            "error": None}}}]}, indent=2))
    # 4. A conflict in the app, as Azure Monitor diagnostic records (one per line).
    lines = []
    for i in range(1, 6):
        rec = prov(100 + i, APP_JOB, "success", when=f"2026-11-21T05:0{i}:00Z", action="create")
        if i == 3:
            rec = prov(100 + i, APP_JOB, "failure", "ServiceNowEntryConflict",
                       "Message: ServiceNow returned an error response with the HTTP status code 409: a user with "
                       "the same name already exists.", when="2026-11-21T05:03:00Z", action="create")
        lines.append(json.dumps({"time": rec["activityDateTime"], "category": "ProvisioningLogs",
                                 "operationName": "Provisioning activity", "resultType": rec["provisioningStatusInfo"]["status"].capitalize(),
                                 "identity": rec["id"], "properties": rec}, separators=(",", ":")))
    write("provisioning/app-diagnostic.ndjson", "\n".join(lines) + "\n")
    # 5. A uniqueness conflict in the tenant, in a Log Analytics CSV export.
    la_header = ["TenantId", "TimeGenerated [UTC]", "Id", "JobId", "CycleId", "ChangeId", "ProvisioningAction",
                 "ResultType", "ResultSignature", "ResultDescription", "SourceIdentity", "TargetIdentity",
                 "ProvisioningStatusInfo", "Type"]
    la_rows = []
    for i in range(1, 4):
        failed = i == 2
        la_rows.append(["9a8b7c6d-0000-4000-8000-00000000feed", f"11/21/2026, 9:0{i}:00.000 AM",
                        f"9b00000{i}-0000-4000-8000-00000000000{i}", CS_JOB, "c0000000-0000-4000-8000-000000000002",
                        f"cd00000{i}-0000-4000-8000-00000000000{i}", "update",
                        "Failure" if failed else "Success", "AttributeValueMustBeUnique" if failed else "None",
                        ("An attribute value violates a uniqueness constraint. Please study the values of the "
                         "attributes, comparing them the attributes of already-existing objects.") if failed else "",
                        json.dumps({"Id": f"5100000{i}", "Name": f"Person {i}"}),
                        json.dumps({"Id": f"6100000{i}", "Name": f"Person {i}"}),
                        json.dumps({"Status": "failure" if failed else "success"}), "AADProvisioningLogs"])
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(la_header)
    w.writerows(la_rows)
    write("provisioning/AADProvisioningLogs.csv", out.getvalue())
    # 6. An HR-inbound write refused by AD, in the portal's JSON download (minified array).
    hr = [prov(200 + i, HR_JOB, "success", when=f"2026-11-21T04:0{i}:00Z", action="create") for i in range(1, 4)]
    hr.append(prov(210, HR_JOB, "failure", "HybridSynchronizationActiveDirectoryInsufficientAccessRights",
                   "InsufficientAccessRights-SecErr: The user has insufficient access rights.. Access is denied.",
                   when="2026-11-21T04:05:00Z", action="update"))
    write("provisioning/portal-download.json", json.dumps(hr, separators=(",", ":")))
    # 7. The agent: an LDAP time-out in its trace, and a metrics collector that cannot start.
    trace = []
    for i in range(6):
        trace.append(f"AADConnectProvisioningAgent.exe Information: 0 : Processing import request {i} for job {CS_JOB}\n"
                     f"    DateTime=2026-11-21T09:0{i}:00.0000000Z\n")
    trace.insert(3, "AADConnectProvisioningAgent.exe Error: 0 : Import failed for OU=Sales,DC=fabrikam,DC=com\n"
                    "System.DirectoryServices.Protocols.LdapException: The operation was aborted because the client side timeout limit was exceeded.\n"
                    "   at System.DirectoryServices.Protocols.LdapConnection.SendRequest(DirectoryRequest request, TimeSpan requestTimeout)\n"
                    "    DateTime=2026-11-21T09:02:30.0000000Z\n")
    write("Trace/AzureADConnectProvisioningAgent_20261121_090000.log", "".join(trace))
    write("Trace/trace-agent-verbose-20261121-090500.log",
          "AAD Connect Provisioning Agent Information: 0 : Starting services\n"
          "AAD Connect Provisioning Agent Warning: 0 : Unable to initialize metrics collector, exception: "
          "'System.UnauthorizedAccessException: Access to the registry key 'Global' is denied.\n"
          "AAD Connect Provisioning Agent Information: 0 : Services started\n")


if __name__ == "__main__":
    main()
