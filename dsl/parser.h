// Parses one expression of the policy language into an AST.
//
// The grammar is in internal/grammar.h; this file turns PEGTL's parse tree
// into Expr nodes, decodes literals and expands macros. Every node records
// its position in the policy file through a SourceMap, so errors inside an
// expression embedded in YAML point into the YAML file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"

namespace castellan::dsl {

// Where each byte of an expression's text sits in its file.
class SourceMap {
 public:
  // Text written as-is starting at `start` (newlines start new lines).
  static SourceMap Contiguous(std::string_view text, SourcePosition start = {1, 1});
  // One position per byte of the text, plus one for its end.
  explicit SourceMap(std::vector<SourcePosition> positions) : positions_(std::move(positions)) {}

  SourcePosition At(size_t offset) const;

 private:
  std::vector<SourcePosition> positions_;
};

struct ParseResult {
  ExprPtr expr;  // null when diagnostics holds an error
  Diagnostics diagnostics;
};

struct ParseOptions {
  bool enable_macros = true;  // expand has/all/exists/... (CEL's default)
};

// Parses `text`. Diagnostics name `file` and positions from `map`.
ParseResult ParseExpression(std::string_view text, const std::string& file, const SourceMap& map,
                            const ParseOptions& options = {});

// Convenience for tests and tools: the text is the whole file `file`.
ParseResult ParseExpression(std::string_view text, const std::string& file = "<expr>");

}  // namespace castellan::dsl
