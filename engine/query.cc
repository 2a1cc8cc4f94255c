#include "engine/query.h"

#include <algorithm>
#include <string_view>

#include "engine/decision.h"
#include "engine/policy_set.h"

namespace castellan::engine {
namespace {

std::string_view StringField(const Value& map, std::string_view key) {
  if (map.kind() != Value::Kind::kMap) return {};
  const Value* v = map.map_value().FindString(key);
  return v && v->kind() == Value::Kind::kString ? std::string_view(v->string_value())
                                                : std::string_view();
}

// The partner an organization belongs to: its parent, or itself.
std::string PartnerOf(const EntitySnapshot& snapshot, std::string_view org) {
  const Value* stored = snapshot.FindOrganization(org);
  const std::string_view parent = stored ? StringField(*stored, "parent") : std::string_view();
  return std::string(parent.empty() ? org : parent);
}

// `org`, its partner and the partner's customers, sorted by id without repeats.
std::vector<const EntityRecord*> OrganizationTree(const EntitySnapshot& snapshot,
                                                  std::string_view org) {
  std::vector<const EntityRecord*> out;
  if (org.empty()) return out;
  const std::string partner = PartnerOf(snapshot, org);
  if (const EntityRecord* own = snapshot.Find("organization", org)) out.push_back(own);
  if (const EntityRecord* p = snapshot.Find("organization", partner)) out.push_back(p);
  const auto& customers = snapshot.ChildrenOf(partner);
  out.insert(out.end(), customers.begin(), customers.end());
  auto by_id = [](const EntityRecord* a, const EntityRecord* b) { return a->id < b->id; };
  std::sort(out.begin(), out.end(), by_id);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Whether deciding `action` on `kind` requires the resource's organization in
// the principal's scope: only then do organizations narrow the candidates (an
// unknown action denies everyone, so narrowing loses nothing either).
bool ScopedByOrganization(const EntitySnapshot& snapshot, const std::string& action,
                          std::string_view kind) {
  const CompiledAction* a = snapshot.policies()->FindAction(action);
  return !a || snapshot.policies()->ScopeOf(*a, kind) == dsl::ScopeMode::kOrganization;
}

Value Entity(std::string_view kind, std::string_view id) {
  std::vector<MapValue::Entry> entries;
  if (!kind.empty()) entries.emplace_back(Value::String("kind"), Value::String(std::string(kind)));
  entries.emplace_back(Value::String("id"), Value::String(std::string(id)));
  Value error;
  return Value::Map(MapValue::Make(std::move(entries), &error));
}

// Decides `candidates` (sorted by id) from the page on; `request_for` fills
// the request of one candidate.
template <typename Fill>
QueryResult Run(const EntitySnapshot& snapshot, const std::vector<const EntityRecord*>& candidates,
                const std::string& action, const Value& context, const QueryPage& page, Fill fill) {
  QueryResult result;
  const size_t limit = std::max<size_t>(page.limit, 1);
  auto it = candidates.begin();
  if (!page.after_id.empty()) {
    it = std::upper_bound(candidates.begin(), candidates.end(), page.after_id,
                          [](const std::string& id, const EntityRecord* r) { return id < r->id; });
  }
  DecisionRequest request;
  request.context = context;
  request.actions = {action};
  for (; it != candidates.end(); ++it) {
    if (result.ids.size() == limit) {
      result.next_after_id = result.ids.back();
      break;
    }
    fill(**it, request);
    const Decision d = Decide(*snapshot.policies(), snapshot, request);
    ++result.examined;
    if (!d.refusals.empty()) {
      result.ids.clear();
      result.next_after_id.clear();
      result.refusals = d.refusals;
      return result;
    }
    if (!d.results.empty() && d.results.front().allowed) result.ids.push_back((*it)->id);
  }
  return result;
}

}  // namespace

QueryResult AllowedResources(const EntitySnapshot& snapshot, const Value& principal,
                             const std::string& kind, const std::string& action,
                             const Value& context, const QueryPage& page) {
  std::vector<const EntityRecord*> tree;
  const std::vector<const EntityRecord*>* candidates = &snapshot.OfKind(kind);
  if (kind == "organization" && ScopedByOrganization(snapshot, action, kind)) {
    const Value* stored = snapshot.FindUser(StringField(principal, "id"));
    const std::string_view org =
        stored ? StringField(*stored, "org") : StringField(principal, "org");
    tree = OrganizationTree(snapshot, org);
    candidates = &tree;
  }
  return Run(snapshot, *candidates, action, context, page,
             [&](const EntityRecord& r, DecisionRequest& request) {
               request.principal = principal;
               request.resource = Entity(kind, r.id);
             });
}

QueryResult AllowedSubjects(const EntitySnapshot& snapshot, const Value& resource,
                            const std::string& action, const Value& context,
                            const QueryPage& page) {
  const std::string_view kind = StringField(resource, "kind"), id = StringField(resource, "id");
  std::string_view org = StringField(resource, "org");
  if (kind == "organization") {
    org = id;
  } else if (const Value* stored = snapshot.FindResource(kind, id)) {
    org = StringField(*stored, "org");
  }
  // Without organization scope any user may be allowed: all are candidates.
  std::vector<const EntityRecord*> users;
  const std::vector<const EntityRecord*>* candidates = &snapshot.OfKind("user");
  if (ScopedByOrganization(snapshot, action, kind)) {
    for (const EntityRecord* o : OrganizationTree(snapshot, org)) {
      const auto& members = snapshot.UsersOf(o->id);
      users.insert(users.end(), members.begin(), members.end());
    }
    std::sort(users.begin(), users.end(),
              [](const EntityRecord* a, const EntityRecord* b) { return a->id < b->id; });
    candidates = &users;
  }
  return Run(snapshot, *candidates, action, context, page,
             [&](const EntityRecord& r, DecisionRequest& request) {
               request.principal = Entity("", r.id);
               request.resource = resource;
             });
}

}  // namespace castellan::engine
