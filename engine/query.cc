#include "engine/query.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "engine/decision.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;
using Records = std::vector<const EntityRecord*>;

const Value* Field(const Value& map, std::string_view key) {
  return map.kind() == K::kMap ? map.map_value().FindString(key) : nullptr;
}

std::string_view StringField(const Value& map, std::string_view key) {
  const Value* v = Field(map, key);
  return v && v->kind() == K::kString ? std::string_view(v->string_value()) : std::string_view();
}

bool TrueField(const Value* map, std::string_view key) {
  const Value* v = map ? Field(*map, key) : nullptr;
  return v && v->is_bool() && v->bool_value();
}

// The partner an organization belongs to: its parent, or itself.
std::string_view PartnerOf(const EntitySnapshot& snapshot, std::string_view org) {
  const Value* stored = snapshot.FindOrganization(org);
  const std::string_view parent = stored ? StringField(*stored, "parent") : std::string_view();
  return parent.empty() ? org : parent;
}

bool ById(const EntityRecord* a, const EntityRecord* b) {
  return a->id < b->id;
}

void SortUnique(Records& records) {
  std::sort(records.begin(), records.end(), ById);
  records.erase(std::unique(records.begin(), records.end()), records.end());
}

// The organization a stored entity belongs to, as Decide() reads
// `resource.org`: its `org`; an organization without one belongs to itself.
std::string_view OrgOf(const EntityRecord& r) {
  if (r.kind == "organization" && !Field(r.attributes, "org")) return r.id;
  return StringField(r.attributes, "org");
}

// A superset of the organizations in a principal's scope, read from its
// bindings the way Decide() reads them (engine/decide.cc: CheckRequest,
// Covers, AccessCovers): its own organization, and per binding's scope term
//   any                 -> every organization (unbounded);
//   own                 -> its own organization;
//   customers           -> every customer of its partner;
//   assigned_customers  -> the customers its access lists, the members of a
//                          static group it names; every customer of its
//                          partner for `all`, a dynamic group or
//                          `auto_assign_new_companies`.
// Decide() still decides each candidate: this only leaves out organizations
// no binding can cover, where every organization-scoped action is denied
// (out_of_scope). A role Decide() would not find denies everything, so it
// adds nothing.
class Reach {
 public:
  Reach(const EntitySnapshot& snapshot, const Value& principal) : snapshot_(snapshot) {
    own_ = StringField(principal, "org");
    partner_ = own_.empty() ? std::string_view() : PartnerOf(snapshot, own_);
    const Value* roles = Field(principal, "roles");
    if (!roles || roles->kind() != K::kList) return;
    const Value* principal_access = Field(principal, "customer_access");
    const PolicySet& policies = *snapshot.policies();
    for (const Value& entry : roles->list_value()) {
      const Value* name = entry.kind() == K::kString ? &entry : Field(entry, "role");
      if (!name || name->kind() != K::kString) continue;
      const CompiledRole* role = policies.FindRole(name->string_value());
      if (!role) role = snapshot.FindCustomRole(partner_, name->string_value());
      if (!role) continue;
      const Value* access = role->access ? role->access : principal_access;
      if (const Value* own_access = Field(entry, "access")) access = own_access;
      for (ScopeTerm term : role->scope) AddTerm(term, access);
    }
  }

  // Whether some binding's scope is `any`: then nothing narrows.
  bool unbounded() const { return unbounded_; }

  // Whether `org` may be in scope. REQUIRES: !unbounded().
  bool Contains(std::string_view org) const {
    if (org.empty()) return false;
    if (org == own_) return true;
    if (all_customers_) {
      const Value* stored = snapshot_.FindOrganization(org);
      if (stored && !partner_.empty() && StringField(*stored, "parent") == partner_) return true;
    }
    return std::binary_search(listed_.begin(), listed_.end(), org);
  }

  // The stored organizations Contains() names, sorted by id. REQUIRES: !unbounded().
  Records Organizations() const {
    Records out;
    auto add = [&](std::string_view id) {
      if (const EntityRecord* r = snapshot_.Find("organization", id)) out.push_back(r);
    };
    if (!own_.empty()) add(own_);
    for (std::string_view id : listed_) add(id);
    if (all_customers_ && !partner_.empty()) {
      const Records& customers = snapshot_.ChildrenOf(partner_);
      out.insert(out.end(), customers.begin(), customers.end());
    }
    SortUnique(out);
    return out;
  }

 private:
  void AddTerm(ScopeTerm term, const Value* access) {
    switch (term) {
      case ScopeTerm::kAny:
        unbounded_ = true;
        return;
      case ScopeTerm::kOwn:
        return;
      case ScopeTerm::kCustomers:
        all_customers_ = true;
        return;
      case ScopeTerm::kAssignedCustomers:
        AddAccess(access);
        return;
    }
  }

