#include "parsers/timestamp.h"

#include <cstdio>
#include <vector>

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

namespace {

// A token of a date written for people: a run of digits, a run of letters, or one other byte.
struct DateToken {
  enum Type { kNum, kWord, kSep } type;
  std::string_view text;
  int64_t value = 0;  // kNum
};

bool Tokenize(std::string_view s, std::vector<DateToken>* out) {
  out->clear();
  size_t p = 0;
  while (p < s.size()) {
    char c = s[p];
    if (c == ' ' || c == '\t') {
      ++p;
      continue;
    }
    size_t start = p;
    if (c >= '0' && c <= '9') {
      int64_t v = 0;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (p - start < 18) v = v * 10 + (s[p] - '0');
        ++p;
      }
      out->push_back({DateToken::kNum, s.substr(start, p - start), v});
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      while (p < s.size() && ((s[p] >= 'A' && s[p] <= 'Z') || (s[p] >= 'a' && s[p] <= 'z'))) ++p;
      out->push_back({DateToken::kWord, s.substr(start, p - start), 0});
    } else {
      out->push_back({DateToken::kSep, s.substr(p, 1), 0});
      ++p;
    }
    if (out->size() > 24) return false;  // no date form has this many parts
  }
  return true;
}

bool WordIs(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// 1..12 for an English month name or its three-letter abbreviation ("Sept" too); 0 otherwise.
int MonthOfWord(std::string_view word) {
  static const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                  "july",    "august",   "september", "october", "november", "december"};
  for (int m = 0; m < 12; ++m) {
    std::string_view full = kMonths[m];
    if (WordIs(word, full) || WordIs(word, full.substr(0, 3)) || (m == 8 && WordIs(word, "sept"))) {
      return m + 1;
    }
  }
  return 0;
}

bool IsWeekday(std::string_view word) {
  static const char* kDays[] = {"monday", "tuesday", "wednesday", "thursday",
                                "friday", "saturday", "sunday"};
  for (const char* d : kDays) {
    std::string_view full = d;
    if (WordIs(word, full) || WordIs(word, full.substr(0, 3))) return true;
  }
  return false;
}

