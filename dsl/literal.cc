#include "dsl/literal.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace castellan::dsl {
namespace {

// Wide enough to detect 64-bit overflow while accumulating digits.
__extension__ typedef unsigned __int128 Uint128;
__extension__ typedef __int128 Int128;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Fail(LiteralError* error, size_t offset, std::string message) {
  if (error) *error = {std::move(message), offset};
  return false;
}

// Reads `count` hex digits at body[i...]; returns -1 when they are not hex.
int64_t ReadHex(std::string_view body, size_t i, size_t count) {
  if (i + count > body.size()) return -1;
  int64_t value = 0;
  for (size_t k = 0; k < count; ++k) {
    int h = HexValue(body[i + k]);
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

}  // namespace

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool DecodeQuoted(std::string_view token, std::string* out, bool* is_bytes, LiteralError* error) {
  size_t i = 0;
  bool raw = false;
  *is_bytes = false;
  while (i < token.size() && token[i] != '"' && token[i] != '\'') {
    char c = token[i];
    if (c == 'r' || c == 'R') raw = true;
    if (c == 'b' || c == 'B') *is_bytes = true;
    ++i;
  }
  const size_t prefix = i;
  if (i >= token.size()) return Fail(error, 0, "malformed string literal");
  const char quote = token[i];
  size_t quote_len = 1;
  if (token.size() - i >= 6 && token[i + 1] == quote && token[i + 2] == quote) quote_len = 3;
  if (token.size() < prefix + 2 * quote_len) return Fail(error, 0, "malformed string literal");
  const size_t body_start = prefix + quote_len;
  std::string_view body = token.substr(body_start, token.size() - body_start - quote_len);

  out->clear();
  for (size_t k = 0; k < body.size();) {
    char c = body[k];
    if (c != '\\' || raw) {
      out->push_back(c);
      ++k;
      continue;
    }
    const size_t at = body_start + k;
    if (k + 1 >= body.size()) return Fail(error, at, "incomplete escape sequence");
    char e = body[k + 1];
    k += 2;
    switch (e) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '?':
        out->push_back('?');
        break;
      case '"':
        out->push_back('"');
        break;
      case '\'':
        out->push_back('\'');
        break;
      case '`':
        out->push_back('`');
        break;
      case 'x':
      case 'X': {
        int64_t v = ReadHex(body, k, 2);
        if (v < 0) return Fail(error, at, "\\x must be followed by two hex digits");
        k += 2;
        if (*is_bytes) {
          out->push_back(static_cast<char>(v));
        } else {
          AppendUtf8(static_cast<uint32_t>(v), out);
        }
        break;
      }
      case 'u':
      case 'U': {
        if (*is_bytes)
          return Fail(error, at, "\\u and \\U escapes are not allowed in bytes literals");
        size_t count = e == 'u' ? 4 : 8;
        int64_t v = ReadHex(body, k, count);
        if (v < 0) {
          return Fail(error, at,
                      std::string("\\") + e + " must be followed by " + std::to_string(count) +
                          " hex digits");
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
          return Fail(error, at, "escape does not name a Unicode scalar value");
        }
        k += count;
        AppendUtf8(static_cast<uint32_t>(v), out);
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3': {
        if (k + 2 > body.size()) return Fail(error, at, "octal escapes need three digits");
        char d1 = body[k], d2 = body[k + 1];
        if (d1 < '0' || d1 > '7' || d2 < '0' || d2 > '7') {
          return Fail(error, at, "octal escapes need three digits");
        }
        int v = (e - '0') * 64 + (d1 - '0') * 8 + (d2 - '0');
        k += 2;
        if (*is_bytes) {
          out->push_back(static_cast<char>(v));
        } else {
          AppendUtf8(static_cast<uint32_t>(v), out);
        }
        break;
      }
      default:
        return Fail(error, at, std::string("unknown escape sequence '\\") + e + "'");
    }
  }
  if (!*is_bytes && !IsValidUtf8(*out)) return Fail(error, 0, "string literal is not valid UTF-8");
  return true;
}

bool DecodeInt(std::string_view token, int64_t* out, LiteralError* error) {
  bool negative = !token.empty() && token[0] == '-';
  std::string_view digits = negative ? token.substr(1) : token;
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  Uint128 value = 0;
  for (char c : digits) {
    value = value * base + static_cast<unsigned>(HexValue(c));
    if (value > static_cast<Uint128>(std::numeric_limits<int64_t>::max()) + 1) {
      return Fail(error, 0, "integer literal is out of range for int (add 'u' for uint)");
    }
  }
  if (!negative && value > static_cast<Uint128>(std::numeric_limits<int64_t>::max())) {
    return Fail(error, 0, "integer literal is out of range for int (add 'u' for uint)");
  }
  *out = negative ? static_cast<int64_t>(-static_cast<Int128>(value)) : static_cast<int64_t>(value);
  return true;
}

bool DecodeUint(std::string_view token, uint64_t* out, LiteralError* error) {
  std::string_view digits = token.substr(0, token.size() - 1);  // drop the u
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  Uint128 value = 0;
  for (char c : digits) {
    value = value * base + static_cast<unsigned>(HexValue(c));
    if (value > std::numeric_limits<uint64_t>::max()) {
      return Fail(error, 0, "integer literal is out of range for uint");
    }
  }
  *out = static_cast<uint64_t>(value);
  return true;
}

bool DecodeDouble(std::string_view token, double* out, LiteralError* error) {
  std::string copy(token);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return Fail(error, 0, "malformed floating-point literal");
  // Overflow to infinity is CEL's behaviour for too-large literals; keep it.
  *out = v;
  return true;
}

}  // namespace castellan::dsl
