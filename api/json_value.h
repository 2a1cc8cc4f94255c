// Conversions between JSON documents (nlohmann::json) and engine Values.
//
// JSON numbers without a fraction or exponent become int (uint when above
// INT64_MAX), others double; objects become maps with string keys.
// Timestamps and durations are written in their RFC 3339 / "1.5s" forms.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/value.h"

namespace castellan::api {

engine::Value FromJson(const nlohmann::json& json);
nlohmann::ordered_json ToJson(const engine::Value& value);

}  // namespace castellan::api
