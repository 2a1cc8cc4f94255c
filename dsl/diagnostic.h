// Diagnostic: one problem in a user's policy files, with the place it was found.
//
// Problems that users cause are values, never exceptions: every stage appends
// to a Diagnostics list and the caller reports the whole list at once. Lines
// and columns are 1-based; column counts bytes from the start of the line.
#pragma once

#include <string>
#include <vector>

namespace castellan::dsl {

struct SourcePosition {
  int line = 0;    // 1-based; 0 means "unknown"
  int column = 0;  // 1-based byte column
};

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  // A short category: "yaml", "schema", "syntax", "type", "reference",
  // "cycle", "duplicate", or "unsupported" (a CEL feature outside the subset).
  std::string code;

  // "file:line:column: error: message" (no source excerpt).
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

// Formats every diagnostic as "file:line:column: error: message", followed by
// the offending source line and a caret under the column when `source_text`
// can supply the line. `source_text(file)` returns nullptr for unknown files.
// Diagnostics are sorted by file, line and column first.
template <typename SourceLookup>
std::string FormatDiagnostics(Diagnostics diagnostics, SourceLookup source_text);

// The source line (without its newline) at 1-based `line` of `text`, or an
// empty string when out of range.
std::string SourceLine(const std::string& text, int line);

// Renders one diagnostic with its source excerpt (text may be null).
std::string FormatDiagnostic(const Diagnostic& d, const std::string* text);

// Sorts by file, line, column, then message, and removes exact duplicates.
void SortDiagnostics(Diagnostics& diagnostics);

template <typename SourceLookup>
std::string FormatDiagnostics(Diagnostics diagnostics, SourceLookup source_text) {
  SortDiagnostics(diagnostics);
  std::string out;
  for (const Diagnostic& d : diagnostics) out += FormatDiagnostic(d, source_text(d.file));
  return out;
}

}  // namespace castellan::dsl
