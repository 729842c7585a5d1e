// CsvReader: RFC 4180 records from a stream: quoted fields with doubled quotes, commas and line
// breaks inside quotes, CRLF or LF, a header row. The stream is read record by record.
#ifndef SYNCDOCTOR_PARSERS_CSV_READER_H_
#define SYNCDOCTOR_PARSERS_CSV_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "parsers/byte_stream.h"
#include "parsers/text_decode.h"

namespace syncdoctor {

class CsvReader {
 public:
  // A record larger than `max_record` bytes is returned cut, with an error.
  explicit CsvReader(ByteStream* in, char separator = ',', size_t max_record = 64u << 20)
      : lines_(in), sep_(separator), max_record_(max_record) {}

  // Reads the next record into *fields. Returns false at the end of input. *error is set (and
  // the record is still returned as far as it goes) for an unterminated quote or an oversize
  // record: "unterminated quoted field (opened on line 9)".
  bool Next(std::vector<std::string>* fields, std::string* error);
  // Line where the last record started (1-based), and its raw text (cut to 4 KiB).
  uint64_t record_line() const { return record_line_; }
  uint64_t record_offset() const { return record_offset_; }
  const std::string& raw() const { return raw_; }
  const Status& status() const { return lines_.status(); }

 private:
  LineReader lines_;
  char sep_;
  size_t max_record_;
  uint64_t record_line_ = 0, record_offset_ = 0;
  std::string raw_;
};

// A header without a bracketed suffix: "TimeGenerated [UTC]" -> "TimeGenerated".
std::string_view CleanHeader(std::string_view name);

// Header normalisation for matching by name: CleanHeader, then lower case with spaces, '_', '.'
// and quotes removed ("Change ID" -> "changeid").
std::string NormalizeHeader(std::string_view name);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_CSV_READER_H_
