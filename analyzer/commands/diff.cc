// diff OLD NEW: what changed between two bundles of one case, typically before and after a fix.
// Each side is a bundle (analysed into a temporary index, as `analyze` without --db does) or an
// index file. The findings are matched by (signature, job) and, for findings of trace and event
// log files, by signature alone, since file names differ from bundle to bundle; the jobs are
// compared by their latest status record. docs/user-guide.md, "Comparing two bundles: diff".
#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>

#include "analyzer/cli.h"
#include "analyzer/commands/common.h"
#include "analyzer/findings.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/report/redact.h"
#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace po = boost::program_options;

namespace {

// What a finding's scope is. Job findings are matched by job id; findings of trace and event log
// files by signature alone; findings without a scope (audit events) by signature.
enum class ScopeKind { kJob, kFiles, kNone };

std::string_view ScopeKindName(ScopeKind k) {
  switch (k) {
    case ScopeKind::kJob: return "job";
    case ScopeKind::kFiles: return "files";
    default: return "none";
  }
}

// A finding on one side. For ScopeKind::kFiles, all findings of the signature over files, merged:
// counts summed, the widest time span, the most severe severity, and the files by name.
struct SideFinding {
  bool present = false;
  Severity severity = Severity::kInfo;
  int64_t count = 0, first_time = 0, last_time = 0;
  std::vector<std::string> files;
};

struct FindingDiff {
  std::string signature, title;
  std::string scope;  // the job id for kJob, else ""
  ScopeKind kind = ScopeKind::kNone;
  SideFinding old_side, new_side;
  bool worse = false;
};

// The latest status record of a job (kind `job`: level is status.code).
struct JobState {
  bool present = false;
  std::string status, reason, error_code;
  int64_t time = 0;
};

struct JobDiff {
  std::string job_id, change;
  JobState old_state, new_state;
  bool worse = false;
};

using FindingKey = std::tuple<std::string, ScopeKind, std::string>;  // signature, kind, scope

struct Side {
  std::string path;  // as given on the command line
  bool is_index = false;
  int64_t inputs = 0, files = 0, events = 0, findings = 0;
  bool readable = false;  // some input was parsed (in full or in part)
  std::vector<std::string> diagnosis;
  std::map<FindingKey, FindingDiff> by_key;  // only this side's half is filled
  std::map<std::string, JobState> jobs;
};

struct Diff {
  std::vector<FindingDiff> resolved, persisting, added;
  std::vector<JobDiff> jobs;
  bool worse = false;
};

std::string Plural(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string Time(int64_t ms) { return ms == 0 ? "no time" : FormatTimestamp(ms); }

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

bool IsQuarantine(std::string_view status) {
  static constexpr std::string_view kWord = "quarantine";
  if (status.size() != kWord.size()) return false;
  for (size_t i = 0; i < kWord.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(status[i])) != kWord[i]) return false;
  }
  return true;
}

// An index is told from a bundle by its first 16 bytes, the SQLite header: a bundle file (a zip,
// a log) never starts that way, and the name of the file says nothing.
bool IsIndexFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  return in.read(head, sizeof head) && std::memcmp(head, "SQLite format 3\0", sizeof head) == 0;
}

// The latest status record of every job: the newest by time (records without one last), then the
// last stored.
Status LoadJobs(Index* index, std::map<std::string, JobState>* jobs) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT job_id, time, level, reason, error_code FROM event_rows "
      "WHERE kind = 'job' AND coalesce(job_id, '') <> '' "
      "ORDER BY job_id, time IS NULL, time DESC, id DESC", &st);
  bool row = false;
  while (s.ok() && (s = st.Step(&row)).ok() && row) {
    std::string id(st.Text(0));
    if (jobs->count(id) > 0) continue;  // an older record of a job already seen
    JobState& j = (*jobs)[id];
    j.present = true;
    j.time = st.IsNull(1) ? 0 : st.Int(1);
    j.status = std::string(st.Text(2));
    j.reason = std::string(st.Text(3));
    j.error_code = std::string(st.Text(4));
  }
  return s;
}

// A scope is a job when some event carries it as its job id; any other non-empty scope names
// files (a trace or event log file, or their folder).
Status KindOfScope(Stmt* is_job, const std::string& scope, ScopeKind* kind) {
  if (scope.empty()) {
    *kind = ScopeKind::kNone;
    return Status::Ok();
  }
  is_job->Reset();
  is_job->Bind(1, scope);
  bool row = false;
  Status s = is_job->Step(&row);
  *kind = row ? ScopeKind::kJob : ScopeKind::kFiles;
  return s;
}

