// The castellan subcommands. Each takes the arguments after its name and
// returns the process exit code: 0 success, 1 policy or test failures,
// 2 usage errors.
#pragma once

#include <string>
#include <vector>

namespace castellan::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int ValidateCommand(const std::vector<std::string>& args);
int CheckCommand(const std::vector<std::string>& args);
int TestCommand(const std::vector<std::string>& args);
int ServeCommand(const std::vector<std::string>& args);
int FunctionsCommand(const std::vector<std::string>& args);
// Storage (issue 12): entity files into and out of the store, its schema.
int ImportCommand(const std::vector<std::string>& args);
int ExportCommand(const std::vector<std::string>& args);
int MigrateCommand(const std::vector<std::string>& args);

}  // namespace castellan::cli
