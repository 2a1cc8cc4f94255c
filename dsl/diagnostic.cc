#include "dsl/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace castellan::dsl {

std::string Diagnostic::ToString() const {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict, GCC bug
  // 105651) on `"literal" + std::string&&` once inlined at -O2.
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
    if (column > 0) {
      out += ':';
      out += std::to_string(column);
    }
  }
  out += ": error: ";
  out += message;
  return out;
}

std::string SourceLine(const std::string& text, int line) {
  if (line <= 0) return {};
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  if (start > text.size()) return {};
  size_t end = text.find('\n', start);
  std::string result =
      text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!result.empty() && result.back() == '\r') result.pop_back();
  return result;
}

std::string FormatDiagnostic(const Diagnostic& d, const std::string* text) {
  std::string out = d.ToString() + "\n";
  if (text == nullptr || d.line <= 0) return out;
  std::string line = SourceLine(*text, d.line);
  if (line.empty() && d.column <= 1) return out;
  out += "  " + line + "\n";
  if (d.column > 0) {
    std::string pad;
    // Keep tabs so the caret lines up under tab-indented text.
    for (int i = 0; i + 1 < d.column && i < static_cast<int>(line.size()); ++i) {
      pad += line[i] == '\t' ? '\t' : ' ';
    }
    out += "  " + pad + "^\n";
  }
  return out;
}

void SortDiagnostics(Diagnostics& diagnostics) {
  auto key = [](const Diagnostic& d) { return std::tie(d.file, d.line, d.column, d.message); };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  diagnostics.erase(
      std::unique(diagnostics.begin(), diagnostics.end(),
                  [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
      diagnostics.end());
}

}  // namespace castellan::dsl
