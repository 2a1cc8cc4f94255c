// The decision log: never blocks a decision, counts what it drops, writes
// everything it accepted (in batches) before it stops.
#include "server/decision_log.h"

#include <gtest/gtest.h>

#include <mutex>

namespace castellan::server {
namespace {

using storage::DecisionLogEntry;
using storage::Status;

// Keeps appended decisions in memory; the entity methods are not used.
class MemoryStore final : public storage::Store {
 public:
  struct Shared {
    std::mutex mutex;
    std::vector<DecisionLogEntry> rows;
    std::vector<size_t> batches;  // the size of each AppendDecisions call
    uint64_t pruned_before_calls = 0;
  };
  explicit MemoryStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  std::string_view backend() const override { return "memory"; }
  Status Migrate(int*) override { return Status::Ok(); }
  Status SchemaVersion(int*) override { return Status::Ok(); }
  Status DataVersion(uint64_t*) override { return Status::Ok(); }
  Status LoadAll(std::vector<storage::StoredEntity>*, uint64_t*) override { return Unused(); }
  Status Get(std::string_view, std::string_view, std::optional<storage::StoredEntity>*) override {
    return Unused();
  }
  Status List(const storage::EntityFilter&, std::vector<storage::StoredEntity>*,
              std::string*) override {
    return Unused();
  }
  Status Put(const engine::EntityRecord&, const storage::Precondition&,
             storage::WriteResult*) override {
    return Unused();
  }
  Status Delete(std::string_view, std::string_view, const storage::Precondition&,
                storage::WriteResult*) override {
    return Unused();
  }
  Status Import(const std::vector<engine::EntityRecord>&, bool, storage::WriteResult*) override {
    return Unused();
  }
  Status AppendDecisions(std::vector<DecisionLogEntry>* entries) override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->batches.push_back(entries->size());
    for (auto& e : *entries) {
      e.seq = shared_->rows.size() + 1;
      shared_->rows.push_back(e);
    }
    return Status::Ok();
  }
  Status QueryDecisions(const storage::DecisionFilter& filter, std::vector<DecisionLogEntry>* out,
                        uint64_t* next) override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    out->clear();
    for (const auto& e : shared_->rows) {
      if (e.seq > filter.after_seq && (filter.effect.empty() || e.effect == filter.effect)) {
        out->push_back(e);
      }
    }
    *next = 0;
    return Status::Ok();
  }
  Status DeleteDecisionsBefore(std::chrono::system_clock::time_point, uint64_t* deleted) override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    ++shared_->pruned_before_calls;
    *deleted = 0;
    return Status::Ok();
  }

 private:
  static Status Unused() { return Status::Error("not used by the decision log"); }
  std::shared_ptr<Shared> shared_;
};

struct Fixture {
  explicit Fixture(DecisionLog::Options options)
      : shared(std::make_shared<MemoryStore::Shared>()),
        log(std::make_unique<MemoryStore>(shared), std::make_unique<MemoryStore>(shared), options) {
  }
  std::shared_ptr<MemoryStore::Shared> shared;
  DecisionLog log;
};

DecisionLogEntry Entry(const std::string& action, const std::string& effect = "deny") {
  DecisionLogEntry e;
  e.principal = "alice";
  e.action = action;
  e.effect = effect;
  return e;
}

// The writer wakes only when asked (a flush, a stop), so the queue fills
// exactly as the test says.
DecisionLog::Options Sleepy(size_t queue, size_t batch = 500) {
  DecisionLog::Options o;
  o.queue = queue;
  o.batch = batch;
  o.interval = std::chrono::hours(1);
  return o;
}

TEST(DecisionLog, AFullQueueDropsAndCountsWithoutBlocking) {
  Fixture f(Sleepy(4));
  for (int i = 0; i < 7; ++i) f.log.Enqueue(Entry("a" + std::to_string(i)));
  EXPECT_EQ(f.log.dropped(), 3u);
  EXPECT_EQ(f.log.depth(), 4u);
  EXPECT_EQ(f.log.written(), 0u);
  f.log.Flush();
  EXPECT_EQ(f.log.written(), 4u);
  EXPECT_EQ(f.log.depth(), 0u);
  std::lock_guard<std::mutex> lock(f.shared->mutex);
  ASSERT_EQ(f.shared->rows.size(), 4u);
  EXPECT_EQ(f.shared->rows[0].action, "a0");
  EXPECT_EQ(f.shared->rows[3].action, "a3") << "the first four, in order";
}

