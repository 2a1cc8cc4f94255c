// The behaviours of CEL's extension libraries that policy authors rely on,
// beyond what the cel-spec conformance files cover: optionals over missing
// attributes, decided through a real policy set; code-point indexing;
// cel.bind scoping; and the errors (each an error value, never a crash or a
// wrong answer).
#include <gtest/gtest.h>

#include "api/json_value.h"
#include "dsl/parser.h"
#include "engine/catalogue.h"
#include "engine/decision.h"
#include "engine/entity_store.h"
#include "engine/policy_set.h"
#include "engine/program.h"

namespace castellan::engine {
namespace {

Value Json(const char* text) {
  return api::FromJson(nlohmann::json::parse(text));
}

// Parses, checks in the rule environment (as a policy's `when:` is) and
// evaluates `text` with `resource` bound to `resource_json`.
Value Eval(std::string_view text, const char* resource_json = "{}") {
  dsl::ParseResult parsed = dsl::ParseExpression(text);
  if (!parsed.expr) {
    ADD_FAILURE() << text << ": " << parsed.diagnostics.at(0).message;
    return Value::Error(ErrorKind::kInvalidArgument, "parse");
  }
  dsl::CheckResult checked = dsl::Check(*parsed.expr, PolicyEnvironments().rule, "<test>");
  if (!checked.diagnostics.empty()) {
    ADD_FAILURE() << text << ": " << checked.diagnostics[0].message;
    return Value::Error(ErrorKind::kInvalidArgument, "check");
  }
  MapActivation activation;
  activation.Bind("resource", Json(resource_json));
  ProgramOptions options;
  options.resolutions = &checked.resolutions;
  return Program::Compile(*parsed.expr, options)->Evaluate(activation);
}

std::string Show(std::string_view text, const char* resource_json = "{}") {
  return Eval(text, resource_json).DebugString();
}

// An error value of `kind`, not a value that happens to look wrong.
void ExpectError(std::string_view text, ErrorKind kind, const char* resource_json = "{}") {
  SCOPED_TRACE(text);
  Value v = Eval(text, resource_json);
  ASSERT_TRUE(v.is_error()) << v.DebugString();
  EXPECT_EQ(v.error_value().kind, kind) << v.error_value().message;
}

// --- Optionals: a missing attribute is optional.none(), not an error ---

TEST(Optionals, MissingAttributeIsNoneAndPresentOneIsItsValue) {
  EXPECT_EQ(Show("resource.?deleted.hasValue()", R"({"id": "d1"})"), "false");
  EXPECT_EQ(Show("resource.?deleted.orValue(false)", R"({"id": "d1"})"), "false");
  EXPECT_EQ(Show("resource.?deleted.orValue(false)", R"({"deleted": true})"), "true");
  // Chained: a missing intermediate map stays none rather than failing.
  EXPECT_EQ(Show("resource.?owner.?team.orValue('none')", R"({"id": "d1"})"), "\"none\"");
  EXPECT_EQ(Show("resource.?owner.?team.orValue('none')", R"({"owner": {"team": "ops"}})"),
            "\"ops\"");
  // Index forms: a missing key or an index out of range.
  EXPECT_EQ(Show("resource.tags[?5].orValue('-')", R"({"tags": ["a"]})"), "\"-\"");
  EXPECT_EQ(Show("resource.labels[?'env'].orValue('dev')", R"({"labels": {}})"), "\"dev\"");
  EXPECT_EQ(Show("resource.?labels['env'].orValue('dev')", R"({"labels": {"env": "prod"}})"),
            "\"prod\"");
  // Without `.?` the same missing attribute is an error (the fail-closed default).
  ExpectError("resource.deleted", ErrorKind::kNoSuchKey, R"({"id": "d1"})");
}

TEST(Optionals, ValueOfNoneIsAnError) {
  Value v = Eval("resource.?deleted.value()", R"({"id": "d1"})");
  EXPECT_TRUE(v.is_error()) << v.DebugString();
  EXPECT_EQ(Show("optional.none().or(resource.?deleted).hasValue()", R"({"deleted": false})"),
            "true");
}

class OptionalsInPolicies : public ::testing::Test {
 protected:
  void SetUp() override {
    // Loaded as a pack is (tests/engine/testdata/extensions/policies.yaml).
    PolicySetLoad load = LoadPolicySet(CASTELLAN_SOURCE_DIR "/tests/engine/testdata/extensions");
    ASSERT_TRUE(load.set) << load.formatted;
    set_ = load.set;
    store_.AddOrganization("acme", Json(R"({"id": "acme"})"));
    store_.AddOrganization("contoso", Json(R"({"id": "contoso", "data_center": "EU-West"})"));
    store_.AddUser("ann", Json(R"({"id": "ann", "org": "acme", "status": "active",
                                   "roles": ["reader"]})"));
    store_.AddUser("cid", Json(R"({"id": "cid", "org": "contoso", "status": "active",
                                   "roles": ["reader"]})"));
  }

