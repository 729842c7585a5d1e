// End-to-end tests of `syncdoctor diff OLD NEW`: findings resolved, persisting and new, job state
// changes, the exit code, index and bundle sides, the four formats and redaction. Derived
// bundles (renamed trace files, an edited job status) are made in a temporary folder.
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

using namespace e2e;  // NOLINT: test helpers

namespace {

// A string in single quotes for the shell of Run().
std::string Q(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

RunResult Diff(const std::string& old_side, const std::string& new_side, const std::string& options = "") {
  return Run("diff " + Q(old_side) + " " + Q(new_side) + " -q " + options);
}

std::vector<std::string> Keys(simdjson::dom::element e) {
  std::vector<std::string> out;
  for (auto kv : simdjson::dom::object(e)) out.emplace_back(kv.key);
  return out;
}

std::vector<std::string> Signatures(Report& r, const char* list) {
  std::vector<std::string> out;
  for (auto f : r.root[list].get_array()) out.push_back(Str(f["signature"]));
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The entry of `signature` in the finding list `list`; fails the test when there is none.
simdjson::dom::element Entry(Report& r, const char* list, const std::string& signature) {
  for (auto f : r.root[list].get_array()) {
    if (Str(f["signature"]) == signature) return f;
  }
  FAIL("no " << signature << " in " << list);
  return {};
}

simdjson::dom::element Job(Report& r, const std::string& job_id) {
  for (auto j : r.root["jobs"].get_array()) {
    if (Str(j["job_id"]) == job_id) return j;
  }
  FAIL("no job " << job_id);
  return {};
}

const std::string kMotivatingJob = "AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd.ac30bc1d-0f79-4bcb-895e-cd35758642cd";
const std::string kHealthyJob = "AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd.c1d01dcf-3e43-47f1-95e4-1c649d67a567";

// Two bundles of one job status each: the motivating job in quarantine, and the same job after
// the fix (status code Active).
void WriteJobBundles(const TempDir& tmp, std::string* quarantined, std::string* active) {
  *quarantined = tmp / "quarantined";
  *active = tmp / "active";
  fs::create_directories(*quarantined);
  fs::create_directories(*active);
  std::string status = ReadFile(kMotivating + "/job-status.json");
  std::ofstream(*quarantined + "/job-status.json", std::ios::binary) << status;
  const std::string code = "\"code\": \"Quarantine\"";
  size_t at = status.find(code);
  REQUIRE(at != std::string::npos);
  status.replace(at, code.size(), "\"code\": \"Active\"");
  // Fixed: the last run succeeded too (a failed last run of an Active job is a finding).
  const std::string failed = "\"state\": \"Failed\"";
  at = status.find(failed);
  REQUIRE(at != std::string::npos);
  status.replace(at, failed.size(), "\"state\": \"Succeeded\"");
  std::ofstream(*active + "/job-status.json", std::ios::binary) << status;
}

}  // namespace

TEST_CASE("diff: the motivating bundle against the healthy one resolves the quarantine and reports the jobs, exit 0",
          "[e2e][diff]") {
  RunResult r = Diff(kMotivating, kHealthy, "--format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Report j(r.out);
  CHECK(!bool(j.root["worse"]));
  std::vector<std::string> resolved = Signatures(j, "resolved");
  CHECK(Has(resolved, "CS-QUARANTINE-CREDENTIALS-INVALID"));
  CHECK(Has(resolved, "CS-SVCACCT-DELETED"));
  auto q = Entry(j, "resolved", "CS-QUARANTINE-CREDENTIALS-INVALID");
  CHECK(Str(q["scope"]) == kMotivatingJob);
  CHECK(Str(q["scope_kind"]) == "job");
  CHECK(Int(q["old"]["count"]) == 156);
  CHECK(Str(q["old"]["last_time"]) == "2026-11-18T08:29:05.000Z");
  CHECK(q["new"].is_null());
  CHECK(!Has(Signatures(j, "new_findings"), "CS-QUARANTINE-CREDENTIALS-INVALID"));
  CHECK(Signatures(j, "persisting").empty());
  // The quarantined job is gone from NEW, and NEW's job is Active. They do not share an id, so
  // a note says why nothing of a job can persist.
  auto old_job = Job(j, kMotivatingJob);
  CHECK(Str(old_job["change"]) == "only-old");
  CHECK(Str(old_job["old"]["status"]) == "Quarantine");
  CHECK(Str(old_job["old"]["reason"]) == "EncounteredQuarantineException");
  CHECK(old_job["new"].is_null());
  auto new_job = Job(j, kHealthyJob);
  CHECK(Str(new_job["change"]) == "only-new");
  CHECK(Str(new_job["new"]["status"]) == "Active");
  CHECK(!bool(new_job["worse"]));
  CHECK(simdjson::dom::array(j.root["notes"]).size() == 1);

  RunResult text = Diff(kMotivating, kHealthy);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("RESOLVED (3)\n  [CRITICAL] CS-QUARANTINE-CREDENTIALS-INVALID") != std::string::npos);
  CHECK(text.out.find(kMotivatingJob + ": only in OLD\n    old: Quarantine (EncounteredQuarantineException") !=
        std::string::npos);
  CHECK(text.out.find("Nothing got worse") != std::string::npos);
  // NEW's one finding is low: not worse by default, worse at --fail-on low.
  CHECK(Diff(kMotivating, kHealthy, "--fail-on low").exit_code == 1);
}

TEST_CASE("diff: the healthy bundle against the motivating one has new findings, exit 1", "[e2e][diff]") {
  RunResult r = Diff(kHealthy, kMotivating, "--format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  Report j(r.out);
  CHECK(bool(j.root["worse"]));
  auto q = Entry(j, "new_findings", "CS-QUARANTINE-CREDENTIALS-INVALID");
  CHECK(bool(q["worse"]));
  CHECK(q["old"].is_null());
  CHECK(Int(q["new"]["count"]) == 156);
  CHECK(!bool(Entry(j, "new_findings", "CS-SKIPPED-OUT-OF-SCOPE")["worse"]));  // low, under medium
  std::string reasons;
  for (auto s : j.root["worse_reasons"].get_array()) reasons += Str(s) + "\n";
  CHECK(reasons.find("new finding CS-QUARANTINE-CREDENTIALS-INVALID (critical) in job " + kMotivatingJob) !=
        std::string::npos);
  CHECK(reasons.find("job " + kMotivatingJob + " is in quarantine") != std::string::npos);
  RunResult text = Diff(kHealthy, kMotivating);
  CHECK(text.exit_code == 1);
  CHECK(text.out.find("VERDICT\n  Worse: ") != std::string::npos);
}

TEST_CASE("diff: a bundle against itself has every finding persisting and nothing new or resolved, exit 0",
          "[e2e][diff]") {
  RunResult r = Diff(kMotivating, kMotivating, "--format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Report j(r.out);
  CHECK(!bool(j.root["worse"]));
  CHECK(Signatures(j, "resolved").empty());
  CHECK(Signatures(j, "new_findings").empty());
  std::vector<std::string> persisting = Signatures(j, "persisting");
  CHECK(static_cast<int64_t>(persisting.size()) == Int(j.root["old"]["findings"]));
  CHECK(persisting.size() >= 3);
  for (auto f : j.root["persisting"].get_array()) {
    INFO(Str(f["signature"]));
    CHECK(Str(f["count_change"]) == "same");
    CHECK(Str(f["severity_change"]) == "same");
    CHECK(Int(f["old"]["count"]) == Int(f["new"]["count"]));
  }
  CHECK(Str(Job(j, kMotivatingJob)["change"]) == "unchanged");
  CHECK(simdjson::dom::array(j.root["notes"]).size() == 0);
}

TEST_CASE("diff: an index made by analyze --db compares like the bundle it was made from", "[e2e][diff]") {
  TempDir tmp;
  std::string db = tmp / "case.db";
  REQUIRE(Run("analyze " + Q(kMotivating) + " --db " + Q(db) + " -q --format json").exit_code == 0);
  RunResult from_index = Diff(db, kHealthy);
  RunResult from_bundle = Diff(kMotivating, kHealthy);
  INFO(from_index.err);
  REQUIRE(from_index.exit_code == 0);
  REQUIRE(from_bundle.exit_code == 0);
  CHECK(from_index.out.find("OLD  " + db + "  (index: 8 input files, 813 events") != std::string::npos);
  // Apart from the line that names the side, the two are the same.
  size_t a = from_index.out.find("\n  * "), b = from_bundle.out.find("\n  * ");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  CHECK(from_index.out.substr(a) == from_bundle.out.substr(b));
  RunResult json = Diff(kHealthy, db, "--format json");
  CHECK(json.exit_code == 1);
  Report j(json.out);
  CHECK(Str(j.root["old"]["source"]) == "bundle");
  CHECK(Str(j.root["new"]["source"]) == "index");
  CHECK(Has(Signatures(j, "new_findings"), "CS-QUARANTINE-CREDENTIALS-INVALID"));
}

TEST_CASE("diff: findings of trace files are matched by signature, not by file or folder name", "[e2e][diff]") {
  TempDir tmp;
  std::string renamed = tmp / "renamed";
  fs::copy(kNoAgent, renamed, fs::copy_options::recursive);
  REQUIRE(fs::is_directory(renamed + "/Trace"));
  fs::rename(renamed + "/Trace", renamed + "/AgentLogs");
  int n = 0;
  for (const auto& e : fs::directory_iterator(renamed + "/AgentLogs")) {
    fs::rename(e.path(), renamed + "/AgentLogs/agent-" + std::to_string(++n) + ".log");
  }
  REQUIRE(n >= 2);
  RunResult r = Diff(kNoAgent, renamed, "--format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Report j(r.out);
  CHECK(Signatures(j, "resolved").empty());
  CHECK(Signatures(j, "new_findings").empty());
  auto ws = Entry(j, "persisting", "AGT-WEBSOCKET-CONNECT-FAILED");
  CHECK(Str(ws["scope_kind"]) == "files");
  CHECK(Str(ws["scope"]) == "");
  CHECK(Int(ws["old"]["count"]) == Int(ws["new"]["count"]));
  CHECK(Int(ws["old"]["count"]) > 0);
  std::string old_files, new_files;
  for (auto f : ws["old"]["files"].get_array()) old_files += Str(f) + " ";
  for (auto f : ws["new"]["files"].get_array()) new_files += Str(f) + " ";
  CHECK(old_files.find("Trace/") != std::string::npos);
  CHECK(new_files.find("AgentLogs/") != std::string::npos);
  CHECK(new_files.find("Trace/") == std::string::npos);
}

TEST_CASE("diff: a job that leaves quarantine is cleared, and one that enters it is worse", "[e2e][diff]") {
  TempDir tmp;
  std::string quarantined, active;
  WriteJobBundles(tmp, &quarantined, &active);
  RunResult fixed = Diff(quarantined, active, "--format json");
  INFO(fixed.err);
  REQUIRE(fixed.exit_code == 0);
  Report a(fixed.out);
  auto job = Job(a, kMotivatingJob);
  CHECK(Str(job["change"]) == "quarantine-cleared");
  CHECK(Str(job["old"]["status"]) == "Quarantine");
  CHECK(Str(job["new"]["status"]) == "Active");
  CHECK(!bool(job["worse"]));
  RunResult text = Diff(quarantined, active);
  CHECK(text.out.find(kMotivatingJob + ": quarantine cleared\n") != std::string::npos);

  RunResult broke = Diff(active, quarantined, "--format json");
  REQUIRE(broke.exit_code == 1);
  Report b(broke.out);
  CHECK(Str(Job(b, kMotivatingJob)["change"]) == "quarantine-entered");
  CHECK(bool(Job(b, kMotivatingJob)["worse"]));
  CHECK(bool(b.root["worse"]));
}

TEST_CASE("diff: the JSON document has the documented keys in order and is the same byte for byte twice",
          "[e2e][diff]") {
  RunResult r = Diff(kMotivating, kNoAgent, "--format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 1);  // NEW has critical findings OLD has not
  Report j(r.out);
  CHECK(Keys(j.root) == std::vector<std::string>{"tool", "generated_at", "old", "new", "fail_on", "worse",
                                                  "worse_reasons", "notes", "resolved", "persisting",
                                                  "new_findings", "jobs"});
  CHECK(Str(j.root["generated_at"]) == "1970-01-01T00:00:00Z");  // SOURCE_DATE_EPOCH=0
  CHECK(Str(j.root["fail_on"]) == "medium");
  const std::vector<std::string> side = {"path", "source", "inputs", "events", "findings", "diagnosis"};
  CHECK(Keys(j.root["old"]) == side);
  CHECK(Keys(j.root["new"]) == side);
  CHECK(Int(j.root["old"]["inputs"]) == 9);
  CHECK(Int(j.root["old"]["events"]) == 813);
  const std::vector<std::string> entry = {"signature", "title", "severity", "scope", "scope_kind", "old",
                                          "new", "count_change", "severity_change", "worse"};
  const std::vector<std::string> side_finding = {"severity", "count", "first_time", "last_time", "files"};
  size_t entries = 0;
  for (const char* list : {"resolved", "persisting", "new_findings"}) {
    for (auto f : j.root[list].get_array()) {
      INFO(list << " " << Str(f["signature"]));
      CHECK(Keys(f) == entry);
      if (!f["old"].is_null()) CHECK(Keys(f["old"]) == side_finding);
      if (!f["new"].is_null()) CHECK(Keys(f["new"]) == side_finding);
      ++entries;
    }
  }
  CHECK(entries >= 6);
  // The agent's trace findings are new, matched over files.
  CHECK(Str(Entry(j, "new_findings", "AGT-WEBSOCKET-CONNECT-FAILED")["scope_kind"]) == "files");
  size_t jobs = 0;
  for (auto job : j.root["jobs"].get_array()) {
    CHECK(Keys(job) == std::vector<std::string>{"job_id", "change", "old", "new", "worse"});
    for (const char* s : {"old", "new"}) {
      if (!job[s].is_null()) CHECK(Keys(job[s]) == std::vector<std::string>{"status", "reason", "error_code", "time"});
    }
    ++jobs;
  }
  CHECK(jobs == 2);
  RunResult again = Diff(kMotivating, kNoAgent, "--format json --jobs 1");
  CHECK(again.out == r.out);
}

TEST_CASE("diff: markdown and html have their headings", "[e2e][diff]") {
  RunResult md = Diff(kMotivating, kHealthy, "--format markdown");
  INFO(md.err);
  REQUIRE(md.exit_code == 0);
  for (const char* h : {"# syncdoctor diff\n", "\n## Verdict\n", "\n## Resolved findings\n", "\n## Persisting findings\n",
                        "\n## New findings\n", "\n## Jobs\n", "| critical | CS-QUARANTINE-CREDENTIALS-INVALID |"}) {
    INFO(h);
    CHECK(md.out.find(h) != std::string::npos);
  }
  TempDir tmp;
  RunResult html = Diff(kMotivating, kHealthy, "--format html -o " + Q(tmp / "diff.html"));
  REQUIRE(html.exit_code == 0);
  CHECK(html.out.empty());
  std::string page = ReadFile(tmp / "diff.html");
  for (const char* h : {"<h1>syncdoctor diff</h1>", "<h2>Verdict</h2>", "<h2>Resolved findings (3)</h2>",
                        "<h2>Persisting findings (0)</h2>", "<h2>New findings (1)</h2>", "<h2>Jobs (2)</h2>",
                        "Content-Security-Policy\" content=\"default-src 'none'"}) {
    INFO(h);
    CHECK(page.find(h) != std::string::npos);
  }
  CHECK(page.find("<script") == std::string::npos);
}

TEST_CASE("diff: redact hides the UPN of the motivating bundle in every format", "[e2e][diff]") {
  const std::string upn = "jordan.lee@contoso.com";
  RunResult plain = Diff(kMotivating, kHealthy);
  REQUIRE(plain.out.find(upn) != std::string::npos);  // in OLD's diagnosis
  REQUIRE(plain.out.find("ac30bc1d-0f79-4bcb-895e-cd35758642cd") != std::string::npos);
  for (const char* format : {"text", "json", "markdown", "html"}) {
    INFO(format);
    RunResult r = Diff(kMotivating, kHealthy, std::string("--redact --redact-key case-4711 --format ") + format);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(upn) == std::string::npos);
    CHECK(r.out.find("contoso.com") == std::string::npos);
    CHECK(r.out.find("ac30bc1d-0f79-4bcb-895e-cd35758642cd") == std::string::npos);  // the job id's GUID
    CHECK(r.out.find("CS-QUARANTINE-CREDENTIALS-INVALID") != std::string::npos);
    // The same key gives the same document.
    CHECK(Diff(kMotivating, kHealthy, std::string("--redact --redact-key case-4711 --format ") + format).out == r.out);
  }
}

TEST_CASE("diff: text output neutralises control characters in names", "[e2e][diff]") {
  TempDir tmp;
  std::string evil = tmp / "bundle\x1b]52;c;ZWNobyBwd25lZA==\x07\xe2\x80\xae";
  fs::copy(kHealthy, evil, fs::copy_options::recursive);
  RunResult r = Diff(kHealthy, evil);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("bundle?]52;c;ZWNobyBwd25lZA==?<U+202E>") != std::string::npos);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find('\x07') == std::string::npos);
  CHECK(r.out.find("\xe2\x80\xae") == std::string::npos);
}

TEST_CASE("diff: usage errors exit 2 and a side with nothing readable exits 3", "[e2e][diff]") {
  TempDir tmp;
  CHECK(Run("diff " + Q(kHealthy)).exit_code == 2);
  CHECK(Run("diff " + Q(kHealthy) + " " + Q(kHealthy) + " " + Q(kHealthy)).exit_code == 2);
  CHECK(Diff(kHealthy, kHealthy, "--format csv").exit_code == 2);
  CHECK(Diff(kHealthy, kHealthy, "--fail-on severe").exit_code == 2);
  CHECK(Diff(kHealthy, kHealthy, "--redact-key k").exit_code == 2);
  fs::create_directories(tmp / "junk");
  std::ofstream(tmp / "junk/notes.txt") << "nothing a parser knows\n";
  RunResult junk = Diff(tmp / "junk", kHealthy);
  CHECK(junk.exit_code == 3);
  CHECK(junk.out.empty());
  CHECK(junk.err.find("diff: OLD " + (tmp / "junk") + ": nothing could be read") != std::string::npos);
  CHECK(Diff(kHealthy, tmp / "missing").exit_code == 3);
  // --output may not overwrite a side that is an index.
  std::string db = tmp / "case.db";
  REQUIRE(Run("analyze " + Q(kHealthy) + " --db " + Q(db) + " -q").exit_code == 0);
  RunResult onto = Diff(kMotivating, db, "-o " + Q(db));
  CHECK(onto.exit_code == 2);
  CHECK(ReadFile(db).compare(0, 16, std::string("SQLite format 3\0", 16)) == 0);  // not overwritten
  CHECK(Diff(db, db).exit_code == 0);
}

TEST_CASE("diff: help, man page and completion cover the command", "[e2e][diff]") {
  RunResult help = Run("diff --help");
  REQUIRE(help.exit_code == 0);
  for (const char* s : {"usage: syncdoctor diff OLD NEW", "--output FILE", "--fail-on SEVERITY (=medium)",
                        "--format FORMAT (=text)", "--redact-key KEY", "examples:\n  syncdoctor diff "}) {
    INFO(s);
    CHECK(help.out.find(s) != std::string::npos);
  }
  CHECK(Run("--help").out.find("\n  diff ") != std::string::npos);
  RunResult man = Run("--generate-man");
  CHECK(man.out.find(".SS diff\n") != std::string::npos);
  RunResult bash = Run("completion bash");
  CHECK(bash.out.find("diff) COMPREPLY=($(compgen -W \"text json markdown html\"") != std::string::npos);
  CHECK(bash.out.find("    diff) opts=\"--help --format --output --fail-on") != std::string::npos);
}

namespace e2e {

TEST_CASE("diff: the motivating case against its fixed bundle clears the quarantine and resolves its "
          "cause, and the other way round is worse",
          "[e2e][diff]") {
  const std::string fixed = kSource + "/samples/cloudsync-quarantine-credentials-fixed";
  RunResult r = Diff(kMotivating, fixed, "--format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Report j(r.out);
  CHECK(!bool(j.root["worse"]));
  std::vector<std::string> resolved = Signatures(j, "resolved");
  CHECK(Has(resolved, "CS-QUARANTINE-CREDENTIALS-INVALID"));
  CHECK(Has(resolved, "CS-SVCACCT-DELETED"));
  CHECK(Signatures(j, "new_findings").empty());
  auto job = Job(j, kMotivatingJob);
  CHECK(Str(job["change"]) == "quarantine-cleared");
  CHECK(Str(job["new"]["status"]) == "Active");

  RunResult back = Diff(fixed, kMotivating, "--format json");
  CHECK(back.exit_code == 1);
  Report b(back.out);
  CHECK(Str(Job(b, kMotivatingJob)["change"]) == "quarantine-entered");
  CHECK(Has(Signatures(b, "new_findings"), "CS-QUARANTINE-CREDENTIALS-INVALID"));
}

}  // namespace e2e
