#include "api/strict_json.h"

#include <gtest/gtest.h>

#include <string>

namespace castellan::api {
namespace {

using nlohmann::json;

// The error of parsing `text`, which must fail.
JsonParseError ErrorOf(std::string_view text, size_t max_depth = kDefaultMaxJsonDepth) {
  json out;
  JsonParseError error;
  EXPECT_FALSE(ParseStrictJson(text, &out, &error, max_depth)) << text;
  return error;
}

TEST(StrictJson, ParsesWhatAnyJsonParserReadsTheSameWay) {
  const std::string text =
      R"({"a": [1, -2, 3.5, 18446744073709551615, true, null, "\u00e9\n"],
          "b": {"a": {}, "b": []}, "": "empty key", "c": "same key names in other objects"})";
  json out;
  JsonParseError error;
  ASSERT_TRUE(ParseStrictJson(text, &out, &error)) << error.Describe();
  EXPECT_EQ(out, json::parse(text));
  EXPECT_TRUE(out["a"][3].is_number_unsigned());
}

TEST(StrictJson, ADuplicateKeyIsRefusedWithItsObjectAndPosition) {
  // A proxy that keeps the first key reads u-adam; nlohmann alone keeps u-nina.
  JsonParseError e = ErrorOf(R"({"principal": {"id": "u-adam", "id": "u-nina"}})");
  EXPECT_EQ(e.code, "duplicate_key");
  EXPECT_EQ(e.message, R"(duplicate key "id" in /principal)");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 32);  // the second "id"'s opening quote
  EXPECT_EQ(e.Describe(), R"(line 1, column 32: duplicate key "id" in /principal)");
}

TEST(StrictJson, DuplicatesAreFoundAtAnyDepthAndNamedByJsonPointer) {
  EXPECT_EQ(ErrorOf(R"({"a": 1, "a": 1})").message, R"(duplicate key "a" in the top-level object)");
  JsonParseError e = ErrorOf(
      "{\"checks\": [{}, {\"actions\": [],\n  \"act\\\"ions\": [],"
      " \"act\\\"ions\": []}]}");
  EXPECT_EQ(e.message, R"(duplicate key "act"ions" in /checks/1)");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 20);
  // RFC 6901 escapes '~' and '/' in a pointer's tokens.
  EXPECT_EQ(ErrorOf(R"({"a/b~": {"k": 1, "k": 2}})").message, R"(duplicate key "k" in /a~1b~0)");
  // Two spellings of one key are one key.
  EXPECT_EQ(ErrorOf(R"({"id": 1, "\u0069d": 2})").code, "duplicate_key");
}

TEST(StrictJson, ANulByteIsRefusedWhereverItIs) {
  // nlohmann stops at a NUL and accepts the object before it.
  JsonParseError e = ErrorOf(std::string("{\"a\": 1}\0{\"a\": 2}", 17));
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.offset, 8u);
  EXPECT_NE(e.message.find("NUL"), std::string::npos) << e.message;
  EXPECT_EQ(ErrorOf(std::string("{\"a\": \"x\0y\"}", 12)).offset, 8u);
  // An escaped U+0000 is a character of the string, as JSON says.
  json out;
  JsonParseError error;
  EXPECT_TRUE(ParseStrictJson(R"({"a": "x\u0000y"})", &out, &error));
  EXPECT_EQ(out["a"].get<std::string>().size(), 3u);
}

TEST(StrictJson, NestingDeeperThanTheLimitIsRefused) {
  json out;
  JsonParseError error;
  EXPECT_TRUE(ParseStrictJson(std::string(64, '[') + std::string(64, ']'), &out, &error));
  JsonParseError e = ErrorOf(std::string(65, '[') + std::string(65, ']'));
  EXPECT_EQ(e.code, "nesting_too_deep");
  EXPECT_EQ(e.column, 65);
  EXPECT_EQ(ErrorOf(R"({"a": [{"b": 1}]})", 2).code, "nesting_too_deep");
  // Brackets inside strings are not nesting.
  EXPECT_TRUE(ParseStrictJson(R"(["[[[[[[[[[[[[[[[["])", &out, &error, 1));
}

TEST(StrictJson, SyntaxErrorsSayWhatAndWhere) {
  JsonParseError e = ErrorOf("{\n  \"a\": }");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 8);
  EXPECT_NE(e.message.find("syntax error"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("json.exception"), std::string::npos) << e.message;
  EXPECT_EQ(ErrorOf("").code, "invalid_json");
  EXPECT_EQ(ErrorOf("{} {}").code, "invalid_json");
  EXPECT_EQ(ErrorOf("{\"a\": 1,}").code, "invalid_json");
  EXPECT_EQ(ErrorOf("{\"a\": \"\xff\"}").code, "invalid_json");
}

TEST(StrictJson, AnIntegerPast64BitsIsRefusedNotRounded) {
  // nlohmann would keep 1.8446744073709552e+19; a bignum-aware reader the exact value.
  JsonParseError e = ErrorOf(R"({"n": 18446744073709551616})");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.column, 7);  // where the number starts
  EXPECT_NE(e.message.find("18446744073709551616 does not fit in 64 bits"), std::string::npos)
      << e.message;
  EXPECT_EQ(ErrorOf("-9223372036854775809").code, "invalid_json");
  e = ErrorOf("[1e400]");
  EXPECT_EQ(e.message, "number overflow parsing '1e400'");
  json out;
  JsonParseError error;
  EXPECT_TRUE(
      ParseStrictJson("[1e19, 1.5, 18446744073709551615, -9223372036854775808]", &out, &error))
      << error.Describe();
}

}  // namespace
}  // namespace castellan::api
