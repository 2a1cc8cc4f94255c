#include "cli/arguments.h"

namespace castellan::cli {

bool ParseArguments(const std::string& command, const std::vector<std::string>& args,
                    const std::set<std::string>& value_options, const std::string& operand_name,
                    Arguments* out, std::string* error) {
  const std::string prefix = "castellan " + command + ": ";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      out->help = true;
    } else if (value_options.count(a)) {
      if (i + 1 == args.size()) {
        *error = prefix + a + " needs a value";
        return false;
      }
      out->options[a].push_back(args[++i]);
    } else if (a.size() > 1 && a[0] == '-') {
      *error = prefix + "unknown option '" + a + "'";
      return false;
    } else if (!out->operand.empty()) {
      *error =
          prefix + "expected one " + operand_name + ", got '" + out->operand + "' and '" + a + "'";
      return false;
    } else {
      out->operand = a;
    }
  }
  return true;
}

}  // namespace castellan::cli
