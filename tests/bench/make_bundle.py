#!/usr/bin/env python3
"""Writes a synthetic Cloud Sync / app provisioning log bundle of a chosen size for the benchmark.

The bundle is a folder of many files of about 32 MB each (so that parallel ingest can help):

  provisioning-logs/page-NNNN.json   Graph provisioningObjectSummary pages as the API returns them
                                     (minified, one line; fields of tests/data/formats/provisioning-graph.json),
                                     ~2 KB records
  diagnostic/ProvisioningLogs-NNNN.ndjson
                                     Azure Monitor diagnostic records, category ProvisioningLogs,
                                     one per line (shape of corpus/real/diag_provisioninglogs_eventhub.ndjson)
  Trace/AzureADConnectProvisioningAgent_yyyyMMdd_HHmmss.log
                                     provisioning agent traces (header, continuation lines, footers)
  audit-logs/page-NNNN.json          Graph directoryAudit pages, pretty-printed like samples/*/audit-logs.json
                                     (Account Provisioning entries)

A few percent of the records are failures that carry real error codes and messages of
shared/catalog/known-failures.md, so that signatures fire. The output is deterministic for a seed.
Records are rendered from pre-built templates with %-formatting (no json.dumps per record).

Next to the folder it writes DIR.manifest.json: bytes and record counts per part, which the
benchmark driver checks every contender's counts against.
"""

import argparse
import json
import os
import random
import re
import sys
import time

FILE_BYTES = 32 << 20          # target size of one file
TENANT = "70eb9a0a-9626-4ae6-85e8-18fac0433cbd"
TENANT_HEX = TENANT.replace("-", "")
START = 1794873600.0           # 2026-11-17T00:00:00Z
SHARES = (("graph", 0.40), ("diag", 0.30), ("trace", 0.20), ("audit", 0.10))

FIRST = ("Ana", "Ben", "Chloe", "Daniel", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kim",
         "Lena", "Mateo", "Nadia", "Oliver", "Priya", "Quinn", "Rosa", "Samir", "Tara", "Umar",
         "Valentina", "Wei", "Ximena", "Yusuf", "Zoe")
LAST = ("Ruiz", "Okafor", "Martin", "Schmidt", "Yilmaz", "Haddad", "Hughes", "Tanaka", "Silva",
        "Berg", "Ortiz", "Novak", "Rossi", "Khan", "Andersson", "Patel", "Murphy", "Costa", "Nasser",
        "ONeill", "Farouk", "Lopez", "Zhang", "Reyes", "Demir", "Fischer")
DEPTS = ("Sales", "Marketing", "Finance", "Engineering", "Support", "Legal", "Operations", "HR")
CITIES = ("Madrid", "Berlin", "Lyon", "Osaka", "Austin", "Dublin", "Porto", "Oslo")

