// CEL's encoders extension (cel-go ext/encoders.go): base64.encode(bytes) ->
// string and base64.decode(string) -> bytes (standard alphabet; decode also
// takes unpadded input). Pure functions, safe to call from many threads.
// AddEncoderExtensions (declared in engine/catalogue.h) adds them to the catalogue.
#pragma once

#include <span>

#include "engine/value.h"

namespace castellan::engine::encoders_extension {

using Args = std::span<const Value>;

Value Base64Encode(Args a);
Value Base64Decode(Args a);  // malformed input is an error value

}  // namespace castellan::engine::encoders_extension
