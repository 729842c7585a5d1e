// Tests of every timestamp form of FORMATS.md §5 (parsers/timestamp.h).
#include "parsers/timestamp.h"

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

namespace syncdoctor {
namespace {

// Parses `text`, failing the test when it is refused.
int64_t Ms(const std::string& text) {
  int64_t ms = 0;
  INFO("timestamp: " << text);
  REQUIRE(ParseTimestamp(text, &ms));
  return ms;
}

bool Accepts(const std::string& text) {
  int64_t ms = 0;
  return ParseTimestamp(text, &ms);
}

}  // namespace

TEST_CASE("Timestamp: ISO-8601 with Z and no fraction", "[parsers][timestamp]") {
  CHECK(Ms("2019-05-04T03:00:54Z") == 1556938854000);
  CHECK(Ms("1970-01-01T00:00:01Z") == 1000);
}

TEST_CASE("Timestamp: seven fractional digits keep milliseconds", "[parsers][timestamp]") {
  CHECK(Ms("2018-01-09T21:20:02.7215374Z") == 1515532802721);
}

TEST_CASE("Timestamp: six fractional digits keep milliseconds", "[parsers][timestamp]") {
  CHECK(Ms("2022-08-23T13:36:52.869547Z") == 1661261812869);
}

TEST_CASE("Timestamp: one or two fractional digits are tenths and hundredths",
          "[parsers][timestamp]") {
  CHECK(Ms("2019-05-04T03:00:54.5Z") == 1556938854500);
  CHECK(Ms("2019-05-04T03:00:54.05Z") == 1556938854050);
}

TEST_CASE("Timestamp: +00:00 is UTC", "[parsers][timestamp]") {
  CHECK(Ms("2022-01-22T18:15:02.5168093+00:00") == 1642875302516);
  CHECK(Ms("2015-07-24T19:01:01+00:00") == 1437764461000);
}

TEST_CASE("Timestamp: a positive or negative offset is subtracted to reach UTC",
          "[parsers][timestamp]") {
  CHECK(Ms("2019-05-04T05:00:54+02:00") == Ms("2019-05-04T03:00:54Z"));
  CHECK(Ms("2019-05-04T05:00:54+02:00") == 1556938854000);
  CHECK(Ms("2019-05-03T21:30:54-05:30") == 1556938854000);
  // Across midnight and without the colon.
  CHECK(Ms("2019-05-04T01:00:54+0200") == 1556938854000 - 4 * 3600 * 1000);
}

TEST_CASE("Timestamp: a space instead of T, as inside messages", "[parsers][timestamp]") {
  CHECK(Ms("2021-01-12 21:08:29Z") == 1610485709000);
}

TEST_CASE("Timestamp: no zone means UTC", "[parsers][timestamp]") {
  CHECK(Ms("2019-05-04T03:00:54") == 1556938854000);
  CHECK(Ms("2019-05-04") == 1556928000000);
}

TEST_CASE("Timestamp: PowerShell /Date(ms)/ with and without backslashes",
          "[parsers][timestamp]") {
  CHECK(Ms(R"(\/Date(1563840000000)\/)") == 1563840000000);
  CHECK(Ms("/Date(1563840000000)/") == 1563840000000);
  CHECK(Ms(R"("\/Date(1563840000000)\/")") == 1563840000000);  // still JSON-quoted
  // The offset of /Date(ms+hhmm)/ names the writer's zone; ms is already UTC.
  CHECK(Ms(R"(\/Date(1563840000000+0200)\/)") == 1563840000000);
}

TEST_CASE("Timestamp: the .NET sentinel 0001-01-01T00:00:00Z is no time",
          "[parsers][timestamp]") {
  int64_t ms = 42;
  CHECK_FALSE(ParseTimestamp("0001-01-01T00:00:00Z", &ms));
  CHECK_FALSE(ParseTimestamp("0001-01-01T00:00:00.0000000+00:00", &ms));
}

TEST_CASE("Timestamp: the empty string is no time", "[parsers][timestamp]") {
  int64_t ms = 42;
  CHECK_FALSE(ParseTimestamp("", &ms));
  CHECK_FALSE(ParseTimestamp("   ", &ms));
}

TEST_CASE("Timestamp: garbage is refused", "[parsers][timestamp]") {
  CHECK_FALSE(Accepts("yesterday"));
  CHECK_FALSE(Accepts("xxxx-xx-xxTxx:xx:xx.xxxxxxZ"));  // the PTA doc's placeholder
  CHECK_FALSE(Accepts("2019-13-04T03:00:54Z"));          // month 13
  CHECK_FALSE(Accepts("2019-05-04T25:00:54Z"));          // hour 25
  CHECK_FALSE(Accepts("2019-05-04T03:00:54Zjunk"));
  CHECK_FALSE(Accepts("2019-05-04T03:00:54.Z"));         // a dot without digits
  CHECK_FALSE(Accepts("2019/05/04 03:00:61"));   // second 61
  CHECK_FALSE(Accepts("13/13/2019 10:00"));      // no month 13 either way round
  CHECK_FALSE(Accepts("Jan 2019"));              // no day
  CHECK_FALSE(Accepts("1/9/2007 10:41:00 XM"));  // neither AM nor PM
  CHECK_FALSE(Accepts("1/9/2007 13:41:00 PM"));  // PM after 12
  CHECK_FALSE(Accepts("12345"));                 // a number that is not Unix time
  CHECK_FALSE(Accepts("/Date()/"));
}

TEST_CASE("Timestamp: dates as .NET cultures write them, with AM/PM and an offset",
          "[parsers][timestamp]") {
  // The form issue 19 met: en-US with an offset. 10:41 at +01:00 is 09:41 UTC.
  CHECK(Ms("1/9/2007 10:41:00 AM +01:00") == Ms("2007-01-09T09:41:00Z"));
  CHECK(Ms("1/9/2007 10:41:00 PM +01:00") == Ms("2007-01-09T21:41:00Z"));
  CHECK(Ms("1/9/2007 12:05:00 AM") == Ms("2007-01-09T00:05:00Z"));
  CHECK(Ms("1/9/2007 12:05:00 PM") == Ms("2007-01-09T12:05:00Z"));
  CHECK(Ms("01/09/2007 10:41") == Ms("2007-01-09T10:41:00Z"));
  CHECK(Ms("1/9/2007") == Ms("2007-01-09"));
  CHECK(Ms("25/12/2019 08:00:00") == Ms("2019-12-25T08:00:00Z"));  // first over 12: d/m/y
  CHECK(Ms("09.01.2007 10:41:00") == Ms("2007-01-09T10:41:00Z"));  // de-DE
  CHECK(Ms("2019/05/04 03:00:54") == Ms("2019-05-04T03:00:54Z"));  // ja-JP, zh-CN
  CHECK(Ms("1/9/07 10:41 AM") == Ms("2007-01-09T10:41:00Z"));      // two-digit year
  CHECK(Ms("1/9/2007 10:41:00.123 AM") == Ms("2007-01-09T10:41:00.123Z"));
  CHECK(Ms("1/9/2007 10:41:00 +0130") == Ms("2007-01-09T09:11:00Z"));
  CHECK(Ms("1/9/2007 10:41:00 -05") == Ms("2007-01-09T15:41:00Z"));
  CHECK(Ms("1/9/2007 10:41:00 UTC") == Ms("2007-01-09T10:41:00Z"));
  CHECK(Ms("1/9/2007 10:41:00 (UTC)") == Ms("2007-01-09T10:41:00Z"));
}

TEST_CASE("Timestamp: English month names and weekdays", "[parsers][timestamp]") {
  const int64_t t = 1168335660000;  // 2007-01-09T09:41:00Z
  CHECK(Ms("2007-01-09T09:41:00Z") == t);
  CHECK(Ms("Tue, 09 Jan 2007 09:41:00 GMT") == t);  // RFC 1123, HTTP headers
  CHECK(Ms("Tuesday, January 9, 2007 9:41:00 AM") == t);  // .NET long date
  CHECK(Ms("Jan 9, 2007 9:41 AM") == t);
  CHECK(Ms("9 Jan 2007 09:41:00") == t);
  CHECK(Ms("09-Jan-2007 09:41:00") == t);
  CHECK(Ms("9 January 2007 10:41:00 +01:00") == t);
}

TEST_CASE("Timestamp: bare Unix seconds and milliseconds", "[parsers][timestamp]") {
  CHECK(Ms("1168335660") == 1168335660000);
  CHECK(Ms("1168335660123") == 1168335660123);
}

TEST_CASE("Timestamp: .NET's never in the US form is no time", "[parsers][timestamp]") {
  int64_t ms = 42;
  CHECK(ReadTimestamp("1/1/0001 12:00:00 AM", &ms) == TimeText::kNever);
  CHECK(ReadTimestamp("0001-01-01T00:00:00Z", &ms) == TimeText::kNever);
  CHECK(ReadTimestamp("", &ms) == TimeText::kEmpty);
  CHECK(ReadTimestamp("soon", &ms) == TimeText::kUnread);
  CHECK(ReadTimestamp("1/9/2007 10:41:00 AM +01:00", &ms) == TimeText::kTime);
  CHECK(ms == 1168335660000);
  CHECK(UnreadTimeNote("activityDateTime", "soon") ==
        "activityDateTime 'soon' is in no date form syncdoctor reads: the record is kept without a "
        "time");
}

TEST_CASE("FormatTimestamp: always milliseconds and Z, and 0 is empty", "[parsers][timestamp]") {
  CHECK(FormatTimestamp(1556938854000) == "2019-05-04T03:00:54.000Z");
  CHECK(FormatTimestamp(1515532802721) == "2018-01-09T21:20:02.721Z");
  CHECK(FormatTimestamp(0) == "");
}

TEST_CASE("FormatTimestamp: parsing its output gives the same time back", "[parsers][timestamp]") {
  for (int64_t ms : {int64_t{1556938854000}, int64_t{1515532802721}, int64_t{1563840000000},
                     int64_t{951782400123} /* 2000-02-29 */, int64_t{4102444799999}}) {
    std::string text = FormatTimestamp(ms);
    INFO(text);
    CHECK(Ms(text) == ms);
  }
  CHECK(FormatTimestamp(951782400123) == "2000-02-29T00:00:00.123Z");
}

TEST_CASE("DaysFromCivil: counts days from 1970-01-01", "[parsers][timestamp]") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(DaysFromCivil(1969, 12, 31) == -1);
}

}  // namespace syncdoctor
