#include "analyzer/findings.h"

#include <map>
#include <set>

#include "analyzer/ingest.h"

namespace syncdoctor {

namespace {

// The columns an event is matched on, in the order EventFromRow reads them from `first`.
constexpr const char* kMatchColumns =
    "e.kind, e.level, e.record_id, e.job_id, e.cycle_id, e.change_id, e.correlation_id, "
    "e.activity, e.actor, e.source_identity, e.target_identity, e.error_code, e.reason, "
    "e.message, sd_raw(e.raw_block, e.raw_start, e.raw_len)";

// Fills `e` from the kMatchColumns of `st` starting at column `first`; e->raw points into `st`.
void EventFromRow(const Stmt& st, int first, Event* e) {
  e->Clear();
  (void)ParseEventKind(st.Text(first), &e->kind);
  std::string* fields[] = {&e->level, &e->record_id, &e->job_id, &e->cycle_id, &e->change_id,
                           &e->correlation_id, &e->activity, &e->actor, &e->source_identity,
                           &e->target_identity, &e->error_code, &e->reason, &e->message};
  for (int i = 0; i < 13; ++i) *fields[i] = std::string(st.Text(first + 1 + i));
  e->raw = st.Text(first + 14);
}

}  // namespace

Status MatchStoredEvent(Index* index, const Matcher& matcher, int64_t event_id, std::vector<int>* hits) {
  hits->clear();
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      std::string("SELECT ") + kMatchColumns + " FROM event_rows e WHERE e.id = ?1", &st);
  if (!s.ok()) return s;
  st.Bind(1, event_id);
  bool row = false;
  if (!(s = st.Step(&row)).ok() || !row) return s;
  Event e;
  EventFromRow(st, 0, &e);
  Matcher::Scratch scratch;
  return matcher.MatchAll(e, &scratch, hits);
}

Status Rematch(Index* index, const Matcher& matcher) {
  Status s = index->Begin();
  if (!s.ok()) return s;
  s = Exec(index->db(), "DELETE FROM matches");
  Stmt st;
  if (s.ok()) {
    s = Stmt::Prepare(index->db(),
        std::string("SELECT e.id, ") + kMatchColumns + ", s.path "
        "FROM event_rows e JOIN sources s ON s.id = e.source_id ORDER BY e.id",
        &st);
  }
  Matcher::Scratch scratch;
  std::vector<int> hits;
  Event e;
  bool row = false;
  while (s.ok() && (s = st.Step(&row)).ok() && row) {
    EventFromRow(st, 1, &e);
    s = matcher.Match(e, &scratch, &hits);
    if (!s.ok() || hits.empty()) continue;
    std::string scope = ScopeOf(e, st.Text(16));
    for (int h : hits) {
      s = index->InsertMatch(matcher.signatures()[h].id, scope, st.Int(0));
      if (!s.ok()) break;
    }
  }
  st = Stmt();
  if (s.ok()) return index->Commit();
  (void)index->Rollback();
  return s;
}

