// The case facts are read from what the parsers stored, with no knowledge of one bundle's wording:
// tenant ids from job ids (<template>.<tenant id without dashes>.<guid>), domains from the UPNs
// of identities and actors, jobs from their status records and provisioning records, the agent
// version from a trace line that names a version (four dotted numbers), hosts from the event
// logs' computer names, and the trace lines that mention a proxy.
#include "analyzer/report/case_facts.h"

#include <re2/re2.h>

#include <map>
#include <set>
#include <string>

#include "analyzer/report/redact.h"
#include "analyzer/sqlite_util.h"

namespace syncdoctor {

namespace {

constexpr size_t kMaxDomains = 8;
constexpr size_t kMaxJobs = 20;
constexpr size_t kMaxAgents = 8;
constexpr size_t kMaxHosts = 8;
constexpr size_t kMaxProxyLines = 3;

// "70eb9a0a96264ae685e818fac0433cbd" as "70eb9a0a-9626-4ae6-85e8-18fac0433cbd"; "" when the
// text is not 32 hex digits.
std::string TenantGuid(std::string_view hex) {
  if (hex.size() != 32) return "";
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
  }
  std::string h(hex);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

Status LoadJobs(Index* index, CaseFacts* facts) {
  std::map<std::string, JobFact> jobs;
  Stmt st;
  // The latest status record of each job, then the provisioning records of every job.
  Status s = Stmt::Prepare(index->db(),
      "SELECT job_id, coalesce(activity, ''), coalesce(level, ''), coalesce(reason, ''), "
      "coalesce(error_code, ''), coalesce(time, 0) FROM event_rows e WHERE kind = 'job' AND job_id <> '' "
      "AND id = (SELECT id FROM event_rows x WHERE x.kind = 'job' AND x.job_id = e.job_id "
      "ORDER BY coalesce(x.time, 0) DESC, x.id DESC LIMIT 1)",
      &st);
  if (!s.ok()) return s;
  bool row = false;
  while ((s = st.Step(&row)).ok() && row) {
    JobFact& j = jobs[std::string(st.Text(0))];
    j.id = st.Text(0);
    j.template_id = st.Text(1);
    j.state = st.Text(2);
    j.reason = st.Text(3);
    j.error_code = st.Text(4);
    j.time = st.Int(5);
  }
  if (!s.ok()) return s;
  Stmt prov;
  s = Stmt::Prepare(index->db(),
      "SELECT job_id, count(*), sum(lower(level) IN ('failure', 'error')) FROM event_rows "
      "WHERE kind = 'provisioning' AND job_id <> '' GROUP BY job_id",
      &prov);
  if (!s.ok()) return s;
  while ((s = prov.Step(&row)).ok() && row) {
    JobFact& j = jobs[std::string(prov.Text(0))];
    j.id = prov.Text(0);
    j.records = prov.Int(1);
    j.failures = prov.Int(2);
    if (j.template_id.empty()) j.template_id = j.id.substr(0, j.id.find('.'));
  }
  if (!s.ok()) return s;
  std::set<std::string> tenants;
  for (auto& [id, j] : jobs) {
    size_t a = id.find('.'), b = a == std::string::npos ? a : id.find('.', a + 1);
    if (b != std::string::npos) {
      std::string guid = TenantGuid(std::string_view(id).substr(a + 1, b - a - 1));
      if (!guid.empty()) tenants.insert(guid);
    }
    if (facts->jobs.size() < kMaxJobs) facts->jobs.push_back(std::move(j));
  }
  facts->tenants.assign(tenants.begin(), tenants.end());
  return Status::Ok();
}

Status LoadDomains(Index* index, CaseFacts* facts) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "WITH names(n) AS (SELECT actor FROM event_rows WHERE actor LIKE '%_@_%.%' "
      "UNION ALL SELECT source_identity FROM event_rows WHERE source_identity LIKE '%_@_%.%' "
      "UNION ALL SELECT target_identity FROM event_rows WHERE target_identity LIKE '%_@_%.%') "
      "SELECT lower(substr(n, instr(n, '@') + 1)) AS d, count(*) FROM names "
      "WHERE instr(d, ' ') = 0 AND instr(d, ';') = 0 GROUP BY d ORDER BY 2 DESC, 1 LIMIT ?1",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, static_cast<int64_t>(kMaxDomains));
  bool row = false;
  while ((s = st.Step(&row)).ok() && row) facts->domains.emplace_back(std::string(st.Text(0)), st.Int(1));
  return s;
}

Status LoadAgent(Index* index, Redactor* redactor, CaseFacts* facts) {
  static const RE2 version(R"((?i)\bversion\b\D{0,20}(\d+\.\d+\.\d+\.\d+))");
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT e.message, s.path FROM event_rows e JOIN sources s ON s.id = e.source_id "
      "WHERE e.kind = 'trace' AND e.message LIKE '%version%' ORDER BY e.time, e.id LIMIT 2000",
      &st);
  if (!s.ok()) return s;
  std::set<std::string> seen;
  bool row = false;
  while ((s = st.Step(&row)).ok() && row) {
    std::string v;
    std::string_view first_line = st.Text(0).substr(0, st.Text(0).find('\n'));
    if (!RE2::PartialMatch(first_line, version, &v) || !seen.insert(v).second) continue;
    if (facts->agents.size() < kMaxAgents) facts->agents.emplace_back(v, std::string(st.Text(1)));
  }
  if (!s.ok()) return s;
  Stmt hosts;
  s = Stmt::Prepare(index->db(),
      "SELECT DISTINCT source_identity FROM event_rows WHERE kind = 'eventlog' AND "
      "coalesce(source_identity, '') <> '' ORDER BY 1 LIMIT ?1",
      &hosts);
  if (!s.ok()) return s;
  hosts.Bind(1, static_cast<int64_t>(kMaxHosts));
  while ((s = hosts.Step(&row)).ok() && row) facts->hosts.emplace_back(hosts.Text(0));
  if (!s.ok()) return s;
  Stmt proxy;
  s = Stmt::Prepare(index->db(),
      "SELECT DISTINCT substr(message, 1, 400) FROM event_rows WHERE kind = 'trace' AND "
      "message LIKE '%proxy%' AND message NOT LIKE '%Proxy.Connector%' ORDER BY 1 LIMIT ?1",
      &proxy);
  if (!s.ok()) return s;
  proxy.Bind(1, static_cast<int64_t>(kMaxProxyLines));
  while ((s = proxy.Step(&row)).ok() && row) {
    std::string text = redactor == nullptr ? std::string(proxy.Text(0)) : redactor->Apply(proxy.Text(0));
    facts->proxy.push_back(Excerpt(text, 160));
  }
  return s;
}

}  // namespace

Status LoadCaseFacts(Index* index, Redactor* redactor, Report* r) {
  Status s = LoadJobs(index, &r->facts);
  if (s.ok()) s = LoadDomains(index, &r->facts);
  if (s.ok()) s = LoadAgent(index, redactor, &r->facts);
  return s;
}

}  // namespace syncdoctor
