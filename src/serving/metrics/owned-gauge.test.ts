import { Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { OwnedGauge } from "./owned-gauge.js";

const lines = async (registry: Registry): Promise<string[]> =>
  (await registry.metrics()).split("\n").filter((line) => line.startsWith("test_owned{"));

describe("OwnedGauge", () => {
  it("replaces an owner's series as a whole, leaves other owners alone, and removes them all on remove", async () => {
    const registry = new Registry();
    const gauge = new OwnedGauge(new Gauge({ name: "test_owned", help: "h", labelNames: ["owner", "feature"], registers: [registry] }));
    gauge.replace("m1", [
      { labels: { owner: "m1", feature: "a" }, value: 1 },
      { labels: { owner: "m1", feature: "b" }, value: 2 },
    ]);
    gauge.replace("m2", [{ labels: { owner: "m2", feature: "a" }, value: 3 }]);
    // Feature b went away from m1's latest series: its series goes too, not left at 2. (prom-client writes NaN as Nan.)
    gauge.replace("m1", [{ labels: { owner: "m1", feature: "a" }, value: Number.NaN }]);
    expect(await lines(registry)).toEqual(['test_owned{owner="m2",feature="a"} 3', 'test_owned{owner="m1",feature="a"} Nan']);
    gauge.remove("m1");
    gauge.remove("unknown");
    expect(await lines(registry)).toEqual(['test_owned{owner="m2",feature="a"} 3']);
  });
});
