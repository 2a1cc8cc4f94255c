#include "api/yaml_value.h"

#include <charconv>
#include <cstdlib>
#include <regex>

namespace castellan::api {
namespace {

using engine::Value;

Value FromPlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Value::Null();
  if (s == "true" || s == "True" || s == "TRUE") return Value::Bool(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value::Bool(false);
  int64_t i = 0;
  const char* end = s.data() + s.size();
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) {
    return Value::Int(i);
  }
  uint64_t u = 0;
  if (auto [p, ec] = std::from_chars(begin, end, u); ec == std::errc() && p == end) {
    return Value::Uint(u);
  }
  // Floats: digits with a '.' or an exponent (not "1.2.3" or version strings).
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kFloat)) return Value::Double(std::strtod(s.c_str(), nullptr));
  return Value::String(s);
}

}  // namespace

Value FromYaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Value::Null();
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!": they are strings whatever they spell.
      return node.Tag() == "!" ? Value::String(node.Scalar()) : FromPlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      engine::ValueList items;
      for (const YAML::Node& item : node) items.push_back(FromYaml(item));
      return Value::List(std::move(items));
    }
    case YAML::NodeType::Map: {
      // YAML merge keys (`<<: *anchor` or a list of them): yaml-cpp keeps `<<`
      // as an ordinary key, so merge here; keys written beside it win.
      std::vector<engine::MapValue::Entry> entries;
      auto add_merged = [&](const YAML::Node& source) {
        if (!source.IsMap()) return;
        for (auto it = source.begin(); it != source.end(); ++it) {
          const std::string& key = it->first.Scalar();
          if (key == "<<" || node[key]) continue;
          bool seen = false;
          for (const auto& [k, v] : entries) seen = seen || k.string_value() == key;
          if (!seen) entries.emplace_back(Value::String(key), FromYaml(it->second));
        }
      };
      if (const YAML::Node merge = node["<<"]) {
        if (merge.IsSequence()) {
          for (const YAML::Node& m : merge) add_merged(m);
        } else {
          add_merged(merge);
        }
      }
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.Scalar() == "<<") continue;
        entries.emplace_back(Value::String(it->first.Scalar()), FromYaml(it->second));
      }
      Value error;
      auto map = engine::MapValue::Make(std::move(entries), &error);
      return map ? Value::Map(std::move(map)) : error;
    }
  }
  return Value::Null();
}

}  // namespace castellan::api
