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
  unsigned applies_to = 0;  // bit (1 << EventKind) per kind
  std::vector<Condition> all, any;
  std::string cause;
  std::vector<std::string> fix, references, supersedes, links;
  std::string next_step;     // optional: the one action the diagnosis names first
  // optional: the finding needs at least `min_count` matching events, counted per job (scope) or
  // per cycle ("failures concentrated in one cycle"). 0 = any single event is enough.
  int64_t min_count = 0;
  bool per_cycle = false;
  bool heuristic = false;
  std::vector<Example> examples, counter_examples;
  std::string file;          // where it was loaded from
  std::string text;          // the YAML text (for `signatures show` and the fingerprint)

  bool AppliesTo(EventKind k) const { return (applies_to >> static_cast<int>(k)) & 1u; }
};

// Parses one signature file. Errors name the file and line: "x.yaml:12: unknown field 'fixes'".
Status ParseSignature(std::string_view yaml, const std::string& file, Signature* out);

// The built-in signatures, then every *.yaml under `extra_dir` (when not empty); a file whose id
// is already loaded replaces that signature. Result sorted by id. Any bad file fails the load.
Status LoadSignatures(const std::string& extra_dir, std::vector<Signature>* out);

// SHA-256 over the ids and texts of `sigs`: tells whether an index was matched with this set.
std::string SignatureFingerprint(const std::vector<Signature>& sigs);

// Turns every event string field of an example or the Event into owned form; used by tests.
void CopyEventOwned(const Event& in, Event* out, std::string* raw_storage);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_SIGNATURE_H_