void AddFinding(const FindingInfo& f, ScopeKind kind, Side* side, bool old_side) {
  std::string scope = kind == ScopeKind::kJob ? f.scope : "";
  FindingDiff& d = side->by_key[FindingKey(f.signature, kind, scope)];
  d.signature = f.signature;
  d.title = f.title;
  d.scope = scope;
  d.kind = kind;
  SideFinding& sf = old_side ? d.old_side : d.new_side;
  if (!sf.present || f.severity < sf.severity) sf.severity = f.severity;
  sf.present = true;
  sf.count += f.count;
  if (f.first_time != 0 && (sf.first_time == 0 || f.first_time < sf.first_time)) sf.first_time = f.first_time;
  sf.last_time = std::max(sf.last_time, f.last_time);
  if (kind == ScopeKind::kFiles) {
    sf.files.insert(std::upper_bound(sf.files.begin(), sf.files.end(), f.scope), f.scope);
  }
}

// Reads what the diff needs from one side's index, whose findings are up to date. The diagnosis
// is redacted here, while this index's names are known; the rest when the diff is complete.
Status LoadSide(Index* index, const Matcher& matcher, Redactor* redactor, bool old_side, Side* side) {
  Status s = redactor != nullptr ? redactor->LearnNames(index) : Status::Ok();
  Report report;
  if (s.ok()) s = BuildReport(index, matcher, redactor, &report);
  if (!s.ok()) return s;
  side->inputs = static_cast<int64_t>(report.inputs.size());
  for (const auto& in : report.inputs) {
    side->files += in.kind != "bundle";
    if (in.status == "parsed" || in.status == "partial") side->readable = true;
  }
  side->events = report.events;
  side->findings = static_cast<int64_t>(report.findings.size());
  Stmt is_job;
  s = Stmt::Prepare(index->db(), "SELECT 1 FROM event_rows WHERE job_id = ?1 LIMIT 1", &is_job);
  if (!s.ok()) return s;
  for (const auto& f : report.findings) {
    ScopeKind kind = ScopeKind::kNone;
    if (!(s = KindOfScope(&is_job, f.scope, &kind)).ok()) return s;
    AddFinding(f, kind, side, old_side);
  }
  s = LoadJobs(index, &side->jobs);
  if (!s.ok()) return s;
  if (redactor != nullptr) RedactReport(&report, redactor);
  // Each story as what is wrong and its causes (who did what), not the whole paragraph.
  for (const auto& d : report.diagnosis) {
    std::string line = d.what.empty() ? d.headline : d.what;
    for (const auto& cause : d.causes) line += "; cause: " + cause;
    side->diagnosis.push_back(std::move(line));
  }
  return Status::Ok();
}

// Reads one side into `side`: an index file as `report --db` opens it, or a bundle ingested into
// a temporary index that is gone when this returns. kExitOk, kExitUsage or kExitNoInput.
int ReadSide(const po::variables_map& vm, const std::string& path, const Matcher& matcher,
             Redactor* redactor, bool old_side, Side* side) {
  side->path = path;
  side->is_index = IsIndexFile(path);
  const char* label = old_side ? "OLD" : "NEW";
  if (side->is_index) {
    std::unique_ptr<Index> index;
    if (!OpenIndexForReport(path, &index)) return kExitUsage;
    Status s = RefreshForReport(index.get(), matcher);
    if (s.ok()) s = LoadSide(index.get(), matcher, redactor, old_side, side);
    if (!s.ok()) {
      PrintError(path + ": " + s.message());
      return kExitUsage;
    }
    if (!side->readable) {
      PrintError(std::string("diff: ") + label + " " + path + ": the index holds no input that could be read");
      return kExitNoInput;
    }
    return kExitOk;
  }
  TempIndexPath temp;
  if (temp.path().empty()) {
    PrintError("cannot create a temporary index (is $TMPDIR writable?)");
    return kExitUsage;
  }
  std::unique_ptr<Index> index;  // closed before `temp` removes its files
  if (!OpenIndex(temp.path(), &index)) return kExitUsage;
  bool fts_pending = false;
  // No full-text index: nobody can search a temporary index.
  int rc = IngestPaths(vm, {path}, temp.path(), index.get(), matcher, /*fts=*/false, &fts_pending);
  if (rc == kExitNoInput) PrintError(std::string("diff: ") + label + " " + path + ": nothing could be read");
  if (rc != kExitOk) return rc;
  Status s = RefreshFindings(index.get(), matcher);
  if (s.ok()) s = LoadSide(index.get(), matcher, redactor, old_side, side);
  if (!s.ok()) {
    PrintError(path + ": " + s.message());
    return kExitUsage;
  }
  return kExitOk;
}

std::string JobChange(const JobState& o, const JobState& n) {
  if (!o.present) return "only-new";
  if (!n.present) return "only-old";
  bool was = IsQuarantine(o.status), is = IsQuarantine(n.status);
  if (was && !is) return "quarantine-cleared";
  if (!was && is) return "quarantine-entered";
  if (o.status != n.status || o.reason != n.reason || o.error_code != n.error_code) return "state-changed";
  return "unchanged";
}