int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// The forms people and .NET cultures write (see timestamp.h). Never `*ms` on false.
bool ParseLooseDateTime(std::string_view s, int64_t* ms) {
  std::vector<DateToken> t;
  if (!Tokenize(s, &t) || t.empty()) return false;
  size_t i = 0;
  auto is_sep = [&](size_t k, char c) {
    return k < t.size() && t[k].type == DateToken::kSep && t[k].text[0] == c;
  };
  auto is_num = [&](size_t k) { return k < t.size() && t[k].type == DateToken::kNum; };
  auto is_word = [&](size_t k) { return k < t.size() && t[k].type == DateToken::kWord; };

  // Unix time as a bare number: 10 digits of seconds or 13 of milliseconds.
  if (t.size() == 1 && is_num(0)) {
    if (t[0].text.size() == 10) { *ms = t[0].value * 1000; return true; }
    if (t[0].text.size() == 13) { *ms = t[0].value; return true; }
    return false;
  }
  if (is_word(i) && IsWeekday(t[i].text)) {
    ++i;
    if (is_sep(i, ',')) ++i;
  }
  int64_t y = 0, mo = 0, d = 0;
  size_t year_digits = 0;
  if (is_num(i) && i + 4 < t.size() && t[i + 1].type == DateToken::kSep &&
      (is_sep(i + 1, '/') || is_sep(i + 1, '.') || is_sep(i + 1, '-')) && is_num(i + 2) &&
      is_sep(i + 3, t[i + 1].text[0]) && is_num(i + 4)) {
    // Three numbers: y/m/d when the first has four digits, d.m.y with dots, else m/d/y (en-US,
    // the portal) unless the first number cannot be a month (d/m/y, en-GB and most cultures).
    const DateToken &a = t[i], &b = t[i + 2], &c = t[i + 4];
    char sep = t[i + 1].text[0];
    if (a.text.size() == 4) {
      y = a.value, mo = b.value, d = c.value, year_digits = 4;
    } else if (sep == '.' || a.value > 12) {
      d = a.value, mo = b.value, y = c.value, year_digits = c.text.size();
    } else {
      mo = a.value, d = b.value, y = c.value, year_digits = c.text.size();
    }
    i += 5;
  } else if (is_num(i) && is_word(i + 1 + (is_sep(i + 1, '-') ? 1 : 0))) {
    // "9 Jan 2007", "09-Jan-2007", "9. Januar" is not English and not read.
    d = t[i].value;
    i += 1 + (is_sep(i + 1, '-') ? 1 : 0);
    mo = MonthOfWord(t[i].text);
    ++i;
    if (is_sep(i, '-') || is_sep(i, ',')) ++i;
    if (!is_num(i)) return false;
    y = t[i].value, year_digits = t[i].text.size();
    ++i;
  } else if (is_word(i) && MonthOfWord(t[i].text) != 0 && is_num(i + 1)) {
    // "Jan 9, 2007", "January 9 2007".
    mo = MonthOfWord(t[i].text);
    d = t[i + 1].value;
    i += 2;
    if (is_sep(i, ',')) ++i;
    if (!is_num(i)) return false;
    y = t[i].value, year_digits = t[i].text.size();
    ++i;
  } else {
    return false;
  }
  if (year_digits == 2) {
    y += y < 70 ? 2000 : 1900;
  } else if (year_digits != 4) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(mo))) return false;

  int64_t h = 0, mi = 0, sec = 0, frac = 0, offset_min = 0;
  if (is_sep(i, ',') || (is_word(i) && WordIs(t[i].text, "t"))) ++i;
  if (is_num(i) && is_sep(i + 1, ':') && is_num(i + 2)) {
    h = t[i].value, mi = t[i + 2].value;
    if (t[i].text.size() > 2 || t[i + 2].text.size() != 2) return false;
    i += 3;
    if (is_sep(i, ':') && is_num(i + 1)) {
      if (t[i + 1].text.size() != 2) return false;
      sec = t[i + 1].value;
      i += 2;
      if ((is_sep(i, '.') || is_sep(i, ',')) && is_num(i + 1)) {
        std::string_view f = t[i + 1].text;
        for (size_t k = 0; k < 3; ++k) frac = frac * 10 + (k < f.size() ? f[k] - '0' : 0);
        i += 2;
      }
    }
    if (is_word(i) && (WordIs(t[i].text, "am") || WordIs(t[i].text, "pm"))) {
      if (h < 1 || h > 12) return false;
      bool pm = WordIs(t[i].text, "pm");
      if (h == 12) h = 0;
      if (pm) h += 12;
      ++i;
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
  }
  // The zone: Z, UTC or GMT, then or instead an offset +hh:mm, +hhmm or +hh; "(UTC)" too.
  if (is_sep(i, '(') ) ++i;
  if (is_word(i) && (WordIs(t[i].text, "z") || WordIs(t[i].text, "utc") || WordIs(t[i].text, "gmt"))) {
    ++i;
  }
  if ((is_sep(i, '+') || is_sep(i, '-')) && is_num(i + 1)) {
    int sign = is_sep(i, '-') ? -1 : 1;
    std::string_view n = t[i + 1].text;
    int64_t oh = 0, om = 0;
    if (n.size() == 4) {
      oh = t[i + 1].value / 100, om = t[i + 1].value % 100;
      i += 2;
    } else if (n.size() <= 2) {
      oh = t[i + 1].value;
      i += 2;
      if (is_sep(i, ':') && is_num(i + 1) && t[i + 1].text.size() == 2) {
        om = t[i + 1].value;
        i += 2;
      }
    } else {
      return false;
    }
    if (oh > 14 || om > 59) return false;
    offset_min = sign * (oh * 60 + om);
  }
  if (is_sep(i, ')')) ++i;
  if (i != t.size()) return false;
  if (y <= 1) return false;  // 1/1/0001 12:00:00 AM: .NET's "never"
  *ms = ((DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
          mi * 60 + sec - offset_min * 60) *
         1000) +
        frac;
  return true;
}

}  // namespace

namespace {

// ISO 8601 and its near forms: the fast path of every JSON export.
bool ParseIso(std::string_view s, int64_t* ms) {
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

}  // namespace

bool ParseTimestamp(std::string_view s, int64_t* ms) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
  if (s.empty()) return false;
  if (s.find("Date(") != std::string_view::npos) return ParseMsDate(s, ms);
  return ParseIso(s, ms) || ParseLooseDateTime(s, ms);
}

TimeText ReadTimestamp(std::string_view s, int64_t* ms) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
  if (s.empty() || s == "null") return TimeText::kEmpty;
  if (ParseTimestamp(s, ms)) return TimeText::kTime;
  // .NET's DateTime.MinValue in the forms exports write it: a placeholder for "never".
  if (s.rfind("0001-01-01", 0) == 0 || s.rfind("1/1/0001", 0) == 0 || s.rfind("01/01/0001", 0) == 0 ||
      s.rfind("01.01.0001", 0) == 0) {
    return TimeText::kNever;
  }
  return TimeText::kUnread;
}

std::string UnreadTimeNote(std::string_view field, std::string_view text) {
  std::string shown(text.substr(0, 64));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return std::string(field) + " '" + shown + "' is in no date form syncdoctor reads: the record is kept without a time";
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
