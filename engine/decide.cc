#include <array>
#include <chrono>
#include <optional>

#include "engine/customer_group.h"
#include "engine/decision.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;

// What deciding one action costs the request's budget besides its rules'
// conditions: the scope and permission checks and the reasons it writes.
constexpr int64_t kActionCost = 20;

// Problems with the request as a whole are copied into every action's
// reasons, so a request naming 90,000 unknown roles must not become 90,000
// reasons times every action: past this many the rest are only counted.
constexpr size_t kMaxRequestErrors = 16;

bool IsOutOfBudget(const Value& v) {
  return v.is_error() && v.error_value().kind == ErrorKind::kBudgetExceeded;
}

// a == b, written out: attribute names and ids are a few bytes long, where
// the call to memcmp that std::string's == makes costs more than comparing.
bool Same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Up to this many entries a map is scanned here; a larger one is looked up
// through MapValue (indexed by hash above its own threshold).
constexpr size_t kScanUpTo = 16;

const Value* Field(const Value& map, std::string_view key) {
  if (map.kind() != K::kMap) return nullptr;
  const MapValue& m = map.map_value();
  if (m.size() > kScanUpTo) return m.FindString(key);
  for (const auto& entry : m.entries()) {
    if (entry.first.kind() == K::kString && Same(entry.first.string_value(), key)) {
      return &entry.second;
    }
  }
  return nullptr;
}

// The string at map[key], or empty when it is missing or not a string.
std::string_view StringField(const Value& map, std::string_view key) {
  const Value* v = Field(map, key);
  return v && v->kind() == K::kString ? std::string_view(v->string_value()) : std::string_view();
}

// The string `v` holds, or empty when it is null or not a string.
std::string_view StringOf(const Value* v) {
  return v && v->kind() == K::kString ? std::string_view(v->string_value()) : std::string_view();
}

bool IsTrue(const Value* v) {
  return v && v->is_bool() && v->bool_value();
}

bool TrueField(const Value& map, std::string_view key) {
  return IsTrue(Field(map, key));
}

// The values at several keys of a map, found in one pass over its entries
// (a map this small is scanned per key anyway): [i] for keys[i], null when absent.
template <size_t N>
std::array<const Value*, N> Fields(const Value& map, const std::string_view (&keys)[N]) {
  std::array<const Value*, N> out{};
  if (map.kind() != K::kMap) return out;
  const MapValue& m = map.map_value();
  if (m.size() > kScanUpTo) {
    for (size_t i = 0; i < N; ++i) out[i] = m.FindString(keys[i]);
    return out;
  }
  for (const auto& entry : m.entries()) {
    if (entry.first.kind() != K::kString) continue;
    const std::string& key = entry.first.string_value();
    for (size_t i = 0; i < N; ++i) {
      if (!out[i] && Same(key, keys[i])) {
        out[i] = &entry.second;
        break;
      }
    }
  }
  return out;
}

bool ListContainsString(const Value* list, std::string_view s) {
  if (!list || list->kind() != K::kList) return false;
  for (const Value& item : list->list_value()) {
    if (item.kind() == K::kString && Same(item.string_value(), s)) return true;
  }
  return false;
}

std::optional<Timestamp> TimeOf(const Value* v) {
  if (!v) return std::nullopt;
  if (v->kind() == K::kTimestamp) return v->timestamp_value();
  if (v->kind() != K::kString) return std::nullopt;
  std::string error;
  return ParseTimestamp(v->string_value(), &error);
}

std::optional<Timestamp> TimeField(const Value& map, std::string_view key) {
  return TimeOf(Field(map, key));
}

// context.now as a time. A service's requests mostly carry the same few
// seconds, so each thread keeps the last string it parsed and its time.
std::optional<Timestamp> NowOf(const Value& v) {
  if (v.kind() != K::kString) return TimeOf(&v);
  thread_local std::string last_text;
  thread_local std::optional<Timestamp> last;
  const std::string& text = v.string_value();
  if (last && text == last_text) return last;
  std::optional<Timestamp> t = TimeOf(&v);
  if (t) {
    last_text = text;
    last = t;
  }
  return t;
}

Value OwnOrg(std::string_view id) {
  Value error;
  return Value::Map(
      MapValue::Make({{Value::String("org"), Value::String(std::string(id))}}, &error));
}

// `{}`: what an omitted context or params is.
const Value& EmptyMap() {
  static const Value* empty = [] {
    Value error;
    return new Value(Value::Map(MapValue::Make({}, &error)));
  }();
  return *empty;
}

// A map given in the request, or `{}` for null.
const Value& MapOrEmpty(const Value& v) {
  return v.kind() == K::kNull ? EmptyMap() : v;
}

Value Now() {
  return Value::Time(FromSystemClock(std::chrono::system_clock::now()));
}

