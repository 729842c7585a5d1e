// Markdown and CSV renderings of the report.
#include <algorithm>
#include <map>

#include "analyzer/report/json_writer.h"
#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

std::string CsvField(std::string_view v) {
  // Control characters (ESC sequences above all) are neutralised line by line; line breaks stay,
  // inside quotes, since a multi-line cell is legal CSV.
  std::string s;
  size_t start = 0;
  while (start <= v.size()) {
    size_t nl = v.find('\n', start);
    if (nl == std::string_view::npos) nl = v.size();
    if (start > 0) s += '\n';
    std::string piece = TerminalSafe(v.substr(start, nl - start));
    s += piece;
    start = nl + 1;
  }
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')) {
    s.insert(0, "'");
  }
  if (s.find_first_of(",\"\n\r") != std::string::npos) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  }
  return s;
}

std::string MarkdownEscape(std::string_view text) {
  std::string s = TerminalSafe(text);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n': case '\r': case '\t': out += ' '; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#': case '!':
        out.push_back('\\');
        out.push_back(c);
        break;
      default: out.push_back(c);
    }
  }
  return out;
}

namespace {

std::string Time(int64_t ms) { return ms == 0 ? "no time" : FormatTimestamp(ms); }

}  // namespace

std::string RenderMarkdownReport(const Report& r) {
  std::string o;
  size_t files = 0;
  for (const auto& in : r.inputs) files += in.kind != "bundle";
  std::string name = BundleName(r);
  o += "# syncdoctor report" + (name.empty() ? "" : ": " + MarkdownEscape(name)) + "\n\n";
  for (const auto& b : r.bundles) o += "Bundle: " + MarkdownEscape(b) + "\n\n";
  if (auto facts = CaseLines(r); !facts.empty()) {
    o += "## Case\n\n";
    for (const auto& [label, value] : facts) o += "- " + label + ": " + MarkdownEscape(value) + "\n";
    o += "\n";
  }
  o += std::to_string(files) + " input files, " + std::to_string(r.events) + " events, " +
       std::to_string(r.findings.size()) + " findings (syncdoctor " + r.version + ").\n\n";
  o += "## Diagnosis\n\n";
  for (const auto& d : r.diagnosis) {
    o += "- **" + MarkdownEscape(d.what.empty() ? d.headline : d.what) + "**\n";
    if (!d.job.empty()) o += "  - Job: " + MarkdownEscape(d.job) + "\n";
    for (const auto& c : d.causes) o += "  - Cause: " + MarkdownEscape(c) + "\n";
    if (!d.since.empty()) o += "  - Since: " + MarkdownEscape(d.since) + "\n";
    for (const auto& c : d.context) o += "  - Around: " + MarkdownEscape(c) + "\n";
    if (!d.next_step.empty()) o += "  - Next step: " + MarkdownEscape(d.next_step) + "\n";
  }
  if (!r.ask_for.empty()) {
    o += "\n## Ask the customer for\n\n";
    for (const auto& a : r.ask_for) {
      o += "- **" + MarkdownEscape(a.source) + "**: " + MarkdownEscape(a.why) + "\n";
      if (!a.findings.empty()) {
        std::string ids;
        for (const auto& id : a.findings) ids += (ids.empty() ? "" : ", ") + MarkdownEscape(id);
        o += "  - Would confirm or rule out: " + ids + "\n";
      }
      // Our own text (commands and dates), shown as code; a backquote could not close it early.
      for (std::string how : a.how) {
        std::replace(how.begin(), how.end(), '`', '\'');
        o += "  - `" + how + "`\n";
      }
    }
  }
  if (!r.findings.empty()) {
    o += "\n## Findings\n\n| Severity | Signature | Title | Events | First | Last |\n|---|---|---|---|---|---|\n";
    for (const auto& f : r.findings) {
      o += "| " + std::string(SeverityName(f.severity)) + " | " + MarkdownEscape(f.signature) + " | " +
           MarkdownEscape(f.title) + " | " + std::to_string(f.count) + " | " + Time(f.first_time) +
           " | " + Time(f.last_time) + " |\n";
    }
    for (const auto& f : r.findings) {
      o += "\n### " + MarkdownEscape(f.signature) + ": " + MarkdownEscape(f.title) +
           (f.tier == "family" ? " (family-level)" : "") + "\n\n";
      if (!f.scope.empty()) o += "Scope: " + MarkdownEscape(f.scope) + "\n\n";
      if (f.tier == "family") o += "_" + MarkdownEscape(kFamilyNote) + "._\n\n";
      if (!f.codes.empty()) {
        o += "Codes: " + MarkdownEscape(CodesLine(f)) + "\n\n";
        for (const auto& c : f.codes) {
          if (!c.meaning.empty()) o += "- " + MarkdownEscape(c.code) + ": " + MarkdownEscape(c.meaning) + "\n";
        }
        o += "\n";
      }
      o += "**Cause.** " + MarkdownEscape(f.cause) + "\n\n**Fix.**\n\n";
      for (size_t i = 0; i < f.fix.size(); ++i) o += std::to_string(i + 1) + ". " + MarkdownEscape(f.fix[i]) + "\n";
      if (std::string files = FilesLine(f); !files.empty()) o += "\nFiles: " + MarkdownEscape(files) + "\n";
      o += "\n**Evidence.**\n\n";
      for (const auto& ev : f.evidence) {
        o += "- " + MarkdownEscape(ev.path) + ":" + std::to_string(ev.line) +
             (ev.time == 0 ? "" : " " + FormatTimestamp(ev.time) + (ev.time_inferred ? " (inferred)" : "")) +
             ": " + MarkdownEscape(ev.excerpt) + "\n";
      }
      if (!f.related.empty()) {
        std::string rel;
        for (const auto& x : f.related) rel += (rel.empty() ? "" : ", ") + MarkdownEscape(x);
        o += "\nRelated: " + rel + "\n";
      }
      for (const auto& ref : f.references) o += "\nSee " + MarkdownEscape(ref) + "\n";
    }
  }
  if (!r.unknown_codes.empty()) {
    o += "\n## Codes no signature names\n\n| Code | Kind | Count | Level | What the reference says | Example |\n|---|---|---|---|---|---|\n";
    for (const auto& u : r.unknown_codes) {
      std::string level = u.level == "family-level" ? "family-level (" + u.family + ")" : "unknown";
      o += "| " + MarkdownEscape(u.code) + " | " + u.kind + " | " + std::to_string(u.count) + " | " +
           MarkdownEscape(level) + " | " + MarkdownEscape(UnknownMeaning(u)) + " | " + MarkdownEscape(u.example) + " |\n";
    }
  }
  o += "\n## Coverage\n\n| Status | Input | Format | Events | Unparsed | Duplicates | From | To | Reason |\n"
       "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& in : r.inputs) {
    if (in.kind == "bundle" && in.status == "parsed") continue;
    o += "| " + in.status + " | " + MarkdownEscape(in.path) + " | " + MarkdownEscape(in.format) + " | " +
         std::to_string(in.events) + " | " + std::to_string(in.unparsed) + " | " +
         std::to_string(in.duplicates) + " | " + (in.first_time ? FormatTimestamp(in.first_time) : "") +
         " | " + (in.last_time ? FormatTimestamp(in.last_time) : "") + " | " + MarkdownEscape(in.reason) + " |\n";
  }
  if (!r.spans.empty()) {
    o += "\n| Source kind | Files | From | To |\n|---|---|---|---|\n";
    for (const auto& k : r.spans) {
      o += "| " + k.kind + " | " + std::to_string(k.files) + " | " + FormatTimestamp(k.first_time) + " | " +
           FormatTimestamp(k.last_time) + " |\n";
    }
  }
  for (const auto& g : r.coverage_gaps) o += "\n- Gap: " + MarkdownEscape(g) + "\n";
  return o;
}

