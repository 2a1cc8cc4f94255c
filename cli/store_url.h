// Which store a command opens: `--store URL` (sqlite:PATH, a bare PATH, or
// postgresql://...) or `--data-dir DIR` (sqlite:DIR/castellan.db; default
// DIR castellan-data). Shared by import, export and migrate.
#pragma once

#include <string>

#include "cli/arguments.h"

namespace castellan::cli {

inline constexpr const char* kDefaultDataDir = "castellan-data";

// The store URL the options name; false with `error` when both are given or
// the data directory cannot be made. `create` makes a missing data directory
// (mode 0700); without it, a missing directory is an error.
bool ResolveStoreUrl(const Arguments& args, bool create, std::string* url, std::string* error);

}  // namespace castellan::cli
