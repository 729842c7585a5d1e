// End-to-end tests: run the built syncdoctor on samples/ and the shared corpus of real files and
// check the JSON report, the exit codes and the index.
#include <re2/re2.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "parsers/json_records.h"

namespace fs = std::filesystem;

#include "tests/e2e/e2e_util.h"

using namespace e2e;  // NOLINT: test helpers

namespace {

// Counts the records of a file independently of syncdoctor's parsers: JSON pages and arrays by
// their elements, NDJSON by non-blank lines, agent traces by header lines.
int64_t CountRecords(const std::string& path) {
  std::string text = ReadFile(path);
  if (path.size() > 7 && path.substr(path.size() - 7) == ".ndjson") {
    int64_t n = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) n += line.find_first_not_of(" \r\t") != std::string::npos;
    return n;
  }
  if (path.size() > 5 && path.substr(path.size() - 5) == ".json") {
    syncdoctor::StripTrailingCommas(&text);
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    simdjson::padded_string ps(text);
    REQUIRE(p.parse(ps).get(doc) == simdjson::SUCCESS);
    if (doc.is_array()) return static_cast<int64_t>(doc.get_array().size());
    simdjson::dom::element value;
    if (doc["value"].get(value) == simdjson::SUCCESS && value.is_array()) {
      return static_cast<int64_t>(value.get_array().size());
    }
    return 1;
  }
  if (path.size() > 4 && path.substr(path.size() - 4) == ".log") {
    static const RE2 header(R"(^\S.*? (Critical|Error|Warning|Information|Verbose|Start|Stop|Suspend|Resume|Transfer): -?\d+ : )");
    int64_t n = 0;
    bool first = true;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \r\t") == std::string::npos && first) continue;
      bool is_header = RE2::PartialMatch(line, header);
      if (first && !is_header) ++n;  // lines before the first header are one entry
      first = false;
      n += is_header;
    }
    return n;
  }
  return -1;
}

}  // namespace

