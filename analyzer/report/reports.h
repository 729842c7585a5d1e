// Report renderers: JSON (the stable machine format of docs/report-schema.md) and text (the
// terminal report a support engineer reads first).
#ifndef SYNCDOCTOR_ANALYZER_REPORT_REPORTS_H_
#define SYNCDOCTOR_ANALYZER_REPORT_REPORTS_H_

#include <string>

#include "analyzer/report/report_model.h"

namespace syncdoctor {

// Pretty-printed, deterministic JSON, ending with a newline.
std::string RenderJsonReport(const Report& report);

struct TextOptions {
  bool color = false;
  // Wrap lines at word boundaries to this many columns, continuing under the line's text
  // (0: no wrapping, as in a file or a pipe).
  int width = 0;
};

// `line` wrapped at spaces to `width` display columns (colour escapes and UTF-8 continuation
// bytes take none); continuation lines are indented like the text of the first (after its
// leading blanks and a "* ", "- " or "Label:" lead). A word longer than the width stays whole.
std::string WrapLine(const std::string& line, int width);
std::string RenderTextReport(const Report& report, const TextOptions& options);

// Markdown for pasting into a ticket: diagnosis, findings with cause, fix and evidence, unknown
// codes and coverage. Log text is escaped so that it cannot turn into markup or HTML.
std::string RenderMarkdownReport(const Report& report);

// One self-contained HTML page: diagnosis, an inline-SVG timeline, findings with expandable
// evidence, unknown codes and coverage. No script; a Content-Security-Policy forbids any load.
std::string RenderHtmlReport(const Report& report);

// Log text made safe inside HTML text and attribute values (control characters neutralised too).
std::string HtmlEscape(std::string_view text);

// One row per finding: a spreadsheet-safe CSV (cells that would run as formulas are neutralised).
std::string RenderCsvReport(const Report& report);

// One CSV cell: quoted when needed; a leading =, +, -, @, tab or carriage return gets a ' so that
// a spreadsheet shows it as text instead of running it.
std::string CsvField(std::string_view value);

// Log text made safe inside Markdown: HTML special characters as entities, Markdown punctuation
// escaped, control characters and line breaks flattened.
std::string MarkdownEscape(std::string_view text);

// "A x12, B x3, ..." for a finding's codes (with "and more" when they were cut); "" when none.
std::string CodesLine(const FindingInfo& finding);

// "Trace/a.log x3, Trace/b.log x1" for the files of a finding that spans more than one (with
// "and more" when they were cut); "" when it has one file or none: its evidence names that one.
std::string FilesLine(const FindingInfo& finding);

// The case facts as labelled lines ("Tenant", "70eb9a0a-…"), in the order the reports show
// them: tenant, domains, each job, agent versions, hosts, proxy lines, the span of each source.
// Log text, not yet escaped for any format.
std::vector<std::pair<std::string, std::string>> CaseLines(const Report& r);

// The note a family-level finding carries: what "family-level" means for the reader.
inline constexpr std::string_view kFamilyNote =
    "family-level: no signature names this exact failure; it is classified by the structure of "
    "its code, and the steps hold for the whole family";

// What the reference tables say about an unknown code, as one sentence ("Reference
// (UserAccountNotFound): ..."), or that they do not know it either.
std::string UnknownMeaning(const UnknownCode& code);

// Replaces terminal control characters (ESC, other C0 and C1 controls, DEL) with '?', so that log
// text cannot move the cursor, change colours, set the window title or the clipboard (OSC 52);
// and writes bidi controls and zero-width characters as "<U+202E>", so that they cannot make a
// line read other than it is (Trojan Source) and the reader sees they were there.
std::string TerminalSafe(std::string_view text);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_REPORTS_H_
