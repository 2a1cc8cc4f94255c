#include "storage/data_directory.h"

#include <system_error>

namespace castellan::storage {

namespace fs = std::filesystem;

Status MakePrivateDirectory(const fs::path& dir) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return Status::Ok();
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return Status::Error("cannot make the directory '" + dir.string() + "': " + ec.message());
  return Status::Ok();
}

}  // namespace castellan::storage
