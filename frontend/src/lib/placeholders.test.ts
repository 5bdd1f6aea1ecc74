import { describe, expect, it } from "vitest";
import { fillPlaceholders } from "./placeholders";

describe("fillPlaceholders", () => {
  const ctx = { customer: { name: "Grace Hopper" }, agent: { name: "Ada" }, ticket: { number: 1042 } };

  it("fills all known placeholders", () => {
    expect(fillPlaceholders("Hi {{customer.name}}, re #{{ticket.number}} — {{agent.name}}", ctx)).toBe(
      "Hi Grace Hopper, re #1042 — Ada",
    );
  });

  it("tolerates whitespace and repeats", () => {
    expect(fillPlaceholders("{{ customer.name }} / {{customer.name}}", ctx)).toBe("Grace Hopper / Grace Hopper");
  });

  it("leaves unknown or missing placeholders untouched", () => {
    expect(fillPlaceholders("{{order.id}} {{customer.name}}", { customer: null })).toBe("{{order.id}} {{customer.name}}");
  });

  it("does not interpret replacement patterns in values", () => {
    expect(fillPlaceholders("Hi {{customer.name}}", { customer: { name: "$& $1" } })).toBe("Hi $& $1");
  });
});
