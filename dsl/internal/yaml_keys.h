// CheckMapping: the one check of a YAML mapping and its keys that every
// policy document reader uses (dsl/policy_loader.cc, dsl/entity_schema.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <set>
#include <string>

namespace castellan::dsl::internal {

// Reports, through report(mark, message), a `node` that is not a mapping
// (and returns false), else each key that is not in `allowed` (naming the
// keys that are) and each key written twice.
template <typename Report>
bool CheckMapping(const YAML::Node& node, const std::string& what,
                  std::initializer_list<const char*> allowed, Report report) {
  if (!node.IsMap()) {
    report(node.Mark(), what + " must be a mapping");
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) report(it->first.Mark(), "duplicate key '" + key + "'");
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) ==
        allowed.end()) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      report(it->first.Mark(),
             "unknown key '" + key + "' in " + what + " (expected one of: " + list + ")");
    }
  }
  return true;
}

}  // namespace castellan::dsl::internal
