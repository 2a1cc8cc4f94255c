// A write the server acknowledged survives a SIGKILL: a stream of entity
// writes (PUTs of users with increasing counters, PATCHes in between) runs
// against `castellan serve` on SQLite until the server is killed mid-stream;
// after a restart on the same data directory every acknowledged write is
// there with its ETag, no user is a mix of two writes, and the data version
// is at least the last acknowledged one.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "pack_integration.h"

namespace castellan::testing {
namespace {

constexpr int kUsers = 16;
constexpr int kAcknowledgedBeforeKill = 150;

std::string UserId(int u) {
  return "crash" + std::to_string(u) + "@acme.example";
}

// Write number `n` for user `u`: every attribute depends on n, so a body made
// of two writes cannot equal any one of them.
json UserBody(int u, int n) {
  return {{"id", UserId(u)},
          {"org", "acme"},
          {"status", n % 3 == 0 ? "pending" : "active"},
          {"email", "crash" + std::to_string(u) + "+" + std::to_string(n) + "@acme.example"},
          {"roles", n % 2 == 0 ? json{"partner.user"} : json{"partner.admin"}},
          {"customer_access", {{"customers", n % 2 == 0 ? json{"contoso"} : json{"fabrikam"}}}}};
}

// What the test knows about one user's writes.
struct History {
  std::vector<json> sent;   // every body the server may have stored, in order
  size_t acknowledged = 0;  // sent[acknowledged - 1] is the last acknowledged one
  uint64_t etag = 0;        // its ETag
};

TEST(CrashRecovery, EveryAcknowledgedWriteSurvivesSigkill) {
  Server server(CASTELLAN_SOURCE_DIR "/policies", {}, EmptyStore());
  ASSERT_NE(server.port(), 0) << server.Log();
  const json pack = EntityFileJson(CASTELLAN_SOURCE_DIR "/policies/entities.yaml");
  const Reply imported = server.Call("POST", "/v1/entities:import", pack.dump(), kEntityWriter);
  ASSERT_EQ(imported.status, 200) << imported.body;

  std::vector<History> users(kUsers);
  std::mutex mu;  // guards `users` and `last_acknowledged`
  uint64_t last_acknowledged = 0;
  std::atomic<int> acknowledged{0};
  std::atomic<bool> killed{false}, failed{false};
  std::string unexpected;  // an answer that was neither a success nor a dead server

  std::thread writer([&] {
    for (int n = 1; n < 1000000; ++n) {
      const int u = n % kUsers;
      json body;
      Reply r;
      std::unique_lock<std::mutex> lock(mu);
      History& h = users[u];
      const bool patch = n % 5 == 0 && h.acknowledged > 0;
      if (patch) {
        // A merge patch of two attributes, conditional on the last ETag.
        const json change = {{"status", "disabled"},
                             {"email", "patched" + std::to_string(n) + "@acme.example"}};
        body = h.sent[h.acknowledged - 1];
        body.merge_patch(change);
        h.sent.push_back(body);
        const std::string if_match = "\"" + std::to_string(h.etag) + "\"";
        lock.unlock();
        r = EntityCall(server, "PATCH", "user", UserId(u), change.dump(), {{"If-Match", if_match}},
                       "application/merge-patch+json");
      } else {
        body = UserBody(u, n);
        h.sent.push_back(body);
        lock.unlock();
        r = EntityCall(server, "PUT", "user", UserId(u), body.dump());
      }
      if (r.status == 0) break;  // the server is gone
      lock.lock();
      if (r.status != 200 && r.status != 201) {
        unexpected = std::to_string(r.status) + " " + r.body;
        failed = true;
        break;
      }
      h.acknowledged = h.sent.size();
      h.etag = ETagVersion(r);
      last_acknowledged = std::max(last_acknowledged, h.etag);
      ++acknowledged;
      if (killed) break;  // answered in the instant of the kill: keep it, stop
    }
  });
  // The kill lands while the writer is sending: it never pauses.
  while (acknowledged < kAcknowledgedBeforeKill && !failed && ::kill(server.pid(), 0) == 0) {
    std::this_thread::yield();
  }
  server.Kill();
  killed = true;
  writer.join();
  ASSERT_EQ(unexpected, "") << server.Log();
  ASSERT_GE(acknowledged, kAcknowledgedBeforeKill) << server.Log();

  server.Restart();
  ASSERT_NE(server.port(), 0) << "no restart on the same data directory:\n" << server.Log();
  int checked = 0;
  for (int u = 0; u < kUsers; ++u) {
    const History& h = users[u];
    if (h.acknowledged == 0) continue;
    const Reply r = EntityCall(server, "GET", "user", UserId(u));
    ASSERT_EQ(r.status, 200) << UserId(u) << " lost: " << r.body;
    const json stored = r.Json();
    const uint64_t etag = ETagVersion(r);
    if (etag == h.etag) {
      EXPECT_EQ(stored, h.sent[h.acknowledged - 1]) << UserId(u) << " at its acknowledged ETag";
    } else {
      // Only the write in flight at the kill may have landed unacknowledged.
      EXPECT_GT(etag, h.etag) << UserId(u) << ": older than acknowledged";
      EXPECT_EQ(h.sent.size(), h.acknowledged + 1) << UserId(u);
      EXPECT_EQ(stored, h.sent.back()) << UserId(u) << ": neither acknowledged nor in flight";
    }
    ++checked;
  }
  EXPECT_EQ(checked, kUsers);
  const Reply check =
      server.Post("/v1/check", Check("olivia@acme.example", "acme", {"company.view"}));
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_GE(check.Json().value("entity_version", uint64_t{0}), last_acknowledged) << check.body;
  std::cout << acknowledged << " writes acknowledged before the SIGKILL, last data version "
            << last_acknowledged << "\n";
}

}  // namespace
}  // namespace castellan::testing
