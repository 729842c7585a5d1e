#include "analyzer/report/report_model.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <simdjson.h>

#include "analyzer/findings.h"
#include "analyzer/reference.h"
#include "analyzer/report/ask_for.h"
#include "analyzer/report/case_facts.h"
#include "analyzer/report/redact.h"
#include "parsers/json_util.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

constexpr size_t kEvidencePerFinding = 3;

std::vector<std::string> WarningsFromJson(std::string_view json) {
  std::vector<std::string> out;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  simdjson::padded_string ps(json);
  if (p.parse(ps).get(doc) != simdjson::SUCCESS) return out;
  simdjson::dom::array arr;
  if (doc.get_array().get(arr) != simdjson::SUCCESS) return out;
  for (auto v : arr) {
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) out.emplace_back(s);
  }
  return out;
}

Status LoadInputs(Index* index, Report* r) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT bundle, path, format, kind, encoding, status, reason, warnings, records, events, "
      "unparsed, duplicates, first_time, last_time FROM sources ORDER BY bundle, path, id",
      &st);
  bool row = false;
  while (s.ok() && (s = st.Step(&row)).ok() && row) {
    InputInfo in;
    in.bundle = st.Text(0);
    in.path = st.Text(1);
    in.format = st.Text(2);
    in.kind = st.Text(3);
    in.encoding = st.Text(4);
    in.status = st.Text(5);
    in.reason = st.Text(6);
    in.warnings = WarningsFromJson(st.Text(7));
    in.records = st.Int(8);
    in.events = st.Int(9);
    in.unparsed = st.Int(10);
    in.duplicates = st.Int(11);
    in.first_time = st.IsNull(12) ? 0 : st.Int(12);
    in.last_time = st.IsNull(13) ? 0 : st.Int(13);
    r->events += in.events;
    r->unparsed += in.unparsed;
    r->duplicates += in.duplicates;
    r->newest_time = std::max(r->newest_time, in.last_time);
    if (r->bundles.empty() || r->bundles.back() != in.bundle) r->bundles.push_back(in.bundle);
    r->inputs.push_back(std::move(in));
  }
  return s;
}

// Log text as the report may show it: with a redactor, every piece of customer data replaced
// BEFORE any cut, so that a cut never leaves half a UPN or GUID that the redactor would no
// longer recognise.
std::string Shown(std::string_view text, Redactor* redactor) {
  return redactor == nullptr ? std::string(text) : redactor->Apply(text);
}

// A window of `text` around the first place one of `sig`'s patterns on `field` matches, so that
// the excerpt shows what made the event match even in a long message.
std::string MatchWindow(std::string_view text, const Signature* sig, EventField field, size_t max) {
  size_t first_nl = text.find('\n');
  if (sig == nullptr || (text.size() <= max && first_nl == std::string_view::npos)) return Excerpt(text, max);
  size_t best = std::string_view::npos;
  for (const auto* conds : {&sig->all, &sig->any}) {
    for (const auto& c : *conds) {
      for (const auto& [f, pattern] : c.pairs) {
        if (f != field) continue;
        RE2 re(pattern, RE2::Quiet);
        re2::StringPiece m;
        if (re.ok() && re.Match(text, 0, text.size(), RE2::UNANCHORED, &m, 1)) {
          best = std::min(best, static_cast<size_t>(m.data() - text.data()));
        }
      }
    }
  }
  if (best == std::string_view::npos || best + 40 < max) return Excerpt(text, max);
  // Start a little before the match, on a UTF-8 boundary, and keep to one line.
  size_t start = best > 60 ? best - 60 : 0;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  size_t line_start = text.rfind('\n', best);
  if (line_start != std::string_view::npos && line_start + 1 > start) start = line_start + 1;
  std::string out = start > 0 ? "… " : "";
  return out + Excerpt(text.substr(start), max);
}

