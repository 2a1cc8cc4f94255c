#include "engine/value.h"

#include <charconv>
#include <cmath>

namespace castellan::engine {

Value Value::String(std::string s) {
  return Value(StringRef{std::make_shared<const std::string>(std::move(s))});
}
Value Value::Bytes(std::string s) {
  return Value(BytesRef{std::make_shared<const std::string>(std::move(s))});
}
Value Value::List(ValueList items) {
  return Value(ListRef{std::make_shared<const ValueList>(std::move(items))});
}
Value Value::Map(std::shared_ptr<const MapValue> map) {
  return Value(MapRef{std::move(map)});
}
Value Value::Error(ErrorKind kind, std::string message) {
  return Value(ErrorRef{std::make_shared<const ErrorValue>(ErrorValue{kind, std::move(message)})});
}

Value Value::Optional(Value v) {
  return Value(OptionalRef{std::make_shared<const Value>(std::move(v))});
}
Value Value::None() {
  // Every empty optional shares one (immutable) representation.
  static const Value none{OptionalRef{nullptr}};
  return none;
}

std::string_view Value::TypeName() const {
  switch (kind()) {
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "map";
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kType:
      return "type";
    case Kind::kError:
      return "error";
    case Kind::kOptional:
      return "optional_type";
  }
  return "unknown";
}

namespace {

std::string QuoteString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string DoubleString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Numeric view used for heterogeneous comparisons.
enum class NumKind { kNone, kInt, kUint, kDouble };
NumKind NumericKind(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInt:
      return NumKind::kInt;
    case Value::Kind::kUint:
      return NumKind::kUint;
    case Value::Kind::kDouble:
      return NumKind::kDouble;
    default:
      return NumKind::kNone;
  }
}

double AsDouble(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInt:
      return static_cast<double>(v.int_value());
    case Value::Kind::kUint:
      return static_cast<double>(v.uint_value());
    default:
      return v.double_value();
  }
}

template <typename T>
int Three(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Compares two numbers of any numeric kinds; false for NaN (unordered).
bool CompareNumbers(const Value& a, const Value& b, int* result) {
  NumKind ka = NumericKind(a), kb = NumericKind(b);
  if (ka == NumKind::kDouble || kb == NumKind::kDouble) {
    double x = AsDouble(a), y = AsDouble(b);
    if (std::isnan(x) || std::isnan(y)) return false;
    *result = Three(x, y);
    return true;
  }
  if (ka == kb) {
    *result = ka == NumKind::kInt ? Three(a.int_value(), b.int_value())
                                  : Three(a.uint_value(), b.uint_value());
    return true;
  }
  // int vs uint, exactly.
  Int128 x = ka == NumKind::kInt ? static_cast<Int128>(a.int_value())
                                 : static_cast<Int128>(a.uint_value());
  Int128 y = kb == NumKind::kInt ? static_cast<Int128>(b.int_value())
                                 : static_cast<Int128>(b.uint_value());
  *result = Three(x, y);
  return true;
}

}  // namespace

std::string Value::DebugString() const {
  switch (kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return bool_value() ? "true" : "false";
    case Kind::kInt:
      return std::to_string(int_value());
    case Kind::kUint:
      return std::to_string(uint_value()) + "u";
    case Kind::kDouble:
      return DoubleString(double_value());
    case Kind::kString:
      return QuoteString(string_value());
    case Kind::kBytes: {
      // Not `"b" + QuoteString(...)`: GCC 12 warns falsely on that
      // (-Wrestrict, GCC bug 105651).
      std::string out = "b";
      out += QuoteString(bytes_value());
      return out;
    }
    case Kind::kList: {
      std::string out = "[";
      const auto& l = list_value();
      for (size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + l[i].DebugString();
      return out + "]";
    }
    case Kind::kMap: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : map_value().entries()) {
        out += (first ? "" : ", ") + k.DebugString() + ": " + v.DebugString();
        first = false;
      }
      return out + "}";
    }
    case Kind::kTimestamp:
      return "timestamp(\"" + FormatTimestamp(timestamp_value()) + "\")";
    case Kind::kDuration:
      return "duration(\"" + FormatDuration(duration_value()) + "\")";
    case Kind::kType:
      return std::string(type_value().name);
    case Kind::kError:
      return "error(" + error_value().message + ")";
    case Kind::kOptional:
      if (optional_value() == nullptr) return "optional.none()";
      return "optional.of(" + optional_value()->DebugString() + ")";
  }
  return "?";
}

