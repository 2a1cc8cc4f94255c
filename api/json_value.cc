#include "api/json_value.h"

namespace castellan::api {

using engine::Value;

Value FromJson(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value::Null();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = json.get<uint64_t>();
      return u <= static_cast<uint64_t>(INT64_MAX) ? Value::Int(static_cast<int64_t>(u))
                                                   : Value::Uint(u);
    }
    case nlohmann::json::value_t::number_float:
      return Value::Double(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(json.get<std::string>());
    case nlohmann::json::value_t::binary:
      return Value::Bytes(std::string(json.get_binary().begin(), json.get_binary().end()));
    case nlohmann::json::value_t::array: {
      engine::ValueList items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(FromJson(item));
      return Value::List(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::vector<engine::MapValue::Entry> entries;
      entries.reserve(json.size());
      for (const auto& [key, item] : json.items()) {
        entries.emplace_back(Value::String(key), FromJson(item));
      }
      Value error;
      auto map = engine::MapValue::Make(std::move(entries), &error);
      return map ? Value::Map(std::move(map)) : error;
    }
  }
  return Value::Null();
}

nlohmann::ordered_json ToJson(const Value& value) {
  using K = Value::Kind;
  switch (value.kind()) {
    case K::kNull:
      return nullptr;
    case K::kBool:
      return value.bool_value();
    case K::kInt:
      return value.int_value();
    case K::kUint:
      return value.uint_value();
    case K::kDouble:
      return value.double_value();
    case K::kString:
      return value.string_value();
    case K::kBytes:
      return value.bytes_value();
    case K::kList: {
      auto out = nlohmann::ordered_json::array();
      for (const Value& item : value.list_value()) out.push_back(ToJson(item));
      return out;
    }
    case K::kMap: {
      auto out = nlohmann::ordered_json::object();
      for (const auto& [k, v] : value.map_value().entries()) {
        out[k.kind() == K::kString ? k.string_value() : k.DebugString()] = ToJson(v);
      }
      return out;
    }
    case K::kTimestamp:
      return engine::FormatTimestamp(value.timestamp_value());
    case K::kDuration:
      return engine::FormatDuration(value.duration_value());
    case K::kType:
      return std::string(value.type_value().name);
    case K::kError:
      return {{"error", value.error_value().message}};
    case K::kOptional:
      return value.optional_value() ? ToJson(*value.optional_value()) : nullptr;
  }
  return nullptr;
}

}  // namespace castellan::api
