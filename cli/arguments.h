// The command-line shape every castellan subcommand shares: options that take
// a value (`--junit FILE`, repeatable), -h/--help, and at most one operand.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace castellan::cli {

struct Arguments {
  bool help = false;
  std::map<std::string, std::vector<std::string>> options;  // by option name, in order
  std::string operand;                                      // empty when none was given

  // The last value given for `name`, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second.back();
  }
};

// Parses `args` for `command`; on a usage error returns false with `error`
// ("castellan test: --junit needs a value"). `operand_name` names the single
// operand in messages ("directory", "request file"); a lone "-" is an operand.
bool ParseArguments(const std::string& command, const std::vector<std::string>& args,
                    const std::set<std::string>& value_options, const std::string& operand_name,
                    Arguments* out, std::string* error);

}  // namespace castellan::cli