const Value& NullValue() {
  static const Value* null = new Value();
  return *null;
}

// Whether merging `given` over `stored` (MergeMaps) would give `stored`
// itself: every attribute the request gives is stored with an equal value.
bool AddsNothing(const Value& stored, const Value& given) {
  if (stored.kind() != K::kMap || given.kind() != K::kMap) return false;
  for (const auto& [k, v] : given.map_value().entries()) {
    const Value* old =
        k.kind() == K::kString ? Field(stored, k.string_value()) : stored.map_value().Find(k);
    if (!old || old->is_error() || v.is_error() || !Equal(*old, v)) return false;
  }
  return true;
}

// The attributes of an entity the store holds as `stored`, with what the
// request gives over them; the stored id stays (the request may name the
// entity by an alias).
Value MergedEntity(const Value& stored, const Value& given) {
  Value merged = MergeMaps(stored, given);
  if (merged.is_error()) return merged;
  if (const Value* id = Field(stored, "id"); id && !Equal(*id, *Field(merged, "id"))) {
    Value error;
    merged = MergeMaps(merged, Value::Map(MapValue::Make({{Value::String("id"), *id}}, &error)));
  }
  return merged;
}

// The resource's attributes. A stored resource named with more than the
// store holds (its `kind`, usually) is merged only when a rule reads
// `resource`; the decider itself reads single fields, which need no merge.
class ResourceAttributes {
 public:
  // Taken as given (inline), or as the store holds it when the request adds nothing.
  void Set(const Value& value) {
    given_ = &value;
    const auto [kind, org] = Fields(value, {"kind", "org"});
    kind_ = StringOf(kind);
    org_ = StringOf(org);
  }
  // `given` merged over `stored`; `own_org`: the id of an organization that
  // names no `org` (it belongs to itself), else empty.
  void SetStored(const Value& given, const Value& stored, std::string_view own_org) {
    given_ = &given;
    stored_ = &stored;
    own_org_ = own_org;
    // What the merge gives: the request's value, else the stored one.
    const auto [kind, org] = Fields(given, {"kind", "org"});
    const auto [stored_kind, stored_org] = Fields(stored, {"kind", "org"});
    kind_ = StringOf(kind ? kind : stored_kind);
    org_ = org || stored_org ? StringOf(org ? org : stored_org) : own_org;
  }

  // resource.kind and resource.org, or empty when missing or not strings.
  std::string_view kind() const { return kind_; }
  std::string_view org() const { return org_; }

  const Value& value() const {
    if (!stored_) return *given_;
    if (!merged_) {
      merged_ = MergedEntity(*stored_, *given_);
      if (!own_org_.empty() && !Field(*merged_, "org")) {
        merged_ = MergeMaps(*merged_, OwnOrg(own_org_));
      }
    }
    return *merged_;
  }

 private:
  const Value* given_ = &NullValue();
  const Value* stored_ = nullptr;
  std::string_view own_org_;
  std::string_view kind_, org_;
  mutable std::optional<Value> merged_;
};

// The variables rules see, for one request; `action` changes per action.
class RequestActivation final : public Activation {
 public:
  RequestActivation(const Value& principal, const ResourceAttributes& resource,
                    const Value& context, const Value& params, const Value& now,
                    const EntityStore& store, const PolicySet& set, const PermissionSet& held,
                    EvaluationBudget& budget, const PrincipalScope& scope)
      : principal_(principal),
        resource_(resource),
        context_(context),
        params_(params),
        now_(now),
        store_(store),
        set_(set),
        held_(&held),
        budget_(budget),
        scope_(scope) {}

  void set_action(const Value& action) { action_ = &action; }
  // The permissions `permissions` lists: those at the resource's organization,
  // or those of every binding for an action of scope none.
  void set_held(const PermissionSet& held) {
    if (&held == held_) return;
    held_ = &held;
    permissions_.reset();
  }

  const Value* Find(std::string_view name) const override {
    return FindVariable(VariableOf(name), name);
  }
  const Value* FindVariable(Variable variable, std::string_view /*name*/) const override {
    switch (variable) {
      case Variable::kPrincipal:
        return &principal_;
      case Variable::kResource:
        return &resource_.value();
      case Variable::kContext:
        return &context_;
      case Variable::kParams:
        return &params_;
      case Variable::kAction:
        return action_;
      case Variable::kNow:
        return &now_;
      case Variable::kPermissions:
        return &Permissions();
      case Variable::kOther:
        return nullptr;
    }
    return nullptr;
  }
  const EntityStore* entities() const override { return &store_; }
  EvaluationBudget* budget() const override { return &budget_; }
  const PrincipalScope* principal_scope() const override { return &scope_; }

