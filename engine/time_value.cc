#include "engine/time_value.h"

#include <date/tz.h>

#include <cstdio>
#include <limits>

namespace castellan::engine {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool ReadDigits(std::string_view s, size_t& i, size_t n, int64_t* out) {
  if (i + n > s.size()) return false;
  int64_t v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t& i, char c) {
  if (i < s.size() && s[i] == c) {
    ++i;
    return true;
  }
  return false;
}

// Parses "+05:30", "-02:00", "05:30", "UTC", "Z" into seconds east of UTC.
bool ParseZoneOffset(std::string_view zone, int64_t* offset) {
  if (zone == "UTC" || zone == "Z" || zone == "z" || zone == "GMT" || zone == "Etc/UTC") {
    *offset = 0;
    return true;
  }
  size_t i = 0;
  int sign = 1;
  if (Expect(zone, i, '+')) {
    sign = 1;
  } else if (Expect(zone, i, '-')) {
    sign = -1;
  }
  int64_t h, m;
  if (!ReadDigits(zone, i, 2, &h) || !Expect(zone, i, ':') || !ReadDigits(zone, i, 2, &m) ||
      i != zone.size() || h > 23 || m > 59) {
    return false;
  }
  *offset = sign * (h * 3600 + m * 60);
  return true;
}

std::string Fraction(int32_t nanos) {
  if (nanos == 0) return "";
  char buf[16];
  if (nanos % 1000000 == 0) {
    std::snprintf(buf, sizeof buf, ".%03d", nanos / 1000000);
  } else if (nanos % 1000 == 0) {
    std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
  } else {
    std::snprintf(buf, sizeof buf, ".%09d", nanos);
  }
  return buf;
}

}  // namespace

Int128 TotalNanos(const TimeParts& t) {
  return static_cast<Int128>(t.seconds) * kNanosPerSecond + t.nanos;
}

static void Split(Int128 total, TimeParts* out) {
  Int128 s = total / kNanosPerSecond;
  Int128 n = total % kNanosPerSecond;
  if (n < 0) {
    n += kNanosPerSecond;
    s -= 1;
  }
  out->seconds = static_cast<int64_t>(s);
  out->nanos = static_cast<int32_t>(n);
}

bool MakeTimestamp(Int128 total, Timestamp* out) {
  const Int128 lo = static_cast<Int128>(kMinTimestampSeconds) * kNanosPerSecond;
  const Int128 hi = static_cast<Int128>(kMaxTimestampSeconds + 1) * kNanosPerSecond;
  if (total < lo || total >= hi) return false;
  Split(total, out);
  return true;
}

bool MakeDuration(Int128 total, Duration* out) {
  const Int128 limit = std::numeric_limits<int64_t>::max();
  if (total < -limit || total > limit) return false;
  Split(total, out);
  return true;
}

std::optional<Timestamp> ParseTimestamp(std::string_view s, std::string* error) {
  size_t i = 0;
  int64_t year, month, day, hour, minute, second;
  auto bad = [&](const char* why) -> std::optional<Timestamp> {
    if (error) *error = std::string(why) + ": '" + std::string(s) + "'";
    return std::nullopt;
  };
  if (!ReadDigits(s, i, 4, &year) || !Expect(s, i, '-') || !ReadDigits(s, i, 2, &month) ||
      !Expect(s, i, '-') || !ReadDigits(s, i, 2, &day)) {
    return bad("timestamp must look like 2006-01-02T15:04:05Z");
  }
  if (!(Expect(s, i, 'T') || Expect(s, i, 't')) || !ReadDigits(s, i, 2, &hour) ||
      !Expect(s, i, ':') || !ReadDigits(s, i, 2, &minute) || !Expect(s, i, ':') ||
      !ReadDigits(s, i, 2, &second)) {
    return bad("timestamp must look like 2006-01-02T15:04:05Z");
  }
  int64_t nanos = 0;
  if (Expect(s, i, '.')) {
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad("timestamp fraction needs digits");
    for (size_t k = digits; k < 9; ++k) nanos *= 10;
  }
  int64_t offset = 0;
  if (Expect(s, i, 'Z') || Expect(s, i, 'z')) {
    offset = 0;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (!ParseZoneOffset(s.substr(i), &offset)) return bad("invalid UTC offset in timestamp");
    i = s.size();
  } else {
    return bad("timestamp needs a time zone (Z or +hh:mm)");
  }
  if (i != s.size()) return bad("unexpected text after timestamp");
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 60) {
    return bad("timestamp field out of range");
  }
  const int64_t secs =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  Timestamp t;
  if (!MakeTimestamp(static_cast<Int128>(secs) * kNanosPerSecond + nanos, &t)) {
    if (error) *error = "timestamp out of range: '" + std::string(s) + "'";
    return std::nullopt;
  }
  return t;
}

