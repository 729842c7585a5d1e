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
};
std::string RenderTextReport(const Report& report, const TextOptions& options);

// Replaces terminal control characters (ESC, other C0 and C1 controls, DEL) with '?', so that log
// text cannot move the cursor, change colours or set the window title.
std::string TerminalSafe(std::string_view text);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_REPORTS_H_
