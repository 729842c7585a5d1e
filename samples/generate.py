#!/usr/bin/env python3
"""Write the syncdoctor sample bundles beside this file.

    python3 samples/generate.py

Standard library only. Every random choice comes from seeded random.Random objects and every
time stamp is fixed, so two runs write byte-identical files. All people, GUIDs, hosts and
addresses are made up (tenant contoso.com / contoso.onmicrosoft.com).
"""
import base64, copy, datetime as dt, json, os, random, re, shutil, unicodedata, uuid, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = "contoso.com"
INITIAL_DOMAIN = "contoso.onmicrosoft.com"
AGENT_VERSION = "1.1.2847.0"
AGENT_SOURCE = "AADConnectProvisioningAgent.exe"
VERBOSE_SOURCE = "AAD Connect Provisioning Agent"
RELAY = "contoso-relay.servicebus.windows.net"
INTERVAL = dt.timedelta(minutes=40)
UTC = dt.timezone.utc
REPAIR_URL = "https://go.microsoft.com/fwlink/?linkid=2150988"

NAMES = ("Ana Ruiz|Ben Okafor|Chloé Dubois|Daniel Kim|Elena Petrova|Farid Haddad|Grace Liu|"
         "Hannah Schmidt|Ibrahim Diallo|Julia Novak|Kenji Watanabe|Laura Bianchi|Mateo Fernández|"
         "Nadia Karimi|Oliver Hughes|Priya Shah|Quentin Moreau|Rosa Delgado|Samuel Adeyemi|"
         "Tara O'Neill|Umar Siddiqui|Valentina Rossi|William Carter|Ximena Torres|Yusuf Demir|"
         "Zoë Becker|Aaron Levi|Bianca Costa|Carlos Mendes|Dana Whitfield|Emil Johansson|"
         "Fatima Zahra|George Papadopoulos|Helena Nyström|Isaac Boateng|Jasmine Patel|Kofi Mensah|"
         "Lena Hoffmann|Marco Conti|Nora Lindqvist|Omar Farouk|Paula Jiménez|Rahul Verma|"
         "Sofia Andersson|Tomás Silva|Uma Krishnan|Victor Leclerc|Wei Zhang|Yara Nasser|"
         "Zane Mitchell|Alicia Brooks|Bruno Ferreira|Camille Laurent|Diego Ramos|Łukasz Nowak|"
         "Felix Wagner|Gabriela Sánchez|Hugo Martin|Irene Galli|Jonas Berg").split("|")
CITIES = ["Seattle", "London", "Madrid", "Berlin", "Toronto"]
DEPARTMENTS = ["Finance", "Sales", "Marketing", "Engineering", "Human Resources", "Legal", "Support"]
TITLES = ["Analyst", "Senior Analyst", "Engineer", "Senior Engineer", "Account Manager",
          "Team Lead", "Specialist", "Coordinator", "Consultant"]
GROUPS = ["Sales EMEA", "VPN Users", "Finance Readers", "Helpdesk Tier 1"]
CLOUD_GROUPS = ["License - M365 E5", "SSPR Enabled Users", "Teams Champions"]
ADMINS = {"jordan": ("Jordan Lee", "jordan.lee@contoso.com", "203.0.113.45"),
          "morgan": ("Morgan Blake", "morgan.blake@contoso.com", "198.51.100.23"),
          "sam": ("Sam Whitaker", "sam.whitaker@contoso.com", "198.51.100.61")}

# ----------------------------------------------------------------------------- helpers

