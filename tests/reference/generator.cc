#include "tests/reference/generator.h"

#include <random>
#include <vector>

namespace castellan::reference {
namespace {

using engine::Value;

// The fixed universe every generated policy set, entity set and request draws
// names from; policy sets declare a part of it, so the rest is "unknown".
const std::vector<std::string> kActions = {"doc.view",   "doc.view.all", "doc.edit",
                                           "doc.delete", "user.view",    "user.invite",
                                           "org.view",   "org.edit",     "billing.pay"};
const std::vector<std::string> kPrefixes = {"doc", "user", "org", "billing"};
const std::vector<std::string> kKinds = {"doc", "organization", "user"};
const std::vector<std::string> kLevels = {"partner", "company", "staff"};
const std::vector<std::string> kScopeTerms = {"own", "assigned_customers", "customers", "any"};
const std::vector<std::string> kCustomers = {"C1", "C2", "C3", "C4", "C5"};
constexpr int kMaxPermissions = 8, kMaxRoles = 6, kMaxGroups = 3, kUsers = 6, kDocs = 4;

// splitmix64: independent streams from (seed, stream, index).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream, uint64_t index)
      : state_(Mix(Mix(Mix(seed) ^ stream) ^ index)) {}
  uint64_t Next() { return state_ = Mix(state_); }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }
  // An organization, the partner P1 and its first customers most often, so
  // that principals are often in scope.
  std::string Org() {
    static const char* kWeighted[] = {"P1", "P1", "P1", "P1", "P1", "P1", "C1", "C1", "C1", "C1",
                                      "C2", "C2", "C2", "P2", "P2", "C3", "C3", "C4", "C4", "C5"};
    return kWeighted[Below(20)];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(static_cast<int>(v.size()))];
  }
  // A random subset, in the order of `v`.
  std::vector<std::string> Subset(const std::vector<std::string>& v, int percent) {
    std::vector<std::string> out;
    for (const auto& s : v) {
      if (Chance(percent)) out.push_back(s);
    }
    return out;
  }

 private:
  uint64_t state_;
};

std::vector<std::string> Numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::string Date(Rng& rng) {
  static const char* kDates[] = {"2026-01-15T00:00:00Z", "2026-03-01T12:00:00Z",
                                 "2026-06-30T23:59:59Z", "2026-09-01T00:00:00+02:00",
                                 "2026-11-02T12:00:00Z"};
  return kDates[rng.Below(5)];
}

// ---- Conditions --------------------------------------------------------------------------
struct Universe {
  std::vector<std::string> permissions, roles, groups, actions;
};

std::string Quote(const std::string& s) {
  return "\"" + s + "\"";
}

