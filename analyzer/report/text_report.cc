#include <cstdio>
#include <map>

#include "analyzer/report/json_writer.h"
#include "analyzer/report/reports.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

struct Style {
  bool on;
  std::string Wrap(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
  }
};

std::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical: return "1;31";
    case Severity::kHigh: return "31";
    case Severity::kMedium: return "33";
    case Severity::kLow: return "36";
    default: return "37";
  }
}

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string Time(int64_t ms) { return ms == 0 ? "no time" : FormatTimestamp(ms); }

}  // namespace

std::string UnknownMeaning(const UnknownCode& u) {
  if (!u.in_reference) return "Not in the reference tables either: an unknown code (syncdoctor explain may find a part of it).";
  std::string name = u.reference_name.empty() || u.reference_name == u.code ? "" : " (" + u.reference_name + ")";
  return "Reference" + name + ": " + u.reference_meaning;
}

std::string CodesLine(const FindingInfo& f) {
  std::string out;
  for (const auto& c : f.codes) out += (out.empty() ? "" : ", ") + c.code + " x" + std::to_string(c.count);
  if (f.codes_cut && !out.empty()) out += ", and more";
  return out;
}

namespace {

// Display columns of `s`: ANSI escape sequences and UTF-8 continuation bytes take none.
size_t Columns(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= '@' && s[i] <= '~')) ++i;
      continue;
    }
    n += (c & 0xC0) != 0x80;
  }
  return n;
}

// Where the text of a line starts: after its blanks and a list mark or a "Label:" lead with the
// blanks after it ("    Cause:     text" continues under "text").
size_t HangingIndent(std::string_view line) {
  size_t i = line.find_first_not_of(' ');
  if (i == std::string_view::npos) return 0;
  size_t lead = i;
  if (line.compare(i, 2, "* ") == 0 || line.compare(i, 2, "- ") == 0) return lead + 2;
  size_t colon = line.find(": ", i);
  size_t space = line.find(' ', i);
  // A label is one capitalised word ("Cause:", "Next step:" is two and continues under its text).
  bool upper = line[i] >= 'A' && line[i] <= 'Z';
  if (upper && colon != std::string_view::npos && colon < i + 14 && (colon <= space || line.compare(i, 10, "Next step:") == 0)) {
    size_t text = line.find_first_not_of(' ', colon + 1);
    if (text != std::string_view::npos && text - i <= 14) return text;
  }
  return lead + 2;
}

}  // namespace

std::string WrapLine(const std::string& line, int width) {
  if (width <= 0 || Columns(line) <= static_cast<size_t>(width)) return line;
  const size_t indent = std::min<size_t>(HangingIndent(line), static_cast<size_t>(width) / 2);
  std::string out, current;
  size_t start = line.find_first_not_of(' ');
  current = line.substr(0, start == std::string::npos ? 0 : start);
  size_t pos = current.size();
  bool first_word = true;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string::npos) end = line.size();
    std::string word = line.substr(pos, end - pos);
    pos = end;
    size_t spaces = 0;
    while (pos < line.size() && line[pos] == ' ') ++pos, ++spaces;
    // Break before a word that does not fit, unless the line holds nothing past its indent yet
    // (a word longer than the width then stays on it, whole).
    bool has_text = Columns(current) > indent;
    if (!first_word && has_text && Columns(current) + Columns(word) > static_cast<size_t>(width)) {
      while (!current.empty() && current.back() == ' ') current.pop_back();
      out += current + "\n";
      current = std::string(indent, ' ');
    }
    current += word + std::string(spaces, ' ');
    first_word = false;
  }
  while (!current.empty() && current.back() == ' ') current.pop_back();
  return out + current;
}

std::vector<std::pair<std::string, std::string>> CaseLines(const Report& r) {
  std::vector<std::pair<std::string, std::string>> out;
  const CaseFacts& c = r.facts;
  for (const auto& t : c.tenants) out.emplace_back("Tenant", t);
  if (!c.domains.empty()) {
    std::string d;
    for (const auto& [domain, n] : c.domains) d += (d.empty() ? "" : ", ") + domain + " (" + std::to_string(n) + ")";
    out.emplace_back("Domains", d);
  }
  for (const auto& j : c.jobs) {
    std::string line = j.id + "  " + j.template_id;
    if (!j.state.empty()) {
      line += ", " + j.state;
      if (!j.reason.empty()) line += " (" + j.reason + (j.error_code.empty() ? "" : ", " + j.error_code) + ")";
      if (j.time != 0) line += " at " + FormatTimestamp(j.time);
    } else {
      line += ", no job status in the bundle";
    }
    if (j.records > 0) {
      line += "; " + std::to_string(j.records) + " provisioning record" + (j.records == 1 ? "" : "s") +
              ", " + std::to_string(j.failures) + " failed";
    }
    out.emplace_back("Job", line);
  }
  for (const auto& [version, where] : c.agents) out.emplace_back("Agent", "version " + version + " (" + where + ")");
  for (const auto& h : c.hosts) out.emplace_back("Host", h);
  for (const auto& p : c.proxy) out.emplace_back("Proxy", p);
  for (const auto& k : r.spans) {
    out.emplace_back("Span", k.kind + ": " + std::to_string(k.files) + " file" + (k.files == 1 ? "" : "s") + ", " +
                                 FormatTimestamp(k.first_time) + " .. " + FormatTimestamp(k.last_time));
  }
  return out;
}