# Failures of provisioning records: (weight, error code, reason text, category, action,
# failing step name, failing step description). Codes and texts from the failure catalog.
PROV_FAILURES = (
    (4, "AzureActiveDirectoryInvalidCredential",
     "CredentialsInvalid AADSTS50034: The user account {EmailHidden} doesn't exist in the "
     "contoso.onmicrosoft.com directory. To sign into this application, the account must be added "
     "to the directory. Trace ID: %(U3)s Correlation ID: %(CORR)s Timestamp: %(TSP)s",
     "failure", "update", "EntryExportUpdate", "Failed to update User '%(NAME)s' in Entra ID"),
    (3, "SystemForCrossDomainIdentityManagementBadResponse",
     "Error: ConstraintViolation-AtrErr: A value in the request is invalid. A value for the "
     "attribute was not in the acceptable range of values. \nError Details: CONSTRAINT_ATT_TYPE - company",
     "nonServiceFailure", "create", "EntryExportAdd", "Failed to create User '%(NAME)s' in Active Directory"),
    (3, "AttributeValueMustBeUnique",
     "An attribute value violates a uniqueness constraint. Please study the values of the "
     "attributes, comparing them the attributes of already-existing objects in Azure Active "
     "Directory and resolve the conflict by modifying the value in the source directory. This "
     "attribute, in particular, appears to have an invalid value: ProxyAddresses",
     "nonServiceFailure", "create", "EntryExportAdd", "Failed to create User '%(NAME)s' in Entra ID"),
    (2, "AzureActiveDirectoryCannotUpdateObjectsOriginatedInExternalService",
     "Unable to update this object because the property Mail is mastered by another service "
     "(source of authority: Exchange Online).",
     "nonServiceFailure", "update", "EntryExportUpdate", "Failed to update User '%(NAME)s' in Entra ID"),
    (2, "HybridSynchronizationActiveDirectoryUserPrincipalNameNotUnique",
     "The operation failed because UPN value provided for addition/modification is not unique "
     "forest-wide. Error Details: CONSTRAINT_ATT_TYPE - userPrincipalName",
     "nonServiceFailure", "create", "EntryExportAdd", "Failed to create User '%(NAME)s' in Active Directory"),
    (1, "AzureDirectoryB2BManagementPolicyCheckFailure",
     "Details: Policy permitting auto-redemption of invitations not configured.",
     "nonServiceFailure", "create", "EntryExportAdd", "Failed to create User '%(NAME)s' in Entra ID"),
    (1, "AzureActiveDirectoryConflictEncountered",
     "An object with one or more of the same attribute values already exists in Entra ID.",
     "nonServiceFailure", "create", "EntryExportAdd", "Failed to create User '%(NAME)s' in Entra ID"),
    (1, "SystemForCrossDomainIdentityManagementBadResponse",
     "InvalidAttributeSyntax-LdapErr: The syntax is invalid. The parameter is incorrect. Error in "
     "attribute conversion operation, data 0, v3839",
     "nonServiceFailure", "update", "EntryExportUpdate", "Failed to update User '%(NAME)s' in Active Directory"),
)
FAIL_PCT = 3.0   # provisioning records that fail
SKIP_PCT = 4.0   # provisioning records skipped (RedundantExport)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size-mb", type=float, required=True, help="approximate bundle size in MB (MiB)")
    p.add_argument("--out", required=True, help="bundle folder to create (must not exist or be empty)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--file-mb", type=float, default=FILE_BYTES / (1 << 20),
                   help="target size of one file in MB (default 32)")
    return p.parse_args()


class Clock:
    """A timestamp that moves forward by a random step; formats as Graph and diagnostic times."""

    def __init__(self, rng, start, mean_step):
        self.rng, self.t, self.step = rng, start, mean_step

    def tick(self):
        self.t += self.rng.random() * 2 * self.step
        sec = int(self.t)
        frac = int((self.t - sec) * 10_000_000)
        base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        return base, frac


def make_uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-a%s-%s" % (h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])


def template(obj, indent=None, prefix=""):
    """Serialises obj once and turns '@@KEY@@' markers into %(KEY)s slots for %-formatting.

    Literal '%' in the text is escaped, so only the markers are substituted. Values put into the
    slots must already be JSON-safe (uuids, names, times) or be JSON-escaped by the caller.
    """
    if indent is None:
        text = json.dumps(obj, separators=(",", ":"))
    else:
        text = json.dumps(obj, indent=indent)
        text = "\n".join(prefix + line for line in text.split("\n"))
    text = text.replace("%", "%%")
    # A marker named N_... stands for a number: drop its quotes.
    text = re.sub(r'"@@(N_\w+)@@"', r"@@\1@@", text)
    out, parts = [], text.split("@@")
    for i, part in enumerate(parts):
        out.append("%%(%s)s" % part if i % 2 else part)
    return "".join(out)


def jesc(s):
    """A string's JSON escaping without the quotes (for text placed inside a template's string)."""
    return json.dumps(s)[1:-1]


# ---------------------------------------------------------------------------------------------
# Provisioning records (Graph form and diagnostic form share the variants)

