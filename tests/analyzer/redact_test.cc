#include "analyzer/report/redact.h"

#include <catch2/catch.hpp>

namespace syncdoctor {
namespace {

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("redact: UPNs and e-mail addresses become user@domain tokens, the same for the same input",
          "[redact]") {
  Redactor r("key-1");
  std::string a = r.Apply("Delete user alicia.brooks@contoso.com by Jordan.Lee@Contoso.com");
  CHECK_FALSE(Has(a, "alicia"));
  CHECK_FALSE(Has(a, "contoso"));
  CHECK_FALSE(Has(a, "jordan"));
  // Case does not make another person.
  CHECK(r.Apply("jordan.lee@contoso.com") == r.Apply("JORDAN.LEE@CONTOSO.COM"));
  // Both addresses share the domain token.
  std::string d = r.Apply("contoso.com");
  REQUIRE(d.rfind("domain-", 0) == 0);
  CHECK(Has(a, "@" + d));
  // Same key, same tokens, in another redactor; another key, other tokens.
  Redactor same("key-1"), other("key-2");
  CHECK(same.Apply("Delete user alicia.brooks@contoso.com by Jordan.Lee@Contoso.com") == a);
  CHECK(other.Apply("alicia.brooks@contoso.com") != r.Apply("alicia.brooks@contoso.com"));
  // No key: a random one, still stable within the run.
  Redactor random1(""), random2("");
  CHECK(random1.Apply("x@contoso.com") == random1.Apply("x@contoso.com"));
  CHECK(random1.Apply("x@contoso.com") != random2.Apply("x@contoso.com"));
}

TEST_CASE("redact: tenant domains keep Microsoft's suffix, Microsoft's hosts and error codes stay", "[redact]") {
  Redactor r("k");
  std::string t = r.Apply("The user account {EmailHidden} doesn't exist in the contoso.onmicrosoft.com directory");
  CHECK_FALSE(Has(t, "contoso"));
  CHECK(Has(t, ".onmicrosoft.com directory"));
  CHECK(Has(r.Apply("ADToAADSyncServiceAccount@contoso.onmicrosoft.com"), "ADToAADSyncServiceAccount@tenant-"));
  for (const char* keep : {"login.microsoftonline.com", "https://go.microsoft.com/fwlink/?linkid=2150988",
                           "contoso-sb.servicebus.windows.net", "graph.microsoft.com", "AADSTS50034",
                           "AzureActiveDirectoryInvalidCredential", "Repair-AADCloudSyncToolsAccount",
                           "Microsoft.Online.Deployment.PowerShell", "at Foo.Bar() in C:\\src\\sync.cs:line 12",
                           "Version 1.1.977.0", "NT AUTHORITY\\SYSTEM", "NT SERVICE\\AADConnectProvisioningAgent"}) {
    INFO(keep);
    CHECK(r.Apply(keep) == keep);
  }
}

TEST_CASE("redact: IPs, GUIDs, hostnames, distinguished names, logons and profile folders", "[redact]") {
  Redactor r("k");
  std::string s = r.Apply("from 10.1.2.3 and fe80::1c2d:3e4f:5a6b:7c8d to dc01.corp.contoso.com");
  CHECK_FALSE(Has(s, "10.1.2.3"));
  CHECK_FALSE(Has(s, "fe80::1c2d"));
  CHECK_FALSE(Has(s, "dc01"));
  CHECK(Has(s, "ip-"));
  // A GUID is one token whether written with dashes or without: joins survive.
  std::string g1 = r.Apply("46de6eef-043f-4f5b-85fb-0d553a6ef8d3");
  std::string g2 = r.Apply("46DE6EEF043F4F5B85FB0D553A6EF8D3");
  CHECK(g1.rfind("id-", 0) == 0);
  CHECK(g1 == g2);
  std::string dn = r.Apply("CN=Alicia Brooks,OU=Sales,DC=contoso,DC=com");
  CHECK_FALSE(Has(dn, "Alicia"));
  CHECK_FALSE(Has(dn, "Sales"));
  CHECK_FALSE(Has(dn, "contoso"));
  CHECK(Has(dn, "DC=com"));
  std::string logon = r.Apply("logon CONTOSO\\abrooks failed");
  CHECK_FALSE(Has(logon, "CONTOSO"));
  CHECK_FALSE(Has(logon, "abrooks"));
  std::string profile = r.Apply("C:\\Users\\abrooks\\AppData\\Local\\Temp");
  CHECK_FALSE(Has(profile, "abrooks"));
  CHECK(Has(profile, "C:\\Users\\user-"));
  CHECK(r.Apply("C:\\Users\\Public\\x") == "C:\\Users\\Public\\x");
}

TEST_CASE("redact: learned display names are replaced as whole words only", "[redact]") {
  Redactor r("k");
  r.AddName("Ana Ruiz");
  r.AddName("SSPR Enabled Users");
  r.AddName("Azure AD Provisioning Service");  // Microsoft's: not a person, stays
  r.AddName("ab");                             // too short to be told from words
  std::string s = r.Apply("User 'Ana Ruiz' added to SSPR Enabled Users by Azure AD Provisioning Service; "
                          "Banana Ruizz is not her");
  CHECK_FALSE(Has(s, "Ana Ruiz'"));
  CHECK_FALSE(Has(s, "SSPR"));
  CHECK(Has(s, "Azure AD Provisioning Service"));
  CHECK(Has(s, "Banana Ruizz"));
  CHECK(r.Apply("ana ruiz") == r.Apply("Ana Ruiz"));
}

TEST_CASE("redact: applying twice changes nothing more (tokens are never redacted again)", "[redact]") {
  Redactor r("k");
  r.AddName("Alicia Brooks");
  const char* inputs[] = {
      "alicia.brooks@contoso.com in contoso.onmicrosoft.com from 10.0.0.4 id 46de6eef-043f-4f5b-85fb-0d553a6ef8d3",
      "CN=Alicia Brooks,OU=Sales,DC=contoso,DC=com", "job AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd.ac30bc1d"};
  for (const char* in : inputs) {
    INFO(in);
    std::string once = r.Apply(in);
    CHECK(r.Apply(once) == once);
  }
}

}  // namespace
}  // namespace syncdoctor
