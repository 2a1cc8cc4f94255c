// Timestamps and durations as CEL defines them (google.protobuf semantics).
//
// Both are seconds plus nanoseconds with 0 <= nanos < 1e9 (floor-normalised),
// so ordering is lexicographic. Timestamps span 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z. Durations span what 64-bit nanoseconds
// hold (about +-292 years), as in cel-go.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace castellan::engine {

// Nanosecond arithmetic over the whole timestamp range needs more than 64 bits.
__extension__ typedef __int128 Int128;

struct TimeParts {
  int64_t seconds = 0;
  int32_t nanos = 0;  // [0, 1e9)
  friend auto operator<=>(const TimeParts&, const TimeParts&) = default;
};

struct Timestamp : TimeParts {};
struct Duration : TimeParts {};

inline constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// Builds a normalised value from seconds and any nanos; false when out of range.
bool MakeTimestamp(Int128 total_nanos, Timestamp* out);
bool MakeDuration(Int128 total_nanos, Duration* out);
Int128 TotalNanos(const TimeParts& t);

// A point on the system clock as a Timestamp (nanosecond precision).
Timestamp FromSystemClock(std::chrono::system_clock::time_point t);

// RFC 3339 ("2009-02-13T23:31:30.5Z", "...+01:00"). Error text on failure.
std::optional<Timestamp> ParseTimestamp(std::string_view text, std::string* error);
// Go-style durations: "1h30m", "-1.5s", "100ms", "999999999ns".
std::optional<Duration> ParseDuration(std::string_view text, std::string* error);

// "2009-02-13T23:31:30Z" with 0, 3, 6 or 9 fraction digits.
std::string FormatTimestamp(const Timestamp& t);
// "3600s", "1.500s", "-0.000000001s" (protobuf JSON form).
std::string FormatDuration(const Duration& d);

// Calendar fields of a timestamp in a time zone given as "UTC", "Z", a fixed
// offset "+05:30" / "-02:00" / "05:30", or an IANA name ("Australia/Sydney",
// looked up in the system's tz database, /usr/share/zoneinfo).
struct CivilTime {
  int64_t year;
  int month;        // 1-12
  int day;          // 1-31
  int day_of_week;  // 0 = Sunday
  int day_of_year;  // 0-based
  int hour, minute, second;
  int32_t nanos;
};
bool ToCivil(const Timestamp& t, std::string_view zone, CivilTime* out, std::string* error);

}  // namespace castellan::engine
