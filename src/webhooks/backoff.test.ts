import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.js";

describe("retryDelayMs", () => {
  const policy = (random: number) => ({ baseMs: 1_000, capMs: 600_000, random: () => random });

  it("doubles from the base and stops at the cap (jitter pinned at its middle)", () => {
    const delays = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1, policy(0.5)));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 600_000, 600_000]);
    expect(retryDelayMs(10_000, policy(0.5))).toBe(600_000);
  });

  it("jitters by +-20 % and never beyond the cap", () => {
    expect(retryDelayMs(3, policy(0))).toBe(3_200);
    expect(retryDelayMs(3, policy(0.999999))).toBe(4_800);
    expect(retryDelayMs(20, policy(0.999999))).toBe(600_000);
    expect(retryDelayMs(20, policy(0))).toBe(480_000);
  });
});