Status LoadEvidence(Index* index, const std::string& signature, const Signature* sig,
                    const std::string& scope, Redactor* redactor, std::vector<EvidenceLine>* out) {
  // The first matching event of each kind (the sources that agree), then the earliest others,
  // in the order time (untimed last), path, line. One pass over the finding's matches reads a
  // few small columns and keeps a bounded number of candidates (memory does not grow with the
  // number of matches); the text of the chosen lines only is read afterwards.
  struct Cand {
    int64_t id = 0, time = 0, line = 0;
    bool untimed = false;
    std::string kind, path;
  };
  auto before = [](const Cand& a, const Cand& b) {
    if (a.untimed != b.untimed) return b.untimed;
    if (a.time != b.time) return a.time < b.time;
    if (a.path != b.path) return a.path < b.path;
    if (a.line != b.line) return a.line < b.line;
    return a.id < b.id;
  };
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT e.id, e.kind, e.time, s.path, e.line FROM matches m "
      "JOIN event_rows e ON e.id = m.event_id JOIN sources s ON s.id = e.source_id "
      "WHERE m.signature = ?1 AND (m.scope = ?2 OR m.scope = '')",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, signature);
  st.Bind(2, scope);
  const size_t keep = kEvidencePerFinding + kEventKindCount;
  std::map<std::string, Cand> first_of_kind;
  std::vector<Cand> earliest;  // sorted, at most `keep`
  bool row = false;
  Cand c;
  while ((s = st.Step(&row)).ok() && row) {
    c.id = st.Int(0);
    c.kind = st.Text(1);
    c.untimed = st.IsNull(2);
    c.time = c.untimed ? 0 : st.Int(2);
    c.path = st.Text(3);
    c.line = st.Int(4);
    auto it = first_of_kind.find(c.kind);
    if (it == first_of_kind.end()) {
      first_of_kind.emplace(c.kind, c);
    } else if (before(c, it->second)) {
      it->second = c;
    }
    if (earliest.size() < keep || before(c, earliest.back())) {
      earliest.insert(std::upper_bound(earliest.begin(), earliest.end(), c, before), c);
      if (earliest.size() > keep) earliest.pop_back();
    }
  }
  if (!s.ok()) return s;
  std::vector<Cand> firsts;
  for (auto& [kind, f] : first_of_kind) firsts.push_back(f);
  std::sort(firsts.begin(), firsts.end(), before);
  std::vector<int64_t> chosen;
  for (const Cand& f : firsts) {
    if (chosen.size() < kEvidencePerFinding) chosen.push_back(f.id);
  }
  for (const Cand& e : earliest) {
    if (chosen.size() >= kEvidencePerFinding) break;
    if (std::find(chosen.begin(), chosen.end(), e.id) == chosen.end()) chosen.push_back(e.id);
  }
  Stmt one;
  s = Stmt::Prepare(index->db(),
      "SELECT s.path, e.line, e.time, e.time_inferred, e.kind, e.activity, e.actor, "
      "e.target_identity, e.level, e.error_code, e.message, "
      "sd_raw(e.raw_block, e.raw_start, e.raw_len) FROM event_rows e "
      "JOIN sources s ON s.id = e.source_id "
      "WHERE e.id = ?1",
      &one);
  if (!s.ok()) return s;
  for (int64_t id : chosen) {
    one.Bind(1, id);
    if (!(s = one.Step(&row)).ok()) return s;
    if (!row) {
      one.Reset();
      continue;
    }
    EvidenceLine ev;
    ev.event_id = id;
    ev.path = Shown(one.Text(0), redactor);
    ev.line = one.Int(1);
    ev.time = one.IsNull(2) ? 0 : one.Int(2);
    ev.time_inferred = one.Int(3) != 0;
    ev.kind = one.Text(4);
    ev.activity = Shown(one.Text(5), redactor);
    ev.actor = Shown(one.Text(6), redactor);
    ev.target = Shown(one.Text(7), redactor);
    ev.level = one.Text(8);
    ev.error_code = Shown(one.Text(9), redactor);
    const std::string msg = Shown(one.Text(10), redactor);
    if (ev.kind == "audit") {
      // An audit line reads best as who did what to whom.
      std::string text = ev.activity;
      if (!ev.target.empty()) text += " '" + ev.target + "'";
      if (!ev.actor.empty()) text += " by " + ev.actor;
      if (!ev.level.empty()) text += " (" + ev.level + ")";
      if (!msg.empty()) text += ": " + std::string(msg);
      ev.excerpt = MatchWindow(text, sig, EventField::kMessage, 300);
    } else if (msg.empty()) {
      ev.excerpt = MatchWindow(Shown(one.Text(11), redactor), sig, EventField::kRaw, 300);
    } else {
      ev.excerpt = MatchWindow(msg, sig, EventField::kMessage, 300);
    }
    out->push_back(std::move(ev));
    one.Reset();
  }
  std::sort(out->begin(), out->end(), [](const EvidenceLine& a, const EvidenceLine& b) {
    if ((a.time == 0) != (b.time == 0)) return b.time == 0;  // untimed lines last
    if (a.time != b.time) return a.time < b.time;
    if (a.path != b.path) return a.path < b.path;
    return a.line < b.line;
  });
  return Status::Ok();
}

// What a signature lists as an event's code: the first group of its capture pattern in the
// capture field (for `code`, one code at a time), else the event's error code.
class CodeCapture {
 public:
  explicit CodeCapture(const Signature& sig) : sig_(sig) {
    if (!sig.has_capture) return;
    re_ = std::make_unique<RE2>(sig.capture_field == EventField::kCode ? "(?m)" + sig.capture_pattern
                                                                         : sig.capture_pattern,
                                RE2::Quiet);
    if (!re_->ok()) re_.reset();
  }
  std::string Of(const Event& e, std::string* scratch) const {
    if (!sig_.has_capture) return e.error_code == "None" ? std::string() : e.error_code;
    if (re_ == nullptr) return "";
    std::string_view text;
    if (sig_.capture_field == EventField::kCode) {
      scratch->clear();
      AppendEventCodes(e, scratch);
      text = *scratch;
    } else {
      text = EventFieldValue(e, sig_.capture_field);
    }
    re2::StringPiece m;
    return RE2::PartialMatch(text, *re_, &m) ? std::string(m.data(), m.size()) : std::string();
  }

 private:
  const Signature& sig_;
  std::unique_ptr<RE2> re_;
};

// The codes a finding's events carry, by the signature's capture (the first group of its pattern
// on its field), else the error code: "which members of the family". Counts at most
// kCodeScanEvents events.
// The files of the finding's events (those of its scope and the unscoped ones, as for evidence).
Status LoadFindingFiles(Index* index, const std::string& signature, const std::string& scope,
                        FindingInfo* fi) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT s.path, count(*) FROM matches m JOIN event_rows e ON e.id = m.event_id "
      "JOIN sources s ON s.id = e.source_id WHERE m.signature = ?1 AND (m.scope = ?2 OR m.scope = '') "
      "GROUP BY s.path ORDER BY s.path LIMIT ?3",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, signature);
  st.Bind(2, scope);
  st.Bind(3, static_cast<int64_t>(kMaxFindingFiles + 1));
  bool row = false;
  while ((s = st.Step(&row)).ok() && row) {
    if (fi->files.size() == kMaxFindingFiles) {
      fi->files_cut = true;
      break;
    }
    fi->files.emplace_back(std::string(st.Text(0)), st.Int(1));
  }
  return s;
}

Status LoadFindingCodes(Index* index, const Signature& sig, const std::string& scope, FindingInfo* fi) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT e.kind, coalesce(e.error_code, ''), coalesce(e.reason, ''), coalesce(e.message, ''), "
      "e.level, e.activity FROM matches m JOIN event_rows e ON e.id = m.event_id "
      "WHERE m.signature = ?1 AND (m.scope = ?2 OR m.scope = '') ORDER BY e.id LIMIT ?3",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, sig.id);
  st.Bind(2, scope);
  st.Bind(3, kCodeScanEvents + 1);
  CodeCapture capture(sig);
  std::map<std::string, int64_t> counts;
  int64_t rows = 0;
  bool row = false;
  Event e;
  std::string scratch;
  while ((s = st.Step(&row)).ok() && row) {
    if (++rows > kCodeScanEvents) {
      fi->codes_cut = true;
      break;
    }
    e.Clear();
    (void)ParseEventKind(st.Text(0), &e.kind);
    e.error_code = st.Text(1);
    e.reason = st.Text(2);
    e.message = st.Text(3);
    e.level = st.Text(4);
    e.activity = st.Text(5);
    std::string found = capture.Of(e, &scratch);
    if (!found.empty()) ++counts[found];
  }
  if (!s.ok()) return s;
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (const auto& [code, n] : sorted) {
    if (fi->codes.size() >= kMaxFindingCodes) {
      fi->codes_cut = true;
      break;
    }
    CodeCount c;
    c.code = code;
    c.count = n;
    if (const ReferenceEntry* ref = FindReference(code)) {
      c.meaning = ref->name.empty() || ref->name == code ? ref->meaning : ref->name + ": " + ref->meaning;
    }
    fi->codes.push_back(std::move(c));
  }
  return Status::Ok();
}

