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
  CHECK_FALSE(Accepts("2019/05/04 03:00:54"));
  CHECK_FALSE(Accepts("/Date()/"));
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
