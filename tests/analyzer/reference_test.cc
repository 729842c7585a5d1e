// Reference tables: the built-in TSV files, their parser, the lookups, and their agreement with
// the signatures in both directions.
#include "analyzer/reference.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "analyzer/embedded_signatures.h"

using namespace syncdoctor;  // NOLINT: test file

namespace {

// The signatures and their matcher, loaded once for the whole file.
struct Sigs {
  std::vector<Signature> list;
  std::unique_ptr<Matcher> matcher;
  Sigs() {
    REQUIRE(LoadSignatures("", &list).ok());
    REQUIRE(Matcher::Build(&list, &matcher).ok());
  }
};
const Sigs& BuiltinSigs() {
  static Sigs sigs;
  return sigs;
}

const ReferenceTable& Builtin() {
  const ReferenceTable* t = BuiltinReference();
  REQUIRE(t != nullptr);
  return *t;
}

std::vector<const ReferenceEntry*> OfFile(const std::string& file) {
  std::vector<const ReferenceEntry*> out;
  for (const auto& e : Builtin().entries()) {
    if (e.file == file) out.push_back(&e);
  }
  return out;
}

std::set<std::string> SignatureIds(const ExplainAnswer& a) {
  std::set<std::string> ids;
  for (const auto& s : a.signatures) ids.insert(s.signature->id);
  return ids;
}

std::string Codes(const std::vector<ReferenceMatch>& matches, size_t n = 5) {
  std::string out;
  for (size_t i = 0; i < matches.size() && i < n; ++i) {
    out += (i ? ", " : "") + matches[i].entry->code + " (" + std::to_string(matches[i].score) + ")";
  }
  return out;
}

std::string ParseError(std::string_view text, std::string_view path = "t/x.tsv") {
  ReferenceTable t;
  Status s = t.AddFile(path, text);
  if (s.ok()) return "ok";
  CHECK(t.entries().empty());  // a bad file adds nothing
  return s.message();
}

}  // namespace

TEST_CASE("ReferenceTable: the built-in tables load, one file per family, and every row names its source",
          "[analyzer][reference]") {
  std::set<std::string> files;
  for (const auto& f : EmbeddedReferenceFiles()) files.insert(std::string(f.path));
  CHECK(files == std::set<std::string>{"signatures/reference/aadsts.tsv", "signatures/reference/http.tsv",
                                       "signatures/reference/ldap.tsv", "signatures/reference/provisioning.tsv",
                                       "signatures/reference/scm.tsv"});
  std::map<std::string, size_t> rows;
  for (const auto& e : Builtin().entries()) {
    INFO(e.file << ":" << e.line << " " << e.code);
    ++rows[e.file];
    CHECK(!e.meaning.empty());
    CHECK(!e.source.empty());
    CHECK(e.meaning.find('\t') == std::string::npos);
  }
  CHECK(rows["signatures/reference/aadsts.tsv"] == 345);
  CHECK(rows["signatures/reference/provisioning.tsv"] >= 80);
  CHECK(rows["signatures/reference/ldap.tsv"] >= 80);
  CHECK(rows["signatures/reference/http.tsv"] >= 30);
  CHECK(rows["signatures/reference/scm.tsv"] >= 25);

  SECTION("the AADSTS table holds codes only, each once, with the page's names") {
    static const std::regex code_form("AADSTS[0-9]{5,7}");
    static const std::regex name_form("[A-Za-z][A-Za-z0-9_]*");
    std::set<std::string> seen;
    for (const auto* e : OfFile("signatures/reference/aadsts.tsv")) {
      INFO(e->code);
      CHECK(std::regex_match(e->code, code_form));
      CHECK(seen.insert(e->code).second);
      CHECK(e->family == "aadsts");
      CHECK(e->number == std::stoll(e->code.substr(6)));
      if (!e->name.empty()) CHECK(std::regex_match(e->name, name_form));
    }
    // Written down from the page (entra-docs reference-error-codes.md, 3164b3b5), independently
    // of the TSV file: a code or name that drifts fails here.
    const std::map<std::string, std::string> published = {
        {"AADSTS16000", "InteractionRequired"},
        {"AADSTS50034", "UserAccountNotFound"},
        {"AADSTS50053", "IdsLocked"},  // named inside the first list item
        {"AADSTS50055", "InvalidPasswordExpiredPassword"},
        {"AADSTS50057", "UserDisabled"},
        {"AADSTS50076", "UserStrongAuthClientAuthNRequired"},
        {"AADSTS50078", "UserStrongAuthExpired"},  // "UserStrongAuthExpired- Presented ..."
        {"AADSTS50079", "UserStrongAuthEnrollmentRequired"},
        {"AADSTS50126", "InvalidUserNameOrPassword"},
        {"AADSTS50144", "InvalidPasswordExpiredOnPremPassword"},
        {"AADSTS50147", "MissingCodeChallenge"},  // listed twice, once without a name
        // The 02/03/2025 text dropped these names; the table keeps them from the 04/24/2024 page.
        {"AADSTS50107", "InvalidRealmUri"},
        {"AADSTS50168", "ChromeBrowserSsoInterruptRequired"},
        {"AADSTS50173", "FreshTokenNeeded"},
        {"AADSTS50192", "RawCredentialExpectedNotFound"},  // "Invalid Request - RawCredential..."
        {"AADSTS53003", "BlockedByConditionalAccess"},
        {"AADSTS530035", "BlockedBySecurityDefaults"},
        {"AADSTS65001", "DelegationDoesNotExist"},
        {"AADSTS70011", "InvalidScope"},
        {"AADSTS90002", "InvalidTenantName"},
        {"AADSTS90095", "AdminConsentRequiredRequestAccess"},
        {"AADSTS120000", "PasswordChangeIncorrectCurrentPassword"},
        {"AADSTS500011", "InvalidResourceServicePrincipalNotFound"},
        {"AADSTS700016", "UnauthorizedClient_DoesNotMatchRequest"},
        {"AADSTS7000215", ""},
        {"AADSTS7000222", "InvalidClientSecretExpiredKeysProvided"},
        {"AADSTS9002313", "InvalidRequest"},
        {"AADSTS9002341", ""},  // "V2Error: `invalid_grant` - ..."
        {"AADSTS650059", ""},
    };
    for (const auto& [code, name] : published) {
      INFO(code);
      const ReferenceEntry* e = Builtin().Find(code);
      REQUIRE(e != nullptr);
      CHECK(e->name == name);
    }
  }
}

