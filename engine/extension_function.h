// ExtensionFunction: one function of a CEL extension library, declared once
// with its checker signatures, its implementation and its documentation.
//
// Each extension family (strings, math, lists and sets, encoders, optionals)
// lists its functions in one table; the checker environment and the runtime
// registry are both built from those tables (engine/extensions.h), so a
// declared function always has an implementation. The tables are constant.
#pragma once

#include <span>
#include <vector>

#include "engine/function_registry.h"

namespace castellan::engine {

struct ExtensionFunction {
  const char* name;  // as a rule calls it: "charAt", "math.greatest"
  // Checker signatures: ".charAt(string, int) -> string" (a leading '.' is a
  // receiver call) or "math.greatest(int) -> int".
  std::vector<const char*> overloads;
  FunctionImpl impl;
  const char* summary;  // one line
  const char* example;  // a CEL expression that evaluates to true
};

std::span<const ExtensionFunction> StringExtensions();
std::span<const ExtensionFunction> MathExtensions();
std::span<const ExtensionFunction> ListExtensions();  // lists.* and sets.*
std::span<const ExtensionFunction> EncoderExtensions();
std::span<const ExtensionFunction> OptionalExtensions();

}  // namespace castellan::engine
