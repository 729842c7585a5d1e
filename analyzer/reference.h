// Reference tables: what an error code means, offline. The TSV files of signatures/reference/
// (AADSTS codes, provisioning and Cloud Sync codes, quarantine reasons, LDAP and AD errors, HTTP
// statuses, Windows event ids) are compiled into the binary like the signatures; their format
// and sources are in docs/reference.md. `explain` answers from them and from the signatures.
#ifndef SYNCDOCTOR_ANALYZER_REFERENCE_H_
#define SYNCDOCTOR_ANALYZER_REFERENCE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/matcher.h"
#include "analyzer/signature.h"
#include "parsers/status.h"

namespace syncdoctor {

// One row of a reference table.
struct ReferenceEntry {
  std::string code;     // as logs show it: "AADSTS50034", "EncounteredQuarantineException",
                        // "problem 4003", "429", "Service Control Manager/7036"
  std::string name;     // the name its source publishes ("UserAccountNotFound"); "" when none
  std::string family;   // "aadsts", "provisioning_error", "cloudsync_error", "quarantine_reason",
                        // "job_status", "ldap_result", "ad_problem", "win32_error", "http_status",
                        // "scim_type", "scm_event", ... (the file name when the row gives none)
  std::string meaning;  // one line, in our own words
  std::vector<std::string> who_can_hit;  // of kWhoCanHit, in the row's order; empty = nobody named
  std::string source;   // document and section the facts come from
  std::vector<std::string> signatures;   // ids of the signatures that cover the code
  int64_t number = -1;  // numeric value for bare-number lookups (50034, 4003, 8344); -1 = none
  std::string file;     // "signatures/reference/aadsts.tsv", or the path under --reference DIR
  int line = 0;         // line of the row in `file`
};

// The values the who_can_hit column may hold.
inline constexpr std::string_view kWhoCanHit[] = {"sync_service_account",
                                                  "app_provisioning_credentials", "agent"};

// A lookup result. Scores: 100 the code itself, 99 the code in another case, 95 the published
// name (any case), 90 the number ("50034", "4003", "2098", "0x80072030"), 70 a prefix of the code
// or number, 65 a prefix of the name, 60 a part of the code, 55 a part of the name, 40 a word of
// the meaning (at a word start).
struct ReferenceMatch {
  const ReferenceEntry* entry = nullptr;
  int score = 0;
  std::string_view how;  // "code", "name", "number", "code prefix", "name prefix",
                         // "part of code", "part of name", "word in meaning"
};

// All rows of the loaded tables, with indexes for the lookups. Entries never move: pointers to
// them stay valid for the table's lifetime (AddFile may overwrite a replaced row in place).
class ReferenceTable {
 public:
  enum class OnDuplicate {
    kError,    // a code that is already loaded is an error (the built-in files among themselves)
    kReplace,  // it replaces the loaded row (--reference DIR over the built-in tables)
  };

  ReferenceTable() = default;
  ReferenceTable(const ReferenceTable&) = delete;
  ReferenceTable& operator=(const ReferenceTable&) = delete;

  // Parses one TSV file and adds its rows; `path` names it in messages and its stem is the
  // default family. Lines starting with '#' and blank lines are skipped; the first other line is
  // the header (columns code, name, meaning, source and signatures are required; family, number
  // and who_can_hit optional; any order). A bad file adds nothing and yields InvalidInput naming
  // the file and line: "signatures/reference/ldap.tsv:12: 7 fields, the header has 8". A code
  // listed twice in one file is always an error.
  Status AddFile(std::string_view path, std::string_view text,
                 OnDuplicate on_duplicate = OnDuplicate::kError);

  // The row whose code is `code` (exact case first, then any case), else the first row (in load
  // order) whose published name is `code` in any case; nullptr when there is none. Codes as the
  // report finds them work: "AADSTS50034", "SystemForCrossDomainIdentityManagementBadResponse",
  // "EncounteredQuarantineException", "INSUFF_ACCESS_RIGHTS" (a name). Bare numbers do not: use
  // Lookup() for those. Cost: a few hash lookups.
  const ReferenceEntry* Find(std::string_view code) const;

