// End-to-end tests of `syncdoctor explain` with the reference tables (the built binary is run and
// its text and JSON answers are checked), and of scripts/reference-diff.
#include <simdjson.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "tests/e2e/e2e_util.h"

using namespace e2e;  // NOLINT: test helpers

namespace {

std::set<std::string> Strings(simdjson::dom::element array) {
  std::set<std::string> out;
  for (auto s : array.get_array()) out.insert(Str(s));
  return out;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

TEST_CASE("explain: a bare AADSTS number answers in JSON with the published name and the covering signatures",
          "[e2e][explain]") {
  RunResult r = Run("explain 50034 --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  CHECK(Str(rep.root["query"]) == "50034");
  auto refs = rep.root["reference"].get_array();
  REQUIRE(refs.size() >= 1);
  auto first = refs.at(0);
  CHECK(Str(first["code"]) == "AADSTS50034");
  CHECK(Str(first["name"]) == "UserAccountNotFound");
  CHECK(Str(first["family"]) == "aadsts");
  CHECK(Str(first["matched_by"]) == "number");
  CHECK(Str(first["source"]) == "reference-error-codes.md, AADSTS error codes");
  CHECK(!Str(first["meaning"]).empty());
  CHECK(Strings(first["who_can_hit"]).count("sync_service_account") == 1);
  std::set<std::string> covering = Strings(first["signatures"]);
  CHECK(covering.count("AADSTS50034") == 1);
  CHECK(covering.count("CS-QUARANTINE-CREDENTIALS-INVALID") == 1);
  // The signature answers keep their members.
  auto answers = rep.root["answers"].get_array();
  REQUIRE(answers.size() >= 2);
  CHECK(Str(answers.at(0)["signature"]) == "AADSTS50034");
  CHECK(Str(answers.at(0)["matched_by"]) == "is named after it");
  for (const char* member : {"title", "severity", "cause", "fix", "references"}) {
    INFO(member);
    simdjson::dom::element e;
    CHECK(answers.at(0)[member].get(e) == simdjson::SUCCESS);
  }
}

TEST_CASE("explain: a word lists the reference rows that contain it, then the signatures", "[e2e][explain]") {
  RunResult r = Run("explain escrow");
  REQUIRE(r.exit_code == 0);
  CHECK(FirstLine(r.out) == "EncounteredBaseEscrowThreshold  (quarantine_reason)");
  CHECK(r.out.find("\nEncounteredEscrowProportionThreshold  (quarantine_reason)\n  (matched by part of code)\n"
                   "  Meaning: ") != std::string::npos);
  CHECK(r.out.find("  Covered by: PROV-QUAR-ESCROW-PROPORTION\n") != std::string::npos);
  // Reference rows come before the signatures.
  size_t last_row = r.out.rfind("  Covered by: ");
  size_t first_sig = r.out.find("  [high]  ");
  REQUIRE(first_sig != std::string::npos);
  CHECK(last_row < first_sig);
  CHECK(r.out.find("PROV-QUAR-ESCROW-PROPORTION  [high]  ") != std::string::npos);
}

TEST_CASE("explain: a published name in any case finds its AADSTS code", "[e2e][explain]") {
  RunResult r = Run("explain userAccountNotfound");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("AADSTS50034  UserAccountNotFound  (aadsts)\n  (matched by name)\n  Meaning: ", 0) == 0);
  CHECK(r.out.find("  Source: reference-error-codes.md, AADSTS error codes\n") != std::string::npos);
  CHECK(r.out.find("  Covered by: AADSTS50034, CS-QUARANTINE-CREDENTIALS-INVALID\n") != std::string::npos);
  CHECK(r.out.find("\nAADSTS50034  [critical]  ") != std::string::npos);
}

TEST_CASE("explain: an LDAP problem name finds the AD problem code and the signature that flags it", "[e2e][explain]") {
  RunResult r = Run("explain INSUFF_ACCESS_RIGHTS");
  REQUIRE(r.exit_code == 0);
  CHECK(FirstLine(r.out) == "problem 4003  INSUFF_ACCESS_RIGHTS  (ad_problem)");
  CHECK(r.out.find("  Can hit: the provisioning agent\n") != std::string::npos);
  CHECK(r.out.find("  Covered by: AD-INSUFFICIENT-ACCESS-RIGHTS\n") != std::string::npos);
  CHECK(r.out.find("\nAD-INSUFFICIENT-ACCESS-RIGHTS  [medium]  ") != std::string::npos);
  CHECK(r.out.find("  (this signature flags it in a message)\n") != std::string::npos);

  RunResult bare = Run("explain 4003 --format json");
  REQUIRE(bare.exit_code == 0);
  Report rep(bare.out);
  CHECK(Str(rep.root["reference"].get_array().at(0)["code"]) == "problem 4003");
  CHECK(Str(rep.root["answers"].get_array().at(0)["signature"]) == "AD-INSUFFICIENT-ACCESS-RIGHTS");
  CHECK(Str(rep.root["answers"].get_array().at(0)["matched_by"]) == "flags INSUFF_ACCESS_RIGHTS in a message");
}

TEST_CASE("explain: an unknown code is said plainly, with exit code 1", "[e2e][explain]") {
  RunResult r = Run("explain AADSTS99999999");
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        "Nothing is known about 'AADSTS99999999': no reference table lists it and no signature flags or "
        "mentions it. Try a part of it, the bare number, or 'syncdoctor signatures list'.\n");
  RunResult j = Run("explain AADSTS99999999 --format json");
  CHECK(j.exit_code == 1);
  Report rep(j.out);
  CHECK(rep.root["reference"].get_array().size() == 0);
  CHECK(rep.root["answers"].get_array().size() == 0);
}

TEST_CASE("explain: a code no signature names finds its family, marked family-level", "[e2e][explain][family]") {
  RunResult text = Run("explain WidgetFactoryTokenExpired");
  CHECK(text.exit_code == 0);
  CHECK(text.out.rfind("FAM-APP-CREDENTIALS  [critical]  ", 0) == 0);
  CHECK(text.out.find("(family-level)\n") != std::string::npos);
  RunResult json = Run("explain HybridSynchronizationActiveDirectoryContainerNotFound --format json");
  Report rep(json.out);
  auto answers = rep.root["answers"].get_array();
  REQUIRE(answers.size() >= 1);
  CHECK(Str(answers.at(0)["signature"]) == "FAM-AD-NOT-FOUND");
  CHECK(Str(answers.at(0)["tier"]) == "family");
  // A code a specific signature names comes with that signature first, not a family.
  RunResult named = Run("explain ServiceNowInvalidCredentials --format json");
  Report rep2(named.out);
  CHECK(Str(rep2.root["answers"].get_array().at(0)["tier"]) == "specific");
}

TEST_CASE("explain: --reference DIR replaces a built-in row, and a broken table names file and line",
          "[e2e][explain]") {
  TempDir tmp;
  fs::create_directories(tmp / "ref");
  std::ofstream(tmp / "ref/mine.tsv") << "# reviewed locally\ncode\tname\tmeaning\tsource\tsignatures\n"
                                       "AADSTS50034\tUserAccountNotFound\tOur own note on it.\tlocal review\t\n";
  RunResult r = Run("explain AADSTS50034 --reference '" + (tmp / "ref") + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("AADSTS50034  UserAccountNotFound  (mine)\n  Meaning: Our own note on it.\n"
                    "  Source: local review\n  Covered by: no signature\n",
                    0) == 0);

  std::ofstream(tmp / "ref/mine.tsv") << "code\tname\tmeaning\tsource\tsignatures\nX1\tN\tm\ts\n";
  RunResult bad = Run("explain AADSTS50034 --reference '" + (tmp / "ref") + "'");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(tmp / "ref/mine.tsv" + ":2: 4 fields, the header has 5") != std::string::npos);
}