std::string Plural(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// The fix step that names a cmdlet (Verb-Noun), else the first step.
std::string KeyFixStep(const std::vector<std::string>& fix) {
  static const RE2 cmdlet(R"(\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b)");
  for (const auto& step : fix) {
    if (RE2::PartialMatch(step, cmdlet)) return step;
  }
  return fix.empty() ? "" : fix.front();
}

// ISO-8601 duration ("PT40M", "P1DT2H", "PT0.5S") in milliseconds; false when it is not one.
bool ParseIsoDuration(std::string_view s, int64_t* ms) {
  if (s.empty() || s[0] != 'P') return false;
  double total = 0, num = 0, frac = 0, scale = 0;
  bool in_time = false, have = false;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == 'T') {
      in_time = true;
    } else if (c >= '0' && c <= '9') {
      if (scale > 0) {
        frac += (c - '0') * scale;
        scale /= 10;
      } else {
        num = num * 10 + (c - '0');
      }
      have = true;
    } else if (c == '.' || c == ',') {
      scale = 0.1;
    } else {
      double v = num + frac, unit = 0;
      if (c == 'D') unit = 86400e3;
      else if (c == 'W') unit = 7 * 86400e3;
      else if (c == 'H' && in_time) unit = 3600e3;
      else if (c == 'M' && in_time) unit = 60e3;
      else if (c == 'S' && in_time) unit = 1e3;
      else return false;
      total += v * unit;
      num = frac = scale = 0;
    }
  }
  if (!have) return false;
  *ms = static_cast<int64_t>(total);
  return true;
}

std::string Span(int64_t ms) {
  const int64_t hour = 3600000;
  if (ms < 2 * hour) return Plural(ms / 60000, "minute");
  return ms < 48 * hour ? Plural(ms / hour, "hour") : Plural(ms / (24 * hour), "day");
}

// Silence is evidence: an agent trace that ends long before the other logs of its bundle, and an
// active job that has not run for several of its intervals. "Now" is the newest event of the
// bundle, never the clock.
Status FindSilences(Index* index, const Report& report, std::vector<DiagnosisEntry>* out) {
  const Report* r = &report;
  Stmt st;
  // The newest trace time (taken from the line itself) and the newest other time, per bundle.
  // A file's format decides the kind of all its events, so each file is one seek in the
  // (source_id, time_inferred, time) index rather than a scan of every event.
  Status s = Stmt::Prepare(index->db(),
      "SELECT b.bundle, "
      "(SELECT max((SELECT e.time FROM event_rows e WHERE e.source_id = s.id AND "
      "   e.time_inferred = 0 AND e.time IS NOT NULL AND e.kind = 'trace' "
      "   ORDER BY e.time DESC LIMIT 1)) "
      " FROM sources s WHERE s.bundle = b.bundle AND s.kind = 'trace'), "
      "(SELECT max((SELECT e.time FROM event_rows e WHERE e.source_id = s.id AND "
      "   e.time_inferred = i.v AND e.time IS NOT NULL AND e.kind IN ('job', 'provisioning', 'audit') "
      "   ORDER BY e.time DESC LIMIT 1)) "
      " FROM sources s, (SELECT 0 AS v UNION ALL SELECT 1) i "
      " WHERE s.bundle = b.bundle AND s.kind IN ('job', 'provisioning', 'audit')) "
      "FROM (SELECT DISTINCT bundle FROM sources) b ORDER BY b.bundle",
      &st);
  if (!s.ok()) return s;
  bool row = false;
  const int64_t hour = 3600000;
  while ((s = st.Step(&row)).ok() && row) {
    if (st.IsNull(1) || st.IsNull(2)) continue;
    int64_t trace_end = st.Int(1), other_end = st.Int(2);
    if (other_end - trace_end <= hour) continue;
    DiagnosisEntry d;
    d.tone = "warning";
    d.headline = "The agent trace ends at " + FormatTimestamp(trace_end) + ", " +
                 Span(other_end - trace_end) + " before the newest job, provisioning or audit "
                 "event (" + FormatTimestamp(other_end) + "): the agent may have stopped, or the "
                 "bundle lacks its later trace files";
    d.next_step = "Check that AADConnectProvisioningAgent is running on every agent server and "
                  "collect its Trace folder again (Export-AADCloudSyncToolsLogs).";
    out->push_back(std::move(d));
  }
  if (!s.ok()) return s;
  Stmt jobs;
  s = Stmt::Prepare(index->db(),
      "SELECT e.job_id, sd_raw(e.raw_block, e.raw_start, e.raw_len) FROM event_rows e "
      "WHERE e.kind = 'job' AND e.level = 'Active' AND e.raw_block IS NOT NULL ORDER BY e.job_id", &jobs);
  if (!s.ok()) return s;
  while ((s = jobs.Step(&row)).ok() && row) {
    simdjson::dom::parser p;
    simdjson::dom::element doc, v;
    simdjson::padded_string ps(jobs.Text(1));
    if (p.parse(ps).get(doc) != simdjson::SUCCESS) continue;
    int64_t interval = 0, last = 0;
    if (!JsonPath(doc, {"schedule", "interval"}, &v) || !ParseIsoDuration(JsonText(v), &interval)) continue;
    if (interval <= 0 || interval > 7 * 24 * hour) continue;  // no real schedule (TimeSpan.MaxValue)
    if (!JsonPath(doc, {"status", "lastExecution", "timeBegan"}, &v) || !ParseTimestamp(JsonText(v), &last)) continue;
    int64_t quiet = r->newest_time - last;
    if (quiet <= 3 * interval || quiet <= hour) continue;
    DiagnosisEntry d;
    d.tone = "warning";
    d.headline = "Job " + std::string(jobs.Text(0)) + " is Active but its last run began at " +
                 FormatTimestamp(last) + ", " + Span(quiet) + " before the newest event, although it "
                 "runs every " + Span(interval);
    d.next_step = "Look at the job's status and the agents (Get-AADCloudSyncToolsJobStatus), and at "
                  "provisioning logs after " + FormatTimestamp(last) + ".";
    out->push_back(std::move(d));
  }
  return s;
}

