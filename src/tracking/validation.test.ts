import { describe, expect, it } from "vitest";
import { pythonJsonDumps } from "./logged-model.js";
import { generateRunName, RUN_NAME_NOUNS, RUN_NAME_PREDICATES } from "./run-names.js";
import { posixNormpath, validateExperimentTag, validateTag, validateTagKey } from "./validation.js";

describe("posixNormpath (Python's posixpath.normpath)", () => {
  it.each([
    ["", "."],
    ["a/./b", "a/b"],
    ["a/../b", "b"],
    ["../a", "../a"],
    ["/../a", "/a"],
    ["//a", "//a"],
    ["///a", "/a"],
    ["a/", "a"],
    ["a/b/../../..", ".."],
  ])("%s -> %s", (input, expected) => expect(posixNormpath(input)).toBe(expected));
});

describe("generateRunName", () => {
  it("draws predicate-noun-number from MLflow's lists, at most 20 characters", () => {
    const values = [0, 0, 0.5];
    let call = 0;
    const name = generateRunName(() => values[call++ % values.length] as number);
    expect(name).toBe(`${RUN_NAME_PREDICATES[0]}-${RUN_NAME_NOUNS[Math.floor(0.5 * RUN_NAME_NOUNS.length)]}-0`);
    expect([RUN_NAME_NOUNS.length, RUN_NAME_NOUNS[0], RUN_NAME_NOUNS.at(-1)]).toEqual([123, "ant", "zebra"]);
    expect([RUN_NAME_PREDICATES.length, RUN_NAME_PREDICATES[0], RUN_NAME_PREDICATES.at(-1)]).toEqual([159, "abundant", "zealous"]);
    for (let i = 0; i < 200; i += 1) expect(generateRunName().length).toBeLessThanOrEqual(20);
  });
});

describe("pythonJsonDumps", () => {
  it("writes Python's default layout with non-ASCII escaped", () => {
    expect(pythonJsonDumps([{ a: 1, "é": "ü\n", n: null, b: [true, 1.5] }])).toBe('[{"a": 1, "\\u00e9": "\\u00fc\\n", "n": null, "b": [true, 1.5]}]');
  });
});

describe("reserved tag keys", () => {
  it("refuses cairn gc's mark from clients on run and experiment tags, set or deleted, and takes its neighbours", () => {
    const refused = "Invalid tag key 'cairn.gc.pending': it is reserved for cairn gc and cannot be set or deleted by a client.";
    expect(() => validateTag({ key: "cairn.gc.pending", value: "1" })).toThrow(refused);
    expect(() => validateExperimentTag({ key: "cairn.gc.pending", value: "1" })).toThrow(refused);
    expect(() => validateTagKey("cairn.gc.pending")).toThrow(refused);
    expect(() => validateTag({ key: "cairn.gc.pending2", value: "1" })).not.toThrow();
    expect(() => validateTagKey("cairn.gc")).not.toThrow();
  });
});
