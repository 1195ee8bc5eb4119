import { describe, expect, it } from "vitest";
import { fanOutEvents, type DomainEvent, type EventSink } from "./events.js";

const event: DomainEvent = { type: "alias.set", time: 1, actor: { name: "ada", verified: false }, requestId: "r", payload: { name: "m" } };

describe("fanOutEvents", () => {
  it("publishes to every sink in order, even after one fails, then reports the first failure", async () => {
    const seen: string[] = [];
    const sink = (name: string, fail = false): EventSink => ({
      publish: async (published) => {
        seen.push(`${name}:${published.type}`);
        if (fail) throw new Error(`${name} failed`);
      },
    });
    await expect(fanOutEvents(sink("a"), sink("b", true), sink("c", true), sink("d")).publish(event)).rejects.toThrow("b failed");
    expect(seen).toEqual(["a:alias.set", "b:alias.set", "c:alias.set", "d:alias.set"]);
  });
});
