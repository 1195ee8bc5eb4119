import { describe, expect, it } from "vitest";
import { runDag } from "./dag-scheduler.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("runDag", () => {
  // a -> b -> d, a -> c -> d, e independent
  const upstream = new Map([
    ["a", []],
    ["b", ["a"]],
    ["c", ["a"]],
    ["d", ["b", "c"]],
    ["e", []],
  ]);
  const order = ["a", "b", "c", "d", "e"];

  it("runs one at a time in dependency order, ready stages in file order", async () => {
    const log: string[] = [];
    await runDag({ order, upstream, jobs: 1, stopped: () => false, task: async (name) => void log.push(name) });
    expect(log).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("runs independent stages concurrently, never more than jobs, never before their upstream ended", async () => {
    const events: string[] = [];
    let active = 0;
    let peak = 0;
    await runDag({
      order,
      upstream,
      jobs: 2,
      stopped: () => false,
      task: async (name) => {
        active += 1;
        peak = Math.max(peak, active);
        events.push(`start ${name}`);
        await sleep(20);
        events.push(`end ${name}`);
        active -= 1;
      },
    });
    expect(peak).toBe(2);
    expect(events.slice(0, 2)).toEqual(["start a", "start e"]);
    const at = (event: string): number => events.indexOf(event);
    expect(at("start b")).toBeGreaterThan(at("end a"));
    expect(at("start c")).toBeGreaterThan(at("end a"));
    expect(at("start d")).toBeGreaterThan(Math.max(at("end b"), at("end c")));
  });

  it("starts nothing new once stopped or a task threw, awaits running ones, rethrows the error", async () => {
    const ended: string[] = [];
    const run = runDag({
      order,
      upstream,
      jobs: 2,
      stopped: () => false,
      task: async (name) => {
        if (name === "a") throw new Error("a failed");
        await sleep(30);
        ended.push(name);
      },
    });
    await expect(run).rejects.toThrow("a failed");
    expect(ended).toEqual(["e"]);

    let stop = false;
    const started: string[] = [];
    await runDag({
      order,
      upstream,
      jobs: 1,
      stopped: () => stop,
      task: async (name) => {
        started.push(name);
        if (name === "b") stop = true;
      },
    });
    expect(started).toEqual(["a", "b"]);
  });
});
