#include "api/decision_json.h"

#include <gtest/gtest.h>

#include <string>

namespace castellan::api {
namespace {

using nlohmann::json;

// The error ParseDecisionRequest gives `body`, or "" when it accepts it.
std::string RequestError(const std::string& body) {
  engine::DecisionRequest request;
  std::string error;
  return ParseDecisionRequest(json::parse(body), true, &request, &error) ? "" : error;
}

TEST(DecisionJson, FieldsThatNameAnEntityMustBeStrings) {
  // A number here used to read as "names no principal": a deny that hid the mistake.
  EXPECT_EQ(RequestError(R"({"principal": {"id": 7}, "resource": {}, "actions": ["a"]})"),
            "'principal.id' must be a string, not a number");
  EXPECT_EQ(RequestError(R"({"principal": {"id": "u"}, "resource": {"id": ["r"]},
                             "actions": ["a"]})"),
            "'resource.id' must be a string, not an array");
  EXPECT_EQ(RequestError(R"({"principal": {"id": "u"}, "resource": {"kind": null, "id": "r"},
                             "actions": ["a"]})"),
            "'resource.kind' must be a string, not null");
  // Absent is still allowed: inline entities, and the engine's unknown_principal.
  EXPECT_EQ(RequestError(R"({"principal": {"org": "o"}, "resource": {"org": "o"},
                             "actions": ["a"]})"),
            "");
}

engine::Reason Reason(const std::string& code, const std::string& message) {
  engine::Reason r;
  r.code = code;
  r.message = message;
  return r;
}

engine::ActionDecision DenyWith(size_t reasons, const std::string& message = "m") {
  engine::ActionDecision d;
  d.action = "a";
  for (size_t i = 0; i < reasons; ++i) d.reasons.push_back(Reason("unknown_role", message));
  return d;
}

TEST(DecisionJson, ReasonsPastTheLimitAreLeftOutAndCounted) {
  json j = ActionDecisionToJson(DenyWith(20), 16);
  EXPECT_EQ(j["reasons"].size(), 16u);
  EXPECT_EQ(j["reasons_omitted"], 4);
  j = ActionDecisionToJson(DenyWith(16), 16);
  EXPECT_EQ(j["reasons"].size(), 16u);
  EXPECT_FALSE(j.contains("reasons_omitted"));
  // The CLI shows every reason.
  EXPECT_EQ(ActionDecisionToJson(DenyWith(20))["reasons"].size(), 20u);
}

TEST(DecisionJson, ALongMessageIsCutOnACharacterBoundary) {
  // Messages echo request values (a role name, an id) into every action's reasons.
  std::string long_name(kMaxReasonTextBytes - 1, 'x');
  long_name += "\xc3\xa9\xc3\xa9";  // "éé": the cut falls inside the first
  const json j = ReasonToJson(Reason("unknown_role", long_name));
  const std::string message = j["message"];
  EXPECT_EQ(message, std::string(kMaxReasonTextBytes - 1, 'x') + "...");
  EXPECT_EQ(ReasonToJson(Reason("unknown_role", "short"))["message"], "short");
}

}  // namespace
}  // namespace castellan::api