 private:
  const Value& Permissions() const {
    {
      if (!permissions_) {
        ValueList names;
        for (size_t i = 0; i < set_.permissions().size(); ++i) {
          if (held_->Contains(static_cast<PermissionId>(i))) {
            names.push_back(Value::String(set_.permissions()[i].decl->name));
          }
        }
        permissions_ = Value::List(std::move(names));
      }
      return *permissions_;
    }
  }

  const Value& principal_;
  const ResourceAttributes& resource_;
  const Value& context_;
  const Value& params_;
  const Value& now_;
  const EntityStore& store_;
  const PolicySet& set_;
  const PermissionSet* held_;
  EvaluationBudget& budget_;
  const PrincipalScope& scope_;
  const Value* action_ = &NullValue();
  mutable std::optional<Value> permissions_;  // built on first use
};

// One role the principal holds, with what it grants and where.
struct Binding {
  const CompiledRole* role = nullptr;
  const Value* access = nullptr;  // this binding's own customer access, or the principal's
  PermissionSet permissions;
};

// The principal's bindings: the first few inline, so that resolving a usual
// principal allocates nothing; the rest on the heap.
class Bindings {
 public:
  void push_back(const Binding& b) {
    if (size_ < kInline) {
      inline_[size_] = b;
    } else {
      more_.push_back(b);
    }
    ++size_;
  }
  size_t size() const { return size_; }
  const Binding& operator[](size_t i) const {
    return i < kInline ? inline_[i] : more_[i - kInline];
  }

 private:
  static constexpr size_t kInline = 8;
  std::array<Binding, kInline> inline_;
  std::vector<Binding> more_;
  size_t size_ = 0;
};

class Decider final : public PrincipalScope {
 public:
  Decider(const PolicySet& set, const EntityStore& store, const DecisionRequest& request,
          EvaluationBudget& budget, const DecideOptions& options)
      : set_(set),
        store_(store),
        request_(request),
        budget_(budget),
        full_(options.reasons == DecideOptions::Reasons::kFull),
        coverage_(options.coverage) {}

  // Fills `decision`, reusing what its vectors and strings hold.
  void Run(Decision& decision) {
    decision.revision = set_.revision();
    decision.refusals.clear();
    // A request whose budget an earlier decision spent is not even resolved.
    const bool spent = budget_.exhausted();
    if (!spent) {
      CheckRequest();
      // A refused request denies every action with what was refused.
      for (const Refusal& r : refusals_) RequestError(ReasonCode::kInvalidRequest, r.message);
      decision.refusals = refusals_;
      if (omitted_request_errors_ > 0 && full_) {
        request_errors_.back().message += " (and " + std::to_string(omitted_request_errors_) +
                                          " more problems with the request, not listed)";
      }
      if (request_errors_.empty()) ResolveScope();
    }

    RequestActivation activation(*principal_, resource_, MapOrEmpty(request_.context),
                                 MapOrEmpty(request_.params), now_, store_, set_, held_, budget_,
                                 *this);
    const size_t count = request_.actions.empty() ? set_.actions().size() : request_.actions.size();
    decision.results.resize(count);
    size_t next = 0;
    auto decide_one = [&](const std::string& action) {
      ActionDecision& d = decision.results[next++];
      d.action = action;
      d.allowed = false;
      d.rule = nullptr;
      d.reasons.clear();
      d.applied.clear();
      if (budget_.exhausted()) {
        Reason r;
        r.code = ReasonCode::kEvaluationBudgetExceeded;
        if (full_) {
          r.message = "the request's evaluation budget is spent, so '" + action +
                      "' is denied without being evaluated";
        }
        d.reasons.push_back(std::move(r));
      } else {
        if (!request_errors_.empty()) {
          d.reasons = request_errors_;
        } else {
          DecideAction(action, activation, d);
        }
        budget_.Spend(kActionCost);
      }
    };
    if (request_.actions.empty()) {
      for (const auto& a : set_.actions()) decide_one(a.decl->name);
    } else {
      for (const auto& a : request_.actions) decide_one(a);
    }
  }

 private:
  void RequestError(ReasonCode code, std::string message) {
    if (request_errors_.size() == kMaxRequestErrors) {
      ++omitted_request_errors_;
      return;
    }
    Reason r;
    r.code = code;
    if (full_) r.message = std::move(message);
    request_errors_.push_back(std::move(r));
  }

  // Whether the trust boundary lets the request say what it says about an
  // entity the store holds (else the refusals say why).
  bool MayMerge(const Value& given, const Value& stored, const dsl::EntityKindDecl* kind,
                Additions additions, bool principal) {
    const size_t before = refusals_.size();
    CheckStoredEntity(given, stored, kind, additions, principal, &refusals_);
    return refusals_.size() == before;
  }