TEST_CASE("Explain: every AADSTS code of the table answers with its published name, exact and as a bare number",
          "[analyzer][reference]") {
  const auto& sigs = BuiltinSigs();
  auto rows = OfFile("signatures/reference/aadsts.tsv");
  REQUIRE(rows.size() == 345);
  for (const auto* e : rows) {
    const std::string digits = e->code.substr(6);
    for (const std::string& q : {e->code, digits, "aadsts" + digits}) {
      INFO(q);
      ExplainAnswer a;
      REQUIRE(Explain(q, Builtin(), *sigs.matcher, &a).ok());
      REQUIRE(!a.reference.empty());
      CHECK(a.reference[0].entry->code == e->code);
      CHECK(a.reference[0].entry->name == e->name);
      CHECK(a.reference[0].score >= 90);
    }
  }
}

TEST_CASE("Reference tables and signatures agree both ways, so the signatures column cannot go stale",
          "[analyzer][reference]") {
  const auto& sigs = BuiltinSigs();
  std::set<std::string> ids;
  for (const auto& s : sigs.list) ids.insert(s.id);
  size_t listed = 0;
  for (const auto& e : Builtin().entries()) {
    INFO(e.file << ":" << e.line << " " << e.code);
    std::set<std::string> column(e.signatures.begin(), e.signatures.end());
    CHECK(column.size() == e.signatures.size());  // no id twice
    // Every id in the column is a signature, and explain finds it for the code.
    if (!column.empty()) {
      ++listed;
      ExplainAnswer a;
      REQUIRE(Explain(e.code, Builtin(), *sigs.matcher, &a).ok());
      std::set<std::string> found = SignatureIds(a);
      for (const auto& id : column) {
        INFO("listed: " << id);
        CHECK(ids.count(id) == 1);
        CHECK(found.count(id) == 1);
      }
    }
    // Every signature that flags the code (or its name) in a log is in the column.
    std::vector<std::string> covering;
    REQUIRE(CoveringSignatures(e, *sigs.matcher, &covering).ok());
    for (const auto& id : covering) {
      INFO("flags it but is not listed: " << id);
      CHECK(column.count(id) == 1);
    }
  }
  CHECK(listed >= 100);

  SECTION("a signature named after AADSTS codes is listed by each code it is named after") {
    static const std::regex named("AADSTS([0-9]+)(-([0-9]+))?");
    for (const auto& s : sigs.list) {
      std::smatch m;
      if (!std::regex_match(s.id, m, named)) continue;
      for (int g : {1, 3}) {
        if (!m[g].matched) continue;
        const ReferenceEntry* e = Builtin().Find("AADSTS" + m[g].str());
        INFO(s.id << " -> AADSTS" << m[g].str());
        REQUIRE(e != nullptr);
        CHECK(std::count(e->signatures.begin(), e->signatures.end(), s.id) == 1);
      }
    }
  }
}