std::string RuleAtom(Rng& rng, const Universe& u) {
  const char* cmp[] = {"==", "!=", "<", "<=", ">", ">="};
  const std::string op = cmp[rng.Below(6)];
  switch (rng.Below(53)) {
    case 0:
      return "principal.rank " + op + " " + std::to_string(rng.Below(5));
    case 1:
      return "principal.status == \"active\"";
    case 2:
      return "resource.owner == principal.id";
    case 3:
      return "principal.org == resource.org";
    case 4:
      return Quote(rng.Pick(u.permissions)) + " in permissions";
    case 5:
      return "action == " + Quote(rng.Pick(u.actions));
    case 6:
      return "action.startsWith(" + Quote(rng.Pick(kPrefixes) + ".") + ")";
    case 7:
      return "context.otp_fresh == true";
    case 8:
      return "context.risk " + op + " " + std::to_string(rng.Below(10));
    case 9:
      return "role.maxRank(principal.roles) > role.maxRank(resource.roles)";
    case 10:
      return "role.maxRank(principal.roles, " + Quote(rng.Pick(kLevels)) +
             ") >= " + std::to_string(rng.Below(4));
    case 11:
      return "role.rank(" + Quote(rng.Pick(u.roles)) + ") <= role.maxRank(principal.roles)";
    case 12:
      if (u.groups.empty()) return "has(principal.mfa)";
      return "group.contains(" + Quote(rng.Pick(u.groups)) + ", resource.org)";
    case 13:
      return "org(resource.org).type == \"customer\"";
    case 14:
      return "now < timestamp(" + Quote(Date(rng)) + ")";
    case 15:
      return rng.Chance(50) ? "has(resource.owner)" : "has(principal.mfa)";
    case 16:
      return "\"red\" in resource.tags";
    case 17:
      return "principal.mfa";
    case 18:
      return rng.Chance(50) ? "true" : "false";
    case 19:
      return "size(permissions) " + op + " " + std::to_string(rng.Below(4));
    case 20:
      return "resource.level + 1 > principal.rank";
    case 21:
      return "principal.nope == 1";
    case 22:
      return "email.domain(principal.id) == \"acme.example\"";
    case 23:
      return "role.level(" + Quote(rng.Pick(u.roles)) + ") == \"partner\" && " +
             "user(principal.id).status != \"disabled\"";
    case 24:
      return "principal.org in [\"P1\", " + Quote(rng.Org()) + "]";
    case 25:
      return "resource.tags[0] == \"red\"";
    case 26:
      return "size(resource.tags) " + op + " " + std::to_string(rng.Below(3));
    case 27:
      return "principal.id.endsWith(\"@acme.example\")";
    case 28:
      return "int(context.risk) * 2 " + op + " " + std::to_string(rng.Below(12));
    case 29:
      return "string(principal.rank) == \"2\"";
    case 30:
      return "context.otp_fresh";
    case 31:
      return "lookup(\"doc\", \"d1\").org == resource.org";
    case 32:
      return "user(resource.owner).org == principal.org";
    case 33:
      return Quote(rng.Pick(u.permissions)) + " in permission.requires(" +
             Quote(rng.Pick(u.permissions)) + ")";
    case 34:
      return Quote(rng.Pick(u.roles)) + " in role.names(principal.roles)";
    case 35:
      return "now - duration(\"" + std::to_string(1 + rng.Below(200)) + "h\") > timestamp(" +
             Quote(Date(rng)) + ")";
    case 36:
      return "{\"a\": principal.rank}[\"a\"] " + op + " 2";
    case 37:
      return "has(context.otp_fresh)";
    case 38:
      return "permission.companyLevel(" + Quote(rng.Pick(u.permissions)) + ")";
    case 39:
      return "context.new_permissions.all(p, p in permissions)";
    case 40:
      return "resource.tags.exists(t, t == \"red\")";
    case 41:
      return "principal.roles.exists(r, r == " + Quote(rng.Pick(u.roles)) + ")";
    case 42:
      return "role.names(principal.roles).exists_one(n, role.rank(n) >= 2)";
    case 43:
      return "size(permissions.filter(p, p != " + Quote(rng.Pick(u.permissions)) + ")) " + op +
             " " + std::to_string(rng.Below(4));
    case 44:
      return "resource.tags.map(t, t + \"!\").exists(t, t == \"red!\")";
    case 45:
      return "context.new_permissions.all(i, p, p in role.grants(" + Quote(rng.Pick(u.roles)) +
             ") || i > 1)";
    case 46:
      return "[principal.rank].exists(principal, principal == 2)";
    case 47:
      return "principal.customer_access.exists(k, k == \"all\")";
    case 48:
      return "permissions.map(p, p != " + Quote(rng.Pick(u.permissions)) +
             ", permission.companyLevel(p)).all(c, !c)";
    case 49:  // an int among the names errors; a decisive element absorbs it
      return "context.new_permissions.exists(p, p.startsWith(" + Quote(rng.Pick(u.permissions)) +
             "))";
    case 50:
      return "context.new_permissions.all(p, p.startsWith(" + Quote(rng.Pick(u.permissions)) + "))";
    case 51:
      return "principal.id.matches(\"^u[0-9]+@\") || resource.owner.matches(\"[13]$\")";
    default:
      return "org(principal.org).type == \"partner\" && principal.status == \"active\"";
  }
}

std::string Condition(Rng& rng, const Universe& u, int depth) {
  if (depth <= 0 || rng.Chance(45)) return RuleAtom(rng, u);
  switch (rng.Below(4)) {
    case 0:
      return Condition(rng, u, depth - 1) + " && " + Condition(rng, u, depth - 1);
    case 1:
      return "(" + Condition(rng, u, depth - 1) + " || " + Condition(rng, u, depth - 1) + ")";
    case 2:
      return "!(" + Condition(rng, u, depth - 1) + ")";
    default:
      return "(" + Condition(rng, u, depth - 1) + " ? " + Condition(rng, u, depth - 1) + " : " +
             Condition(rng, u, depth - 1) + ")";
  }
}

