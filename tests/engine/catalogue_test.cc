#include "engine/catalogue.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "dsl/parser.h"
#include "dsl/policy_loader.h"
#include "engine/entity_store.h"
#include "engine/function_reference.h"
#include "engine/policy_set.h"
#include "engine/program.h"

namespace castellan::engine {
namespace {

const Catalogue& C() {
  return Catalogue::Default();
}

// Every declared overload reaches the checker under the function's name, and
// every function's implementation reaches the registry: the two are built
// from the same entries, and this holds the builders to it.
TEST(Catalogue, EveryDeclarationHasAnImplementationAndEveryImplementationADeclaration) {
  const PolicySetLoad load = LoadPolicySet(CASTELLAN_CATALOGUE_TESTDATA "/policies");
  ASSERT_TRUE(load.set) << load.formatted;
  const FunctionRegistry& registry = load.set->functions();
  const dsl::CheckEnvironment env = C().Environment(Scope::kRule);
  std::set<std::string> declared;
  for (const auto& [name, decl] : env.functions()) {
    declared.insert(name);
    EXPECT_TRUE(registry.Find(name) || registry.FindContextual(name))
        << "'" << name << "' is declared but has no implementation";
  }
  size_t overloads = 0;
  for (const auto& f : C().functions()) {
    EXPECT_TRUE(declared.count(f.name)) << "'" << f.name << "' is implemented but not declared";
    overloads += f.overloads.size();
    const auto* checked = env.FindFunction(f.name);
    ASSERT_NE(checked, nullptr) << f.name;
    for (const auto& o : *checked) EXPECT_FALSE(o.signature.empty()) << f.name;
  }
  size_t checked_overloads = 0;
  for (const auto& [name, decl] : env.functions()) checked_overloads += decl.overloads.size();
  EXPECT_EQ(checked_overloads, overloads);
  EXPECT_EQ(declared.size(), C().functions().size());
}

TEST(Catalogue, EveryFunctionIsDocumentedWithAnExample) {
  for (const auto& f : C().functions()) {
    EXPECT_FALSE(f.doc.summary.empty()) << f.name;
    EXPECT_FALSE(f.doc.example.empty()) << f.name;
    EXPECT_NE(f.doc.summary.find_first_of('\n'), 0u) << f.name;
  }
  for (const auto& v : C().variables()) EXPECT_FALSE(v.summary.empty()) << v.name;
}

TEST(Catalogue, PolicyFunctionsNeedAPolicySet) {
  // Outside a policy set (Registry() without one) they are not bound.
  const FunctionRegistry plain = C().Registry();
  EXPECT_EQ(plain.FindContextual("role.rank"), nullptr);
  EXPECT_NE(plain.Find("size"), nullptr);
}

// The request every example is evaluated in: the small policy set of
// testdata/policies and its entities.
class ExampleActivation final : public Activation {
 public:
  ExampleActivation() {
    auto store = std::make_shared<InMemoryEntityStore>();
    auto attribute = [](const char* key, const char* value) {
      return Value::Map(MapValue::Make({{Value::String(key), Value::String(value)}}, nullptr));
    };
    store->AddOrganization("acme", attribute("name", "Acme"));
    store->AddUser("ann", attribute("org", "acme"));
    store_ = store;
  }
  const Value* Find(std::string_view) const override { return nullptr; }
  const EntityStore* entities() const override { return store_.get(); }
  const PrincipalScope* principal_scope() const override { return &scope_; }

 private:
  // A principal whose access covers acme, where it holds `read`.
  class AcmeReader final : public PrincipalScope {
   public:
    bool Covers(std::string_view org) const override { return org == "acme"; }
    Value PermissionsAt(std::string_view org) const override {
      ValueList held;
      if (org == "acme") held.push_back(Value::String("read"));
      return Value::List(std::move(held));
    }
  };
  std::shared_ptr<const InMemoryEntityStore> store_;
  AcmeReader scope_;
};

TEST(Catalogue, EveryExampleChecksAndEvaluatesToTrue) {
  const PolicySetLoad load = LoadPolicySet(CASTELLAN_CATALOGUE_TESTDATA "/policies");
  ASSERT_TRUE(load.set) << load.formatted;
  const dsl::CheckEnvironment& env = PolicyEnvironments().rule;
  const ExampleActivation activation;
  for (const auto& f : C().functions()) {
    SCOPED_TRACE(f.name + ": " + f.doc.example);
    dsl::ParseResult parsed = dsl::ParseExpression(f.doc.example);
    ASSERT_TRUE(parsed.expr) << (parsed.diagnostics.empty() ? "" : parsed.diagnostics[0].message);
    dsl::CheckResult checked = dsl::Check(*parsed.expr, env, "<example>");
    if (!checked.diagnostics.empty()) {
      ADD_FAILURE() << checked.diagnostics[0].message;
      continue;
    }
    auto program = Program::Compile(*parsed.expr, {&load.set->functions(), &checked.resolutions});
    EXPECT_EQ(program->Evaluate(activation).DebugString(), "true");
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Catalogue, DocsListEveryFunctionAsTheCatalogueDeclaresIt) {
  const std::string path = CASTELLAN_SOURCE_DIR "/docs/policy-language.md";
  const std::string docs = ReadFile(path);
  ASSERT_FALSE(docs.empty()) << path;
  std::optional<std::string> regenerated = WithFunctionReference(docs, C());
  ASSERT_TRUE(regenerated) << path << " lacks the function reference markers";
  EXPECT_TRUE(*regenerated == docs)
      << path << " is out of date: run `castellan functions --write docs/policy-language.md`";
}

}  // namespace
}  // namespace castellan::engine