TEST_CASE("analyze: the motivating sample names the deleted service account with cause, fix and evidence",
          "[e2e]") {
  RunResult r = Run("analyze '" + kMotivating + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  std::set<std::string> sigs = rep.Signatures();
  CHECK(sigs.count("CS-QUARANTINE-CREDENTIALS-INVALID") == 1);
  CHECK(sigs.count("CS-SVCACCT-DELETED") == 1);
  CHECK(sigs.count("CS-HIS-NO-ACTIVE-AGENTS") == 0);
  CHECK(sigs.count("AGT-WEBSOCKET-CONNECT-FAILED") == 0);
  // The generic quarantine findings are superseded by the specific one and listed as related.
  CHECK(sigs.count("PROV-JOB-QUARANTINED") == 0);
  auto f = rep.Finding("CS-QUARANTINE-CREDENTIALS-INVALID");
  CHECK(Str(f["severity"]) == "critical");
  CHECK(Str(f["cause"]).find("ADToAADSyncServiceAccount") != std::string::npos);
  bool repair = false;
  for (auto step : f["fix"].get_array()) repair |= Str(step).find("Repair-AADCloudSyncToolsAccount") != std::string::npos;
  CHECK(repair);
  std::set<std::string> related;
  for (auto x : f["related"].get_array()) related.insert(Str(x));
  CHECK(related.count("PROV-JOB-QUARANTINED") == 1);
  CHECK(related.count("CS-SVCACCT-DELETED") == 1);
  auto evidence = f["evidence"].get_array();
  REQUIRE(evidence.size() >= 2);
  std::set<std::string> kinds;
  for (auto ev : evidence) {
    CHECK(Int(ev["line"]) > 0);
    CHECK(!Str(ev["path"]).empty());
    // The excerpt shows the text that matched.
    std::string excerpt = Str(ev["excerpt"]);
    CHECK((excerpt.find("AADSTS50034") != std::string::npos ||
           excerpt.find("service account that is used to run") != std::string::npos));
    kinds.insert(Str(ev["kind"]));
  }
  CHECK(kinds.count("job") == 1);
  CHECK(kinds.count("provisioning") == 1);
  // The diagnosis tells who deleted the account and when.
  auto diag = rep.root["diagnosis"].get_array();
  REQUIRE(diag.size() >= 1);
  std::string headline = Str(diag.at(0)["headline"]);
  CHECK(headline.find("jordan.lee@contoso.com") != std::string::npos);
  CHECK(headline.find("2026-11-17T14:02:11") != std::string::npos);
  // How long the job has been in quarantine ("now" = the newest event), and what dominates.
  CHECK(headline.find("In quarantine since 2026-11-17T14:25:03.123Z, 18 hours before the newest event; "
                      "the job is disabled after 4 weeks of quarantine, about 27 days after that event") !=
        std::string::npos);
  CHECK(headline.find("148 failed records for this job, 148 of them AzureActiveDirectoryInvalidCredential") !=
        std::string::npos);
  // The agent was healthy at the time: its trace around the failure shows no error.
  CHECK(headline.find("The agent's 12 trace entries within an hour of it show no error") != std::string::npos);
  CHECK(Str(diag.at(0)["next_step"]).find("Repair-AADCloudSyncToolsAccount") != std::string::npos);
}

TEST_CASE("analyze: the text report puts the diagnosis first and shows evidence as path:line",
          "[e2e]") {
  RunResult r = Run("analyze '" + kMotivating + "'");
  REQUIRE(r.exit_code == 0);
  size_t diag = r.out.find("DIAGNOSIS");
  size_t findings = r.out.find("FINDINGS");
  REQUIRE(diag != std::string::npos);
  REQUIRE(findings != std::string::npos);
  CHECK(diag < findings);
  CHECK(r.out.find("[CRITICAL] CS-QUARANTINE-CREDENTIALS-INVALID") != std::string::npos);
  CHECK(r.out.find("job-status.json:1 ") != std::string::npos);
  CHECK(r.out.find("\x1b[") == std::string::npos);  // no colour when stdout is not a terminal
}

TEST_CASE("analyze: the agent-connectivity sample links no active agents to the web socket failures",
          "[e2e]") {
  RunResult r = Run("analyze '" + kNoAgent + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto sigs = rep.Signatures();
  CHECK(sigs.count("CS-HIS-NO-ACTIVE-AGENTS") == 1);
  CHECK(sigs.count("AGT-WEBSOCKET-CONNECT-FAILED") == 1);
  CHECK(sigs.count("CS-QUARANTINE-CREDENTIALS-INVALID") == 0);
  CHECK(sigs.count("CS-SVCACCT-DELETED") == 0);
  auto diag = rep.root["diagnosis"].get_array();
  REQUIRE(diag.size() >= 1);
  std::set<std::string> in_story;
  for (auto x : diag.at(0)["findings"].get_array()) in_story.insert(Str(x));
  CHECK(in_story.count("CS-HIS-NO-ACTIVE-AGENTS") == 1);
  CHECK(in_story.count("AGT-WEBSOCKET-CONNECT-FAILED") == 1);
  // The agent's errors around the time the job failed are named.
  CHECK(Str(diag.at(0)["headline"]).find("The agent logged 33 errors within an hour of it") != std::string::npos);
}

TEST_CASE("analyze: the healthy sample has no finding at high or critical", "[e2e]") {
  RunResult r = Run("analyze '" + kHealthy + "' --format json --fail-on high");
  CHECK(r.exit_code == 0);
  Report rep(r.out);
  CHECK(Int(rep.root["summary"]["by_severity"]["critical"]) == 0);
  CHECK(Int(rep.root["summary"]["by_severity"]["high"]) == 0);
  CHECK(Int(rep.root["summary"]["events"]) > 500);
  CHECK(Int(rep.root["summary"]["unparsed"]) == 0);
}

TEST_CASE("analyze: every input is accounted for and events + unparsed + duplicates = records",
          "[e2e]") {
  for (const std::string& bundle : {kMotivating, kNoAgent, kHealthy, kRealCorpus, kCorpus}) {
    if (!fs::exists(bundle)) continue;  // the shared corpus is optional
    INFO(bundle);
    RunResult r = Run("analyze '" + bundle + "' --format json");
    REQUIRE(r.exit_code == 0);
    Report rep(r.out);
    auto inputs = rep.Inputs();
    // Every file of the folder is an input (archive entries come on top).
    for (const auto& entry : fs::recursive_directory_iterator(bundle)) {
      if (!entry.is_regular_file()) continue;
      std::string rel = fs::relative(entry.path(), bundle).generic_string();
      INFO(rel);
      REQUIRE(inputs.count(rel) == 1);
      auto in = inputs[rel];
      std::string status = Str(in["status"]);
      CHECK((status == "parsed" || status == "partial" || status == "skipped" || status == "failed"));
      if (status == "skipped" || status == "failed") CHECK(!Str(in["reason"]).empty());
      CHECK(Int(in["events"]) + Int(in["unparsed"]) + Int(in["duplicates"]) == Int(in["records"]));
      int64_t expected = CountRecords(entry.path().string());
      if (status != "skipped" && expected >= 0 && Str(in["kind"]) != "bundle") {
        CHECK(Int(in["records"]) == expected);
      }
    }
    for (auto& [path, in] : inputs) {
      CHECK(Int(in["events"]) + Int(in["unparsed"]) + Int(in["duplicates"]) == Int(in["records"]));
    }
  }
}

TEST_CASE("analyze: the real corpus files get the formats and statuses they should", "[e2e][corpus]") {
  if (!fs::exists(kCorpus)) return;
  RunResult r = Run("analyze '" + kCorpus + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  auto format = [&](const char* p) { return Str(in.at(p)["format"]); };
  auto status = [&](const char* p) { return Str(in.at(p)["status"]); };
  CHECK(format("graph_v1_provisioning_list_success.json") == "provisioning-graph-json");
  CHECK(status("graph_v1_provisioning_list_success.json") == "parsed");
  CHECK(Int(in.at("graph_v1_provisioning_list_success.json")["events"]) == 1);
  auto warnings = in.at("graph_v1_provisioning_list_success.json")["warnings"].get_array();
  REQUIRE(warnings.size() == 1);
  CHECK(Str(warnings.at(0)).find("trailing comma") != std::string::npos);
  CHECK(format("graph_beta_provisioning_list_error.json") == "provisioning-graph-json");
  CHECK(format("graph_v1_synchronizationjob_get_quarantine.json") == "job-graph-json");
  CHECK(format("graph_beta_cloudsync_job_create_response.json") == "job-graph-json");
  CHECK(format("diag_provisioninglogs_eventhub.ndjson") == "provisioning-diagnostic-json");
  CHECK(format("diag_auditlogs_eventhub.ndjson") == "audit-diagnostic-json");
  CHECK(format("graph_v1_directoryaudits_list_example1.json") == "audit-graph-json");
  CHECK(format("agent_trace_excerpt_websocket_failure.log") == "agent-trace");
  CHECK(format("agent_trace_excerpt_metrics_collector.log") == "agent-trace");
  CHECK(Int(in.at("agent_trace_excerpt_websocket_failure.log")["events"]) == 1);
  CHECK(in.at("pta_agent_trace_doc_sample.log")["warnings"].get_array().size() == 1);
  CHECK(status("SOURCES.md") == "skipped");
  CHECK(status("cloudsync_error_codes_doc.tsv") == "skipped");
  // Event logs: every record libevtx can read, the damaged chunk reported as a warning.
  CHECK(format("evtx/system.evtx") == "evtx");
  CHECK(Str(in.at("evtx/system.evtx")["encoding"]) == "binary");
  CHECK(Int(in.at("evtx/system.evtx")["events"]) == 1881);
  CHECK(Int(in.at("evtx/Application_no_crc32.evtx")["events"]) == 17);
  auto bad_chunk = in.at("evtx/sample_with_a_bad_chunk_magic.evtx");
  CHECK(Str(bad_chunk["status"]) == "parsed");
  CHECK(Int(bad_chunk["events"]) >= 267);
  REQUIRE(bad_chunk["warnings"].get_array().size() >= 1);
  CHECK(Str(bad_chunk["warnings"].get_array().at(0)).find("corrupted") != std::string::npos);
  // The web socket failure of the real trace excerpt is found.
  CHECK(rep.Signatures().count("AGT-WEBSOCKET-CONNECT-FAILED") == 1);
  // Error codes that no signature covers are listed.
  std::set<std::string> unknown;
  for (auto u : rep.root["unknown_codes"].get_array()) unknown.insert(Str(u["code"]));
  // An error code is either covered by a signature's finding or listed as unknown: never silent.
  CHECK((rep.Signatures().count("SCIM-CONFLICT") == 1 || unknown.count("ContosoEntryConflict") == 1));
}

TEST_CASE("analyze: a second run on the same --db changes nothing and the JSON is byte-identical",
          "[e2e][index]") {
  TempDir tmp;
  std::string db = tmp / "case.db";
  RunResult a = Run("analyze '" + kMotivating + "' --db '" + db + "' --format json");
  RunResult b = Run("analyze '" + kMotivating + "' --db '" + db + "' --format json");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK(a.out == b.out);
  CHECK(b.err.find("0 read") != std::string::npos);
  // A fresh index gives the same report too (deterministic output).
  RunResult c = Run("analyze '" + kMotivating + "' --format json");
  CHECK(c.out == a.out);
  // report on the existing index gives the same JSON.
  RunResult d = Run("report --db '" + db + "' --format json");
  CHECK(d.exit_code == 0);
  CHECK(d.out == a.out);
}

TEST_CASE("analyze: re-running on an indexed archive, or the same folder spelled differently, is a no-op",
          "[e2e][index]") {
  TempDir tmp;
  std::string db = tmp / "r.db";
  std::string zip = kMotivating + "/AADCloudProvisioningDiagnostics-20261118-091502.zip";
  RunResult a = Run("analyze '" + zip + "' --db '" + db + "' --format json");
  RunResult b = Run("analyze '" + zip + "' --db '" + db + "' --format json");
  REQUIRE(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  CHECK(b.out == a.out);
  CHECK(b.err.find("1 file: 0 read, 1 already indexed") != std::string::npos);
  std::string db2 = tmp / "s.db";
  RunResult c = Run("analyze '" + kHealthy + "' --db '" + db2 + "' --format json");
  RunResult d = Run("analyze '" + kHealthy + "/.' --db '" + db2 + "' --format json");
  CHECK(d.exit_code == 0);
  CHECK(d.out == c.out);
  CHECK(d.err.find("0 read, 4 already indexed") != std::string::npos);
}

TEST_CASE("analyze: a file rewritten in place with its size and time kept is read again",
          "[e2e][index]") {
  // A re-run takes a file's hash from the index when device, inode, size, mtime and ctime are
  // those recorded; a rewrite changes ctime even when size and mtime are put back.
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::string file = tmp / "b/job.json";
  fs::copy_file(kMotivating + "/job-status.json", file);
  std::string db = tmp / "x.db";
  RunResult a = Run("analyze '" + (tmp / "b") + "' --db '" + db + "' --format json");
  REQUIRE(a.exit_code == 0);
  RunResult keys = Run("query --db '" + db + "' --format csv \"SELECT count(*) FROM sources WHERE stat_key LIKE '%:%:%:%:%'\"");
  CHECK(keys.out == "count(*)\n1\n");
  RunResult same = Run("analyze '" + (tmp / "b") + "' --db '" + db + "' --format json");
  CHECK(same.err.find("1 file: 0 read, 1 already indexed") != std::string::npos);
  CHECK(same.out == a.out);

  auto mtime = fs::last_write_time(file);
  std::string text = ReadFile(file);
  size_t at = text.find("Quarantine");
  REQUIRE(at != std::string::npos);
  text.replace(at, 10, "Quarantinf");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::last_write_time(file, mtime);
  RunResult b = Run("analyze '" + (tmp / "b") + "' --db '" + db + "' --format json");
  CHECK(b.exit_code == 0);
  CHECK(b.err.find("1 file: 1 read, 0 already indexed") != std::string::npos);
}

TEST_CASE("analyze: a second copy of a file is skipped, naming the copy already indexed", "[e2e][index]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  fs::copy_file(kMotivating + "/job-status.json", tmp / "b/a.json");
  fs::copy_file(kMotivating + "/job-status.json", tmp / "b/z-copy.json");
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  CHECK(Str(in.at("a.json")["status"]) == "parsed");
  CHECK(Str(in.at("z-copy.json")["status"]) == "skipped");
  CHECK(Str(in.at("z-copy.json")["reason"]) == "same content as a.json, already indexed");
  // With workers the copy is seen before either file is stored, and the report is the same.
  CHECK(Run("analyze '" + (tmp / "b") + "' --format json --jobs 2").out == r.out);
}

TEST_CASE("analyze: archives are read in memory, nested ones included, with their inner paths",
          "[e2e][bundle]") {
  TempDir tmp;
  fs::create_directories(tmp / "pack");
  fs::copy_file(kMotivating + "/AADCloudProvisioningDiagnostics-20261118-091502.zip",
                tmp / "pack/diag.zip");
  fs::copy_file(kMotivating + "/job-status.json", tmp / "pack/job-status.json");
  std::string tar = "tar -C '" + (tmp / "pack") + "' -czf '" + (tmp / "bundle.tar.gz") + "' .";
  REQUIRE(std::system(tar.c_str()) == 0);
  RunResult r = Run("analyze '" + (tmp / "bundle.tar.gz") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  std::string trace = "bundle.tar.gz!/./diag.zip!/AzureADConnectProvisioningAgent_20261116_080000.log";
  REQUIRE(in.count(trace) == 1);
  CHECK(Str(in.at(trace)["format"]) == "agent-trace");
  CHECK(Int(in.at(trace)["events"]) > 100);
  CHECK(in.count("bundle.tar.gz!/./job-status.json") == 1);
  CHECK(rep.Signatures().count("CS-QUARANTINE-CREDENTIALS-INVALID") == 1);
  // Nothing was extracted next to the archive.
  CHECK(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()) == 2);
}

TEST_CASE("analyze: damaged input is reported by file and line and the rest is still analysed",
          "[e2e][robustness]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  fs::copy_file(kMotivating + "/job-status.json", tmp / "b/job-status.json");
  {
    std::ofstream bad(tmp / "b/provisioning.json", std::ios::binary);
    bad << "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning\","
           "\"value\":[\n{\"id\":\"1\",\"jobId\":\"j\",\"provisioningStatusInfo\":{\"status\":\"success\"}},\n"
           "{\"id\":\"2\",\"jobId\":\"j\",\"provisioningStatusInfo\":{\"status\":tru}},\n"
           "{\"id\":\"3\",\"jobId\":\"j\"";
  }
  {
    std::ofstream empty(tmp / "b/empty.log");
  }
  {
    // A gzip file cut in the middle.
    std::string gz = "gzip -c '" + kMotivating + "/audit-logs.json' | head -c 3000 > '" + (tmp / "b/audit.json.gz") + "'";
    REQUIRE(std::system(gz.c_str()) == 0);
  }
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  auto prov = in.at("provisioning.json");
  CHECK(Str(prov["status"]) == "partial");
  CHECK(Int(prov["events"]) == 1);
  CHECK(Int(prov["unparsed"]) == 2);
  CHECK(Str(prov["reason"]).find("provisioning.json:3: invalid JSON") != std::string::npos);
  CHECK(Str(in.at("empty.log")["status"]) == "skipped");
  CHECK(Str(in.at("empty.log")["reason"]) == "empty file");
  bool gz_reported = false;
  for (auto& [path, i] : in) {
    if (path.rfind("audit.json.gz", 0) == 0) {
      gz_reported = true;
      CHECK(Str(i["status"]) != "parsed");
    }
  }
  CHECK(gz_reported);
  CHECK(rep.Signatures().count("CS-QUARANTINE-CREDENTIALS-INVALID") == 1);
  CHECK(r.err.find("provisioning.json") != std::string::npos);
}

TEST_CASE("cli: exit codes follow DESIGN.md", "[e2e][cli]") {
  SECTION("--fail-on high with a critical finding exits 1") {
    CHECK(Run("analyze '" + kMotivating + "' --fail-on high").exit_code == 1);
  }
  SECTION("--fail-on critical on the healthy sample exits 0") {
    CHECK(Run("analyze '" + kHealthy + "' --fail-on critical").exit_code == 0);
  }
  SECTION("a path that does not exist exits 3 and names it") {
    RunResult r = Run("analyze /nonexistent/bundle");
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("/nonexistent/bundle: no such file or directory") != std::string::npos);
  }
  SECTION("a mistyped command exits 2 with a suggestion") {
    RunResult r = Run("analyse x");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "syncdoctor: error: unknown command 'analyse', did you mean 'analyze'? (see 'syncdoctor --help')\n");
  }
  SECTION("a bad option value exits 2") {
    CHECK(Run("analyze '" + kHealthy + "' --fail-on sometimes").exit_code == 2);
    CHECK(Run("analyze '" + kHealthy + "' --input-format nope").exit_code == 2);
  }
  SECTION("query on an empty file refuses it and leaves it empty") {
    TempDir tmp;
    { std::ofstream empty(tmp / "empty.db"); }
    RunResult r = Run("query --db '" + (tmp / "empty.db") + "' \"SELECT 1\"");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not a syncdoctor index (it is empty") != std::string::npos);
    CHECK(fs::file_size(tmp / "empty.db") == 0);
  }
  SECTION("a missing path is named as it was typed") {
    RunResult r = Run("analyze ./no/such/bundle");
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("syncdoctor: error: ./no/such/bundle: no such file or directory") != std::string::npos);
  }
  SECTION("a file that is not an index exits 2") {
    RunResult r = Run("report --db '" + kMotivating + "/job-status.json'");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not a usable index") != std::string::npos);
  }
  SECTION("--help of every command shows examples") {
    for (const char* c : {"analyze", "ingest", "report", "query", "search", "signatures"}) {
      RunResult r = Run(std::string(c) + " --help");
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("examples:") != std::string::npos);
    }
  }
}

TEST_CASE("ingest, query and search work on one index", "[e2e][cli]") {
  TempDir tmp;
  std::string db = tmp / "i.db";
  RunResult ing = Run("ingest '" + kMotivating + "' --db '" + db + "'");
  REQUIRE(ing.exit_code == 0);
  RunResult q = Run("query --db '" + db + "' \"SELECT count(*) AS n FROM events WHERE error_code = 'AzureActiveDirectoryInvalidCredential'\" --format csv");
  REQUIRE(q.exit_code == 0);
  CHECK(q.out.rfind("n\n", 0) == 0);
  CHECK(std::stoi(q.out.substr(2)) > 100);
  RunResult s = Run("search --db '" + db + "' AADSTS50034 --limit 3 --format json");
  REQUIRE(s.exit_code == 0);
  Report rep(s.out);
  CHECK(rep.root.get_array().size() == 3);
  RunResult bad = Run("query --db '" + db + "' \"SELEC nonsense\"");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("syntax error") != std::string::npos);
}

