#include "engine/strings_extension.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>
#include <vector>

#include "dsl/literal.h"
#include "engine/catalogue.h"

namespace castellan::engine::strings_extension {
namespace {

using K = Value::Kind;

Value OutOfRange(int64_t i) {
  return Value::Error(ErrorKind::kInvalidArgument, "index out of range: " + std::to_string(i));
}

bool Is(Args a, std::initializer_list<K> kinds) {
  if (a.size() != kinds.size()) return false;
  size_t i = 0;
  for (K k : kinds) {
    if (a[i++].kind() != k) return false;
  }
  return true;
}

// The length of the UTF-8 sequence that starts with byte `c` (1 for a stray byte).
size_t SequenceLength(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// The byte offset of every code point of `s`, and s.size() at the end.
std::vector<size_t> CodePointOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); i += SequenceLength(static_cast<unsigned char>(s[i]))) {
    offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

// The code point index of byte offset `byte`, which starts a code point.
int64_t CodePointIndex(const std::vector<size_t>& offsets, size_t byte) {
  return std::lower_bound(offsets.begin(), offsets.end(), byte) - offsets.begin();
}

uint32_t DecodeAt(std::string_view s, size_t i, size_t* length) {
  const auto c = static_cast<unsigned char>(s[i]);
  *length = std::min(SequenceLength(c), s.size() - i);
  if (*length == 1) return c;
  uint32_t cp = c & (0x7F >> *length);
  for (size_t k = 1; k < *length; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// Unicode White_Space, as Go's unicode.IsSpace (which cel-go's trim uses).
bool IsSpace(uint32_t cp) {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace

Value CharAt(Args a) {
  if (!Is(a, {K::kString, K::kInt})) return NoMatchingOverload("charAt", a);
  const std::string& s = a[0].string_value();
  const auto offsets = CodePointOffsets(s);
  const int64_t i = a[1].int_value();
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  if (i < 0 || i > n) return OutOfRange(i);
  if (i == n) return Value::String("");
  return Value::String(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
}

Value IndexOf(Args a) {
  if (!Is(a, {K::kString, K::kString}) && !Is(a, {K::kString, K::kString, K::kInt})) {
    return NoMatchingOverload("indexOf", a);
  }
  const std::string& s = a[0].string_value();
  const std::string& sub = a[1].string_value();
  const auto offsets = CodePointOffsets(s);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  const int64_t start = a.size() == 3 ? a[2].int_value() : 0;
  if (start < 0 || start > n) return OutOfRange(start);
  const size_t found = s.find(sub, offsets[start]);
  if (found == std::string::npos) return Value::Int(-1);
  return Value::Int(CodePointIndex(offsets, found));
}

Value LastIndexOf(Args a) {
  if (!Is(a, {K::kString, K::kString}) && !Is(a, {K::kString, K::kString, K::kInt})) {
    return NoMatchingOverload("lastIndexOf", a);
  }
  const std::string& s = a[0].string_value();
  const std::string& sub = a[1].string_value();
  const auto offsets = CodePointOffsets(s);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  const int64_t start = a.size() == 3 ? a[2].int_value() : n;
  if (start < 0 || start > n) return OutOfRange(start);
  if (sub.empty()) return Value::Int(start);
  const size_t found = s.rfind(sub, offsets[start]);
  if (found == std::string::npos) return Value::Int(-1);
  return Value::Int(CodePointIndex(offsets, found));
}

Value Join(Args a) {
  if (!Is(a, {K::kList}) && !Is(a, {K::kList, K::kString})) return NoMatchingOverload("join", a);
  const std::string sep = a.size() == 2 ? a[1].string_value() : "";
  std::string out;
  bool first = true;
  for (const Value& item : a[0].list_value()) {
    if (item.kind() != K::kString) return NoMatchingOverload("join", a);
    if (!first) out += sep;
    out += item.string_value();
    first = false;
  }
  return Value::String(std::move(out));
}

Value Split(Args a) {
  if (!Is(a, {K::kString, K::kString}) && !Is(a, {K::kString, K::kString, K::kInt})) {
    return NoMatchingOverload("split", a);
  }
  const std::string& s = a[0].string_value();
  const std::string& sep = a[1].string_value();
  const int64_t limit = a.size() == 3 ? a[2].int_value() : -1;
  ValueList out;
  if (limit == 0) return Value::List(std::move(out));
  if (limit == 1) return Value::List({a[0]});
  // Go's strings.SplitN: at most `limit` parts (all when negative); an empty
  // separator splits between code points.
  size_t pos = 0;
  while (limit < 0 || static_cast<int64_t>(out.size()) < limit - 1) {
    size_t next, skip;
    if (sep.empty()) {
      if (pos >= s.size()) break;
      next = pos + std::min(SequenceLength(static_cast<unsigned char>(s[pos])), s.size() - pos);
      if (next >= s.size()) break;
      skip = 0;
    } else {
      next = s.find(sep, pos);
      if (next == std::string::npos) break;
      skip = sep.size();
    }
    out.push_back(Value::String(s.substr(pos, next - pos)));
    pos = next + skip;
  }
  if (!(sep.empty() && s.empty())) out.push_back(Value::String(s.substr(pos)));
  return Value::List(std::move(out));
}

Value Replace(Args a) {
  if (!Is(a, {K::kString, K::kString, K::kString}) &&
      !Is(a, {K::kString, K::kString, K::kString, K::kInt})) {
    return NoMatchingOverload("replace", a);
  }
  const std::string& s = a[0].string_value();
  const std::string& from = a[1].string_value();
  const std::string& to = a[2].string_value();
  int64_t limit = a.size() == 4 ? a[3].int_value() : -1;
  std::string out;
  size_t pos = 0;
  // Go's strings.Replace: an empty `from` matches before every code point and at the end.
  while (limit != 0 && pos <= s.size()) {
    size_t found = s.find(from, pos);
    if (found == std::string::npos) break;
    out.append(s, pos, found - pos);
    out += to;
    --limit;
    if (from.empty()) {
      if (found >= s.size()) {
        pos = s.size() + 1;
        break;
      }
      const size_t len = SequenceLength(static_cast<unsigned char>(s[found]));
      out.append(s, found, len);
      pos = found + len;
    } else {
      pos = found + from.size();
    }
  }
  if (pos <= s.size()) out.append(s, pos);
  return Value::String(std::move(out));
}

Value Substring(Args a) {
  if (!Is(a, {K::kString, K::kInt}) && !Is(a, {K::kString, K::kInt, K::kInt})) {
    return NoMatchingOverload("substring", a);
  }
  const std::string& s = a[0].string_value();
  const auto offsets = CodePointOffsets(s);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  const int64_t start = a[1].int_value();
  const int64_t end = a.size() == 3 ? a[2].int_value() : n;
  if (start < 0 || start > n) return OutOfRange(start);
  if (end < 0 || end > n) return OutOfRange(end);
  if (start > end) {
    return Value::Error(ErrorKind::kInvalidArgument,
                        "invalid substring range. start: " + std::to_string(start) +
                            ", end: " + std::to_string(end));
  }
  return Value::String(s.substr(offsets[start], offsets[end] - offsets[start]));
}

Value Trim(Args a) {
  if (!Is(a, {K::kString})) return NoMatchingOverload("trim", a);
  const std::string& s = a[0].string_value();
  size_t begin = 0, end = s.size();
  size_t len;
  while (begin < end && IsSpace(DecodeAt(s, begin, &len))) begin += len;
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (!IsSpace(DecodeAt(s, start, &len))) break;
    end = start;
  }
  return Value::String(s.substr(begin, end - begin));
}

Value Reverse(Args a) {
  if (!Is(a, {K::kString})) return NoMatchingOverload("reverse", a);
  const std::string& s = a[0].string_value();
  const auto offsets = CodePointOffsets(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = offsets.size() - 1; i-- > 0;) {
    out.append(s, offsets[i], offsets[i + 1] - offsets[i]);
  }
  return Value::String(std::move(out));
}

Value Quote(Args a) {
  if (!Is(a, {K::kString})) return NoMatchingOverload("strings.quote", a);
  const std::string& s = a[0].string_value();
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        out += c;
    }
  }
  out += '"';
  return Value::String(std::move(out));
}

// ---- format -------------------------------------------------------------------------
namespace {

Value FormatError(std::string message) {
  return Value::Error(ErrorKind::kInvalidArgument,
                      "error during formatting: " + std::move(message));
}

std::string ShortestDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

std::string Printf(const char* spec, double d) {
  char buf[512];
  std::snprintf(buf, sizeof buf, spec, d);
  return buf;
}

std::string InBase(uint64_t magnitude, bool negative, int base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out.push_back(digits[magnitude % base]);
    magnitude /= base;
  } while (magnitude != 0);
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

// An integer clause (%d %b %o %x %X) applied to an int, uint or bool; false
// for other kinds.
bool FormatInteger(const Value& v, int base, bool upper, bool allow_bool, std::string* out) {
  switch (v.kind()) {
    case K::kInt: {
      const int64_t i = v.int_value();
      const uint64_t magnitude = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
      *out = InBase(magnitude, i < 0, base, upper);
      return true;
    }
    case K::kUint:
      *out = InBase(v.uint_value(), false, base, upper);
      return true;
    case K::kBool:
      if (!allow_bool) return false;
      *out = v.bool_value() ? "1" : "0";
      return true;
    default:
      return false;
  }
}

// %f and %e: ints, uints and doubles; NaN and the infinities by name.
bool FormatFloating(const Value& v, char conversion, int precision, std::string* out) {
  double d;
  if (v.kind() == K::kDouble) {
    d = v.double_value();
  } else if (v.kind() == K::kInt) {
    d = static_cast<double>(v.int_value());
  } else if (v.kind() == K::kUint) {
    d = static_cast<double>(v.uint_value());
  } else {
    return false;
  }
  if (std::isnan(d) || std::isinf(d)) {
    *out = ShortestDouble(d);
    return true;
  }
  const std::string spec = "%." + std::to_string(precision) + conversion;
  *out = Printf(spec.c_str(), d);
  return true;
}

std::string HexOf(const std::string& bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

}  // namespace

std::string FormatAsString(const Value& v) {
  switch (v.kind()) {
    case K::kNull:
      return "null";
    case K::kBool:
      return v.bool_value() ? "true" : "false";
    case K::kInt:
      return std::to_string(v.int_value());
    case K::kUint:
      return std::to_string(v.uint_value());
    case K::kDouble:
      return ShortestDouble(v.double_value());
    case K::kString:
      return v.string_value();
    case K::kBytes:
      return v.bytes_value();
    case K::kTimestamp:
      return FormatTimestamp(v.timestamp_value());
    case K::kDuration:
      return FormatDuration(v.duration_value());
    case K::kType:
      return std::string(v.type_value().name);
    case K::kList: {
      std::string out = "[";
      bool first = true;
      for (const Value& item : v.list_value()) {
        out += (first ? "" : ", ") + FormatAsString(item);
        first = false;
      }
      return out + "]";
    }
    case K::kMap: {
      std::vector<std::pair<std::string, std::string>> entries;
      for (const auto& [key, value] : v.map_value().entries()) {
        entries.emplace_back(FormatAsString(key), FormatAsString(value));
      }
      std::sort(entries.begin(), entries.end());
      std::string out = "{";
      bool first = true;
      for (const auto& [key, value] : entries) {
        out += (first ? "" : ", ") + key + ": " + value;
        first = false;
      }
      return out + "}";
    }
    case K::kOptional:
      return v.optional_value() ? "optional(" + FormatAsString(*v.optional_value()) + ")"
                                : "optional.none()";
    case K::kError:
      return v.error_value().message;
  }
  return "";
}

Value Format(Args a) {
  if (!Is(a, {K::kString, K::kList})) return NoMatchingOverload("format", a);
  const std::string& text = a[0].string_value();
  const ValueList& args = a[1].list_value();
  std::string out;
  size_t next_arg = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (++i >= text.size()) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          "could not parse formatting clause: unexpected end of string");
    }
    if (text[i] == '%') {
      out += '%';
      continue;
    }
    int precision = -1;
    if (text[i] == '.') {
      precision = 0;
      while (++i < text.size() && text[i] >= '0' && text[i] <= '9' && precision < 1000) {
        precision = precision * 10 + (text[i] - '0');
      }
      if (i >= text.size()) {
        return Value::Error(ErrorKind::kInvalidArgument,
                            "could not parse formatting clause: unexpected end of string");
      }
    }
    const char clause = text[i];
    if (std::string_view("sdfebxXo").find(clause) == std::string_view::npos) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          std::string("could not parse formatting clause: unrecognized "
                                      "formatting clause \"") +
                              clause + "\"");
    }
    if (next_arg >= args.size()) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          "index " + std::to_string(next_arg) + " out of range");
    }
    const Value& v = args[next_arg++];
    std::string piece;
    switch (clause) {
      case 's':
        piece = FormatAsString(v);
        break;
      case 'd':
        if (v.kind() == K::kDouble && !std::isfinite(v.double_value())) {
          piece = ShortestDouble(v.double_value());
        } else if (!FormatInteger(v, 10, false, false, &piece)) {
          return FormatError("decimal clause can only be used on integers, was given " +
                             std::string(v.TypeName()));
        }
        break;
      case 'f':
      case 'e':
        if (!FormatFloating(v, clause, precision < 0 ? 6 : precision, &piece)) {
          return FormatError(std::string(clause == 'f' ? "fixed-point" : "scientific") +
                             " clause can only be used on doubles, was given " +
                             std::string(v.TypeName()));
        }
        break;
      case 'b':
        if (!FormatInteger(v, 2, false, true, &piece)) {
          return FormatError("only integers and bools can be formatted as binary, was given " +
                             std::string(v.TypeName()));
        }
        break;
      case 'o':
        if (!FormatInteger(v, 8, false, false, &piece)) {
          return FormatError("octal clause can only be used on integers, was given " +
                             std::string(v.TypeName()));
        }
        break;
      default: {  // x, X
        const bool upper = clause == 'X';
        if (v.kind() == K::kString) {
          piece = HexOf(v.string_value(), upper);
        } else if (v.kind() == K::kBytes) {
          piece = HexOf(v.bytes_value(), upper);
        } else if (!FormatInteger(v, 16, upper, false, &piece)) {
          return FormatError(
              "only integers, byte buffers, and strings can be formatted as hex, was given " +
              std::string(v.TypeName()));
        }
      }
    }
    out += piece;
  }
  return Value::String(std::move(out));
}

}  // namespace castellan::engine::strings_extension