  // Whether an entity taken from the request as given is valid against its EntityKind, if any.
  bool MayTakeInline(const Value& given, const dsl::EntityKindDecl* kind, bool principal) {
    const size_t before = refusals_.size();
    if (kind) CheckInlineEntity(given, *kind, principal, &refusals_);
    return refusals_.size() == before;
  }

  // The principal: a user the store knows (whatever attributes come with an
  // unknown one), or an inline one when the `user` EntityKind is request-only.
  void ResolvePrincipal() {
    const Value& given = request_.principal;
    const std::string_view id = StringField(given, "id");
    const dsl::EntityKindDecl* kind = set_.FindEntityKind("user");
    if (kind && kind->source == dsl::EntitySource::kRequest) {
      if (MayTakeInline(given, kind, /*principal=*/true)) principal_ = &given;
    } else if (const Value* stored = store_.FindUser(id)) {
      if (!MayMerge(given, *stored, kind, Additions::kRefused, /*principal=*/true)) return;
      // The usual request names the principal by id only: the stored entity
      // is used as it is, not copied.
      if (AddsNothing(*stored, given)) {
        principal_ = stored;
      } else {
        principal_merged_ = MergedEntity(*stored, given);
        if (!principal_merged_.is_error()) principal_ = &principal_merged_;
      }
    } else {
      RequestError(ReasonCode::kUnknownPrincipal,
                   "no principal '" + std::string(id) + "' is known");
    }
  }

  // The resource: inline for a request-only kind or a proposed (`new: true`)
  // resource, else one the store knows by kind and id. A resource with no id
  // that says neither is refused: the request would otherwise describe a
  // stored kind's entity with attributes of its own choosing.
  void ResolveResource() {
    const Value& r = request_.resource;
    const auto [given_id, given_kind, proposed, given_org] =
        Fields(r, {"id", "kind", "new", "org"});
    const std::string_view id = StringOf(given_id), kind = StringOf(given_kind);
    const dsl::EntityKindDecl* decl = set_.FindEntityKind(kind);
    if (proposed && !proposed->is_bool()) {
      refusals_.push_back({RefusalCode::kInvalidRequest, EntityLabel(r, false), "new",
                           "'new' of " + EntityLabel(r, false) + " must be a bool, not a " +
                               std::string(proposed->TypeName())});
      return;
    }
    if (IsTrue(proposed) || (decl && decl->source == dsl::EntitySource::kRequest)) {
      if (MayTakeInline(r, decl, /*principal=*/false)) resource_.Set(r);
      return;
    }
    if (id.empty()) {
      RequestError(ReasonCode::kInvalidRequest,
                   "the resource names no id (a proposed one says \"new\": true)");
      return;
    }
    const Value* stored = kind == "organization" ? store_.FindOrganization(id)
                          : kind == "user"       ? store_.FindUser(id)
                                                 : store_.FindResource(kind, id);
    if (!stored) {
      RequestError(
          ReasonCode::kUnknownResource,
          "no resource '" + std::string(id) + "' is known (a proposed one says \"new\": true)");
      return;
    }
    if (!MayMerge(r, *stored, decl, Additions::kAllowed, /*principal=*/false)) return;
    // An organization belongs to itself (InMemoryEntityStore stores it so;
    // this covers stores and requests that do not).
    const bool own_org = kind == "organization" && !given_org && !Field(*stored, "org");
    if (!own_org && AddsNothing(*stored, r)) {
      resource_.Set(*stored);
    } else {
      resource_.SetStored(r, *stored, own_org ? id : std::string_view());
    }
  }

  // Parameters must be declared by one of the requested actions (a typo is
  // refused, not ignored).
  void CheckParams() {
    const Value& params = request_.params;
    if (params.kind() == K::kNull) return;
    if (params.kind() != K::kMap) {
      refusals_.push_back(
          {RefusalCode::kInvalidRequest, "", "params", "'params' must be an object"});
      return;
    }
    auto declares = [&](const CompiledAction* a, const std::string& name) {
      return a && FindAttribute(a->decl->params, name);
    };
    for (const auto& [key, value] : params.map_value().entries()) {
      const std::string name = key.kind() == K::kString ? key.string_value() : key.DebugString();
      bool declared = false;
      if (request_.actions.empty()) {
        for (const auto& a : set_.actions()) declared = declared || declares(&a, name);
      } else {
        for (const auto& a : request_.actions)
          declared = declared || declares(set_.FindAction(a), name);
      }
      if (!declared) {
        refusals_.push_back({RefusalCode::kInvalidRequest, "", name,
                             "parameter '" + name + "' is not declared by any requested action"});
      }
    }
  }

