// The HTML report: one self-contained file. No script, no external asset: styles are inline and
// the timeline is inline SVG, and a Content-Security-Policy forbids the page from loading
// anything at all, so that a report opened from a ticket cannot call out, whatever log text it
// carries. Every piece of log text goes through HtmlEscape.
#include <algorithm>
#include <cmath>
#include <map>

#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

std::string HtmlEscape(std::string_view text) {
  std::string s = TerminalSafe(text);
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

namespace {

std::string Time(int64_t ms) { return ms == 0 ? "no time" : FormatTimestamp(ms); }

// "2026-11-17 14:00" for axis labels: minutes are enough at hour buckets.
std::string ShortTime(int64_t ms) {
  std::string t = FormatTimestamp(ms);
  return t.size() >= 16 ? t.substr(0, 10) + " " + t.substr(11, 5) : t;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.sub{color:#57606a}
.diag{background:#fff;border:1px solid #d0d7de;border-left:6px solid #cf222e;border-radius:6px;padding:10px 14px;margin:8px 0}
.diag p{margin:2px 0}.next{color:#0a3069}
table.story{border-collapse:collapse;margin:4px 0;width:auto;background:none}.story th,.story td{border:none;background:none}.story th{text-align:left;vertical-align:top;padding:1px 12px 1px 0;color:#57606a;font-weight:normal;white-space:nowrap}.story td{padding:1px 0;overflow-wrap:anywhere}
.finding{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin:10px 0}
.finding h3{font-size:15px;margin:0 0 4px}
.sev{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;border-radius:10px;padding:1px 8px;color:#fff;margin-right:6px}
.sev-critical{background:#a40e26}.sev-high{background:#cf222e}.sev-medium{background:#bf8700}.sev-low{background:#0969da}.sev-info{background:#6e7781}
.meta{color:#57606a;font-size:13px}
details{margin-top:6px}summary{cursor:pointer;color:#0969da}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
td.path{overflow-wrap:anywhere;min-width:16em}td.num,td.time{white-space:nowrap}
th{background:#eaeef2}
td.log{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.diag.diag-warning{border-left-color:#bf8700}.diag.diag-ok{border-left-color:#1a7f37}
.finding h3,.finding p,.finding li,.meta,.sub,.diag,code{overflow-wrap:anywhere}
.chart{overflow-x:auto}
@media (max-width:640px){main{padding:8px 10px 32px}h1{font-size:18px}#timeline-chart{min-width:600px}td.path{min-width:0}.story th{padding-right:6px}td.time{white-space:normal}}
@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}summary{display:none}.chart{overflow:visible}.finding,.diag,.ask{break-inside:avoid}table{table-layout:fixed}td,th{overflow-wrap:anywhere}td.path{min-width:0}}
.st-parsed{color:#1a7f37}.st-partial{color:#9a6700}.st-skipped{color:#57606a}.st-failed{color:#cf222e;font-weight:700}
svg text{font:11px system-ui,sans-serif;fill:#57606a}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
)css";

void Timeline(const Report& r, std::string* o) {
  if (r.timeline.empty()) {
    *o += "<p class=\"sub\">No event carries a time.</p>\n";
    return;
  }
  const double width = 1040, height = 220, left = 48, right = 8, top = 10, bottom = 40;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  int64_t max_events = 1;
  for (const auto& b : r.timeline) max_events = std::max(max_events, b.events);
  const double n = static_cast<double>(r.timeline.size());
  const double bar = plot_w / n;
  auto y = [&](int64_t v) { return top + plot_h - plot_h * static_cast<double>(v) / static_cast<double>(max_events); };
  std::string hours = r.bucket_ms == 3600 * 1000 ? "hour" : std::to_string(r.bucket_ms / 3600000) + " hours";
  *o += "<svg id=\"timeline-chart\" role=\"img\" aria-label=\"events and failures per " + hours +
        "\" width=\"100%\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
        "\">\n";
  // Axes and a mid-height grid line with its value.
  *o += "<line x1=\"" + Num(left) + "\" y1=\"" + Num(top + plot_h) + "\" x2=\"" + Num(width - right) +
        "\" y2=\"" + Num(top + plot_h) + "\" stroke=\"#8c959f\"/>\n";
  for (int64_t v : {max_events, max_events / 2}) {
    if (v == 0) continue;
    *o += "<line x1=\"" + Num(left) + "\" y1=\"" + Num(y(v)) + "\" x2=\"" + Num(width - right) + "\" y2=\"" +
          Num(y(v)) + "\" stroke=\"#eaeef2\"/><text x=\"" + Num(left - 4) + "\" y=\"" + Num(y(v) + 4) +
          "\" text-anchor=\"end\">" + std::to_string(v) + "</text>\n";
  }
  for (size_t i = 0; i < r.timeline.size(); ++i) {
    const TimeBucket& b = r.timeline[i];
    double x = left + bar * static_cast<double>(i);
    std::string tip = ShortTime(b.start) + ": " + std::to_string(b.events) + " events, " +
                      std::to_string(b.failures) + " failures, " + std::to_string(b.flagged) + " flagged";
    *o += "<g><title>" + HtmlEscape(tip) + "</title>";
    if (b.events > 0) {
      *o += "<rect class=\"ev\" x=\"" + Num(x + bar * 0.1) + "\" y=\"" + Num(y(b.events)) + "\" width=\"" +
            Num(std::max(bar * 0.8, 0.5)) + "\" height=\"" + Num(top + plot_h - y(b.events)) +
            "\" fill=\"#8c959f\"/>";
    }
    if (b.failures > 0) {
      *o += "<rect class=\"fail\" x=\"" + Num(x + bar * 0.1) + "\" y=\"" + Num(y(b.failures)) + "\" width=\"" +
            Num(std::max(bar * 0.8, 0.5)) + "\" height=\"" + Num(top + plot_h - y(b.failures)) +
            "\" fill=\"#cf222e\"/>";
    }
    if (b.flagged > 0) {
      *o += "<circle class=\"flag\" cx=\"" + Num(x + bar / 2) + "\" cy=\"" + Num(y(b.flagged)) +
            "\" r=\"2.5\" fill=\"#bf8700\"/>";
    }
    // Invisible full-height target so that the tooltip works on empty hours too.
    *o += "<rect x=\"" + Num(x) + "\" y=\"" + Num(top) + "\" width=\"" + Num(bar) + "\" height=\"" +
          Num(plot_h) + "\" fill=\"transparent\"/></g>\n";
  }
  // About six time labels along the axis.
  size_t step = std::max<size_t>(1, r.timeline.size() / 6);
  for (size_t i = 0; i < r.timeline.size(); i += step) {
    double x = left + bar * static_cast<double>(i);
    if (x > width - right - 90) break;  // the label would run off the chart
    *o += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(top + plot_h) + "\" x2=\"" + Num(x) + "\" y2=\"" +
          Num(top + plot_h + 4) + "\" stroke=\"#8c959f\"/><text x=\"" + Num(x) + "\" y=\"" +
          Num(top + plot_h + 18) + "\">" + HtmlEscape(ShortTime(r.timeline[i].start)) + "</text>\n";
  }
  // Where each finding starts, as a tick above the plot.
  for (const auto& f : r.findings) {
    if (f.first_time == 0 || r.bucket_ms == 0) continue;
    double pos = static_cast<double>(f.first_time - r.timeline.front().start) / static_cast<double>(r.bucket_ms);
    double x = left + bar * pos;
    *o += "<g><title>" + HtmlEscape(f.signature + " first seen " + Time(f.first_time)) +
          "</title><line class=\"finding-mark\" x1=\"" + Num(x) + "\" y1=\"" + Num(top) + "\" x2=\"" + Num(x) +
          "\" y2=\"" + Num(top + plot_h) + "\" stroke=\"#a40e26\" stroke-dasharray=\"3 3\"/></g>\n";
  }
  *o += "</svg>\n<p class=\"legend sub\">Per " + hours +
        ":<span style=\"background:#8c959f\"></span>events<span style=\"background:#cf222e\"></span>"
        "failures<span style=\"background:#bf8700;border-radius:5px\"></span>events a signature flagged"
        "<span style=\"border-left:2px dashed #a40e26;width:0\"></span>a finding starts</p>\n";
}

}  // namespace

std::string RenderHtmlReport(const Report& r) {
  std::string o;
  size_t files = 0;
  for (const auto& in : r.inputs) files += in.kind != "bundle";
  const std::string name = BundleName(r);
  const std::string title = name.empty() ? "syncdoctor report" : "syncdoctor report: " + name;
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       // Nothing may load: no script, no image, no font, no frame; only the inline style.
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "img-src data:; form-action 'none'; base-uri 'none'\">\n"
       "<meta name=\"referrer\" content=\"no-referrer\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta name=\"generator\" content=\"syncdoctor " + HtmlEscape(r.version) + "\">\n"
       "<title>" + HtmlEscape(title) + "</title>\n<style>";
  o += kStyle;
  o += "</style>\n</head>\n<body>\n<main>\n<h1>" + HtmlEscape(title) + "</h1>\n<p class=\"sub\" id=\"summary\">" +
       std::to_string(files) + " input files, " + std::to_string(r.events) + " events, " +
       std::to_string(r.findings.size()) + " findings; generated " + HtmlEscape(r.generated_at) +
       " by syncdoctor " + HtmlEscape(r.version) + ".</p>\n";
  for (const auto& b : r.bundles) o += "<p class=\"sub bundle\">Bundle: " + HtmlEscape(b) + "</p>\n";

  if (auto facts = CaseLines(r); !facts.empty()) {
    o += "<section id=\"case\">\n<h2>Case</h2>\n<table class=\"story\">";
    for (const auto& [label, value] : facts) {
      o += "<tr><th>" + HtmlEscape(label) + "</th><td>" + HtmlEscape(value) + "</td></tr>";
    }
    o += "</table>\n</section>\n";
  }
  o += "<section id=\"diagnosis\">\n<h2>Diagnosis</h2>\n";
  for (const auto& d : r.diagnosis) {
    o += "<div class=\"diag diag-" + HtmlEscape(d.tone) + "\"><p class=\"headline\"><strong>" +
         HtmlEscape(d.what.empty() ? d.headline : d.what) + "</strong></p>";
    std::string rows;
    auto row = [&](const char* label, const std::string& text) {
      rows += "<tr><th>" + std::string(label) + "</th><td>" + HtmlEscape(text) + "</td></tr>";
    };
    if (!d.job.empty()) row("Job", d.job);
    for (const auto& c : d.causes) row("Cause", c);
    if (!d.since.empty()) row("Since", d.since);
    for (const auto& c : d.context) row("Around", c);
    if (!rows.empty()) o += "<table class=\"story\">" + rows + "</table>";
    if (!d.next_step.empty()) o += "<p class=\"next\">Next step: " + HtmlEscape(d.next_step) + "</p>";
    o += "</div>\n";
  }
  o += "</section>\n";
  if (!r.ask_for.empty()) {
    o += "<section id=\"ask\">\n<h2>Ask the customer for</h2>\n";
    for (const auto& a : r.ask_for) {
      o += "<div class=\"ask\"><p><strong>" + HtmlEscape(a.source) + "</strong>: " + HtmlEscape(a.why) + "</p>";
      if (!a.findings.empty()) {
        std::string ids;
        for (const auto& id : a.findings) ids += (ids.empty() ? "" : ", ") + HtmlEscape(id);
        o += "<p class=\"meta\">Would confirm or rule out: " + ids + "</p>";
      }
      o += "<ul class=\"how\">";
      for (const auto& how : a.how) o += "<li><code>" + HtmlEscape(how) + "</code></li>";
      o += "</ul></div>\n";
    }
    o += "</section>\n";
  }

  o += "<section id=\"timeline\">\n<h2>Timeline</h2>\n";
  o += "<div class=\"chart\">";
  Timeline(r, &o);
  o += "</div>\n";
  o += "</section>\n";

  o += "<section id=\"findings\">\n<h2>Findings</h2>\n";
  if (r.findings.empty()) o += "<p>No signature matched.</p>\n";
  for (const auto& f : r.findings) {
    std::string sev(SeverityName(f.severity));
    o += "<article class=\"finding\" id=\"finding-" + HtmlEscape(f.signature) + "\" data-signature=\"" +
         HtmlEscape(f.signature) + "\" data-severity=\"" + sev + "\">\n<h3><span class=\"sev sev-" + sev +
         "\">" + sev + "</span>" + HtmlEscape(f.signature) + ": " + HtmlEscape(f.title) +
         (f.tier == "family" ? " <span class=\"tier\">(family-level)</span>" : "") + "</h3>\n";
    std::string when = std::to_string(f.count) + " event" + (f.count == 1 ? "" : "s") + ", " + Time(f.first_time);
    if (f.last_time != f.first_time) when += " .. " + Time(f.last_time);
    o += "<p class=\"meta\">" + HtmlEscape(when) + (f.scope.empty() ? "" : " &middot; " + HtmlEscape(f.scope)) +
         (f.heuristic ? " &middot; heuristic (the pattern is ours, not documented log text)" : "") + "</p>\n";
    if (f.tier == "family") o += "<p class=\"meta family\">" + HtmlEscape(kFamilyNote) + ".</p>\n";
    if (!f.codes.empty()) {
      o += "<p class=\"codes\"><strong>Codes.</strong> " + HtmlEscape(CodesLine(f)) + "</p>\n";
      for (const auto& c : f.codes) {
        if (!c.meaning.empty()) o += "<p class=\"meta\">" + HtmlEscape(c.code) + ": " + HtmlEscape(c.meaning) + "</p>\n";
      }
    }
    o += "<p><strong>Cause.</strong> " + HtmlEscape(f.cause) + "</p>\n<p><strong>Fix.</strong></p>\n<ol class=\"fix\">";
    for (const auto& step : f.fix) o += "<li>" + HtmlEscape(step) + "</li>";
    o += "</ol>\n";
    if (!f.next_step.empty()) o += "<p class=\"next\">Next step: " + HtmlEscape(f.next_step) + "</p>\n";
    if (std::string files = FilesLine(f); !files.empty()) {
      o += "<p class=\"meta\">Files: " + HtmlEscape(files) + "</p>\n";
    }
    // Open: the evidence is what proves the finding, on screen and on paper (a closed <details>
    // prints nothing of its content).
    o += "<details class=\"evidence\" open><summary>Evidence (" + std::to_string(f.evidence.size()) +
         (f.evidence.size() == 1 ? " line" : " lines") + ")</summary>\n<table><tr><th>File:line</th><th>Time</th><th>Log text</th></tr>\n";
    for (const auto& ev : f.evidence) {
      o += "<tr><td class=\"path\">" + HtmlEscape(ev.path + ":" + std::to_string(ev.line)) + "</td><td class=\"time\">" +
           (ev.time == 0 ? "" : HtmlEscape(FormatTimestamp(ev.time)) + (ev.time_inferred ? " (inferred)" : "")) +
           "</td><td class=\"log\">" + HtmlEscape(ev.excerpt) + "</td></tr>\n";
    }
    o += "</table></details>\n";
    if (!f.related.empty()) {
      o += "<p class=\"meta\">Related: ";
      for (size_t i = 0; i < f.related.size(); ++i) {
        // A link only where the related finding is on this page (a hidden one is not).
        bool shown = std::any_of(r.findings.begin(), r.findings.end(),
                                 [&](const FindingInfo& x) { return x.signature == f.related[i]; });
        o += i ? ", " : "";
        o += shown ? "<a href=\"#finding-" + HtmlEscape(f.related[i]) + "\">" + HtmlEscape(f.related[i]) + "</a>"
                   : HtmlEscape(f.related[i]);
      }
      o += "</p>\n";
    }
    // References are shown as text, not links: the page must not lead anywhere by itself.
    for (const auto& ref : f.references) o += "<p class=\"meta\">See " + HtmlEscape(ref) + "</p>\n";
    o += "</article>\n";
  }
  o += "</section>\n";

  if (!r.unknown_codes.empty()) {
    o += "<section id=\"unknown-codes\">\n<h2>Codes no signature names</h2>\n<table>"
         "<tr><th>Code</th><th>Kind</th><th>Count</th><th>Level</th><th>What the reference says</th><th>Example</th></tr>\n";
    for (const auto& u : r.unknown_codes) {
      std::string level = u.level == "family-level" ? "family-level (" + u.family + ")" : "unknown";
      o += "<tr><td>" + HtmlEscape(u.code) + "</td><td>" + HtmlEscape(u.kind) + "</td><td>" +
           std::to_string(u.count) + "</td><td class=\"level\">" + HtmlEscape(level) + "</td><td>" +
           HtmlEscape(UnknownMeaning(u)) + "</td><td class=\"log\">" + HtmlEscape(u.example) + "</td></tr>\n";
    }
    o += "</table>\n</section>\n";
  }

  o += "<section id=\"coverage\">\n<h2>Coverage</h2>\n";
  if (!r.spans.empty()) {
    o += "<table id=\"spans\"><tr><th>Source kind</th><th>Files</th><th>From</th><th>To</th></tr>\n";
    for (const auto& k : r.spans) {
      o += "<tr><td>" + HtmlEscape(k.kind) + "</td><td>" + std::to_string(k.files) + "</td><td>" +
           FormatTimestamp(k.first_time) + "</td><td>" + FormatTimestamp(k.last_time) + "</td></tr>\n";
    }
    o += "</table>\n";
  }
  for (const auto& g : r.coverage_gaps) o += "<p class=\"gap\">Gap: " + HtmlEscape(g) + "</p>\n";
  o += "<table id=\"inputs\"><tr><th>Status</th><th>Input</th><th>Format</th><th>Events</th><th>Unparsed</th>"
       "<th>Duplicates</th><th>From</th><th>To</th><th>Reason and warnings</th></tr>\n";
  for (const auto& in : r.inputs) {
    if (in.kind == "bundle" && in.status == "parsed") continue;
    std::string why = HtmlEscape(in.reason);
    for (const auto& w : in.warnings) why += (why.empty() ? "" : "<br>") + std::string("warning: ") + HtmlEscape(w);
    o += "<tr><td class=\"st-" + HtmlEscape(in.status) + "\">" + HtmlEscape(in.status) + "</td><td class=\"path\">" +
         HtmlEscape(in.path) + "</td><td>" + HtmlEscape(in.format) + "</td><td class=\"num\">" +
         std::to_string(in.events) + "</td><td class=\"num\">" + std::to_string(in.unparsed) +
         "</td><td class=\"num\">" + std::to_string(in.duplicates) + "</td><td class=\"time\">" +
         (in.first_time ? FormatTimestamp(in.first_time) : "") + "</td><td class=\"time\">" +
         (in.last_time ? FormatTimestamp(in.last_time) : "") + "</td><td>" + why + "</td></tr>\n";
  }
  o += "</table>\n<p class=\"sub\">" + std::to_string(r.unparsed) +
       " unparsed records are kept in the index (syncdoctor query --db FILE \"SELECT * FROM unparsed\").</p>\n"
       "</section>\n</main>\n</body>\n</html>\n";
  return o;
}

}  // namespace syncdoctor