def T(text):
    """'2026-11-17 14:02:11.483' -> aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)

def iso(t, digits=7):
    """ISO-8601 with Z; 7 fractional digits (the 7th is a deterministic filler) or none."""
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    if digits == 0:
        return base + "Z"
    return f"{base}.{t.microsecond:06d}{t.microsecond % 7}Z"

def rec_time(r):
    """activityDateTime of a record (written without fractional digits) -> datetime."""
    return dt.datetime.strptime(r["activityDateTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

def secs(s):
    return dt.timedelta(seconds=s)

def ascii_fold(text):
    text = text.replace("Ł", "L").replace("ł", "l").replace("'", "")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

class World:
    """One seeded RNG plus the identifiers of one Cloud Sync configuration."""

    def __init__(self, seed, tenant_id=None):
        self.rng = random.Random(seed)
        self.tenant_id = tenant_id or self.guid()
        self.job_id = f"AD2AADProvisioning.{self.tenant_id.replace('-', '')}.{self.guid()}"
        self.sp_id, self.app_id, self.ad_system_id, self.agent_id = (self.guid() for _ in range(4))
        self.usn, self.proxy = 4_821_337, "direct access"

    def guid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def token(self, n, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def later(self, t, lo, hi):
        return t + dt.timedelta(microseconds=self.rng.randint(int(lo * 1e6), int(hi * 1e6)))

    def phone(self):
        return f"+1 425 555 {self.rng.randint(100, 199):04d}"

def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

def write_json(path, obj, pretty=True):
    """Pretty (indent 4, final newline) or minified (no final newline), UTF-8 without escapes."""
    write_text(path, json.dumps(obj, indent=4, ensure_ascii=False) + "\n" if pretty
               else json.dumps(obj, separators=(",", ":"), ensure_ascii=False))

def cycle_times(first, last):
    return [first + INTERVAL * i for i in range(int((last - first) / INTERVAL) + 1)]

# ----------------------------------------------------------------------------- directory model

def make_people(w):
    people = []
    for i, name in enumerate(NAMES):
        first, last = name.split(" ", 1)
        upn = f"{ascii_fold(first).lower()}.{ascii_fold(last).lower().replace(' ', '')}@{DOMAIN}"
        city = CITIES[i % len(CITIES)]
        out_of_scope = i % 10 == 7
        ou = ("OU=Contractors" if i % 20 == 7 else "OU=Disabled Users") if out_of_scope else f"OU={city},OU=Staff"
        people.append({
            "type": "User", "name": name, "first": first, "last": last, "upn": upn,
            "sam": ascii_fold(first)[0].lower() + ascii_fold(last).lower().replace(" ", "")[:7],
            "ad_id": w.guid(), "entra_id": w.guid(), "dn": f"CN={name},{ou},DC=contoso,DC=com",
            "in_scope": not out_of_scope, "ou": ou,
            "attrs": {"department": w.rng.choice(DEPARTMENTS), "jobTitle": w.rng.choice(TITLES),
                      "city": city, "telephoneNumber": w.phone()}})
    groups = [{"type": "Group", "name": g, "ad_id": w.guid(), "entra_id": w.guid(),
               "dn": f"CN={g},OU=Groups,OU=Staff,DC=contoso,DC=com", "in_scope": True} for g in GROUPS]
    return people, groups

class Directory:
    """The on-premises objects of one bundle and what each cycle changes."""

    def __init__(self, w, people, groups, new_hires=4, leavers=2, skip_rate=0.12):
        self.w, self.skip_rate = w, skip_rate
        self.people, self.groups = copy.deepcopy(people), copy.deepcopy(groups)
        in_scope = [p for p in self.people if p["in_scope"]]
        self.pending_new = in_scope[-new_hires:] if new_hires else []
        self.active = [p for p in in_scope if p not in self.pending_new]
        self.leavers = self.active[10:10 + leavers]
        self.out_of_scope = [p for p in self.people if not p["in_scope"]]

    def update_mods(self, p, attrs=None):
        rng, mods = self.w.rng, []
        for a in attrs or rng.sample(["department", "jobTitle", "telephoneNumber", "city"], rng.randint(1, 2)):
            old = p["attrs"][a]
            new = {"department": lambda: rng.choice(DEPARTMENTS), "jobTitle": lambda: rng.choice(TITLES),
                   "telephoneNumber": self.w.phone, "city": lambda: rng.choice(CITIES)}[a]()
            if new == old:
                continue
            p["attrs"][a] = new
            mods.append(prop(a, old, new))
        return mods or [prop("telephoneNumber", p["attrs"]["telephoneNumber"], self.w.phone())]

    def create_mods(self, p):
        anchor = base64.b64encode(uuid.UUID(p["ad_id"]).bytes_le).decode()
        values = [("accountEnabled", "True"), ("displayName", p["name"]), ("givenName", p["first"]),
                  ("surname", p["last"]), ("mailNickname", p["upn"].split("@")[0]),
                  ("userPrincipalName", p["upn"]), ("onPremisesSamAccountName", p["sam"]),
                  ("sourceAnchor", anchor)] + sorted(p["attrs"].items())
        return [prop(k, None, v) for k, v in values]

    def changes(self, n):
        """n object changes: (object, action, expected status, modifiedProperties)."""
        rng, out = self.w.rng, []
        for _ in range(n):
            roll = rng.random()
            if roll < 0.06 and self.pending_new:
                p = self.pending_new.pop(0)
                self.active.append(p)
                out.append((p, "create", "success", self.create_mods(p)))
            elif roll < 0.09 and self.leavers:
                p = self.leavers.pop(0)
                self.active.remove(p)
                out.append((p, "delete", "success", []))
            elif 0.09 <= roll < 0.09 + self.skip_rate:
                out.append((rng.choice(self.out_of_scope), "other", "skipped", []))
            elif roll < 0.19 + self.skip_rate:
                g, member = rng.choice(self.groups), rng.choice(self.active)
                out.append((g, "update", "success",
                            [prop("members", None, json.dumps([member["dn"]], ensure_ascii=False))]))
            else:
                p = rng.choice(self.active)
                out.append((p, "update", "success", self.update_mods(p)))
        return out

def prop(name, old, new):
    return {"displayName": name, "oldValue": old, "newValue": new}

# ----------------------------------------------------------------------------- provisioning logs

VERB = {"create": ("Add", "created"), "update": ("Update", "updated"), "delete": ("Delete", "deleted"),
        "other": ("Update", "updated")}

def step(name, kind, status, description, details=None):
    return {"name": name, "provisioningStepType": kind, "status": status,
            "description": description, "details": details or {}}

def prov_steps(obj, action, status):
    kind, name = obj["type"], obj["name"]
    ident = obj.get("upn", name)
    change, past = VERB[action]
    imp = {"create": "EntryImportAdd", "delete": "EntryImportDelete"}.get(action, "EntryImport")
    steps = [step(imp, "import", "success", f"Received {kind} '{name}' change of type ({change}) from Active Directory",
                  {"ReportableIdentifier": ident})]
    if action != "delete":
        in_scope = status != "skipped"
        text = (f"{kind} '{name}' is in scope" if in_scope else
                f"{kind} '{name}' is not in scope because it is in an organizational unit outside the scoping filter")
        steps.append(step("EntrySynchronizationScoping", "scoping", "success" if in_scope else "skipped", text, {
            "Active in the source system": "True",
            "Scoping filter evaluation passed": "True" if in_scope else "False",
            "ReportableIdentifier": ident}))
        if not in_scope:
            return steps
    match = {
        "create": ("EntrySynchronizationAdd", f"{kind} '{name}' will be created in Entra ID ({kind} is in scope in "
                                              f"Active Directory, but no matching {kind} was found in Entra ID)"),
        "update": ("EntrySynchronizationUpdate",
                   f"{kind} '{name}' will be updated in Entra ID (matched on sourceAnchor)"),
        "delete": ("EntrySynchronizationDelete", f"{kind} '{name}' will be deleted in Entra ID ({kind} was deleted in "
                                                 f"Active Directory)")}[action]
    steps.append(step(match[0], "matching", "success", match[1]))
    ok = status != "failure"
    steps.append(step("EntryExport" + change, "export", "success" if ok else "failure",
                      f"{kind} '{name}' was {past} in Entra ID" if ok else
                      f"Failed to {change.lower()} {kind} '{name}' in Entra ID", {"ReportableIdentifier": ident}))
    return steps

def prov_record(w, when, cycle_id, obj, action, status, mods, error=None):
    known_target = status in ("success", "failure") and not (action == "create" and status == "failure")
    return {
        "id": w.guid(), "activityDateTime": iso(when, 0), "tenantId": w.tenant_id, "jobId": w.job_id,
        "cycleId": cycle_id, "changeId": w.guid(), "provisioningAction": action,
        "durationInMilliseconds": w.rng.randint(180, 3900) if status != "skipped" else w.rng.randint(20, 160),
        "sourceSystem": {"id": w.ad_system_id, "displayName": "Active Directory", "details": {}},
        "targetSystem": {"id": w.sp_id, "displayName": "Entra ID", "details": {
            "ApplicationId": w.app_id, "ServicePrincipalId": w.sp_id, "ServicePrincipalDisplayName": DOMAIN}},
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "servicePrincipal": {"id": w.sp_id, "displayName": DOMAIN},
        "sourceIdentity": {"id": obj["ad_id"], "displayName": obj["name"], "identityType": obj["type"], "details": {}},
        "targetIdentity": {"id": obj["entra_id"] if known_target else "",
                           "displayName": obj["name"] if known_target else "",
                           "identityType": obj["type"], "details": {}},
        "provisioningStatusInfo": {"status": status, "errorInformation": error},
        "provisioningSteps": prov_steps(obj, action, status),
        "modifiedProperties": mods,
    }

def run_cycle(w, tr, t, changes, status_override=None, error=None, start=None, first_record=None):
    """One job iteration: provisioning records (and the agent's import lines when tr is given).
    Returns (cycle id, start, time of the last record, records)."""
    cycle_id = w.guid()
    start = start or w.later(t, 1, 4)
    records = []
    when = first_record or w.later(start, 2, 6)
    for obj, action, status, mods in changes:
        when = w.later(when, 0.4, 9)
        final = status_override if (status_override and status != "skipped") else status
        records.append(prov_record(w, when, cycle_id, obj, action, final, mods,
                                   error if final == "failure" else None))
    if tr is not None:
        trace_cycle(tr, w, cycle_id, start, len(changes))
    return cycle_id, start, max([start] + [rec_time(r) for r in records]), records

def write_prov_pages(folder, records, split=(), overlap=0, single=None):
    """Graph pages, newest first; the last `overlap` records of page 1 are repeated on page 2.
    With `single`, one page under that file name."""
    recs = sorted(records, key=lambda r: r["activityDateTime"], reverse=True)
    cuts, rng = [0] + list(split) + [len(recs)], random.Random(len(recs))
    base = "https://graph.microsoft.com/v1.0/auditLogs/provisioning"
    ids = []
    for i in range(len(cuts) - 1):
        lo = cuts[i] - (overlap if i == 1 else 0)
        page = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning",
                "value": recs[lo:cuts[i + 1]]}
        if i < len(cuts) - 2:
            page["@odata.nextLink"] = base + "?$skiptoken=" + "".join(rng.choice("0123456789abcdef") for _ in range(48))
        write_json(os.path.join(folder, single or f"page-{i + 1:03d}.json"), page, pretty=(i != 1))
        ids += [r["id"] for r in page["value"]]
    return len(ids) - len(set(ids))                   # ids that appear on two pages

# ----------------------------------------------------------------------------- job status

def execution(cycle_id, began, ended, state, imported, exported, escrowed=0, error=None):
    return {"activityIdentifier": cycle_id, "countEntitled": imported, "countEntitledForProvisioning": imported,
            "countEscrowed": escrowed, "countEscrowedRaw": escrowed, "countExported": exported,
            "countExports": exported, "countImported": imported, "countImportedDeltas": imported,
            "countImportedReferenceDeltas": 0, "error": error, "state": state,
            "timeBegan": iso(began), "timeEnded": iso(ended)}

def job_document(w, code, last, last_ok, quarantine, failures, steady_first, steady_last, users, groups):
    return {
        "@odata.context": f"https://graph.microsoft.com/beta/$metadata#servicePrincipals('{w.sp_id}')"
                          "/synchronization/jobs/$entity",
        "id": w.job_id, "templateId": "AD2AADProvisioning",
        "schedule": {"expiration": None, "interval": "PT40M", "state": "Active"},
        "status": {
            "code": code, "countSuccessiveCompleteFailures": failures, "escrowsPruned": False,
            "lastExecution": last, "lastSuccessfulExecution": last_ok, "lastSuccessfulExecutionWithExports": last_ok,
            "progress": [], "quarantine": quarantine,
            "steadyStateFirstAchievedTime": iso(steady_first, 0), "steadyStateLastAchievedTime": iso(steady_last, 0),
            "synchronizedEntryCountByType": [{"key": "group to group", "value": groups},
                                             {"key": "user to user", "value": users}],
            "troubleshootingUrl": None},
        "synchronizationJobSettings": [{"name": "AzureIngestionAttributeOptimization", "value": "False"},
                                       {"name": "LookaheadQueryEnabled", "value": "False"}],
    }

def counts(records):
    return len(records), sum(r["provisioningStatusInfo"]["status"] == "success" for r in records)

# ----------------------------------------------------------------------------- audit logs

def audit_user_actor(key, tenant_id, ids):
    name, upn, ip = ADMINS[key]
    return {"app": None, "user": {"id": ids[key], "displayName": name, "userPrincipalName": upn, "ipAddress": ip,
                                  "userType": "Member", "homeTenantId": tenant_id, "homeTenantName": None}}

def target(tid, name, kind, upn=None, mods=None):
    return {"id": tid, "displayName": name, "type": kind, "userPrincipalName": upn, "groupType": None,
            "modifiedProperties": mods or []}

def audit_directory(w, when, activity, category, op, actor, targets, details=None):
    corr = w.guid()
    return {"id": f"Directory_{corr}_{w.token(5)}_{w.rng.randint(10**8, 10**9 - 1)}", "category": category,
            "correlationId": corr, "result": "success", "resultReason": "", "activityDisplayName": activity,
            "activityDateTime": iso(when), "loggedByService": "Core Directory", "operationType": op,
            "initiatedBy": actor, "targetResources": targets, "additionalDetails": details or []}

def audit_sync(w, when, activity, result, reason, event, code="", corr=None, details="", extra=None):
    corr = corr or w.guid()
    return {"id": f"Sync_{corr}_{w.token(5)}_{w.rng.randint(10**8, 10**9 - 1)}", "category": "ProvisioningManagement",
            "correlationId": corr, "result": result, "resultReason": reason, "activityDisplayName": activity,
            "activityDateTime": iso(when), "loggedByService": "Account Provisioning", "operationType": "",
            "initiatedBy": {"app": {"appId": None, "displayName": "Azure AD Cloud Sync", "servicePrincipalId": None,
                                    "servicePrincipalName": None}, "user": None},
            "targetResources": [target(w.sp_id, DOMAIN, "ServicePrincipal")],
            "additionalDetails": [{"key": "Details", "value": details}, {"key": "ErrorCode", "value": code},
                                  {"key": "EventName", "value": event}] + (extra or [])}

def routine_audits(w, people, start, end, n_update, n_member, admin_ids):
    """Cloud-side admin work that has nothing to do with sync."""
    out, span = [], (end - start).total_seconds()
    synced = [p for p in people if p["in_scope"]]
    for i in range(n_update + n_member):
        when = start + secs(w.rng.uniform(0, span))
        who = audit_user_actor(w.rng.choice(["morgan", "sam"]), w.tenant_id, admin_ids)
        p = w.rng.choice(synced)
        if i < n_update:
            loc = w.rng.choice(["US", "GB", "ES", "DE", "CA"])
            mods = [prop("UsageLocation", "[]", json.dumps([loc])),
                    prop("Included Updated Properties", None, '"UsageLocation"')]
            out.append(audit_directory(w, when, "Update user", "UserManagement", "Update", who,
                                       [target(p["entra_id"], None, "User", p["upn"], mods)]))
        else:
            g = w.rng.choice(CLOUD_GROUPS)
            gid = admin_ids[g]
            mods = [prop("Group.ObjectID", None, json.dumps(gid)), prop("Group.DisplayName", None, json.dumps(g))]
            out.append(audit_directory(w, when, "Add member to group", "GroupManagement", "Add", who,
                                       [target(p["entra_id"], None, "User", p["upn"], mods),
                                        target(gid, g, "Group")]))
    return out

def sync_audits_for(w, records, n_export, n_import):
    """Export/Import audit entries that mirror some successful provisioning records (correlationId = changeId)."""
    ok = [r for r in records if r["provisioningStatusInfo"]["status"] == "success"]
    out = []
    for r in w.rng.sample(ok, min(n_export, len(ok))):
        kind, name = r["sourceIdentity"]["identityType"], r["sourceIdentity"]["displayName"]
        past = VERB[r["provisioningAction"]][1]
        event = r["provisioningSteps"][-1]["name"]
        when = w.later(rec_time(r), 0.05, 0.9)
        out.append(audit_sync(w, when, "Export", "success", f"{kind} '{name}' was {past} in Entra ID", event,
                              corr=r["changeId"], details="Entry exported successfully"))
    for r in w.rng.sample(ok, min(n_import, len(ok))):
        kind, name = r["sourceIdentity"]["identityType"], r["sourceIdentity"]["displayName"]
        when = w.later(rec_time(r), -1.5, -0.1)
        out.append(audit_sync(w, when, "Import", "success", r["provisioningSteps"][0]["description"],
                              r["provisioningSteps"][0]["name"], corr=r["changeId"], details="Entry imported"))
    return out

def write_audit_page(path, events):
    write_json(path, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
                      "value": sorted(events, key=lambda e: e["activityDateTime"], reverse=True)})

# ----------------------------------------------------------------------------- agent traces

class Trace:
    def __init__(self, w):
        self.w, self.entries = w, []

    def add(self, t, level, msg, cont=(), thread=None):
        self.entries.append((t, level, msg, list(cont), thread or self.w.rng.choice((5, 7, 9, 12, 14, 18, 23))))

    def between(self, lo, hi):
        sub = Trace(self.w)
        sub.entries = [e for e in self.entries if lo <= e[0] < hi]
        return sub

    def render(self, source=AGENT_SOURCE, footers=True):
        lines = []
        for t, level, msg, cont, thread in sorted(self.entries, key=lambda e: e[0]):
            lines.append(f"{source} {level}: 0 : {msg}")
            lines.extend(cont)
            if footers:
                lines += [f"    ThreadId={thread}", f"    DateTime={iso(t)}"]
        return "\n".join(lines) + "\n"

def trace_startup(tr, t):
    w = tr.w
    tr.add(t, "Information", f"Microsoft Entra Provisioning Agent is starting. Version {AGENT_VERSION}.", thread=1)
    tr.add(w.later(t, 0.2, 0.6), "Information", f"Agent id {w.agent_id}, tenant {w.tenant_id}.", thread=1)
    tr.add(w.later(t, 0.7, 1.0), "Verbose", "Loaded configuration from C:\\Program Files\\Microsoft Azure AD Connect "
           "Provisioning Agent\\AADConnectProvisioningAgent.exe.config", thread=1)
    tr.add(w.later(t, 1.1, 1.5), "Information", f"Proxy: using the system settings (WinHTTP, {w.proxy}).", thread=1)
    tr.add(w.later(t, 1.6, 2.0), "Information", "Active Directory domain contoso.com: 2 domain controllers found "
           "(DC01.contoso.com, DC02.contoso.com).", thread=1)

def trace_connected(tr, t):
    for i in (1, 2):
        tr.add(tr.w.later(t, i, i + 0.9), "Information",
               f"Signaling listener {i} of 2 connected to wss://{RELAY}/$hc/g-contoso-{i}.")
    tr.add(tr.w.later(t, 3.2, 3.8), "Information", "Provisioning agent started; waiting for requests.", thread=1)

def trace_cycle(tr, w, cycle_id, t, n):
    req = w.guid()
    w.usn += w.rng.randint(40, 900)
    tr.add(t, "Information", f"Received signaling message for job {w.job_id}, cycle {cycle_id}, request {req}.")
    tr.add(w.later(t, 0.1, 0.4), "Verbose", f"Processing import request {req}: delta import of contoso.com "
           f"from watermark {w.usn}.")
    tr.add(w.later(t, 0.6, 1.2), "Information", f"LDAP delta query against DC01.contoso.com returned {n} changed "
           f"object(s) in {w.rng.randint(40, 900)} ms.")
    tr.add(w.later(t, 1.3, 2.5), "Information", f"Import completed for job {w.job_id}, cycle {cycle_id}: {n} "
           f"entr{'y' if n == 1 else 'ies'} sent to the service; request {req} done.")

def trace_health(tr, lo, hi, every_min=30):
    t = lo
    while t < hi:
        tr.add(tr.w.later(t, 0, 20), "Verbose", f"Health report sent: agent {tr.w.agent_id} Healthy, "
               "signaling listeners 2/2, pending requests 0.")
        t += dt.timedelta(minutes=every_min)

def zip_bundle(path, members):
    """members: {name: (text, datetime of last write)}; entries sorted, fixed attributes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            text, when = members[name]
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0x20
            z.writestr(info, text.encode("utf-8"), compresslevel=6)

# ----------------------------------------------------------------------------- bundle 1

CRED_HEAD = ("We found an issue with the service account that is used to run Microsoft Entra Cloud Sync. You can "
             f"repair the cloud sync service account by following the instructions at {REPAIR_URL}.")

def cred_reason(w, t):
    return (f"CredentialsInvalid AADSTS50034: The user account {{EmailHidden}} doesn't exist in the {INITIAL_DOMAIN} "
            "directory. To sign into this application, the account must be added to the directory. "
            f"Trace ID: {w.guid()} Correlation ID: {w.guid()} Timestamp: {t:%Y-%m-%d %H:%M:%S}Z")

def bundle_quarantine(base_people, base_groups, tenant_id, admin_ids):
    out = os.path.join(HERE, "cloudsync-quarantine-credentials")
    w = World(1117, tenant_id)
    d = Directory(w, base_people, base_groups)
    tr = Trace(w)
    deleted_at = T("2026-11-17 14:02:11.483")
    first, last_ok_t = T("2026-11-16 08:25:00"), T("2026-11-17 13:45:00")
    records = []

    trace_startup(tr, T("2026-11-16 08:00:00.412"))
    trace_connected(tr, T("2026-11-16 08:00:02.9"))
    for t in cycle_times(first, last_ok_t):
        cid, began, ended, recs = run_cycle(w, tr, t, d.changes(w.rng.randint(2, 9)))
        records += recs
    last_ok_end = w.later(ended, 1, 3)
    last_ok = execution(cid, began, last_ok_end, "Succeeded", *counts(recs))

    # 14:10Z: an on-premises reorg moves 47 people to a new department. From 14:25Z every export fails,
    # and each quarantine retry tries the escrowed changes again, plus whatever changed since.
    pending = []
    for p in [p for p in d.active if p not in d.leavers][:47]:
        old, p["attrs"]["department"] = p["attrs"]["department"], "Commercial Excellence"
        pending.append((p, "update", "success", [prop("department", old, "Commercial Excellence")]))
    fail_cycles = [T("2026-11-17 14:25:00"), T("2026-11-17 20:25:00"), T("2026-11-18 08:25:00")]
    fail_errors = []
    for i, t in enumerate(fail_cycles):
        busy = {c[0]["ad_id"] for c in pending}
        new = [c for c in d.changes(w.rng.randint(4, 6)) if c[0]["ad_id"] not in busy]
        pending += [c for c in new if c[2] != "skipped"]
        start = t + dt.timedelta(microseconds=w.rng.randint(200000, 600000))
        token_time = t + secs(3) + dt.timedelta(microseconds=123456 if i == 0 else w.rng.randint(0, 999999))
        reason = cred_reason(w, token_time)
        error = {"errorCode": "AzureActiveDirectoryInvalidCredential", "reason": reason,
                 "additionalDetails": CRED_HEAD, "errorCategory": "failure",
                 "recommendedAction": "Recreate the cloud sync service account with Repair-AADCloudSyncToolsAccount, "
                                      "then clear the quarantine and restart sync."}
        skipped = [c for c in new if c[2] == "skipped"]
        cid, began, ended, recs = run_cycle(w, tr, t, pending + skipped, "failure", error, start,
                                            w.later(token_time, 0.5, 1.5))
        records += recs
        fail_errors.append((cid, began, ended, token_time, reason, len(recs), len(pending)))
    began_q = fail_errors[0][3]

    job_error = lambda reason: {"code": "AzureActiveDirectoryInvalidCredential", "tenantActionable": True,
                                "message": f"{CRED_HEAD} Additional Error Details: {reason}"}
    cid, began, ended, token_time, reason, n, n_failed = fail_errors[-1]
    last = execution(cid, began, w.later(ended, 1, 3), "Failed", n, 0, n_failed, job_error(reason))
    quarantine = {"currentBegan": iso(began_q), "nextAttempt": iso(T("2026-11-19 08:25:04.270318")),
                  "reason": "EncounteredQuarantineException", "seriesBegan": iso(began_q), "seriesCount": 3,
                  "error": job_error(fail_errors[0][4])}
    write_json(os.path.join(out, "job-status.json"),
               job_document(w, "Quarantine", last, last_ok, quarantine, 3, T("2026-09-03 11:42:17"),
                            last_ok_end, len(d.active), len(d.groups)))
    dupes = write_prov_pages(os.path.join(out, "provisioning-logs"), records, [150, 300], 3)

    # audit log
    audits = routine_audits(w, d.people, T("2026-11-16 07:30:00"), T("2026-11-18 09:00:00"), 20, 12, admin_ids)
    pre = [r for r in records if r["activityDateTime"] < "2026-11-17T14:02"]
    audits += sync_audits_for(w, pre, 24, 12)
    jordan = audit_user_actor("jordan", w.tenant_id, admin_ids)
    for i, (name, upn) in enumerate([("Kiosk Front Desk 01", "kiosk01@contoso.com"),
                                     ("Test User Migration", "test.migration@contoso.com"),
                                     ("Old Scanner Mailbox", "scanner.old@contoso.com")]):
        audits.append(audit_directory(w, T("2026-11-17 13:58:40") + secs(57 * i), "Delete user", "UserManagement",
                                      "Delete", jordan, [target(w.guid(), name, "User", upn)],
                                      [{"key": "UserType", "value": "Member"}]))
    the_delete = audit_directory(w, deleted_at, "Delete user", "UserManagement", "Delete", jordan, [target(
        admin_ids["svc"], "On-Premises Directory Synchronization Service Account", "User",
        f"ADToAADSyncServiceAccount@{INITIAL_DOMAIN}")], [{"key": "UserType", "value": "Member"}])
    audits.append(the_delete)
    for i, (cid, began, ended, token_time, reason, n, n_failed) in enumerate(fail_errors):
        audits.append(audit_sync(w, token_time, "Quarantine", "failure", f"{CRED_HEAD} Additional Error Details: "
                                 f"{reason}", "Quarantine", "AzureActiveDirectoryInvalidCredential",
                                 details=("The job was put in quarantine" if i == 0 else "The retry failed; the job "
                                          "stays in quarantine") + " (EncounteredQuarantineException)",
                                 extra=[{"key": "CycleId", "value": cid}]))
    failed = [r for r in records if r["provisioningStatusInfo"]["status"] == "failure"]
    for r in w.rng.sample(failed, 4):
        name = r["sourceIdentity"]["displayName"]
        audits.append(audit_sync(w, w.later(rec_time(r), 0.05, 0.9), "Export",
                                 "failure", r["provisioningStatusInfo"]["errorInformation"]["reason"],
                                 r["provisioningSteps"][-1]["name"], "AzureActiveDirectoryInvalidCredential",
                                 corr=r["changeId"], details=r["provisioningSteps"][-1]["description"]))
    write_audit_page(os.path.join(out, "audit-logs.json"), audits)

    # agent traces: a reboot for patching at 02:58Z on 11-17 starts a new file
    tr.add(T("2026-11-16 16:12:44.81"), "Warning", "Domain controller DC02.contoso.com did not answer the LDAP bind "
           "within 5 s; using DC01.contoso.com for this request.")
    tr.add(T("2026-11-17 19:03:09.55"), "Error", "Could not write the agent status cache C:\\ProgramData\\Microsoft\\"
           "Azure AD Connect Provisioning Agent\\AgentStatus.cache: The process cannot access the file because it is "
           "being used by another process.")
    tr.add(T("2026-11-17 19:03:11.02"), "Information", "Agent status cache written on the second attempt.")
    reboot, restart = T("2026-11-17 02:58:31.2"), T("2026-11-17 03:00:00.388")
    tr.add(reboot, "Information", "Shutdown requested (system restart); closing signaling listeners.",
           thread=1)
    tr.add(reboot + secs(1.4), "Information", "Provisioning agent shut down cleanly.", thread=1)
    trace_startup(tr, restart)
    trace_connected(tr, restart + secs(2.6))
    end = T("2026-11-18 09:18:03.5")
    trace_health(tr, T("2026-11-16 08:30:00"), T("2026-11-17 02:58:00"))
    trace_health(tr, T("2026-11-17 03:30:00"), end)
    tr.add(T("2026-11-18 09:15:02.6"), "Information", "Verbose tracing was switched on by AADCloudSyncTools.")
    tr.add(T("2026-11-18 09:18:02.9"), "Information", "Verbose tracing was switched off by AADCloudSyncTools.")
    members = {
        "AzureADConnectProvisioningAgent_20261116_080000.log": (tr.between(T("2026-11-16 00:00"), restart).render(),
                                                                reboot + secs(2)),
        "AzureADConnectProvisioningAgent_20261117_030000.log": (tr.between(restart, end).render(), end),
        "trace-agent-verbose-20261118-091502.log": (verbose_trace(w), T("2026-11-18 09:18:02")),
    }
    zip_bundle(os.path.join(out, "AADCloudProvisioningDiagnostics-20261118-091502.zip"), members)
    fixed = bundle_quarantine_fixed(w, d, pending, jordan, admin_ids)
    return out, [f"job {w.job_id}", f"deletion {the_delete['id']} at {the_delete['activityDateTime']}",
                 f"the fixed bundle: {fixed}",
                 f"quarantine seriesBegan/currentBegan {quarantine['currentBegan']}, nextAttempt "
                 f"{quarantine['nextAttempt']}", f"record ids repeated on two pages: {dupes}"]

def bundle_quarantine_fixed(w, d, pending, jordan, admin_ids):
    """The same case after the fix, as the customer's second bundle: on 11-18 at 09:31Z Jordan
    runs Repair-AADCloudSyncToolsAccount, which creates a new service account, and restarts sync at
    09:35Z. The next cycle exports the escrowed department changes; every cycle succeeds. Drawn
    from the quarantine bundle's world after that bundle is written, so it changes nothing of it."""
    out = os.path.join(HERE, "cloudsync-quarantine-credentials-fixed")
    tr, records = Trace(w), []
    repaired = T("2026-11-18 09:31:12.204")
    for i, t in enumerate(cycle_times(T("2026-11-18 09:36:00"), T("2026-11-18 12:16:00"))):
        changes = pending if i == 0 else d.changes(w.rng.randint(2, 7))
        cid, began, ended, recs = run_cycle(w, tr, t, changes)
        records += recs
    trace_health(tr, T("2026-11-18 09:20:00"), T("2026-11-18 12:40:00"))
    last_end = w.later(ended, 1, 3)
    last = execution(cid, began, last_end, "Succeeded", *counts(recs))
    write_json(os.path.join(out, "job-status.json"),
               job_document(w, "Active", last, last, None, 0, T("2026-09-03 11:42:17"),
                            last_end, len(d.active), len(d.groups)))
    write_prov_pages(out, records, single="provisioning-logs.json")
    audits = routine_audits(w, d.people, T("2026-11-18 09:00:00"), T("2026-11-18 12:30:00"), 6, 4, admin_ids)
    audits += sync_audits_for(w, records, 12, 6)
    audits.append(audit_directory(w, repaired, "Add user", "UserManagement", "Add", jordan, [target(
        w.guid(), "On-Premises Directory Synchronization Service Account", "User",
        f"ADToAADSyncServiceAccount@{INITIAL_DOMAIN}")], [{"key": "UserType", "value": "Member"}]))
    write_audit_page(os.path.join(out, "audit-logs.json"), audits)
    write_text(os.path.join(out, "Trace", "AzureADConnectProvisioningAgent_20261118_092000.log"), tr.render())
    return out

def verbose_trace(w):
    src, lines = VERBOSE_SOURCE, []
    add = lambda level, msg, *cont: lines.extend([f"{src} {level}: 0 : {msg}", *cont])
    add("Information", "Verbose trace listener attached (trace-agent-verbose-20261118-091502.log).")
    add("Verbose", "Effective configuration:", f"Domain: {DOMAIN}", "Domain controllers: DC01.contoso.com, "
        "DC02.contoso.com", "Scoping: OU=Staff,DC=contoso,DC=com (including sub-OUs)",
        f"Signaling endpoints: wss://{RELAY}/$hc/g-contoso-1, wss://{RELAY}/$hc/g-contoso-2")
    for i in range(6):
        add("Verbose", f"Polling signaling listener {i % 2 + 1} of 2: no pending messages.")
        if i % 2 == 1:
            add("Verbose", "LDAP connection pool:", "DC01.contoso.com: 2 open, 0 busy",
                "DC02.contoso.com: 1 open, 0 busy")
        add("Verbose", f"Keep-alive acknowledged by the service (round trip {w.rng.randint(38, 95)} ms).")
    add("Information", "Agent certificate valid until 2027-05-02T10:14:55Z; no renewal needed.")
    add("Verbose", "Password hash synchronization is disabled for this configuration; nothing to do.")
    for i in range(4):
        add("Verbose", f"Health report sent: agent {w.agent_id} Healthy, signaling listeners 2/2, pending requests 0.")
        add("Verbose", "Performance counters sampled:", f"CPU {w.rng.randint(1, 6)} %, working set "
            f"{w.rng.randint(180, 240)} MB", f"Requests served in the last hour: {w.rng.randint(0, 2)}")
    add("Information", "Verbose trace listener detached.")
    return "\n".join(lines) + "\n"

# ----------------------------------------------------------------------------- bundle 2

NO_AGENT_MSG = ("We're unable to find an active agent for the domain you're trying to sync. Please check to see if "
                "the agent is running by going to the server, where the agent is installed, and check to see if "
                "Microsoft Entra Connect cloud sync agent under Services is running.")

def socket_failure(tr, t, attempt):
    w = tr.w
    tr.add(t, "Verbose", f"Opening web socket to wss://{RELAY}/$hc/g-contoso-{attempt % 2 + 1} (attempt {attempt}).")
    stack = ["System.Net.WebSockets.WebSocketException (0x80004005): Unable to connect to the remote server "
             "---> System.Net.WebException: Unable to connect to the remote server ---> System.IO.IOException: "
             "An existing connection was forcibly closed by the remote host",
             "   at System.Net.WebSockets.WebSocketHandle.<ConnectAsyncCore>d__24.MoveNext()",
             "   at Microsoft.ApplicationProxy.Connector.Listeners.ConnectorSignalingWebSocket.<ConnectAsync>d__12"
             ".MoveNext()"]
    if attempt % 3 == 0:
        stack = ["  at Microsoft.ApplicationProxy.Connector.Listeners.ConnectorSignalingWebSocket.<ConnectAsync>d__12"
                 ".MoveNext()", "Retryable Operation is rethrowing error after failed with Exception:",
                 "  'System.Net.WebSockets.WebSocketException (0x80004005): Unable to connect to the remote server'"]
    tr.add(w.later(t, 20, 21), "Error", "Web socket failed to connect.", stack)
    tr.add(w.later(t, 21.1, 21.3), "Error", f"Error while establishing web socket connection to {RELAY}: connection "
           "attempt failed (An existing connection was forcibly closed by the remote host). Retrying in 00:04:00.")

def bundle_no_connectivity(base_people, base_groups, tenant_id, admin_ids):
    out = os.path.join(HERE, "agent-no-connectivity")
    w = World(1120, tenant_id)
    w.proxy = "proxy proxy01.contoso.com:8080"
    d = Directory(w, base_people, base_groups, new_hires=3, leavers=1)
    tr, records, blocked = Trace(w), [], T("2026-11-20 10:15:07.204")
    for t in cycle_times(T("2026-11-19 10:25:00"), T("2026-11-20 09:45:00")):
        in_file = t >= T("2026-11-20 07:00:00")
        cid, began, ended, recs = run_cycle(w, tr if in_file else None, t, d.changes(w.rng.randint(3, 8)))
        records += recs
    last_ok_end = w.later(ended, 1, 3)
    last_ok = execution(cid, began, last_ok_end, "Succeeded", *counts(recs))
    trace_startup(tr, T("2026-11-20 07:00:00.521"))
    trace_connected(tr, T("2026-11-20 07:00:02.77"))
    trace_health(tr, T("2026-11-20 07:10:00"), blocked, every_min=20)

    # 10:15Z: the proxy starts dropping connections to *.servicebus.windows.net
    tr.add(blocked, "Warning", "ServiceBusClientWebSocket was expecting more bytes; signaling listener 1 of 2 lost "
           "its connection.")
    tr.add(blocked + secs(0.8), "Error", "An existing connection was forcibly closed by the remote host",
           ["System.IO.IOException: Unable to read data from the transport connection: An existing connection was "
            "forcibly closed by the remote host. ---> System.Net.Sockets.SocketException (0x80004005): An existing "
            "connection was forcibly closed by the remote host",
            "   at System.Net.Sockets.NetworkStream.EndRead(IAsyncResult asyncResult)"])
    stop, restart, end = T("2026-11-20 13:29:41.3"), T("2026-11-20 13:30:00.402"), T("2026-11-20 15:40:00")
    t, attempt = blocked + secs(40), 1
    while t < end:
        if stop - secs(60) <= t < restart + secs(20):
            t = restart + secs(20)
            continue
        socket_failure(tr, t, attempt)
        if attempt % 7 == 0:
            tr.add(w.later(t, 22, 23), "Warning", "No signaling listener is connected; the agent cannot receive "
                   "requests from the service.")
        attempt += 1
        t += secs(w.rng.uniform(230, 290))
    tr.add(stop, "Information", "Shutdown requested by an administrator; closing signaling listeners.", thread=1)
    tr.add(stop + secs(1.1), "Information", "Provisioning agent shut down cleanly.", thread=1)
    trace_startup(tr, restart)
    write_text(os.path.join(out, "Trace", "AzureADConnectProvisioningAgent_20261120_070000.log"),
               tr.between(T("2026-11-20 00:00"), restart).render())
    write_text(os.path.join(out, "Trace", "AzureADConnectProvisioningAgent_20261120_133000.log"),
               tr.between(restart, end).render())

    fail_t = T("2026-11-20 10:25:00")
    began = w.later(fail_t, 1, 3)
    err = {"code": "HybridIdentityServiceNoActiveAgents", "message": NO_AGENT_MSG, "tenantActionable": True}
    failed_at = w.later(began, 30, 32)   # the service waits for an agent, then gives up
    last = execution(w.guid(), began, failed_at, "Failed", 0, 0, 0, err)
    quarantine = {"currentBegan": last["timeEnded"], "nextAttempt": iso(T("2026-11-20 16:25:33.918")),
                  "reason": "EncounteredQuarantineException", "seriesBegan": last["timeEnded"], "seriesCount": 1,
                  "error": dict(err)}
    write_json(os.path.join(out, "job-status.json"),
               job_document(w, "Quarantine", last, last_ok, quarantine, 1, T("2026-08-11 09:20:45"),
                            last_ok_end, len(d.active), len(d.groups)))
    write_prov_pages(out, records, single="provisioning-logs.json")
    audits = routine_audits(w, d.people, T("2026-11-19 10:00:00"), T("2026-11-20 15:30:00"), 8, 5, admin_ids)
    audits += sync_audits_for(w, records, 10, 4)
    write_audit_page(os.path.join(out, "audit-logs.json"), audits)
    return out, [f"job {w.job_id}", f"blocked from {iso(blocked)}",
                 f"quarantine began {quarantine['currentBegan']}, nextAttempt {quarantine['nextAttempt']}"]

# ----------------------------------------------------------------------------- bundle 3

def bundle_healthy(base_people, base_groups, tenant_id, admin_ids):
    out = os.path.join(HERE, "healthy")
    w = World(1121, tenant_id)
    d = Directory(w, base_people, base_groups, new_hires=4, leavers=2, skip_rate=0.025)
    tr, records = Trace(w), []
    trace_startup(tr, T("2026-11-21 06:00:00.318"))
    trace_connected(tr, T("2026-11-21 06:00:02.41"))
    for t in cycle_times(T("2026-11-21 06:05:00"), T("2026-11-22 06:05:00")):
        cid, began, ended, recs = run_cycle(w, tr, t, d.changes(w.rng.randint(6, 11)))
        records += recs
    trace_health(tr, T("2026-11-21 06:30:00"), T("2026-11-22 06:10:00"))
    last_end = w.later(ended, 1, 3)
    last = execution(cid, began, last_end, "Succeeded", *counts(recs))
    write_json(os.path.join(out, "job-status.json"),
               job_document(w, "Active", last, last, None, 0, T("2026-07-14 15:02:38"),
                            last_end, len(d.active), len(d.groups)))
    write_prov_pages(out, records, single="provisioning-logs.json")
    audits = routine_audits(w, d.people, T("2026-11-21 06:00:00"), T("2026-11-22 06:00:00"), 12, 8, admin_ids)
    audits += sync_audits_for(w, records, 20, 8)
    write_audit_page(os.path.join(out, "audit-logs.json"), audits)
    write_text(os.path.join(out, "Trace", "AzureADConnectProvisioningAgent_20261121_060000.log"), tr.render())
    return out, [f"job {w.job_id}"]

# ----------------------------------------------------------------------------- checks and summary

def record_counts(path):
    """[(name, records)]: JSON pages count value[] (json.loads also proves the file is valid), a job
    counts 1, traces count header lines; a zip gives one row per member."""
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            rows = [(f"    !/{n}", count_text(n, z.read(n).decode("utf-8"))) for n in z.namelist()]
        return [(os.path.relpath(path, HERE), sum(n for _, n in rows))] + rows
    with open(path, encoding="utf-8") as f:
        return [(os.path.relpath(path, HERE), count_text(path, f.read()))]

def count_text(name, text):
    if name.endswith(".json"):
        doc = json.loads(text)
        return len(doc["value"]) if "value" in doc else 1
    return len(re.findall(r"^\S.* (?:Information|Verbose|Warning|Error): 0 : ", text, re.M))

def check(folders):
    healthy = os.path.join(HERE, "healthy")
    endpoint = re.compile(r"(servicebus\.windows\.net|msappproxy\.net).{0,120}"
                          r"(fail|error|exception|refused|timed? ?out)", re.I)
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    blobs = [f.read()]
                if name.endswith(".zip"):
                    with zipfile.ZipFile(path) as z:
                        blobs = [z.read(n) for n in z.namelist()]
                for blob in blobs:
                    assert not blob.startswith(b"\xef\xbb\xbf") and b"\r" not in blob, path
                text = "".join(b.decode("utf-8") for b in blobs)
                if folder == healthy:
                    for bad in ("AADSTS", "InvalidCredential", "Web socket failed", "HybridIdentityService",
                                '"failure"', "Quarantine"):
                        assert bad not in text, (path, bad)
                    assert "quarantine" not in text.replace('"quarantine": null', ""), path
                if not folder.endswith("agent-no-connectivity"):
                    assert not endpoint.search(text), path

def main():
    base = World(2026)
    tenant_id = base.guid()
    people, groups = make_people(base)
    admin_ids = {k: base.guid() for k in list(ADMINS) + ["svc"] + CLOUD_GROUPS}
    for name in ("cloudsync-quarantine-credentials", "cloudsync-quarantine-credentials-fixed",
                 "agent-no-connectivity", "healthy"):
        shutil.rmtree(os.path.join(HERE, name), ignore_errors=True)
    results = [bundle_quarantine(people, groups, tenant_id, admin_ids),
               bundle_no_connectivity(people, groups, tenant_id, admin_ids),
               bundle_healthy(people, groups, tenant_id, admin_ids)]
    results.insert(1, (os.path.join(HERE, "cloudsync-quarantine-credentials-fixed"),
                       ["the quarantine case after Repair-AADCloudSyncToolsAccount and a restart"]))
    check([r[0] for r in results])
    print(f"{'file':<92} records")
    for folder, _ in results:
        for root, _, files in sorted(os.walk(folder)):
            for path in sorted(os.path.join(root, n) for n in files):
                for name, n in record_counts(path):
                    print(f"{name:<92} {n}")
    for folder, facts in results:
        print(f"\n{os.path.basename(folder)}:\n  " + "\n  ".join(facts))


if __name__ == "__main__":
    main()
