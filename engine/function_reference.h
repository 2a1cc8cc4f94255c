// The function reference of docs/policy-language.md, generated from the
// catalogue (engine/catalogue.h): every variable, and every function with
// its signatures, summary and example, family by family.
//
// The reference sits between two marker lines of the document;
// `castellan functions --write docs/policy-language.md` rewrites
// it there, and tests/engine/catalogue_test.cc fails while the committed
// document differs from the catalogue.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/catalogue.h"

namespace castellan::engine {

inline constexpr std::string_view kFunctionReferenceBegin =
    "<!-- function reference: generated from the catalogue by `castellan functions --write "
    "docs/policy-language.md`; do not edit by hand -->";
inline constexpr std::string_view kFunctionReferenceEnd = "<!-- end of function reference -->";

// The reference as Markdown, markers excluded.
std::string FunctionReferenceMarkdown(const Catalogue& catalogue);

// `document` with the text between its markers replaced by the reference;
// nullopt when the document lacks either marker.
std::optional<std::string> WithFunctionReference(std::string_view document,
                                                 const Catalogue& catalogue);

}  // namespace castellan::engine