TEST_CASE("ReferenceTable: parse errors name the file and the line", "[analyzer][reference]") {
  const std::string header = "# a comment\ncode\tname\tmeaning\tsource\tsignatures\n";
  CHECK(ParseError(header + "A1\tN\tm\ts\t\n") == "ok");
  CHECK(ParseError(header + "A1\tN\tm\ts\n") ==
        "t/x.tsv:3: 4 fields, the header has 5 (a tab too many or too few?)");
  CHECK(ParseError(header + "A1\tN\tm\ts\tX\textra\n") ==
        "t/x.tsv:3: 6 fields, the header has 5 (a tab too many or too few?)");
  CHECK(ParseError("code\tname\tmeaning\tsource\tsignatures\tcolour\n") ==
        "t/x.tsv:1: unknown column 'colour' in the header (known: code, name, family, meaning, "
        "who_can_hit, source, signatures, number)");
  CHECK(ParseError("code\tname\tmeaning\tsignatures\n") == "t/x.tsv:1: the header has no 'source' column");
  CHECK(ParseError("code\tcode\tname\tmeaning\tsource\tsignatures\n") == "t/x.tsv:1: column 'code' appears twice");
  CHECK(ParseError("# only comments\n\n") == "t/x.tsv:3: no header row");
  CHECK(ParseError(header + "A1\tN\tm\ts\t\n\nA1\tM\tm\ts\t\n") ==
        "t/x.tsv:5: duplicate code 'A1' (also on line 3)");
  CHECK(ParseError(header + "\tN\tm\ts\t\n") == "t/x.tsv:3: empty code");
  CHECK(ParseError(header + "A1\tN\t\ts\t\n") == "t/x.tsv:3: A1: empty meaning");
  CHECK(ParseError(header + "A1\tN\tm\t\t\n") == "t/x.tsv:3: A1: empty source");
  CHECK(ParseError(header + "A1\t N\tm\ts\t\n") == "t/x.tsv:3: the name field starts or ends with a space");
  CHECK(ParseError(header + "A1\tN\tm\ts\tAADSTS50034 not;an;id\n") == "t/x.tsv:3: A1: 'not;an;id' is not a signature id");
  const std::string full = "code\tnumber\tname\tfamily\tmeaning\twho_can_hit\tsource\tsignatures\n";
  CHECK(ParseError(full + "A1\t12x\tN\tf\tm\t\ts\t\n") == "t/x.tsv:2: A1: number '12x' is not a decimal number");
  CHECK(ParseError(full + "A1\t\tN\tf\tm\tsync_service_account admins\ts\t\n") ==
        "t/x.tsv:2: A1: unknown who_can_hit 'admins' (known: sync_service_account, "
        "app_provisioning_credentials, agent, none)");
  CHECK(ParseError(full + "A1\t\tN\tBad-Family\tm\t\ts\t\n") ==
        "t/x.tsv:2: A1: family 'Bad-Family' is not lower_case_with_underscores");

  SECTION("a UTF-8 BOM, CRLF line ends, comments and columns in any order are accepted") {
    ReferenceTable t;
    REQUIRE(t.AddFile("dir/mine.tsv",
                      "\xEF\xBB\xBF# source: made up\r\nsignatures\tcode\tsource\tmeaning\tname\twho_can_hit\r\n"
                      "# between rows\r\nAADSTS-X\tE1\tmy notes\tmeans this\tNameOne\tagent none\r\n")
                .ok());
    REQUIRE(t.entries().size() == 1);
    const ReferenceEntry& e = t.entries()[0];
    CHECK(e.code == "E1");
    CHECK(e.name == "NameOne");
    CHECK(e.family == "mine");  // the file name when the row gives none
    CHECK(e.who_can_hit == std::vector<std::string>{"agent"});
    CHECK(e.signatures == std::vector<std::string>{"AADSTS-X"});
    CHECK(e.file == "dir/mine.tsv");
    CHECK(e.line == 4);
    CHECK(e.number == -1);
  }

  SECTION("a code loaded from another file is an error naming both, unless it may replace") {
    ReferenceTable t;
    REQUIRE(t.AddFile("a.tsv", header + "A1\tOld\told meaning\ts\t\n").ok());
    const ReferenceEntry* before = t.Find("A1");
    Status s = t.AddFile("b.tsv", "code\tname\tmeaning\tsource\tsignatures\nA1\tNew\tnew meaning\ts\t\n");
    CHECK(s.message() == "b.tsv:2: duplicate code 'A1' (also in a.tsv:3)");
    CHECK(t.Find("A1")->meaning == "old meaning");
    REQUIRE(t.AddFile("b.tsv", "code\tname\tmeaning\tsource\tsignatures\nA1\tNew\tnew meaning\ts\t\n",
                      ReferenceTable::OnDuplicate::kReplace)
                .ok());
    CHECK(t.entries().size() == 1);
    CHECK(t.Find("A1") == before);  // replaced in place
    CHECK(before->meaning == "new meaning");
    CHECK(t.Find("new") == before);  // the name index follows the new row
    CHECK(t.Find("old") == nullptr);
  }
}

