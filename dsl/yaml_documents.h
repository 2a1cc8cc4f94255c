// LoadAllDocuments: YAML::LoadAll without yaml-cpp 0.7's endless loop.
//
// Debian 12's yaml-cpp (0.7.0) loops forever in LoadAll(), appending a null
// document per turn until memory runs out, when a stream holds a token no
// document can start with (a stray ',' or ']' at the top level; yaml-cpp
// issue #1040, fixed upstream in 0.8.0 by PR #1319). Found by the fuzzers
// (fuzz/regressions/policy_loader, fuzz/regressions/entity_file).
//
// This first parses the text with a handler that only notes where each
// document starts: the stuck parser starts every document at the same token,
// so a document starting where the previous one did is thrown as the
// YAML::ParserException a correct parser would throw. Otherwise the stream is
// known to end and YAML::LoadAll runs on it. Throws what LoadAll throws.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>
#include <vector>

namespace castellan::dsl {

namespace internal {

// Records the mark each document starts at, and nothing else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark start = YAML::Mark::null_mark();
};

}  // namespace internal

inline std::vector<YAML::Node> LoadAllDocuments(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  internal::DocumentStarts starts;
  int previous = -1;
  while (parser.HandleNextDocument(starts)) {
    if (starts.start.pos == previous) {
      throw YAML::ParserException(starts.start, "unexpected token: no document can start here");
    }
    previous = starts.start.pos;
  }
  return YAML::LoadAll(text);
}

}  // namespace castellan::dsl