  void AddAccess(const Value* access) {
    if (!access) return;
    if (TrueField(access, "all") || TrueField(access, "auto_assign_new_companies")) {
      all_customers_ = true;
      return;
    }
    if (const Value* customers = Field(*access, "customers");
        customers && customers->kind() == K::kList) {
      for (const Value& id : customers->list_value()) {
        if (id.kind() == K::kString) List(id.string_value());
      }
    }
    const Value* groups = Field(*access, "groups");
    if (!groups || groups->kind() != K::kList) return;
    for (const Value& name : groups->list_value()) {
      if (name.kind() != K::kString) continue;
      const CompiledGroup* g = snapshot_.FindCustomerGroup(partner_, name.string_value());
      if (!g) g = snapshot_.policies()->FindGroup(name.string_value());
      if (!g) continue;
      if (g->match) {
        all_customers_ = true;  // dynamic: only its match says which customers
        continue;
      }
      for (const std::string& member : g->members) List(member);
    }
  }

  void List(std::string_view id) {
    auto at = std::lower_bound(listed_.begin(), listed_.end(), id);
    if (at == listed_.end() || *at != id) listed_.insert(at, id);
  }

  const EntitySnapshot& snapshot_;
  std::string_view own_, partner_;
  bool unbounded_ = false;
  bool all_customers_ = false;
  std::vector<std::string_view> listed_;  // sorted; may name non-customers (Decide denies them)
};

// The principal Decide() will read roles and access from: the inline one
// for a request-only `user` kind, else the stored user with what the request
// gives over it (if the trust boundary lets it; else every decision is
// refused); nullopt when the user is unknown.
std::optional<Value> PrincipalAttributes(const EntitySnapshot& snapshot, const Value& given) {
  const dsl::EntityKindDecl* kind = snapshot.policies()->FindEntityKind("user");
  if (kind && kind->source == dsl::EntitySource::kRequest) return given;
  const Value* stored = snapshot.FindUser(StringField(given, "id"));
  if (!stored) return std::nullopt;
  return MergeMaps(*stored, given);
}

// The organization Decide() reads as `resource.org` for `resource` (a map):
// an inline resource's own (`new: true`, a request-only kind), else the one
// the request gives over the stored entity, else the stored one; a stored
// organization without one belongs to itself.
std::string_view ResourceOrg(const EntitySnapshot& snapshot, const Value& resource) {
  const std::string_view kind = StringField(resource, "kind"), id = StringField(resource, "id");
  const dsl::EntityKindDecl* decl = snapshot.policies()->FindEntityKind(kind);
  if (TrueField(&resource, "new") || (decl && decl->source == dsl::EntitySource::kRequest) ||
      Field(resource, "org")) {
    return StringField(resource, "org");
  }
  const Value* stored = kind == "organization" ? snapshot.FindOrganization(id)
                        : kind == "user"       ? snapshot.FindUser(id)
                                               : snapshot.FindResource(kind, id);
  if (!stored) return {};
  if (kind == "organization" && !Field(*stored, "org")) return id;
  return StringField(*stored, "org");
}

// Whether deciding `action` on `kind` requires the resource's organization in
// the principal's scope: only then do organizations narrow the candidates (an
// unknown action denies everyone, so narrowing loses nothing either).
bool ScopedByOrganization(const EntitySnapshot& snapshot, const std::string& action,
                          std::string_view kind) {
  const CompiledAction* a = snapshot.policies()->FindAction(action);
  return !a || snapshot.policies()->ScopeOf(*a, kind) == dsl::ScopeMode::kOrganization;
}

// Whether any role, policy or custom, may have the scope term `any`.
bool AnyRoleUnbounded(const PolicySet& policies) {
  auto any = [](const std::vector<ScopeTerm>& scope) {
    return std::find(scope.begin(), scope.end(), ScopeTerm::kAny) != scope.end();
  };
  for (const dsl::RoleDecl& decl : policies.source().roles) {
    const CompiledRole* role = policies.FindRole(decl.name);
    if (role && any(role->scope)) return true;
  }
  for (const dsl::CustomRolesDecl& decl : policies.source().custom_roles) {
    const CompiledCustomRoles* custom = policies.FindCustomRoles(decl.level);
    if (!custom || any(custom->scope)) return true;
  }
  return false;
}

Value Entity(std::string_view kind, std::string_view id) {
  std::vector<MapValue::Entry> entries;
  if (!kind.empty()) entries.emplace_back(Value::String("kind"), Value::String(std::string(kind)));
  entries.emplace_back(Value::String("id"), Value::String(std::string(id)));
  Value error;
  return Value::Map(MapValue::Make(std::move(entries), &error));
}

Records::const_iterator After(const Records& records, const std::string& after_id) {
  if (after_id.empty()) return records.begin();
  return std::upper_bound(records.begin(), records.end(), after_id,
                          [](const std::string& id, const EntityRecord* r) { return id < r->id; });
}