// What the index says about one job, for the diagnosis: how long it has been in quarantine and
// which error code dominates its failures.
struct JobContext {
  int64_t quarantine_since = 0;  // status.quarantine.seriesBegan (else currentBegan)
  // The agent around the time the failure began (one hour either side): trace lines seen, and
  // the errors among them.
  int64_t agent_lines = 0, agent_errors = 0;
  std::string agent_error_example;
  int64_t agent_error_time = 0;
  int64_t failures = 0;
  std::string top_code;
  int64_t top_count = 0;
};

Status LoadAgentContext(Index* index, int64_t around, Redactor* redactor, JobContext* out) {
  const int64_t hour = 3600000;
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT count(*), sum(level IN ('Error', 'Critical')), "
      "min(CASE WHEN level IN ('Error', 'Critical') THEN time END) FROM event_rows "
      "WHERE kind = 'trace' AND time BETWEEN ?1 AND ?2",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, around - hour);
  st.Bind(2, around + hour);
  bool row = false;
  if ((s = st.Step(&row)).ok() && row) {
    out->agent_lines = st.Int(0);
    out->agent_errors = st.IsNull(1) ? 0 : st.Int(1);
    out->agent_error_time = st.IsNull(2) ? 0 : st.Int(2);
  }
  if (!s.ok() || out->agent_errors == 0) return s;
  Stmt ex;
  s = Stmt::Prepare(index->db(),
      "SELECT message FROM event_rows WHERE kind = 'trace' AND "
      "level IN ('Error', 'Critical') AND time = ?1 LIMIT 1",
      &ex);
  if (!s.ok()) return s;
  ex.Bind(1, out->agent_error_time);
  if ((s = ex.Step(&row)).ok() && row) out->agent_error_example = Excerpt(Shown(ex.Text(0), redactor), 160);
  return s;
}

Status LoadJobContext(Index* index, const std::string& job_id, JobContext* out) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT sd_raw(e.raw_block, e.raw_start, e.raw_len), e.time FROM event_rows e "
      "WHERE e.kind = 'job' AND e.job_id = ?1 AND e.level = 'Quarantine' "
      "AND e.raw_block IS NOT NULL "
      "ORDER BY e.time DESC LIMIT 1",
      &st);
  if (!s.ok()) return s;
  st.Bind(1, job_id);
  bool row = false;
  if ((s = st.Step(&row)).ok() && row) {
    out->quarantine_since = st.IsNull(1) ? 0 : st.Int(1);
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    simdjson::padded_string ps(st.Text(0));
    simdjson::dom::element began;
    if (p.parse(ps).get(doc) == simdjson::SUCCESS &&
        JsonPath(doc, {"status", "quarantine", "seriesBegan"}, &began)) {
      int64_t t = 0;
      if (ParseTimestamp(JsonText(began), &t)) out->quarantine_since = t;
    }
  }
  if (!s.ok()) return s;
  Stmt f;
  s = Stmt::Prepare(index->db(),
      "SELECT coalesce(error_code, ''), count(*), sum(count(*)) OVER () FROM event_rows "
      "WHERE kind = 'provisioning' AND level = 'failure' AND job_id = ?1 "
      "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
      &f);
  if (!s.ok()) return s;
  f.Bind(1, job_id);
  if ((s = f.Step(&row)).ok() && row) {
    out->top_code = f.Text(0);
    out->top_count = f.Int(1);
    out->failures = f.Int(2);
  }
  return s;
}

// Appends `sentence` after ". ", except after text that already ends a sentence or was cut
// ("…"), which would give "…. ".
void AppendSentence(std::string* text, const std::string& sentence) {
  if (sentence.empty()) return;
  if (text->empty()) {
    *text = sentence;
    return;
  }
  const std::string_view ellipsis = "\xE2\x80\xA6";
  bool ended = text->back() == '.' ||
               (text->size() >= ellipsis.size() &&
                std::string_view(*text).substr(text->size() - ellipsis.size()) == ellipsis);
  *text += ended ? " " : ". ";
  *text += sentence;
}

