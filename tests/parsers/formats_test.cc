// One Cloud Sync failure and one audit event, exported every way syncdoctor reads
// (tests/data/formats, written by generate.py there): each export must give the same normalised
// event and fire the same signature.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "analyzer/matcher.h"
#include "analyzer/signature.h"
#include "parsers/registry.h"
#include "parsers/text_decode.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

const std::string kDir = std::string(SYNCDOCTOR_SOURCE_DIR) + "/tests/data/formats/";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Detects the file's format as ingest does and parses it.
std::string ParseFile(const std::string& name, CollectingSink* sink) {
  std::string bytes = Slurp(kDir + name);
  REQUIRE(!bytes.empty());
  Encoding enc = SniffEncoding(bytes.substr(0, 4096));
  std::string head;
  {
    StringByteStream hs(std::string_view(bytes).substr(0, 4096));
    DecodingStream ds(&hs, enc);
    REQUIRE(ReadUpTo(&ds, 8192, &head).ok());
  }
  Detection d = DetectFormat(name, head);
  auto parser = NewParser(d.format);
  REQUIRE(parser != nullptr);
  StringByteStream raw(bytes);
  DecodingStream decoded(&raw, enc);
  REQUIRE(parser->Parse(name, &decoded, sink).ok());
  return d.format;
}

std::vector<std::string> Fire(const Event& e) {
  static std::vector<Signature> sigs;
  static std::unique_ptr<Matcher> matcher;
  if (!matcher) {
    REQUIRE(LoadSignatures("", &sigs).ok());
    REQUIRE(Matcher::Build(&sigs, &matcher).ok());
  }
  Matcher::Scratch scratch;
  std::vector<int> hits;
  REQUIRE(matcher->Match(e, &scratch, &hits).ok());
  std::vector<std::string> ids;
  for (int h : hits) ids.push_back(sigs[h].id);
  return ids;
}

}  // namespace

TEST_CASE("Formats: one provisioning failure gives the same event in every export", "[parsers][formats]") {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"provisioning-graph.json", "provisioning-graph-json"},
      {"provisioning-graph-beta.json", "provisioning-graph-json"},
      {"provisioning-portal.json", "provisioning-portal-json"},
      {"provisioning-diagnostic.ndjson", "provisioning-diagnostic-json"},
      {"provisioning-portal-csv/ProvisioningLogs.csv", "provisioning-portal-csv"},
      {"provisioning-log-analytics.csv", "provisioning-log-analytics-csv"},
      {"provisioning-log-analytics.json", "provisioning-log-analytics-json"},
      {"provisioning-powershell.json", "provisioning-powershell-json"},
  };
  CollectingSink reference_sink;
  REQUIRE(ParseFile(files[0].first, &reference_sink) == files[0].second);
  REQUIRE(reference_sink.events.size() == 1);
  const Event& ref = reference_sink.events[0];
  CHECK(ref.level == "failure");
  CHECK(ref.error_code == "AzureActiveDirectoryInvalidCredential");
  CHECK(ref.message.rfind("CredentialsInvalid AADSTS50034: The user account {EmailHidden}", 0) == 0);
  CHECK(ref.time_ms == 1794925510000);
  CHECK(ref.steps.size() == 2);
  CHECK(ref.modified.size() == 1);
  for (const auto& [name, format] : files) {
    INFO(name);
    CollectingSink sink;
    CHECK(ParseFile(name, &sink) == format);
    CHECK(sink.bad.empty());
    REQUIRE(sink.events.size() == 1);
    const Event& e = sink.events[0];
    CHECK(e.kind == ref.kind);
    CHECK(e.time_ms == ref.time_ms);
    CHECK(e.level == ref.level);
    CHECK(e.record_id == ref.record_id);
    CHECK(e.job_id == ref.job_id);
    CHECK(e.cycle_id == ref.cycle_id);
    CHECK(e.change_id == ref.change_id);
    CHECK(e.activity == ref.activity);
    CHECK(e.actor == ref.actor);
    CHECK(e.source_identity == ref.source_identity);
    CHECK(e.target_identity == ref.target_identity);
    CHECK(e.source_id == ref.source_id);
    CHECK(e.target_id == ref.target_id);
    CHECK(e.error_code == ref.error_code);
    CHECK(e.message == ref.message);
    if (format != "provisioning-log-analytics-csv" && format != "provisioning-log-analytics-json") {
      CHECK(e.reason == ref.reason);  // Log Analytics has no error category column
    }
    if (format != "provisioning-portal-csv") {  // the portal CSV keeps steps in their own file
      REQUIRE(e.steps.size() == ref.steps.size());
      for (size_t i = 0; i < e.steps.size(); ++i) {
        CHECK(e.steps[i].name == ref.steps[i].name);
        CHECK(e.steps[i].type == ref.steps[i].type);
        CHECK(e.steps[i].status == ref.steps[i].status);
      }
      REQUIRE(e.modified.size() == 1);
      CHECK(e.modified[0].new_value == "Marketing");
    }
    // AADSTS50034 holds too, but the specific signature supersedes it on this very event.
    CHECK(Fire(e) == std::vector<std::string>{"CS-QUARANTINE-CREDENTIALS-INVALID"});
  }
}

