#include "api/decision_json.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

engine::Reason Reason(engine::ReasonCode code, const std::string& message) {
  engine::Reason r;
  r.code = code;
  r.message = message;
  return r;
}

engine::ActionDecision DenyWith(size_t reasons, const std::string& message = "m") {
  engine::ActionDecision d;
  d.action = "a";
  for (size_t i = 0; i < reasons; ++i)
    d.reasons.push_back(Reason(engine::ReasonCode::kUnknownRole, message));
  return d;
}

TEST(DecisionJson, ReasonsPastTheLimitAreLeftOutAndCounted) {
  ReasonQuota quota(16, 1000);
  json j = ActionDecisionToJson(DenyWith(20), quota);
  EXPECT_EQ(j["reasons"].size(), 16u);
  EXPECT_EQ(j["reasons_omitted"], 4);
  j = ActionDecisionToJson(DenyWith(16), quota);
  EXPECT_EQ(j["reasons"].size(), 16u);
  EXPECT_FALSE(j.contains("reasons_omitted"));
  // The CLI shows every reason.
  ReasonQuota all = ReasonQuota::All();
  EXPECT_EQ(ActionDecisionToJson(DenyWith(20), all)["reasons"].size(), 20u);
}

TEST(DecisionJson, AWholeAnswerShowsAtMostItsShareOfReasons) {
  // 16 per action, 40 in all: the third action gets the last 8, the fourth none.
  ReasonQuota quota(16, 40);
  std::vector<json> actions;
  for (int i = 0; i < 4; ++i) actions.push_back(ActionDecisionToJson(DenyWith(20), quota));
  EXPECT_EQ(actions[0]["reasons"].size(), 16u);
  EXPECT_EQ(actions[1]["reasons"].size(), 16u);
  EXPECT_EQ(actions[2]["reasons"].size(), 8u);
  EXPECT_EQ(actions[2]["reasons_omitted"], 12);
  EXPECT_TRUE(actions[3]["reasons"].empty());
  EXPECT_EQ(actions[3]["reasons_omitted"], 20);
  EXPECT_EQ(actions[3]["effect"], "deny");
}

TEST(DecisionJson, ALongMessageIsCutOnACharacterBoundary) {
  // Messages echo request values (a role name, an id) into every action's reasons.
  std::string long_name(kMaxReasonTextBytes - 1, 'x');
  long_name += "\xc3\xa9\xc3\xa9";  // "éé": the cut falls inside the first
  const json j = ReasonToJson(Reason(engine::ReasonCode::kUnknownRole, long_name));
  const std::string message = j["message"];
  EXPECT_EQ(message, std::string(kMaxReasonTextBytes - 1, 'x') + "...");
  EXPECT_EQ(ReasonToJson(Reason(engine::ReasonCode::kUnknownRole, "short"))["message"], "short");
}

TEST(DecisionJson, ACodeIsItsEnumNameOrTheDenyRulesOwnReason) {
  EXPECT_EQ(ReasonToJson(Reason(engine::ReasonCode::kMissingPermission, "m"))["code"],
            "missing_permission");
  engine::Reason own = Reason(engine::ReasonCode::kDeniedByRule, "m");
  EXPECT_EQ(ReasonToJson(own)["code"], "denied_by_rule");
  own.rule_reason = "role_not_beneath";
  EXPECT_EQ(ReasonToJson(own)["code"], "role_not_beneath");
}

TEST(DecisionJson, TheWriterWritesTheBytesOfTheDumpedDocument) {
  const auto dump = [](const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  std::string long_text(kMaxReasonTextBytes + 5, 'y');
  long_text[kMaxReasonTextBytes - 1] = '\xc3';
  long_text[kMaxReasonTextBytes] = '\xa9';
  engine::Decision decision;
  for (const std::string& text : std::vector<std::string>{
           "plain", "", "quote \" back\\slash", "tab\t nl\n cr\r bell\x07 del\x7f",
           "caf\xc3\xa9 \xe2\x82\xac", "bad \xff\xfe utf8 \xc3", long_text}) {
    engine::ActionDecision d = DenyWith(3, text);
    d.action = text + "#" + std::to_string(decision.results.size());
    d.reasons[0].permission = text;
    d.reasons[1].required_by = text;
    d.reasons[1].organization = text;
    d.reasons[2].condition = text;
    d.reasons[2].rule_reason = text.empty() ? "" : "own_" + text;
    decision.results.push_back(d);
    engine::ActionDecision allowed;
    allowed.action = "allowed " + text;
    allowed.allowed = true;
    decision.results.push_back(allowed);
  }
  for (const auto& [per_action, per_answer] :
       std::vector<std::pair<size_t, size_t>>{{16, 10000}, {2, 9}, {0, 0}}) {
    ReasonQuota documents(per_action, per_answer), text(per_action, per_answer);
    std::string written;
    DecisionWriter(text).Results(decision, &written);
    EXPECT_EQ(written, dump(ResultsToJson(decision, documents)));
  }
  std::string s;
  AppendJsonString("a\"\x01\xff", &s);
  EXPECT_EQ(s, dump("a\"\x01\xff"));
}

}  // namespace
}  // namespace castellan::api