TEST(DecisionLog, WritesInBatchesOfAtMostTheBatchSize) {
  Fixture f(Sleepy(100, 3));
  for (int i = 0; i < 8; ++i) f.log.Enqueue(Entry("a"));
  f.log.Flush();
  std::lock_guard<std::mutex> lock(f.shared->mutex);
  EXPECT_EQ(f.shared->batches, (std::vector<size_t>{3, 3, 2}));
}

TEST(DecisionLog, StopWritesEverythingQueuedAndLaterEntriesAreDropped) {
  Fixture f(Sleepy(100));
  for (int i = 0; i < 5; ++i) f.log.Enqueue(Entry("a"));
  f.log.Stop();
  EXPECT_EQ(f.log.written(), 5u);
  EXPECT_FALSE(f.log.Enqueue(Entry("late")));
  EXPECT_EQ(f.log.dropped(), 1u);
}

TEST(DecisionLog, QueryReadsWhatWasRecordedBeforeIt) {
  Fixture f(Sleepy(100));
  f.log.Enqueue(Entry("a", "allow"));
  f.log.Enqueue(Entry("b", "deny"));
  storage::DecisionFilter filter;
  filter.effect = "deny";
  std::vector<DecisionLogEntry> out;
  uint64_t next = 1;
  ASSERT_TRUE(f.log.Query(filter, &out, &next).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].action, "b");
  EXPECT_EQ(out[0].seq, 2u);
}

TEST(DecisionLog, RecordWritesOneEntryPerActionDecision) {
  Fixture f(Sleepy(100));
  engine::DecisionRequest request;
  request.principal = engine::Value::Map(engine::MapValue::Make(
      {{engine::Value::String("id"), engine::Value::String("bob")}}, nullptr));
  request.resource = engine::Value::Map(engine::MapValue::Make(
      {{engine::Value::String("kind"), engine::Value::String("organization")},
       {engine::Value::String("id"), engine::Value::String("contoso")}},
      nullptr));
  engine::Decision decision;
  decision.revision = "rev1";
  decision.results.resize(2);
  decision.results[0].action = "view";
  decision.results[0].allowed = true;
  decision.results[1].action = "edit";
  decision.results[1].reasons.push_back(
      {engine::ReasonCode::kMissingPermission, "", "", nullptr, "", "", "", ""});
  f.log.Record("req-1", request, decision, 42);
  f.log.Flush();
  std::lock_guard<std::mutex> lock(f.shared->mutex);
  ASSERT_EQ(f.shared->rows.size(), 2u);
  const auto& deny = f.shared->rows[1];
  EXPECT_EQ(deny.request_id, "req-1");
  EXPECT_EQ(deny.principal, "bob");
  EXPECT_EQ(deny.resource_kind, "organization");
  EXPECT_EQ(deny.resource_id, "contoso");
  EXPECT_EQ(deny.action, "edit");
  EXPECT_EQ(deny.effect, "deny");
  EXPECT_EQ(deny.reasons, std::vector<std::string>{"missing_permission"});
  EXPECT_EQ(deny.policy_revision, "rev1");
  EXPECT_EQ(deny.entity_version, 42u);
  EXPECT_EQ(f.shared->rows[0].effect, "allow");
}

TEST(DecisionLog, RetentionPrunesAtStartUnlessZero) {
  {
    Fixture f(Sleepy(10));
    f.log.Stop();  // the writer prunes before it first waits
    std::lock_guard<std::mutex> lock(f.shared->mutex);
    EXPECT_EQ(f.shared->pruned_before_calls, 1u);
  }
  DecisionLog::Options keep = Sleepy(10);
  keep.retention_days = 0;
  Fixture f(keep);
  f.log.Stop();
  std::lock_guard<std::mutex> lock(f.shared->mutex);
  EXPECT_EQ(f.shared->pruned_before_calls, 0u);
}

}  // namespace
}  // namespace castellan::server