void BuildDiagnosis(const std::vector<Signature>& sigs, const std::map<std::string, JobContext>& jobs,
                    std::vector<DiagnosisEntry> silences, Report* r) {
  std::map<std::string, const Signature*> by_id;
  for (const auto& s : sigs) by_id[s.id] = &s;
  const auto& f = r->findings;
  // Union-find over visible findings linked through `links` (either direction).
  std::vector<size_t> parent(f.size());
  for (size_t i = 0; i < f.size(); ++i) parent[i] = i;
  std::function<size_t(size_t)> find = [&](size_t i) { return parent[i] == i ? i : parent[i] = find(parent[i]); };
  // A finding seen in a job's status or provisioning records belongs to that job; two findings of
  // different jobs are never one story (a bundle often holds the provisioning and the password
  // hash sync jobs side by side). Audit and agent findings can join any job's story.
  auto job_of = [&](size_t i) -> std::string {
    for (const auto& ev : f[i].evidence) {
      if (ev.kind == "job" || ev.kind == "provisioning") return f[i].scope;
    }
    return "";
  };
  for (size_t i = 0; i < f.size(); ++i) {
    for (size_t j = 0; j < f.size(); ++j) {
      if (i == j) continue;
      std::string ji = job_of(i), jj = job_of(j);
      if (!ji.empty() && !jj.empty() && ji != jj) continue;
      const Signature* si = by_id.count(f[i].signature) ? by_id[f[i].signature] : nullptr;
      if (si == nullptr) continue;
      for (const auto& l : si->links) {
        if (l == f[j].signature) parent[find(i)] = find(j);
      }
    }
  }
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < f.size(); ++i) groups[find(i)].push_back(i);
  std::vector<std::vector<size_t>> ordered;
  for (auto& [root, members] : groups) {
    std::sort(members.begin(), members.end());  // findings are already in report order
    ordered.push_back(members);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.front() < b.front(); });
  // The story is told from what the customer sees: among the most severe findings of a group, one
  // shown by the job status heads it (the quarantine), and the others explain it (the deletion,
  // the blocked proxy).
  auto shows_job = [&](size_t i) {
    for (const auto& ev : f[i].evidence) {
      if (ev.kind == "job") return true;
    }
    return false;
  };
  for (auto& members : ordered) {
    std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      if (f[a].severity != f[b].severity) return f[a].severity < f[b].severity;
      return shows_job(a) && !shows_job(b);
    });
  }
  for (const auto& members : ordered) {
    const FindingInfo& root = f[members.front()];
    if (root.severity > Severity::kHigh) continue;
    DiagnosisEntry d;
    d.what = root.title;
    for (size_t m : members) {
      if (d.job.empty() && !job_of(m).empty()) d.job = job_of(m);
    }
    // Name who did what, when, from linked audit evidence (e.g. the deletion of the account).
    // Linked findings of the same signature (one per agent folder) are told once, summed.
    std::map<std::string, std::pair<int64_t, int64_t>> linked;  // signature -> (count, first)
    std::vector<size_t> linked_order;
    for (size_t m : members) {
      if (m == members.front() || f[m].signature == root.signature) continue;
      bool audit = false;
      for (const auto& ev : f[m].evidence) audit |= ev.kind == "audit";
      if (!audit) {
        auto [it, fresh] = linked.emplace(f[m].signature, std::make_pair(int64_t{0}, int64_t{0}));
        if (fresh) linked_order.push_back(m);
        it->second.first += f[m].count;
        if (f[m].first_time != 0 && (it->second.second == 0 || f[m].first_time < it->second.second)) {
          it->second.second = f[m].first_time;
        }
        continue;
      }
      for (const auto& ev : f[m].evidence) {
        if (ev.kind != "audit") continue;
        std::string cause = f[m].title + ": '" + ev.activity + "'";
        if (!ev.target.empty()) cause += " of " + ev.target;
        if (!ev.actor.empty()) cause += " by " + ev.actor;
        if (ev.time != 0) cause += " at " + FormatTimestamp(ev.time);
        d.causes.push_back(std::move(cause));
        break;
      }
    }
    for (size_t m : linked_order) {
      const auto& [count, first] = linked[f[m].signature];
      std::string cause = f[m].title + " (" + Plural(count, "event");
      if (first != 0) cause += " from " + FormatTimestamp(first);
      d.causes.push_back(cause + ")");
    }
    std::string quarantine;
    auto job = jobs.find(root.scope);
    if (job != jobs.end()) {
      const JobContext& c = job->second;
      if (c.quarantine_since != 0 && r->newest_time >= c.quarantine_since) {
        // "Now" is the newest event of the bundle, never the clock. The service disables a job
        // that stays in quarantine for 4 weeks.
        const int64_t hour = 3600000, horizon = 28 * 24 * hour;
        int64_t elapsed = r->newest_time - c.quarantine_since;
        quarantine = "In quarantine since " + FormatTimestamp(c.quarantine_since) + ", " +
                     Span(elapsed) + " before the newest event; " +
                     (elapsed < horizon
                          ? "the job is disabled after 4 weeks of quarantine, about " +
                                Span(horizon - elapsed) + " after that event"
                          : "past the 4-week horizon: the job may already be disabled");
      }
      if (c.agent_errors > 0) {
        d.context.push_back("The agent logged " + Plural(c.agent_errors, "error") +
                            " within an hour of it, the first at " +
                            FormatTimestamp(c.agent_error_time) + ": " + c.agent_error_example);
      } else if (c.agent_lines > 0) {
        d.context.push_back("The agent's " + std::to_string(c.agent_lines) +
                            (c.agent_lines == 1 ? " trace entry" : " trace entries") +
                            " within an hour of it show no error");
      }
      if (c.failures > 0 && !c.top_code.empty()) {
        d.context.push_back(Plural(c.failures, "failed record") + " for this job, " +
                            std::to_string(c.top_count) + " of them " + c.top_code);
      }
    }
    if (root.first_time != 0) d.since = "first seen " + FormatTimestamp(root.first_time);
    if (!quarantine.empty()) {
      d.since += d.since.empty() ? quarantine : "; i" + quarantine.substr(1);  // "In" -> "in"
    }
    // The one-sentence form, in the order the fields are shown.
    d.headline = d.what;
    for (const auto& cause : d.causes) AppendSentence(&d.headline, "Linked: " + cause);
    if (root.first_time != 0) d.headline += " (first seen " + FormatTimestamp(root.first_time) + ")";
    if (!quarantine.empty()) AppendSentence(&d.headline, quarantine);
    for (const auto& line : d.context) AppendSentence(&d.headline, line);
    for (size_t m : members) {
      if (std::find(d.findings.begin(), d.findings.end(), f[m].signature) == d.findings.end()) {
        d.findings.push_back(f[m].signature);
      }
    }
    d.next_step = root.next_step.empty() ? KeyFixStep(root.fix) : root.next_step;
    r->diagnosis.push_back(std::move(d));
  }
  for (auto& d : silences) r->diagnosis.push_back(std::move(d));
  if (r->diagnosis.empty()) {
    DiagnosisEntry d;
    size_t files = 0;
    for (const auto& in : r->inputs) files += in.kind != "bundle";
    d.tone = "ok";
    d.headline = f.empty() ? "No known failure found in " + Plural(r->events, "event") + " from " +
                                 Plural(static_cast<int64_t>(files), "input file")
                           : "No critical or high-severity failure found; " +
                                 Plural(static_cast<int64_t>(f.size()), "lower-severity finding") + " below";
    d.next_step = r->unknown_codes.empty()
                      ? "Check the coverage below: a missing source (job status, provisioning "
                        "logs, agent traces) can hide a failure."
                      : "Look at the unknown error codes below: no signature covers them yet.";
    for (const auto& fi : f) d.findings.push_back(fi.signature);
    r->diagnosis.push_back(std::move(d));
  }
}

}  // namespace

std::string BundleName(const Report& r) {
  auto base = [](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  };
  if (r.bundles.empty()) return "";
  if (r.bundles.size() == 1) return base(r.bundles[0]);
  if (r.bundles.size() == 2) return base(r.bundles[0]) + " + " + base(r.bundles[1]);
  return base(r.bundles[0]) + " + " + std::to_string(r.bundles.size() - 1) + " more";
}

