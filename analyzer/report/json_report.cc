#include "analyzer/report/json_writer.h"
#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

void TimeMember(JsonWriter* w, std::string_view key, int64_t ms) {
  w->Key(key);
  if (ms == 0) {
    w->Null();
  } else {
    w->String(FormatTimestamp(ms));
  }
}

void StringArray(JsonWriter* w, std::string_view key, const std::vector<std::string>& items) {
  w->Key(key);
  w->BeginArray();
  for (const auto& s : items) w->String(s);
  w->EndArray();
}

}  // namespace

std::string RenderJsonReport(const Report& r) {
  std::string out;
  JsonWriter w(&out, true);
  w.BeginObject();
  w.Key("tool");
  w.BeginObject();
  w.Member("name", "syncdoctor");
  w.Member("version", r.version);
  w.EndObject();
  w.Member("generated_at", r.generated_at);

  w.Key("inputs");
  w.BeginArray();
  for (const auto& in : r.inputs) {
    w.BeginObject();
    w.Member("bundle", in.bundle);
    w.Member("path", in.path);
    w.Member("format", in.format);
    w.Member("kind", in.kind);
    w.Member("encoding", in.encoding);
    w.Member("status", in.status);
    w.Member("reason", in.reason);
    w.Member("records", in.records);
    w.Member("events", in.events);
    w.Member("unparsed", in.unparsed);
    w.Member("duplicates", in.duplicates);
    StringArray(&w, "warnings", in.warnings);
    TimeMember(&w, "first_time", in.first_time);
    TimeMember(&w, "last_time", in.last_time);
    w.EndObject();
  }
  w.EndArray();

  w.Key("summary");
  w.BeginObject();
  StringArray(&w, "bundles", r.bundles);
  w.Member("inputs", static_cast<int64_t>(r.inputs.size()));
  w.Member("events", r.events);
  w.Member("unparsed", r.unparsed);
  w.Member("duplicates", r.duplicates);
  w.Member("findings", static_cast<int64_t>(r.findings.size()));
  w.Key("by_severity");
  w.BeginObject();
  for (const char* sev : {"critical", "high", "medium", "low", "info"}) {
    w.Member(sev, r.by_severity.at(sev));
  }
  w.EndObject();
  w.EndObject();

  w.Key("findings");
  w.BeginArray();
  for (const auto& f : r.findings) {
    w.BeginObject();
    w.Member("signature", f.signature);
    w.Member("title", f.title);
    w.Member("severity", SeverityName(f.severity));
    w.Member("scope", f.scope);
    w.Member("count", f.count);
    TimeMember(&w, "first_time", f.first_time);
    TimeMember(&w, "last_time", f.last_time);
    w.Member("cause", f.cause);
    StringArray(&w, "fix", f.fix);
    StringArray(&w, "references", f.references);
    w.Key("heuristic");
    w.Bool(f.heuristic);
    w.Member("tier", f.tier);
    w.Key("codes");
    w.BeginArray();
    for (const auto& c : f.codes) {
      w.BeginObject();
      w.Member("code", c.code);
      w.Member("count", c.count);
      w.Member("meaning", c.meaning);
      w.EndObject();
    }
    w.EndArray();
    w.Key("codes_cut");
    w.Bool(f.codes_cut);
    w.Key("files");
    w.BeginArray();
    for (const auto& [path, n] : f.files) {
      w.BeginObject();
      w.Member("path", path);
      w.Member("events", n);
      w.EndObject();
    }
    w.EndArray();
    w.Key("files_cut");
    w.Bool(f.files_cut);
    w.Key("evidence");
    w.BeginArray();
    for (const auto& ev : f.evidence) {
      w.BeginObject();
      w.Member("path", ev.path);
      w.Member("line", ev.line);
      TimeMember(&w, "time", ev.time);
      w.Key("time_inferred");
      w.Bool(ev.time_inferred);
      w.Member("kind", ev.kind);
      w.Member("excerpt", ev.excerpt);
      w.EndObject();
    }
    w.EndArray();
    StringArray(&w, "related", f.related);
    w.EndObject();
  }
  w.EndArray();

  w.Key("unknown_codes");
  w.BeginArray();
  for (const auto& u : r.unknown_codes) {
    w.BeginObject();
    w.Member("code", u.code);
    w.Member("kind", u.kind);
    w.Member("level", u.level);
    w.Key("family");
    if (u.family.empty()) {
      w.Null();
    } else {
      w.String(u.family);
    }
    w.Member("count", u.count);
    w.Member("example", u.example);
    w.Key("reference");
    if (u.in_reference) {
      w.BeginObject();
      w.Member("name", u.reference_name);
      w.Member("family", u.reference_family);
      w.Member("meaning", u.reference_meaning);
      w.Member("source", u.reference_source);
      w.EndObject();
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();

  w.Key("case");
  w.BeginObject();
  StringArray(&w, "tenants", r.facts.tenants);
  w.Key("domains");
  w.BeginArray();
  for (const auto& [domain, n] : r.facts.domains) {
    w.BeginObject();
    w.Member("domain", domain);
    w.Member("count", n);
    w.EndObject();
  }
  w.EndArray();
  w.Key("jobs");
  w.BeginArray();
  for (const auto& j : r.facts.jobs) {
    w.BeginObject();
    w.Member("id", j.id);
    w.Member("template", j.template_id);
    w.Member("state", j.state);
    w.Member("reason", j.reason);
    w.Member("error_code", j.error_code);
    TimeMember(&w, "time", j.time);
    w.Member("records", j.records);
    w.Member("failures", j.failures);
    w.EndObject();
  }
  w.EndArray();
  w.Key("agents");
  w.BeginArray();
  for (const auto& [version, where] : r.facts.agents) {
    w.BeginObject();
    w.Member("version", version);
    w.Member("path", where);
    w.EndObject();
  }
  w.EndArray();
  StringArray(&w, "hosts", r.facts.hosts);
  StringArray(&w, "proxy", r.facts.proxy);
  w.EndObject();

  w.Key("diagnosis");
  w.BeginArray();
  for (const auto& d : r.diagnosis) {
    w.BeginObject();
    w.Member("headline", d.headline);
    w.Member("what", d.what.empty() ? d.headline : d.what);
    w.Member("tone", d.tone);
    w.Member("job", d.job);
    StringArray(&w, "causes", d.causes);
    w.Member("since", d.since);
    StringArray(&w, "context", d.context);
    StringArray(&w, "findings", d.findings);
    w.Member("next_step", d.next_step);
    w.EndObject();
  }
  w.EndArray();

  w.Key("ask_for");
  w.BeginArray();
  for (const auto& a : r.ask_for) {
    w.BeginObject();
    w.Member("kind", a.kind);
    w.Member("source", a.source);
    w.Member("why", a.why);
    StringArray(&w, "how", a.how);
    StringArray(&w, "findings", a.findings);
    w.EndObject();
  }
  w.EndArray();

  w.Key("coverage");
  w.BeginObject();
  w.Key("spans");
  w.BeginArray();
  for (const auto& k : r.spans) {
    w.BeginObject();
    w.Member("kind", k.kind);
    w.Member("files", k.files);
    TimeMember(&w, "first_time", k.first_time);
    TimeMember(&w, "last_time", k.last_time);
    w.EndObject();
  }
  w.EndArray();
  StringArray(&w, "gaps", r.coverage_gaps);
  w.EndObject();

  w.Key("timeline");
  w.BeginObject();
  w.Member("bucket_seconds", r.bucket_ms / 1000);
  w.Key("buckets");
  w.BeginArray();
  for (const auto& b : r.timeline) {
    w.BeginObject();
    TimeMember(&w, "start", b.start);
    w.Member("events", b.events);
    w.Member("failures", b.failures);
    w.Member("flagged", b.flagged);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace syncdoctor