def graph_record(variant, failure=None):
    steps = [
        {"name": "EntryImport", "provisioningStepType": "import", "status": "success",
         "description": "Retrieved User 'CN=@@NAME@@,OU=@@DEPT@@,DC=contoso,DC=com' from Active Directory",
         "details": {}},
        {"name": "EntrySynchronizationScoping", "provisioningStepType": "scoping", "status": "success",
         "description": "Determine if User in scope by evaluating against each scoping filter",
         "details": {"Active in the source system": "True", "Scoping filter evaluation passed": "True"}},
        {"name": "EntrySynchronizationUpdate", "provisioningStepType": "matching", "status": "success",
         "description": "User '@@UPN@@' will be updated in Entra ID", "details": {}},
    ]
    status_info = {"status": "success", "errorInformation": None}
    action = "update"
    if variant == "success":
        steps.append({"name": "EntryExportUpdate", "provisioningStepType": "export", "status": "success",
                      "description": "User '@@NAME@@' was updated in Entra ID",
                      "details": {"ReportableIdentifier": "@@UPN@@"}})
    elif variant == "skipped":
        status_info = {"status": "skipped", "errorInformation": None}
        steps[2] = {"name": "EntrySynchronizationSkipped", "provisioningStepType": "matching",
                    "status": "skipped",
                    "description": "The state of the user in both the source and target systems already "
                                   "match. No change to the User '@@UPN@@' currently needs to be made.",
                    "details": {"SkipReason": "RedundantExport", "ReportableIdentifier": "@@UPN@@"}}
    else:
        _, code, reason, category, action, step_name, step_desc = failure
        status_info = {"status": "failure", "errorInformation": {
            "errorCode": code, "reason": "@@REASON@@", "additionalDetails": None,
            "errorCategory": category, "recommendedAction": None}}
        steps.append({"name": step_name, "provisioningStepType": "export", "status": "failure",
                      "description": "@@STEPDESC@@", "details": {"ReportableIdentifier": "@@UPN@@"}})
    return {
        "id": "@@ID@@",
        "activityDateTime": "@@TS@@Z",
        "tenantId": TENANT,
        "jobId": "@@JOB@@",
        "cycleId": "@@CYCLE@@",
        "changeId": "@@CHANGE@@",
        "provisioningAction": action,
        "durationInMilliseconds": "@@N_DUR@@",
        "sourceSystem": {"id": "08afb139-3d3c-4d8e-9896-af0315e57958", "displayName": "Active Directory",
                         "details": {}},
        "targetSystem": {"id": "478f3fc3-094c-4d19-93dc-e3899afb910b", "displayName": "Entra ID",
                         "details": {"ApplicationId": "a13aa514-aa0d-46cd-93eb-5a18aa8149c9",
                                     "ServicePrincipalDisplayName": "contoso.com"}},
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "servicePrincipal": {"id": "478f3fc3-094c-4d19-93dc-e3899afb910b", "displayName": "contoso.com"},
        "sourceIdentity": {"id": "@@SRCID@@", "displayName": "@@NAME@@", "identityType": "User",
                           "details": {}},
        "targetIdentity": {"id": "@@TGTID@@", "displayName": "@@NAME@@", "identityType": "User",
                           "details": {}},
        "provisioningStatusInfo": status_info,
        "provisioningSteps": steps,
        "modifiedProperties": [
            {"displayName": "department", "oldValue": "@@OLDDEPT@@", "newValue": "@@DEPT@@"},
            {"displayName": "city", "oldValue": None, "newValue": "@@CITY@@"},
        ],
    }


_STEP_TYPES = {"import": 0, "scoping": 1, "matching": 2, "processing": 3, "referenceResolution": 4, "export": 5}
_STEP_STATUS = {"success": 0, "failure": 1, "skipped": 2, "warning": 3}