TEST_CASE("ReferenceTable: lookups rank the code, then the name, the number, prefixes and words", "[analyzer][reference]") {
  const ReferenceTable& t = Builtin();
  auto top = [&](const std::string& q) {
    auto m = t.Lookup(q);
    INFO(q << " -> " << Codes(m));
    REQUIRE(!m.empty());
    return m[0];
  };
  CHECK(top("AADSTS50034").entry->code == "AADSTS50034");
  CHECK(top("AADSTS50034").score == 100);
  CHECK(top("aadsts50034").score == 99);
  CHECK(top("50034").entry->code == "AADSTS50034");
  CHECK(top("50034").how == "number");
  CHECK(top("userAccountNotfound").entry->code == "AADSTS50034");
  CHECK(top("userAccountNotfound").how == "name");
  CHECK(top("4003").entry->code == "problem 4003");
  CHECK(top("Problem 4003").entry->code == "problem 4003");
  CHECK(top("INSUFF_ACCESS_RIGHTS").entry->code == "problem 4003");
  CHECK(top("8344").entry->code == "00002098");        // decimal Win32 code
  CHECK(top("0x80072098").entry->code == "00002098");  // HRESULT of it
  CHECK(top("2030").entry->code == "0x80072030");
  CHECK(top("52e").entry->code == "0000052E");
  CHECK(top("7036").entry->code == "Service Control Manager/7036");
  CHECK(top("429").entry->code == "429");
  CHECK(top("TooManyRequests").entry->code == "TooManyRequests");  // the provisioning code before HTTP 429's name
  CHECK(top("TimeOut").entry->family == "cloudsync_error");         // exact case wins
  CHECK(top("Timeout").entry->family == "provisioning_error");

  SECTION("a prefix lists the shortest codes first") {
    auto m = t.Lookup("AADSTS5003");
    INFO(Codes(m));
    REQUIRE(m.size() >= 4);
    CHECK(m[0].entry->code == "AADSTS50032");
    CHECK(m[1].entry->code == "AADSTS50033");
    CHECK(m[2].entry->code == "AADSTS50034");
    for (int i = 0; i < 3; ++i) CHECK(m[i].how == "code prefix");
    // Then meanings that quote such a code (CredentialsInvalid AADSTS50034).
    CHECK(m[3].how == "word in meaning");
  }
  SECTION("a word finds codes that contain it, then names, then meanings") {
    auto m = t.Lookup("escrow");
    INFO(Codes(m, 10));
    REQUIRE(m.size() >= 4);
    std::set<std::string> first3 = {m[0].entry->code, m[1].entry->code, m[2].entry->code};
    CHECK(first3 == std::set<std::string>{"EncounteredBaseEscrowThreshold", "EncounteredTotalEscrowThreshold",
                                          "EncounteredEscrowProportionThreshold"});
    CHECK(m[3].how == "word in meaning");
    auto n = t.Lookup("UserAccountNotFound");
    INFO(Codes(n, 10));
    REQUIRE(n.size() >= 2);
    CHECK(n[0].entry->code == "AADSTS50034");
    CHECK(n[1].entry->code == "AADSTS16003");  // SsoUserAccountNotFoundInResourceTenant
    CHECK(n[1].how == "part of name");
  }
  SECTION("a word of a meaning must start a word there") {
    auto m = t.Lookup("crow");  // inside "escrow", never at the start of a word
    CHECK(!m.empty());
    for (const auto& x : m) CHECK(x.how != "word in meaning");
  }
  SECTION("unknown and empty queries find nothing") {
    CHECK(t.Lookup("NoSuchCodeAnywhere").empty());
    CHECK(t.Lookup("AADSTS99999999").empty());
    CHECK(t.Lookup("   ").empty());
    CHECK(t.Lookup("").empty());
  }
}