std::optional<Duration> ParseDuration(std::string_view s, std::string* error) {
  auto bad = [&](const char* why) -> std::optional<Duration> {
    if (error) *error = std::string(why) + ": '" + std::string(s) + "'";
    return std::nullopt;
  };
  size_t i = 0;
  bool negative = false;
  if (Expect(s, i, '-')) {
    negative = true;
  } else {
    Expect(s, i, '+');
  }
  if (i >= s.size()) return bad("invalid duration");
  if (s.substr(i) == "0") return Duration{};
  Int128 total = 0;
  const Int128 overflow_guard = static_cast<Int128>(1) << 100;
  while (i < s.size()) {
    Int128 whole = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      whole = whole * 10 + (s[i] - '0');
      if (whole > overflow_guard) return bad("duration out of range");
      ++i;
    }
    Int128 frac = 0, scale = 1;
    if (Expect(s, i, '.')) {
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (scale < static_cast<Int128>(1000000000000000000LL)) {
          frac = frac * 10 + (s[i] - '0');
          scale *= 10;
        }
        ++i;
      }
    }
    if (i == start) return bad("invalid duration");
    Int128 unit;
    if (s.substr(i, 2) == "ns") {
      unit = 1;
      i += 2;
    } else if (s.substr(i, 2) == "us") {
      unit = 1000;
      i += 2;
    } else if (s.substr(i, 3) == "\xC2\xB5s") {
      unit = 1000;
      i += 3;
    } else if (s.substr(i, 2) == "ms") {
      unit = 1000000;
      i += 2;
    } else if (s.substr(i, 1) == "s") {
      unit = kNanosPerSecond;
      i += 1;
    } else if (s.substr(i, 1) == "m") {
      unit = 60 * static_cast<Int128>(kNanosPerSecond);
      i += 1;
    } else if (s.substr(i, 1) == "h") {
      unit = 3600 * static_cast<Int128>(kNanosPerSecond);
      i += 1;
    } else {
      return bad("duration needs a unit (h, m, s, ms, us, ns)");
    }
    total += whole * unit + frac * unit / scale;
    if (total > overflow_guard) return bad("duration out of range");
  }
  Duration d;
  if (!MakeDuration(negative ? -total : total, &d)) return bad("duration out of range");
  return d;
}

std::string FormatTimestamp(const Timestamp& t) {
  CivilTime c;
  ToCivil(t, "", &c, nullptr);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  return std::string(buf) + Fraction(t.nanos) + "Z";
}

std::string FormatDuration(const Duration& d) {
  Int128 total = TotalNanos(d);
  bool negative = total < 0;
  if (negative) total = -total;
  const int64_t secs = static_cast<int64_t>(total / kNanosPerSecond);
  const int32_t nanos = static_cast<int32_t>(total % kNanosPerSecond);
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict, GCC bug
  // 105651) on `"literal" + std::string&&` once inlined at -O2.
  std::string out = negative ? "-" : "";
  out += std::to_string(secs);
  out += Fraction(nanos);
  out += 's';
  return out;
}

namespace {

// The UTC offset of IANA zone `name` (e.g. "Australia/Sydney") at `seconds`
// since the epoch, from the system's tz database (Debian's tzdata, read by
// Howard Hinnant's date library). False when there is no such zone.
bool NamedZoneOffset(std::string_view name, int64_t seconds, int64_t* offset) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    const date::sys_seconds at{std::chrono::seconds(seconds)};
    *offset = zone->get_info(at).offset.count();
    return true;
  } catch (const std::exception&) {  // date throws for a zone it does not know
    return false;
  }
}

}  // namespace

bool ToCivil(const Timestamp& t, std::string_view zone, CivilTime* out, std::string* error) {
  int64_t offset = 0;
  if (!zone.empty() && !ParseZoneOffset(zone, &offset) &&
      !NamedZoneOffset(zone, t.seconds, &offset)) {
    if (error) {
      *error = "unknown time zone '" + std::string(zone) +
               "' (use an IANA name such as Europe/Paris, UTC or +hh:mm)";
    }
    return false;
  }
  const int64_t local = t.seconds + offset;
  int64_t days = local / 86400;
  int64_t rem = local % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  out->year = y;
  out->month = static_cast<int>(m);
  out->day = static_cast<int>(d);
  out->day_of_week = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  out->day_of_year = static_cast<int>(days - DaysFromCivil(y, 1, 1));
  out->hour = static_cast<int>(rem / 3600);
  out->minute = static_cast<int>(rem / 60 % 60);
  out->second = static_cast<int>(rem % 60);
  out->nanos = t.nanos;
  return true;
}

Timestamp FromSystemClock(std::chrono::system_clock::time_point t) {
  Timestamp out;
  MakeTimestamp(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(),
                &out);
  return out;
}

}  // namespace castellan::engine