bool Compare(const Value& a, const Value& b, int* result) {
  if (NumericKind(a) != NumKind::kNone && NumericKind(b) != NumKind::kNone) {
    return CompareNumbers(a, b, result);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kBool:
      *result = Three(a.bool_value(), b.bool_value());
      return true;
    case Value::Kind::kString:
      *result = Three(a.string_value(), b.string_value());
      return true;
    case Value::Kind::kBytes:
      *result = Three(a.bytes_value(), b.bytes_value());
      return true;
    case Value::Kind::kTimestamp:
      *result = Three<TimeParts>(a.timestamp_value(), b.timestamp_value());
      return true;
    case Value::Kind::kDuration:
      *result = Three<TimeParts>(a.duration_value(), b.duration_value());
      return true;
    default:
      return false;
  }
}

bool Equal(const Value& a, const Value& b) {
  if (NumericKind(a) != NumKind::kNone && NumericKind(b) != NumKind::kNone) {
    int r;
    return CompareNumbers(a, b, &r) && r == 0;
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBool:
      return a.bool_value() == b.bool_value();
    case Value::Kind::kString:
      return a.string_value() == b.string_value();
    case Value::Kind::kBytes:
      return a.bytes_value() == b.bytes_value();
    case Value::Kind::kTimestamp:
      return a.timestamp_value() == b.timestamp_value();
    case Value::Kind::kDuration:
      return a.duration_value() == b.duration_value();
    case Value::Kind::kType:
      return a.type_value() == b.type_value();
    case Value::Kind::kOptional:
      if (a.optional_value() == nullptr || b.optional_value() == nullptr) {
        return a.optional_value() == b.optional_value();
      }
      return Equal(*a.optional_value(), *b.optional_value());
    case Value::Kind::kList: {
      const auto& x = a.list_value();
      const auto& y = b.list_value();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!Equal(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Kind::kMap: {
      const auto& x = a.map_value();
      const auto& y = b.map_value();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries()) {
        const Value* other = y.Find(k);
        if (other == nullptr || !Equal(v, *other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

namespace {

bool IsKeyKind(Value::Kind k) {
  return k == Value::Kind::kBool || k == Value::Kind::kInt || k == Value::Kind::kUint ||
         k == Value::Kind::kString;
}

// Keys match when equal under CEL equality; a double key only matches when
// it is integral.
bool KeyMatches(const Value& stored, const Value& probe) {
  if (stored.kind() == probe.kind()) return Equal(stored, probe);
  if (NumericKind(stored) != NumKind::kNone && NumericKind(probe) != NumKind::kNone) {
    return Equal(stored, probe);
  }
  return false;
}

}  // namespace

std::shared_ptr<const MapValue> MapValue::Make(std::vector<Entry> entries, Value* error) {
  auto map = std::make_shared<MapValue>();
  map->entries_.reserve(entries.size());
  if (entries.size() > kIndexAbove) map->index_ = std::make_unique<Index>();
  for (auto& entry : entries) {
    if (!IsKeyKind(entry.first.kind())) {
      *error = Value::Error(ErrorKind::kInvalidArgument,
                            "unsupported key type " + std::string(entry.first.TypeName()));
      return nullptr;
    }
    bool repeated = false;
    if (map->index_) {
      map->entries_.push_back(std::move(entry));
      repeated = !map->IndexLast();
    } else {
      repeated = map->Find(entry.first) != nullptr;
      if (!repeated) map->entries_.push_back(std::move(entry));
    }
    if (repeated) {
      const Value& key = map->index_ ? map->entries_.back().first : entry.first;
      *error = Value::Error(ErrorKind::kInvalidArgument,
                            "Failed with repeated key " + key.DebugString());
      return nullptr;
    }
  }
  return map;
}

bool MapValue::IndexLast() {
  const size_t i = entries_.size() - 1;
  const Value& key = entries_[i].first;
  switch (key.kind()) {
    case Value::Kind::kString:
      return index_->strings.emplace(key.string_value(), i).second;
    case Value::Kind::kUint:
      return index_->naturals.emplace(key.uint_value(), i).second;
    case Value::Kind::kInt:
      if (key.int_value() >= 0) {
        return index_->naturals.emplace(static_cast<uint64_t>(key.int_value()), i).second;
      }
      return index_->negatives.emplace(key.int_value(), i).second;
    case Value::Kind::kBool: {
      size_t& slot = index_->bools[key.bool_value() ? 1 : 0];
      if (slot != SIZE_MAX) return false;
      slot = i;
      return true;
    }
    default:
      return false;
  }
}

const Value* MapValue::FindIndexed(const Value& key) const {
  auto in = [this](const auto& index, const auto& k) -> const Value* {
    auto it = index.find(k);
    return it == index.end() ? nullptr : &entries_[it->second].second;
  };
  switch (key.kind()) {
    case Value::Kind::kString:
      return in(index_->strings, std::string_view(key.string_value()));
    case Value::Kind::kUint:
      return in(index_->naturals, key.uint_value());
    case Value::Kind::kInt:
      return key.int_value() >= 0 ? in(index_->naturals, static_cast<uint64_t>(key.int_value()))
                                  : in(index_->negatives, key.int_value());
    case Value::Kind::kDouble: {
      // Only an integral double finds a key, the int or uint of the same value.
      const double d = key.double_value();
      if (std::trunc(d) != d) return nullptr;
      if (d >= 0 && d < 18446744073709551616.0)
        return in(index_->naturals, static_cast<uint64_t>(d));
      if (d < 0 && d >= -9223372036854775808.0)
        return in(index_->negatives, static_cast<int64_t>(d));
      return nullptr;
    }
    case Value::Kind::kBool: {
      const size_t slot = index_->bools[key.bool_value() ? 1 : 0];
      return slot == SIZE_MAX ? nullptr : &entries_[slot].second;
    }
    default:
      return nullptr;
  }
}

const Value* MapValue::Find(const Value& key) const {
  if (index_) return FindIndexed(key);
  if (key.kind() == Value::Kind::kString) return FindString(key.string_value());
  if (key.kind() == Value::Kind::kDouble) {
    double d = key.double_value();
    if (!(std::trunc(d) == d)) return nullptr;
  }
  for (const auto& [k, v] : entries_) {
    if (KeyMatches(k, key)) return &v;
  }
  return nullptr;
}

const Value* MapValue::FindString(std::string_view key) const {
  if (index_) {
    auto it = index_->strings.find(key);
    return it == index_->strings.end() ? nullptr : &entries_[it->second].second;
  }
  // Lengths first: most keys of a small map differ in length from the one
  // looked for, and comparing them costs no call.
  for (const auto& [k, v] : entries_) {
    if (k.kind() != Value::Kind::kString) continue;
    const std::string& s = k.string_value();
    if (s.size() == key.size() && (key.empty() || (s[0] == key[0] && s == key))) return &v;
  }
  return nullptr;
}

Value MergeMaps(const Value& base, const Value& over) {
  if (base.kind() != Value::Kind::kMap) return over;
  if (over.kind() != Value::Kind::kMap) return base;
  bool adds_nothing = true;
  for (const auto& [k, v] : over.map_value().entries()) {
    const Value* old = base.map_value().Find(k);
    if (!old || old->is_error() || v.is_error() || !Equal(*old, v)) {
      adds_nothing = false;
      break;
    }
  }
  if (adds_nothing) return base;
  std::vector<MapValue::Entry> entries;
  for (const auto& [k, v] : base.map_value().entries()) {
    if (!over.map_value().Find(k)) entries.emplace_back(k, v);
  }
  for (const auto& e : over.map_value().entries()) entries.push_back(e);
  Value error;
  auto merged = MapValue::Make(std::move(entries), &error);
  return merged ? Value::Map(std::move(merged)) : error;
}

}  // namespace castellan::engine
