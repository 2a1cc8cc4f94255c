// Decoding of literal tokens: numbers, strings and bytes as CEL writes them.
//
// Pure functions over the token text the grammar accepted; errors come back
// as a message and the byte offset inside the token where the problem starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace castellan::dsl {

struct LiteralError {
  std::string message;
  size_t offset = 0;  // byte offset inside the token
};

// Decodes a quoted token such as `'a\n'`, `r"x"`, `b'\xff'` or `'''...'''`.
// Sets *is_bytes for b-prefixed tokens. Strings must be valid UTF-8 and their
// escapes must name Unicode scalar values; bytes may hold anything.
bool DecodeQuoted(std::string_view token, std::string* out, bool* is_bytes, LiteralError* error);

// Parses decimal or 0x-hex int tokens, with an optional leading '-'.
bool DecodeInt(std::string_view token, int64_t* out, LiteralError* error);
// Parses decimal or 0x-hex tokens followed by 'u' or 'U'.
bool DecodeUint(std::string_view token, uint64_t* out, LiteralError* error);
// Parses a floating-point token (strtod semantics, "C" locale).
bool DecodeDouble(std::string_view token, double* out, LiteralError* error);

// Appends the UTF-8 encoding of `code_point` (must be a scalar value).
void AppendUtf8(uint32_t code_point, std::string* out);
// True when `s` is well-formed UTF-8 (no surrogates, no overlongs).
bool IsValidUtf8(std::string_view s);

}  // namespace castellan::dsl
