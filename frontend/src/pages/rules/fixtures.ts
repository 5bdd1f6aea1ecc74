/** Test data of the rules pages: a catalog and rules shaped as the API answers them
 * (parameter types as automation/rules/catalog.py writes them). */
import type { Catalog, Rule } from "../../api/automation";

export const catalog: Catalog = {
  events: ["ticket.created", "ticket.updated", "message.received", "ticket.solved"],
  fields: [
    { name: "ticket.subject", type: "text" },
    { name: "ticket.status", type: "choice", choices: ["new", "open", "pending", "on_hold", "solved", "closed"] },
    { name: "ticket.priority", type: "choice", choices: ["low", "normal", "high", "urgent"] },
    { name: "ticket.tags", type: "set" },
    { name: "ticket.reopens", type: "number" },
    { name: "customer.marketing_consent", type: "bool" },
  ],
  operators: {
    text: ["contains", "not_contains", "is", "matches", "present", "blank"],
    choice: ["is", "is_not", "in", "not_in", "changed", "changed_to"],
    set: ["contains", "not_contains", "is"],
    number: ["is", "gt", "gte", "lt", "lte"],
    bool: ["is"],
  },
  actions: [
    {
      type: "set",
      label: "Set a field",
      params: [
        { name: "field", type: "choice", choices: ["status", "priority", "assignee", "team"] },
        { name: "value", type: "text" },
      ],
    },
    { type: "add_tags", label: "Add tags", params: [{ name: "value", type: "list" }] },
    { type: "note", label: "Internal note", params: [{ name: "body", type: "text" }] },
  ],
};

export function rule(id: number, over: Partial<Rule> = {}): Rule {
  return {
    id,
    name: `Rule ${id}`,
    active: true,
    position: id * 10,
    trigger: { events: ["ticket.created"] },
    conditions: { all: [], any: [] },
    actions: [{ type: "add_tags", value: ["x"] }],
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:00:00Z",
    last_fired_at: null,
    fired_count: 0,
    error_count: 0,
    ...over,
  };
}
