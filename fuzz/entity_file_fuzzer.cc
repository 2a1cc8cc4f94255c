// Fuzz target: entity files (api::LoadEntityFiles) in YAML and JSON.
//
// The input is one entity file. LoadEntityFiles reads only paths, so the
// input is written to a temporary directory (one per process, removed at
// exit) as entities.json when its first non-blank byte is '{' or '[', else
// as entities.yaml. The loader must report problems as diagnostics and never
// crash; it returns a store exactly when it reports no problem.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "api/entity_file.h"

namespace castellan::api {
namespace {

constexpr size_t kMaxInputBytes = 256 * 1024;

const std::filesystem::path& TempDir() {
  static const std::filesystem::path* dir = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "castellan-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) std::abort();
    static const std::filesystem::path path = pattern;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    });
    return &path;
  }();
  return *dir;
}

bool LooksLikeJson(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

}  // namespace
}  // namespace castellan::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace castellan;
  if (size > api::kMaxInputBytes) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path path =
      api::TempDir() / (api::LooksLikeJson(text) ? "entities.json" : "entities.yaml");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) std::abort();
  }
  api::EntityLoadResult result = api::LoadEntityFiles({path});
  std::filesystem::remove(path);
  if ((result.store != nullptr) != result.diagnostics.empty()) std::abort();
  for (const auto& d : result.diagnostics) (void)d.ToString();
  return 0;
}