TEST_CASE("reference-diff: a copy of the page matching the table is clean, and added, removed and renamed codes are reported",
          "[e2e][reference]") {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) {
    WARN("python3 is not installed: scripts/reference-diff not tested");
    return;
  }
  // A page in the markdown form of reference-error-codes.md, written from our own table.
  std::ifstream in(kSource + "/signatures/reference/aadsts.tsv");
  std::string line, rows;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      REQUIRE(line.rfind("code\tname\t", 0) == 0);
      header = false;
      continue;
    }
    size_t tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
    std::string code = line.substr(0, tab1), name = line.substr(tab1 + 1, tab2 - tab1 - 1);
    rows += "| " + code + " | " + (name.empty() ? "Described without a name." : name + " - Some text.") + " |\n";
  }
  const std::string head = "# Microsoft Entra authentication and authorization error codes\n\n"
                           "## AADSTS error codes\n\n| Error | Description |\n|---|---|\n";
  TempDir tmp;
  std::ofstream(tmp / "same.md") << head << rows;
  std::string script = "python3 '" + kSource + "/scripts/reference-diff' ";
  auto run = [&](const std::string& page) {
    std::string cmd = script + "'" + page + "' >'" + (tmp / "out") + "' 2>&1";
    int rc = std::system(cmd.c_str());
    return std::make_pair(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, ReadFile(tmp / "out"));
  };
  auto [same_rc, same_out] = run(tmp / "same.md");
  INFO(same_out);
  CHECK(same_rc == 0);
  CHECK(same_out.find("page:  345 codes in 345 rows\n") != std::string::npos);
  CHECK(same_out.find("added upstream (not in the table): 0\nremoved upstream (only in the table): 0\n"
                      "name changed: 0\n") != std::string::npos);

  std::string changed = rows;
  size_t first_end = changed.find('\n');
  std::string first_code = changed.substr(2, changed.find(' ', 2) - 2);  // "| AADSTS16000 | ..."
  changed.erase(0, first_end + 1);
  size_t at = changed.find("| AADSTS50057 | UserDisabled - ");
  REQUIRE(at != std::string::npos);
  changed.replace(at, 31, "| AADSTS50057 | UserAccountDisabled - ");
  changed += "| AADSTS9999001 | BrandNewError - Something new. |\n| AADSTS50057 | Listed twice. |\n";
  std::ofstream(tmp / "changed.md") << head << changed;
  auto [rc, out] = run(tmp / "changed.md");
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("listed twice: AADSTS50057") != std::string::npos);
  CHECK(out.find("added upstream (not in the table): 1\n  + AADSTS9999001\tBrandNewError\n") != std::string::npos);
  CHECK(out.find("removed upstream (only in the table): 1\n  - " + first_code + "\t") != std::string::npos);
  CHECK(out.find("name changed: 1\n  ~ AADSTS50057\tUserDisabled -> UserAccountDisabled\n") != std::string::npos);

  auto [bad_rc, bad_out] = run(kSource + "/README.md");
  CHECK(bad_rc == 2);
  CHECK(bad_out.find("no '| AADSTSnnnnn | ... |' table rows") != std::string::npos);
}
