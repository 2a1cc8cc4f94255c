// PermissionSet: a fixed-size bit set over the permissions of one policy set.
//
// Permissions are numbered when a policy set is compiled; a set of them is
// four machine words on the stack, so computing what a principal holds
// allocates nothing. A policy set may declare at most kMaxPermissions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace castellan::engine {

using PermissionId = uint16_t;

class PermissionSet {
 public:
  static constexpr size_t kMaxPermissions = 256;

  void Add(PermissionId id) { words_[id / 64] |= uint64_t{1} << (id % 64); }
  bool Contains(PermissionId id) const { return (words_[id / 64] >> (id % 64)) & 1; }
  void AddAll(const PermissionSet& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
  }
  void KeepOnly(const PermissionSet& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
  }
  void RemoveAll(const PermissionSet& other) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] &= ~other.words_[i];
  }
  bool empty() const {
    for (uint64_t w : words_) {
      if (w) return false;
    }
    return true;
  }

 private:
  std::array<uint64_t, kMaxPermissions / 64> words_{};
};

}  // namespace castellan::engine
