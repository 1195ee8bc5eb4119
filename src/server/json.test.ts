import { describe, expect, it } from "vitest";
import { checkJsonDepth, JsonDepthError, MAX_JSON_DEPTH, parseWireBody } from "./json.js";

const nested = (depth: number): string => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("checkJsonDepth", () => {
  it("accepts exactly the limit and refuses one level more", () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(() => checkJsonDepth(nested(64))).not.toThrow();
    expect(() => checkJsonDepth(nested(65))).toThrow(new JsonDepthError(64));
    expect(() => checkJsonDepth(`{"a":${nested(63)}}`)).not.toThrow();
    expect(() => checkJsonDepth(`{"a":${nested(64)}}`)).toThrow("arrays and objects are nested deeper than the limit of 64 levels");
  });

  it("counts depth, not the number of arrays side by side", () => {
    expect(() => checkJsonDepth(`[${Array.from({ length: 10_000 }, () => nested(60)).join(",")}]`)).not.toThrow();
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    expect(() => checkJsonDepth(JSON.stringify({ text: "[".repeat(1000), quoted: '\\"[[[' + "{".repeat(100) }))).not.toThrow();
    expect(() => checkJsonDepth(`["\\\\", ${nested(64)}]`)).toThrow(JsonDepthError);
  });

  it("leaves malformed JSON to the parser", () => {
    expect(() => parseWireBody("[1,")).toThrow(SyntaxError);
    expect(parseWireBody(JSON.stringify(JSON.stringify({ a: [1] })))).toEqual({ a: [1] });
  });
});