// Decides `candidates` (sorted by id) from the page on; `fill` fills the
// request of one candidate. `all` (every candidate before narrowing) serves
// when the narrowed page is empty: its first candidate is decided so that a
// request the trust boundary refuses is refused as without narrowing.
template <typename Fill>
QueryResult Run(const EntitySnapshot& snapshot, const Records& candidates, const Records& all,
                const std::string& action, const Value& context, const Value& params,
                const QueryPage& page, Fill fill) {
  QueryResult result;
  const size_t limit = std::max<size_t>(page.limit, 1);
  DecisionRequest request;
  request.context = context;
  request.params = params;
  request.actions = {action};
  // Whether the decision of `r` refused the request (then `result` says so).
  auto decide = [&](const EntityRecord& r, bool* allowed) {
    fill(r, request);
    const Decision d = Decide(*snapshot.policies(), snapshot, request);
    ++result.examined;
    if (!d.refusals.empty()) {
      result.ids.clear();
      result.next_after_id.clear();
      result.refusals = d.refusals;
      return true;
    }
    *allowed = !d.results.empty() && d.results.front().allowed;
    return false;
  };
  bool allowed = false;
  auto it = After(candidates, page.after_id);
  if (it == candidates.end() && &candidates != &all) {
    if (auto probe = After(all, page.after_id); probe != all.end()) decide(**probe, &allowed);
    return result;
  }
  for (; it != candidates.end(); ++it) {
    if (result.ids.size() == limit) {
      result.next_after_id = result.ids.back();
      break;
    }
    if (decide(**it, &allowed)) return result;
    if (allowed) result.ids.push_back((*it)->id);
  }
  return result;
}

}  // namespace

QueryResult AllowedResources(const EntitySnapshot& snapshot, const Value& principal,
                             const std::string& kind, const std::string& action,
                             const Value& context, const QueryPage& page, const Value& params) {
  const Records& all = snapshot.OfKind(kind);
  Records narrowed;
  const Records* candidates = &all;
  if (ScopedByOrganization(snapshot, action, kind)) {
    const std::optional<Value> attributes = PrincipalAttributes(snapshot, principal);
    const Reach reach(snapshot, attributes ? *attributes : principal);
    if (!attributes) {
      candidates = &narrowed;  // an unknown principal is denied everything
    } else if (!reach.unbounded()) {
      if (kind == "organization") {
        narrowed = reach.Organizations();
        // An organization may name another as its `org` (unusual): those too.
        for (const EntityRecord* r : all) {
          if (const Value* org = Field(r->attributes, "org");
              org && !(org->kind() == K::kString && org->string_value() == r->id) &&
              reach.Contains(OrgOf(*r))) {
            narrowed.push_back(r);
          }
        }
      } else {
        // No index of resources by organization: a scan of the kind, which
        // decides only those whose organization may be in scope.
        for (const EntityRecord* r : all) {
          if (reach.Contains(OrgOf(*r))) narrowed.push_back(r);
        }
      }
      SortUnique(narrowed);
      candidates = &narrowed;
    }
  }
  return Run(snapshot, *candidates, all, action, context, params, page,
             [&](const EntityRecord& r, DecisionRequest& request) {
               request.principal = principal;
               request.resource = Entity(kind, r.id);
             });
}

QueryResult AllowedSubjects(const EntitySnapshot& snapshot, const Value& resource,
                            const std::string& action, const Value& context, const QueryPage& page,
                            const Value& params) {
  const std::string_view kind = StringField(resource, "kind");
  const std::string_view org = ResourceOrg(snapshot, resource);
  const Records& all = snapshot.OfKind("user");
  Records users;
  const Records* candidates = &all;
  if (ScopedByOrganization(snapshot, action, kind)) {
    // Who can cover `org`: its users (own), and the users of its partner and
    // of the partner's customers (customers, assigned_customers); with a
    // role of scope `any`, any user holding one.
    if (!org.empty()) {
      const std::string_view partner = PartnerOf(snapshot, org);
      auto add_users_of = [&](std::string_view o) {
        const Records& members = snapshot.UsersOf(o);
        users.insert(users.end(), members.begin(), members.end());
      };
      add_users_of(org);
      add_users_of(partner);
      for (const EntityRecord* customer : snapshot.ChildrenOf(partner)) add_users_of(customer->id);
    }
    if (AnyRoleUnbounded(*snapshot.policies())) {
      for (const EntityRecord* user : all) {
        if (Reach(snapshot, user->attributes).unbounded()) users.push_back(user);
      }
    }
    SortUnique(users);
    candidates = &users;
  }
  return Run(snapshot, *candidates, all, action, context, params, page,
             [&](const EntityRecord& r, DecisionRequest& request) {
               request.principal = Entity("", r.id);
               request.resource = resource;
             });
}

}  // namespace castellan::engine