namespace castellan::engine {

void AddStringExtensions(Catalogue& c) {
  namespace x = strings_extension;
  c.BeginFamily("Strings extension",
                "CEL's strings extension (cel-go `ext.Strings`, version 3). Strings index by "
                "Unicode code point, not byte; an index outside the string is an error.");
  c.AddFunction("charAt", {".charAt(string, int) -> string"}, x::CharAt,
                {"The code point at an index, or '' at the end of the string.",
                 "'tacocat'.charAt(3) == 'o'"});
  c.AddFunction("indexOf",
                {".indexOf(string, string) -> int", ".indexOf(string, string, int) -> int"},
                x::IndexOf,
                {"The code point index of the first occurrence at or after a start, or -1.",
                 "'ta©o©'.indexOf('©', 3) == 4"});
  c.AddFunction("lastIndexOf",
                {".lastIndexOf(string, string) -> int", ".lastIndexOf(string, string, int) -> int"},
                x::LastIndexOf,
                {"The code point index of the last occurrence at or before a start, or -1.",
                 "'tacocat'.lastIndexOf('at') == 5"});
  c.AddFunction("join", {".join(list(string)) -> string", ".join(list(string), string) -> string"},
                x::Join,
                {"The strings of a list joined, with an optional separator.",
                 "['a', 'b'].join('-') == 'a-b'"});
  c.AddFunction(
      "split",
      {".split(string, string) -> list(string)", ".split(string, string, int) -> list(string)"},
      x::Split,
      {"The parts between separators, at most a limit of them when one is given.",
       "'a,b,c'.split(',', 2) == ['a', 'b,c']"});
  c.AddFunction("replace",
                {".replace(string, string, string) -> string",
                 ".replace(string, string, string, int) -> string"},
                x::Replace,
                {"Every occurrence replaced, or at most a limit of them.",
                 "'a-b-c'.replace('-', '+', 1) == 'a+b-c'"});
  c.AddFunction("substring",
                {".substring(string, int) -> string", ".substring(string, int, int) -> string"},
                x::Substring,
                {"The code points from a start up to an end (exclusive).",
                 "'tacocat'.substring(0, 4) == 'taco'"});
  c.AddFunction(
      "trim", {".trim(string) -> string"}, x::Trim,
      {"The string without leading and trailing Unicode white space.", "'  hi\\n'.trim() == 'hi'"});
  c.AddFunction("reverse", {".reverse(string) -> string"}, x::Reverse,
                {"The code points in reverse order.", "'abc'.reverse() == 'cba'"});
  c.AddFunction("format", {".format(string, list(dyn)) -> string"}, x::Format,
                {"printf-style formatting: %s %d %f %e %b %o %x %X, with %% for a percent sign.",
                 "'%s has %d roles'.format(['ann', 2]) == 'ann has 2 roles'"});
  c.AddFunction("strings.quote", {"strings.quote(string) -> string"}, x::Quote,
                {"The string as a double-quoted CEL literal, with escapes.",
                 "strings.quote('a\\nb') == '\"a\\\\nb\"'"});
}

}  // namespace castellan::engine