std::string Excerpt(std::string_view text, size_t max) {
  size_t nl = text.find('\n');
  std::string_view first = text.substr(0, nl);
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.remove_suffix(1);
  bool cut = nl != std::string_view::npos && nl + 1 < text.size();
  if (first.size() > max) {
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(first[end]) & 0xC0) == 0x80) --end;
    first = first.substr(0, end);
    cut = true;
  }
  std::string out(first);
  if (cut) out += " …";
  return out;
}

std::string GeneratedAt() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  int64_t secs = sde != nullptr ? std::strtoll(sde, nullptr, 10) : static_cast<int64_t>(std::time(nullptr));
  // FormatTimestamp(0) means "no time"; the epoch itself is a valid SOURCE_DATE_EPOCH.
  std::string t = secs == 0 ? "1970-01-01T00:00:00.000Z" : FormatTimestamp(secs * 1000);
  return t.substr(0, 19) + "Z";
}

namespace {

// Events, failures and flagged events per bucket; empty buckets are kept, since a gap in the
// logs is something to see.
Status LoadTimeline(Index* index, Report* r) {
  Stmt st;
  Status s = Stmt::Prepare(index->db(), "SELECT min(time), max(time) FROM event_rows WHERE time IS NOT NULL", &st);
  bool row = false;
  if (s.ok()) s = st.Step(&row);
  if (!s.ok()) return s;
  if (!row || st.IsNull(0)) return Status::Ok();
  const int64_t lo = st.Int(0), hi = st.Int(1);
  constexpr int64_t kHour = 3600 * 1000;
  int64_t width = kHour;
  // At most ~400 buckets: an hour each up to 16 days, then whole multiples of a day.
  if ((hi - lo) / width > 400) {
    int64_t days = (hi - lo) / (24 * kHour * 400) + 1;
    width = days * 24 * kHour;
  }
  r->bucket_ms = width;
  const int64_t first = lo - (lo % width + width) % width;
  const size_t n = static_cast<size_t>((hi - first) / width + 1);
  r->timeline.resize(n);
  for (size_t i = 0; i < n; ++i) r->timeline[i].start = first + static_cast<int64_t>(i) * width;
  st = Stmt();
  // Two passes: all events over the (time, level) index alone, then the flagged ones from the
  // matches (a join of every event with the matches cost twice as much). Each query yields
  // (bucket number, counts...), and `put` stores one row's counts in its bucket.
  auto pass = [&](const char* sql, void (*put)(const Stmt&, TimeBucket*)) {
    Stmt q;
    Status qs = Stmt::Prepare(index->db(), sql, &q);
    if (!qs.ok()) return qs;
    q.Bind(1, first);
    q.Bind(2, width);
    bool more = false;
    while ((qs = q.Step(&more)).ok() && more) {
      int64_t i = q.Int(0);
      if (i >= 0 && static_cast<size_t>(i) < n) put(q, &r->timeline[static_cast<size_t>(i)]);
    }
    return qs;
  };
  s = pass("SELECT (time - ?1) / ?2, count(*), "
           "sum(level IN ('Failure', 'Error', 'Critical', 'Quarantine', 'failure', 'error')) "
           "FROM event_rows WHERE time IS NOT NULL GROUP BY 1",
           [](const Stmt& q, TimeBucket* b) {
             b->events = q.Int(1);
             b->failures = q.Int(2);
           });
  if (!s.ok()) return s;
  return pass("SELECT (e.time - ?1) / ?2, count(*) FROM (SELECT DISTINCT event_id FROM matches) m "
              "JOIN event_rows e ON e.id = m.event_id WHERE e.time IS NOT NULL GROUP BY 1",
              [](const Stmt& q, TimeBucket* b) { b->flagged = q.Int(1); });
}

std::string KindLabel(const std::string& kind) {
  if (kind == "provisioning") return "provisioning logs";
  if (kind == "audit") return "audit logs";
  if (kind == "trace") return "agent traces";
  if (kind == "eventlog") return "agent event logs";
  if (kind == "job") return "job status";
  return kind;
}

// Which kind of source covers which time, and the windows some kinds do not cover: "no agent
// traces after 09:14" is why a failure at 11:00 has no agent-side evidence.
void BuildSpans(Report* r) {
  std::map<std::string, KindSpan> spans;
  for (const auto& in : r->inputs) {
    if (in.kind == "bundle" || in.first_time == 0) continue;
    KindSpan& k = spans[in.kind];
    k.kind = in.kind;
    ++k.files;
    k.first_time = k.first_time == 0 ? in.first_time : std::min(k.first_time, in.first_time);
    k.last_time = std::max(k.last_time, in.last_time);
  }
  int64_t lo = 0, hi = 0;
  for (const auto& [kind, k] : spans) {
    // A job status file is a snapshot: its times do not make a window of logs.
    if (kind == "job") continue;
    lo = lo == 0 ? k.first_time : std::min(lo, k.first_time);
    hi = std::max(hi, k.last_time);
    r->spans.push_back(k);
  }
  if (r->spans.size() < 2) return;
  constexpr int64_t kSlack = 3600 * 1000;  // an hour either way is the same window
  for (const auto& k : r->spans) {
    if (k.first_time > lo + kSlack) {
      r->coverage_gaps.push_back("no " + KindLabel(k.kind) + " before " + FormatTimestamp(k.first_time) +
                                 " (the other sources start at " + FormatTimestamp(lo) + ")");
    }
    if (k.last_time + kSlack < hi) {
      r->coverage_gaps.push_back("no " + KindLabel(k.kind) + " after " + FormatTimestamp(k.last_time) +
                                 " (the other sources go on to " + FormatTimestamp(hi) + ")");
    }
  }
}

// Codes of failed records that no signature names. A record that a specific signature matched
// is explained and left out. For the others, each code (error code, quarantine reason, AADSTS
// codes in the message) is listed: "family-level" when a family signature classified the
// record by that code, else "unknown" unless a specific or generic signature names the code
// itself (the quarantine reason a generic finding reports is known, not unknown).
bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

Status LoadUnknownCodes(Index* index, const Matcher& matcher, Redactor* redactor, Report* r) {
  const auto& sigs = matcher.signatures();
  std::map<std::string, const Signature*> by_id;
  std::string specific;  // SQL list of the specific signatures' ids
  for (const auto& sig : sigs) {
    by_id[sig.id] = &sig;
    if (sig.tier != Tier::kSpecific) continue;
    std::string quoted = "'";
    for (char c : sig.id) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    specific += (specific.empty() ? "" : ", ") + quoted + "'";
  }
  if (specific.empty()) specific = "''";
  struct Seen {
    std::string kind, level, family;
    int64_t count = 0;
    int64_t example_id = 0;
  };
  std::map<std::string, Seen> seen;
  std::map<std::string, bool> named;  // code -> a specific or generic signature names it
  Matcher::Scratch scratch;
  std::vector<int> hits;
  auto is_named = [&](const std::string& code) {
    auto it = named.find(code);
    if (it != named.end()) return it->second;
    bool yes = false;
    for (int k = 0; k < kEventKindCount && !yes; ++k) {
      for (int where = 0; where < 2 && !yes; ++where) {
        Event e;
        e.kind = static_cast<EventKind>(k);
        (where == 0 ? e.error_code : e.reason) = code;
        if (!matcher.MatchAll(e, &scratch, &hits).ok()) break;
        for (int h : hits) yes |= sigs[static_cast<size_t>(h)].tier != Tier::kFamily;
      }
    }
    named.emplace(code, yes);
    return yes;
  };
  // A code is family-level when the family classified its record by that very code (the code
  // the family captures); the record's other codes stay unknown unless something names them.
  std::map<std::string, std::unique_ptr<CodeCapture>> captures;
  Event fe;
  std::string capture_text;
  auto note = [&](const std::string& code, const char* kind, int64_t id, const std::string& family_of_record) {
    std::string family;
    if (!family_of_record.empty()) {
      auto& cap = captures[family_of_record];
      if (!cap) cap = std::make_unique<CodeCapture>(*by_id[family_of_record]);
      if (EqualsIgnoreCaseAscii(cap->Of(fe, &capture_text), code)) family = family_of_record;
    }
    if (family.empty() && is_named(code)) return;
    Seen& x = seen[code];
    if (x.count++ == 0) {
      x.kind = kind;
      x.example_id = id;
    }
    // One family-level record makes the code family-level (the family that classified it first).
    if (!family.empty() && x.family.empty()) x.family = family;
  };
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT e.id, e.kind, coalesce(e.error_code, ''), coalesce(e.reason, ''), "
      "instr(e.message, 'AADSTS') > 0, e.message, "
      "(SELECT group_concat(m.signature, ' ') FROM matches m WHERE m.event_id = e.id) "
      "FROM event_rows e "
      "WHERE (e.error_code IS NOT NULL OR (e.kind = 'job' AND e.reason IS NOT NULL) OR "
      "instr(e.message, 'AADSTS') > 0) "
      "AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.event_id = e.id AND m.signature IN (" +
          specific + ")) ORDER BY e.id",
      &st);
  static const RE2 aadsts(R"((AADSTS\d{4,7}))");
  bool row = false;
  while (s.ok() && (s = st.Step(&row)).ok() && row) {
    int64_t id = st.Int(0);
    std::string family;
    std::string_view matched = st.Text(6);
    size_t pos = 0;
    while (pos < matched.size() && family.empty()) {
      size_t sp = matched.find(' ', pos);
      std::string one(matched.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos));
      auto it = by_id.find(one);
      if (it != by_id.end() && it->second->tier == Tier::kFamily) family = one;
      pos = sp == std::string_view::npos ? matched.size() : sp + 1;
    }
    fe.Clear();
    (void)ParseEventKind(st.Text(1), &fe.kind);
    fe.error_code = st.Text(2);
    fe.reason = st.Text(3);
    fe.message = st.Text(5);
    std::string code(st.Text(2));
    if (code == "None") code.clear();
    if (!code.empty()) note(code, "error_code", id, family);
    if (st.Text(1) == "job" && !st.Text(3).empty()) {
      note(std::string(st.Text(3)), "quarantine_reason", id, family);
    }
    if (st.Int(4) != 0) {
      re2::StringPiece text(st.Text(5).data(), st.Text(5).size());
      std::string found;
      std::set<std::string> in_this;
      while (RE2::FindAndConsume(&text, aadsts, &found)) {
        if (in_this.insert(found).second && found != code) note(found, "aadsts", id, family);
      }
    }
  }
  st = Stmt();
  if (!s.ok()) return s;
  for (const auto& [code, x] : seen) {
    UnknownCode u;
    u.code = code;
    u.kind = x.kind;
    u.count = x.count;
    if (!x.family.empty()) {
      u.level = "family-level";
      u.family = x.family;
      u.family_title = by_id[x.family]->title;
    }
    if (const ReferenceEntry* ref = FindReference(code)) {
      u.in_reference = true;
      u.reference_name = ref->name;
      u.reference_family = ref->family;
      u.reference_meaning = ref->meaning;
      u.reference_source = ref->source;
    }
    Stmt ex;
    s = Stmt::Prepare(index->db(), "SELECT message FROM event_rows WHERE id = ?1", &ex);
    if (!s.ok()) return s;
    ex.Bind(1, x.example_id);
    bool found = false;
    if ((s = ex.Step(&found)).ok() && found) u.example = Excerpt(Shown(ex.Text(0), redactor), 300);
    if (!s.ok()) return s;
    r->unknown_codes.push_back(u);
  }
  std::sort(r->unknown_codes.begin(), r->unknown_codes.end(),
            [](const UnknownCode& a, const UnknownCode& b) {
              return a.count != b.count ? a.count > b.count : a.code < b.code;
            });
  return Status::Ok();
}

}  // namespace

