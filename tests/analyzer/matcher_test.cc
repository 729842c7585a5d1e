// Tests of signature loading (analyzer/signature.h), the matcher (analyzer/matcher.h) and the
// built-in signatures' own examples (analyzer/signature_test_runner.h).
#include "analyzer/matcher.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "analyzer/signature.h"
#include "analyzer/signature_test_runner.h"
#include "parsers/formats.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

// A complete signature file around `applies_and_match` (the applies_to and match keys).
std::string SignatureYaml(const std::string& id, const std::string& applies_and_match) {
  return "id: " + id + "\n" + R"(title: A test signature
severity: high
status: verified
tags: [cloud-sync]
)" + applies_and_match + R"(cause: Something broke.
fix:
  - Fix it.
references: [https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/reference-error-codes]
examples:
  match:
    - {kind: job, error_code: X}
  no_match:
    - {kind: job, error_code: Y}
)";
}

Signature Parse(const std::string& yaml, const std::string& file = "test/SIG.yaml") {
  Signature sig;
  Status s = ParseSignature(yaml, file, &sig);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return sig;
}

std::string ParseError(const std::string& yaml, const std::string& file = "test/SIG.yaml") {
  Signature sig;
  Status s = ParseSignature(yaml, file, &sig);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == Status::Code::kInvalidInput);
  return s.message();
}

// Builds a matcher over `sigs` (which must outlive it).
std::unique_ptr<Matcher> Build(const std::vector<Signature>* sigs) {
  std::unique_ptr<Matcher> m;
  Status s = Matcher::Build(sigs, &m);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return m;
}

std::vector<int> Hits(const Matcher& m, const Event& e) {
  Matcher::Scratch scratch;
  std::vector<int> out;
  REQUIRE(m.Match(e, &scratch, &out).ok());
  return out;
}

Event MakeEvent(EventKind kind, const std::string& level, const std::string& error_code,
                const std::string& message) {
  Event e;
  e.kind = kind;
  e.level = level;
  e.error_code = error_code;
  e.message = message;
  return e;
}

const std::vector<int> kNone;
const std::vector<int> kFirst = {0};

}  // namespace

TEST_CASE("Matcher: every item of all must hold", "[analyzer][matcher]") {
  std::vector<Signature> sigs = {Parse(SignatureYaml("ALL-SIG", R"(applies_to: [job]
match:
  all:
    - error_code: '^AzureActiveDirectoryInvalidCredential$'
    - message: 'CredentialsInvalid\s+AADSTS50034'
)"))};
  auto m = Build(&sigs);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Quarantine", "AzureActiveDirectoryInvalidCredential",
                           "CredentialsInvalid AADSTS50034: The user account does not exist")) ==
        kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Quarantine", "AzureActiveDirectoryInvalidCredential",
                           "CredentialsExpired AADSTS50055")) == kNone);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Quarantine", "Other",
                           "CredentialsInvalid AADSTS50034")) == kNone);
  // Patterns search anywhere; the anchors make error_code exact.
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "", "xAzureActiveDirectoryInvalidCredential",
                           "CredentialsInvalid AADSTS50034")) == kNone);
}

TEST_CASE("Matcher: one item of any is enough", "[analyzer][matcher]") {
  std::vector<Signature> sigs = {Parse(SignatureYaml("ANY-SIG", R"(applies_to: [job, provisioning]
match:
  any:
    - error_code: '^HybridIdentityServiceNoAgentsAssigned$'
    - message: 'check to see if the agents have been removed'
)"))};
  auto m = Build(&sigs);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Quarantine", "HybridIdentityServiceNoAgentsAssigned",
                           "")) == kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kProvisioning, "failure", "",
                           "Please check to see if the agents have been removed")) == kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Quarantine", "HybridIdentityServiceNoActiveAgents",
                           "agents are inactive")) == kNone);
}

TEST_CASE("Matcher: all and any together need all of all and one of any", "[analyzer][matcher]") {
  std::vector<Signature> sigs = {Parse(SignatureYaml("BOTH-SIG", R"(applies_to: [provisioning]
match:
  all:
    - level: '^failure$'
  any:
    - error_code: '^EntryConflict$'
    - error_code: '^Conflict$'
)"))};
  auto m = Build(&sigs);
  CHECK(Hits(*m, MakeEvent(EventKind::kProvisioning, "failure", "Conflict", "")) == kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kProvisioning, "failure", "EntryConflict", "")) == kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kProvisioning, "success", "Conflict", "")) == kNone);
  CHECK(Hits(*m, MakeEvent(EventKind::kProvisioning, "failure", "Timeout", "")) == kNone);
}

