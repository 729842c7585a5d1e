#include "parsers/csv_reader.h"

#include <cctype>

namespace syncdoctor {

std::string_view CleanHeader(std::string_view name) {
  // "TimeGenerated [UTC]" (the Log Analytics portal export) -> "TimeGenerated".
  while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '"' || name.back() == '\r')) name.remove_suffix(1);
  size_t bracket = name.find(" [");
  if (bracket != std::string_view::npos && !name.empty() && name.back() == ']') name = name.substr(0, bracket);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return name;
}

std::string NormalizeHeader(std::string_view name) {
  std::string out;
  std::string_view clean = CleanHeader(name);
  for (char c : clean) {
    if (c == ' ' || c == '_' || c == '.' || c == '"') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool CsvReader::Next(std::vector<std::string>* fields, std::string* error) {
  fields->clear();
  error->clear();
  raw_.clear();
  std::string_view line;
  bool truncated = false;
  // Skip blank lines between records.
  do {
    if (!lines_.Next(&line, &truncated)) return false;
  } while (line.empty());
  record_line_ = lines_.line_number();
  record_offset_ = lines_.line_offset();
  std::string field;
  size_t size = 0;
  bool in_quotes = false, quoted = false;
  uint64_t quote_line = 0;
  for (;;) {
    size += line.size() + 1;
    if (raw_.size() < 4096) raw_.append(line.substr(0, 4096 - raw_.size()));
    if (truncated) *error = "line longer than the 64 MB cap was cut";
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            ++i;
          } else {
            in_quotes = false;
          }
        } else {
          field.push_back(c);
        }
      } else if (c == sep_) {
        fields->push_back(std::move(field));
        field.clear();
        quoted = false;
      } else if (c == '"' && field.empty() && !quoted) {
        in_quotes = quoted = true;
        quote_line = lines_.line_number();
      } else {
        field.push_back(c);
      }
    }
    if (!in_quotes) break;
    if (size > max_record_) {
      *error = "record larger than the " + std::to_string(max_record_ >> 20) + " MB cap";
      break;
    }
    // A line break inside quotes belongs to the field.
    if (!lines_.Next(&line, &truncated)) {
      *error = "unterminated quoted field (opened on line " + std::to_string(quote_line) + ")";
      break;
    }
    field.push_back('\n');
    if (raw_.size() < 4096) raw_.push_back('\n');
  }
  fields->push_back(std::move(field));
  return true;
}

}  // namespace syncdoctor