// Most severe first, then the most events, then by signature and scope: the report's order.
void SortFindings(std::vector<FindingDiff>* v, bool by_new) {
  std::sort(v->begin(), v->end(), [by_new](const FindingDiff& a, const FindingDiff& b) {
    const SideFinding& x = by_new ? a.new_side : a.old_side;
    const SideFinding& y = by_new ? b.new_side : b.old_side;
    return std::make_tuple(x.severity, -x.count, a.signature, a.kind, a.scope) <
           std::make_tuple(y.severity, -y.count, b.signature, b.kind, b.scope);
  });
}

Diff Compare(Side* old_side, Side* new_side, Severity fail_on) {
  Diff d;
  std::map<FindingKey, FindingDiff> all = std::move(old_side->by_key);
  for (auto& [key, nf] : new_side->by_key) {
    auto it = all.find(key);
    if (it == all.end()) {
      all.emplace(key, std::move(nf));
    } else {
      it->second.new_side = std::move(nf.new_side);
    }
  }
  for (auto& [key, f] : all) {
    if (!f.new_side.present) {
      d.resolved.push_back(std::move(f));
    } else if (!f.old_side.present) {
      f.worse = f.new_side.severity <= fail_on;
      d.added.push_back(std::move(f));
    } else {
      f.worse = f.new_side.severity < f.old_side.severity;  // a smaller Severity is a worse one
      d.persisting.push_back(std::move(f));
    }
  }
  SortFindings(&d.resolved, /*by_new=*/false);
  SortFindings(&d.persisting, /*by_new=*/true);
  SortFindings(&d.added, /*by_new=*/true);
  std::map<std::string, JobDiff> jobs;
  for (const auto& [id, j] : old_side->jobs) jobs[id].old_state = j;
  for (const auto& [id, j] : new_side->jobs) jobs[id].new_state = j;
  for (auto& [id, j] : jobs) {
    j.job_id = id;
    j.change = JobChange(j.old_state, j.new_state);
    j.worse = j.change == "quarantine-entered" ||
              (j.change == "only-new" && IsQuarantine(j.new_state.status));
    d.jobs.push_back(std::move(j));
  }
  for (const auto* list : {&d.resolved, &d.persisting, &d.added}) {
    for (const auto& f : *list) d.worse = d.worse || f.worse;
  }
  for (const auto& j : d.jobs) d.worse = d.worse || j.worse;
  return d;
}

// --redact: every string that comes from the logs. Done after matching and sorting, which use
// the real values, so that the result does not depend on the key.
void RedactDiff(Diff* d, Side* old_side, Side* new_side, Redactor* red) {
  auto apply = [&](std::string* s) { *s = red->Apply(*s); };
  apply(&old_side->path);
  apply(&new_side->path);
  for (auto* list : {&d->resolved, &d->persisting, &d->added}) {
    for (auto& f : *list) {
      apply(&f.scope);
      for (auto& file : f.old_side.files) apply(&file);
      for (auto& file : f.new_side.files) apply(&file);
    }
  }
  for (auto& j : d->jobs) {
    apply(&j.job_id);
    for (JobState* st : {&j.old_state, &j.new_state}) {
      apply(&st->reason);
      apply(&st->error_code);
    }
  }
}

// The change of a job as words for the text, Markdown and HTML output.
std::string ChangeText(const std::string& change) {
  if (change == "only-old") return "only in OLD";
  if (change == "only-new") return "only in NEW";
  if (change == "quarantine-entered") return "entered quarantine";
  std::string s = change;
  std::replace(s.begin(), s.end(), '-', ' ');
  return s;
}

// When both sides have jobs but share none (a job deleted and made again, or bundles of two
// tenants), no job finding can persist: said, so that "resolved" is not read as "fixed".
std::string NoCommonJobNote(const Diff& d) {
  bool old_jobs = false, new_jobs = false, common = false;
  for (const auto& j : d.jobs) {
    old_jobs = old_jobs || j.old_state.present;
    new_jobs = new_jobs || j.new_state.present;
    common = common || (j.old_state.present && j.new_state.present);
  }
  if (!old_jobs || !new_jobs || common) return "";
  return "OLD and NEW have no job id in common: findings of a job are matched by job id, so none of "
         "them can persist (a job that was deleted and created again has a new id)";
}

int64_t ChangedJobs(const Diff& d) {
  int64_t n = 0;
  for (const auto& j : d.jobs) n += j.change != "unchanged";
  return n;
}