TEST_CASE("signatures: test passes for the built-in set and --signatures adds a folder", "[e2e][signatures]") {
  RunResult r = Run("signatures test");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(" 0 failed") != std::string::npos);
  TempDir tmp;
  fs::create_directories(tmp / "sigs/scim");
  {
    std::ofstream y(tmp / "sigs/scim/SCIM-CONFLICT.yaml");
    y << "id: SCIM-CONFLICT\ntitle: t\nseverity: medium\nstatus: verified\ntags: [scim]\n"
         "applies_to: [provisioning]\nmatch:\n  any:\n    - error_code: 'EntryConflict$'\n"
         "cause: c\nfix: [f]\nreferences: [https://example.invalid]\nexamples:\n  match:\n"
         "    - {kind: provisioning, error_code: ContosoEntryConflict}\n  no_match:\n"
         "    - {kind: provisioning, error_code: Timeout}\n";
  }
  RunResult with = Run("analyze '" + kRealCorpus + "' --format json --signatures '" + (tmp / "sigs") + "'");
  REQUIRE(with.exit_code == 0);
  Report rep(with.out);
  CHECK(rep.Signatures().count("SCIM-CONFLICT") == 1);
  RunResult broken_dir = Run("signatures list --signatures /nonexistent");
  CHECK(broken_dir.exit_code == 2);
}

