// The report as data: built once from the index and the signatures, then rendered as JSON or text.
// Everything in it is sorted, so the same index gives the same report.
#ifndef SYNCDOCTOR_ANALYZER_REPORT_REPORT_MODEL_H_
#define SYNCDOCTOR_ANALYZER_REPORT_REPORT_MODEL_H_

#include <map>
#include <string>
#include <vector>

#include "analyzer/index.h"
#include "analyzer/matcher.h"
#include "analyzer/signature.h"

namespace syncdoctor {

struct InputInfo {
  std::string bundle, path, format, kind, encoding, status, reason;
  std::vector<std::string> warnings;
  int64_t records = 0, events = 0, unparsed = 0, duplicates = 0;
  int64_t first_time = 0, last_time = 0;
};

struct EvidenceLine {
  std::string path, kind, activity, actor, target, level, error_code;
  int64_t event_id = 0;  // the event's row in the index
  int64_t line = 0, time = 0;
  bool time_inferred = false;
  std::string excerpt;
};

// A code among a finding's events (what its signature captures), with what the reference
// tables say it means.
struct CodeCount {
  std::string code, meaning;
  int64_t count = 0;
};

struct FindingInfo {
  std::string signature, title, scope, cause;
  std::string tier;  // "specific", "generic" or "family" (TierName)
  Severity severity = Severity::kInfo;
  int64_t count = 0, first_time = 0, last_time = 0;
  std::vector<std::string> fix, references, related;
  std::string next_step;
  std::vector<EvidenceLine> evidence;
  bool heuristic = false;
  // The codes of the finding's events: for a family finding, which members of the family were
  // seen. Most frequent first; at most kMaxFindingCodes, counted over at most kCodeScanEvents.
  std::vector<CodeCount> codes;
  bool codes_cut = false;  // more events or codes than were counted
  // The files the finding's events come from, with their event counts, by path: a finding over
  // rotated trace files is one finding that names them all. At most kMaxFindingFiles.
  std::vector<std::pair<std::string, int64_t>> files;
  bool files_cut = false;  // more files than `files` lists
};
constexpr size_t kMaxFindingCodes = 12;
constexpr size_t kMaxFindingFiles = 20;
constexpr int64_t kCodeScanEvents = 50000;

// A code of a failed record that no signature names (no specific or generic signature explains
// its record). `level` says what is known: "family-level" when the family layer classified the
// record (`family` is that family signature), "unknown" when even the family is unknown.
struct UnknownCode {
  std::string code, example;
  std::string kind;  // error_code, aadsts (found in a message) or quarantine_reason
  std::string level = "unknown";
  std::string family, family_title;
  int64_t count = 0;
  // What the offline reference tables say (analyzer/reference.h); in_reference false when the
  // code is unknown to them too.
  bool in_reference = false;
  std::string reference_name, reference_family, reference_meaning, reference_source;
};

// One story of the diagnosis, as a short structured block: what is wrong, for which job, the
// cause chain, since when, what surrounds it, the next step. `headline` says it all in one
// sentence (for one-line outputs); the other fields are its parts, empty when unknown.
struct DiagnosisEntry {
  std::string headline, next_step;
  std::string what;                  // the head finding's title ("" for the entries with none)
  std::string job;                   // the job the story belongs to
  std::vector<std::string> causes;   // each linked finding: who did what, or its events since
  std::string since;                 // the first event, and the quarantine's age and horizon
  std::vector<std::string> context;  // the agent around it, the job's failed records
  std::vector<std::string> findings;
  // How it reads at a glance: "failure" (a critical or high story), "warning" (a silence: a
  // trace that stops, a job that stopped running) or "ok" (no critical or high failure found).
  std::string tone = "failure";
};

// The case at a glance (analyzer/report/case_facts.h).
struct JobFact {
  std::string id, template_id, state, reason, error_code;  // the job's latest status record
  int64_t time = 0;
  int64_t records = 0;  // provisioning records of the job in the bundle
  int64_t failures = 0;
};
struct CaseFacts {
  std::vector<std::string> tenants;                            // tenant ids, as GUIDs
  std::vector<std::pair<std::string, int64_t>> domains;        // UPN domains, most seen first
  std::vector<JobFact> jobs;                                   // by id
  std::vector<std::pair<std::string, std::string>> agents;     // version, where it was seen
  std::vector<std::string> hosts;                              // computers of the event logs
  std::vector<std::string> proxy;                              // trace lines about a proxy
};

// A source the bundle lacks, or lacks for the time of the failure, and how to get it.
struct AskFor {
  std::string kind;    // provisioning, audit, job, trace (the agent's traces and event logs)
  std::string source;  // "provisioning logs", ...
  std::string why;     // "the bundle has none", "they end at T, before the failure at T2"
  std::vector<std::string> how;       // the PowerShell command, the Graph call, the portal steps
  std::vector<std::string> findings;  // shown findings it would confirm or rule out
};

// Events per time bucket (an hour unless the bundle spans weeks), for the HTML timeline.
struct TimeBucket {
  int64_t start = 0;     // ms since the epoch
  int64_t events = 0;
  int64_t failures = 0;  // level Failure, Error, Critical or Quarantine
  int64_t flagged = 0;   // events a signature matched
};

// The time a kind of source covers ("provisioning", "trace", ...), from its files' spans.
struct KindSpan {
  std::string kind;
  int64_t files = 0, first_time = 0, last_time = 0;
};

struct Report {
  std::string version, generated_at;
  std::vector<std::string> bundles;  // the PATHs the index was built from, sorted
  std::vector<InputInfo> inputs;
  int64_t events = 0, unparsed = 0, duplicates = 0;
  std::map<std::string, int64_t> by_severity;  // every severity name, 0 included
  std::vector<FindingInfo> findings;           // visible ones, by severity, count, id
  std::vector<UnknownCode> unknown_codes;
  CaseFacts facts;
  std::vector<DiagnosisEntry> diagnosis;
  std::vector<AskFor> ask_for;                 // what to ask the customer for, most useful first
  int64_t newest_time = 0;                     // "now" of the bundle
  int64_t bucket_ms = 0;                       // width of a timeline bucket
  std::vector<TimeBucket> timeline;            // every bucket from the first to the last event
  std::vector<KindSpan> spans;                 // by kind name
  std::vector<std::string> coverage_gaps;      // time windows the sources do not share
};

class Redactor;

// Builds the report from an index whose findings are up to date (RefreshFindings), with the
// matcher the findings come from (it tells which superseded signatures the evidence also shows).
// With a redactor (--redact), log text is redacted before it is cut to an excerpt; RedactReport
// then covers the fields that are not cut.
Status BuildReport(Index* index, const Matcher& matcher, Redactor* redactor, Report* out);

// What the report is about, for titles: the last part of the bundle's path
// ("cloudsync-quarantine-credentials"), "a + b" for two bundles, "a + N more" for more, "" for
// none.
std::string BundleName(const Report& r);

// The first line of `text`, cut to `max` bytes (on a UTF-8 boundary) with "…" when cut.
std::string Excerpt(std::string_view text, size_t max);

// "2026-11-24T10:00:00Z" from SOURCE_DATE_EPOCH when set, else the clock.
std::string GeneratedAt();

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_REPORT_MODEL_H_
