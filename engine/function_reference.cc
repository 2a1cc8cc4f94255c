#include "engine/function_reference.h"

namespace castellan::engine {
namespace {

// Text inside a Markdown table cell: a '|' would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Code(std::string_view text) {
  return "`" + Cell(text) + "`";
}

// "_+_" reads better as "+", "@in" as "in", "_[_]" as "[]".
std::string DisplayName(std::string_view name) {
  if (name == "@in") return "in";
  if (name == "_[_]") return "[]";
  if (name == "!_" || name == "-_") return std::string(name.substr(0, 1));
  if (name.size() > 2 && name.front() == '_' && name.back() == '_') {
    return std::string(name.substr(1, name.size() - 2));
  }
  return std::string(name);
}

}  // namespace

std::string FunctionReferenceMarkdown(const Catalogue& catalogue) {
  std::string out;
  out += "### Variables\n\n| variable | type | in | meaning |\n|---|---|---|---|\n";
  for (const auto& v : catalogue.variables()) {
    std::string scopes;
    for (Scope s : v.scopes) {
      scopes += std::string(scopes.empty() ? "" : ", ") + (s == Scope::kRule ? "rules" : "groups");
    }
    out += "| " + Code(v.name) + " | " + Code(v.type) + " | " + scopes + " | " + Cell(v.summary) +
           " |\n";
  }
  const auto& families = catalogue.families();
  for (size_t family = 0; family < families.size(); ++family) {
    out += "\n### " + families[family].heading + "\n\n";
    if (!families[family].description.empty()) out += families[family].description + "\n\n";
    out += "| function | signatures | meaning | example |\n|---|---|---|---|\n";
    for (const auto& f : catalogue.functions()) {
      if (f.family != family) continue;
      std::string signatures;
      for (const auto& o : f.overloads) signatures += (signatures.empty() ? "" : "<br>") + Code(o);
      out += "| " + Code(DisplayName(f.name)) + " | " + signatures + " | " + Cell(f.doc.summary) +
             " | " + Code(f.doc.example) + " |\n";
    }
  }
  return out;
}

std::optional<std::string> WithFunctionReference(std::string_view document,
                                                 const Catalogue& catalogue) {
  const size_t begin = document.find(kFunctionReferenceBegin);
  if (begin == std::string_view::npos) return std::nullopt;
  const size_t body = begin + kFunctionReferenceBegin.size();
  const size_t end = document.find(kFunctionReferenceEnd, body);
  if (end == std::string_view::npos) return std::nullopt;
  std::string out(document.substr(0, body));
  out += "\n\n" + FunctionReferenceMarkdown(catalogue) + "\n";
  out += document.substr(end);
  return out;
}

}  // namespace castellan::engine
