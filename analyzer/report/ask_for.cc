// What to ask the customer for. The rule: a source is asked for when the bundle has none of it,
// or has it but not for the time of the failure (the first event of the earliest critical or
// high finding, else of the earliest finding). Each request says how to get the source (the
// PowerShell command, the Graph call, the portal steps), with the time filled in, and which of
// the shown findings it would confirm or rule out: those whose signatures read that kind of
// record.
#include "analyzer/report/ask_for.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "analyzer/sqlite_util.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kDay = 24 * kHour;

// The date a -Filter or $filter should start from: a day before the failure, to the second.
std::string FilterStart(int64_t failure) {
  std::string t = FormatTimestamp(failure - kDay);  // 2026-11-16T14:25:03.123Z
  return t.substr(0, 19) + "Z";
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A job template that runs through an on-premises agent: Cloud Sync (AD2AAD*), provisioning to
// AD (…ToAD, Entra2AD…), on-premises apps (ECMA).
bool AgentTemplate(const std::string& template_id) {
  std::string t = ToLower(template_id);
  return t.rfind("ad2aad", 0) == 0 || t.find("toad") != std::string::npos ||
         t.find("2ad") != std::string::npos || t.find("ecma") != std::string::npos ||
         t.find("onprem") != std::string::npos;
}

// The job templates the index knows: job status records name theirs, provisioning records carry
// it as the first part of their job id.
Status LoadTemplates(Index* index, std::set<std::string>* out) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT DISTINCT activity FROM event_rows WHERE kind = 'job' AND coalesce(activity, '') <> '' "
      "UNION SELECT DISTINCT substr(job_id, 1, instr(job_id, '.') - 1) FROM event_rows "
      "WHERE job_id LIKE '_%._%' AND kind IN ('provisioning', 'job')",
      &st);
  if (!s.ok()) return s;
  bool row = false;
  while ((s = st.Step(&row)).ok() && row) out->insert(std::string(st.Text(0)));
  return s;
}

std::vector<std::string> HowToGet(const std::string& kind, int64_t failure) {
  const std::string since = failure != 0 ? FilterStart(failure) : "<a day before the failure>";
  if (kind == "provisioning") {
    return {
        "PowerShell: Connect-MgGraph -Scopes AuditLog.Read.All; Get-MgAuditLogProvisioning -All "
        "-Filter \"activityDateTime ge " + since + "\" | ConvertTo-Json -Depth 10 | "
        "Out-File provisioning-logs.json",
        "Graph: GET https://graph.microsoft.com/v1.0/auditLogs/provisioning?$filter=activityDateTime "
        "ge " + since + " (every page: follow @odata.nextLink)",
        "Portal: Entra admin center > Monitoring & health > Provisioning logs; set the date range to "
        "cover " + since + " onwards; Download > JSON",
    };
  }
  if (kind == "audit") {
    return {
        "PowerShell: Connect-MgGraph -Scopes AuditLog.Read.All; Get-MgAuditLogDirectoryAudit -All "
        "-Filter \"activityDateTime ge " + since + "\" | ConvertTo-Json -Depth 10 | "
        "Out-File audit-logs.json",
        "Graph: GET https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$filter="
        "activityDateTime ge " + since + " (every page: follow @odata.nextLink)",
        "Portal: Entra admin center > Monitoring & health > Audit logs; set the date range; "
        "Download > JSON",
    };
  }
  if (kind == "job") {
    return {
        "PowerShell: Connect-MgGraph -Scopes Synchronization.Read.All; "
        "Get-MgServicePrincipalSynchronizationJob -ServicePrincipalId <service principal id> | "
        "ConvertTo-Json -Depth 10 | Out-File job-status.json (the id of the enterprise app, or of "
        "the Cloud Sync configuration's service principal)",
        "Graph: GET https://graph.microsoft.com/v1.0/servicePrincipals/<service principal id>/"
        "synchronization/jobs",
    };
  }
  // The agent: its trace files and the Windows event logs of its server.
  return {
      "On each provisioning agent server, in PowerShell as administrator: Import-Module "
      "\"C:\\Program Files\\Microsoft Azure AD Connect Provisioning Agent\\Utility\\AADCloudSyncTools\"; "
      "Export-AADCloudSyncToolsLogs (a zip of the agent's traces and event logs; send it whole)",
      "Or copy C:\\ProgramData\\Microsoft\\Azure AD Connect Provisioning Agent\\Trace\\*.log, and "
      "export the event logs: wevtutil epl Application Application.evtx; wevtutil epl System "
      "System.evtx",
  };
}

