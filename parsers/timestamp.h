// Every timestamp form of FORMATS.md §5, to UTC milliseconds since the epoch.
#ifndef SYNCDOCTOR_PARSERS_TIMESTAMP_H_
#define SYNCDOCTOR_PARSERS_TIMESTAMP_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace syncdoctor {

// Parses ISO-8601 (`2019-05-04T03:00:54Z`, 0-7 fractional digits, `Z` or `+hh:mm`, a space instead
// of `T`, no zone = UTC) and PowerShell's `/Date(ms)/` (also `\/Date(ms)\/`). The .NET sentinel
// `0001-01-01T00:00:00Z` and "" give false: no time. Also the en-US form of the Azure portal's
// CSV exports, `11/17/2026, 2:25:10.123 PM`, read as UTC. Returns false for anything else.
bool ParseTimestamp(std::string_view text, int64_t* ms);

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// "2026-11-17T14:02:11.483Z" (always milliseconds, always Z); "" for 0.
std::string FormatTimestamp(int64_t ms);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_TIMESTAMP_H_