TEST_CASE("Matcher: a multi-pair item holds only when all its pairs hold", "[analyzer][matcher]") {
  std::vector<Signature> sigs = {Parse(SignatureYaml("PAIR-SIG", R"(applies_to: [job, audit]
match:
  any:
    - {kind: '^job$', level: '^Quarantine$'}
    - {kind: '^audit$', activity: '^Quarantine$'}
)"))};
  REQUIRE(sigs[0].any.size() == 2);
  CHECK(sigs[0].any[0].pairs.size() == 2);
  auto m = Build(&sigs);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Quarantine", "", "")) == kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "Active", "", "")) == kNone);
  // An audit event with level Quarantine satisfies one pair of the first item only.
  CHECK(Hits(*m, MakeEvent(EventKind::kAudit, "Quarantine", "", "")) == kNone);
  Event audit = MakeEvent(EventKind::kAudit, "success", "", "");
  audit.activity = "Quarantine";
  CHECK(Hits(*m, audit) == kFirst);
  audit.activity = "Process escrow";
  CHECK(Hits(*m, audit) == kNone);
}

TEST_CASE("Matcher: events of kinds outside applies_to are never matched", "[analyzer][matcher]") {
  std::vector<Signature> sigs = {Parse(SignatureYaml("JOB-ONLY", R"(applies_to: [job]
match:
  any:
    - message: 'Web socket failed to connect'
)"))};
  CHECK(sigs[0].AppliesTo(EventKind::kJob));
  CHECK_FALSE(sigs[0].AppliesTo(EventKind::kTrace));
  auto m = Build(&sigs);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "", "", "Web socket failed to connect.")) == kFirst);
  CHECK(Hits(*m, MakeEvent(EventKind::kTrace, "Error", "", "Web socket failed to connect.")) ==
        kNone);
  CHECK(Hits(*m, MakeEvent(EventKind::kProvisioning, "", "", "Web socket failed to connect.")) ==
        kNone);
}

TEST_CASE("Matcher: patterns are case-sensitive unless they start with (?i)",
          "[analyzer][matcher]") {
  std::vector<Signature> sigs = {
      Parse(SignatureYaml("CASE-SENSITIVE", R"(applies_to: [job]
match:
  any:
    - message: 'credentialsinvalid'
)")),
      Parse(SignatureYaml("CASE-INSENSITIVE", R"(applies_to: [job]
match:
  any:
    - message: '(?i)credentialsinvalid'
)"))};
  auto m = Build(&sigs);
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "", "", "CredentialsInvalid AADSTS50034")) ==
        std::vector<int>{1});
  CHECK(Hits(*m, MakeEvent(EventKind::kJob, "", "", "credentialsinvalid")) ==
        std::vector<int>{0, 1});
}

TEST_CASE("Matcher: several matching signatures come back in signature order",
          "[analyzer][matcher]") {
  std::vector<Signature> sigs = {
      Parse(SignatureYaml("A-SIG", "applies_to: [job]\nmatch:\n  any:\n    - level: '^Quarantine$'\n")),
      Parse(SignatureYaml("B-SIG", "applies_to: [job]\nmatch:\n  any:\n    - level: '^Active$'\n")),
      Parse(SignatureYaml("C-SIG", "applies_to: [job]\nmatch:\n  any:\n    - reason: 'Exception'\n"))};
  auto m = Build(&sigs);
  Event e = MakeEvent(EventKind::kJob, "Quarantine", "", "");
  e.reason = "EncounteredQuarantineException";
  CHECK(Hits(*m, e) == std::vector<int>{0, 2});
  CHECK(&m->signatures() == &sigs);
}

TEST_CASE("Matcher: a pattern RE2 cannot compile fails the build, naming the signature",
          "[analyzer][matcher]") {
  std::vector<Signature> sigs = {
      Parse(SignatureYaml("GOOD-SIG", "applies_to: [job]\nmatch:\n  any:\n    - level: '^Quarantine$'\n")),
      Parse(SignatureYaml("BAD-PATTERN", R"(applies_to: [job]
match:
  any:
    - message: 'CredentialsInvalid (AADSTS50034'
)"),
            "sigs/BAD-PATTERN.yaml")};
  std::unique_ptr<Matcher> m;
  Status s = Matcher::Build(&sigs, &m);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == Status::Code::kInvalidInput);
  CHECK(s.message().find("BAD-PATTERN") != std::string::npos);
  CHECK(s.message() ==
        "sigs/BAD-PATTERN.yaml: signature BAD-PATTERN: bad pattern for message "
        "'CredentialsInvalid (AADSTS50034': missing ): CredentialsInvalid (AADSTS50034");
  CHECK(m == nullptr);
}