def diag_record(variant, failure=None):
    """The same record as an Azure Monitor diagnostic record: envelope, PascalCase Id/Name,
    integer step types and statuses (as in corpus/real/diag_provisioninglogs_eventhub.ndjson)."""
    g = graph_record(variant, failure)

    def pascal(o):
        return {("Id" if k == "id" else "Name" if k == "displayName" else k): v for k, v in o.items()}

    props = dict(g)
    for k in ("sourceSystem", "targetSystem", "servicePrincipal", "sourceIdentity", "targetIdentity"):
        props[k] = pascal(g[k])
    props["initiatedBy"] = {"Type": "system", "Id": "", "Name": "Azure AD Provisioning Service"}
    props["provisioningSteps"] = [dict(s, provisioningStepType=_STEP_TYPES[s["provisioningStepType"]],
                                       status=_STEP_STATUS[s["status"]]) for s in g["provisioningSteps"]]
    st = g["provisioningStatusInfo"]
    props["provisioningStatusInfo"] = {"Status": st["status"], "errorInformation": st["errorInformation"]}
    props["statusInfo"] = {"Status": _STEP_STATUS[st["status"]]}
    props["action"] = props["provisioningAction"].capitalize()
    env = {
        "time": "@@TS@@.@@FRAC@@Z",
        "resourceId": "/tenants/%s/providers/Microsoft.aadiam" % TENANT,
        "operationName": "Provisioning activity",
        "operationVersion": "1.0",
        "category": "ProvisioningLogs",
        "tenantId": TENANT,
        "resultType": st["status"].capitalize(),
        "durationMs": "@@N_DUR@@",
        "correlationId": "@@CHANGE@@",
        "identity": "@@ID@@",
        "Level": 4,
        "properties": props,
    }
    if failure is not None:
        env["resultSignature"] = failure[1]
    return env


def prov_variants(indent, prefix, diag):
    """[(cumulative percent, kind, template, failure)] for one output form."""
    make = diag_record if diag else graph_record
    out = []
    total_w = sum(f[0] for f in PROV_FAILURES)
    acc = 0.0
    for f in PROV_FAILURES:
        acc += FAIL_PCT * f[0] / total_w
        out.append((acc, "failure", template(make("failure", f), indent, prefix), f))
    acc += SKIP_PCT
    out.append((acc, "skipped", template(make("skipped"), indent, prefix), None))
    out.append((100.0, "success", template(make("success"), indent, prefix), None))
    return out


class People:
    def __init__(self, rng, n=5000):
        self.people = []
        for i in range(n):
            f, l = rng.choice(FIRST), rng.choice(LAST)
            self.people.append(("%s %s" % (f, l), "%s.%s%d@contoso.com" % (f.lower(), l.lower(), i),
                                make_uuid(rng), make_uuid(rng)))


class ProvisioningStream:
    """Values for consecutive provisioning records (shared by the Graph and diagnostic parts)."""

    def __init__(self, rng, people, clock):
        self.rng, self.people, self.clock = rng, people, clock
        self.jobs = ["AD2AADProvisioning.%s.%s" % (TENANT_HEX, make_uuid(rng)) for _ in range(2)]
        self.cycle, self.left_in_cycle = make_uuid(rng), 0
        self.counts = {"success": 0, "skipped": 0, "failure": 0}

    def render(self, variants):
        rng = self.rng
        if self.left_in_cycle <= 0:
            self.cycle, self.left_in_cycle = make_uuid(rng), rng.randint(500, 3000)
        self.left_in_cycle -= 1
        ts, frac = self.clock.tick()
        name, upn, src, tgt = rng.choice(self.people.people)
        roll = rng.random() * 100.0
        for cum, kind, tmpl, failure in variants:
            if roll < cum:
                break
        self.counts[kind] += 1
        v = {"ID": make_uuid(rng), "TS": ts, "FRAC": "%07d" % frac, "JOB": self.jobs[rng.random() < 0.3],
             "CYCLE": self.cycle, "CHANGE": make_uuid(rng), "N_DUR": rng.randint(200, 4000),
             "SRCID": src, "TGTID": tgt, "NAME": name, "UPN": upn, "DEPT": rng.choice(DEPTS),
             "OLDDEPT": rng.choice(DEPTS), "CITY": rng.choice(CITIES)}
        if failure is not None:
            v["U3"], v["CORR"], v["TSP"] = make_uuid(rng), v["CHANGE"], ts.replace("T", " ") + "Z"
            v["REASON"] = jesc(failure[2] % v)
            v["STEPDESC"] = jesc(failure[6] % v)
        return tmpl % v


