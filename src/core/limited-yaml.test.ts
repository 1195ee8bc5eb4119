import { describe, expect, it } from "vitest";
import { checkYamlText, parseLimitedYaml, parseLimitedYamlData } from "./limited-yaml.js";

const limits = { maxBytes: 10_000, maxDepth: 8, maxAliasCount: 3 };
const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
};

describe("parseLimitedYaml", () => {
  it("reads ordinary YAML as the yaml package does", () => {
    expect(parseLimitedYamlData("a: 1\nb: [x, 'y', \"z\"]\nc:\n  - {d: 2}\n", "f", limits)).toEqual({ a: 1, b: ["x", "y", "z"], c: [{ d: 2 }] });
  });

  it("refuses a text longer than the size limit before parsing it", () => {
    expect(messageOf(() => parseLimitedYaml(`a: ${"x".repeat(10_000)}`, "suite", limits))).toBe(
      "suite is 10003 characters long, more than the limit of 10000",
    );
  });

  it("refuses flow collections nested deeper than the limit from the raw text (200,000 brackets)", () => {
    expect(messageOf(() => checkYamlText(`a: ${"[".repeat(200_000)}`, "suite", { ...limits, maxBytes: 1e6 }))).toBe(
      "suite is nested deeper than the limit of 8 levels",
    );
  });

  it("refuses compact block sequences and deep indentation from the raw text", () => {
    expect(messageOf(() => checkYamlText(`${"- ".repeat(100)}x\n`, "suite", limits))).toBe("suite is nested deeper than the limit of 8 levels");
    expect(messageOf(() => checkYamlText(`a:\n${" ".repeat(65)}b: 1\n`, "suite", limits))).toBe("suite is nested deeper than the limit of 8 levels");
  });

  it("counts no brackets inside quotes, comments and plain scalars", () => {
    const text = `a: "[[[[[[[[[["\nb: '{{{{{{{{{{''['\nc: x[[[[[[[[[[[\n# [[[[[[[[[[[[\nd: [1, [2]]\n`;
    expect(() => checkYamlText(text, "suite", limits)).not.toThrow();
    expect(parseLimitedYamlData(text, "suite", limits)).toEqual({ a: "[[[[[[[[[[", b: "{{{{{{{{{{'[", c: "x[[[[[[[[[[[", d: [1, [2]] });
  });

  it("refuses block nesting deeper than the limit after parsing", () => {
    const deep = Array.from({ length: 10 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n";
    expect(messageOf(() => parseLimitedYaml(deep, "suite", limits))).toBe("suite is nested deeper than the limit of 8 levels");
  });

  it("refuses more aliases than the limit (billion laughs)", () => {
    const laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
    expect(messageOf(() => parseLimitedYaml(laughs, "suite", limits))).toBe("suite has more than 3 aliases");
  });

  it("refuses duplicate keys with their line, in linear time", () => {
    expect(messageOf(() => parseLimitedYaml("a: 1\nb:\n  c: 1\n  c: 2\n", "suite", limits))).toBe("suite line 4: map keys must be unique ('c' repeats)");
  });
});
