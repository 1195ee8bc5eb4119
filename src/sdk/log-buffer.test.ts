import { describe, expect, it } from "vitest";
import { BATCH_LIMITS, LogBuffer } from "./log-buffer.js";

const metric = (index: number): { key: string; value: number; timestamp: number; step: number } => ({
  key: `m${index % 3}`,
  value: index,
  timestamp: 1000 + index,
  step: index,
});

describe("LogBuffer", () => {
  it("cuts batches of at most 1000 metrics in logging order", () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < 2500; i += 1) buffer.addMetric(metric(i));
    const sizes: number[] = [];
    const values: number[] = [];
    while (buffer.size > 0) {
      const batch = buffer.take();
      sizes.push(batch.metrics?.length ?? 0);
      values.push(...(batch.metrics ?? []).map((m) => m.value));
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(values).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it("keeps params to 100, tags to 100 and all entries to 1000 per batch", () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < 150; i += 1) buffer.addParam({ key: `p${i}`, value: "v" });
    for (let i = 0; i < 120; i += 1) buffer.addTag({ key: `t${i}`, value: "v" });
    for (let i = 0; i < 1000; i += 1) buffer.addMetric(metric(i));
    const first = buffer.take();
    expect([first.params?.length, first.tags?.length, first.metrics?.length]).toEqual([100, 100, 800]);
    const second = buffer.take();
    expect([second.params?.length, second.tags?.length, second.metrics?.length]).toEqual([50, 20, 200]);
    expect(second.params?.[0]?.key).toBe("p100");
    expect(buffer.size).toBe(0);
  });

  it("stays under the request size limit with large values", () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < 100; i += 1) buffer.addParam({ key: `p${i}`, value: "x".repeat(6000) });
    for (let i = 0; i < 100; i += 1) buffer.addTag({ key: `t${i}`, value: "y".repeat(5000) });
    const first = buffer.take();
    expect(JSON.stringify(first).length).toBeLessThan(BATCH_LIMITS.bytes + 100);
    expect([first.params?.length, first.tags?.length]).toEqual([100, 59]);
    expect(buffer.take().tags?.length).toBe(41);
  });

  it("puts an unsent batch back ahead of newer entries", () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < 3; i += 1) buffer.addMetric(metric(i));
    const batch = buffer.take();
    buffer.addMetric(metric(3));
    buffer.restore(batch);
    expect(buffer.take().metrics?.map((m) => m.value)).toEqual([0, 1, 2, 3]);
  });
});