// "up", "down" or "same"; "" when the finding is not on both sides. Severity "up" is more severe.
std::string CountChange(const FindingDiff& f) {
  if (!f.old_side.present || !f.new_side.present) return "";
  if (f.new_side.count == f.old_side.count) return "same";
  return f.new_side.count > f.old_side.count ? "up" : "down";
}

std::string SeverityChange(const FindingDiff& f) {
  if (!f.old_side.present || !f.new_side.present) return "";
  if (f.new_side.severity == f.old_side.severity) return "same";
  return f.new_side.severity < f.old_side.severity ? "up" : "down";
}

// The severity a finding is listed under: the new side's when it has one.
Severity ShownSeverity(const FindingDiff& f) {
  return f.new_side.present ? f.new_side.severity : f.old_side.severity;
}

// "job X", "files: a, b" (the side's own), or "" for a finding without a scope. Raw text: each
// renderer escapes it.
std::string ScopeText(const FindingDiff& f, const SideFinding& side) {
  if (f.kind == ScopeKind::kJob) return "job " + f.scope;
  if (f.kind == ScopeKind::kFiles) return "files: " + Join(side.files, ", ");
  return "";
}

// Why the comparison counts as worse, one sentence per cause, in list order.
std::vector<std::string> WorseReasons(const Diff& d) {
  std::vector<std::string> out;
  auto where = [](const FindingDiff& f) {
    return f.kind == ScopeKind::kJob ? " in job " + f.scope
         : f.kind == ScopeKind::kFiles ? " in trace or event log files" : std::string();
  };
  for (const auto& f : d.added) {
    if (f.worse) {
      out.push_back("new finding " + f.signature + " (" + std::string(SeverityName(f.new_side.severity)) + ")" + where(f));
    }
  }
  for (const auto& f : d.persisting) {
    if (f.worse) {
      out.push_back(f.signature + where(f) + ": severity rose from " +
                    std::string(SeverityName(f.old_side.severity)) + " to " +
                    std::string(SeverityName(f.new_side.severity)));
    }
  }
  for (const auto& j : d.jobs) {
    if (!j.worse) continue;
    std::string why = j.new_state.reason.empty() ? "" : " (" + j.new_state.reason + ")";
    out.push_back(j.change == "only-new" ? "job " + j.job_id + " is in quarantine" + why + " and is not in OLD"
                                         : "job " + j.job_id + " entered quarantine" + why);
  }
  return out;
}

std::string Counts(const Diff& d) {
  return std::to_string(d.resolved.size()) + " resolved, " + std::to_string(d.persisting.size()) +
         " persisting, " + std::to_string(d.added.size()) + " new; " +
         Plural(ChangedJobs(d), "job") + " changed";
}

// "Quarantine (EncounteredQuarantineException, AzureActiveDirectoryInvalidCredential) at T".
std::string JobStateText(const JobState& j) {
  std::string detail = j.reason;
  if (!j.error_code.empty()) detail += (detail.empty() ? "" : ", ") + j.error_code;
  return (j.status.empty() ? std::string("no status") : j.status) + (detail.empty() ? "" : " (" + detail + ")") +
         (j.time == 0 ? "" : " at " + FormatTimestamp(j.time));
}

std::string SideSummary(const Side& s) {
  return std::string(s.is_index ? "index" : "bundle") + ": " + Plural(s.files, "input file") + ", " +
         Plural(s.events, "event") + ", " + Plural(s.findings, "finding");
}

// ---- text ----

std::string SideLine(const char* label, const SideFinding& s) {
  return std::string(label) + Plural(s.count, "event") + ", " + Time(s.first_time) +
         (s.last_time != s.first_time ? " .. " + Time(s.last_time) : "");
}

void TextFinding(const FindingDiff& f, std::string* o) {
  std::string sev = "[" + Upper(SeverityName(ShownSeverity(f))) + "]";
  if (SeverityChange(f) == "up" || SeverityChange(f) == "down") {
    sev = "[" + Upper(SeverityName(f.old_side.severity)) + " -> " + Upper(SeverityName(f.new_side.severity)) + "]";
  }
  *o += "  " + sev + " " + TerminalSafe(f.signature) + "  " + TerminalSafe(f.title) + "\n";
  if (f.kind == ScopeKind::kJob) *o += "    job " + TerminalSafe(f.scope) + "\n";
  for (const auto* side : {&f.old_side, &f.new_side}) {
    if (!side->present) continue;
    const bool is_old = side == &f.old_side;
    std::string line = SideLine(is_old ? "old: " : "new: ", *side);
    if (f.kind == ScopeKind::kFiles) line += "  [files: " + TerminalSafe(Join(side->files, ", ")) + "]";
    if (!is_old && f.old_side.present) {
      std::string c = CountChange(f);
      line += c == "up" ? "  (more events)" : c == "down" ? "  (fewer events)" : "  (as many events)";
    }
    *o += "    " + line + "\n";
  }
}

