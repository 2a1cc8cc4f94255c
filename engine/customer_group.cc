#include "engine/customer_group.h"

namespace castellan::engine {
namespace {

class GroupActivation final : public Activation {
 public:
  GroupActivation(const Value& customer, const Value& now, const EntityStore& store,
                  EvaluationBudget& budget)
      : customer_(customer), now_(now), store_(store), budget_(budget) {}
  const Value* Find(std::string_view name) const override {
    if (name == "customer") return &customer_;
    if (name == "now") return &now_;
    return nullptr;
  }
  const EntityStore* entities() const override { return &store_; }
  EvaluationBudget* budget() const override { return &budget_; }

 private:
  const Value& customer_;
  const Value& now_;
  const EntityStore& store_;
  EvaluationBudget& budget_;
};

}  // namespace

Value GroupContains(const CompiledGroup& group, std::string_view org_id, const EntityStore& store,
                    const Value& now, EvaluationBudget* budget) {
  const Value* org = store.FindOrganization(org_id);
  if (!group.decl->owner.empty()) {
    // An owned group holds only the owner's customers, whatever it lists or matches.
    const Value* parent =
        org && org->kind() == Value::Kind::kMap ? org->map_value().FindString("parent") : nullptr;
    if (!parent || parent->kind() != Value::Kind::kString ||
        parent->string_value() != group.decl->owner) {
      return Value::Bool(false);
    }
  }
  if (!group.match) return Value::Bool(group.members.count(std::string(org_id)) > 0);
  if (org == nullptr) {
    return Value::Error(ErrorKind::kNoSuchAttribute,
                        "unknown organization '" + std::string(org_id) + "'");
  }
  EvaluationBudget fresh;
  EvaluationBudget& spend = budget ? *budget : fresh;
  Value result = group.match->Evaluate(GroupActivation(*org, now, store, spend), spend);
  if (!result.is_error() && !result.is_bool()) {
    return Value::Error(ErrorKind::kNoMatchingOverload,
                        "the match of group '" + group.decl->name + "' is not a bool");
  }
  return result;
}

}  // namespace castellan::engine