  // Why the request's params do not fit `action`'s declaration; empty when they do.
  std::string ParamsProblem(const CompiledAction& action) const {
    const Value& params = MapOrEmpty(request_.params);
    for (const dsl::AttributeDecl& decl : action.decl->params) {
      const Value* v = Field(params, decl.name);
      if (!v) {
        if (decl.optional) continue;
        return "'" + action.decl->name + "' needs parameter '" + decl.name + "' (params." +
               decl.name + ")";
      }
      if (std::string problem = ValueProblem(*v, decl); !problem.empty()) {
        return "parameter '" + decl.name + "' of '" + action.decl->name + "' " + problem;
      }
    }
    return "";
  }

  // Problems with the request as a whole deny every action.
  void CheckRequest() {
    const Value& given = request_.principal;
    if (given.kind() != K::kMap || StringField(given, "id").empty()) {
      RequestError(ReasonCode::kUnknownPrincipal, "the request names no principal (principal.id)");
    } else {
      ResolvePrincipal();
    }
    if (request_.resource.kind() != K::kMap) {
      RequestError(ReasonCode::kInvalidRequest, "the resource must be an object of attributes");
    } else {
      ResolveResource();
    }
    CheckParams();
    const Value& p = *principal_;
    const Value& c = request_.context;
    if (c.kind() != K::kMap && c.kind() != K::kNull) {
      RequestError(ReasonCode::kInvalidRequest, "the context must be an object");
    }
    if (const Value* now = Field(c, "now")) {
      if (auto t = NowOf(*now)) {
        now_ = Value::Time(*t);
      } else {
        RequestError(ReasonCode::kInvalidRequest,
                     "context.now must be an RFC 3339 timestamp, got " + now->DebugString());
      }
    } else {
      now_ = Now();
    }
    if (!request_errors_.empty() || !refusals_.empty()) return;

    const auto [roles, customised, principal_access, org] =
        Fields(p, {"roles", "permissions", "customer_access", "org"});
    if (roles && roles->kind() != K::kList) {
      RequestError(ReasonCode::kInvalidRequest, "principal.roles must be a list");
      return;
    }
    if (!roles) return;
    SetPrincipalOrg(StringOf(org));  // PrincipalPartner() reads it
    for (const Value& entry : roles->list_value()) {
      const auto [role_name, own_access, own_customised] =
          Fields(entry, {"role", "access", "permissions"});
      const Value* name = entry.kind() == K::kString ? &entry : role_name;
      if (!name || name->kind() != K::kString) {
        RequestError(ReasonCode::kInvalidRequest,
                     "each of principal.roles must be a role name or {role: name, ...}");
        continue;
      }
      // A policy role first, else a custom role of the principal's partner.
      const CompiledRole* role = set_.FindRole(name->string_value());
      if (!role) role = store_.FindCustomRole(PrincipalPartner(), name->string_value());
      if (!role) {
        RequestError(ReasonCode::kUnknownRole, "unknown role '" + name->string_value() + "'");
        continue;
      }
      // Access: the binding's, else a custom role's own, else the principal's.
      Binding b{role, role->access ? role->access : principal_access, role->grants};
      if (own_access) b.access = own_access;
      if (const Value* chosen = own_customised ? own_customised : customised) {
        // A customised set replaces the defaults, within what the role allows.
        b.permissions = NamedPermissions(chosen);
        b.permissions.KeepOnly(role->ceiling);
      }
      b.permissions.KeepOnly(role->level_allowed);
      bindings_.push_back(b);
    }
  }

  // The declared permissions a list of names names; anything else counts for nothing.
  PermissionSet NamedPermissions(const Value* names) const {
    PermissionSet out;
    if (!names || names->kind() != K::kList) return out;
    for (const Value& name : names->list_value()) {
      PermissionId id;
      if (name.kind() == K::kString && set_.FindPermission(name.string_value(), &id)) out.Add(id);
    }
    return out;
  }

  // What the principal holds at the resource's organization, and (for
  // actions of scope none) in every binding.
  void ResolveScope() {
    SetPrincipalOrg(StringField(*principal_, "org"));
    resource_org_ = resource_.org();

    // Company-level permissions count only where the holder's organization enables them.
    disabled_ = set_.company_level();
    if (!disabled_.empty()) {
      if (const Value* org = store_.FindOrganization(principal_org_)) {
        disabled_.RemoveAll(NamedPermissions(Field(*org, "enabled_permissions")));
      }
    }
    for (size_t i = 0; i < bindings_.size(); ++i) held_unscoped_.AddAll(bindings_[i].permissions);
    held_unscoped_.RemoveAll(disabled_);

    if (resource_org_.empty()) return;
    const Value* entity = store_.FindOrganization(resource_org_);
    held_ = HeldAt(resource_org_, entity, &covered_);
    in_scope_ = covered_ || (!principal_org_.empty() && resource_org_ == principal_org_);
  }