void TextFindings(const char* heading, const std::vector<FindingDiff>& v, std::string* o) {
  *o += std::string(heading) + " (" + std::to_string(v.size()) + ")\n";
  if (v.empty()) *o += "  none\n";
  for (const auto& f : v) TextFinding(f, o);
  *o += "\n";
}

std::string RenderText(const Diff& d, const Side& o_side, const Side& n_side, Severity fail_on) {
  std::string o = "syncdoctor " SYNCDOCTOR_VERSION " diff\n\n";
  for (const auto* s : {&o_side, &n_side}) {
    o += std::string(s == &o_side ? "OLD  " : "NEW  ") + TerminalSafe(s->path) + "  (" + SideSummary(*s) + ")\n";
    for (const auto& h : s->diagnosis) o += "  * " + TerminalSafe(h) + "\n";
  }
  o += "\nVERDICT\n";
  std::vector<std::string> reasons = WorseReasons(d);
  if (reasons.empty()) {
    o += "  Nothing got worse (--fail-on " + std::string(SeverityName(fail_on)) + "): " + Counts(d) + ".\n";
  } else {
    o += "  Worse: " + Counts(d) + ".\n";
    for (const auto& r : reasons) o += "  * " + TerminalSafe(r) + "\n";
  }
  std::string note = NoCommonJobNote(d);
  if (!note.empty()) o += "  Note: " + note + ".\n";
  o += "\n";
  TextFindings("RESOLVED", d.resolved, &o);
  TextFindings("PERSISTING", d.persisting, &o);
  TextFindings("NEW", d.added, &o);
  o += "JOBS (" + std::to_string(d.jobs.size()) + ")\n";
  if (d.jobs.empty()) o += "  none: neither side has a job status record\n";
  for (const auto& j : d.jobs) {
    o += "  " + TerminalSafe(j.job_id) + ": " + ChangeText(j.change) + "\n";
    if (j.old_state.present) o += "    old: " + TerminalSafe(JobStateText(j.old_state)) + "\n";
    if (j.new_state.present) o += "    new: " + TerminalSafe(JobStateText(j.new_state)) + "\n";
  }
  return o;
}

// ---- JSON ----

void TimeMember(JsonWriter* w, std::string_view key, int64_t ms) {
  w->Key(key);
  if (ms == 0) {
    w->Null();
  } else {
    w->String(FormatTimestamp(ms));
  }
}

void JsonSideFinding(JsonWriter* w, std::string_view key, const SideFinding& s) {
  w->Key(key);
  if (!s.present) {
    w->Null();
    return;
  }
  w->BeginObject();
  w->Member("severity", SeverityName(s.severity));
  w->Member("count", s.count);
  TimeMember(w, "first_time", s.first_time);
  TimeMember(w, "last_time", s.last_time);
  w->Key("files");
  w->BeginArray();
  for (const auto& f : s.files) w->String(f);
  w->EndArray();
  w->EndObject();
}

void JsonFindings(JsonWriter* w, std::string_view key, const std::vector<FindingDiff>& v) {
  w->Key(key);
  w->BeginArray();
  for (const auto& f : v) {
    w->BeginObject();
    w->Member("signature", f.signature);
    w->Member("title", f.title);
    w->Member("severity", SeverityName(ShownSeverity(f)));
    w->Member("scope", f.scope);
    w->Member("scope_kind", ScopeKindName(f.kind));
    JsonSideFinding(w, "old", f.old_side);
    JsonSideFinding(w, "new", f.new_side);
    w->Member("count_change", CountChange(f));
    w->Member("severity_change", SeverityChange(f));
    w->Key("worse");
    w->Bool(f.worse);
    w->EndObject();
  }
  w->EndArray();
}

void JsonSide(JsonWriter* w, std::string_view key, const Side& s) {
  w->Key(key);
  w->BeginObject();
  w->Member("path", s.path);
  w->Member("source", s.is_index ? "index" : "bundle");
  w->Member("inputs", s.inputs);
  w->Member("events", s.events);
  w->Member("findings", s.findings);
  w->Key("diagnosis");
  w->BeginArray();
  for (const auto& h : s.diagnosis) w->String(h);
  w->EndArray();
  w->EndObject();
}

void JsonJobState(JsonWriter* w, std::string_view key, const JobState& j) {
  w->Key(key);
  if (!j.present) {
    w->Null();
    return;
  }
  w->BeginObject();
  w->Member("status", j.status);
  w->Member("reason", j.reason);
  w->Member("error_code", j.error_code);
  TimeMember(w, "time", j.time);
  w->EndObject();
}

