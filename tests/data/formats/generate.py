#!/usr/bin/env python3
"""Writes one provisioning failure and one audit event in every export format syncdoctor reads.

The same Cloud Sync failure (AzureActiveDirectoryInvalidCredential, CredentialsInvalid AADSTS50034)
and the same audit event (the deletion of the sync service account) are written as Graph JSON,
beta JSON, portal JSON, portal CSV (three files), Azure Monitor diagnostic NDJSON, Log Analytics
CSV and JSON, and PowerShell JSON (UTF-16LE with BOM). tests/parsers/formats_test.cc checks that
each gives the same normalised event. Run it again after changing the record; the output is
deterministic.
"""
import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

JOB = "AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd.ac30bc1d-0f79-4bcb-895e-cd35758642cd"
TENANT = "70eb9a0a-9626-4ae6-85e8-18fac0433cbd"
REASON = ("CredentialsInvalid AADSTS50034: The user account {EmailHidden} doesn't exist in the "
          "contoso.onmicrosoft.com directory. To sign into this application, the account must be "
          "added to the directory. Trace ID: 3f1d3a52-1c43-4f0e-9a8c-2d1b6c7e8f90 Correlation ID: "
          "b1d2c3e4-5f60-4718-89a0-b1c2d3e4f5a6 Timestamp: 2026-11-17 14:25:10Z")

PROV = {
    "id": "0f6e1c2a-9b7d-4e3f-8a21-5c4d3b2a1f00",
    "activityDateTime": "2026-11-17T14:25:10Z",
    "tenantId": TENANT,
    "jobId": JOB,
    "cycleId": "5b0c7e1d-2a3f-4c5b-9d6e-7f8091a2b3c4",
    "changeId": "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293",
    "provisioningAction": "update",
    "durationInMilliseconds": 812,
    "sourceSystem": {"id": "a1b2c3d4-0000-4000-8000-000000000001", "displayName": "Active Directory", "details": {}},
    "targetSystem": {"id": "a1b2c3d4-0000-4000-8000-000000000002", "displayName": "Entra ID", "details": {}},
    "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
    "servicePrincipal": {"id": "a1b2c3d4-0000-4000-8000-000000000003", "displayName": "contoso.com"},
    "sourceIdentity": {"id": "8e7d6c5b-4a39-4821-9f0e-1d2c3b4a5968", "displayName": "Ana Ruiz",
                       "identityType": "User", "details": {}},
    "targetIdentity": {"id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d", "displayName": "Ana Ruiz",
                       "identityType": "User", "details": {}},
    "provisioningStatusInfo": {"status": "failure", "errorInformation": {
        "errorCode": "AzureActiveDirectoryInvalidCredential", "reason": REASON,
        "additionalDetails": None, "errorCategory": "failure",
        "recommendedAction": "Repair the cloud sync service account."}},
    "provisioningSteps": [
        {"name": "EntryImport", "provisioningStepType": "import", "status": "success",
         "description": "Retrieved User 'CN=Ana Ruiz,OU=Sales,DC=contoso,DC=com' from Active Directory", "details": {}},
        {"name": "EntryExportUpdate", "provisioningStepType": "export", "status": "failure",
         "description": "Failed to update User 'Ana Ruiz' in Entra ID", "details": {"ReportableIdentifier": "ana.ruiz@contoso.com"}},
    ],
    "modifiedProperties": [{"displayName": "department", "oldValue": "Sales", "newValue": "Marketing"}],
}

AUDIT = {
    "id": "Directory_5f2ab8bf-efef-4438-b729-59095004d11e_P4Z72_834958091",
    "category": "UserManagement",
    "correlationId": "5f2ab8bf-efef-4438-b729-59095004d11e",
    "result": "success",
    "resultReason": "",
    "activityDisplayName": "Delete user",
    "activityDateTime": "2026-11-17T14:02:11Z",
    "loggedByService": "Core Directory",
    "operationType": "Delete",
    "initiatedBy": {"app": None, "user": {"id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "displayName": "Jordan Lee",
                                          "userPrincipalName": "jordan.lee@contoso.com", "ipAddress": "203.0.113.45"}},
    "targetResources": [{"id": "0b1c2d3e-0000-4000-8000-000000000001",
                         "displayName": "On-Premises Directory Synchronization Service Account",
                         "type": "User", "userPrincipalName": "ADToAADSyncServiceAccount@contoso.onmicrosoft.com",
                         "modifiedProperties": []}],
    "additionalDetails": [{"key": "UserType", "value": "Member"}],
}