Status RebuildFindings(Index* index, const std::vector<Signature>& signatures) {
  std::map<std::string, const Signature*> by_id;
  for (const auto& sig : signatures) by_id[sig.id] = &sig;

  struct Group {
    int64_t count = 0, first = 0, last = 0;
  };
  // signature -> scope -> group
  std::map<std::string, std::map<std::string, Group>> groups;
  Stmt st;
  Status s = Stmt::Prepare(index->db(),
      "SELECT m.signature, m.scope, count(*), min(e.time), max(e.time) FROM matches m "
      "JOIN event_rows e ON e.id = m.event_id GROUP BY m.signature, m.scope ORDER BY 1, 2",
      &st);
  bool row = false;
  while (s.ok() && (s = st.Step(&row)).ok() && row) {
    Group g;
    g.count = st.Int(2);
    g.first = st.IsNull(3) ? 0 : st.Int(3);
    g.last = st.IsNull(4) ? 0 : st.Int(4);
    groups[std::string(st.Text(0))][std::string(st.Text(1))] = g;
  }
  st = Stmt();
  if (!s.ok()) return s;

  // Count thresholds: a signature that needs N events (per job, or within one cycle) does not
  // fire below that.
  for (auto git = groups.begin(); git != groups.end();) {
    auto sit = by_id.find(git->first);
    if (sit == by_id.end() || sit->second->min_count <= 1) {
      ++git;
      continue;
    }
    const Signature& sig = *sit->second;
    std::map<std::string, int64_t> per_scope;  // scope -> the count that the threshold compares
    if (sig.per_cycle) {
      Stmt cs;
      s = Stmt::Prepare(index->db(),
          "SELECT m.scope, count(*) FROM matches m JOIN event_rows e ON e.id = m.event_id "
          "WHERE m.signature = ?1 GROUP BY m.scope, coalesce(e.cycle_id, '')",
          &cs);
      if (!s.ok()) return s;
      cs.Bind(1, sig.id);
      bool crow = false;
      while ((s = cs.Step(&crow)).ok() && crow) {
        int64_t& best = per_scope[std::string(cs.Text(0))];
        best = std::max(best, cs.Int(1));
      }
      if (!s.ok()) return s;
    } else {
      for (const auto& [scope, g] : git->second) per_scope[scope] = g.count;
    }
    for (auto it = git->second.begin(); it != git->second.end();) {
      it = per_scope[it->first] < sig.min_count ? git->second.erase(it) : std::next(it);
    }
    git = git->second.empty() ? groups.erase(git) : std::next(git);
  }

  // Unscoped matches join a lone scoped finding of the same signature.
  for (auto& [sig, scopes] : groups) {
    auto unscoped = scopes.find("");
    if (unscoped == scopes.end() || scopes.size() != 2) continue;
    Group extra = unscoped->second;
    scopes.erase(unscoped);
    Group& g = scopes.begin()->second;
    g.count += extra.count;
    if (extra.first != 0 && (g.first == 0 || extra.first < g.first)) g.first = extra.first;
    if (extra.last > g.last) g.last = extra.last;
  }

  s = index->Begin();
  if (!s.ok()) return s;
  s = Exec(index->db(), "DELETE FROM findings");
  Stmt ins;
  if (s.ok()) {
    s = Stmt::Prepare(index->db(),
        "INSERT INTO findings(signature, scope, severity, title, count, first_time, last_time, "
        "hidden_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &ins);
  }
  for (const auto& [sig_id, scopes] : groups) {
    if (!s.ok()) break;
    auto it = by_id.find(sig_id);
    if (it == by_id.end()) continue;  // a signature no longer loaded
    const Signature& sig = *it->second;
    for (const auto& [scope, g] : scopes) {
      // A generic finding (a symptom such as "the job is in quarantine") is hidden when a
      // firing signature in a compatible scope supersedes it. Other findings are never hidden
      // whole: the matcher already dropped their matches on the events that the superseding
      // signature matched, so what is left is evidence of their own.
      std::string hidden_by;
      for (const auto& [other_id, other_scopes] : groups) {
        if (sig.tier != Tier::kGeneric) break;
        auto o = by_id.find(other_id);
        if (o == by_id.end() || other_id == sig_id) continue;
        bool names_us = false;
        for (const auto& sup : o->second->supersedes) names_us |= (sup == sig_id);
        if (!names_us) continue;
        if (other_scopes.count(scope) > 0 || other_scopes.count("") > 0 || scope.empty()) {
          hidden_by = other_id;
          break;
        }
      }
      ins.Bind(1, sig_id);
      ins.Bind(2, scope);
      ins.Bind(3, SeverityName(sig.severity));
      ins.Bind(4, sig.title);
      ins.Bind(5, g.count);
      if (g.first != 0) ins.Bind(6, g.first); else ins.BindNull(6);
      if (g.last != 0) ins.Bind(7, g.last); else ins.BindNull(7);
      ins.Bind(8, hidden_by);
      s = ins.Run();
      if (!s.ok()) break;
    }
  }
  ins = Stmt();
  if (s.ok()) return index->Commit();
  (void)index->Rollback();
  return s;
}

Status SyncMatches(Index* index, const Matcher& matcher) {
  std::string fp = SignatureFingerprint(matcher.signatures());
  std::string stored;
  bool found = false;
  Status s = index->GetMeta("signatures_fingerprint", &stored, &found);
  if (!s.ok()) return s;
  bool has_events = false;
  {
    Stmt st;
    s = Stmt::Prepare(index->db(), "SELECT 1 FROM event_rows LIMIT 1", &st);
    if (s.ok()) s = st.Step(&has_events);
    if (!s.ok()) return s;
  }
  if (!found || stored != fp) {
    // Matches written at ingest by another signature set (or none yet): match again.
    if (has_events) s = Rematch(index, matcher);
    if (s.ok()) s = index->SetMeta("signatures_fingerprint", fp);
  }
  return s;
}

namespace {

// The stamp of the findings RebuildFindings would make now: this version, the signatures'
// fingerprint, the newest event id and the number of matches (events and matches are only
// ever added, so these say whether anything changed).
Status FindingsStamp(Index* index, const Matcher& matcher, std::string* stamp) {
  *stamp = std::string(SYNCDOCTOR_VERSION) + ":" + SignatureFingerprint(matcher.signatures());
  Stmt st;
  bool row = false;
  Status s = Stmt::Prepare(index->db(),
      "SELECT coalesce((SELECT max(id) FROM event_rows), 0), (SELECT count(*) FROM matches)", &st);
  if (s.ok()) s = st.Step(&row);
  if (!s.ok()) return s;
  *stamp += ":" + std::to_string(st.Int(0)) + ":" + std::to_string(st.Int(1));
  return Status::Ok();
}

}  // namespace

Status FindingsAreCurrent(Index* index, const Matcher& matcher, bool* current) {
  std::string fp = SignatureFingerprint(matcher.signatures()), stored_fp, stamp, stored;
  bool found_fp = false, found = false;
  Status s = index->GetMeta("signatures_fingerprint", &stored_fp, &found_fp);
  if (s.ok()) s = FindingsStamp(index, matcher, &stamp);
  if (s.ok()) s = index->GetMeta("findings_stamp", &stored, &found);
  *current = s.ok() && found_fp && stored_fp == fp && found && stored == stamp;
  return s;
}

Status RefreshFindings(Index* index, const Matcher& matcher) {
  Status s = SyncMatches(index, matcher);
  if (!s.ok()) return s;
  // Findings are a function of the matches, the events they point at, the signatures and this
  // code: when none of them changed since the last rebuild (a re-analysis of an indexed bundle,
  // a second report), the stored findings stand.
  std::string stamp;
  s = FindingsStamp(index, matcher, &stamp);
  if (!s.ok()) return s;
  std::string stored;
  bool found = false;
  s = index->GetMeta("findings_stamp", &stored, &found);
  if (!s.ok()) return s;
  if (found && stored == stamp) return Status::Ok();
  s = RebuildFindings(index, matcher.signatures());
  if (s.ok()) s = index->SetMeta("findings_stamp", stamp);
  return s;
}

}  // namespace syncdoctor
