// CheckMapping: the one check of a YAML mapping and its keys that every
// policy document reader uses (dsl/policy_loader.cc, dsl/entity_schema.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace castellan::dsl::internal {

// Reports, through report(mark, message), a `node` that is not a mapping
// (and returns false), else each key that is not in `allowed` (naming the
// keys that are) and each key written twice.
template <typename Report>
bool CheckMapping(const YAML::Node& node, const std::string& what,
                  const std::vector<std::string>& allowed, Report report) {
  if (!node.IsMap()) {
    report(node.Mark(), what + " must be a mapping");
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) report(it->first.Mark(), "duplicate key '" + key + "'");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      report(it->first.Mark(),
             "unknown key '" + key + "' in " + what + " (expected one of: " + list + ")");
    }
  }
  return true;
}

}  // namespace castellan::dsl::internal
