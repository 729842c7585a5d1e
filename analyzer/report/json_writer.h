// JsonWriter: writes JSON to a string with correct escaping. Invalid UTF-8 in customer text is
// replaced by U+FFFD so that the output is always valid JSON; control characters are escaped.
#ifndef SYNCDOCTOR_ANALYZER_REPORT_JSON_WRITER_H_
#define SYNCDOCTOR_ANALYZER_REPORT_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace syncdoctor {

class JsonWriter {
 public:
  // `pretty` indents with two spaces, one member per line.
  JsonWriter(std::string* out, bool pretty) : out_(out), pretty_(pretty) {}
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // Writes `json` as it is: it must be one valid JSON value (a number from SQLite, say).
  void Raw(std::string_view json);
  // Convenience: Key + value.
  void Member(std::string_view key, std::string_view value) { Key(key); String(value); }
  void Member(std::string_view key, const char* value) { Key(key); String(value); }
  void Member(std::string_view key, int64_t value) { Key(key); Int(value); }

 private:
  void BeforeValue();
  void Newline();
  std::string* out_;
  bool pretty_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

// Appends `text` as a JSON string literal (with quotes) to `out`.
void AppendJsonString(std::string_view text, std::string* out);

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_JSON_WRITER_H_
