#include "engine/encoders_extension.h"

#include <string>
#include <string_view>

#include "engine/catalogue.h"

namespace castellan::engine::encoders_extension {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

Value Base64Encode(Args a) {
  if (a.size() != 1 || a[0].kind() != Value::Kind::kBytes) {
    return NoMatchingOverload("base64.encode", a);
  }
  const std::string& in = a[0].bytes_value();
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t chunk = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) chunk |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) chunk |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[chunk & 63] : '=';
  }
  return Value::String(std::move(out));
}

Value Base64Decode(Args a) {
  if (a.size() != 1 || a[0].kind() != Value::Kind::kString) {
    return NoMatchingOverload("base64.decode", a);
  }
  std::string_view in = a[0].string_value();
  // Padding is optional (cel-go falls back to the unpadded decoder), but
  // must be complete when present.
  if (!in.empty() && in.back() == '=') {
    if (in.size() % 4 != 0) {
      return Value::Error(ErrorKind::kInvalidArgument, "base64.decode: illegal padding");
    }
    in.remove_suffix(in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1);
  }
  if (in.size() % 4 == 1) {
    return Value::Error(ErrorKind::kInvalidArgument, "base64.decode: truncated input");
  }
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          std::string("base64.decode: illegal character '") + c + "'");
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return Value::Bytes(std::move(out));
}

}  // namespace castellan::engine::encoders_extension

namespace castellan::engine {

void AddEncoderExtensions(Catalogue& c) {
  namespace x = encoders_extension;
  c.BeginFamily("Encoders extension",
                "CEL's encoders extension (cel-go `ext.Encoders`). Malformed base64 is an error.");
  c.AddFunction("base64.encode", {"base64.encode(bytes) -> string"}, x::Base64Encode,
                {"Standard base64 with padding.", "base64.encode(b'hello') == 'aGVsbG8='"});
  c.AddFunction(
      "base64.decode", {"base64.decode(string) -> bytes"}, x::Base64Decode,
      {"Decodes standard base64, padded or not.", "base64.decode('aGVsbG8') == b'hello'"});
}

}  // namespace castellan::engine
