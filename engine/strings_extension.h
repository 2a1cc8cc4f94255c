// CEL's strings extension (cel-go ext/strings.go), version 3: charAt,
// indexOf, lastIndexOf, join, split, replace, substring, trim, reverse,
// format and strings.quote. (lowerAscii and upperAscii are standard functions.)
//
// CEL strings index by Unicode code point, not byte: 'ta©o'.charAt(2) is '©'.
// Indexes outside the string are error values. Every function is pure and
// safe to call from many threads.
// AddStringExtensions (declared in engine/catalogue.h) adds them to the catalogue.
#pragma once

#include <span>
#include <string>

#include "engine/value.h"

namespace castellan::engine::strings_extension {

using Args = std::span<const Value>;

Value CharAt(Args a);       // s.charAt(int) -> string
Value IndexOf(Args a);      // s.indexOf(string [, int]) -> int
Value LastIndexOf(Args a);  // s.lastIndexOf(string [, int]) -> int
Value Join(Args a);         // list(string).join([string]) -> string
Value Split(Args a);        // s.split(string [, int]) -> list(string)
Value Replace(Args a);      // s.replace(string, string [, int]) -> string
Value Substring(Args a);    // s.substring(int [, int]) -> string
Value Trim(Args a);         // s.trim() -> string
Value Reverse(Args a);      // s.reverse() -> string
Value Format(Args a);       // s.format(list) -> string, printf-like: %s %d %f %e %b %o %x %X %%
Value Quote(Args a);        // strings.quote(string) -> string

// How format's %s writes a value: strings as they are, lists and maps
// bracketed with their elements written the same way, maps sorted by key.
std::string FormatAsString(const Value& v);

}  // namespace castellan::engine::strings_extension
