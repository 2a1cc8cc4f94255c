// Reads a YAML node into an engine Value.
//
// Plain scalars are typed the way YAML 1.2's core schema types them (null,
// true/false, integers, floats); quoted scalars are always strings. Maps
// become maps with string keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include "engine/value.h"

namespace castellan::api {

engine::Value FromYaml(const YAML::Node& node);

}  // namespace castellan::api
