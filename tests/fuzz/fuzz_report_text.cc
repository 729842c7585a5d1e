// libFuzzer target: what reports do to hostile log text. The redactor must not crash or hang on
// any bytes, and the escapers must hold their promises: no markup from HtmlEscape and
// MarkdownEscape, no control character from TerminalSafe, no formula from CsvField.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analyzer/report/redact.h"
#include "analyzer/report/reports.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static syncdoctor::Redactor redactor("fuzz-key");
  static bool named = false;
  if (!named) {
    redactor.AddName("Alicia Brooks");
    redactor.AddName("SSPR Enabled Users");
    named = true;
  }
  std::string red = redactor.Apply(input);
  std::string html = syncdoctor::HtmlEscape(input);
  if (html.find_first_of("<>\"'") != std::string::npos) __builtin_trap();
  std::string md = syncdoctor::MarkdownEscape(input);
  if (md.find_first_of("<>\n") != std::string::npos) __builtin_trap();
  std::string term = syncdoctor::TerminalSafe(input);
  for (unsigned char c : term) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) __builtin_trap();
  }
  std::string cell = syncdoctor::CsvField(input);
  size_t first = cell.size() > 0 && cell[0] == '"' ? 1 : 0;
  if (cell.size() > first && std::string("=+-@").find(cell[first]) != std::string::npos) __builtin_trap();
  return static_cast<int>(red.size() & 0);
}
