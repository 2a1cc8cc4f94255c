// The directory an embedded store's file lives in: made when missing,
// readable by its owner only, since it holds every entity and the decision log.
#pragma once

#include <filesystem>

#include "storage/status.h"

namespace castellan::storage {

// Makes `dir` and its parents when `dir` does not exist, and gives it mode
// 0700; an existing directory is left as it is. An error says which
// directory could not be made and why.
Status MakePrivateDirectory(const std::filesystem::path& dir);

}  // namespace castellan::storage