TEST_CASE("ParseSignature: a complete file loads with all its parts", "[analyzer][signature]") {
  Signature sig = Parse(SignatureYaml("FULL-SIG", R"(applies_to: [job, audit]
match:
  all:
    - level: '^Quarantine$'
)"),
                        "signatures/quarantine/FULL-SIG.yaml");
  CHECK(sig.id == "FULL-SIG");
  CHECK(sig.title == "A test signature");
  CHECK(sig.severity == Severity::kHigh);
  CHECK(sig.status == "verified");
  CHECK(sig.tags == std::vector<std::string>{"cloud-sync"});
  CHECK(sig.group == "quarantine");
  CHECK(sig.fix == std::vector<std::string>{"Fix it."});
  CHECK(sig.cause == "Something broke.");
  CHECK(sig.AppliesTo(EventKind::kAudit));
  CHECK_FALSE(sig.AppliesTo(EventKind::kProvisioning));
  REQUIRE(sig.all.size() == 1);
  REQUIRE(sig.all[0].pairs.size() == 1);
  CHECK(sig.all[0].pairs[0].first == EventField::kLevel);
  CHECK(sig.all[0].pairs[0].second == "^Quarantine$");
  REQUIRE(sig.examples.size() == 1);
  CHECK(sig.examples[0].event.kind == EventKind::kJob);
  CHECK(sig.examples[0].event.error_code == "X");
  CHECK(sig.examples[0].line == 16);
  REQUIRE(sig.counter_examples.size() == 1);
  CHECK(sig.counter_examples[0].event.error_code == "Y");
}

TEST_CASE("ParseSignature: an unknown top-level field is an error naming it and its line",
          "[analyzer][signature]") {
  std::string yaml = SignatureYaml("TYPO-SIG", R"(applies_to: [job]
match:
  any:
    - level: '^Quarantine$'
fixes:
  - Restart.
)");
  std::string msg = ParseError(yaml, "sigs/TYPO-SIG.yaml");
  CHECK(msg.find("unknown field") != std::string::npos);
  CHECK(msg == "sigs/TYPO-SIG.yaml:10: unknown field 'fixes'");
}

TEST_CASE("ParseSignature: a missing fix is an error", "[analyzer][signature]") {
  const std::string yaml = R"(id: NO-FIX
title: No fix
severity: low
status: inferred
tags: [cloud-sync]
applies_to: [job]
match:
  any:
    - level: '^Quarantine$'
cause: Something broke.
references: [https://example.com]
examples:
  match:
    - {kind: job, level: Quarantine}
  no_match:
    - {kind: job, level: Active}
)";
  std::string msg = ParseError(yaml, "sigs/NO-FIX.yaml");
  CHECK(msg.find("missing required field 'fix'") != std::string::npos);
  CHECK(msg == "sigs/NO-FIX.yaml:1: missing required field 'fix'");
}

TEST_CASE("ParseSignature: a severity outside the list is an error", "[analyzer][signature]") {
  std::string yaml = SignatureYaml("SEV-SIG", "applies_to: [job]\nmatch:\n  any:\n    - level: 'x'\n");
  const std::string from = "severity: high";
  yaml.replace(yaml.find(from), from.size(), "severity: urgent");
  std::string msg = ParseError(yaml, "sigs/SEV-SIG.yaml");
  CHECK(msg == "sigs/SEV-SIG.yaml:3: severity 'urgent' is not one of critical, high, medium, low, "
               "info");
}

TEST_CASE("ParseSignature: other schema errors name the problem", "[analyzer][signature]") {
  SECTION("an unknown event field in a pattern") {
    std::string msg = ParseError(
        SignatureYaml("F-SIG", "applies_to: [job]\nmatch:\n  any:\n    - error: 'x'\n"), "F.yaml");
    CHECK(msg == "F.yaml:9: unknown event field 'error'");
  }
  SECTION("an unknown kind in applies_to") {
    std::string msg = ParseError(
        SignatureYaml("K-SIG", "applies_to: [jobs]\nmatch:\n  any:\n    - level: 'x'\n"), "K.yaml");
    CHECK(msg == "K.yaml:6: unknown event kind 'jobs'");
  }
  SECTION("a match without conditions") {
    std::string msg = ParseError(
        SignatureYaml("M-SIG", "applies_to: [job]\nmatch:\n  any: []\n"), "M.yaml");
    CHECK(msg == "M.yaml:8: match needs at least one condition");
  }
  SECTION("YAML that does not parse") {
    std::string msg = ParseError("id: [unclosed\n", "Y.yaml");
    CHECK(msg.rfind("Y.yaml:", 0) == 0);
  }
}

