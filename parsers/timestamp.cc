#include "parsers/timestamp.h"

#include <cstdio>

namespace syncdoctor {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ParseMsDate(std::string_view s, int64_t* ms) {
  // /Date(1563840000000)/, /Date(1563840000000+0100)/, with optional backslashes.
  size_t p = s.find("Date(");
  if (p == std::string_view::npos) return false;
  p += 5;
  bool neg = false;
  if (p < s.size() && s[p] == '-') { neg = true; ++p; }
  int64_t v = 0;
  size_t start = p;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') v = v * 10 + (s[p++] - '0');
  if (p == start || v == 0) return false;
  *ms = neg ? -v : v;
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "11/17/2026, 2:25:10.123 PM" (the Azure portal's CSV exports, en-US), UTC.
static bool ParseUsDateTime(std::string_view s, int64_t* ms) {
  int mo = 0, d = 0, y = 0, h = 0, mi = 0, sec = 0, frac = 0, frac_digits = 0;
  size_t p = 0;
  auto num = [&](int* out, size_t max_digits) {
    size_t start = p;
    int v = 0;
    while (p < s.size() && p - start < max_digits && s[p] >= '0' && s[p] <= '9') v = v * 10 + (s[p++] - '0');
    *out = v;
    return p > start;
  };
  if (!num(&mo, 2) || p >= s.size() || s[p++] != '/' || !num(&d, 2) || p >= s.size() ||
      s[p++] != '/' || !num(&y, 4)) {
    return false;
  }
  if (p < s.size() && s[p] == ',') ++p;
  while (p < s.size() && s[p] == ' ') ++p;
  if (!num(&h, 2) || p >= s.size() || s[p++] != ':' || !num(&mi, 2)) return false;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!num(&sec, 2)) return false;
  }
  if (p < s.size() && s[p] == '.') {
    ++p;
    size_t start = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (p - start < 3) { frac = frac * 10 + (s[p] - '0'); ++frac_digits; }
      ++p;
    }
  }
  for (; frac_digits < 3; ++frac_digits) frac *= 10;
  while (p < s.size() && s[p] == ' ') ++p;
  std::string_view ampm = s.substr(p);
  if (ampm == "PM" || ampm == "pm") {
    if (h < 12) h += 12;
  } else if (ampm == "AM" || ampm == "am") {
    if (h == 12) h = 0;
  } else if (!ampm.empty()) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1900 || h > 23 || mi > 59 || sec > 60) return false;
  *ms = (DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + sec) * 1000 + frac;
  return true;
}

bool ParseTimestamp(std::string_view s, int64_t* ms) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
  if (s.empty()) return false;
  if (s.find("Date(") != std::string_view::npos) return ParseMsDate(s, ms);
  if (s.size() >= 3 && (s[1] == '/' || s[2] == '/')) return ParseUsDateTime(s, ms);
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  size_t p = 10;
  int frac_ms = 0;
  int64_t offset_min = 0;
  if (p < s.size() && (s[p] == 'T' || s[p] == ' ')) {
    ++p;
    if (!Digits(s, p, 2, &h) || p + 2 >= s.size() || s[p + 2] != ':' ||
        !Digits(s, p + 3, 2, &mi)) {
      return false;
    }
    p += 5;
    if (p < s.size() && s[p] == ':') {
      if (!Digits(s, p + 1, 2, &sec)) return false;
      p += 3;
    }
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      int n = 0;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (n < 3) frac_ms = frac_ms * 10 + (s[p] - '0');
        ++n;
        ++p;
      }
      if (n == 0) return false;
      for (int k = n; k < 3; ++k) frac_ms *= 10;
    }
    while (p < s.size() && s[p] == ' ') ++p;
    if (p < s.size()) {
      if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        int oh, om = 0;
        if (!Digits(s, p + 1, 2, &oh)) return false;
        size_t q = p + 3;
        if (q < s.size() && s[q] == ':') ++q;
        if (q < s.size() && !Digits(s, q, 2, &om)) return false;
        if (q < s.size()) q += 2;
        offset_min = (s[p] == '-' ? -1 : 1) * (oh * 60 + om);
        p = q;
      } else if (s.substr(p) == "UTC") {
        p = s.size();
      }
    }
    if (p != s.size()) return false;
    if (h > 23 || mi > 59 || sec > 60) return false;
  } else if (p != s.size()) {
    return false;
  }
  if (y <= 1) return false;  // 0001-01-01T00:00:00Z: .NET's "never"
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  *ms = secs * 1000 + frac_ms;
  return true;
}

std::string FormatTimestamp(int64_t ms) {
  if (ms == 0) return "";
  int64_t secs = ms / 1000;
  int64_t rem = ms % 1000;
  if (rem < 0) { rem += 1000; --secs; }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) { sod += 86400; --days; }
  // civil_from_days (Howard Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(y), m, d, static_cast<int>(sod / 3600),
                static_cast<int>((sod / 60) % 60), static_cast<int>(sod % 60),
                static_cast<int>(rem));
  return buf;
}

}  // namespace syncdoctor
