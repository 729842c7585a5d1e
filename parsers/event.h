// Event is the normalised record of DESIGN.md that every parser emits, whatever the input format.
// EventSink receives what a parser finds: events, bad input, and file-level warnings.
#ifndef SYNCDOCTOR_PARSERS_EVENT_H_
#define SYNCDOCTOR_PARSERS_EVENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace syncdoctor {

// Where a record starts in its file: 1-based line, 0-based byte offset in the decoded text.
struct SourceLoc {
  std::string file;
  uint64_t line = 0;
  uint64_t offset = 0;
};

enum class EventKind { kProvisioning, kAudit, kJob, kTrace, kEventLog };
constexpr int kEventKindCount = 5;

// "provisioning", "audit", "job", "trace", "eventlog".
std::string_view EventKindName(EventKind kind);
// Parses a kind name; false when `name` is not one.
bool ParseEventKind(std::string_view name, EventKind* kind);

// The lists a record carries besides its flat fields; each has its own table in the index.
struct ProvisioningStep {      // provisioningSteps[] of a provisioning record
  std::string name, type, status, description;
  std::string details;         // the step's details map as JSON text ("" when none)
};
struct ModifiedProperty {      // modifiedProperties[], of a record or of an audit target
  int target = -1;             // index into Event::targets; -1 for the record itself
  std::string name, old_value, new_value;
};
struct TargetResource {        // targetResources[] of an audit record
  std::string id, display_name, type, user_principal_name;
};
struct KeyValue {              // additionalDetails[] of an audit record
  std::string key, value;
};

struct Event {
  int64_t time_ms = 0;          // UTC milliseconds since the epoch; 0 = the record has no time
  bool time_inferred = false;   // time taken from a neighbour, the file name or the archive entry
  EventKind kind = EventKind::kProvisioning;
  std::string level;            // success/warning/failure/skipped, Error/Information…, job status code
  std::string record_id, job_id, cycle_id, change_id, correlation_id;
  std::string activity;         // provisioningAction, activityDisplayName, trace source, evtx provider+id
  std::string actor;            // initiatedBy
  std::string source_identity, target_identity;  // display name or UPN (or id when there is no name)
  std::string source_id, target_id;              // object ids when the record has them
  std::string error_code;
  std::string reason;           // quarantine reason (job), error category (provisioning), category (audit)
  std::string message;          // the human text: reason + details, trace message with continuations
  std::vector<ProvisioningStep> steps;
  std::vector<ModifiedProperty> modified;
  std::vector<TargetResource> targets;
  std::vector<KeyValue> details;
  std::string_view raw;         // the original record text; valid only during EventSink::OnEvent
  SourceLoc loc;                // where the record starts in its file
  // A remark on this record that loses none of it ("activityDateTime '…' is in no date form
  // syncdoctor reads"): the parser that sets it also hands it to EventSink::OnWarning. Not stored
  // with the event.
  std::string note;

  // Clears every field but keeps string capacity, so one Event can be reused per record.
  void Clear();
};

// Names of the Event fields that signatures may match on, in a fixed order.
enum class EventField {
  kLevel, kRecordId, kJobId, kCycleId, kChangeId, kCorrelationId, kActivity, kActor,
  kSourceIdentity, kTargetIdentity, kErrorCode, kReason, kMessage, kRaw, kKind,
  kCode  // every code the event carries, one per line: see AppendEventCodes
};
constexpr int kEventFieldCount = 16;
std::string_view EventFieldName(EventField field);
bool ParseEventField(std::string_view name, EventField* field);
// The text of `field` in `event` (the kind name for kKind). kCode is computed, not stored: this
// returns "" for it; use AppendEventCodes.
std::string_view EventFieldValue(const Event& event, EventField field);

// The codes an event carries, wherever the record keeps them, one per line: the error code and
// the reason whole (a quarantine reason, an error category), then every code-like word of the
// error code, the reason and the first kEventCodeScanBytes of the message. A code-like word is a
// run of [A-Za-z0-9_] of 3 or more characters holding a digit, an underscore or an upper-case
// letter after its first character: "AADSTS50034", "SSPR_0029", "0x80070005", "409",
// "HybridIdentityServiceNoActiveAgents", but not "Conflict" or "the". Plain words are left out
// so that a code pattern never matches ordinary prose. An error code "None" is no code.
// Appends to `out` (callers clear it).
void AppendEventCodes(const Event& event, std::string* out);
constexpr size_t kEventCodeScanBytes = 64 * 1024;

// Receives what a parser finds. Parsers never stop on bad input; they report it here and go on.
// Every record of a file ends in exactly one OnEvent or OnBadInput call.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Returns false to ask the parser to stop early.
  virtual bool OnEvent(const Event& event) = 0;
  // A record or line that could not be parsed; `raw` is its text (possibly cut to a size cap).
  virtual void OnBadInput(const SourceLoc& loc, std::string_view reason, std::string_view raw) = 0;
  // A file-level remark that loses no data (a repaired quirk, a placeholder timestamp).
  virtual void OnWarning(const SourceLoc& loc, std::string_view message) = 0;
  // Part of a record was dropped although the record is kept (a line cut at the size cap): the
  // file is then only partly read. By default a warning.
  virtual void OnDataLost(const SourceLoc& loc, std::string_view message) { OnWarning(loc, message); }
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_EVENT_H_
