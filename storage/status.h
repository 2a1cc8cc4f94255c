// Status: an infrastructure failure (the database, the disk, the network),
// as a value. Mistakes users make are not Statuses: they are diagnostics or
// engine::EntityProblems with positions.
#pragma once

#include <string>
#include <utility>

namespace castellan::storage {

class Status {
 public:
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }

 private:
  Status() = default;
  explicit Status(std::string message) : message_(std::move(message)) {
    if (message_.empty()) message_ = "unknown storage error";
  }
  std::string message_;
};

}  // namespace castellan::storage