std::string FilesLine(const FindingInfo& f) {
  if (f.files.size() < 2) return "";
  std::string out;
  for (const auto& [path, n] : f.files) out += (out.empty() ? "" : ", ") + path + " x" + std::to_string(n);
  if (f.files_cut) out += ", and more";
  return out;
}

namespace {

std::string BaseName(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string Plural(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

std::string TerminalSafe(std::string_view text) {
  std::string s = SanitizeUtf8(text);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      out.push_back('?');
    } else if (c == 0xC2 && at(1) >= 0x80 && at(1) <= 0x9F) {
      out.push_back('?');  // a C1 control (U+0080..U+009F), e.g. CSI
      ++i;
    } else if ((c == 0xE2 && at(1) == 0x80 && ((at(2) >= 0x8B && at(2) <= 0x8F) || (at(2) >= 0xAA && at(2) <= 0xAE))) ||
               (c == 0xE2 && at(1) == 0x81 && ((at(2) >= 0xA0 && at(2) <= 0xA4) || (at(2) >= 0xA6 && at(2) <= 0xA9))) ||
               (c == 0xEF && at(1) == 0xBB && at(2) == 0xBF) || (c == 0xD8 && at(1) == 0x9C)) {
      // Bidi overrides, embeddings and isolates (U+202A..202E, U+2066..2069), zero-width and
      // direction marks (U+200B..200F, U+2060..2064, U+FEFF, U+061C): they can make text read
      // other than it is (Trojan Source). Shown as their code point, so the reader sees them.
      uint32_t cp = c == 0xD8 ? 0x061C
                  : c == 0xEF ? 0xFEFF
                  : ((c & 0x0Fu) << 12) | ((at(1) & 0x3Fu) << 6) | (at(2) & 0x3Fu);
      char buf[12];
      std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(cp));
      out += buf;
      i += c == 0xD8 ? 1 : 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string RenderTextReport(const Report& r, const TextOptions& opt) {
  Style st{opt.color};
  std::string o;
  auto line = [&](const std::string& s) {
    o += WrapLine(s, opt.width);
    o += '\n';
  };

  size_t files = 0;
  for (const auto& in : r.inputs) files += in.kind != "bundle";
  line(st.Wrap("1", "syncdoctor " + r.version + ": " + Plural(files, "input file") + ", " +
                        Plural(r.events, "event") + ", " + Plural(r.findings.size(), "finding")));
  // The bundle, so that a report pasted into a ticket says what it is about.
  for (const auto& b : r.bundles) line("Bundle: " + TerminalSafe(b));
  line("");
  if (auto facts = CaseLines(r); !facts.empty()) {
    line(st.Wrap("1", "CASE"));
    std::string last;
    for (const auto& [label, value] : facts) {
      std::string head = label == last ? "" : label + ":";
      last = label;
      line("  " + head + std::string(head.size() < 10 ? 10 - head.size() : 1, ' ') + TerminalSafe(value));
    }
    line("");
  }
  line(st.Wrap("1", "DIAGNOSIS"));
  for (const auto& d : r.diagnosis) {
    // A short block: what, then labelled lines, each label once and its lines aligned under it.
    line("  * " + TerminalSafe(d.what.empty() ? d.headline : d.what));
    auto field = [&](const char* label, const std::vector<std::string>& lines) {
      for (size_t i = 0; i < lines.size(); ++i) {
        std::string head = i == 0 ? std::string(label) + ":" : "";
        line("    " + head + std::string(11 - head.size(), ' ') + TerminalSafe(lines[i]));
      }
    };
    if (!d.job.empty()) field("Job", {d.job});
    field("Cause", d.causes);
    if (!d.since.empty()) field("Since", {d.since});
    field("Around", d.context);
    if (!d.next_step.empty()) field("Next step", {d.next_step});
  }
  line("");
  if (!r.ask_for.empty()) {
    line(st.Wrap("1", "ASK THE CUSTOMER FOR"));
    for (const auto& a : r.ask_for) {
      line("  * " + a.source + ": " + TerminalSafe(a.why));
      if (!a.findings.empty()) {
        std::string ids;
        for (const auto& id : a.findings) ids += (ids.empty() ? "" : ", ") + id;
        line("    Would confirm or rule out: " + ids);
      }
      for (const auto& how : a.how) line("    - " + TerminalSafe(how));
    }
    line("");
  }

  if (!r.findings.empty()) {
    line(st.Wrap("1", "FINDINGS"));
    for (const auto& f : r.findings) {
      line("");
      line(st.Wrap(SeverityColor(f.severity), "[" + Upper(SeverityName(f.severity)) + "]") + " " +
           st.Wrap("1", f.signature) + "  " + TerminalSafe(f.title) +
           (f.tier == "family" ? st.Wrap("2", "  (family-level)") : ""));
      std::string when = Plural(f.count, "event") + ", " + Time(f.first_time);
      if (f.last_time != f.first_time) when += " .. " + Time(f.last_time);
      line("  " + when + (f.scope.empty() ? "" : "  [" + TerminalSafe(f.scope) + "]"));
      if (f.tier == "family") line("  (" + std::string(kFamilyNote) + ")");
      if (!f.codes.empty()) {
        line("  Codes: " + TerminalSafe(CodesLine(f)));
        for (const auto& c : f.codes) {
          if (!c.meaning.empty()) line("    " + TerminalSafe(c.code) + ": " + TerminalSafe(c.meaning));
        }
      }
      line("  Cause: " + TerminalSafe(f.cause));
      line("  Fix:");
      for (size_t i = 0; i < f.fix.size(); ++i) {
        line("    " + std::to_string(i + 1) + ". " + TerminalSafe(f.fix[i]));
      }
      if (std::string files = FilesLine(f); !files.empty()) line("  Files: " + TerminalSafe(files));
      line("  Evidence:");
      for (const auto& ev : f.evidence) {
        std::string t = ev.time == 0 ? "" : " " + FormatTimestamp(ev.time) + (ev.time_inferred ? "~" : "");
        line("    " + st.Wrap("2", TerminalSafe(ev.path) + ":" + std::to_string(ev.line) + t) +
             "  " + TerminalSafe(ev.excerpt));
      }
      if (!f.related.empty()) {
        std::string rel;
        for (const auto& x : f.related) rel += (rel.empty() ? "" : ", ") + x;
        line("  Related: " + rel);
      }
      if (f.heuristic) line("  (heuristic: the pattern is ours, not documented log text)");
    }
    line("");
  }

  if (!r.unknown_codes.empty()) {
    line(st.Wrap("1", "CODES NO SIGNATURE NAMES") + " (family-level: the family layer classified them; unknown: not even that)");
    for (const auto& u : r.unknown_codes) {
      std::string what = u.kind == "aadsts" ? " (in messages)" : u.kind == "quarantine_reason" ? " (quarantine reason)" : "";
      std::string level = u.level == "family-level" ? "family-level, " + u.family : "unknown";
      line("  " + TerminalSafe(u.code) + what + " x" + std::to_string(u.count) + "  [" + TerminalSafe(level) +
           "]: " + TerminalSafe(u.example));
      line("      " + TerminalSafe(UnknownMeaning(u)));
    }
    line("");
  }

  line(st.Wrap("1", "COVERAGE"));
  std::map<std::string, int> by_status;
  for (const auto& in : r.inputs) {
    // Archives are shown when something went wrong with them; their entries are listed anyway.
    if (in.kind == "bundle" && in.status == "parsed") continue;
    ++by_status[in.status];
    std::string span = in.first_time == 0 ? "" : "  " + FormatTimestamp(in.first_time) + " .. " + FormatTimestamp(in.last_time);
    std::string counts = Plural(in.events, "event");
    if (in.unparsed > 0) counts += ", " + std::to_string(in.unparsed) + " unparsed";
    if (in.duplicates > 0) counts += ", " + Plural(in.duplicates, "duplicate");
    // With several bundles, each path says which one it is in.
    std::string where = r.bundles.size() > 1 ? BaseName(in.bundle) + ": " + in.path : in.path;
    line("  " + in.status + "  " + TerminalSafe(where) + "  (" + in.format + ", " + counts + ")" + span);
    if (in.status != "parsed" && !in.reason.empty()) line("      " + TerminalSafe(in.reason));
    for (const auto& w : in.warnings) line("      warning: " + TerminalSafe(w));
  }
  for (const auto& k : r.spans) {
    line("  " + k.kind + ": " + Plural(k.files, "file") + ", " + FormatTimestamp(k.first_time) + " .. " +
         FormatTimestamp(k.last_time));
  }
  for (const auto& g : r.coverage_gaps) line("  " + st.Wrap("33", "gap") + ": " + TerminalSafe(g));
  std::string tally;
  for (const auto& [status, n] : by_status) tally += (tally.empty() ? "" : ", ") + std::to_string(n) + " " + status;
  line("  " + tally + "; " + std::to_string(r.unparsed) + " unparsed records kept in the index");
  return o;
}

}  // namespace syncdoctor
