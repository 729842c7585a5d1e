// Tests of findings: grouping by scope, supersedes, and count thresholds.
#include <catch2/catch.hpp>

#include "analyzer/findings.h"
#include "analyzer/ingest.h"

namespace syncdoctor {
namespace {

Signature Parse(const std::string& yaml) {
  Signature sig;
  Status s = ParseSignature(yaml, "signatures/test/" + std::string("X.yaml"), &sig);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return sig;
}

std::string SigYaml(const std::string& id, const std::string& extra) {
  return "id: " + id + "\ntitle: t\nseverity: high\nstatus: verified\ntags: [t]\n"
         "applies_to: [provisioning]\nmatch:\n  any:\n    - error_code: '^Boom$'\n" + extra +
         "cause: c\nfix: [f]\nreferences: [https://example.invalid]\nexamples:\n  match:\n"
         "    - {kind: provisioning, error_code: Boom}\n  no_match:\n    - {kind: provisioning, error_code: Calm}\n";
}

// Stores `n` failures with error code Boom in job `job`, spread over `cycles` cycles.
void AddFailures(Index* index, const Matcher& matcher, int64_t source, const std::string& job,
                 int n, int cycles, int* serial) {
  Matcher::Scratch scratch;
  std::vector<int> hits;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.kind = EventKind::kProvisioning;
    e.level = "failure";
    e.error_code = "Boom";
    e.job_id = job;
    e.cycle_id = "cycle-" + std::to_string(i % cycles);
    e.record_id = "r" + std::to_string((*serial)++);
    e.time_ms = 1794925510000 + i;
    e.loc.line = static_cast<uint64_t>(i + 1);
    bool inserted = false;
    int64_t id = 0;
    REQUIRE(index->InsertEvent(source, e, &inserted, &id).ok());
    REQUIRE(matcher.Match(e, &scratch, &hits).ok());
    for (int h : hits) REQUIRE(index->InsertMatch(matcher.signatures()[h].id, ScopeOf(e, "f"), id).ok());
  }
}

std::vector<std::pair<std::string, std::string>> Findings(Index* index) {
  Stmt st;
  REQUIRE(Stmt::Prepare(index->db(), "SELECT signature, scope FROM findings ORDER BY 1, 2", &st).ok());
  std::vector<std::pair<std::string, std::string>> out;
  bool row = false;
  while (st.Step(&row).ok() && row) out.emplace_back(st.Text(0), st.Text(1));
  return out;
}

}  // namespace

TEST_CASE("Findings: a count threshold keeps a signature quiet below its count", "[analyzer][findings]") {
  std::vector<Signature> sigs = {
      Parse(SigYaml("ESCROW-MANY", "threshold: {min_count: 10}\n")),
      Parse(SigYaml("ESCROW-ONE-CYCLE", "threshold: {min_count: 6, within: cycle}\n")),
      Parse(SigYaml("ANY-ONE", "")),
  };
  std::unique_ptr<Matcher> matcher;
  REQUIRE(Matcher::Build(&sigs, &matcher).ok());
  std::unique_ptr<Index> index;
  REQUIRE(Index::Open(":memory:", &index).ok());
  SourceRow src;
  src.bundle = "b";
  src.path = "p";
  src.sha256 = "s";
  REQUIRE(index->InsertSource(&src).ok());
  int serial = 0;
  AddFailures(index.get(), *matcher, src.id, "job-small", 4, 1, &serial);     // 4 in one cycle
  AddFailures(index.get(), *matcher, src.id, "job-spread", 12, 4, &serial);   // 12 over 4 cycles (3 each)
  AddFailures(index.get(), *matcher, src.id, "job-burst", 7, 1, &serial);     // 7 in one cycle
  REQUIRE(RebuildFindings(index.get(), sigs).ok());
  auto f = Findings(index.get());
  using P = std::pair<std::string, std::string>;
  CHECK(f == std::vector<P>{{"ANY-ONE", "job-burst"}, {"ANY-ONE", "job-small"}, {"ANY-ONE", "job-spread"},
                            {"ESCROW-MANY", "job-spread"}, {"ESCROW-ONE-CYCLE", "job-burst"}});
}

TEST_CASE("ParseSignature: a threshold must say how many, and per what", "[analyzer][findings]") {
  Signature sig;
  CHECK_FALSE(ParseSignature(SigYaml("X", "threshold: {within: job}\n"), "x.yaml", &sig).ok());
  Status s = ParseSignature(SigYaml("X", "threshold: {min_count: 5, within: week}\n"), "x.yaml", &sig);
  CHECK(s.message().find("within job or cycle") != std::string::npos);
  s = ParseSignature(SigYaml("X", "threshold: {min_count: 5, per: job}\n"), "x.yaml", &sig);
  CHECK(s.message().find("unknown key 'per'") != std::string::npos);
}

}  // namespace syncdoctor
