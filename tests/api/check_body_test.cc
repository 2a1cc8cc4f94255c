// ReadCheckBody against the general path it stands in for: ParseStrictJson,
// then ParseDecisionRequest on the body or on each of its checks.
#include "api/check_body.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/decision_json.h"
#include "api/strict_json.h"

namespace castellan::api {
namespace {

using nlohmann::json;

std::string Show(const engine::DecisionRequest& r) {
  std::string s = r.principal.DebugString() + " | " + r.resource.DebugString() + " | " +
                  r.context.DebugString() + " | " + r.params.DebugString() + " |";
  for (const std::string& a : r.actions) s += " " + a;
  return s;
}

// What the general path reads from `text`, or nothing when it refuses it.
bool General(const std::string& text, CheckBody* out) {
  json body;
  JsonParseError parse_error;
  if (!ParseStrictJson(text, &body, &parse_error) || !body.is_object()) return false;
  std::string error;
  out->checks.clear();
  if (body.contains("checks")) {
    out->batch = true;
    if (body.size() != 1 || !body["checks"].is_array() || body["checks"].empty()) return false;
    for (const json& check : body["checks"]) {
      if (!ParseDecisionRequest(check, true, &out->checks.emplace_back(), &error)) return false;
    }
    return true;
  }
  out->batch = false;
  return ParseDecisionRequest(body, true, &out->checks.emplace_back(), &error);
}

// Read the same as the general path reads it, to the order of map entries.
void ExpectSame(const std::string& text) {
  CheckBody fast, general;
  ASSERT_TRUE(General(text, &general)) << text;
  ASSERT_TRUE(ReadCheckBody(text, &fast)) << text;
  EXPECT_EQ(fast.batch, general.batch) << text;
  ASSERT_EQ(fast.checks.size(), general.checks.size()) << text;
  for (size_t i = 0; i < fast.checks.size(); ++i) {
    EXPECT_EQ(Show(fast.checks[i]), Show(general.checks[i])) << text;
    EXPECT_EQ(fast.checks[i].principal.kind(), general.checks[i].principal.kind());
    EXPECT_EQ(fast.checks[i].context.kind(), general.checks[i].context.kind());
    EXPECT_EQ(fast.checks[i].params.kind(), general.checks[i].params.kind());
  }
}

TEST(CheckBody, ReadsPlainChecksAndBatchesAsTheGeneralPathDoes) {
  ExpectSame(R"({"principal":{"id":"u0222"},"resource":{"kind":"organization","id":"c143"},)"
             R"("actions":["user.delete"]})");
  ExpectSame(R"( { "actions" : [ "a" , "b" ] , "resource" : { "id" : "r", "kind": "k",)"
             "\n\t\r \"new\": true, \"org\": \"o\" }, \"principal\": {\"org\": \"o\", "
             R"("roles": ["x", {"role": "y", "access": {"customers": ["c"]}}]} } )");
  ExpectSame(R"({"checks":[{"principal":{"id":"u"},"resource":{"id":"r"},"actions":["a"]},)"
             R"({"principal":{"id":"v"},"resource":{"id":"s"},"actions":["b","c"],)"
             R"("context":{"now":"2026-11-02T12:00:00Z","otp_fresh":true},"params":null}]})");
  // Keys in any order come out in the document's (sorted) order.
  ExpectSame(R"({"principal":{"z":1,"id":"u","a":2,"m":{"y":[],"b":{}}},"resource":{},)"
             R"("actions":["a"],"context":{},"params":{"n":null}})");
}

TEST(CheckBody, ReadsNumbersStringsAndUtf8AsTheDocumentHoldsThem) {
  for (const char* value : {"0",
                            "-0",
                            "7",
                            "-7",
                            "9223372036854775807",
                            "9223372036854775808",
                            "18446744073709551615",
                            "-9223372036854775808",
                            "1.5",
                            "-0.0",
                            "1e3",
                            "1E-3",
                            "2.5e+10",
                            "0.1",
                            "123456789.123456789e-5",
                            "4.9e-324",
                            "1.7976931348623157e308",
                            R"("")",
                            R"("a\"b\\c\/d\b\f\n\r\t")",
                            R"("caf\u00e9")",
                            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",
                            "true",
                            "false",
                            "null",
                            "[1, \"x\", [], {}]"}) {
    const std::string text = std::string(R"({"principal":{"id":"u","v":)") + value +
                             R"(},"resource":{},"actions":["a"]})";
    CheckBody general;
    ASSERT_TRUE(General(text, &general)) << text;
    CheckBody fast;
    if (ReadCheckBody(text, &fast)) {
      ExpectSame(text);
    } else {
      // Left to the general path: only a \u escape.
      EXPECT_NE(text.find("\\u"), std::string::npos) << text;
    }
  }
}

TEST(CheckBody, LeavesEverythingElseToTheGeneralPath) {
  const std::string ok = R"("resource":{"id":"r"},"actions":["a"])";
  for (const std::string& text : std::vector<std::string>{
           "",
           "[]",
           "\xEF\xBB\xBF{\"principal\":{}," + ok + "}",  // a BOM
           R"({"principal":{}, )" + ok + "} x",
           R"({"principal":{}, )" + ok + ",}",
           R"({"principal":{}, "principal":{}, )" + ok + "}",
           R"({"principal":{"id":"u","id":"v"}, )" + ok + "}",
           R"({"principal":{"id":7}, )" + ok + "}",
           R"({"principal":{"id":null}, )" + ok + "}",
           R"({"principal":{}, "resource":{"kind":1}, "actions":["a"]})",
           R"({"principal":{}, "resource":{"new":"yes"}, "actions":["a"]})",
           R"({"principal":{}, "resource":{}, "actions":[]})",
           R"({"principal":{}, "resource":{}, "actions":["a","a"]})",
           R"({"principal":{}, "resource":{}, "actions":[1]})",
           R"({"principal":{}, "resource":{}, "actions":"a"})",
           R"({"principal":{}, "resource":{}})",
           R"({"principal":[], )" + ok + "}",
           R"({"principal":{}, "context":[], )" + ok + "}",
           R"({"principal":{}, "params":1, )" + ok + "}",
           R"({"principal":{}, "extra":1, )" + ok + "}",
           R"({"principal":{}, "checks":[], )" + ok + "}",
           R"({"checks":[]})",
           R"({"checks":{}})",
           R"({"checks":[{"principal":{}, )" + ok + "}], \"x\":1}",
           R"({"checks":[{"principal":{}, )" + ok + "},]}",
           R"({"checks":[{"principal":{}, )" + ok + "}, 1]}",
           R"({"principal":{"v":01}, )" + ok + "}",
           R"({"principal":{"v":1.}, )" + ok + "}",
           R"({"principal":{"v":.5}, )" + ok + "}",
           R"({"principal":{"v":+1}, )" + ok + "}",
           R"({"principal":{"v":1e999}, )" + ok + "}",
           R"({"principal":{"v":18446744073709551616}, )" + ok + "}",
           R"({"principal":{"v":-9223372036854775809}, )" + ok + "}",
           R"({"principal":{"v":tru}, )" + ok + "}",
           R"({"principal":{"v":"a\x"}, )" + ok + "}",
           R"({"principal":{"v":"\u0041"}, )" + ok + "}",
           std::string(R"({"principal":{"v":"a)") + '\0' + R"("}, )" + ok + "}",
           std::string(R"({"principal":{"v":"a)") + '\n' + R"("}, )" + ok + "}",
           "{\"principal\":{\"v\":\"\xC0\xAF\"}, " + ok + "}",      // overlong
           "{\"principal\":{\"v\":\"\xED\xA0\x80\"}, " + ok + "}",  // a surrogate
           "{\"principal\":{\"v\":\"\xF4\x90\x80\x80\"}, " + ok + "}",
           "{\"principal\":{\"v\":\"\xE2\x82\"}, " + ok + "}",
           R"({"principal":{"v":)" + std::string(40, '[') + std::string(40, ']') + "}, " + ok + "}",
       }) {
    CheckBody out;
    EXPECT_FALSE(ReadCheckBody(text, &out)) << text;
  }
}

}  // namespace
}  // namespace castellan::api