  // The permissions of the bindings that cover `org` (`entity`: its stored
  // attributes, or null), minus the disabled ones; `*covered` says whether any does.
  PermissionSet HeldAt(std::string_view org, const Value* entity, bool* covered) const {
    PermissionSet held;
    *covered = false;
    for (size_t i = 0; i < bindings_.size(); ++i) {
      const Binding& b = bindings_[i];
      if (!Covers(b, org, entity)) continue;
      *covered = true;
      held.AddAll(b.permissions);
    }
    held.RemoveAll(disabled_);
    return held;
  }

  // PrincipalScope, for scope.covers and scope.permissionsAt.
  bool Covers(std::string_view org) const override {
    if (org.empty()) return false;
    if (!principal_org_.empty() && org == principal_org_) return true;
    bool covered = false;
    HeldAt(org, store_.FindOrganization(org), &covered);
    return covered;
  }
  Value PermissionsAt(std::string_view org) const override {
    bool covered = false;
    const PermissionSet held =
        org.empty() ? PermissionSet() : HeldAt(org, store_.FindOrganization(org), &covered);
    ValueList names;
    for (size_t i = 0; i < set_.permissions().size(); ++i) {
      if (held.Contains(static_cast<PermissionId>(i))) {
        names.push_back(Value::String(set_.permissions()[i].decl->name));
      }
    }
    return Value::List(std::move(names));
  }

  // The principal's partner: its organization, or the partner that owns it
  // (a company user's own company is then one of the partner's customers).
  std::string_view PrincipalPartner() const {
    if (!partner_known_) {
      partner_ = principal_org_;
      if (const Value* own = store_.FindOrganization(principal_org_)) {
        if (std::string_view parent = StringField(*own, "parent"); !parent.empty()) {
          partner_ = parent;
        }
      }
      partner_known_ = true;
    }
    return partner_;
  }
  void SetPrincipalOrg(std::string_view org) {
    principal_org_ = org;
    partner_known_ = false;
  }

  // Whether `entity` (an organization's stored attributes) is a customer of
  // the principal's partner.
  bool IsCustomerOfPrincipalPartner(const Value* entity) const {
    if (!entity || principal_org_.empty()) return false;
    return Same(StringField(*entity, "parent"), PrincipalPartner());
  }

  bool Covers(const Binding& b, std::string_view org, const Value* entity) const {
    for (ScopeTerm term : b.role->scope) {
      switch (term) {
        case ScopeTerm::kAny:
          return true;
        case ScopeTerm::kOwn:
          if (!principal_org_.empty() && org == principal_org_) return true;
          break;
        case ScopeTerm::kCustomers:
          if (IsCustomerOfPrincipalPartner(entity)) return true;
          break;
        case ScopeTerm::kAssignedCustomers:
          if (IsCustomerOfPrincipalPartner(entity) && b.access &&
              AccessCovers(*b.access, org, *entity)) {
            return true;
          }
          break;
      }
    }
    return false;
  }

  // A customer access: {all, customers, groups, auto_assign_new_companies, assigned_at}.
  bool AccessCovers(const Value& access, std::string_view org, const Value& entity) const {
    const auto [all, customers, groups, auto_assign, assigned_at] =
        Fields(access, {"all", "customers", "groups", "auto_assign_new_companies", "assigned_at"});
    if (IsTrue(all)) return true;
    if (ListContainsString(customers, org)) return true;
    if (groups && groups->kind() == K::kList) {
      for (const Value& name : groups->list_value()) {
        if (name.kind() != K::kString) continue;
        // The partner's stored group first, then the policy's; another
        // partner's group covers nothing for this principal.
        const CompiledGroup* g = store_.FindCustomerGroup(PrincipalPartner(), name.string_value());
        if (!g) g = set_.FindGroup(name.string_value());
        if (!g || (!g->decl->owner.empty() && g->decl->owner != PrincipalPartner())) continue;
        Value member = GroupContains(*g, org, store_, now_, &budget_);
        if (member.is_bool() && member.bool_value()) return true;
      }
    }
    if (IsTrue(auto_assign)) {
      auto assigned = TimeOf(assigned_at);
      auto added = TimeField(entity, "added_at");
      if (assigned && added && *added > *assigned) return true;
    }
    return false;
  }

  // `requires_any`: one reason naming the whole list (`a|b`) when none is held.
  void MissingAnyOf(const CompiledAction& action, const PermissionSet& held, bool scoped,
                    ActionDecision& d) const {
    if (action.needs_any.empty()) return;
    for (PermissionId id : action.needs_any) {
      if (held.Contains(id)) return;
    }
    std::string names, quoted;
    for (PermissionId id : action.needs_any) {
      const std::string& name = set_.permissions()[id].decl->name;
      names += (names.empty() ? "" : "|") + name;
      quoted += (quoted.empty() ? "'" : ", '") + name + "'";
    }
    Reason r;
    r.code = ReasonCode::kMissingPermission;
    r.permission = names;
    r.required_by = action.decl->name;
    if (full_) {
      r.message = "needs one of the permissions " + quoted + " (required by " + r.required_by +
                  ")" + Where(scoped);
    }
    d.reasons.push_back(std::move(r));
  }

