#include "api/check_body.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace castellan::api {
namespace {

using engine::Value;

// Deeper than this is legal up to ParseStrictJson's 64 levels: the general path reads it.
constexpr int kMaxDepth = 32;
// A map key met again in one body is the same Value (a shared string), not a new one.
constexpr size_t kInternedKeys = 16;
// Principal and resource objects remembered by their text, each.
constexpr size_t kSeenEntities = 8;

class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Body(CheckBody* out) {
    if (!Eat('{')) return false;
    std::string_view key;
    if (!Key(&key)) return false;
    if (key == "checks") {
      // A batch has only "checks": a non-empty array of checks.
      out->batch = true;
      // A check takes some 60 bytes at least: room for most batches at once.
      out->checks.reserve(std::min<size_t>(static_cast<size_t>(end_ - p_) / 64 + 1, 1024));
      if (!Eat('[') || Eat(']')) return false;
      do {
        if (!Eat('{')) return false;
        engine::DecisionRequest& check = out->checks.emplace_back();
        std::string_view first;
        if (!Key(&first) || !CheckMembers(first, 3, &check)) return false;
      } while (Eat(','));
      if (!Eat(']') || !Eat('}')) return false;
    } else {
      out->batch = false;
      if (!CheckMembers(key, 1, &out->checks.emplace_back())) return false;
    }
    SkipSpace();
    return p_ == end_;
  }

 private:
  // The members of a check object after its '{' and first key (read, with
  // its ':'), to its '}': what ParseDecisionRequest accepts with
  // require_actions, every request field read as FromJson reads it.
  bool CheckMembers(std::string_view key, int depth, engine::DecisionRequest* out) {
    enum : unsigned { kPrincipal = 1, kResource = 2, kActions = 4, kContext = 8, kParams = 16 };
    unsigned seen = 0;
    while (true) {
      unsigned field = 0;
      if (key == "principal") {
        field = kPrincipal;
        if (!Entity(depth + 1, false, &out->principal)) return false;
      } else if (key == "resource") {
        field = kResource;
        if (!Entity(depth + 1, true, &out->resource)) return false;
      } else if (key == "actions") {
        field = kActions;
        if (!Actions(&out->actions)) return false;
      } else if (key == "context") {
        field = kContext;
        if (!ObjectOrNull(depth + 1, &out->context)) return false;
      } else if (key == "params") {
        field = kParams;
        if (!ObjectOrNull(depth + 1, &out->params)) return false;
      } else {
        return false;
      }
      if (seen & field) return false;  // a duplicate key
      seen |= field;
      if (!Eat(',')) break;
      if (!Key(&key)) return false;
    }
    return Eat('}') &&
           (seen & (kPrincipal | kResource | kActions)) == (kPrincipal | kResource | kActions);
  }

  // principal or resource: an object whose id (and the resource's kind) is a
  // string when present, and the resource's "new" a boolean. An object whose
  // text was read before in this body is that same Value: a JSON value ends
  // where its text says, so the same bytes are the same value.
  bool Entity(int depth, bool resource, Value* out) {
    SkipSpace();
    std::vector<Seen>& seen = resource ? resources_ : principals_;
    for (const Seen& s : seen) {
      if (static_cast<size_t>(end_ - p_) >= s.text.size() &&
          std::memcmp(p_, s.text.data(), s.text.size()) == 0) {
        *out = s.value;
        p_ += s.text.size();
        return true;
      }
    }
    const char* start = p_;
    if (!Eat('{') || !Object(depth, out)) return false;
    const engine::MapValue& map = out->map_value();
    auto is = [&map](std::string_view name, Value::Kind kind) {
      const Value* v = map.FindString(name);
      return !v || v->kind() == kind;
    };
    if (!is("id", Value::Kind::kString) ||
        (resource && (!is("kind", Value::Kind::kString) || !is("new", Value::Kind::kBool)))) {
      return false;
    }
    Seen entry{std::string_view(start, static_cast<size_t>(p_ - start)), *out};
    if (seen.size() < kSeenEntities) {
      seen.push_back(std::move(entry));
    } else {
      seen[next_seen_++ % kSeenEntities] = std::move(entry);
    }
    return true;
  }

  // A non-empty array of action names, none named twice (the answer is keyed by name).
  bool Actions(std::vector<std::string>* out) {
    if (!Eat('[') || Eat(']')) return false;
    do {
      SkipSpace();
      std::string_view name;
      if (p_ == end_ || *p_ != '"' || !String(&name)) return false;
      for (const std::string& a : *out) {
        if (a == name) return false;
      }
      out->emplace_back(name);
    } while (Eat(','));
    return Eat(']');
  }

  bool ObjectOrNull(int depth, Value* out) {
    SkipSpace();
    if (p_ != end_ && *p_ == 'n') return Word("null");  // FromJson(null): null, as if absent
    return Eat('{') && Object(depth, out);
  }