std::string GroupMatch(Rng& rng, int depth) {
  static const char* kAtoms[] = {"customer.region == \"EU\"",
                                 "\"backup\" in customer.services",
                                 "customer.tier >= 2",
                                 "has(customer.region)",
                                 "timestamp(customer.added_at) < now",
                                 "customer.parent == \"P1\""};
  if (depth <= 0 || rng.Chance(50)) return kAtoms[rng.Below(6)];
  return "(" + GroupMatch(rng, depth - 1) + (rng.Chance(50) ? " && " : " || ") +
         GroupMatch(rng, depth - 1) + ")";
}

// ---- Values ---------------------------------------------------------------------------------
Value S(const std::string& s) {
  return Value::String(s);
}

Value StringList(const std::vector<std::string>& items) {
  engine::ValueList out;
  for (const auto& s : items) out.push_back(S(s));
  return Value::List(std::move(out));
}

class MapBuilder {
 public:
  MapBuilder& Set(const std::string& key, Value v) {
    entries_.emplace_back(S(key), std::move(v));
    return *this;
  }
  Value Build() {
    Value error;
    auto map = engine::MapValue::Make(std::move(entries_), &error);
    return map ? Value::Map(std::move(map)) : error;
  }

 private:
  std::vector<engine::MapValue::Entry> entries_;
};

std::vector<std::string> RoleUniverse() {
  return Numbered("r", kMaxRoles + 1);
}  // r6: undeclared
std::vector<std::string> PermissionUniverse() {
  auto p = Numbered("p", kMaxPermissions);
  p.push_back("p_unknown");
  return p;
}

// A list of names that now and then holds something else too, or is no list.
Value Names(Rng& rng, const std::vector<std::string>& names) {
  if (rng.Chance(2)) return S(names.empty() ? "x" : names[0]);
  Value list = StringList(names);
  if (!rng.Chance(4)) return list;
  engine::ValueList items = list.list_value();
  items.insert(items.begin() + rng.Below(static_cast<int>(items.size()) + 1), Value::Int(1));
  return Value::List(std::move(items));
}

Value Access(Rng& rng) {
  if (rng.Chance(2)) return S("all");
  MapBuilder m;
  if (rng.Chance(20)) m.Set("all", rng.Chance(70) ? Value::Bool(true) : S("true"));
  if (rng.Chance(50)) m.Set("customers", Names(rng, rng.Subset(kCustomers, 35)));
  if (rng.Chance(40)) m.Set("groups", Names(rng, rng.Subset(Numbered("g", kMaxGroups + 1), 40)));
  if (rng.Chance(30)) {
    m.Set("auto_assign_new_companies", Value::Bool(rng.Chance(80)));
    const int at = rng.Below(100);
    if (at < 75) {
      m.Set("assigned_at", S(Date(rng)));
    } else if (at < 85) {
      m.Set("assigned_at", Value::Time(engine::Timestamp{
                               {int64_t{1770000000} + rng.Below(10) * int64_t{3000000}, 0}}));
    } else if (at < 92) {
      m.Set("assigned_at", Value::Int(3));
    }
  }
  return m.Build();
}

Value Roles(Rng& rng) {
  if (rng.Chance(1)) return S("r0");  // not a list
  engine::ValueList roles;
  const int n = rng.Below(4);
  for (int i = 0; i < n; ++i) {
    std::string name = rng.Chance(95) ? rng.Pick(Numbered("r", 3)) : rng.Pick(RoleUniverse());
    if (rng.Chance(60)) {
      roles.push_back(S(name));
      continue;
    }
    MapBuilder b;
    if (rng.Chance(99)) {
      b.Set("role", S(name));
    } else {
      b.Set("role", Value::Int(7));
    }
    if (rng.Chance(50)) b.Set("access", rng.Chance(95) ? Access(rng) : Value::Null());
    if (rng.Chance(40)) b.Set("permissions", Names(rng, rng.Subset(PermissionUniverse(), 40)));
    roles.push_back(b.Build());
  }
  if (rng.Chance(1)) roles.push_back(Value::Int(42));
  return Value::List(std::move(roles));
}