  // " in organization '...'" for the messages of a scoped action's missing permissions.
  std::string Where(bool scoped) const {
    return scoped ? " in organization '" + std::string(resource_org_) + "'" : std::string();
  }

  enum class Outcome { kHolds, kDoesNotHold, kError, kOutOfBudget };

  // The reason code of a condition that could not be evaluated, or none when it was.
  static std::optional<ReasonCode> FailureCode(Outcome o) {
    if (o == Outcome::kError) return ReasonCode::kEvaluationError;
    if (o == Outcome::kOutOfBudget) return ReasonCode::kEvaluationBudgetExceeded;
    return std::nullopt;
  }

  // Whether the rule's when/unless let it apply; on kError and kOutOfBudget,
  // `error` says why.
  Outcome Applies(const CompiledRule& rule, const Activation& activation, std::string* error,
                  std::string* condition) {
    bool out_of_budget = false;
    auto eval = [&](const Program& p, const dsl::Condition& c, bool* out) {
      Value v = p.Evaluate(activation, budget_);
      if (v.is_bool()) {
        *out = v.bool_value();
        return true;
      }
      out_of_budget = IsOutOfBudget(v);
      *error = v.is_error() ? v.error_value().message
                            : "the condition is a " + std::string(v.TypeName()) + ", not a bool";
      *condition = c.text;
      return false;
    };
    bool value = false;
    if (rule.when) {
      if (!eval(*rule.when, *rule.decl->when, &value)) {
        return out_of_budget ? Outcome::kOutOfBudget : Outcome::kError;
      }
      if (!value) {
        *condition = rule.decl->when->text;
        return Outcome::kDoesNotHold;
      }
    }
    if (rule.unless) {
      if (!eval(*rule.unless, *rule.decl->unless, &value)) {
        return out_of_budget ? Outcome::kOutOfBudget : Outcome::kError;
      }
      if (value) {
        *condition = "!(" + rule.decl->unless->text + ")";
        return Outcome::kDoesNotHold;
      }
    }
    return Outcome::kHolds;
  }

