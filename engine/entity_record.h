// EntityRecord: one stored entity, as the entity files write it.
#pragma once

#include <string>
#include <string_view>

#include "engine/value.h"

namespace castellan::engine {

struct EntityRecord {
  // "organization", "user", or a resource kind ("product", "role",
  // "customer_group", ...).
  std::string kind;
  std::string id;
  // A map of every attribute as written, `id` included (and `kind` for a
  // resource), so that export gives back what was imported.
  Value attributes;
};

// One reference token of a JSON pointer (RFC 6901) naming `key`: '~' and '/'
// escaped. Problems name the attribute at fault with such pointers.
inline std::string JsonPointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace castellan::engine