# ---------------------------------------------------------------------------------------------
# Writers. Each returns (bytes, records) for one file.

class Chunked:
    """Collects pieces and writes them in ~1 MB blocks."""

    def __init__(self, f):
        self.f, self.buf, self.n, self.total = f, [], 0, 0

    def add(self, s):
        b = s.encode("utf-8")
        self.buf.append(b)
        self.n += len(b)
        self.total += len(b)
        if self.n >= 1 << 20:
            self.f.write(b"".join(self.buf))
            self.buf, self.n = [], 0

    def close(self):
        self.f.write(b"".join(self.buf))
        self.buf = []


def write_graph_page(path, stream, variants, target, next_link):
    """One page as the Graph API returns it (minified, on one line), saved as it came."""
    with open(path, "wb") as f:
        w = Chunked(f)
        w.add('{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning",')
        if next_link:
            w.add('"@odata.nextLink":"https://graph.microsoft.com/v1.0/auditLogs/provisioning?$skiptoken=%s",'
                  % next_link)
        w.add('"value":[')
        n = 0
        while w.total < target:
            w.add(("," if n else "") + stream.render(variants))
            n += 1
        w.add(']}')
        w.close()
        return w.total, n


def write_ndjson(path, stream, variants, target):
    with open(path, "wb") as f:
        w = Chunked(f)
        n = 0
        while w.total < target:
            w.add(stream.render(variants) + "\n")
            n += 1
        w.close()
        return w.total, n


def audit_record(variant):
    details = [{"key": "Details", "value": "@@DETAILS@@"}, {"key": "ErrorCode", "value": "@@CODE@@"},
               {"key": "EventName", "value": "@@EVENT@@"}]
    rec = {
        "id": "Sync_@@CORR@@_@@SUFFIX@@",
        "category": "ProvisioningManagement",
        "correlationId": "@@CORR@@",
        "result": "success" if variant == "success" else "failure",
        "resultReason": "@@REASON@@",
        "activityDisplayName": "@@ACTIVITY@@",
        "activityDateTime": "@@TS@@.@@FRAC@@Z",
        "loggedByService": "Account Provisioning",
        "operationType": "",
        "initiatedBy": {"app": {"appId": None, "displayName": "Azure AD Cloud Sync",
                                "servicePrincipalId": None, "servicePrincipalName": None}, "user": None},
        "targetResources": [{"id": "478f3fc3-094c-4d19-93dc-e3899afb910b", "displayName": "contoso.com",
                             "type": "ServicePrincipal", "userPrincipalName": None, "groupType": None,
                             "modifiedProperties": []}],
        "additionalDetails": details,
    }
    return rec


AUDIT_SUCCESS = (("Import", "Received User '%s' change of type (Update) from Active Directory", "Entry imported",
                  "EntryImport"),
                 ("Synchronization rule action", "User '%s' will be updated in Entra ID",
                  "Synchronization rule evaluated", "EntrySynchronizationUpdate"),
                 ("Export", "User '%s' was updated in Entra ID", "Entry exported", "EntryExportUpdate"))