TEST_CASE("analyze: every corpus file has the kind and record count SOURCES.md gives, and its fields",
          "[e2e][corpus]") {
  if (!fs::exists(kCorpus)) return;
  TempDir tmp;
  std::string db = tmp / "corpus.db";
  RunResult r = Run("analyze '" + kCorpus + "' --db '" + db + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  struct Expect {
    const char* path;
    const char* kind;
    int64_t records;  // events + unparsed + duplicates
  };
  // From corpus/real/SOURCES.md ("What a reader must make of each file"). For the event logs the
  // records libevtx reads, plus the recovered ones it can still read (SOURCES: "up to N more").
  const Expect expected[] = {
      {"graph_v1_provisioning_list_success.json", "provisioning", 1},
      {"graph_v1_provisioning_list_error.json", "provisioning", 1},
      {"graph_beta_provisioning_list_error.json", "provisioning", 1},
      {"diag_provisioninglogs_eventhub.ndjson", "provisioning", 3},
      {"diag_provisioninglogs_duration_as_string.ndjson", "provisioning", 1},
      {"diag_auditlogs_eventhub.ndjson", "audit", 3},
      {"graph_v1_directoryaudits_list_example1.json", "audit", 1},
      {"graph_v1_directoryaudits_list_example2.json", "audit", 1},
      {"graph_v1_synchronizationjob_get_quarantine.json", "job", 1},
      {"graph_beta_cloudsync_job_create_response.json", "job", 1},
      {"agent_trace_excerpt_websocket_failure.log", "trace", 1},
      {"agent_trace_excerpt_metrics_collector.log", "trace", 1},
      {"pta_agent_trace_doc_sample.log", "trace", 1},
      {"evtx/system.evtx", "eventlog", 1881},
      {"evtx/Application_no_crc32.evtx", "eventlog", 17},
      {"audit_portal_download_header.csv", "audit", 0},
  };
  for (const auto& x : expected) {
    INFO(x.path);
    REQUIRE(in.count(x.path) == 1);
    CHECK(Str(in.at(x.path)["kind"]) == x.kind);
    CHECK(Str(in.at(x.path)["status"]) == "parsed");
    CHECK(Int(in.at(x.path)["records"]) == x.records);
    CHECK(Int(in.at(x.path)["unparsed"]) == 0);
  }
  auto bad_chunk = in.at("evtx/sample_with_a_bad_chunk_magic.evtx");
  CHECK(Int(bad_chunk["records"]) >= 267);
  CHECK(Int(bad_chunk["records"]) <= 267 + 163);
  // The first diagnostic record is in both diagnostic files (stored once); two records of the
  // event hub file share an id but say different things (a success and a failure): both kept.
  // The error example is in v1.0 and beta: stored once.
  CHECK(Int(in.at("diag_provisioninglogs_eventhub.ndjson")["duplicates"]) +
            Int(in.at("diag_provisioninglogs_duration_as_string.ndjson")["duplicates"]) == 1);
  CHECK(Int(in.at("diag_provisioninglogs_eventhub.ndjson")["events"]) +
            Int(in.at("diag_provisioninglogs_duration_as_string.ndjson")["events"]) == 3);
  CHECK(Int(in.at("graph_v1_provisioning_list_error.json")["duplicates"]) +
            Int(in.at("graph_beta_provisioning_list_error.json")["duplicates"]) == 1);

  // A few normalised fields per file, read back from the index.
  RunResult q = Run("query --db '" + db + "' --format csv \"SELECT s.path, e.kind, coalesce(e.level, ''), "
                    "coalesce(e.activity, ''), coalesce(e.error_code, ''), coalesce(e.time, 0) FROM events e "
                    "JOIN sources s ON s.id = e.source_id WHERE s.format <> 'evtx' ORDER BY s.path, e.line\"");
  REQUIRE(q.exit_code == 0);
  for (const char* row : {
           "agent_trace_excerpt_websocket_failure.log,trace,Error,AADConnectProvisioningAgent.exe,,0",
           "diag_auditlogs_eventhub.ndjson,audit,success,Add service principal credentials,,1642875302516",
           "diag_provisioninglogs_duration_as_string.ndjson,provisioning,skipped,create,,1661261810353",
           "graph_beta_cloudsync_job_create_response.json,job,Paused,ADDCInPassthrough,,0",
           "graph_beta_provisioning_list_error.json,provisioning,failure,create,ContosoEntryConflict,1561409588000",
           "graph_v1_directoryaudits_list_example2.json,audit,success,GroupLifecyclePolicies_Get,,1735293679579",
           "graph_v1_provisioning_list_success.json,provisioning,success,create,,1556938854000",
           "graph_v1_synchronizationjob_get_quarantine.json,job,Paused,BoxOutDelta,SalesforceInvalidCredentials,0",
           "pta_agent_trace_doc_sample.log,trace,Error,AzureADConnectAuthenticationAgentService.exe,,0",
       }) {
    INFO(row);
    CHECK(q.out.find(std::string(row) + "\n") != std::string::npos);
  }
  RunResult scm = Run("query --db '" + db + "' --format csv \"SELECT activity, level, substr(message, 1, 7) AS m "
                      "FROM events WHERE activity = 'Service Control Manager/7000' ORDER BY time LIMIT 1\"");
  CHECK(scm.out == "activity,level,m\nService Control Manager/7000,Error,CldFlt \n");
}

TEST_CASE("analyze: damaged copies of real event logs are read as far as they go", "[e2e][evtx]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::string system = ReadFile(kRealCorpus + "/evtx/system.evtx");
  REQUIRE(system.size() > 200000);
  {
    // Cut in the middle of the fourth chunk.
    std::ofstream cut(tmp / "b/cut.evtx", std::ios::binary);
    cut << system.substr(0, 4096 + 3 * 65536 + 1000);
  }
  {
    // The second chunk's signature overwritten.
    std::string broken = system;
    broken.replace(4096 + 65536, 8, "XXXXXXXX");
    std::ofstream bad(tmp / "b/bad-chunk.evtx", std::ios::binary);
    bad << broken;
  }
  {
    // Only the file header survives.
    std::ofstream head(tmp / "b/header-only.evtx", std::ios::binary);
    head << system.substr(0, 4096);
  }
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  // The copies share record ids (channel/computer/number): what one stored, the next counts as
  // duplicates, so events + duplicates is what each file gave.
  auto cut = in.at("cut.evtx");
  CHECK(Str(cut["format"]) == "evtx");
  CHECK(Int(cut["events"]) + Int(cut["duplicates"]) > 300);
  CHECK(Int(cut["events"]) + Int(cut["duplicates"]) < 1881);
  auto bad = in.at("bad-chunk.evtx");
  CHECK(Int(bad["events"]) + Int(bad["duplicates"]) > 1000);
  REQUIRE(bad["warnings"].get_array().size() >= 1);
  CHECK(Str(bad["warnings"].get_array().at(0)).find("corrupted") != std::string::npos);
  auto head = in.at("header-only.evtx");
  CHECK(Str(head["format"]) == "evtx");
  CHECK(Int(head["events"]) == 0);
  CHECK(Int(head["events"]) + Int(head["unparsed"]) + Int(head["duplicates"]) == Int(head["records"]));
}

TEST_CASE("analyze: a job whose last run failed with error None gets the failed-run finding and "
          "no unknown code",
          "[e2e][formats]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::ofstream(tmp / "b/job.json") << R"({
  "id": "scim.70eb9a0a96264ae685e818fac0433cbd.4a1f", "templateId": "scim",
  "schedule": {"interval": "PT40M", "state": "Active"},
  "status": {"code": "Active", "countSuccessiveCompleteFailures": 2,
    "lastExecution": {"activityIdentifier": "run-7", "state": "Failed",
      "timeBegan": "2026-11-17T13:00:00Z", "timeEnded": "2026-11-17T13:04:00Z",
      "countImported": 0, "countExported": 0,
      "error": {"code": "None", "message": "", "tenantActionable": false}}}
})";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  CHECK(rep.Signatures().count("PROV-JOB-LAST-RUN-FAILED") == 1);
  for (auto u : rep.root["unknown_codes"].get_array()) CHECK(Str(u["code"]) != "None");
  auto f = rep.Finding("PROV-JOB-LAST-RUN-FAILED");
  CHECK(Str(f["scope"]) == "scim.70eb9a0a96264ae685e818fac0433cbd.4a1f");
  REQUIRE(f["evidence"].get_array().size() == 1);
  CHECK(Str(f["evidence"].get_array().at(0)["excerpt"]).find("Last execution Failed") != std::string::npos);
}

TEST_CASE("evtx: events saved from Event Viewer as selected events keep their TimeCreated",
          "[e2e][evtx]") {
  // tests/data/real/evtx (SOURCES.md): a real saved selection, a copy whose record headers were
  // rewritten (one written 19 days late, one never), and a copy with no readable TimeCreated.
  // Each is read into an index of its own, so that no file's events are duplicates of another's.
  const std::string dir = kSource + "/tests/data/real/evtx/";
  TempDir tmp;
  auto times_of = [&](const std::string& name) {
    std::string db = tmp / (name + ".db");
    RunResult r = Run("analyze '" + dir + name + "' --db '" + db + "' --format json -o '" +
                      (tmp / (name + ".json")) + "'");
    REQUIRE(r.exit_code == 0);
    RunResult q = Run("query --db '" + db + "' --format csv \"SELECT record_id, coalesce(time, 'none') "
                      "AS t FROM events ORDER BY record_id\"");
    REQUIRE(q.exit_code == 0);
    return q.out;
  };
  const std::string expected =
      "record_id,t\n"
      "Security/temporal/1,1467213874346\n"
      "Security/temporal/2,1467213876686\n"
      "Security/temporal/3,1467213876686\n"
      "Security/temporal/4,1467213876686\n"
      "Security/temporal/5,1467213897090\n"
      "Security/temporal/6,1467213897090\n"
      "Security/temporal/7,1467213908822\n";
  // The real file and the rewritten copy give the same times: TimeCreated, not the header's.
  CHECK(times_of("Security_short_selected.evtx") == expected);
  CHECK(times_of("Security_selected_rewritten.evtx") == expected);
  Report rewritten(ReadFile(tmp / "Security_selected_rewritten.evtx.json"));
  auto in = rewritten.Inputs().at("Security_selected_rewritten.evtx");
  CHECK(Int(in["events"]) == 7);
  for (auto w : in["warnings"].get_array()) CHECK(Str(w).find("TimeCreated") == std::string::npos);

  // No TimeCreated: each event says it took the written time, and the one with none has no time.
  std::string fallback_times = times_of("Security_selected_no_systemtime.evtx");
  CHECK(fallback_times.find("Security/temporal/4,none\n") != std::string::npos);
  CHECK(fallback_times != expected);
  Report fallback(ReadFile(tmp / "Security_selected_no_systemtime.evtx.json"));
  auto fb = fallback.Inputs().at("Security_selected_no_systemtime.evtx");
  CHECK(Int(fb["events"]) == 7);
  int written = 0, none = 0;
  for (auto w : fb["warnings"].get_array()) {
    std::string text = Str(w);
    if (text.find("no System/TimeCreated; the time the record was written to the file is used "
                  "instead") != std::string::npos) {
      ++written;
    }
    if (text.find("and no written time: the event has no time") != std::string::npos) ++none;
  }
  CHECK(written == 6);
  CHECK(none == 1);

  // A forwarded-events log libevtx cannot read fails alone, with its reason.
  RunResult r = Run("analyze '" + dir + "MSExchange_Management_wec.evtx' '" + dir +
                    "Security_short_selected.evtx' --format json");
  Report both(r.out);
  auto wec = both.Inputs().at("MSExchange_Management_wec.evtx");
  CHECK(Str(wec["status"]) == "failed");
  CHECK(!Str(wec["reason"]).empty());
  CHECK(Int(both.Inputs().at("Security_short_selected.evtx")["events"]) == 7);
}

TEST_CASE("analyze: a portal CSV download with a missing member still ingests what it has and says so",
          "[e2e][formats]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::string dir = kSource + "/tests/data/formats/provisioning-portal-csv/";
  fs::copy_file(dir + "ProvisioningLogs_ProvisioningSteps.csv", tmp / "b/ProvisioningLogs_ProvisioningSteps.csv");
  fs::copy_file(dir + "ProvisioningLogs_ModifiedProperties.csv", tmp / "b/ProvisioningLogs_ModifiedProperties.csv");
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto steps = rep.Inputs().at("ProvisioningLogs_ProvisioningSteps.csv");
  CHECK(Int(steps["events"]) == 2);
  REQUIRE(steps["warnings"].get_array().size() == 1);
  CHECK(Str(steps["warnings"].get_array().at(0)).find("ProvisioningLogs file of this download missing") !=
        std::string::npos);
}

TEST_CASE("analyze: every export format of the same failure gives the same finding", "[e2e][formats]") {
  RunResult r = Run("analyze '" + kSource + "/tests/data/formats' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto in = rep.Inputs();
  for (const char* p : {"provisioning-graph.json", "provisioning-graph-beta.json", "provisioning-portal.json",
                        "provisioning-diagnostic.ndjson", "provisioning-portal-csv/ProvisioningLogs.csv",
                        "provisioning-log-analytics.csv", "provisioning-log-analytics.json",
                        "provisioning-powershell.json"}) {
    INFO(p);
    // The same record id in every export: stored once, counted as a duplicate elsewhere.
    CHECK(Int(in.at(p)["events"]) + Int(in.at(p)["duplicates"]) == 1);
    CHECK(Str(in.at(p)["status"]) == "parsed");
  }
  auto f = rep.Finding("CS-QUARANTINE-CREDENTIALS-INVALID");
  CHECK(Int(f["count"]) == 1);
  CHECK(rep.Signatures().count("CS-SVCACCT-DELETED") == 1);
}

TEST_CASE("ingest: files that are no log are skipped with the reason, and --explain-detect says why",
          "[e2e][detect]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  {
    std::ofstream ps1(tmp / "b/Collect-Logs.ps1");
    ps1 << "param([string]$OutputPath)\nImport-Module AADCloudSyncTools\nExport-AADCloudSyncToolsLogs -OutputPath $OutputPath\n";
  }
  {
    std::ofstream png(tmp / "b/screenshot.png", std::ios::binary);
    png << std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20) << std::string(64, '\0');
  }
  fs::copy_file(kMotivating + "/job-status.json", tmp / "b/job-status.json");
  std::string db = tmp / "i.db";
  RunResult r = Run("ingest '" + (tmp / "b") + "' --db '" + db + "' --explain-detect");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("job-status.json: encoding utf-8; scores: job-graph-json=95") != std::string::npos);
  CHECK(r.err.find("chosen job-graph-json") != std::string::npos);
  CHECK(r.err.find("Collect-Logs.ps1: encoding utf-8; scores: none; no parser claims it") != std::string::npos);
  RunResult rep_run = Run("report --db '" + db + "' --format json");
  Report rep(rep_run.out);
  auto in = rep.Inputs();
  CHECK(Str(in.at("Collect-Logs.ps1")["status"]) == "skipped");
  CHECK(Str(in.at("Collect-Logs.ps1")["reason"]) == "text that matches no known log format");
  CHECK(Str(in.at("screenshot.png")["status"]) == "skipped");
  CHECK(Str(in.at("screenshot.png")["reason"]) == "binary content that no parser recognises");

  SECTION("--input-format overrides detection") {
    TempDir t2;
    std::string db2 = t2 / "j.db";
    RunResult forced = Run("ingest '" + (tmp / "b/job-status.json") + "' --db '" + db2 +
                           "' --input-format provisioning-graph-json --explain-detect");
    CHECK(forced.err.find("format provisioning-graph-json (--input-format)") != std::string::npos);
    RunResult rr = Run("report --db '" + db2 + "' --format json");
    Report rep2(rr.out);
    auto job = rep2.Inputs().at("job-status.json");
    CHECK(Str(job["format"]) == "provisioning-graph-json");
    // A job object is no provisioning record: kept as unparsed with the reason.
    CHECK(Int(job["unparsed"]) == 1);
    CHECK(Str(job["reason"]).find("not a provisioning record") != std::string::npos);
  }
}