  // Any JSON value, as FromJson builds it from the document.
  bool AnyValue(int depth, Value* out) {
    SkipSpace();
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        ++p_;
        return Object(depth + 1, out);
      case '[':
        ++p_;
        return Array(depth + 1, out);
      case '"': {
        std::string_view s;
        if (!String(&s)) return false;
        *out = Value::String(std::string(s));
        return true;
      }
      case 't':
        *out = Value::Bool(true);
        return Word("true");
      case 'f':
        *out = Value::Bool(false);
        return Word("false");
      case 'n':
        *out = Value::Null();
        return Word("null");
      default:
        return Number(out);
    }
  }

  // After '{': the members and '}'. A map's entries come in key order, as
  // nlohmann::json (a std::map) holds them.
  bool Object(int depth, Value* out) {
    if (depth > kMaxDepth) return false;
    std::vector<engine::MapValue::Entry> entries;
    if (!Eat('}')) {
      do {
        std::string_view key;
        if (!Key(&key)) return false;
        Value k = Intern(key);
        Value v;
        if (!AnyValue(depth, &v)) return false;
        entries.emplace_back(std::move(k), std::move(v));
      } while (Eat(','));
      if (!Eat('}')) return false;
    }
    auto key = [](const engine::MapValue::Entry& e) -> std::string_view {
      return e.first.string_value();
    };
    std::sort(entries.begin(), entries.end(),
              [&key](const auto& a, const auto& b) { return key(a) < key(b); });
    for (size_t i = 1; i < entries.size(); ++i) {
      if (key(entries[i - 1]) == key(entries[i])) return false;  // a duplicate key
    }
    Value error;
    auto map = engine::MapValue::Make(std::move(entries), &error);
    if (!map) return false;
    *out = Value::Map(std::move(map));
    return true;
  }

  // After '[': the items and ']'.
  bool Array(int depth, Value* out) {
    if (depth > kMaxDepth) return false;
    engine::ValueList items;
    if (!Eat(']')) {
      do {
        if (!AnyValue(depth, &items.emplace_back())) return false;
      } while (Eat(','));
      if (!Eat(']')) return false;
    }
    *out = Value::List(std::move(items));
    return true;
  }

  // A number as nlohmann reads it and FromJson converts it: an integer is
  // int (uint above INT64_MAX); with a fraction or an exponent, a double
  // (correctly rounded, as strtod). Out of range: the general path says so.
  bool Number(Value* out) {
    const char* start = p_;
    auto digit = [this] { return p_ != end_ && *p_ >= '0' && *p_ <= '9'; };
    auto digits = [&] {
      if (!digit()) return false;
      while (digit()) ++p_;
      return true;
    };
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ != end_ && *p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    bool fraction = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      fraction = true;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      fraction = true;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    if (fraction) {
      double d = 0;
      const auto [end, ec] = std::from_chars(start, p_, d);
      if (ec != std::errc() || end != p_ || !std::isfinite(d)) return false;
      *out = Value::Double(d);
    } else if (*start == '-') {
      int64_t i = 0;
      const auto [end, ec] = std::from_chars(start, p_, i);
      if (ec != std::errc() || end != p_) return false;
      *out = Value::Int(i);
    } else {
      uint64_t u = 0;
      const auto [end, ec] = std::from_chars(start, p_, u);
      if (ec != std::errc() || end != p_) return false;
      *out = u <= static_cast<uint64_t>(INT64_MAX) ? Value::Int(static_cast<int64_t>(u))
                                                   : Value::Uint(u);
    }
    return true;
  }

  bool Word(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // A member's key and its ':'.
  bool Key(std::string_view* key) {
    SkipSpace();
    return p_ != end_ && *p_ == '"' && String(key) && Eat(':');
  }

  // At '"': the string's text, viewing the body when it has no escape, else
  // `scratch_` (valid until the next string).
  bool String(std::string_view* out) {
    const char* start = ++p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *out = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') return Escaped(start, out);
      if (c < 0x20) return false;
      if (c < 0x80) {
        ++p_;
      } else if (!Utf8()) {
        return false;
      }
    }
    return false;
  }

  // The rest of a string that has escapes, from `start`; a \u escape is left
  // to the general path.
  bool Escaped(const char* start, std::string_view* out) {
    scratch_.assign(start, p_);
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        *out = scratch_;
        return true;
      }
      if (c == '\\') {
        if (++p_ == end_) return false;
        switch (*p_) {
          case '"':
          case '\\':
          case '/':
            scratch_ += *p_;
            break;
          case 'b':
            scratch_ += '\b';
            break;
          case 'f':
            scratch_ += '\f';
            break;
          case 'n':
            scratch_ += '\n';
            break;
          case 'r':
            scratch_ += '\r';
            break;
          case 't':
            scratch_ += '\t';
            break;
          default:
            return false;
        }
        ++p_;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        scratch_ += static_cast<char>(c);
        ++p_;
      } else {
        const char* from = p_;
        if (!Utf8()) return false;
        scratch_.append(from, p_);
      }
    }
    return false;
  }

  // At a byte >= 0x80: one well-formed UTF-8 sequence (RFC 3629, the
  // sequences nlohmann's lexer accepts), stepped over.
  bool Utf8() {
    const auto b0 = static_cast<unsigned char>(*p_);
    int more = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      more = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      more = 2;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      more = 3;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ <= more) return false;
    for (int i = 1; i <= more; ++i) {
      const auto b = static_cast<unsigned char>(p_[i]);
      if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    p_ += more + 1;
    return true;
  }

  Value Intern(std::string_view key) {
    for (const Value& k : keys_) {
      if (k.string_value() == key) return k;
    }
    Value k = Value::String(std::string(key));
    if (keys_.size() < kInternedKeys) keys_.push_back(k);
    return k;
  }

  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Eat(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  struct Seen {
    std::string_view text;  // a principal or resource object, '{' to '}'
    Value value;
  };

  const char* p_;
  const char* end_;
  std::string scratch_;
  std::vector<Value> keys_;
  std::vector<Seen> principals_, resources_;
  size_t next_seen_ = 0;
};

}  // namespace

bool ReadCheckBody(std::string_view text, CheckBody* out) {
  out->checks.clear();
  return Reader(text).Body(out);
}

}  // namespace castellan::api
