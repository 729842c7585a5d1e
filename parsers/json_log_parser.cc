#include "parsers/json_log_parser.h"

#include "parsers/json_records.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

bool HeadContainsIgnoreCase(std::string_view head, std::string_view needle) {
  if (needle.size() > head.size()) return false;
  for (size_t i = 0; i + needle.size() <= head.size(); ++i) {
    if (EqualsIgnoreCase(head.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool HeadHasKeyValue(std::string_view head, std::string_view key, std::string_view value) {
  std::string quoted = "\"" + std::string(key) + "\"";
  size_t pos = 0;
  while ((pos = head.find(quoted, pos)) != std::string_view::npos) {
    size_t p = pos + quoted.size();
    while (p < head.size() && (head[p] == ' ' || head[p] == '\t' || head[p] == '\r' || head[p] == '\n')) ++p;
    if (p < head.size() && head[p] == ':') {
      ++p;
      while (p < head.size() && (head[p] == ' ' || head[p] == '\t' || head[p] == '\r' || head[p] == '\n')) ++p;
      if (p < head.size() && head[p] == '"' &&
          EqualsIgnoreCase(head.substr(p + 1, value.size()), value) &&
          p + 1 + value.size() < head.size() && head[p + 1 + value.size()] == '"') {
        return true;
      }
    }
    pos += quoted.size();
  }
  return false;
}

char FirstNonSpace(std::string_view head) {
  for (char c : head) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  }
  return '\0';
}

bool MapRecordTime(JsonElement record, std::initializer_list<std::string_view> keys, Event* e) {
  for (std::string_view key : keys) {
    JsonElement v;
    if (!JsonField(record, key, &v)) continue;
    std::string text = JsonText(v);
    int64_t ms = 0;
    switch (ReadTimestamp(text, &ms)) {
      case TimeText::kTime:
        e->time_ms = ms;
        e->note.clear();
        return true;
      case TimeText::kUnread:
        if (e->note.empty()) e->note = UnreadTimeNote(key, text);
        break;
      case TimeText::kEmpty:
      case TimeText::kNever:
        break;
    }
  }
  return false;
}

bool UnwrapDiagnostic(JsonElement record, std::string_view category, JsonElement* properties) {
  JsonElement cat;
  if (!JsonField(record, "category", &cat)) return false;
  if (!EqualsIgnoreCase(JsonText(cat), category)) return false;
  return JsonField(record, "properties", properties) && properties->is_object();
}

Status JsonLogParser::Parse(std::string_view file_name, ByteStream* in, EventSink* sink) {
  SourceLoc loc;
  loc.file = std::string(file_name);
  size_t repaired_total = 0;
  uint64_t first_repair_line = 0;
  JsonRecordScanner scanner;
  bool stopped = false;  // the sink asked to stop: the rest of the input is not reported
  Status s = scanner.Scan(
      in,
      [&](const JsonRecord& rec) {
        if (stopped) return;
        loc.line = rec.line;
        loc.offset = rec.offset;
        JsonElement doc;
        size_t repaired = 0;
        simdjson::error_code err = ParseJsonRecord(&parser_, rec.text, &scratch_, &doc, &repaired);
        if (err != simdjson::SUCCESS) {
          sink->OnBadInput(loc, std::string("invalid JSON: ") + simdjson::error_message(err),
                           rec.text.substr(0, 4096));
          return;
        }
        if (repaired > 0) {
          if (repaired_total == 0) first_repair_line = rec.line;
          repaired_total += repaired;
        }
        event_.Clear();
        event_.kind = kind();
        event_.loc = loc;
        event_.raw = rec.text;
        std::string why;
        if (!doc.is_object()) {
          sink->OnBadInput(loc, "not a JSON object", rec.text.substr(0, 4096));
          return;
        }
        if (!MapRecord(doc, &event_, &why)) {
          sink->OnBadInput(loc, why, rec.text.substr(0, 4096));
          return;
        }
        if (!event_.note.empty()) sink->OnWarning(loc, event_.note);
        stopped = !sink->OnEvent(event_);
      },
      [&](uint64_t line, uint64_t offset, std::string_view reason, std::string_view raw) {
        if (stopped) return;
        loc.line = line;
        loc.offset = offset;
        sink->OnBadInput(loc, reason, raw);
      },
      [&](uint64_t line, std::string_view message) {
        loc.line = line;
        loc.offset = 0;
        sink->OnWarning(loc, message);
      });
  if (repaired_total > 0) {
    loc.line = first_repair_line;
    loc.offset = 0;
    sink->OnWarning(loc, "repaired " + std::to_string(repaired_total) +
                             " trailing comma(s) (not valid JSON as written; records kept)");
  }
  return s;
}

}  // namespace syncdoctor