TEST_CASE("analyze: codes no signature covers are listed: error codes, AADSTS codes in text, quarantine reasons",
          "[e2e][unknown]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::ofstream(tmp / "b/job.json")
      << R"({"id":"AD2AADProvisioning.x","templateId":"AD2AADProvisioning","schedule":{"interval":"PT40M"},)"
      << R"("status":{"code":"Paused","quarantine":{"reason":"SomeFutureReason","currentBegan":"2026-11-17T14:25:03Z",)"
      << R"("error":{"code":"FutureServiceErrorCode","message":"Something new. Additional details: AADSTS9990001: a code nobody knows. Trace ID: 1"}}}})";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  std::map<std::string, std::string> kinds;
  for (auto u : rep.root["unknown_codes"].get_array()) {
    kinds[Str(u["code"])] = Str(u["kind"]);
    CHECK(Int(u["count"]) == 1);
    CHECK(Str(u["example"]).find("Something new.") == 0);
  }
  CHECK(kinds["FutureServiceErrorCode"] == "error_code");
  CHECK(kinds["AADSTS9990001"] == "aadsts");
  CHECK(kinds["SomeFutureReason"] == "quarantine_reason");
  RunResult text = Run("analyze '" + (tmp / "b") + "'");
  CHECK(text.out.find("AADSTS9990001 (in messages) x1") != std::string::npos);
}

