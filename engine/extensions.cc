#include "engine/extensions.h"

namespace castellan::engine {

std::vector<std::span<const ExtensionFunction>> ExtensionFamilies() {
  return {StringExtensions(), MathExtensions(), ListExtensions(), EncoderExtensions(),
          OptionalExtensions()};
}

void RegisterExtensionFunctions(FunctionRegistry& registry) {
  for (auto family : ExtensionFamilies()) {
    for (const ExtensionFunction& f : family) registry.Add(f.name, f.impl);
  }
}

void DeclareExtensionFunctions(dsl::CheckEnvironment& env) {
  for (auto family : ExtensionFamilies()) {
    for (const ExtensionFunction& f : family) {
      for (const char* overload : f.overloads) env.DeclareFunction(overload);
    }
  }
  // Indexing into an optional (`_[_]` is a standard function; its
  // implementation handles optionals).
  env.DeclareFunction("_[_](optional_type(list(A)), int) -> optional_type(A)");
  env.DeclareFunction("_[_](optional_type(map(K, V)), K) -> optional_type(V)");
}

}  // namespace castellan::engine