def write(name, text, encoding="utf-8"):
    path = os.path.join(HERE, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def pascal(obj):
    """PowerShell's Graph SDK objects: PascalCase keys all the way down."""
    if isinstance(obj, dict):
        return {k[:1].upper() + k[1:]: pascal(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [pascal(v) for v in obj]
    return obj


def main():
    ctx = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning"
    write("provisioning-graph.json", json.dumps({"@odata.context": ctx, "value": [PROV]}, indent=4) + "\n")

    beta = json.loads(json.dumps(PROV))
    beta["action"] = "Update"
    del beta["provisioningAction"]
    info = beta.pop("provisioningStatusInfo")["errorInformation"]
    beta["statusInfo"] = {"@odata.type": "#microsoft.graph.statusDetails", "status": "failure",
                          "errorCode": info["errorCode"], "reason": info["reason"], "additionalDetails": None,
                          "errorCategory": info["errorCategory"], "recommendedAction": info["recommendedAction"]}
    beta_ctx = "https://graph.microsoft.com/beta/$metadata#auditLogs/provisioning"
    write("provisioning-graph-beta.json", json.dumps({"@odata.context": beta_ctx, "value": [beta]}, indent=2) + "\n")

    write("provisioning-portal.json", json.dumps([PROV], separators=(",", ":")))

    diag_props = json.loads(json.dumps(PROV))
    for key in ("sourceSystem", "targetSystem", "servicePrincipal", "sourceIdentity", "targetIdentity"):
        v = diag_props[key]
        diag_props[key] = {"Id": v["id"], "Name": v["displayName"], "details": v.get("details", {})}
        if "identityType" in v:
            diag_props[key]["identityType"] = v["identityType"]
    diag_props["initiatedBy"] = {"Type": "system", "Id": "", "Name": "Azure AD Provisioning Service"}
    diag_props["provisioningStatusInfo"] = {"Status": "failure",
                                            "errorInformation": PROV["provisioningStatusInfo"]["errorInformation"]}
    diag_props["statusInfo"] = {"Status": 1}
    diag_props["action"] = "Update"
    for s in diag_props["provisioningSteps"]:
        s["provisioningStepType"] = {"import": 0, "export": 5}[s["provisioningStepType"]]
        s["status"] = {"success": 0, "failure": 1}[s["status"]]
    envelope = {"time": "2026-11-17T14:25:10.0000000Z", "resourceId": f"/tenants/{TENANT}/providers/Microsoft.aadiam",
                "operationName": "Provisioning activity", "operationVersion": "1.0", "category": "ProvisioningLogs",
                "tenantId": TENANT, "resultType": "Failure", "durationMs": "812", "correlationId": PROV["changeId"],
                "identity": PROV["id"], "Level": 4, "properties": diag_props}
    write("provisioning-diagnostic.ndjson", json.dumps(envelope, separators=(",", ":")) + "\n")

    err = PROV["provisioningStatusInfo"]["errorInformation"]
    write("provisioning-portal-csv/ProvisioningLogs.csv", csv_text(
        ["Id", "Date", "Job ID", "Cycle ID", "Change ID", "Action", "Status", "Error Code", "Status Reason",
         "Error Category", "Recommended Action", "Source Identity", "Source ID", "Target Identity", "Target ID",
         "Initiated By", "Source System", "Target System", "Duration (ms)"],
        [[PROV["id"], PROV["activityDateTime"], JOB, PROV["cycleId"], PROV["changeId"], "update", "failure",
          err["errorCode"], err["reason"], err["errorCategory"], err["recommendedAction"], "Ana Ruiz",
          PROV["sourceIdentity"]["id"], "Ana Ruiz", PROV["targetIdentity"]["id"], "Azure AD Provisioning Service",
          "Active Directory", "Entra ID", "812"]]))
    write("provisioning-portal-csv/ProvisioningLogs_ProvisioningSteps.csv", csv_text(
        ["Change ID", "Name", "Type", "Status", "Description", "Details"],
        [[PROV["changeId"], s["name"], s["provisioningStepType"], s["status"], s["description"],
          json.dumps(s["details"]) if s["details"] else ""] for s in PROV["provisioningSteps"]]))
    write("provisioning-portal-csv/ProvisioningLogs_ModifiedProperties.csv", csv_text(
        ["Change ID", "Display Name", "Old Value", "New Value"],
        [[PROV["changeId"], m["displayName"], m["oldValue"], m["newValue"]] for m in PROV["modifiedProperties"]]))

    la_row = {
        "TenantId": "9a8b7c6d-0000-4000-8000-00000000feed", "AADTenantId": TENANT,
        "TimeGenerated [UTC]": "11/17/2026, 2:25:10.000 PM", "Id": PROV["id"], "JobId": JOB,
        "CycleId": PROV["cycleId"], "ChangeId": PROV["changeId"], "ProvisioningAction": "update",
        "DurationMs": "812", "OperationName": "Provisioning activity", "Category": "ProvisioningLogs",
        "ResultType": "Failure", "ResultSignature": err["errorCode"], "ResultDescription": err["reason"],
        "InitiatedBy": json.dumps(diag_props["initiatedBy"]),
        "SourceIdentity": json.dumps(diag_props["sourceIdentity"]),
        "TargetIdentity": json.dumps(diag_props["targetIdentity"]),
        "ProvisioningStatusInfo": json.dumps({"Status": "failure", "ErrorInformation": err}),
        "ProvisioningSteps": json.dumps(PROV["provisioningSteps"]),
        "ModifiedProperties": json.dumps(PROV["modifiedProperties"]),
        "Type": "AADProvisioningLogs",
    }
    write("provisioning-log-analytics.csv", csv_text(list(la_row), [list(la_row.values())]))
    la_json = dict(la_row)
    del la_json["TimeGenerated [UTC]"]
    la_json = {"TimeGenerated": "2026-11-17T14:25:10Z", **la_json}
    write("provisioning-log-analytics.json", json.dumps([la_json], indent=2) + "\n")

    ps = pascal(PROV)
    ps["ActivityDateTime"] = "\\/Date(1794925510000)\\/"
    text = json.dumps([ps], indent=4).replace("\\\\/", "\\/")
    write("provisioning-powershell.json", "\ufeff" + text + "\r\n", encoding="utf-16-le")

    ps_audit = pascal(AUDIT)
    ps_audit["ActivityDateTime"] = "\\/Date(1794924131000)\\/"
    # ConvertTo-Json's default depth of 2 turns deeper objects into their type names.
    ps_audit["TargetResources"][0]["ModifiedProperties"] = []
    text = json.dumps([ps_audit], indent=4).replace("\\\\/", "\\/")
    write("audit-powershell.json", "\ufeff" + text + "\r\n", encoding="utf-16-le")

    actx = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"
    write("audit-graph.json", json.dumps({"@odata.context": actx, "value": [AUDIT]}, indent=4) + "\n")
    write("audit-portal.json", json.dumps([AUDIT], separators=(",", ":")))
    diag_audit = {"time": "2026-11-17T14:02:11.0000000Z", "resourceId": f"/tenants/{TENANT}/providers/Microsoft.aadiam",
                  "operationName": "Delete user", "operationVersion": "1.0", "category": "AuditLogs",
                  "tenantId": TENANT, "resultSignature": "None", "durationMs": 0,
                  "correlationId": AUDIT["correlationId"], "identity": "Jordan Lee", "Level": 4,
                  "properties": dict(AUDIT, activityDateTime="2026-11-17T14:02:11+00:00")}
    write("audit-diagnostic.ndjson", json.dumps(diag_audit) + "\n")
    la_audit = {
        "TenantId": "9a8b7c6d-0000-4000-8000-00000000feed", "AADTenantId": TENANT,
        "TimeGenerated [UTC]": "11/17/2026, 2:02:12.000 PM", "ActivityDateTime [UTC]": "11/17/2026, 2:02:11.000 PM",
        "Id": AUDIT["id"], "Category": "UserManagement", "CorrelationId": AUDIT["correlationId"],
        "Result": "success", "ResultReason": "", "ActivityDisplayName": "Delete user", "OperationName": "Delete user",
        "LoggedByService": "Core Directory", "AADOperationType": "Delete",
        "InitiatedBy": json.dumps(AUDIT["initiatedBy"]), "TargetResources": json.dumps(AUDIT["targetResources"]),
        "AdditionalDetails": json.dumps(AUDIT["additionalDetails"]), "Type": "AuditLogs",
    }
    write("audit-log-analytics.csv", csv_text(list(la_audit), [list(la_audit.values())]))
    la_audit_json = {k.replace(" [UTC]", ""): v for k, v in la_audit.items()}
    la_audit_json["TimeGenerated"] = "2026-11-17T14:02:12Z"
    la_audit_json["ActivityDateTime"] = "2026-11-17T14:02:11Z"
    write("audit-log-analytics.json", json.dumps([la_audit_json], indent=2) + "\n")

    # The portal audit CSV: 86 columns, UTF-8 with BOM.
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
    row = dict.fromkeys(header, "")
    tgt = AUDIT["targetResources"][0]
    row.update({"Date (UTC)": "2026-11-17T14:02:11+00:00", "CorrelationId": AUDIT["correlationId"],
                "Service": "Core Directory", "Category": "UserManagement", "Activity": "Delete user",
                "Result": "Success", "ActorType": "User", "ActorDisplayName": "Jordan Lee",
                "ActorObjectId": AUDIT["initiatedBy"]["user"]["id"], "ActorUserPrincipalName": "jordan.lee@contoso.com",
                "IPAddress": "203.0.113.45", "Target1Type": "User", "Target1DisplayName": tgt["displayName"],
                "Target1ObjectId": tgt["id"], "Target1UserPrincipalName": tgt["userPrincipalName"],
                "AdditionalDetail1Key": "UserType", "AdditionalDetail1Value": "Member"})
    write("audit-portal.csv", "\ufeff" + csv_text(header, [list(row.values())]))


if __name__ == "__main__":
    main()