std::string RenderJson(const Diff& d, const Side& o_side, const Side& n_side, Severity fail_on) {
  std::string out;
  JsonWriter w(&out, true);
  w.BeginObject();
  w.Key("tool");
  w.BeginObject();
  w.Member("name", "syncdoctor");
  w.Member("version", SYNCDOCTOR_VERSION);
  w.EndObject();
  w.Member("generated_at", GeneratedAt());
  JsonSide(&w, "old", o_side);
  JsonSide(&w, "new", n_side);
  w.Member("fail_on", SeverityName(fail_on));
  w.Key("worse");
  w.Bool(d.worse);
  w.Key("worse_reasons");
  w.BeginArray();
  for (const auto& r : WorseReasons(d)) w.String(r);
  w.EndArray();
  w.Key("notes");
  w.BeginArray();
  if (!NoCommonJobNote(d).empty()) w.String(NoCommonJobNote(d));
  w.EndArray();
  JsonFindings(&w, "resolved", d.resolved);
  JsonFindings(&w, "persisting", d.persisting);
  JsonFindings(&w, "new_findings", d.added);
  w.Key("jobs");
  w.BeginArray();
  for (const auto& j : d.jobs) {
    w.BeginObject();
    w.Member("job_id", j.job_id);
    w.Member("change", j.change);
    JsonJobState(&w, "old", j.old_state);
    JsonJobState(&w, "new", j.new_state);
    w.Key("worse");
    w.Bool(j.worse);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  out += "\n";
  return out;
}

// ---- Markdown ----

std::string MdSide(const SideFinding& s) {
  if (!s.present) return "";
  return Plural(s.count, "event") + ", " + std::string(SeverityName(s.severity)) + ", last " + Time(s.last_time);
}

void MdFindings(const char* heading, const std::vector<FindingDiff>& v, std::string* o) {
  *o += "\n## " + std::string(heading) + "\n\n";
  if (v.empty()) {
    *o += "None.\n";
    return;
  }
  *o += "| Severity | Signature | Title | Scope | Old | New | Change |\n|---|---|---|---|---|---|---|\n";
  for (const auto& f : v) {
    std::string scope = ScopeText(f, f.new_side.present ? f.new_side : f.old_side);
    std::string change;
    if (f.old_side.present && f.new_side.present) {
      change = "events " + CountChange(f) + ", severity " + SeverityChange(f) + (f.worse ? " (worse)" : "");
    } else if (f.worse) {
      change = "worse";
    }
    *o += "| " + std::string(SeverityName(ShownSeverity(f))) + " | " + MarkdownEscape(f.signature) + " | " +
          MarkdownEscape(f.title) + " | " + MarkdownEscape(scope) + " | " + MarkdownEscape(MdSide(f.old_side)) +
          " | " + MarkdownEscape(MdSide(f.new_side)) + " | " + change + " |\n";
  }
}

std::string RenderMarkdown(const Diff& d, const Side& o_side, const Side& n_side, Severity fail_on) {
  std::string o = "# syncdoctor diff\n\n";
  for (const auto* s : {&o_side, &n_side}) {
    o += std::string(s == &o_side ? "**Old**: " : "**New**: ") + MarkdownEscape(s->path) + " (" +
         MarkdownEscape(SideSummary(*s)) + ")\n\n";
    for (const auto& h : s->diagnosis) o += "- " + MarkdownEscape(h) + "\n";
    if (!s->diagnosis.empty()) o += "\n";
  }
  o += "## Verdict\n\n";
  std::vector<std::string> reasons = WorseReasons(d);
  if (reasons.empty()) {
    o += "Nothing got worse (fail-on " + std::string(SeverityName(fail_on)) + "): " + MarkdownEscape(Counts(d)) + ".\n";
  } else {
    o += "**Worse**: " + MarkdownEscape(Counts(d)) + ".\n\n";
    for (const auto& r : reasons) o += "- " + MarkdownEscape(r) + "\n";
  }
  std::string note = NoCommonJobNote(d);
  if (!note.empty()) o += "\n_Note: " + MarkdownEscape(note) + "._\n";
  MdFindings("Resolved findings", d.resolved, &o);
  MdFindings("Persisting findings", d.persisting, &o);
  MdFindings("New findings", d.added, &o);
  o += "\n## Jobs\n\n";
  if (d.jobs.empty()) {
    o += "None: neither side has a job status record.\n";
    return o;
  }
  o += "| Job | Change | Old | New |\n|---|---|---|---|\n";
  for (const auto& j : d.jobs) {
    o += "| " + MarkdownEscape(j.job_id) + " | " + ChangeText(j.change) + " | " +
         (j.old_state.present ? MarkdownEscape(JobStateText(j.old_state)) : "") + " | " +
         (j.new_state.present ? MarkdownEscape(JobStateText(j.new_state)) : "") + " |\n";
  }
  return o;
}

// ---- HTML ----

constexpr const char* kHtmlStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.sub{color:#57606a}.worse{color:#cf222e;font-weight:700}.better{color:#1a7f37;font-weight:700}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eaeef2}td.scope{word-break:break-all}
.sev{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;border-radius:10px;padding:1px 8px;color:#fff}
.sev-critical{background:#a40e26}.sev-high{background:#cf222e}.sev-medium{background:#bf8700}.sev-low{background:#0969da}.sev-info{background:#6e7781}
)css";

std::string HtmlSide(const SideFinding& s) {
  if (!s.present) return "";
  return HtmlEscape(Plural(s.count, "event") + ", last " + Time(s.last_time));
}

void HtmlFindings(const char* id, const char* heading, const std::vector<FindingDiff>& v, std::string* o) {
  *o += "<section id=\"" + std::string(id) + "\">\n<h2>" + heading + " (" + std::to_string(v.size()) + ")</h2>\n";
  if (v.empty()) {
    *o += "<p class=\"sub\">None.</p>\n</section>\n";
    return;
  }
  *o += "<table><tr><th>Severity</th><th>Signature</th><th>Title</th><th>Scope</th><th>Old</th><th>New</th>"
        "<th>Change</th></tr>\n";
  for (const auto& f : v) {
    std::string sev(SeverityName(ShownSeverity(f)));
    std::string change;
    if (f.old_side.present && f.new_side.present) {
      change = "events " + CountChange(f) + ", severity " + SeverityChange(f);
      if (f.worse) change += " (worse)";
    } else if (f.worse) {
      change = "worse";
    }
    *o += "<tr data-signature=\"" + HtmlEscape(f.signature) + "\"" + (f.worse ? " class=\"worse\"" : "") +
          "><td><span class=\"sev sev-" + sev + "\">" + sev + "</span></td><td>" + HtmlEscape(f.signature) +
          "</td><td>" + HtmlEscape(f.title) + "</td><td class=\"scope\">" +
          HtmlEscape(ScopeText(f, f.new_side.present ? f.new_side : f.old_side)) + "</td><td>" +
          HtmlSide(f.old_side) + "</td><td>" + HtmlSide(f.new_side) + "</td><td>" + HtmlEscape(change) +
          "</td></tr>\n";
  }
  *o += "</table>\n</section>\n";
}

std::string RenderHtml(const Diff& d, const Side& o_side, const Side& n_side, Severity fail_on) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // As the HTML report: nothing may load, only the inline style.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "img-src data:; form-action 'none'; base-uri 'none'\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"syncdoctor " SYNCDOCTOR_VERSION "\">\n"
      "<title>syncdoctor diff</title>\n<style>";
  o += kHtmlStyle;
  o += "</style>\n</head>\n<body>\n<main>\n<h1>syncdoctor diff</h1>\n<p class=\"sub\">Generated " +
       HtmlEscape(GeneratedAt()) + " by syncdoctor " SYNCDOCTOR_VERSION ".</p>\n";
  o += "<section id=\"sides\">\n<h2>Compared</h2>\n";
  for (const auto* s : {&o_side, &n_side}) {
    o += "<p><strong>" + std::string(s == &o_side ? "Old" : "New") + "</strong>: " + HtmlEscape(s->path) +
         " (" + HtmlEscape(SideSummary(*s)) + ")</p>\n<ul class=\"diagnosis\">";
    for (const auto& h : s->diagnosis) o += "<li>" + HtmlEscape(h) + "</li>";
    o += "</ul>\n";
  }
  o += "</section>\n<section id=\"verdict\">\n<h2>Verdict</h2>\n";
  std::vector<std::string> reasons = WorseReasons(d);
  if (reasons.empty()) {
    o += "<p class=\"better\">Nothing got worse (fail-on " + std::string(SeverityName(fail_on)) + "): " +
         HtmlEscape(Counts(d)) + ".</p>\n";
  } else {
    o += "<p class=\"worse\">Worse: " + HtmlEscape(Counts(d)) + ".</p>\n<ul>";
    for (const auto& r : reasons) o += "<li>" + HtmlEscape(r) + "</li>";
    o += "</ul>\n";
  }
  std::string note = NoCommonJobNote(d);
  if (!note.empty()) o += "<p class=\"sub note\">Note: " + HtmlEscape(note) + ".</p>\n";
  o += "</section>\n";
  HtmlFindings("resolved", "Resolved findings", d.resolved, &o);
  HtmlFindings("persisting", "Persisting findings", d.persisting, &o);
  HtmlFindings("new", "New findings", d.added, &o);
  o += "<section id=\"jobs\">\n<h2>Jobs (" + std::to_string(d.jobs.size()) + ")</h2>\n";
  if (d.jobs.empty()) {
    o += "<p class=\"sub\">None: neither side has a job status record.</p>\n";
  } else {
    o += "<table><tr><th>Job</th><th>Change</th><th>Old</th><th>New</th></tr>\n";
    for (const auto& j : d.jobs) {
      o += "<tr" + std::string(j.worse ? " class=\"worse\"" : "") + "><td class=\"scope\">" + HtmlEscape(j.job_id) +
           "</td><td data-change=\"" + j.change + "\">" + HtmlEscape(ChangeText(j.change)) + "</td><td>" +
           (j.old_state.present ? HtmlEscape(JobStateText(j.old_state)) : "") + "</td><td>" +
           (j.new_state.present ? HtmlEscape(JobStateText(j.new_state)) : "") + "</td></tr>\n";
    }
    o += "</table>\n";
  }
  o += "</section>\n</main>\n</body>\n</html>\n";
  return o;
}

bool CheckDiffOptions(const po::variables_map& vm, std::vector<std::string>* args, Severity* fail_on) {
  if (vm.count("args")) *args = vm["args"].as<std::vector<std::string>>();
  if (args->size() != 2) {
    PrintError("diff needs OLD and NEW, each a bundle (folder, archive or file) or an index file");
    return false;
  }
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json" && format != "markdown" && format != "html") {
    PrintError("diff: --format '" + format + "' is not one diff writes (text, json, markdown, html)");
    return false;
  }
  if (vm.count("redact-key") && !vm.count("redact")) {
    PrintError("--redact-key needs --redact");
    return false;
  }
  if (!ParseSeverity(vm["fail-on"].as<std::string>(), fail_on)) {
    PrintError("--fail-on '" + vm["fail-on"].as<std::string>() +
               "' is not a severity (critical, high, medium, low, info)");
    return false;
  }
  return CheckInputFormat(vm);
}

}  // namespace

