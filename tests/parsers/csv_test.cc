// Tests of the RFC 4180 reader and the audit portal CSV parser.
#include <catch2/catch.hpp>

#include "analyzer/matcher.h"
#include "analyzer/signature.h"
#include "parsers/csv_reader.h"
#include "parsers/formats.h"
#include "parsers/registry.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string_view text, std::vector<std::string>* errors) {
  StringByteStream in(text);
  CsvReader csv(&in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  std::string error;
  while (csv.Next(&fields, &error)) {
    rows.push_back(fields);
    errors->push_back(error);
  }
  return rows;
}

// The 86-column header of the portal download, as in corpus/real/audit_portal_download_header.csv.
std::string AuditHeader() {
  std::string h = R"h("Date (UTC)","CorrelationId","Service","Category","Activity","Result","ResultReason","User Agent","ActorType","ActorDisplayName","ActorObjectId","ActorUserPrincipalName","IPAddress","ActorHomeTenantId","ActorHomeTenantName","ActorServicePrincipalId","ActorServicePrincipalName")h";
  for (int t = 1; t <= 3; ++t) {
    std::string p = "Target" + std::to_string(t);
    h += ",\"" + p + "Type\",\"" + p + "DisplayName\",\"" + p + "ObjectId\",\"" + p + "UserPrincipalName\"";
    for (int m = 1; m <= 5; ++m) {
      std::string q = p + "ModifiedProperty" + std::to_string(m);
      h += ",\"" + q + "Name\",\"" + q + "OldValue\",\"" + q + "NewValue\"";
    }
  }
  for (int d = 1; d <= 6; ++d) {
    h += ",\"AdditionalDetail" + std::to_string(d) + "Key\",\"AdditionalDetail" + std::to_string(d) + "Value\"";
  }
  return h;
}

// A row for AuditHeader(): the named columns set, the rest empty.
std::string AuditRow(const std::map<int, std::string>& cells) {
  std::string row;
  for (int i = 0; i < 86; ++i) {
    if (i > 0) row += ",";
    auto it = cells.find(i);
    if (it != cells.end()) row += "\"" + it->second + "\"";
  }
  return row;
}

}  // namespace

TEST_CASE("CsvReader: quoted fields may hold commas, doubled quotes and line breaks", "[parsers][csv]") {
  std::vector<std::string> errors;
  auto rows = ReadAll("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",z\n", &errors);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(rows[2] == std::vector<std::string>{"2", "two\nlines", "z"});
  CHECK(errors[2].empty());
}

TEST_CASE("CsvReader: an unterminated quote names the line it opened on", "[parsers][csv]") {
  std::vector<std::string> errors;
  auto rows = ReadAll("a,b\n1,2\n3,\"open\nstill open\n", &errors);
  REQUIRE(rows.size() == 3);
  CHECK(errors[1].empty());
  CHECK(errors[2] == "unterminated quoted field (opened on line 3)");
  CHECK(rows[2] == std::vector<std::string>{"3", "open\nstill open"});
}

TEST_CASE("CsvReader: blank lines, no final newline and an empty last field", "[parsers][csv]") {
  std::vector<std::string> errors;
  auto rows = ReadAll("a,b\n\n1,\n2,x", &errors);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == std::vector<std::string>{"1", ""});
  CHECK(rows[2] == std::vector<std::string>{"2", "x"});
}

TEST_CASE("AuditPortalCsvParser: detection by the header, with and without a BOM", "[parsers][csv]") {
  CHECK(DetectFormat("AuditLogs.csv", AuditHeader() + "\n").format == "audit-portal-csv");
  // Italian portal: the first header is localised.
  std::string italian = AuditHeader();
  italian.replace(0, 12, "\"Data (UTC)\"");
  CHECK(DetectFormat("AuditLogs.csv", italian + "\n").format == "audit-portal-csv");
  CHECK(DetectFormat("x.csv", "a,b,c,d\n1,2,3,4\n").format.empty());
}

TEST_CASE("AuditPortalCsvParser: a Delete user row maps to the event CS-SVCACCT-DELETED matches",
          "[parsers][csv]") {
  auto parser = NewAuditPortalCsvParser();
  std::string input = "\xEF\xBB\xBF" + AuditHeader() + "\r\n" +
                      AuditRow({{0, "2026-11-17T14:02:11+00:00"},
                                {1, "5f2ab8bf-efef-4438-b729-59095004d11e"},
                                {2, "Core Directory"},
                                {3, "UserManagement"},
                                {4, "Delete user"},
                                {5, "Success"},
                                {8, "User"},
                                {9, "Jordan Lee"},
                                {11, "jordan.lee@contoso.com"},
                                {17, "User"},
                                {18, "On-Premises Directory Synchronization Service Account"},
                                {19, "0b1c2d3e-0000-4000-8000-000000000001"},
                                {20, "ADToAADSyncServiceAccount@contoso.onmicrosoft.com"},
                                {74, "UserType"},
                                {75, "Member"}}) +
                      "\r\n";
  CollectingSink sink;
  REQUIRE(ParseBytes(parser.get(), "AuditLogs.csv", input, &sink).ok());
  REQUIRE(sink.bad.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.kind == EventKind::kAudit);
  CHECK(e.activity == "Delete user");
  CHECK(e.level == "success");
  CHECK(e.reason == "UserManagement");
  CHECK(e.actor == "jordan.lee@contoso.com");
  CHECK(e.target_identity == "ADToAADSyncServiceAccount@contoso.onmicrosoft.com");
  CHECK(e.message == "UserType=Member");
  CHECK(e.time_ms == 1794924131000);
  CHECK(e.loc.line == 2);

  std::vector<Signature> sigs;
  REQUIRE(LoadSignatures("", &sigs).ok());
  std::unique_ptr<Matcher> matcher;
  REQUIRE(Matcher::Build(&sigs, &matcher).ok());
  Matcher::Scratch scratch;
  std::vector<int> hits;
  REQUIRE(matcher->Match(e, &scratch, &hits).ok());
  std::vector<std::string> ids;
  for (int h : hits) ids.push_back(sigs[h].id);
  CHECK(ids == std::vector<std::string>{"CS-SVCACCT-DELETED"});
}

TEST_CASE("AuditPortalCsvParser: a header with no rows holds no records, and a short row is kept as unparsed",
          "[parsers][csv]") {
  auto parser = NewAuditPortalCsvParser();
  {
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "h.csv", AuditHeader(), &sink).ok());
    CHECK(sink.events.empty());
    CHECK(sink.bad.empty());
  }
  {
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "s.csv", AuditHeader() + "\n\"2026-11-17T14:02:11+00:00\",\"x\"\n", &sink).ok());
    CHECK(sink.events.empty());
    REQUIRE(sink.bad.size() == 1);
    CHECK(sink.bad[0] == "s.csv:2: row has 2 fields where the header has 86");
  }
}

}  // namespace syncdoctor
