// EntityRecord: one stored entity, as the entity files write it.
#pragma once

#include <string>

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

}  // namespace castellan::engine