  // Every row that `query` matches, best first (score, then shorter code for prefixes, then load
  // order); see ReferenceMatch for what matches. Surrounding spaces are ignored; an empty query
  // matches nothing. Prefixes and parts need 3 characters or more, words of a meaning 4.
  std::vector<ReferenceMatch> Lookup(std::string_view query) const;

  // Rows in load order: the built-in files sorted by path, then --reference DIR.
  const std::deque<ReferenceEntry>& entries() const { return entries_; }

 private:
  void Index(size_t i);
  // Lower-case copies for the scans of Lookup(), parallel to entries_.
  struct Folded {
    std::string code, name, meaning;
    std::vector<std::string> numeric_keys;
  };
  std::deque<ReferenceEntry> entries_;
  std::vector<Folded> folded_;
  std::unordered_map<std::string, size_t> by_code_;                // exact code
  std::unordered_multimap<std::string, size_t> by_code_lower_;     // lower-case code
  std::unordered_multimap<std::string, size_t> by_name_lower_;     // lower-case name
  std::unordered_multimap<std::string, size_t> by_number_;         // NumericKeys()
};

// The built-in tables (EmbeddedReferenceFiles()), then every *.tsv under `extra_dir` when it is
// not empty; a row there replaces the built-in row with the same code. Any bad file fails the
// load. `out` must be empty.
Status LoadReferenceTables(const std::string& extra_dir, ReferenceTable* out);

// The built-in tables, parsed once on first use (thread-safe; well under a millisecond of work
// after that). nullptr only if the compiled-in files do not parse, which the test suite rules out.
const ReferenceTable* BuiltinReference();

// For the report: the built-in row for a code the signatures do not know, or nullptr. Same
// rules as ReferenceTable::Find: "AADSTS50034", "aadsts50034", a provisioning error code, a
// quarantine reason, an LDAP result or AD problem name ("INSUFF_ACCESS_RIGHTS"). The pointer
// stays valid for the life of the program.
const ReferenceEntry* FindReference(std::string_view code);

// --- explain: the reference tables and the signatures together ------------------------------

// A signature that knows the code, with why. Scores: 100 named after the query, 95 named after a
// reference row the query found, 90/89/88 the matcher flags the query as an error code, in a
// message or as a quarantine reason, 85/84/83 the same for the code or name of a reference row
// the query found exactly (code, name or number), 60/40/30 the query is in its title, cause or
// file text (queries of 4 characters or more), 55/35/25 the number (100 or more) of such a row
// is, as a whole number ("Service Control Manager/7000" finds a title that lists 7000; a number
// under 1000 counts in titles only), 55 its published name (4 characters or more) is a word of
// its title ("problem 1005" finds the title that names CONSTRAINT_ATT_TYPE). A family signature
// (tier family, asked with a failure level) scores 20 less: it classifies, it does not know.
struct SignatureAnswer {
  const Signature* signature = nullptr;
  int score = 0;
  std::string why;  // "is named after it", "flags it as an error code", "flags Conflict as an
                    // error code", "names it in its title", ...
};

struct ExplainAnswer {
  std::vector<ReferenceMatch> reference;   // best first
  std::vector<SignatureAnswer> signatures; // best first: score, specific before family, severity, id
};

// What `explain QUERY` prints, before --limit. `table` and `matcher` must outlive `out`.
Status Explain(std::string_view query, const ReferenceTable& table, const Matcher& matcher,
               ExplainAnswer* out);

// The signatures that cover `entry`: those named after its code, and those the matcher flags on
// an event of any kind whose error code, message or quarantine reason is the row's code or its
// name; family signatures do not count (they classify codes they do not know). Sorted by id. This is what the signatures column must list at least (tests check it).
Status CoveringSignatures(const ReferenceEntry& entry, const Matcher& matcher,
                          std::vector<std::string>* ids);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REFERENCE_H_