TEST_CASE("Signatures: every built-in example matches and every counter-example does not",
          "[analyzer][signatures]") {
  std::vector<Signature> sigs;
  Status s = LoadSignatures("", &sigs);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(sigs.size() >= 8);
  for (size_t i = 1; i < sigs.size(); ++i) CHECK(sigs[i - 1].id < sigs[i].id);  // sorted by id
  auto m = Build(&sigs);
  ExampleResults results;
  REQUIRE(RunSignatureExamples(*m, &results).ok());
  for (const std::string& f : results.failures) UNSCOPED_INFO(f);
  CHECK(results.failed == 0);
  CHECK(results.failures.empty());
  size_t examples = 0;
  for (const Signature& sig : sigs) {
    CHECK_FALSE(sig.examples.empty());
    CHECK_FALSE(sig.counter_examples.empty());
    examples += sig.examples.size() + sig.counter_examples.size();
  }
  CHECK(static_cast<size_t>(results.passed) == examples);
}

TEST_CASE("Signatures: the runner reports an example that stops matching",
          "[analyzer][signatures]") {
  // The example says error_code X, but the signature now wants Z.
  std::vector<Signature> sigs = {Parse(SignatureYaml("DRIFT-SIG",
                                                     "applies_to: [job]\nmatch:\n  any:\n    - error_code: '^Z$'\n"),
                                       "sigs/DRIFT-SIG.yaml")};
  auto m = Build(&sigs);
  ExampleResults results;
  REQUIRE(RunSignatureExamples(*m, &results).ok());
  CHECK(results.failed == 1);
  CHECK(results.passed == 1);
  REQUIRE(results.failures.size() == 1);
  CHECK(results.failures[0] == "sigs/DRIFT-SIG.yaml:16: DRIFT-SIG: match example does not match");
}

namespace {

// The ids of the built-in signatures that fire on `e`, sorted.
std::vector<std::string> BuiltInHits(const Event& e) {
  static const std::vector<Signature> sigs = [] {
    std::vector<Signature> v;
    if (!LoadSignatures("", &v).ok()) v.clear();
    return v;
  }();
  REQUIRE_FALSE(sigs.empty());
  auto m = Build(&sigs);
  std::vector<std::string> ids;
  for (int i : Hits(*m, e)) ids.push_back(sigs[i].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_CASE("Matcher: parsed events fire the built-in signatures their fields are written for",
          "[analyzer][matcher]") {
  SECTION("a job quarantined because the sync account is gone") {
    auto parser = NewJobParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "job.json", R"({"id":"AD2AADProvisioning.30b5","templateId":"AD2AADProvisioning",
"status":{"code":"Quarantine","quarantine":{"reason":"EncounteredQuarantineException",
"error":{"code":"AzureActiveDirectoryInvalidCredential","message":"CredentialsInvalid AADSTS50034: The user account {EmailHidden} does not exist in the contoso.onmicrosoft.com directory."}}}})",
                        &sink).ok());
    REQUIRE(sink.events.size() == 1);
    // The generic ones and the bare AADSTS50034 hold too, but the specific signature supersedes
    // them on this very event, so the event counts for it alone.
    CHECK(BuiltInHits(sink.events[0]) == std::vector<std::string>{"CS-QUARANTINE-CREDENTIALS-INVALID"});
  }
  SECTION("an audit entry deleting the sync account") {
    auto parser = NewAuditGraphParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "audits.json", R"({"value":[{"id":"Directory_1","category":"UserManagement",
"result":"success","activityDisplayName":"Delete user",
"initiatedBy":{"user":{"userPrincipalName":"admin@contoso.com"},"app":null},
"targetResources":[{"id":"u1","type":"User","userPrincipalName":"ADToAADSyncServiceAccount@contoso.onmicrosoft.com"}]}]})",
                        &sink).ok());
    REQUIRE(sink.events.size() == 1);
    CHECK(BuiltInHits(sink.events[0]) == std::vector<std::string>{"CS-SVCACCT-DELETED"});
  }
  SECTION("an agent trace entry about the web socket") {
    auto parser = NewAgentTraceParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "trace.log",
                        "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.\n",
                        &sink).ok());
    REQUIRE(sink.events.size() == 1);
    CHECK(BuiltInHits(sink.events[0]) == std::vector<std::string>{"AGT-WEBSOCKET-CONNECT-FAILED"});
  }
  SECTION("an ordinary successful provisioning record fires nothing") {
    auto parser = NewProvisioningGraphParser();
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "p.json",
                        R"({"value":[{"id":"1","jobId":"j","provisioningAction":"create","provisioningStatusInfo":{"status":"success"}}]})",
                        &sink).ok());
    REQUIRE(sink.events.size() == 1);
    CHECK(BuiltInHits(sink.events[0]).empty());
  }
}

