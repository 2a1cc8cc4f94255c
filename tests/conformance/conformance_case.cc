#include "conformance/conformance_case.h"

#include <cmath>
#include <set>

#include "dsl/checker.h"
#include "dsl/parser.h"
#include "engine/activation.h"
#include "engine/catalogue.h"
#include "engine/program.h"

namespace castellan::conformance {
namespace {

using engine::Value;
using nlohmann::json;

std::string DecodeBase64(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int buffer = 0, bits = 0;
  for (char c : in) {
    if (c == '=') break;
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;
    buffer = (buffer << 6) | static_cast<int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// Converts a tagged JSON value; false for kinds the runner cannot build.
bool FromJson(const json& j, Value* out) {
  if (!j.is_object() || j.empty()) return false;
  const auto first = j.begin();
  const std::string& tag = first.key();
  const json& v = first.value();
  if (tag == "null") {
    *out = Value::Null();
  } else if (tag == "bool") {
    *out = Value::Bool(v.get<bool>());
  } else if (tag == "int") {
    *out = Value::Int(std::stoll(v.get<std::string>()));
  } else if (tag == "uint") {
    *out = Value::Uint(std::stoull(v.get<std::string>()));
  } else if (tag == "double") {
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      if (s == "NaN")
        *out = Value::Double(std::nan(""));
      else if (s == "Infinity")
        *out = Value::Double(INFINITY);
      else if (s == "-Infinity")
        *out = Value::Double(-INFINITY);
      else if (s == "-0")
        *out = Value::Double(-0.0);
      else
        return false;
    } else {
      *out = Value::Double(v.get<double>());
    }
  } else if (tag == "string") {
    *out = Value::String(v.get<std::string>());
  } else if (tag == "bytes") {
    *out = Value::Bytes(DecodeBase64(v.get<std::string>()));
  } else if (tag == "list") {
    engine::ValueList items;
    for (const auto& item : v) {
      Value x;
      if (!FromJson(item, &x)) return false;
      items.push_back(std::move(x));
    }
    *out = Value::List(std::move(items));
  } else if (tag == "map") {
    std::vector<engine::MapValue::Entry> entries;
    for (const auto& pair : v) {
      Value k, x;
      if (!FromJson(pair[0], &k) || !FromJson(pair[1], &x)) return false;
      entries.emplace_back(std::move(k), std::move(x));
    }
    Value error;
    auto map = engine::MapValue::Make(std::move(entries), &error);
    if (!map) return false;
    *out = Value::Map(std::move(map));
  } else if (tag == "timestamp") {
    auto t = engine::ParseTimestamp(v.get<std::string>(), nullptr);
    if (!t) return false;
    *out = Value::Time(*t);
  } else if (tag == "duration") {
    auto d = engine::ParseDuration(v.get<std::string>(), nullptr);
    if (!d) return false;
    *out = Value::Dur(*d);
  } else if (tag == "type") {
    static std::set<std::string> names;  // keeps the names alive for TypeValue
    *out = Value::Type(*names.insert(v.get<std::string>()).first);
  } else {
    return false;
  }
  return true;
}

// Equality for expected results: like CEL equality, but NaN matches NaN,
// -0.0 differs from 0.0, and kinds must match exactly.
bool SameValue(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kDouble: {
      double x = a.double_value(), y = b.double_value();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return x == y && std::signbit(x) == std::signbit(y);
    }
    case Value::Kind::kList: {
      const auto& x = a.list_value();
      const auto& y = b.list_value();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!SameValue(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Kind::kMap: {
      if (a.map_value().size() != b.map_value().size()) return false;
      for (const auto& [k, v] : a.map_value().entries()) {
        const Value* other = nullptr;
        for (const auto& [k2, v2] : b.map_value().entries()) {
          if (SameValue(k, k2)) other = &v2;
        }
        if (other == nullptr || !SameValue(v, *other)) return false;
      }
      return true;
    }
    case Value::Kind::kType:
      return a.type_value().name == b.type_value().name;
    case Value::Kind::kError:
      return true;
    default:
      return engine::Equal(a, b);
  }
}

bool HasUnsupported(const dsl::Diagnostics& diagnostics, std::string* detail) {
  for (const auto& d : diagnostics) {
    if (d.code == "unsupported") {
      *detail = d.message;
      return true;
    }
  }
  return false;
}

std::string Join(const dsl::Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += (out.empty() ? "" : "; ") + d.message;
  return out;
}

// The checker environment of the cel-spec conformance tests: CEL's standard
// library and the extension libraries, plus what the test declares.
bool DeclareTypeEnv(const json& type_env, dsl::CheckEnvironment* env, std::string* unsupported) {
  for (const auto& decl : type_env) {
    if (decl.at("kind") == "ident") {
      const std::string type_name = decl.at("type").get<std::string>();
      auto type = dsl::ParseTypeName(type_name);
      if (!type) {
        *unsupported = "type " + type_name;
        return false;
      }
      env->DeclareVariable(decl.at("name").get<std::string>(), *type);
      continue;
    }
    for (const auto& overload : decl.at("overloads")) {
      const bool instance = overload.at("instance").get<bool>();
      std::string signature = (instance ? "." : "") + decl.at("name").get<std::string>() + "(";
      std::vector<std::string> types;
      for (const auto& p : overload.at("params")) types.push_back(p.get<std::string>());
      types.push_back(overload.at("result").get<std::string>());
      for (size_t i = 0; i < types.size(); ++i) {
        if (!dsl::ParseTypeName(types[i])) {
          *unsupported = "type " + types[i];
          return false;
        }
        if (i + 1 < types.size()) signature += (i ? ", " : "") + types[i];
      }
      env->DeclareFunction(signature + ") -> " + types.back());
    }
  }
  return true;
}

std::string WithoutSpaces(std::string s) {
  std::erase(s, ' ');
  return s;
}

const engine::FunctionRegistry& Functions() {
  static const engine::FunctionRegistry registry = engine::Catalogue::Default().Registry();
  return registry;
}

}  // namespace

CaseResult RunCase(const json& test) {
  const std::string expr = test.at("expr").get<std::string>();
  const json& expect = test.at("expect");
  const bool expects_error = expect.contains("error") || expect.contains("any_error");

  dsl::ParseOptions parse_options;
  parse_options.enable_macros = !test.at("disable_macros").get<bool>();
  dsl::ParseResult parsed =
      dsl::ParseExpression(expr, "<expr>", dsl::SourceMap::Contiguous(expr), parse_options);
  std::string detail;
  if (HasUnsupported(parsed.diagnostics, &detail)) return {Outcome::kUnsupported, detail};
  if (!parsed.expr) {
    if (expects_error) return {Outcome::kPass, ""};
    return {Outcome::kFail, "parse error: " + Join(parsed.diagnostics)};
  }

  dsl::Resolutions resolutions;  // what the checker resolved, when the case is checked

  // typed_result: the checker's type must match, and the value too unless
  // the case is check_only.
  const json* typed = expect.contains("typed_result") ? &expect.at("typed_result") : nullptr;
  if (!test.at("disable_check").get<bool>()) {
    dsl::CheckEnvironment env = engine::Catalogue::Default().Environment(engine::Scope::kRule);
    if (!DeclareTypeEnv(test.at("type_env"), &env, &detail)) return {Outcome::kUnsupported, detail};
    dsl::CheckResult checked = dsl::Check(*parsed.expr, env, "<expr>");
    if (HasUnsupported(checked.diagnostics, &detail)) return {Outcome::kUnsupported, detail};
    if (!checked.diagnostics.empty()) {
      if (expects_error) return {Outcome::kPass, ""};
      return {Outcome::kFail, "check error: " + Join(checked.diagnostics)};
    }
    resolutions = std::move(checked.resolutions);
    if (typed != nullptr && WithoutSpaces(checked.type.ToString()) !=
                                WithoutSpaces(typed->at("type").get<std::string>())) {
      return {Outcome::kFail, "expected type " + typed->at("type").get<std::string>() + ", got " +
                                  checked.type.ToString()};
    }
  }
  if (test.at("check_only").get<bool>()) {
    if (typed == nullptr) return {Outcome::kUnsupported, "check_only without a type"};
    return {Outcome::kPass, ""};
  }

  engine::MapActivation activation;
  for (const auto& [name, value] : test.at("bindings").items()) {
    Value v;
    if (!FromJson(value, &v)) return {Outcome::kUnsupported, "binding kind"};
    activation.Bind(name, std::move(v));
  }
  engine::ProgramOptions options;
  options.functions = &Functions();
  options.resolutions = test.at("disable_check").get<bool>() ? nullptr : &resolutions;
  auto program = engine::Program::Compile(*parsed.expr, options);
  Value result = program->Evaluate(activation);

  if (expects_error) {
    if (result.is_error()) return {Outcome::kPass, ""};
    return {Outcome::kFail, "expected an error, got " + result.DebugString()};
  }
  Value expected = Value::Bool(true);
  const json* expected_json = expect.contains("value") ? &expect.at("value")
                              : typed != nullptr       ? &typed->at("value")
                                                       : nullptr;
  if (expected_json != nullptr) {
    if (!FromJson(*expected_json, &expected)) {
      return {Outcome::kUnsupported, "expected value kind"};
    }
  } else if (!expect.contains("true")) {
    return {Outcome::kUnsupported, "expectation " + expect.dump()};
  }
  if (result.is_error()) {
    return {Outcome::kFail, "expected " + expected.DebugString() + ", got " + result.DebugString()};
  }
  if (!SameValue(result, expected)) {
    return {Outcome::kFail, "expected " + expected.DebugString() + ", got " + result.DebugString()};
  }
  return {Outcome::kPass, ""};
}

}  // namespace castellan::conformance
