// Parser: one input format, bytes in, events out. Parsers know nothing of files, archives or the index.
#ifndef SYNCDOCTOR_PARSERS_PARSER_H_
#define SYNCDOCTOR_PARSERS_PARSER_H_

#include <string>
#include <string_view>

#include "parsers/byte_stream.h"
#include "parsers/event.h"
#include "parsers/status.h"

namespace syncdoctor {

class Parser {
 public:
  virtual ~Parser() = default;
  // A format name of DESIGN.md, e.g. "agent-trace".
  virtual std::string_view name() const = 0;
  // The event kind this format holds.
  virtual EventKind kind() const = 0;
  // True for binary formats: Probe() and Parse() then see the file's bytes as they are, with no
  // text decoding (evtx).
  virtual bool wants_raw_bytes() const { return false; }
  // 0..100: how sure this parser is that `head` (the first bytes of the file, already decoded
  // to UTF-8, BOM removed) is its format. `file_name` may only nudge a score, never decide it.
  // With a score above zero, `why` (when not null) gets what in the head made the claim, in a
  // few words for --explain-detect: "a top-level object with activityDisplayName and
  // loggedByService".
  virtual int Probe(std::string_view file_name, std::string_view head, std::string* why) const = 0;
  int Probe(std::string_view file_name, std::string_view head) const {
    return Probe(file_name, head, nullptr);
  }
  // Reads `in` (decoded UTF-8) to its end, record by record. Every record ends in one
  // sink->OnEvent or sink->OnBadInput. Returns non-ok only when the stream itself fails.
  // A parser object is not thread-safe; give each worker its own (see NewParser()).
  virtual Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) = 0;
};

// For Probe implementations: returns `score`, with `what` in *why when why is not null.
inline int Claim(std::string* why, int score, std::string_view what) {
  if (why != nullptr) why->assign(what);
  return score;
}

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_PARSER_H_