std::string RenderCsvReport(const Report& r) {
  std::string o = "severity,signature,title,count,first_time,last_time,scope,cause,fix,evidence,related,tier,codes\n";
  for (const auto& f : r.findings) {
    std::string fix, evidence, related;
    for (size_t i = 0; i < f.fix.size(); ++i) fix += (i ? " " : "") + std::to_string(i + 1) + ". " + f.fix[i];
    for (const auto& ev : f.evidence) {
      // One line per evidence item; control characters go within a line, not between them.
      evidence += (evidence.empty() ? "" : "\n") + TerminalSafe(ev.path + ":" + std::to_string(ev.line) + " " +
                  (ev.time ? FormatTimestamp(ev.time) + " " : "") + ev.excerpt);
    }
    for (const auto& x : f.related) related += (related.empty() ? "" : " ") + x;
    o += CsvField(SeverityName(f.severity)) + "," + CsvField(f.signature) + "," + CsvField(f.title) + "," +
         std::to_string(f.count) + "," + CsvField(f.first_time ? FormatTimestamp(f.first_time) : "") + "," +
         CsvField(f.last_time ? FormatTimestamp(f.last_time) : "") + "," + CsvField(f.scope) + "," +
         CsvField(f.cause) + "," + CsvField(fix) + "," + CsvField(evidence) + "," +
         CsvField(related) + "," + CsvField(f.tier) + "," + CsvField(TerminalSafe(CodesLine(f))) + "\n";
  }
  return o;
}

}  // namespace syncdoctor
