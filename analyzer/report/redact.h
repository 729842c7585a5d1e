// --redact: customer data in report text replaced by stable pseudonyms.
//
// Every token is an HMAC-SHA256 of the original value (normalised: lower case) under a key, so the
// same value gives the same token everywhere in a run, and in every run given the same key: joins
// and counts in a redacted report still hold. What is replaced:
//   UPNs and e-mail addresses   alice@contoso.com        -> user-3f9a1c20b4@domain-7be1d09a3c.example
//   tenant and customer domains contoso.com, contoso.onmicrosoft.com, dc01.corp.contoso.com
//   IPv4 and IPv6 addresses     10.0.0.4                 -> ip-1a2b3c4d5e
//   GUIDs (object, trace, correlation and tenant ids)    -> id-0c1d2e3f4a
//   display names of identities the index knows (actors, targets), and CN/OU/DC values of
//   distinguished names, DOMAIN\user logons and C:\Users\<name> profile folders -> name-…
// What stays readable: error codes (AADSTS50034), cmdlet and class names, signature ids, and
// Microsoft's own hostnames (login.microsoftonline.com, *.servicebus.windows.net, …).
#ifndef SYNCDOCTOR_ANALYZER_REPORT_REDACT_H_
#define SYNCDOCTOR_ANALYZER_REPORT_REDACT_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/status.h"

namespace re2 {
class RE2;
}

namespace syncdoctor {

class Index;
struct Report;

class Redactor {
 public:
  // An empty key draws a random one: tokens are then stable within this run only.
  explicit Redactor(std::string key);
  ~Redactor();
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // Learns the display names of identities (actors, source and target identities, target
  // resources) from the index, so that they are replaced wherever they appear in free text.
  Status LearnNames(Index* index);
  // Adds one name by hand (tests, and names found outside the index).
  void AddName(std::string_view name);

  // `text` with every piece of customer data replaced.
  std::string Apply(std::string_view text);

  // The pseudonym of `value` in a class ("user", "domain", "ip", "id", "name").
  std::string Token(std::string_view cls, std::string_view value);

  // How many distinct values of each class were replaced so far (for the summary line).
  const std::map<std::string, size_t>& replaced() const { return replaced_counts_; }

 private:
  std::string Domain(std::string_view domain);
  std::string ReplaceNames(std::string_view text);
  void BuildNamePattern();

  std::string key_;
  std::vector<std::string> names_;
  bool names_dirty_ = false;
  std::unique_ptr<re2::RE2> names_re_;
  std::map<std::string, std::string> cache_;  // class + '\0' + value -> token
  std::map<std::string, size_t> replaced_counts_;
};

// Applies the redactor to every string of the report that comes from the logs (paths, evidence,
// scopes, diagnosis, unknown codes' examples); signature texts are ours and left alone.
void RedactReport(Report* report, Redactor* redactor);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_REDACT_H_