std::string SourceName(const std::string& kind) {
  if (kind == "provisioning") return "provisioning logs";
  if (kind == "audit") return "audit logs";
  if (kind == "job") return "job status";
  return "agent traces and event logs";
}

}  // namespace

Status BuildAskFor(Index* index, const std::vector<Signature>& signatures, Report* r) {
  std::map<std::string, const Signature*> by_id;
  for (const auto& s : signatures) by_id[s.id] = &s;

  // The failure's time: the earliest first event among the most severe shown findings.
  int64_t failure = 0;
  for (bool severe_only : {true, false}) {
    for (const auto& f : r->findings) {
      if (severe_only && f.severity > Severity::kHigh) continue;
      if (f.first_time != 0 && (failure == 0 || f.first_time < failure)) failure = f.first_time;
    }
    if (failure != 0) break;
  }

  // What the bundle has, per kind (traces and event logs count together as the agent's).
  std::map<std::string, int64_t> files;
  std::map<std::string, std::pair<int64_t, int64_t>> span;  // kind -> first, last
  for (const auto& in : r->inputs) {
    if (in.kind.empty() || in.kind == "bundle" || in.events == 0) continue;
    std::string kind = in.kind == "eventlog" ? "trace" : in.kind;
    ++files[kind];
    if (in.first_time == 0) continue;
    auto& [first, last] = span[kind];
    first = first == 0 ? in.first_time : std::min(first, in.first_time);
    last = std::max(last, in.last_time);
  }

  std::set<std::string> templates;
  Status s = LoadTemplates(index, &templates);
  if (!s.ok()) return s;
  bool agent = templates.empty() && files.count("provisioning") == 0;
  for (const auto& t : templates) agent |= AgentTemplate(t);
  for (const auto& f : r->findings) {
    for (const auto& ev : f.evidence) agent |= ev.kind == "trace" || ev.kind == "eventlog";
    auto it = by_id.find(f.signature);
    if (it == by_id.end()) continue;
    for (const auto& tag : it->second->tags) {
      agent |= tag == "provisioning-agent" || tag == "agent-connectivity" || tag == "ecma" ||
               tag == "on-premises-app" || tag == "password-writeback";
    }
  }

  for (const std::string kind : {"job", "provisioning", "audit", "trace"}) {
    if (kind == "trace" && !agent) continue;
    AskFor a;
    a.kind = kind;
    a.source = SourceName(kind);
    if (files.count(kind) == 0) {
      a.why = "the bundle has none";
    } else if (failure != 0 && kind != "job" && span.count(kind) > 0) {
      // A job status is a snapshot; logs must cover the failure, an hour either way.
      const auto& [first, last] = span[kind];
      if (last + kHour < failure) {
        a.why = "they end at " + FormatTimestamp(last) + ", before the failure at " + FormatTimestamp(failure);
      } else if (first > failure + kHour) {
        a.why = "they start at " + FormatTimestamp(first) + ", after the failure at " + FormatTimestamp(failure);
      }
    }
    if (a.why.empty()) continue;
    a.how = HowToGet(kind, failure);
    // The shown findings whose signatures read this kind of record (a signature that names its
    // kinds; one that reads every kind says nothing about this one).
    // Then the signatures those findings link to (the cause a quarantine points at, such as the
    // deleted account that only the audit log shows), which this source could make fire.
    auto reads = [&](const Signature& sig) {
      if (!sig.applies_to_narrowed) return false;
      if (kind == "trace") return sig.AppliesTo(EventKind::kTrace) || sig.AppliesTo(EventKind::kEventLog);
      return sig.AppliesTo(kind == "job" ? EventKind::kJob
                           : kind == "audit" ? EventKind::kAudit
                                             : EventKind::kProvisioning);
    };
    auto add = [&](const std::string& id) {
      if (std::find(a.findings.begin(), a.findings.end(), id) == a.findings.end()) a.findings.push_back(id);
    };
    for (const auto& f : r->findings) {
      auto it = by_id.find(f.signature);
      if (it != by_id.end() && reads(*it->second)) add(f.signature);
    }
    for (const auto& f : r->findings) {
      auto it = by_id.find(f.signature);
      if (it == by_id.end()) continue;
      for (const auto& link : it->second->links) {
        auto l = by_id.find(link);
        if (l != by_id.end() && reads(*l->second)) add(link);
      }
    }
    r->ask_for.push_back(std::move(a));
  }
  return Status::Ok();
}

}  // namespace syncdoctor
