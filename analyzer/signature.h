// Signature: one known failure, loaded from a YAML file (schema in docs/signatures.md).
// The files of signatures/ are compiled in; --signatures DIR adds to them (same id replaces).
#ifndef SYNCDOCTOR_ANALYZER_SIGNATURE_H_
#define SYNCDOCTOR_ANALYZER_SIGNATURE_H_

#include <string>
#include <utility>
#include <vector>

#include "parsers/event.h"
#include "parsers/status.h"

namespace syncdoctor {

enum class Severity { kCritical, kHigh, kMedium, kLow, kInfo };
std::string_view SeverityName(Severity s);
bool ParseSeverity(std::string_view name, Severity* s);

// How much a signature says about the cause of what it matches.
//   specific: it names the cause (the default).
//   generic:  it names a symptom that many causes share ("the job is in quarantine"); it does
//             not stop the family layer from classifying the same event.
//   family:   the layer below the signatures: it classifies a failure that no specific
//             signature explains from the structure of its code (prefix and suffix, HTTP status,
//             LDAP problem class, Win32 code, AADSTS code). On an event that a specific
//             signature matched, family signatures are dropped; of several families, only those
//             of the lowest `rank` stay.
enum class Tier { kSpecific, kGeneric, kFamily };
std::string_view TierName(Tier t);
bool ParseTier(std::string_view name, Tier* t);

// One item of `all` or `any`: every (field, pattern) pair of it must hold.
struct Condition {
  std::vector<std::pair<EventField, std::string>> pairs;
};

// An example event of a signature file; owns the text that event.raw points to.
struct Example {
  Event event;
  std::string raw;
  int line = 0;  // line of the example in its file
};

struct Signature {
  std::string id, title, status, group;
  Severity severity = Severity::kMedium;
  std::vector<std::string> tags;
  unsigned applies_to = 0;  // bit (1 << EventKind) per kind; every kind when the file omits it
  bool applies_to_narrowed = false;  // the file lists fewer kinds than all
  std::vector<Condition> all, any;
  std::vector<Condition> none;  // the signature never fires on an event where one of these holds
  std::string cause;
  std::vector<std::string> fix, references, supersedes, links;
  std::string next_step;     // optional: the one action the diagnosis names first
  // optional: the finding needs at least `min_count` matching events, counted per job (scope) or
  // per cycle ("failures concentrated in one cycle"). 0 = any single event is enough.
  int64_t min_count = 0;
  bool per_cycle = false;
  bool heuristic = false;
  Tier tier = Tier::kSpecific;
  int rank = 100;            // families only: of several families on one event, the lowest wins
  // optional: what the report lists as the finding's codes (the first group of `pattern` in
  // `field`, a code per event). Without it, the event's error code.
  bool has_capture = false;
  EventField capture_field = EventField::kErrorCode;
  std::string capture_pattern;
  std::vector<Example> examples, counter_examples;
  std::string file;          // where it was loaded from
  bool builtin = false;      // compiled in from signatures/ (not from --signatures DIR)
  std::string text;          // the YAML text (for `signatures show` and the fingerprint)

  bool AppliesTo(EventKind k) const { return (applies_to >> static_cast<int>(k)) & 1u; }
};

// The folders of the built-in set (signatures/<group>/ID.yaml), with what each holds. The first
// eleven are the seed catalog's groups; a pack given with --signatures may use any layout.
struct SignatureGroup {
  std::string_view name, about;
};
inline constexpr SignatureGroup kSignatureGroups[] = {
    {"quarantine", "why a provisioning job went into quarantine"},
    {"service-account", "the Cloud Sync service account"},
    {"agent-connectivity", "the provisioning agent and the cloud cannot reach each other"},
    {"agent-install", "installing and registering the provisioning agent"},
    {"agent-runtime", "the running provisioning agent and its AD side"},
    {"object-sync", "objects that fail to sync between AD and Entra ID"},
    {"attribute-conflict", "values that clash with another object"},
    {"password", "password hash sync, password writeback and self-service password reset"},
    {"scoping", "which objects are in scope"},
    {"scim", "SCIM apps: the provisioning service's SCIM errors, HTTP statuses and scimType"},
    {"aadsts", "Entra sign-in errors (AADSTS codes)"},
    {"gallery-apps", "errors of one gallery app's connector (ServiceNow, Salesforce, Workday, ...)"},
    {"hr-inbound", "HR-driven inbound provisioning: Workday, SuccessFactors, API-driven inbound"},
    {"cross-tenant", "cross-tenant synchronization"},
    {"ecma", "on-premises apps through the ECMA connector host"},
    {"cloud-sync-limits", "the documented limits and unsupported cases of Cloud Sync"},
    {"families", "the family layer: failures classified by the structure of their code"},
};
bool IsSignatureGroup(std::string_view name);

// What loading reads of a signature file: everything (signatures test and lint, the tests), or
// all but the examples (a run that only matches: the examples are four tenths of the text).
enum class LoadExamples { kYes, kNo };

// Parses one signature file. Errors name the file and line: "x.yaml:12: unknown field 'fixes'".
Status ParseSignature(std::string_view yaml, const std::string& file, Signature* out,
                      LoadExamples examples = LoadExamples::kYes);

// The built-in signatures, then every *.yaml under `extra_dir` (when not empty); a file whose id
// is already loaded replaces that signature. Result sorted by id. Any bad file fails the load.
Status LoadSignatures(const std::string& extra_dir, std::vector<Signature>* out,
                      LoadExamples examples = LoadExamples::kYes);

// SHA-256 over the ids and texts of `sigs`: tells whether an index was matched with this set.
std::string SignatureFingerprint(const std::vector<Signature>& sigs);

// Turns every event string field of an example or the Event into owned form; used by tests.
void CopyEventOwned(const Event& in, Event* out, std::string* raw_storage);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_SIGNATURE_H_
