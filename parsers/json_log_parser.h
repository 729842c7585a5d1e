// JsonLogParser: the shared driver of every JSON log format. It splits the input into records
// (JsonRecordScanner), parses each with simdjson, and asks the format to map it to an Event.
#ifndef SYNCDOCTOR_PARSERS_JSON_LOG_PARSER_H_
#define SYNCDOCTOR_PARSERS_JSON_LOG_PARSER_H_

#include <string>

#include "parsers/json_util.h"
#include "parsers/parser.h"

namespace syncdoctor {

class JsonLogParser : public Parser {
 public:
  Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) override;

 protected:
  // Fills `event` from one parsed record. Returns false with *why set when the record is not of
  // this format (it then becomes an unparsed item with that reason).
  virtual bool MapRecord(JsonElement record, Event* event, std::string* why) = 0;

 private:
  simdjson::dom::parser parser_;
  std::string scratch_;
  Event event_;
};

// Unwraps an Azure Monitor diagnostic-settings record: returns its `properties` object when
// `record` has `category` == `category` (case-insensitive) and a `properties` object; else false.
bool UnwrapDiagnostic(JsonElement record, std::string_view category, JsonElement* properties);

// Sets e->time_ms from the first of `keys` whose value is a time. A value in no readable form
// (not empty, not .NET's "never") leaves e->note saying so, unless a later key gives the time.
// Returns whether a time was found.
bool MapRecordTime(JsonElement record, std::initializer_list<std::string_view> keys, Event* e);

// Probe helpers over the first bytes of a file.
bool HeadContainsIgnoreCase(std::string_view head, std::string_view needle);
// True when head has "key" : "value" (JSON spacing tolerated, value case-insensitive).
bool HeadHasKeyValue(std::string_view head, std::string_view key, std::string_view value);
// The first non-blank character of head, or '\0'.
char FirstNonSpace(std::string_view head);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_JSON_LOG_PARSER_H_
