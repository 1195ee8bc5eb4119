import { afterAll, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { SuiteParserThread } from "./parse-suite-off-thread.js";
import { parseSuite } from "./parse-suite.js";

const bigSuite = (last: string): string => {
  const keys = Array.from({ length: 22_000 }, (_, i) => `  k${i}: 1`).join("\n");
  return `suite: s\nexpectations:\n  - expectation: ${last}\n    column: a\nmeta:\n${keys}\n`;
};

describe("SuiteParserThread", () => {
  const parser = new SuiteParserThread();
  afterAll(() => parser.close());

  it("parses a 250 KB suite on the worker to what the inline parser returns, while the event loop keeps ticking", async () => {
    const text = bigSuite("expect_column_to_exist");
    expect(text.length).toBeGreaterThan(250_000);
    await parser.parse(text, "warm-up");
    let ticks = 0;
    const ticking = setInterval(() => (ticks += 1), 1);
    const suite = await parser.parse(text, "monitor suite");
    clearInterval(ticking);
    expect(suite).toEqual(parseSuite(text, "monitor suite"));
    // Inline, the parse would block every tick until it ended; on the worker the loop runs meanwhile.
    expect(ticks).toBeGreaterThan(2);
  });

  it("answers a bad suite with the inline parser's 400, and small suites inline", async () => {
    const error = (await parser.parse(bigSuite("expect_nothing"), "monitor suite").catch((e: unknown) => e)) as CairnError;
    expect(error).toBeInstanceOf(CairnError);
    expect(error.status).toBe(400);
    expect(error.message).toBe("monitor suite line 3: unknown expectation 'expect_nothing'");
    expect(await parser.parse("suite: s\nexpectations: []\n", "small")).toEqual({ suite: "s", expectations: [] });
  });

  it("refuses a suite that takes longer than its timeout, and parses the next on a new worker", async () => {
    const impatient = new SuiteParserThread(1);
    const error = (await impatient.parse(bigSuite("expect_column_to_exist"), "monitor suite").catch((e: unknown) => e)) as CairnError;
    expect(error.message).toBe("monitor suite took longer than 1 ms to parse");
    await impatient.close();
  });
});
