// Every timestamp form of FORMATS.md §5, to UTC milliseconds since the epoch.
#ifndef SYNCDOCTOR_PARSERS_TIMESTAMP_H_
#define SYNCDOCTOR_PARSERS_TIMESTAMP_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace syncdoctor {

// Parses, to UTC:
// - ISO-8601 (`2019-05-04T03:00:54Z`, 0-7 fractional digits, `Z` or `+hh:mm`, a space instead of
//   `T`, no zone = UTC) and PowerShell's `/Date(ms)/` (also `\/Date(ms)\/`);
// - dates as .NET cultures and people write them, with an optional weekday, an optional time
//   `h:mm[:ss[.fffffff]]` with or without AM/PM, and an optional zone (`Z`, `UTC`, `GMT`,
//   `+01:00`, `+0100`, `+01`, `(UTC)`; none = UTC): numeric `1/9/2007` (m/d/y as en-US and the
//   portal write it; d/m/y when the first number is over 12), `09.01.2007` (d.m.y),
//   `2007/01/09` (y/m/d), two-digit years; English month names `Jan 9, 2007`, `9 Jan 2007`,
//   `09-Jan-2007`, `Tue, 09 Jan 2007 10:41:00 GMT`;
// - Unix time as a bare 10-digit (seconds) or 13-digit (milliseconds) number.
// .NET's "never" (`0001-01-01T00:00:00Z`, `1/1/0001 12:00:00 AM`) and "" give false: no time.
// Returns false for anything else.
bool ParseTimestamp(std::string_view text, int64_t* ms);

// What a record's time text turned out to be.
enum class TimeText {
  kTime,    // a time: *ms is set
  kEmpty,   // "" or null: the record has no time
  kNever,   // .NET's DateTime.MinValue, a placeholder for "never"
  kUnread,  // text in no form ParseTimestamp reads: say so (UnreadTimeNote)
};
TimeText ReadTimestamp(std::string_view text, int64_t* ms);

// The per-record warning for a time value no form reads: "activityDateTime '...' is in no date
// form syncdoctor reads: the record is kept without a time".
std::string UnreadTimeNote(std::string_view field, std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// "2026-11-17T14:02:11.483Z" (always milliseconds, always Z); "" for 0.
std::string FormatTimestamp(int64_t ms);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_TIMESTAMP_H_