TEST_CASE("explain: answers from the signatures, for codes in any case, bare numbers and words",
          "[e2e][explain]") {
  RunResult code = Run("explain AzureActiveDirectoryInvalidCredential --format json");
  REQUIRE(code.exit_code == 0);
  Report rep(code.out);
  auto answers = rep.root["answers"].get_array();
  REQUIRE(answers.size() >= 1);
  CHECK(Str(answers.at(0)["signature"]) == "CS-QUARANTINE-CREDENTIALS-INVALID");
  // A code is found wherever a record carries it (error code, message, quarantine reason).
  CHECK(Str(answers.at(0)["matched_by"]) == "flags it wherever a record carries it");

  for (const char* q : {"50034", "aadsts50034", "AADSTS50034"}) {
    INFO(q);
    RunResult r = Run(std::string("explain ") + q + " --format json --limit 10");
    REQUIRE(r.exit_code == 0);
    Report j(r.out);
    std::set<std::string> ids;
    for (auto a : j.root["answers"].get_array()) ids.insert(Str(a["signature"]));
    CHECK(ids.count("CS-QUARANTINE-CREDENTIALS-INVALID") == 1);
  }
  // The reference row comes first (explain_test.cc covers it), then the signatures.
  RunResult reason = Run("explain EncounteredQuarantineException");
  CHECK(reason.exit_code == 0);
  CHECK(reason.out.rfind("EncounteredQuarantineException  (quarantine_reason)\n", 0) == 0);
  CHECK(reason.out.find("\n\nPROV-QUAR-EXCEPTION  [critical]") != std::string::npos);
  // The reason is a code: the signature finds it wherever a record carries it.
  CHECK(reason.out.find("flags it wherever a record carries it") != std::string::npos);

  RunResult none = Run("explain NoSuchCodeAnywhere");
  CHECK(none.exit_code == 1);
  CHECK(none.out.rfind("Nothing is known about 'NoSuchCodeAnywhere': ", 0) == 0);
}