void DiffOptions(po::options_description* d) {
  d->add_options()
      ("format", po::value<std::string>()->default_value("text")->value_name("FORMAT"),
       "output format: text, json, markdown or html")
      ("output,o", po::value<std::string>()->value_name("FILE"), "write the comparison to FILE instead of stdout")
      ("fail-on", po::value<std::string>()->default_value("medium")->value_name("SEVERITY"),
       "exit 1 when a new finding has this severity or worse (critical, high, medium, low, info); "
       "a persisting finding whose severity rose, or a job that entered quarantine, always does")
      ("signatures", po::value<std::string>()->value_name("DIR"),
       "also load the signature files of DIR (same id replaces), for both sides")
      ("redact", "replace UPNs, e-mail addresses, names, domains, IPs and ids with stable pseudonyms")
      ("redact-key", po::value<std::string>()->value_name("KEY"),
       "key for --redact: the same key gives the same pseudonyms in every run (default: "
       "SYNCDOCTOR_REDACT_KEY, else a random key)")
      ("quiet,q", "no per-bundle summary lines and no result line on stderr");
  CommonIngestOptions(d);
}

int RunDiff(const po::variables_map& vm) {
  std::vector<std::string> args;
  Severity fail_on = Severity::kMedium;
  if (!CheckDiffOptions(vm, &args, &fail_on)) return kExitUsage;
  std::vector<Signature> sigs;
  std::unique_ptr<Matcher> matcher;
  if (!LoadMatcher(vm, &sigs, &matcher)) return kExitUsage;
  // One redactor for both sides, so that a value gets the same token on each.
  std::unique_ptr<Redactor> redactor;
  if (vm.count("redact")) redactor = std::make_unique<Redactor>(RedactKey(vm));
  Side old_side, new_side;
  // One side at a time: a temporary index is gone before the next one is made.
  int rc = ReadSide(vm, args[0], *matcher, redactor.get(), /*old_side=*/true, &old_side);
  if (rc != kExitOk) return rc;
  rc = ReadSide(vm, args[1], *matcher, redactor.get(), /*old_side=*/false, &new_side);
  if (rc != kExitOk) return rc;
  Diff d = Compare(&old_side, &new_side, fail_on);
  if (redactor) RedactDiff(&d, &old_side, &new_side, redactor.get());
  const std::string format = vm["format"].as<std::string>();
  std::string text = format == "json"       ? RenderJson(d, old_side, new_side, fail_on)
                   : format == "markdown"   ? RenderMarkdown(d, old_side, new_side, fail_on)
                   : format == "html"       ? RenderHtml(d, old_side, new_side, fail_on)
                                            : RenderText(d, old_side, new_side, fail_on);
  if (!WriteOutput(vm, text)) return kExitUsage;
  if (!vm.count("quiet")) {
    std::cerr << "syncdoctor: diff: " << Counts(d) << "; "
              << (d.worse ? "worse" : "nothing got worse") << "\n";
  }
  return d.worse ? kExitFindings : kExitOk;
}

}  // namespace syncdoctor