// The matcher compiles one RE2::Set per kind and field and remembers the hits of short values
// per set; one scratch reused across kinds and values must give what fresh matching gives.
TEST_CASE("Matcher: one scratch across kinds and repeated values gives the same hits as a fresh one",
          "[analyzer][matcher]") {
  std::vector<Signature> sigs = {
      Parse(SignatureYaml("TRACE-ERR", "applies_to: [trace]\nmatch:\n  any:\n    - level: '^Error$'\n")),
      Parse(SignatureYaml("JOB-ERR", R"(applies_to: [job]
match:
  all:
    - level: 'Err'
    - message: 'boom'
)")),
      Parse(SignatureYaml("BOTH-EMPTY", R"(applies_to: [job, trace]
match:
  all:
    - error_code: '^$'
    - message: 'boom'
)"))};
  auto m = Build(&sigs);
  std::vector<Event> events = {
      MakeEvent(EventKind::kTrace, "Error", "", "boom"),
      MakeEvent(EventKind::kJob, "Error", "", "boom"),
      MakeEvent(EventKind::kJob, "Error", "X1", "boom"),
      MakeEvent(EventKind::kTrace, "Error", "X1", "quiet"),
      MakeEvent(EventKind::kJob, "Warning", "", "boom"),
      MakeEvent(EventKind::kProvisioning, "Error", "", "boom"),
  };
  const std::vector<std::vector<int>> expected = {{0, 2}, {1, 2}, {1}, {0}, {2}, {}};
  Matcher::Scratch shared;
  for (int round = 0; round < 3; ++round) {  // the later rounds answer from the memo
    for (size_t i = 0; i < events.size(); ++i) {
      INFO("round " << round << ", event " << i);
      std::vector<int> out;
      REQUIRE(m->Match(events[i], &shared, &out).ok());
      CHECK(out == expected[i]);
      CHECK(Hits(*m, events[i]) == expected[i]);
    }
  }
}

}  // namespace syncdoctor

namespace syncdoctor {

TEST_CASE("ParseSignature: without examples, the rest of the file loads the same, wherever the examples sit",
          "[analyzer][signature]") {
  const std::string head = "id: X-A\ntitle: t\nseverity: low\nstatus: inferred\ntags: [x]\n"
                           "match:\n  any:\n    - code: '^FooBar$'\n";
  const std::string examples = "examples:\n  match:\n    - {kind: job, error_code: FooBar}\n"
                               "  # a comment inside\n  no_match:\n    - {kind: job, error_code: Foo}\n";
  const std::string tail = "cause: c\nfix: [f]\nreferences: [https://example.org]\n";
  for (const std::string& text : {head + examples + tail, head + tail + examples}) {
    Signature full, lean;
    REQUIRE(ParseSignature(text, "sigs/x/X-A.yaml", &full).ok());
    REQUIRE(ParseSignature(text, "sigs/x/X-A.yaml", &lean, LoadExamples::kNo).ok());
    CHECK(full.examples.size() == 1);
    CHECK(lean.examples.empty());
    CHECK(lean.cause == "c");
    CHECK(lean.references == full.references);
    CHECK(lean.any.size() == 1);
    CHECK(lean.text == full.text);  // the fingerprint sees the whole file either way
  }
  // Without examples a file may not load fully, but missing examples still fail a full load.
  Signature none;
  CHECK(ParseSignature(head + tail, "sigs/x/X-A.yaml", &none, LoadExamples::kNo).ok());
  CHECK_FALSE(ParseSignature(head + tail, "sigs/x/X-A.yaml", &none).ok());
}

}  // namespace syncdoctor
