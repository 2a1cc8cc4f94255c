// castellan_differential: the long differential run (differential.h), in
// chunks with progress on stderr. Exit status 0 only with no disagreement.
//
//   castellan_differential [--seed S] [--first N] [--cases N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/reference/differential.h"

int main(int argc, char** argv) {
  uint64_t seed = 20261128, first = 0, cases = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--seed")) {
      seed = v;
    } else if (!std::strcmp(argv[i], "--first")) {
      first = v;
    } else if (!std::strcmp(argv[i], "--cases")) {
      cases = v;
    } else {
      std::fprintf(stderr, "usage: %s [--seed S] [--first N] [--cases N]\n", argv[0]);
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  castellan::reference::DifferentialStats total;
  constexpr uint64_t kChunk = 50000;  // a multiple of the policy and entity blocks
  for (uint64_t at = first; at < first + cases; at += kChunk) {
    const uint64_t n = std::min(kChunk, first + cases - at);
    std::string report;
    auto stats = castellan::reference::RunDifferential(seed, at, n, &report);
    total.cases += stats.cases;
    total.actions += stats.actions;
    total.allowed += stats.allowed;
    total.disagreements += stats.disagreements;
    total.load_failures += stats.load_failures;
    for (const auto& [code, n] : stats.reason_codes) total.reason_codes[code] += n;
    if (!report.empty()) std::fputs(report.c_str(), stdout);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%llu cases, %llu disagreements, %llu load failures, %.0f s\n",
                 static_cast<unsigned long long>(total.cases),
                 static_cast<unsigned long long>(total.disagreements),
                 static_cast<unsigned long long>(total.load_failures), s);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "seed %llu cases %llu..%llu: %llu cases, %llu actions (%llu allowed), %llu disagreements, "
      "%llu load failures, %.1f s\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(first),
      static_cast<unsigned long long>(first + cases - 1),
      static_cast<unsigned long long>(total.cases), static_cast<unsigned long long>(total.actions),
      static_cast<unsigned long long>(total.allowed),
      static_cast<unsigned long long>(total.disagreements),
      static_cast<unsigned long long>(total.load_failures), s);
  for (const auto& [code, n] : total.reason_codes) {
    std::printf("  %-20s %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  return total.disagreements == 0 && total.load_failures == 0 ? 0 : 1;
}
