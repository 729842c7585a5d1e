// The knowledge base against the shared facts: every row of the Cloud Sync error-code table, fed as
// a job-status error, is flagged by the signature the catalog names for its code, and the report
// names that signature (not a generic one).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "analyzer/findings.h"
#include "analyzer/ingest.h"
#include "analyzer/matcher.h"

namespace syncdoctor {

TEST_CASE("Catalog: every Cloud Sync error code of the documentation is flagged by its signature",
          "[analyzer][catalog]") {
  // The documentation's table, carried by the project (tests/data/real/SOURCES.md).
  const std::string tsv = std::string(SYNCDOCTOR_SOURCE_DIR) + "/tests/data/real/corpus/cloudsync_error_codes_doc.tsv";
  std::ifstream in(tsv);
  REQUIRE(in.good());
  // Code -> catalog ID (known-failures.md, sections 2 and 3).
  const std::map<std::string, std::string> expected = {
      {"TimeOut", "CS-HIS-REQUEST-TIMEOUT"},
      {"HybridSynchronizationActiveDirectoryInternalServerError", "CS-AD-INTERNAL-SERVER-ERROR"},
      {"HybridIdentityServiceNoAgentsAssigned", "CS-HIS-NO-AGENTS-ASSIGNED"},
      {"HybridIdentityServiceNoActiveAgents", "CS-HIS-NO-ACTIVE-AGENTS"},
      {"HybridIdentityServiceInvalidResource", "CS-HIS-INVALID-RESOURCE"},
      {"HybridIdentityServiceAgentSignalingError", "CS-HIS-AGENT-SIGNALING-ERROR"},
      {"AzureDirectoryServiceServerBusy", "CS-DIRSVC-SERVER-BUSY"},
      {"AzureActiveDirectoryInvalidCredential", "CS-QUARANTINE-CREDENTIALS-INVALID"},
      {"AzureActiveDirectoryExpiredCredentials", "CS-SVCACCT-CREDENTIALS-EXPIRED"},
      {"AzureActiveDirectoryAuthenticationFailed", "CS-SVCACCT-AUTH-FAILED-UNEXPECTED"},
  };
  std::vector<Signature> sigs;
  REQUIRE(LoadSignatures("", &sigs).ok());
  std::unique_ptr<Matcher> matcher;
  REQUIRE(Matcher::Build(&sigs, &matcher).ok());
  std::unique_ptr<Index> index;
  REQUIRE(Index::Open(":memory:", &index).ok());
  SourceRow src;
  src.bundle = "b";
  src.path = "job.json";
  src.sha256 = "s";
  REQUIRE(index->InsertSource(&src).ok());

  std::string line;
  std::getline(in, line);  // header
  int rows = 0;
  Matcher::Scratch scratch;
  std::vector<int> hits;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string code, details;
    std::getline(cells, code, '\t');
    std::getline(cells, details, '\t');
    INFO(code);
    REQUIRE(expected.count(code) == 1);
    ++rows;
    Event e;
    e.kind = EventKind::kJob;
    e.level = "Quarantine";
    e.reason = "EncounteredQuarantineException";
    e.error_code = code;
    e.message = details;
    e.job_id = "AD2AADProvisioning.job-" + code;  // one job per row: one finding scope each
    e.record_id = e.job_id;
    REQUIRE(matcher->Match(e, &scratch, &hits).ok());
    std::vector<std::string> ids;
    for (int h : hits) ids.push_back(sigs[h].id);
    CHECK(std::find(ids.begin(), ids.end(), expected.at(code)) != ids.end());
    bool inserted = false;
    int64_t id = 0;
    REQUIRE(index->InsertEvent(src.id, e, &inserted, &id).ok());
    for (int h : hits) REQUIRE(index->InsertMatch(sigs[h].id, e.job_id, id).ok());
  }
  CHECK(rows == 10);

  // In the findings, the named signature is shown for its job and the generic quarantine
  // findings are hidden under it.
  REQUIRE(RebuildFindings(index.get(), sigs).ok());
  Stmt st;
  REQUIRE(Stmt::Prepare(index->db(), "SELECT scope, signature FROM findings WHERE hidden_by = ''", &st).ok());
  std::map<std::string, std::vector<std::string>> shown;
  bool row = false;
  while (st.Step(&row).ok() && row) shown[std::string(st.Text(0))].emplace_back(st.Text(1));
  for (const auto& [code, id] : expected) {
    INFO(code);
    const auto& ids = shown["AD2AADProvisioning.job-" + code];
    CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
    CHECK(std::find(ids.begin(), ids.end(), "PROV-JOB-QUARANTINED") == ids.end());
  }
}

}  // namespace syncdoctor