  void DecideAction(const std::string& name, RequestActivation& activation, ActionDecision& d) {
    const CompiledAction* action = set_.FindAction(name);
    if (!action) {
      Reason r;
      r.code = ReasonCode::kUnknownAction;
      if (full_) r.message = "'" + name + "' is not a declared action";
      d.reasons.push_back(std::move(r));
      return;
    }
    activation.set_action(action->name);
    const bool scoped = set_.ScopeOf(*action, resource_.kind()) == dsl::ScopeMode::kOrganization;
    const PermissionSet& held = scoped ? held_ : held_unscoped_;
    activation.set_held(held);
    if (std::string problem = ParamsProblem(*action); !problem.empty()) {
      Reason r;
      r.code = ReasonCode::kInvalidRequest;
      if (full_) r.message = std::move(problem);
      d.reasons.push_back(std::move(r));
      return;
    }
    if (!action->decl->on.empty()) {
      const std::string_view kind = resource_.kind();
      bool applies = false;
      for (const auto& k : action->decl->on) applies = applies || k == kind;
      if (!applies) {
        Reason r;
        r.code = ReasonCode::kWrongResourceKind;
        if (full_) {
          std::string kinds;
          for (const auto& k : action->decl->on) kinds += (kinds.empty() ? "" : ", ") + k;
          r.message = "'" + name + "' applies to " + kinds + ", not to '" + std::string(kind) + "'";
        }
        d.reasons.push_back(std::move(r));
        return;
      }
    }
    if (scoped && !in_scope_) {
      Reason r;
      r.code = ReasonCode::kOutOfScope;
      r.organization = std::string(resource_org_);
      if (full_) {
        r.message = resource_org_.empty()
                        ? "the resource names no organization (resource.org)"
                        : "organization '" + r.organization + "' is outside the principal's scope";
      }
      d.reasons.push_back(std::move(r));
    } else {
      for (const NeededPermission& need : action->needs) {
        if (held.Contains(need.id)) continue;
        Reason r;
        r.code = ReasonCode::kMissingPermission;
        r.permission = set_.permissions()[need.id].decl->name;
        r.required_by = need.required_by;
        if (full_) {
          r.message = "needs permission '" + r.permission + "' (required by " + r.required_by +
                      ")" + Where(scoped);
        }
        d.reasons.push_back(std::move(r));
      }
      MissingAnyOf(*action, held, scoped, d);
    }
    if (action->decl->step_up && !TrueField(request_.context, "otp_fresh")) {
      Reason r;
      r.code = ReasonCode::kStepUpRequired;
      if (full_) r.message = "'" + name + "' needs a fresh one-time PIN (context.otp_fresh)";
      d.reasons.push_back(std::move(r));
    }

    std::string error, condition;
    for (const CompiledRule* rule : action->deny_rules) {
      Outcome o = Applies(*rule, activation, &error, &condition);
      if (o == Outcome::kDoesNotHold) continue;
      if (!d.rule) d.rule = rule;
      Reason r;
      r.rule = rule;
      auto what = [&] {
        return rule->decl->message.empty() ? "denied by rule '" + rule->decl->name + "'"
                                           : rule->decl->message;
      };
      if (const auto failure = FailureCode(o)) {
        r.code = *failure;
        r.condition = condition;
        if (full_) {
          r.message = "rule '" + rule->decl->name + "' could not be evaluated (" + error +
                      "), so it denies: " + what();
        }
      } else {
        if (coverage_) d.applied.push_back(rule);
        r.code = ReasonCode::kDeniedByRule;
        r.rule_reason = rule->decl->reason;
        if (full_) r.message = what();
      }
      d.reasons.push_back(std::move(r));
    }
    if (!d.reasons.empty()) return;

    std::vector<Reason> misses;
    for (const CompiledRule* rule : action->allow_rules) {
      Outcome o = Applies(*rule, activation, &error, &condition);
      if (o == Outcome::kHolds) {
        d.allowed = true;
        d.rule = rule;
        if (coverage_) d.applied.push_back(rule);
        return;
      }
      Reason r;
      r.rule = rule;
      r.condition = condition;
      if (const auto failure = FailureCode(o)) {
        r.code = *failure;
        if (full_) r.message = "rule '" + rule->decl->name + "' could not be evaluated: " + error;
      } else {
        r.code = ReasonCode::kConditionFalse;
        // Name the first operand of `when: a && b && ...` that is false (only on deny).
        const bool when_failed = rule->decl->when && condition == rule->decl->when->text;
        for (size_t i = 0; when_failed && i < rule->when_conjuncts.size(); ++i) {
          Value v = rule->when_conjuncts[i].program->Evaluate(activation, budget_);
          if (v.is_bool() && !v.bool_value()) {
            r.condition = rule->when_conjuncts[i].text;
            break;
          }
        }
        if (full_) {
          r.message =
              "rule '" + rule->decl->name + "' does not apply: " + r.condition + " is false";
        }
      }
      misses.push_back(std::move(r));
    }
    if (misses.empty()) {
      Reason r;
      r.code = ReasonCode::kNoRuleMatched;
      if (full_) r.message = "no rule allows '" + name + "'";
      d.reasons.push_back(std::move(r));
    } else {
      d.reasons = std::move(misses);
    }
  }

  const PolicySet& set_;
  const EntityStore& store_;
  const DecisionRequest& request_;
  EvaluationBudget& budget_;

  std::vector<Reason> request_errors_;
  std::vector<Refusal> refusals_;  // the request supplied what it may not
  size_t omitted_request_errors_ = 0;
  const bool full_;      // build reasons' messages
  const bool coverage_;  // fill ActionDecision::applied
  // The principal: as given, as stored, or principal_merged_.
  const Value* principal_ = &NullValue();
  Value principal_merged_;
  ResourceAttributes resource_;
  Value now_;
  Bindings bindings_;
  std::string_view principal_org_, resource_org_;
  mutable std::string_view partner_;  // PrincipalPartner(), once known
  mutable bool partner_known_ = false;
  PermissionSet disabled_;       // company-level permissions the principal's org does not enable
  PermissionSet held_;           // at the resource's organization
  PermissionSet held_unscoped_;  // every binding's: actions of scope none
  bool covered_ = false;
  bool in_scope_ = false;
};

}  // namespace

void DecideInto(const PolicySet& policies, const EntityStore& entities,
                const DecisionRequest& request, EvaluationBudget& budget,
                const DecideOptions& options, Decision& out) {
  Decider(policies, entities, request, budget, options).Run(out);
}

Decision Decide(const PolicySet& policies, const EntityStore& entities,
                const DecisionRequest& request, EvaluationBudget& budget) {
  Decision out;
  DecideInto(policies, entities, request, budget, DecideOptions(), out);
  return out;
}

Decision Decide(const PolicySet& policies, const EntityStore& entities,
                const DecisionRequest& request) {
  EvaluationBudget budget;
  return Decide(policies, entities, request, budget);
}

std::string RuleLocation(const CompiledRule& rule) {
  return rule.decl->location.ToString();
}

}  // namespace castellan::engine