// A user's attributes (stored or inline).
Value UserAttributes(Rng& rng, const std::string& id) {
  MapBuilder m;
  m.Set("id", S(id));
  if (rng.Chance(97)) m.Set("org", S(rng.Chance(97) ? rng.Org() : "X9"));
  m.Set("status", S(rng.Chance(80) ? "active" : "disabled"));
  if (rng.Chance(90)) m.Set("rank", rng.Chance(90) ? Value::Int(rng.Below(5)) : S("high"));
  if (rng.Chance(60)) m.Set("mfa", rng.Chance(80) ? Value::Bool(rng.Chance(50)) : S("yes"));
  if (rng.Chance(92)) m.Set("roles", Roles(rng));
  if (rng.Chance(60)) m.Set("customer_access", Access(rng));
  if (rng.Chance(25)) m.Set("permissions", Names(rng, rng.Subset(PermissionUniverse(), 40)));
  return m.Build();
}

std::string UserId(int i) {
  return i % 2 ? "u" + std::to_string(i) : "u" + std::to_string(i) + "@acme.example";
}

}  // namespace

std::string GeneratePolicyYaml(uint64_t seed, uint64_t block) {
  Rng rng(seed, 1, block);
  Universe u;
  const int n_perms = 3 + rng.Below(kMaxPermissions - 2);
  u.permissions = Numbered("p", n_perms);
  // Permission i may require only those later in a random order, so there are no cycles.
  std::vector<int> order(n_perms);
  for (int i = 0; i < n_perms; ++i) order[i] = i;
  for (int i = n_perms - 1; i > 0; --i) std::swap(order[i], order[rng.Below(i + 1)]);
  std::vector<int> position(n_perms);
  for (int i = 0; i < n_perms; ++i) position[order[i]] = i;

  std::string y = "kind: Permissions\npermissions:\n";
  for (int i = 0; i < n_perms; ++i) {
    std::vector<std::string> settings, requires_;
    for (int j = 0; j < n_perms; ++j) {
      if (position[j] > position[i] && rng.Chance(20)) requires_.push_back(u.permissions[j]);
    }
    if (!requires_.empty()) settings.push_back("requires: " + List(requires_));
    if (rng.Chance(15)) settings.push_back("company_level: true");
    if (rng.Chance(15)) settings.push_back("levels: " + List(rng.Subset(kLevels, 60)));
    y += "  p" + std::to_string(i) + ": {";
    for (size_t k = 0; k < settings.size(); ++k) y += (k ? ", " : "") + settings[k];
    y += "}\n";
  }
  u.actions = rng.Subset(kActions, 70);
  if (u.actions.empty()) u.actions.push_back(kActions[0]);
  y += "actions:\n";
  for (const auto& a : u.actions) {
    std::vector<std::string> settings;
    auto needs = rng.Subset(u.permissions, 15);
    if (!needs.empty()) settings.push_back("requires: " + List(needs));
    if (rng.Chance(15)) settings.push_back("step_up: true");
    if (rng.Chance(20)) settings.push_back("on: " + List(rng.Subset(kKinds, 50)));
    y += "  " + a + ": {";
    for (size_t k = 0; k < settings.size(); ++k) y += (k ? ", " : "") + settings[k];
    y += "}\n";
  }

  const int n_roles = 3 + rng.Below(kMaxRoles - 2);
  u.roles = Numbered("r", n_roles);
  for (const auto& r : u.roles) {
    y += "---\nkind: Role\nname: " + r + "\nlevel: " + rng.Pick(kLevels) +
         "\nrank: " + std::to_string(rng.Below(5)) + "\n";
    if (rng.Chance(80)) {
      auto scope = rng.Subset(kScopeTerms, 45);
      if (!scope.empty() || rng.Chance(10))
        y += "scope: " + List(scope) + "\n";  // [] covers nothing
    }
    y += "grants: " + List(rng.Subset(u.permissions, 65)) + "\n";
    if (rng.Chance(60)) y += "customisable: " + List(rng.Subset(u.permissions, 30)) + "\n";
  }

  const int n_groups = rng.Below(kMaxGroups + 1);
  u.groups = Numbered("g", n_groups);
  for (const auto& g : u.groups) {
    y += "---\nkind: CustomerGroup\nname: " + g + "\n";
    if (rng.Chance(50)) {
      y += "members: " + List(rng.Subset(kCustomers, 40)) + "\n";
    } else {
      y += "match: '" + GroupMatch(rng, 2) + "'\n";
    }
  }

  const int n_policies = 1 + rng.Below(2);
  for (int p = 0; p < n_policies; ++p) {
    y += "---\nkind: Policy\nname: pol" + std::to_string(p) + "\nrules:\n";
    const int n_rules = 1 + rng.Below(5);
    for (int r = 0; r < n_rules; ++r) {
      const bool deny = rng.Chance(35);
      y += "  - name: rule" + std::to_string(r) + "\n    effect: " + (deny ? "deny" : "allow") +
           "\n";
      std::vector<std::string> patterns;
      const int n_patterns = 1 + rng.Below(2);
      for (int k = 0; k < n_patterns; ++k) {
        const int kind = rng.Below(10);
        const std::string& a = rng.Pick(u.actions);
        patterns.push_back(kind == 0 ? "'*'" : kind <= 3 ? a.substr(0, a.find('.')) + ".*" : a);
      }
      y += "    actions: " + List(patterns) + "\n";
      if (rng.Chance(deny ? 90 : 70)) y += "    when: '" + Condition(rng, u, 2) + "'\n";
      if (rng.Chance(deny ? 40 : 20)) y += "    unless: '" + Condition(rng, u, 1) + "'\n";
      if (deny && rng.Chance(80))
        y += "    reason: " + rng.Pick(std::vector<std::string>{"blocked", "not_owner", "risky"}) +
             "\n";
    }
  }
  return y;
}

