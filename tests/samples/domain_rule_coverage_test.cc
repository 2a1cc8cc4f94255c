// Every rule of samples/domain-rules.md is proved by sample fixtures on both
// sides, and samples/README.md's table says which cases prove it.
//
// Case names start with the rule ids they prove and the side they show:
// "R000-12 G6 deny - accepting at exactly 48 h". The table in
// samples/README.md is generated from those names; when it is out of date
// this test fails; run it with CASTELLAN_WRITE_RULE_TABLE=1 to rewrite it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "fixtures/suite.h"

namespace castellan {
namespace {

namespace fs = std::filesystem;

// Rules with no decision on one side, and why (also stated in samples/README.md).
const std::map<std::string, std::string> kOneSided = {
    {"R001-07", "a password is never required, so there is nothing to deny"},
    {"R003-13", "a data invariant the entity store checks on write, not a decision"},
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> DomainRuleIds() {
  std::vector<std::string> ids;
  std::istringstream in(ReadFile(CASTELLAN_DOMAIN_RULES));
  static const std::regex kRow(R"(^\| ([GR][0-9-]+) \|)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, kRow)) ids.push_back(m[1]);
  }
  return ids;
}

struct Proof {
  std::string pack, file;
  int line;
};
struct Sides {
  std::vector<Proof> allow, deny;
};

std::map<std::string, Sides> CollectProofs(std::vector<std::string>* problems) {
  std::map<std::string, Sides> proofs;
  static const std::regex kId(R"([GR][0-9]+(-[0-9]+)?)");
  const fs::path samples = fs::path(CASTELLAN_SOURCE_DIR) / "samples";
  for (const auto& path : fixtures::FindSuites(samples)) {
    auto loaded = fixtures::LoadSuite(path);
    if (!loaded.suite) {
      problems->push_back("cannot load " + path.string());
      continue;
    }
    const std::string relative = fs::relative(path, samples).string();
    const std::string pack = relative.substr(0, relative.find('/'));
    for (const auto& c : loaded.suite->cases) {
      std::istringstream words(c.name);
      std::vector<std::string> ids;
      std::string word;
      bool allow = false, deny = false;
      while (words >> word) {
        if (std::regex_match(word, kId)) {
          ids.push_back(word);
          continue;
        }
        allow = word == "allow" || word == "allow/deny" || word == "deny/allow";
        deny = word == "deny" || word == "allow/deny" || word == "deny/allow";
        break;
      }
      if (ids.empty()) continue;
      if (!allow && !deny) {
        problems->push_back(relative + ":" + std::to_string(c.line) +
                            ": after the rule ids a case name says allow, deny or allow/deny");
      }
      for (const auto& id : ids) {
        Proof p{pack, relative, c.line};
        if (allow) proofs[id].allow.push_back(p);
        if (deny) proofs[id].deny.push_back(p);
      }
    }
  }
  return proofs;
}

std::string Links(const std::vector<Proof>& proofs) {
  std::string out;
  for (const auto& p : proofs) {
    if (!out.empty()) out += ", ";
    out += "[" + p.pack + ":" + std::to_string(p.line) + "](" + p.file + "#L" +
           std::to_string(p.line) + ")";
  }
  return out;
}

std::string Table(const std::vector<std::string>& ids, const std::map<std::string, Sides>& proofs) {
  std::string out = "| rule | allowed by | denied by |\n|---|---|---|\n";
  for (const auto& id : ids) {
    auto it = proofs.find(id);
    Sides sides = it == proofs.end() ? Sides{} : it->second;
    std::string allow = Links(sides.allow), deny = Links(sides.deny);
    if (auto one = kOneSided.find(id); one != kOneSided.end()) {
      if (allow.empty()) allow = "none: " + one->second;
      if (deny.empty()) deny = "none: " + one->second;
    }
    out += "| " + id + " | " + allow + " | " + deny + " |\n";
  }
  return out;
}

TEST(DomainRuleCoverage, EveryRuleHasCasesOnBothSides) {
  std::vector<std::string> problems;
  const auto ids = DomainRuleIds();
  ASSERT_GE(ids.size(), 80u) << "could not read " << CASTELLAN_DOMAIN_RULES;
  const auto proofs = CollectProofs(&problems);
  for (const auto& id : ids) {
    auto it = proofs.find(id);
    const bool allow = it != proofs.end() && !it->second.allow.empty();
    const bool deny = it != proofs.end() && !it->second.deny.empty();
    if (kOneSided.count(id)) continue;
    if (!allow) problems.push_back(id + " has no allow case");
    if (!deny) problems.push_back(id + " has no deny case");
  }
  for (const auto& [id, sides] : proofs) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      problems.push_back("a case names " + id + ", which domain-rules.md does not have");
    }
  }
  for (const auto& p : problems) ADD_FAILURE() << p;
}

TEST(DomainRuleCoverage, SamplesReadmeTableIsCurrent) {
  std::vector<std::string> problems;
  const std::string table = Table(DomainRuleIds(), CollectProofs(&problems));
  const std::string readme = ReadFile(fs::path(CASTELLAN_SOURCE_DIR) / "samples" / "README.md");
  const std::string begin = "<!-- rule-table:begin -->\n", end = "<!-- rule-table:end -->";
  const size_t from = readme.find(begin), to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "samples/README.md has no " << begin;
  ASSERT_NE(to, std::string::npos);
  if (std::getenv("CASTELLAN_WRITE_RULE_TABLE")) {
    std::ofstream(fs::path(CASTELLAN_SOURCE_DIR) / "samples" / "README.md")
        << readme.substr(0, from + begin.size()) << table << readme.substr(to);
    return;
  }
  EXPECT_EQ(readme.substr(from + begin.size(), to - from - begin.size()), table)
      << "samples/README.md's table is out of date; rewrite it with\n"
         "  CASTELLAN_WRITE_RULE_TABLE=1 ./scripts/test -R DomainRuleCoverage";
}

}  // namespace
}  // namespace castellan