def write_audit_page(path, rng, people, clock, target, counts):
    tmpl_ok = template(audit_record("success"), 4, " " * 8)
    tmpl_fail = template(audit_record("failure"), 4, " " * 8)
    fails = [f for f in PROV_FAILURES for _ in range(f[0])]
    with open(path, "wb") as f:
        w = Chunked(f)
        w.add('{\n    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",\n'
              '    "value": [\n')
        n = 0
        while w.total < target:
            ts, frac = clock.tick()
            name, upn, _, _ = rng.choice(people.people)
            v = {"CORR": make_uuid(rng), "SUFFIX": "%s_%09d" % ("".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                                                                    for _ in range(5)), rng.randint(0, 999999999)),
                 "TS": ts, "FRAC": "%07d" % frac}
            if rng.random() * 100 < FAIL_PCT:
                fl = rng.choice(fails)
                v.update(ACTIVITY="Export", CODE=fl[1], EVENT=fl[5],
                         DETAILS=jesc(fl[6] % {"NAME": name}),
                         REASON=jesc(fl[2] % {"U3": make_uuid(rng), "CORR": v["CORR"],
                                              "TSP": ts.replace("T", " ") + "Z"}))
                text = tmpl_fail % v
                counts["failure"] += 1
            else:
                act, reason, details, event = rng.choice(AUDIT_SUCCESS)
                v.update(ACTIVITY=act, CODE="", EVENT=event, DETAILS=details, REASON=jesc(reason % upn))
                text = tmpl_ok % v
                counts["success"] += 1
            w.add((",\n" if n else "") + text)
            n += 1
        w.add('\n    ]\n}\n')
        w.close()
        return w.total, n


TRACE_INFO = (
    ("Information", "Received signaling message for job %(JOB)s, cycle %(CYCLE)s, request %(REQ)s."),
    ("Verbose", "Processing import request %(REQ)s: delta import of contoso.com from watermark %(NUM)s."),
    ("Information", "LDAP delta query against DC01.contoso.com returned %(SMALL)s changed object(s) in %(MS)s ms."),
    ("Information", "Import completed for job %(JOB)s, cycle %(CYCLE)s: %(SMALL)s entries sent to the service; "
                    "request %(REQ)s done."),
    ("Verbose", "Health report sent: agent ed194b5d-7bef-438f-aeff-9d6130e0fa47 Healthy, signaling listeners 2/2, "
                "pending requests 0."),
    ("Verbose", "Export request %(REQ)s: updating CN=%(NAME)s,OU=Users,DC=contoso,DC=com (attributes: department, "
                "title, manager)."),
    ("Information", "Export completed for request %(REQ)s: 1 entry written to DC02.contoso.com in %(MS)s ms."),
)
TRACE_ERRORS = (
    "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.\n"
    "System.Net.WebSockets.WebSocketException (0x80004005): Unable to connect to the remote server ---> "
    "System.Net.WebException: Unable to connect to the remote server ---> System.IO.IOException: An existing "
    "connection was forcibly closed by the remote host\n"
    "   at System.Net.WebSockets.WebSocketHandle.<ConnectAsyncCore>d__24.MoveNext()\n"
    "   at Microsoft.ApplicationProxy.Connector.Listeners.ConnectorSignalingWebSocket.<ConnectAsync>d__12.MoveNext()\n",
    "AADConnectProvisioningAgent.exe Error: 0 : Error while establishing web socket connection to "
    "contoso-relay.servicebus.windows.net: connection attempt failed (An existing connection was forcibly closed "
    "by the remote host). Retrying in 00:04:00.\n",
    "AADConnectProvisioningAgent.exe Error: 0 : An existing connection was forcibly closed by the remote host\n"
    "System.IO.IOException: Unable to read data from the transport connection: An existing connection was "
    "forcibly closed by the remote host. ---> System.Net.Sockets.SocketException (0x80004005): An existing "
    "connection was forcibly closed by the remote host\n"
    "   at System.Net.Sockets.NetworkStream.EndRead(IAsyncResult asyncResult)\n",
)


