// Runs the real castellan binary, as a user would.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace castellan::testing {

struct CommandRun {
  int exit_code;
  std::string output;  // stdout and stderr
};

// Runs `castellan ARGS` through the shell (so ARGS may redirect stdin).
inline CommandRun Castellan(const std::string& args) {
  const std::string command = std::string(CASTELLAN_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  CommandRun run{-1, ""};
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace castellan::testing
