// A small HTTP load client for `castellan serve`: C connections with
// keep-alive, each sending the same POST in a loop for S seconds. Prints the
// throughput and the median and 99th-percentile latency.
//
//   http_load [--port 8181] [--connections 4] [--seconds 5] [--path /v1/check] BODY_FILE
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int port = 8181, connections = 4, seconds = 5;
  std::string path = "/v1/check", body_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--port") {
      port = std::stoi(next());
    } else if (a == "--connections") {
      connections = std::stoi(next());
    } else if (a == "--seconds") {
      seconds = std::stoi(next());
    } else if (a == "--path") {
      path = next();
    } else {
      body_file = a;
    }
  }
  std::ifstream in(body_file);
  if (!in) {
    std::cerr << "usage: http_load [--port P] [--connections C] [--seconds S] [--path P] BODY\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string body = text.str();

  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> latencies(connections);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      while (!stop) {
        const auto start = std::chrono::steady_clock::now();
        try {
          Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
          request.setKeepAlive(true);
          request.setContentType("application/json");
          request.setContentLength64(static_cast<Poco::Int64>(body.size()));
          session.sendRequest(request) << body;
          Poco::Net::HTTPResponse response;
          std::istream& rs = session.receiveResponse(response);
          rs.ignore(std::numeric_limits<std::streamsize>::max());
          if (response.getStatus() != 200) errors++;
        } catch (const Poco::Exception&) {
          errors++;
          session.reset();
        }
        latencies[c].push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  if (all.empty()) return 1;
  std::printf("requests %zu  errors %ld  throughput %.0f req/s  median %.0f us  p99 %.0f us\n",
              all.size(), errors.load(), all.size() / static_cast<double>(seconds),
              all[all.size() / 2], all[all.size() * 99 / 100]);
  return errors == 0 ? 0 : 1;
}