TEST_CASE("FindReference: the code forms the report meets, and nothing for unknown codes", "[analyzer][reference]") {
  REQUIRE(FindReference("AADSTS50034") != nullptr);
  CHECK(FindReference("AADSTS50034")->name == "UserAccountNotFound");
  CHECK(FindReference("aadsts50034") == FindReference("AADSTS50034"));
  CHECK(FindReference("SystemForCrossDomainIdentityManagementBadResponse")->family == "provisioning_error");
  CHECK(FindReference("EncounteredQuarantineException")->family == "quarantine_reason");
  CHECK(FindReference("HybridIdentityServiceNoActiveAgents")->family == "cloudsync_error");
  CHECK(FindReference("INSUFF_ACCESS_RIGHTS")->code == "problem 4003");  // by its name
  CHECK(FindReference("InsufficientAccessRights")->family == "ldap_result");
  CHECK(FindReference("TimeOut")->family == "cloudsync_error");
  CHECK(FindReference("Timeout")->family == "provisioning_error");
  CHECK(FindReference("UnauthorizedClient_DoesNotMatchRequest")->code == "AADSTS700016");
  CHECK(FindReference("50034") == nullptr);  // bare numbers are Lookup()'s business
  CHECK(FindReference("AADSTS9990001") == nullptr);
  CHECK(FindReference("") == nullptr);
}

TEST_CASE("Explain: reference rows bring in the signatures of their code and name", "[analyzer][reference]") {
  const auto& sigs = BuiltinSigs();
  ExplainAnswer a;
  REQUIRE(Explain("409", Builtin(), *sigs.matcher, &a).ok());
  REQUIRE(!a.reference.empty());
  CHECK(a.reference[0].entry->name == "Conflict");
  REQUIRE(!a.signatures.empty());
  CHECK(a.signatures[0].signature->id == "SCIM-CONFLICT");
  CHECK(a.signatures[0].why == "flags Conflict as an error code");

  REQUIRE(Explain("INSUFF_ACCESS_RIGHTS", Builtin(), *sigs.matcher, &a).ok());
  REQUIRE(!a.signatures.empty());
  CHECK(a.signatures[0].signature->id == "AD-INSUFFICIENT-ACCESS-RIGHTS");
  CHECK(a.signatures[0].why == "flags it in a message");

  REQUIRE(Explain("Service Control Manager/7000", Builtin(), *sigs.matcher, &a).ok());
  REQUIRE(!a.signatures.empty());
  CHECK(a.signatures[0].signature->id == "AGT-SERVICE-STOPPED-OR-CRASHED");
  CHECK(a.signatures[0].why == "names 7000 in its title");

  REQUIRE(Explain("NoSuchCodeAnywhere", Builtin(), *sigs.matcher, &a).ok());
  CHECK(a.reference.empty());
  CHECK(a.signatures.empty());
}

// Not a benchmark (the load takes 1 to 2 ms here): a guard against an accidentally quadratic load,
// with room for a loaded CI machine. Sanitizer builds are too slow for any bound to mean much.
TEST_CASE("ReferenceTable: the built-in tables load in well under 50 ms", "[analyzer][reference]") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("skipped under AddressSanitizer");
  return;
#endif
  double best_ms = 1e9;
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    ReferenceTable t;
    REQUIRE(LoadReferenceTables("", &t).ok());
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    best_ms = std::min(best_ms, ms);
    REQUIRE(t.entries().size() > 500);
  }
  INFO("best of 5: " << best_ms << " ms");
  CHECK(best_ms < 50.0);
}
