#include "cli/store_url.h"

#include <filesystem>
#include <system_error>

#include "storage/data_directory.h"

namespace castellan::cli {

bool ResolveStoreUrl(const Arguments& args, bool create, std::string* url, std::string* error) {
  const bool has_store = args.options.count("--store") > 0;
  const bool has_dir = args.options.count("--data-dir") > 0;
  if (has_store && has_dir) {
    *error = "--store and --data-dir name two stores: give one";
    return false;
  }
  if (has_store) {
    *url = args.Get("--store");
    return true;
  }
  const std::filesystem::path dir = args.Get("--data-dir", kDefaultDataDir);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    if (!create) {
      *error = "no data directory '" + dir.string() + "' (castellan migrate or import makes one)";
      return false;
    }
    const storage::Status made = storage::MakePrivateDirectory(dir);
    if (!made.ok()) {
      *error = "cannot make the data directory: " + made.message();
      return false;
    }
  }
  *url = "sqlite:" + (dir / "castellan.db").string();
  return true;
}

}  // namespace castellan::cli