TEST_CASE("signatures lint: the built-in set is clean and a sloppy file is rejected with reasons",
          "[e2e][signatures]") {
  RunResult clean = Run("signatures lint");
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.find("signatures: 0 problems") != std::string::npos);
  TempDir tmp;
  fs::create_directories(tmp / "sigs/misc");
  std::ofstream(tmp / "sigs/misc/SCIM-CONFLICT-COPY.yaml")
      << "id: SCIM-CONFLICT-2\ntitle: t\nseverity: medium\nstatus: verified\ntags: [scim]\n"
         "applies_to: [provisioning]\nmatch:\n  any:\n    - error_code: 'EntryConflict$'\n"
         "    - message: 'never exercised'\nlinks: [NO-SUCH-ID]\n"
         "cause: c\nfix: [f]\nreferences: [http://example.invalid]\nexamples:\n  match:\n"
         "    - {kind: provisioning, error_code: ContosoEntryConflict}\n  no_match:\n"
         "    - {kind: provisioning, error_code: Timeout}\n";
  RunResult r = Run("signatures lint --signatures '" + (tmp / "sigs") + "'");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("SCIM-CONFLICT-2: the id differs from the file name 'SCIM-CONFLICT-COPY.yaml'") != std::string::npos);
  // A pack may use any folder layout, but narrowing applies_to needs a reason.
  CHECK(r.out.find("folder 'misc'") == std::string::npos);
  CHECK(r.out.find("SCIM-CONFLICT-2: applies_to narrows the event kinds without a comment") != std::string::npos);
  CHECK(r.out.find("names 'NO-SUCH-ID', which is not a loaded signature") != std::string::npos);
  CHECK(r.out.find("reference 'http://example.invalid' is not an https URL") != std::string::npos);
  CHECK(r.out.find("no match example exercises the any item {message: never exercised}") != std::string::npos);
  CHECK(r.out.find(" signatures: 5 problems") != std::string::npos);
}

TEST_CASE("analyze: a quarantine older than four weeks is called out", "[e2e][diagnosis]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::ofstream(tmp / "b/job.json")
      << R"({"id":"AD2AADProvisioning.old","templateId":"AD2AADProvisioning","schedule":{"interval":"PT40M"},)"
      << R"("status":{"code":"Quarantine","quarantine":{"reason":"EncounteredQuarantineException",)"
      << R"("seriesBegan":"2026-10-01T08:00:00Z","currentBegan":"2026-11-10T08:00:00Z",)"
      << R"("error":{"code":"HybridIdentityServiceNoActiveAgents","message":"We're unable to find an active agent."}}}})";
  std::ofstream(tmp / "b/trace.log")
      << "AADConnectProvisioningAgent.exe Information: 0 : still here\n    DateTime=2026-11-12T08:00:00.0000000Z\n";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  std::string headline = Str(rep.root["diagnosis"].get_array().at(0)["headline"]);
  CHECK(headline.find("In quarantine since 2026-10-01T08:00:00.000Z, 42 days before the newest event; "
                      "past the 4-week horizon: the job may already be disabled") != std::string::npos);
}

TEST_CASE("analyze: silence is reported: a trace that stops, an active job that stopped running",
          "[e2e][diagnosis]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::ofstream(tmp / "b/job.json")
      << R"({"id":"AD2AADProvisioning.quiet","templateId":"AD2AADProvisioning","schedule":{"interval":"PT40M","state":"Active"},)"
      << R"("status":{"code":"Active","quarantine":null,"lastExecution":{"timeBegan":"2026-11-20T10:00:00Z",)"
      << R"("timeEnded":"2026-11-20T10:01:00Z","state":"Succeeded","error":null}}})";
  std::ofstream(tmp / "b/audit.json")
      << R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits","value":[)"
      << R"({"id":"a1","category":"UserManagement","result":"success","activityDisplayName":"Update user",)"
      << R"("activityDateTime":"2026-11-20T14:00:00Z","loggedByService":"Core Directory","targetResources":[]}]})";
  std::ofstream(tmp / "b/trace.log")
      << "AADConnectProvisioningAgent.exe Information: 0 : working\n    DateTime=2026-11-20T08:00:00.0000000Z\n";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  std::vector<std::string> headlines;
  for (auto d : rep.root["diagnosis"].get_array()) headlines.push_back(Str(d["headline"]));
  REQUIRE(headlines.size() == 2);
  CHECK(headlines[0] == "The agent trace ends at 2026-11-20T08:00:00.000Z, 6 hours before the newest job, "
                        "provisioning or audit event (2026-11-20T14:00:00.000Z): the agent may have stopped, "
                        "or the bundle lacks its later trace files");
  CHECK(headlines[1] == "Job AD2AADProvisioning.quiet is Active but its last run began at "
                        "2026-11-20T10:00:00.000Z, 4 hours before the newest event, although it runs every 40 minutes");
}

TEST_CASE("analyze: a bundle with eight planted failures in eight formats yields exactly them",
          "[e2e][planted]") {
  // tests/data/planted/generate.py wrote the bundle; its docstring lists what is planted where.
  RunResult r = Run("analyze '" + kSource + "/tests/data/planted/bundle' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  CHECK(rep.Signatures() == std::set<std::string>{
                                "AD-INSUFFICIENT-ACCESS-RIGHTS", "AGT-LDAP-CLIENT-TIMEOUT",
                                "AGT-METRICS-COLLECTOR-REGISTRY-DENIED", "CS-QUARANTINE-CREDENTIALS-INVALID",
                                "CS-SVCACCT-DELETED", "DIR-ATTRIBUTE-VALUE-MUST-BE-UNIQUE",
                                "PROV-QUAR-ESCROW-PROPORTION", "SCIM-CONFLICT"});
  for (auto& [path, in] : rep.Inputs()) {
    INFO(path);
    CHECK(Str(in["status"]) == "parsed");
  }
  std::map<std::string, std::string> stories;  // first finding -> headline
  for (auto d : rep.root["diagnosis"].get_array()) {
    auto f = d["findings"].get_array();
    if (f.size() > 0) stories[Str(f.at(0))] = Str(d["headline"]);
  }
  // The deletion is named with who and when, from the portal audit CSV.
  const std::string& cs = stories["CS-QUARANTINE-CREDENTIALS-INVALID"];
  CHECK(cs.find("'Delete user' of ADToAADSyncServiceAccount@fabrikam.onmicrosoft.com by "
                "sam.ortiz@fabrikam.com at 2026-11-21T08:12:44.000Z") != std::string::npos);
  // The escrow quarantine names the error that dominates the job's failures.
  CHECK(stories["PROV-QUAR-ESCROW-PROPORTION"].find("1 failed record for this job, 1 of them ServiceNowEntryConflict") !=
        std::string::npos);
}

