// Splits a JSON input into records without loading it whole: a Graph page ({"value":[...]}),
// a diagnostic wrapper ({"records":[...]}), a top-level array, one object, or one object per line
// (NDJSON), in any mix. Each record is handed out on its own, with its line, for simdjson.
#ifndef SYNCDOCTOR_PARSERS_JSON_RECORDS_H_
#define SYNCDOCTOR_PARSERS_JSON_RECORDS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "parsers/byte_stream.h"
#include "parsers/status.h"

namespace syncdoctor {

struct JsonRecord {
  std::string_view text;   // the record's bytes; followed by at least 64 readable bytes (padding)
  uint64_t line = 0;       // 1-based line where it starts
  uint64_t offset = 0;     // byte offset where it starts
  bool wrapped = false;    // came from a value[]/records[] array or a top-level array
};

class JsonRecordScanner {
 public:
  using RecordFn = std::function<void(const JsonRecord&)>;
  // A piece of input that is no JSON record: (line, offset, reason, raw text cut to 4 KiB).
  using BadFn = std::function<void(uint64_t, uint64_t, std::string_view, std::string_view)>;
  // A remark about the file that loses no record: (line, message).
  using WarnFn = std::function<void(uint64_t, std::string_view)>;

  explicit JsonRecordScanner(size_t max_record = 64u << 20) : max_record_(max_record) {}
  // Reads `in` to its end. Records and bad pieces arrive in input order.
  Status Scan(ByteStream* in, const RecordFn& on_record, const BadFn& on_bad,
              const WarnFn& on_warn);

 private:
  size_t max_record_;
};

// Removes commas that directly precede `]` or `}` (outside strings): the quirk of documentation
// examples. Returns the number removed.
size_t StripTrailingCommas(std::string* json);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_JSON_RECORDS_H_
