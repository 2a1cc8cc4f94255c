// scope.covers and scope.permissionsAt: what the principal's access is at an
// organization other than the resource's, read through the Activation's
// PrincipalScope (the decider's bindings). Outside a decision they are errors.
#include "engine/activation.h"
#include "engine/catalogue.h"

namespace castellan::engine {
namespace {

template <typename Ask>
ContextFunctionImpl AboutOrganization(const char* name, Ask ask) {
  return [name, ask](std::span<const Value> args, const Activation& activation) -> Value {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
      return NoMatchingOverload(name, args);
    }
    const PrincipalScope* scope = activation.principal_scope();
    if (!scope) {
      return Value::Error(ErrorKind::kInvalidArgument,
                          std::string(name) + " needs a principal (it is asked during a decision)");
    }
    return ask(*scope, args[0].string_value());
  };
}

}  // namespace

void AddScopeFunctions(Catalogue& c) {
  c.BeginFamily("Scope helpers",
                "The principal's access at an organization other than the resource's (e.g. the "
                "client a user is being added to), computed as the decision computes it for "
                "the resource's organization.");
  c.AddFunction("scope.covers", {"scope.covers(string) -> bool"},
                AboutOrganization("scope.covers",
                                  [](const PrincipalScope& s, const std::string& org) {
                                    return Value::Bool(s.Covers(org));
                                  }),
                {"Whether the principal's role bindings (or its own organization) cover the "
                 "organization.",
                 "scope.covers('acme')"});
  c.AddFunction("scope.permissionsAt", {"scope.permissionsAt(string) -> list(string)"},
                AboutOrganization("scope.permissionsAt",
                                  [](const PrincipalScope& s, const std::string& org) {
                                    return s.PermissionsAt(org);
                                  }),
                {"The permissions the principal holds at the organization (company-level ones "
                 "only where its own organization enables them).",
                 "'read' in scope.permissionsAt('acme')"});
  c.NameArguments("scope.permissionsAt", {}, dsl::NameKind::kPermission);
}

}  // namespace castellan::engine
