// The batch route in process: DecisionApi::Handle() fed the peers' Castellan
// request bodies (../shared/bench-peers/castellan-bodies.js writes them), one
// after the other on one thread, with no socket in between. What the server
// spends on a request beyond the transport: parsing the JSON, building the
// decision requests, deciding, writing the answer, metrics. A steady loop
// for callgrind and perf (bench/README.md, "Issue 14: decisions over HTTP").
//
//   http_batch_bench DIR [--variant rbac|abac] [--single] [--seconds S]
//                    [--requests N] [--dump FILE]
//
// DIR is the folder castellan-bodies.js wrote (scenario/castellan). Batches
// of 100 by default (bodies-batch100.jsonl), --single for one check a request
// (bodies.jsonl). --requests N: exactly N requests instead of a timed run
// (for callgrind). --dump FILE: every answer once, one a line, in file order,
// with a fixed request id (to compare answers byte for byte across builds).
// Every answer must be 200, or the run fails. Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "server/decision_api.h"
#include "server/metrics.h"
#include "server/service_state.h"

namespace {

using castellan::server::DecisionApi;
using castellan::server::HttpRequest;
using castellan::server::HttpResponse;

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

int Usage() {
  std::cerr << "usage: http_batch_bench DIR [--variant rbac|abac] [--single] [--seconds S]"
               " [--requests N] [--dump FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, variant = "rbac", dump;
  bool single = false;
  double seconds = 5;
  long requests = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--variant") {
      variant = next();
    } else if (a == "--single") {
      single = true;
    } else if (a == "--seconds") {
      seconds = std::stod(next());
    } else if (a == "--requests") {
      requests = std::stol(next());
    } else if (a == "--dump") {
      dump = next();
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      dir = a;
    }
  }
  if (dir.empty() || (variant != "rbac" && variant != "abac")) return Usage();
  const std::string prefix = variant == "rbac" ? "" : "abac-";
  const std::vector<std::string> bodies =
      ReadLines(dir + "/" + prefix + (single ? "bodies.jsonl" : "bodies-batch100.jsonl"));
  if (bodies.empty()) {
    std::cerr << "http_batch_bench: no bodies in " << dir << "\n";
    return 2;
  }

  const auto load_start = std::chrono::steady_clock::now();
  castellan::server::ServiceState state(dir + "/" + variant + "-policies",
                                        {dir + "/" + variant + "-entities.json"});
  const castellan::server::ReloadResult loaded = state.Reload();
  if (!loaded.ok) {
    std::cerr << loaded.formatted;
    return 1;
  }
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
          .count();
  castellan::server::Metrics metrics(DecisionApi::RouteNames());
  castellan::server::ServerConfig config;
  DecisionApi api(state, metrics, config);

  HttpRequest request;
  request.method = "POST";
  request.path = "/v1/check";
  request.content_type = "application/json";
  request.request_id = "bench-1";
  const size_t checks = single ? 1 : 100;

  if (!dump.empty()) {
    std::ofstream out(dump);
    for (const std::string& body : bodies) {
      request.body = body;
      out << api.Handle(request).body << "\n";
    }
  }

  // Bodies are copied into the request as the transport moves them in.
  long done = 0, failed = 0;
  size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (requests >= 0 ? done < requests : elapsed < seconds) {
    for (int k = 0; k < 16 && (requests < 0 || done < requests); ++k) {
      request.body = bodies[next];
      if (++next == bodies.size()) next = 0;
      const HttpResponse response = api.Handle(request);
      if (response.status != 200) {
        if (failed++ == 0) std::cerr << response.status << " " << response.body << "\n";
      }
      ++done;
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::printf(
      "{\"variant\":\"%s\",\"checksPerRequest\":%zu,\"loadMs\":%.0f,\"requests\":%ld,"
      "\"failed\":%ld,\"timedSec\":%.3f,\"requestsPerSec\":%.0f,\"decisionsPerSec\":%.0f}\n",
      variant.c_str(), checks, load_ms, done, failed, elapsed, done / elapsed,
      done * static_cast<double>(checks) / elapsed);
  return failed == 0 ? 0 : 1;
}