  // `who` asks, about a resource of their own organization, which is stored
  // as described (each test names a new id) and named by kind and id.
  ActionDecision One(const char* resource, const char* action, const char* who = "ann") {
    const Value described = Json(resource);
    const std::string kind = described.map_value().FindString("kind")->string_value();
    const std::string id = described.map_value().FindString("id")->string_value();
    EXPECT_TRUE(store_.AddResource(kind, id, described)) << id << " is already stored";
    DecisionRequest r{
        Value::Map(MapValue::Make({{Value::String("id"), Value::String(who)}}, nullptr)),
        Value::Map(MapValue::Make({{Value::String("kind"), Value::String(kind)},
                                   {Value::String("id"), Value::String(id)}},
                                  nullptr)),
        Json("{}"),
        {action}};
    return Decide(*set_, store_, r).results.at(0);
  }

  std::shared_ptr<const PolicySet> set_;
  InMemoryEntityStore store_;
};

TEST_F(OptionalsInPolicies, AMissingDeletedFlagMeansNotDeleted) {
  // Without the optional, this resource would need an explicit `deleted: false`.
  auto kept = One(R"({"kind": "document", "id": "d1", "org": "acme"})", "doc.read");
  EXPECT_TRUE(kept.allowed);
  ASSERT_NE(kept.rule, nullptr);
  EXPECT_EQ(kept.rule->decl->name, "readers");

  auto deleted =
      One(R"({"kind": "document", "id": "d2", "org": "acme", "deleted": true})", "doc.read");
  EXPECT_FALSE(deleted.allowed);
  ASSERT_NE(deleted.rule, nullptr);
  EXPECT_EQ(deleted.rule->decl->name, "deleted-documents");

  auto undeleted =
      One(R"({"kind": "document", "id": "d3", "org": "acme", "deleted": false})", "doc.read");
  EXPECT_TRUE(undeleted.allowed);
}

TEST_F(OptionalsInPolicies, AMissingAttributeOnAStoredEntityIsNone) {
  // acme's record has no data_center: optional.none(), so the deny applies
  // (rather than an evaluation error).
  auto acme = One(R"({"kind": "site", "id": "s1", "org": "acme"})", "site.read");
  EXPECT_FALSE(acme.allowed);
  ASSERT_NE(acme.rule, nullptr);
  EXPECT_EQ(acme.rule->decl->name, "sites-outside-the-eu");
  for (const auto& reason : acme.reasons) EXPECT_NE(reason.code, ReasonCode::kEvaluationError);

  auto contoso = One(R"({"kind": "site", "id": "s2", "org": "contoso"})", "site.read", "cid");
  EXPECT_TRUE(contoso.allowed);
}

// --- Strings: code points, not bytes ---

TEST(StringsExtension, IndexesNonAsciiStringsByCodePoint) {
  EXPECT_EQ(Show("'ta©o'.charAt(2)"), "\"©\"");
  EXPECT_EQ(Show("'ta©o'.charAt(3)"), "\"o\"");
  EXPECT_EQ(Show("'ta©o'.charAt(4)"), "\"\"");  // the end of the string
  EXPECT_EQ(Show("'日本語'.size() == 3 && '日本語'.charAt(1) == '本'"), "true");
  EXPECT_EQ(Show("'ta©o©'.indexOf('©', 3)"), "4");
  EXPECT_EQ(Show("'ta©o©'.lastIndexOf('©')"), "4");
  EXPECT_EQ(Show("'Grüße, Jürgen'.substring(7, 13)"), "\"Jürgen\"");
  EXPECT_EQ(Show("'añb'.reverse()"), "\"bña\"");
  EXPECT_EQ(Show("'😀x'.charAt(1)"), "\"x\"");
}

TEST(StringsExtension, IndexesOutsideTheStringAreErrors) {
  ExpectError("'ta©o'.charAt(5)", ErrorKind::kInvalidArgument);
  ExpectError("'ta©o'.charAt(-1)", ErrorKind::kInvalidArgument);
  ExpectError("'ta©o'.substring(3, 2)", ErrorKind::kInvalidArgument);
  ExpectError("'ta©o'.substring(0, 5)", ErrorKind::kInvalidArgument);
  ExpectError("'abc'.indexOf('b', 4)", ErrorKind::kInvalidArgument);
}

TEST(StringsExtension, FormatErrorsOnAMissingArgumentOrUnknownVerb) {
  EXPECT_EQ(Show("'%s: %d'.format(['ann', 2])"), "\"ann: 2\"");
  EXPECT_TRUE(Eval("'%s %s'.format(['ann'])").is_error());
  EXPECT_TRUE(Eval("'%q'.format(['ann'])").is_error());
  EXPECT_TRUE(Eval("'%d'.format(['ann'])").is_error());
}

// --- cel.bind: a local name, scoped to its body ---

TEST(Bindings, BindScopesAndShadows) {
  // docs/policy-language.md's example.
  constexpr const char* kDocsExample =
      R"(cel.bind(tags, resource.?tags.orValue([]), "urgent" in tags || tags.size() > 3))";
  EXPECT_EQ(Show(kDocsExample, R"({"tags": ["urgent"]})"), "true");
  EXPECT_EQ(Show(kDocsExample, R"({"id": "no tags"})"), "false");
  EXPECT_EQ(Show("cel.bind(x, 2, x * x) == 4"), "true");
  // The inner binding shadows the outer one only inside its own body.
  EXPECT_EQ(Show("cel.bind(x, 1, cel.bind(x, x + 10, x) + x)"), "12");
  // A binding shadows a variable of the environment...
  EXPECT_EQ(Show("cel.bind(resource, {'id': 'local'}, resource.id)", R"({"id": "outer"})"),
            "\"local\"");
  // ...and the variable is back outside the body.
  EXPECT_EQ(
      Show("cel.bind(resource, 1, resource) == 1 && resource.id == 'outer'", R"({"id": "outer"})"),
      "true");
  // A comprehension variable of the same name wins inside the comprehension.
  EXPECT_EQ(Show("cel.bind(x, 10, [1, 2].map(x, x * 2)) == [2, 4]"), "true");
  // An error in the bound value stays an error value where it is used.
  ExpectError("cel.bind(x, resource.missing, x == 1)", ErrorKind::kNoSuchKey);
  // Evaluated once, eagerly (as cel-go's accumulator initialiser is): an
  // error in the value is the result even where the body does not use it.
  ExpectError("cel.bind(x, resource.missing, true)", ErrorKind::kNoSuchKey);
}

TEST(Bindings, TheNameMustBeAnIdentifier) {
  dsl::ParseResult parsed = dsl::ParseExpression("cel.bind('x', 1, 2)");
  EXPECT_FALSE(parsed.expr);
  ASSERT_FALSE(parsed.diagnostics.empty());
  EXPECT_NE(parsed.diagnostics[0].message.find("cel.bind"), std::string::npos);
}

// --- Lists, math and encoders: errors are error values ---

TEST(ListsExtension, SortOfMixedTypesIsAnError) {
  EXPECT_EQ(Show("resource.tags.sort()", R"({"tags": ["b", "a"]})"), "[\"a\", \"b\"]");
  ExpectError("resource.tags.sort()", ErrorKind::kInvalidArgument, R"({"tags": ["b", 1]})");
  ExpectError("resource.tags.sort()", ErrorKind::kInvalidArgument, R"({"tags": [[1], [2]]})");
}

TEST(ListsExtension, OutOfRangeSlicesAndNegativeDepthsAreErrors) {
  EXPECT_EQ(Show("lists.range(-1)"), "[]");  // as cel-go: no ints below a negative bound
  ExpectError("[1, 2].slice(1, 3)", ErrorKind::kInvalidArgument);
  ExpectError("[1, 2].slice(2, 1)", ErrorKind::kInvalidArgument);
  ExpectError("[1, [2]].flatten(-1)", ErrorKind::kInvalidArgument);
}

TEST(MathExtension, GreatestOfAnEmptyListIsAnError) {
  ExpectError("math.greatest([])", ErrorKind::kInvalidArgument);
  ExpectError("math.least([])", ErrorKind::kInvalidArgument);
  ExpectError("math.greatest(resource.scores)", ErrorKind::kInvalidArgument, R"({"scores": []})");
  EXPECT_EQ(Show("math.greatest(resource.scores)", R"({"scores": [3, 9, 4]})"), "9");
  // Not numbers: an error, not a comparison of whatever came.
  ExpectError("math.greatest(resource.scores)", ErrorKind::kNoMatchingOverload,
              R"({"scores": ["a", "b"]})");
}

TEST(MathExtension, OverflowAndBadShiftsAreErrors) {
  ExpectError("math.abs(-9223372036854775807 - 1)", ErrorKind::kOverflow);
  ExpectError("math.bitShiftLeft(1, -1)", ErrorKind::kInvalidArgument);
}

TEST(EncodersExtension, DecodingBadBase64IsAnError) {
  EXPECT_EQ(Show("base64.decode('aGVsbG8=') == b'hello'"), "true");
  ExpectError("base64.decode('a')", ErrorKind::kInvalidArgument);             // one lone symbol
  ExpectError("base64.decode('aGVs*G8=')", ErrorKind::kInvalidArgument);      // not in the alphabet
  ExpectError("base64.decode('aGVsbG8=aGVs')", ErrorKind::kInvalidArgument);  // data after '='
  ExpectError("base64.decode(resource.token)", ErrorKind::kInvalidArgument, R"({"token": "###"})");
}

}  // namespace
}  // namespace castellan::engine