GeneratedEntities GenerateEntities(uint64_t seed, uint64_t block) {
  Rng rng(seed, 2, block);
  auto store = std::make_shared<engine::InMemoryEntityStore>();
  std::string text;
  for (const auto& id : {"P1", "P2"}) {
    Value v =
        MapBuilder()
            .Set("id", S(id))
            .Set("type", S("partner"))
            .Set("enabled_permissions", StringList(rng.Subset(Numbered("p", kMaxPermissions), 70)))
            .Build();
    text += "org " + std::string(id) + " " + v.DebugString() + "\n";
    store->AddOrganization(id, v);
  }
  for (int i = 1; i <= 4; ++i) {
    const std::string id = "C" + std::to_string(i);
    MapBuilder m;
    m.Set("id", S(id)).Set("type", S("customer"));
    if (rng.Chance(92)) m.Set("parent", S(rng.Chance(80) ? "P1" : "P2"));
    if (rng.Chance(80)) m.Set("added_at", rng.Chance(90) ? S(Date(rng)) : Value::Int(2026));
    if (rng.Chance(75))
      m.Set("region", rng.Chance(90) ? S(rng.Chance(50) ? "EU" : "US") : Value::Int(1));
    if (rng.Chance(70)) {
      m.Set("services",
            rng.Chance(90) ? StringList(rng.Subset({"backup", "mail", "m365"}, 50)) : S("backup"));
    }
    if (rng.Chance(70)) m.Set("tier", rng.Chance(90) ? Value::Int(rng.Below(4)) : S("gold"));
    if (rng.Chance(50))
      m.Set("enabled_permissions", StringList(rng.Subset(Numbered("p", kMaxPermissions), 70)));
    Value v = m.Build();
    text += "org " + id + " " + v.DebugString() + "\n";
    store->AddOrganization(id, v);
  }
  for (int i = 0; i < kUsers; ++i) {
    Value v = UserAttributes(rng, UserId(i));
    text += "user " + UserId(i) + " " + v.DebugString() + "\n";
    store->AddUser(UserId(i), v);
  }
  for (int i = 0; i < kDocs; ++i) {
    const std::string id = "d" + std::to_string(i);
    MapBuilder m;
    m.Set("kind", S("doc")).Set("id", S(id));
    if (rng.Chance(95)) m.Set("org", S(rng.Org()));
    if (rng.Chance(70)) m.Set("owner", S(UserId(rng.Below(kUsers))));
    if (rng.Chance(60))
      m.Set("tags", rng.Chance(85) ? StringList(rng.Subset({"red", "blue"}, 50)) : S("red"));
    if (rng.Chance(60)) m.Set("level", rng.Chance(85) ? Value::Int(rng.Below(5)) : S("x"));
    Value v = m.Build();
    text += "doc " + id + " " + v.DebugString() + "\n";
    store->AddResource("doc", id, v);
  }
  return {std::move(store), std::move(text)};
}