TEST_CASE("Formats: the portal CSV's steps and modified properties join their record by change ID",
          "[parsers][formats]") {
  CollectingSink steps, props;
  CHECK(ParseFile("provisioning-portal-csv/ProvisioningLogs_ProvisioningSteps.csv", &steps) ==
        "provisioning-portal-csv");
  CHECK(ParseFile("provisioning-portal-csv/ProvisioningLogs_ModifiedProperties.csv", &props) ==
        "provisioning-portal-csv");
  REQUIRE(steps.events.size() == 2);
  CHECK(steps.events[1].change_id == "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293");
  CHECK(steps.events[1].level == "failure");
  CHECK(steps.events[1].activity == "step EntryExportUpdate");
  REQUIRE(steps.events[1].steps.size() == 1);
  CHECK(steps.events[1].steps[0].type == "export");
  CHECK(steps.events[1].steps[0].details == R"({"ReportableIdentifier": "ana.ruiz@contoso.com"})");
  REQUIRE(props.events.size() == 1);
  CHECK(props.events[0].message == "department: 'Sales' -> 'Marketing'");
}

TEST_CASE("Formats: one audit event gives the same event in every export", "[parsers][formats]") {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"audit-graph.json", "audit-graph-json"},
      {"audit-portal.json", "audit-portal-json"},
      {"audit-diagnostic.ndjson", "audit-diagnostic-json"},
      {"audit-portal.csv", "audit-portal-csv"},
      {"audit-log-analytics.csv", "audit-log-analytics-csv"},
      {"audit-log-analytics.json", "audit-log-analytics-json"},
      {"audit-powershell.json", "audit-portal-json"},
  };
  CollectingSink reference_sink;
  REQUIRE(ParseFile(files[0].first, &reference_sink) == files[0].second);
  REQUIRE(reference_sink.events.size() == 1);
  const Event& ref = reference_sink.events[0];
  CHECK(ref.activity == "Delete user");
  CHECK(ref.actor == "jordan.lee@contoso.com");
  for (const auto& [name, format] : files) {
    INFO(name);
    CollectingSink sink;
    CHECK(ParseFile(name, &sink) == format);
    CHECK(sink.bad.empty());
    REQUIRE(sink.events.size() == 1);
    const Event& e = sink.events[0];
    CHECK(e.time_ms == ref.time_ms);
    CHECK(e.level == ref.level);
    CHECK(e.activity == ref.activity);
    CHECK(e.actor == ref.actor);
    CHECK(e.target_identity == ref.target_identity);
    CHECK(e.target_id == ref.target_id);
    CHECK(e.reason == ref.reason);
    CHECK(e.message == ref.message);
    if (format != "audit-portal-csv") CHECK(e.record_id == ref.record_id);  // the CSV has no id
    if (format != "audit-portal-csv") CHECK(e.correlation_id == ref.correlation_id);
    REQUIRE(e.targets.size() == 1);
    CHECK(e.targets[0].user_principal_name == "ADToAADSyncServiceAccount@contoso.onmicrosoft.com");
    REQUIRE(e.details.size() == 1);
    CHECK(e.details[0].key == "UserType");
    CHECK(Fire(e) == std::vector<std::string>{"CS-SVCACCT-DELETED"});
  }
}

}  // namespace syncdoctor

namespace syncdoctor {

TEST_CASE("Formats: damaged Log Analytics and portal CSV rows are kept as unparsed, the rest read",
          "[parsers][formats]") {
  std::string la = Slurp(kDir + "provisioning-log-analytics.csv");
  size_t header_end = la.find("\r\n") + 2;
  std::string header = la.substr(0, header_end);
  std::string row = la.substr(header_end);
  SECTION("a short row, an unterminated quote") {
    std::string input = header + "\"only\",\"two\"\r\n" + row + "\"x\",\"never closed\r\n";
    auto parser = NewParser("provisioning-log-analytics-csv");
    CollectingSink sink;
    REQUIRE(ParseBytes(parser.get(), "la.csv", input, &sink).ok());
    CHECK(sink.events.size() == 1);
    REQUIRE(sink.bad.size() == 2);
    CHECK(sink.bad[0] == "la.csv:2: row has 2 fields where the header has 21");
    CHECK(sink.bad[1] == "la.csv:4: unterminated quoted field (opened on line 4)");
  }
  SECTION("a JSON column that is not JSON stays text and the row is still read") {
    std::string broken = row;
    size_t at = broken.find("{\"\"Status\"\"");
    REQUIRE(at != std::string::npos);
    broken.replace(at, 1, "<");
    auto parser = NewParser("provisioning-log-analytics-csv");
    CollectingSink sink;
    REQUIRE(ParseBytes(parser.get(), "la.csv", header + broken, &sink).ok());
    REQUIRE(sink.events.size() == 1);
    // The error code still comes from ResultSignature.
    CHECK(sink.events[0].error_code == "AzureActiveDirectoryInvalidCredential");
  }
  SECTION("a step row without a change ID cannot be joined and is unparsed") {
    auto parser = NewParser("provisioning-portal-csv");
    CollectingSink sink;
    std::string input = "\"Change ID\",\"Name\",\"Type\",\"Status\",\"Description\",\"Details\"\r\n"
                        "\"\",\"EntryImport\",\"import\",\"success\",\"d\",\"\"\r\n";
    REQUIRE(ParseBytes(parser.get(), "ProvisioningLogs_ProvisioningSteps.csv", input, &sink).ok());
    CHECK(sink.events.empty());
    REQUIRE(sink.bad.size() == 1);
    CHECK(sink.bad[0] == "ProvisioningLogs_ProvisioningSteps.csv:2: row without a change ID cannot be joined to its record");
  }
  SECTION("Log Analytics JSON: a row that is not an object") {
    auto parser = NewParser("audit-log-analytics-json");
    CollectingSink sink;
    std::string json = Slurp(kDir + "audit-log-analytics.json");
    json.insert(json.find('[') + 1, "42,");
    REQUIRE(ParseBytes(parser.get(), "la.json", json, &sink).ok());
    CHECK(sink.events.size() == 1);
    REQUIRE(sink.bad.size() == 1);
    CHECK(sink.bad[0].find("not a JSON object") != std::string::npos);
  }
}

}  // namespace syncdoctor