TEST_CASE("analyze: findings of two different jobs are never told as one story", "[e2e][diagnosis]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  // CS-SVCACCT-AUTH-FAILED-UNEXPECTED links AADSTS50126; here they happen in two different jobs.
  std::ofstream(tmp / "b/jobs.json")
      << R"({"value":[)"
      << R"({"id":"AD2AADProvisioning.one","templateId":"AD2AADProvisioning","schedule":{"interval":"PT40M"},)"
      << R"("status":{"code":"Quarantine","quarantine":{"reason":"EncounteredQuarantineException","seriesBegan":"2026-11-20T08:00:00Z",)"
      << R"("error":{"code":"AzureActiveDirectoryAuthenticationFailed","message":"Additional Error Details: UnexpectedError."}}}},)"
      << R"({"id":"AD2AADPasswordHash.two","templateId":"AD2AADPasswordHash","schedule":{"interval":"PT2M"},)"
      << R"("status":{"code":"NotRun","lastExecution":{"timeBegan":"2026-11-20T09:00:00Z","state":"Failed",)"
      << R"("error":{"code":"SignInFailed","message":"AADSTS50126: Error validating credentials due to invalid username or password."}}}})"
      << "]}";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  CHECK(rep.Signatures().count("AADSTS50126") == 1);
  CHECK(rep.Signatures().count("CS-SVCACCT-AUTH-FAILED-UNEXPECTED") == 1);
  for (auto d : rep.root["diagnosis"].get_array()) {
    std::set<std::string> ids;
    for (auto x : d["findings"].get_array()) ids.insert(Str(x));
    CHECK(!(ids.count("AADSTS50126") == 1 && ids.count("CS-SVCACCT-AUTH-FAILED-UNEXPECTED") == 1));
  }
}

TEST_CASE("reports: markup, spreadsheet formulas and terminal escapes in log text are neutralised",
          "[e2e][escaping]") {
  TempDir tmp;
  // The folder name becomes the finding's scope (a CSV cell of its own), the file name the start
  // of its evidence, the message the rest.
  fs::create_directories(tmp / "b/=cmd|' -C calc'!A0");
  std::ofstream(tmp / "b/=cmd|' -C calc'!A0/=cmd|' -C calc'!A0.log")
      << "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect. <script>alert(1)</script> "
      << "=cmd|' /C calc'!A0 \x1b[31mred\x1b[0m \x1b]0;title\x07\n"
      << "    DateTime=2026-11-20T10:16:07.7250000Z\n";
  std::string dir = tmp / "b";
  RunResult text = Run("analyze '" + dir + "' --format text");
  RunResult json = Run("analyze '" + dir + "' --format json");
  RunResult md = Run("analyze '" + dir + "' --format markdown");
  RunResult csv = Run("analyze '" + dir + "' --format csv");
  RunResult html = Run("analyze '" + dir + "' --format html");
  for (const RunResult* r : {&text, &json, &md, &csv, &html}) {
    REQUIRE(r->exit_code == 0);
    CHECK(r->out.find('\x1b') == std::string::npos);  // no escape sequence reaches the output
    CHECK(r->out.find('\x07') == std::string::npos);
  }
  CHECK(text.out.find("Web socket failed to connect.") != std::string::npos);
  Report rep(json.out);  // still valid JSON, with the text escaped
  CHECK(json.out.find("\\u001b[31mred") != std::string::npos);
  CHECK(md.out.find("<script>") == std::string::npos);
  CHECK(md.out.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  // HTML: the tag is text, in the evidence and nowhere as markup; the page has no script at all.
  CHECK(html.out.find("<script") == std::string::npos);
  CHECK(html.out.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.out.find("=cmd|&#39; /C calc&#39;!A0") != std::string::npos);
  // The file name reaches the page as text too (an attribute-breaking quote is an entity).
  CHECK(html.out.find("'!A0.log") == std::string::npos);
  // In the CSV no cell starts with a formula character: the scope cell is prefixed with '.
  CHECK(csv.out.find(",'=cmd|' -C calc'!A0/,") != std::string::npos);
  CHECK(csv.out.find(",=cmd") == std::string::npos);
  CHECK(csv.out.rfind("severity,signature,title,count,first_time,last_time,scope,cause,fix,evidence,related,tier,codes\n", 0) == 0);
}

namespace e2e {

TEST_CASE("findings: rotated trace files of one agent are one finding that lists its files, "
          "two agents' folders are two",
          "[e2e][findings]") {
  RunResult r = Run("analyze '" + kNoAgent + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  int copies = 0;
  for (auto f : rep.root["findings"].get_array()) {
    if (Str(f["signature"]) != "AGT-WEBSOCKET-CONNECT-FAILED") continue;
    ++copies;
    CHECK(Str(f["scope"]) == "Trace/");
    auto files = f["files"].get_array();
    REQUIRE(files.size() == 2);
    CHECK(Str(files.at(0)["path"]) == "Trace/AzureADConnectProvisioningAgent_20261120_070000.log");
    CHECK(Str(files.at(1)["path"]) == "Trace/AzureADConnectProvisioningAgent_20261120_133000.log");
    CHECK(Int(files.at(0)["events"]) + Int(files.at(1)["events"]) == Int(f["count"]));
    CHECK_FALSE(bool(f["files_cut"]));
  }
  CHECK(copies == 1);
  RunResult text = Run("analyze '" + kNoAgent + "'");
  CHECK(text.out.find("  Files: Trace/AzureADConnectProvisioningAgent_20261120_070000.log x") !=
        std::string::npos);

  // Two agents: the same traces under two hosts' folders give one finding per folder.
  TempDir tmp;
  for (std::string host : {"agent1", "agent2"}) {
    fs::create_directories(tmp / ("b/" + host + "/Trace"));
    fs::copy(kNoAgent + "/Trace", tmp / ("b/" + host + "/Trace"));
  }
  // The second host's files differ from the first's (a file identical to another is a copy, read
  // once).
  for (const auto& entry : fs::directory_iterator(tmp / "b/agent2/Trace")) {
    std::ofstream(entry.path(), std::ios::app) << "AADConnectProvisioningAgent.exe Information: 0 : host 2\n";
  }
  RunResult two = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(two.exit_code == 0);
  Report rep2(two.out);
  std::set<std::string> scopes;
  for (auto f : rep2.root["findings"].get_array()) {
    if (Str(f["signature"]) == "AGT-WEBSOCKET-CONNECT-FAILED") scopes.insert(Str(f["scope"]));
  }
  CHECK(scopes == std::set<std::string>{"agent1/Trace/", "agent2/Trace/"});
}

}  // namespace e2e
