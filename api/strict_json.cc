#include "api/strict_json.h"

#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

#include "engine/entity_record.h"

namespace castellan::api {
namespace {

using json = nlohmann::json;

// Hands the text to nlohmann's lexer one byte at a time and remembers how far
// it has read, so a problem found in a SAX callback can say where it is. The
// lexer copies iterators; every copy shares `read`.
class TrackingIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator(const char* p, const char** read) : p_(p), read_(read) {}
  reference operator*() const { return *p_; }
  TrackingIterator& operator++() {
    *read_ = ++p_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator& o) const { return p_ == o.p_; }
  bool operator!=(const TrackingIterator& o) const { return p_ != o.p_; }

 private:
  const char* p_;
  const char** read_;
};

// Fills `error` with `code`, and `message` followed by where `offset` is.
void Report(std::string_view text, const char* code, std::string message, size_t offset,
            JsonParseError* error) {
  error->code = code;
  error->offset = offset;
  error->line = 1;
  error->column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++error->line;
      error->column = 1;
    } else {
      ++error->column;
    }
  }
  error->message = std::move(message);
}

// Builds the document as nlohmann's own DOM parser does, and refuses a
// duplicate key or a container too deep the moment it is read.
class StrictBuilder {
 public:
  StrictBuilder(std::string_view text, const char** read, size_t max_depth, json* root,
                JsonParseError* error)
      : text_(text), read_(read), max_depth_(max_depth), root_(root), error_(error) {}

  bool null() { return Add(nullptr); }
  bool boolean(bool v) { return Add(v); }
  bool number_integer(json::number_integer_t v) { return Add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Add(v); }
  // An integer literal past 64 bits reaches here rounded to a double
  // (18446744073709551616 would become 1.8446744073709552e+19): other parsers
  // keep it exact, so refuse it rather than store a neighbour.
  bool number_float(json::number_float_t v, const std::string& text) {
    if (text.find_first_of(".eE") == std::string::npos) {
      // The lexer has read the number and, unless the text ends there, one more byte.
      size_t end = static_cast<size_t>(*read_ - text_.data());
      if (end > text.size() && text_.substr(end - text.size(), text.size()) != text) --end;
      return Fail("invalid_json",
                  "integer " + text.substr(0, 40) + (text.size() > 40 ? "..." : "") +
                      " does not fit in 64 bits (write it as a string)",
                  end >= text.size() ? end - text.size() : 0);
    }
    return Add(v);
  }
  bool string(std::string& v) { return Add(std::move(v)); }
  bool binary(json::binary_t& v) { return Add(json::binary(std::move(v))); }

  bool start_object(size_t /*size*/) { return Open(json::object()); }
  bool start_array(size_t /*size*/) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(std::string& k) {
    Frame& f = stack_.back();
    auto [it, inserted] = f.value->get_ref<json::object_t&>().emplace(k, nullptr);
    if (!inserted) {
      // The lexer has just read the key's closing quote; point at its opening one.
      const size_t end = static_cast<size_t>(*read_ - text_.data());
      return Fail("duplicate_key", "duplicate key \"" + k + "\" in " + Where(), KeyStart(end));
    }
    f.slot = &it->second;
    f.key = std::move(k);
    return true;
  }

  bool parse_error(size_t position, const std::string& /*last_token*/, const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: what" -> "what".
    std::string what = e.what();
    const size_t column = what.find("column ");
    const size_t colon = column == std::string::npos ? column : what.find(": ", column);
    if (colon != std::string::npos) what = what.substr(colon + 2);
    // "[json.exception.out_of_range.406] number overflow ..." has no position.
    if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos) {
      what = what.substr(what.find("] ") + 2);
    }
    // nlohmann counts characters read, the offending one included.
    return Fail("invalid_json", what, position > 0 ? position - 1 : 0);
  }

  bool failed() const { return failed_; }

 private:
  struct Frame {
    json* value;           // the object or array being filled
    json* slot = nullptr;  // objects: where the value of `key` goes
    std::string key;       // objects: the key being read
  };

  // Puts `v` where the document expects the next value and returns it.
  json* Place(json&& v) {
    if (stack_.empty()) {
      *root_ = std::move(v);
      return root_;
    }
    Frame& f = stack_.back();
    if (f.value->is_array()) {
      f.value->get_ref<json::array_t&>().push_back(std::move(v));
      return &f.value->get_ref<json::array_t&>().back();
    }
    *f.slot = std::move(v);
    return f.slot;
  }

  bool Add(json&& v) {
    Place(std::move(v));
    return true;
  }

  bool Open(json&& container) {
    if (stack_.size() >= max_depth_) {
      const size_t at = static_cast<size_t>(*read_ - text_.data());
      return Fail("nesting_too_deep",
                  "arrays and objects nested deeper than " + std::to_string(max_depth_) + " levels",
                  at > 0 ? at - 1 : 0);
    }
    stack_.push_back(Frame{Place(std::move(container)), nullptr, {}});
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  // The JSON Pointer of the innermost open container.
  std::string Where() const {
    std::string pointer;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      // Appended piece by piece: GCC 12 warns falsely (-Wrestrict, GCC bug
      // 105651) on `"literal" + std::string&&` once inlined at -O2.
      pointer += '/';
      pointer += f.value->is_array() ? std::to_string(f.value->size() - 1)
                                     : engine::JsonPointerToken(f.key);
    }
    return pointer.empty() ? "the top-level object" : pointer;
  }

  // The opening quote of the string token whose closing quote is at end - 1.
  size_t KeyStart(size_t end) const {
    for (size_t i = end >= 2 ? end - 2 : 0; i > 0; --i) {
      if (text_[i] != '"') continue;
      size_t backslashes = 0;
      while (i > backslashes && text_[i - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return i;
    }
    return 0;
  }

  bool Fail(const char* code, std::string message, size_t offset) {
    failed_ = true;
    Report(text_, code, std::move(message), offset, error_);
    return false;
  }

  std::string_view text_;
  const char** read_;
  size_t max_depth_;
  json* root_;
  JsonParseError* error_;
  std::vector<Frame> stack_;
  bool failed_ = false;
};

}  // namespace

std::string JsonParseError::Describe() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

bool ParseStrictJson(std::string_view text, json* out, JsonParseError* error, size_t max_depth) {
  const void* nul = text.empty() ? nullptr : std::memchr(text.data(), '\0', text.size());
  if (nul) {
    // A raw NUL is invalid even inside a string; nlohmann would stop reading
    // there and accept what came before.
    Report(text, "invalid_json", "a NUL byte (not allowed in JSON text, not even in a string)",
           static_cast<size_t>(static_cast<const char*>(nul) - text.data()), error);
    return false;
  }
  const char* read = text.data();
  StrictBuilder builder(text, &read, max_depth, out, error);
  TrackingIterator first(text.data(), &read), last(text.data() + text.size(), &read);
  try {
    // Syntax errors reach parse_error(); nothing should throw, but nlohmann stays behind this wall.
    const bool ok = json::sax_parse(first, last, &builder, json::input_format_t::json,
                                    /*strict=*/true, /*ignore_comments=*/false);
    return ok && !builder.failed();
  } catch (const json::exception& e) {
    Report(text, "invalid_json", e.what(), static_cast<size_t>(read - text.data()), error);
    return false;
  }
}

}  // namespace castellan::api
