// The CEL extension libraries (strings, math, lists and sets, encoders,
// optionals) added to a checker environment and a function registry, both
// from the same tables (engine/extension_function.h).
#pragma once

#include "dsl/checker.h"
#include "engine/extension_function.h"
#include "engine/function_registry.h"

namespace castellan::engine {

// Every extension family, in the order the documentation lists them.
std::vector<std::span<const ExtensionFunction>> ExtensionFamilies();

void RegisterExtensionFunctions(FunctionRegistry& registry);
void DeclareExtensionFunctions(dsl::CheckEnvironment& env);

}  // namespace castellan::engine
