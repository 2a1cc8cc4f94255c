// ParseStrictJson: the one way a JSON request (an HTTP body, a `castellan
// check` request file, an entity file) becomes a document.
//
// A proxy or policy enforcement point in front of us reads the same bytes
// with its own parser; wherever parsers are allowed to disagree we refuse
// instead of picking a reading. So besides RFC 8259 syntax this refuses:
//  - a key twice in one object (nlohmann keeps the last, many others the first);
//  - a NUL byte anywhere (nlohmann stops at it and ignores the rest);
//  - arrays and objects nested deeper than `max_depth` (hostile input).
// One pass over the text: the document is built by a SAX handler that checks
// as it goes. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace castellan::api {

struct JsonParseError {
  // "invalid_json", "duplicate_key" or "nesting_too_deep".
  std::string code;
  // What went wrong, without the position: e.g. `duplicate key "id" in
  // /principal` (a JSON Pointer, RFC 6901, to the object holding it).
  std::string message;
  size_t offset = 0;  // 0-based byte offset of the problem
  int line = 1;       // 1-based, counted in '\n'
  int column = 1;     // 1-based, in bytes

  // "line 1, column 31: duplicate key ..." for a message without a file name.
  std::string Describe() const;
};

constexpr size_t kDefaultMaxJsonDepth = 64;

// Parses `text` into `out`. On any problem returns false and fills `error`;
// `out` is then unspecified.
bool ParseStrictJson(std::string_view text, nlohmann::json* out, JsonParseError* error,
                     size_t max_depth = kDefaultMaxJsonDepth);

}  // namespace castellan::api