Status BuildReport(Index* index, const Matcher& matcher, Redactor* redactor, Report* r) {
  const std::vector<Signature>& signatures = matcher.signatures();
  r->version = SYNCDOCTOR_VERSION;
  r->generated_at = GeneratedAt();
  for (int i = 0; i < 5; ++i) r->by_severity[std::string(SeverityName(static_cast<Severity>(i)))] = 0;
  Status s = LoadInputs(index, r);
  if (s.ok()) s = LoadCaseFacts(index, redactor, r);
  if (!s.ok()) return s;

  std::map<std::string, const Signature*> by_id;
  for (const auto& sig : signatures) by_id[sig.id] = &sig;

  Stmt st;
  s = Stmt::Prepare(index->db(),
      "SELECT signature, scope, count, first_time, last_time, hidden_by FROM findings", &st);
  bool row = false;
  struct Fired {
    std::string signature, scope, hidden_by;
  };
  std::vector<Fired> fired;  // every findings row, hidden ones included
  while (s.ok() && (s = st.Step(&row)).ok() && row) {
    std::string sig_id(st.Text(0));
    fired.push_back(Fired{sig_id, std::string(st.Text(1)), std::string(st.Text(5))});
    if (!fired.back().hidden_by.empty()) continue;
    auto it = by_id.find(sig_id);
    if (it == by_id.end()) continue;
    const Signature& sig = *it->second;
    FindingInfo fi;
    fi.signature = sig_id;
    fi.scope = st.Text(1);
    fi.title = sig.title;
    fi.severity = sig.severity;
    fi.count = st.Int(2);
    fi.first_time = st.IsNull(3) ? 0 : st.Int(3);
    fi.last_time = st.IsNull(4) ? 0 : st.Int(4);
    fi.cause = sig.cause;
    fi.fix = sig.fix;
    fi.references = sig.references;
    fi.heuristic = sig.heuristic;
    fi.next_step = sig.next_step;
    fi.tier = TierName(sig.tier);
    r->findings.push_back(std::move(fi));
  }
  st = Stmt();
  if (!s.ok()) return s;
  // Which scopes are jobs (the others are '' and trace files). Findings of two different jobs are
  // about different things: one job's findings never name another job's as related.
  std::set<std::string> job_scopes;
  {
    Stmt is_job;
    s = Stmt::Prepare(index->db(), "SELECT 1 FROM event_rows WHERE job_id = ?1 LIMIT 1", &is_job);
    std::set<std::string> seen;
    for (const Fired& f : fired) {
      if (!s.ok()) break;
      if (f.scope.empty() || !seen.insert(f.scope).second) continue;
      is_job.Bind(1, f.scope);
      bool found = false;
      s = is_job.Step(&found);
      is_job.Reset();
      if (s.ok() && found) job_scopes.insert(f.scope);
    }
    if (!s.ok()) return s;
  }
  auto may_relate = [&](const std::string& a, const std::string& b) {
    return a == b || job_scopes.count(a) == 0 || job_scopes.count(b) == 0;
  };
  for (auto& fi : r->findings) {
    std::set<std::string> related;
    for (const Fired& h : fired) {
      // What this finding hides, in the scopes where hiding applies (RebuildFindings: the same
      // scope, or either one unscoped).
      if (h.hidden_by != fi.signature) continue;
      if (!(h.scope == fi.scope || h.scope.empty() || fi.scope.empty())) continue;
      related.insert(h.signature);
      // A specific finding that hides a more severe generic one (a high "request timeout" hiding
      // the critical "quarantined") takes over that severity: hiding must not make it look milder.
      auto hs = by_id.find(h.signature);
      if (hs != by_id.end() && hs->second->severity < fi.severity) fi.severity = hs->second->severity;
    }
    const Signature& sig = *by_id[fi.signature];
    for (const Fired& f : fired) {
      if (f.signature == fi.signature || !may_relate(fi.scope, f.scope)) continue;
      for (const auto& l : sig.links) {
        if (l == f.signature) related.insert(l);
      }
      // Links go both ways: a firing signature that names this one is related too.
      auto o = by_id.find(f.signature);
      if (o == by_id.end()) continue;
      for (const auto& l : o->second->links) {
        if (l == fi.signature) related.insert(f.signature);
      }
    }
    s = LoadEvidence(index, fi.signature, &sig, fi.scope, redactor, &fi.evidence);
    if (s.ok()) s = LoadFindingFiles(index, fi.signature, fi.scope, &fi);
    if (!s.ok()) return s;
    // Signatures this one supersedes on its own events: the matcher dropped their matches there,
    // so only matching the evidence again shows them.
    if (!sig.supersedes.empty()) {
      for (const auto& ev : fi.evidence) {
        std::vector<int> hits;
        s = MatchStoredEvent(index, matcher, ev.event_id, &hits);
        if (!s.ok()) return s;
        for (int h : hits) {
          const Signature& other = signatures[static_cast<size_t>(h)];
          if (std::find(sig.supersedes.begin(), sig.supersedes.end(), other.id) == sig.supersedes.end()) continue;
          related.insert(other.id);
          if (other.severity < fi.severity) fi.severity = other.severity;
        }
      }
    }
    fi.related.assign(related.begin(), related.end());
    if (sig.tier == Tier::kFamily || sig.has_capture) {
      s = LoadFindingCodes(index, sig, fi.scope, &fi);
      if (!s.ok()) return s;
    }
  }
  std::sort(r->findings.begin(), r->findings.end(), [](const FindingInfo& a, const FindingInfo& b) {
    if (a.severity != b.severity) return a.severity < b.severity;
    if (a.count != b.count) return a.count > b.count;
    if (a.signature != b.signature) return a.signature < b.signature;
    return a.scope < b.scope;
  });
  for (const auto& fi : r->findings) ++r->by_severity[std::string(SeverityName(fi.severity))];

  s = LoadUnknownCodes(index, matcher, redactor, r);
  if (!s.ok()) return s;
  std::map<std::string, JobContext> jobs;
  for (const auto& fi : r->findings) {
    bool job_scope = false;
    for (const auto& ev : fi.evidence) job_scope |= ev.kind == "job" || ev.kind == "provisioning";
    if (!job_scope || fi.scope.empty() || jobs.count(fi.scope)) continue;
    s = LoadJobContext(index, fi.scope, &jobs[fi.scope]);
    if (s.ok() && fi.first_time != 0) s = LoadAgentContext(index, fi.first_time, redactor, &jobs[fi.scope]);
    if (!s.ok()) return s;
  }
  std::vector<DiagnosisEntry> silences;
  s = FindSilences(index, *r, &silences);
  if (!s.ok()) return s;
  BuildDiagnosis(signatures, jobs, std::move(silences), r);
  BuildSpans(r);
  s = BuildAskFor(index, signatures, r);
  if (!s.ok()) return s;
  return LoadTimeline(index, r);
}

}  // namespace syncdoctor
