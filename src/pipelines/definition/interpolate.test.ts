import { describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { interpolateString, interpolateValue, primitiveToString, shellQuote } from "./interpolate.js";

const where = { file: "dvc.yaml", stage: "s", field: "cmd" };

describe("${} interpolation as DVC renders it", () => {
  it("keeps the type of a whole-string expression and renders inside strings", () => {
    const vars = { a: { b: [10, { c: true }] }, n: 3, s: "x y" };
    expect(interpolateString("${a.b[0]}", vars, where)).toBe(10);
    expect(interpolateString("${a.b.1.c}", vars, where)).toBe(true);
    expect(interpolateString("v${n}-${a.b[1].c}", vars, where)).toBe("v3-true");
    expect(interpolateString("${s}", vars, { ...where, field: "outs" })).toBe("x y");
    expect(interpolateString("no \\${n} here, ${n}", vars, where)).toBe("no ${n} here, 3");
    expect(interpolateValue({ "out-${n}": ["${n}", 4, null] }, vars, { ...where, field: "outs" })).toEqual({ "out-3": [3, 4, null] });
  });

  it("writes numbers as Python's str() and quotes strings as shlex.quote", () => {
    expect([0.1, 1e-5, 0.0001, 1e16, 123456789012345680000, -2.5e-7, 3].map(primitiveToString)).toEqual([
      "0.1",
      "1e-05",
      "0.0001",
      "1e+16",
      "1.2345678901234568e+20",
      "-2.5e-07",
      "3",
    ]);
    expect([null, false, "s"].map(primitiveToString)).toEqual(["None", "false", "s"]);
    expect(["", "plain-word_1.2/x:y@z%+=,", "two words", "it's"].map(shellQuote)).toEqual(["''", "plain-word_1.2/x:y@z%+=,", "'two words'", `'it'"'"'s'`]);
  });

  it("refuses a mapping outside cmd, a list in any string, a nested list in cmd options, a malformed expression", () => {
    const vars = { m: { a: 1 }, l: [1], nested: { x: [[1]] } };
    const message = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        if (error instanceof PipelineError) return error.message;
        throw error;
      }
      return "no error";
    };
    expect(message(() => interpolateString("${m}", vars, { ...where, field: "deps" }))).toBe("stage 's', dvc.yaml: deps: cannot interpolate a mapping ('${m}')");
    expect(interpolateString("${m}", vars, where)).toBe("--a 1");
    expect(message(() => interpolateString("x ${l}", vars, where))).toBe("stage 's', dvc.yaml: cmd: cannot interpolate a list ('${l}') into a string");
    expect(message(() => interpolateString("x ${nested}", vars, where))).toBe("stage 's', dvc.yaml: cmd: cannot interpolate nested list in 'x'");
    expect(message(() => interpolateString("${a..b}", vars, where))).toBe("stage 's', dvc.yaml: cmd: malformed expression '${a..b}'");
    expect(message(() => interpolateString("${l.1}", vars, where))).toBe("stage 's', dvc.yaml: cmd: undefined variable '${l.1}'");
    expect(message(() => interpolateString("${toString}", vars, where))).toBe("stage 's', dvc.yaml: cmd: undefined variable '${toString}'");
  });
});
