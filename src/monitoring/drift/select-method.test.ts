import { describe, expect, it } from "vitest";
import { parseColumnMethod } from "./column-method-spec.js";
import { isDrifted, resolveDriftMethod } from "./methods.js";
import { defaultDriftMethod } from "./select-method.js";

describe("Evidently's default test", () => {
  it.each([
    ["num", 1000, 6, "ks"],
    ["num", 1000, 5, "chisquare"],
    ["num", 1000, 3, "chisquare"],
    ["num", 1000, 2, "z"],
    ["num", 1000, 1, "z"],
    ["cat", 1000, 6, "chisquare"],
    ["cat", 1000, 3, "chisquare"],
    ["cat", 1000, 2, "z"],
    ["num", 1001, 6, "wasserstein"],
    ["num", 1001, 5, "jensenshannon"],
    ["num", 1001, 2, "jensenshannon"],
    ["cat", 1001, 2, "jensenshannon"],
    ["cat", 1001, 50, "jensenshannon"],
  ] as const)("%s column, n = %i, u = %i: %s", (type, n, u, method) => {
    expect(defaultDriftMethod(type, n, u).name).toBe(method);
  });
});

describe("methods and --column-method", () => {
  it("parses column=method[:threshold] with Evidently's names and aliases", () => {
    expect(parseColumnMethod("age=psi:0.2")).toEqual(["age", { method: resolveDriftMethod("psi"), threshold: 0.2 }]);
    expect(parseColumnMethod("a=b=chi2")[0]).toBe("a=b");
    expect(parseColumnMethod("city=chisquare")[1].method.name).toBe("chisquare");
    expect(parseColumnMethod("x=Energy")[1].method.name).toBe("ed");
    expect(parseColumnMethod("x=tvd")[1].method.name).toBe("TVD");
  });

  it("names the bad part", () => {
    expect(() => parseColumnMethod("age")).toThrow("--column-method 'age' must look like column=method");
    expect(() => parseColumnMethod("age=magic")).toThrow("Unknown drift method 'magic'; known: ks, chisquare");
    expect(() => parseColumnMethod("age=psi:-1")).toThrow("threshold must be a number >= 0, got '-1'");
  });

  it("compares in each method's direction", () => {
    expect(isDrifted(resolveDriftMethod("ks"), 0.049, 0.05)).toBe(true);
    expect(isDrifted(resolveDriftMethod("ks"), 0.05, 0.05)).toBe(false);
    expect(isDrifted(resolveDriftMethod("wasserstein"), 0.1, 0.1)).toBe(true);
    expect(isDrifted(resolveDriftMethod("ed"), 0.1, 0.1)).toBe(false);
  });
});