engine::DecisionRequest GenerateRequest(uint64_t seed, uint64_t index) {
  Rng rng(seed, 3, index);
  engine::DecisionRequest req;
  const int p = rng.Below(100);
  if (p < 60) {
    req.principal = MapBuilder().Set("id", S(UserId(rng.Below(kUsers)))).Build();
  } else if (p < 70) {
    req.principal = MapBuilder()
                        .Set("id", S(UserId(rng.Below(kUsers))))
                        .Set("rank", Value::Int(rng.Below(5)))
                        .Set("roles", Roles(rng))
                        .Build();
  } else if (p < 73) {
    req.principal = MapBuilder().Set("id", S("ghost")).Build();
  } else if (p < 95) {
    req.principal =
        UserAttributes(rng, rng.Chance(50) ? "inline@acme.example" : UserId(rng.Below(kUsers)));
  } else if (p < 99) {
    const int k = rng.Below(3);
    req.principal = k == 0   ? MapBuilder().Set("org", S("P1")).Build()
                    : k == 1 ? MapBuilder().Set("id", Value::Int(3)).Set("org", S("P1")).Build()
                             : MapBuilder().Set("id", S("ghost")).Set("kind", S("user")).Build();
  } else {
    req.principal = S("u1");
  }

  const int r = rng.Below(100);
  if (r < 35) {
    req.resource = MapBuilder().Set("kind", S("organization")).Set("id", S(rng.Org())).Build();
  } else if (r < 60) {
    req.resource = MapBuilder()
                       .Set("kind", S("doc"))
                       .Set("id", S("d" + std::to_string(rng.Below(kDocs + 1))))
                       .Build();
  } else if (r < 72) {
    req.resource =
        MapBuilder().Set("kind", S("user")).Set("id", S(UserId(rng.Below(kUsers)))).Build();
  } else if (r < 90) {
    MapBuilder m;
    m.Set("kind", S(rng.Pick(kKinds)));
    if (rng.Chance(40)) m.Set("id", S("d" + std::to_string(rng.Below(kDocs + 1))));
    if (rng.Chance(95)) m.Set("org", S(rng.Org()));
    if (rng.Chance(50)) m.Set("owner", S(UserId(rng.Below(kUsers))));
    if (rng.Chance(30)) m.Set("roles", Roles(rng));
    if (rng.Chance(30)) m.Set("tags", StringList(rng.Subset({"red", "blue"}, 50)));
    req.resource = m.Build();
  } else if (r < 98) {
    const int k = rng.Below(4);
    req.resource =
        k == 0 ? MapBuilder().Set("kind", S("doc")).Build()
        : k == 1
            ? MapBuilder().Set("kind", Value::Int(1)).Set("id", S("d1")).Set("org", S("P1")).Build()
        : k == 2 ? MapBuilder()
                       .Set("kind", S("organization"))
                       .Set("id", S(rng.Org()))
                       .Set("org", S(rng.Org()))
                       .Build()
                 : MapBuilder().Set("kind", S("doc")).Set("org", Value::Int(1)).Build();
  } else {
    req.resource = Value::List({});
  }

  const int c = rng.Below(100);
  if (c < 90) {
    MapBuilder m;
    const int n = rng.Below(100);
    if (n < 80) {
      m.Set("now", S(Date(rng)));
    } else if (n < 88) {
      m.Set("now", Value::Time(engine::Timestamp{
                       {int64_t{1780000000} + rng.Below(10) * int64_t{2000000}, 0}}));
    } else if (n < 91) {
      m.Set("now", rng.Chance(50) ? S("yesterday") : Value::Int(5));
    }
    if (rng.Chance(50))
      m.Set("otp_fresh", rng.Chance(85) ? Value::Bool(rng.Chance(60)) : S("true"));
    if (rng.Chance(40)) m.Set("risk", Value::Int(rng.Below(10)));
    if (rng.Chance(40)) m.Set("new_permissions", Names(rng, rng.Subset(PermissionUniverse(), 30)));
    req.context = m.Build();
  } else if (c < 99) {
    req.context = Value::Null();
  } else {
    req.context = S("ctx");
  }

  if (rng.Chance(60)) {
    std::vector<std::string> names = kActions;
    names.push_back("nope.x");
    names.push_back("Doc.view");
    const int n = 1 + rng.Below(4);
    for (int i = 0; i < n; ++i) req.actions.push_back(rng.Pick(names));
  }
  return req;
}

std::string RequestToString(const engine::DecisionRequest& request) {
  std::string actions;
  for (const auto& a : request.actions) actions += (actions.empty() ? "" : ", ") + a;
  return "principal: " + request.principal.DebugString() +
         "\nresource: " + request.resource.DebugString() +
         "\ncontext: " + request.context.DebugString() + "\nactions: [" + actions + "]\n";
}

}  // namespace castellan::reference