def write_trace(path, rng, people, clock, jobs, target, counts):
    with open(path, "wb") as f:
        w = Chunked(f)
        n = 0
        cycle, req = make_uuid(rng), make_uuid(rng)
        while w.total < target:
            ts, frac = clock.tick()
            if rng.random() < 0.02:
                cycle = make_uuid(rng)
            if rng.random() < 0.2:
                req = make_uuid(rng)
            if rng.random() * 100 < FAIL_PCT:
                head = rng.choice(TRACE_ERRORS)
                counts["error"] += 1
            else:
                level, msg = rng.choice(TRACE_INFO)
                name = rng.choice(people.people)[0]
                head = "AADConnectProvisioningAgent.exe %s: 0 : %s\n" % (level, msg % {
                    "JOB": jobs[rng.random() < 0.3], "CYCLE": cycle, "REQ": req, "NUM": rng.randint(4000000, 9000000),
                    "SMALL": rng.randint(1, 40), "MS": rng.randint(20, 900), "NAME": name})
                counts["other"] += 1
            w.add("%s    ThreadId=%d\n    DateTime=%s.%07dZ\n" % (head, rng.randint(1, 30), ts, frac))
            n += 1
        w.close()
        return w.total, n


def main():
    args = parse_args()
    began = time.time()
    target_total = int(args.size_mb * (1 << 20))
    file_bytes = int(args.file_mb * (1 << 20))
    out = os.path.abspath(args.out)
    if os.path.exists(out) and os.listdir(out):
        sys.exit("make_bundle.py: error: %s exists and is not empty" % out)
    for sub in ("provisioning-logs", "diagnostic", "Trace", "audit-logs"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)

    rng = random.Random(args.seed)
    people = People(rng)
    prov_clock = Clock(rng, START, 0.5)
    stream = ProvisioningStream(rng, people, prov_clock)
    graph_variants = prov_variants(None, "", diag=False)
    diag_variants = prov_variants(None, "", diag=True)
    manifest = {"seed": args.seed, "size_mb": args.size_mb, "bytes": 0, "records": 0, "parts": {}}
    audit_counts = {"success": 0, "failure": 0}
    trace_counts = {"other": 0, "error": 0}

    for part, share in SHARES:
        part_bytes = int(target_total * share)
        nfiles = max(1, -(-part_bytes // file_bytes))
        per_file = part_bytes // nfiles
        info = manifest["parts"].setdefault(part, {"files": [], "bytes": 0, "records": 0})
        before = dict(stream.counts)
        for i in range(1, nfiles + 1):
            if part == "graph":
                rel = "provisioning-logs/page-%04d.json" % i
                token = "%032x" % rng.getrandbits(128) if i < nfiles else None
                size, n = write_graph_page(os.path.join(out, rel), stream, graph_variants, per_file, token)
            elif part == "diag":
                rel = "diagnostic/ProvisioningLogs-%04d.ndjson" % i
                size, n = write_ndjson(os.path.join(out, rel), stream, diag_variants, per_file)
            elif part == "trace":
                trace_clock = Clock(rng, START + (i - 1) * 6 * 3600, 0.12)
                stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime(trace_clock.t))
                rel = "Trace/AzureADConnectProvisioningAgent_%s.log" % stamp
                size, n = write_trace(os.path.join(out, rel), rng, people, trace_clock, stream.jobs, per_file,
                                      trace_counts)
            else:
                rel = "audit-logs/page-%04d.json" % i
                audit_clock = Clock(rng, START + (i - 1) * 3600, 0.6)
                size, n = write_audit_page(os.path.join(out, rel), rng, people, audit_clock, per_file,
                                           audit_counts)
            info["files"].append({"path": rel, "bytes": size, "records": n})
            info["bytes"] += size
            info["records"] += n
        if part in ("graph", "diag"):
            info["by_status"] = {k: stream.counts[k] - before[k] for k in stream.counts}
        elif part == "trace":
            info["by_status"] = dict(trace_counts)
        else:
            info["by_status"] = dict(audit_counts)
        manifest["bytes"] += info["bytes"]
        manifest["records"] += info["records"]

    manifest["seconds"] = round(time.time() - began, 2)
    with open(out + ".manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)
    sys.stderr.write("make_bundle.py: %s: %d files, %.1f MB, %d records in %.1f s\n" % (
        out, sum(len(p["files"]) for p in manifest["parts"].values()), manifest["bytes"] / (1 << 20),
        manifest["records"], manifest["seconds"]))


if __name__ == "__main__":
    main()
