// CollectingSink: an EventSink for tests that keeps a copy of everything a parser reports, plus
// helpers that run a parser over an inline string.
#ifndef SYNCDOCTOR_TESTS_PARSERS_COLLECTING_SINK_H_
#define SYNCDOCTOR_TESTS_PARSERS_COLLECTING_SINK_H_

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/byte_stream.h"
#include "parsers/event.h"
#include "parsers/parser.h"
#include "parsers/status.h"
#include "parsers/text_decode.h"

namespace syncdoctor {

// Event::raw is valid only during OnEvent, so each event's raw text is copied into storage that
// the sink owns; events[i].raw points into it for as long as the sink lives. Not copyable (the
// copies' raw would point into the original).
class CollectingSink : public EventSink {
 public:
  CollectingSink() = default;
  CollectingSink(const CollectingSink&) = delete;
  CollectingSink& operator=(const CollectingSink&) = delete;

  bool OnEvent(const Event& event) override {
    raw_storage_.emplace_back(event.raw);  // a deque: earlier strings never move
    events.push_back(event);
    events.back().raw = raw_storage_.back();
    return stop_after == 0 || events.size() < stop_after;
  }

  // Recorded as "file:line: reason", the way users see it.
  void OnBadInput(const SourceLoc& loc, std::string_view reason, std::string_view raw) override {
    bad.push_back(Where(loc) + std::string(reason));
    bad_raw.emplace_back(raw);
    bad_locs.push_back(loc);
  }

  void OnWarning(const SourceLoc& loc, std::string_view message) override {
    warnings.push_back(Where(loc) + std::string(message));
  }

  std::vector<Event> events;
  std::vector<std::string> bad;      // "file:line: reason"
  std::vector<std::string> bad_raw;  // the raw text of each bad input
  std::vector<SourceLoc> bad_locs;
  std::vector<std::string> warnings;  // "file:line: message"
  size_t stop_after = 0;             // OnEvent returns false once this many events arrived (0: never)

 private:
  static std::string Where(const SourceLoc& loc) {
    return loc.file + ":" + std::to_string(loc.line) + ": ";
  }
  std::deque<std::string> raw_storage_;
};

// Runs `parser` over `input` as it is (already UTF-8 without BOM).
inline Status ParseString(Parser* parser, std::string_view file_name, std::string_view input,
                          CollectingSink* sink) {
  StringByteStream in(input);
  return parser->Parse(file_name, &in, sink);
}

// Runs `parser` over `input` the way ingest does: sniff the encoding, strip the BOM, transcode.
inline Status ParseBytes(Parser* parser, std::string_view file_name, std::string_view input,
                         CollectingSink* sink) {
  StringByteStream raw(input);
  DecodingStream in(&raw, SniffEncoding(input));
  return parser->Parse(file_name, &in, sink);
}

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_TESTS_PARSERS_COLLECTING_SINK_H_
