// DecisionLog: every action decision the service gives, written to the store
// by a thread of its own (docs/http-api.md, "Decision log").
//
// Record() hands the writer one entry per action decision through a bounded
// lock-free queue; it never blocks and never waits on the database: when the
// queue is full the entry is dropped and counted. The writer thread owns its
// own Store and inserts in batches (up to 500 per transaction, or whatever
// has arrived every 100 ms), prunes entries older than the retention at
// start and hourly, and writes everything queued before it stops. Query()
// reads through a second Store under a mutex, after waiting for what was
// recorded before it. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/decision.h"
#include "server/internal/bounded_queue.h"
#include "storage/store.h"

namespace castellan::server {

class DecisionLog {
 public:
  struct Options {
    size_t queue = 10000;     // entries waiting; past it Record() drops
    int retention_days = 30;  // 0: keep forever
    size_t batch = 500;       // entries per transaction at most
    std::chrono::milliseconds interval{100};
  };

  // `writer` is the writer thread's alone; `reader` serves Query().
  // REQUIRES: both are open and migrated.
  DecisionLog(std::unique_ptr<storage::Store> writer, std::unique_ptr<storage::Store> reader,
              Options options);
  ~DecisionLog();  // Stop()
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  // One entry per action of `decision`; never blocks.
  void Record(const std::string& request_id, const engine::DecisionRequest& request,
              const engine::Decision& decision, uint64_t entity_version);
  // One entry; false when the queue was full (the entry is dropped and counted).
  bool Enqueue(storage::DecisionLogEntry entry);

  // Waits (at most `timeout`) until every entry recorded before the call is
  // written, or failed to write.
  void Flush(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Flushes, then reads one page.
  storage::Status Query(const storage::DecisionFilter& filter,
                        std::vector<storage::DecisionLogEntry>* out, uint64_t* next_after_seq);

  // Writes what is queued and ends the writer thread; Record() then drops.
  void Stop();

  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  uint64_t depth() const;

 private:
  void Run();
  // Writes what is queued now, in batches; false when nothing was.
  bool Drain();
  void Prune();

  const Options options_;
  std::unique_ptr<storage::Store> writer_;
  std::unique_ptr<storage::Store> reader_;
  std::mutex reader_mutex_;
  internal::BoundedQueue<storage::DecisionLogEntry> queue_;

  std::atomic<uint64_t> pushed_{0}, handled_{0}, written_{0}, dropped_{0}, failed_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards the wake-ups below, never the queue
  std::condition_variable wake_, progressed_;
  bool flush_requested_ = false;
  bool stopped_ = false;   // the writer thread has ended
  std::mutex stop_mutex_;  // one Stop() joins
  std::chrono::steady_clock::time_point next_prune_;
  std::thread thread_;
};

}  // namespace castellan::server
