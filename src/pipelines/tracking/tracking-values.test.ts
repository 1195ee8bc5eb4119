import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_METRICS_FILE_BYTES, readMetricsFile } from "./metrics-file.js";
import { bounded, mlflowKey, paramText } from "./mlflow-keys.js";
import { stageArtifactFiles } from "./stage-artifacts.js";
import { mlflowParams } from "./stage-params.js";

describe("mlflowKey", () => {
  it("keeps valid keys and repairs the rest into keys MLflow accepts", () => {
    expect(mlflowKey("train.lr")).toBe("train.lr");
    expect(mlflowKey("data/params.yaml/train.lr")).toBe("data/params.yaml/train.lr");
    expect(mlflowKey("a:b*c")).toBe("a_b_c");
    expect(mlflowKey("/lead//trail/")).toBe("lead/trail");
    expect(mlflowKey("../up/./here")).toBe("__/up/_/here");
    expect(mlflowKey("")).toBeUndefined();
    expect(mlflowKey("//")).toBeUndefined();
    expect(mlflowKey("k".repeat(250))).toBe("k".repeat(250));
    expect(mlflowKey("k".repeat(251))).toBeUndefined();
  });

  it("writes values as text and cuts over-long ones with a mark", () => {
    expect([paramText("x"), paramText(0.1), paramText(true), paramText(null), paramText([1, "a"])]).toEqual(["x", "0.1", "true", "null", '[1,"a"]']);
    expect(bounded("abcdef", 5)).toBe("ab...");
    expect(bounded("abcde", 5)).toBe("abcde");
  });
});

describe("mlflowParams", () => {
  it("flattens sections, prefixes other files, cuts long values and says so", () => {
    const { params, notes } = mlflowParams({
      "params.yaml:train": { lr: 0.1, layers: [8, 4], opt: { name: "adam" } },
      "conf/other.yaml:seed": 1,
      "params.yaml:long": "x".repeat(6001),
    });
    expect(params).toEqual([
      { key: "train.lr", value: "0.1" },
      { key: "train.layers", value: "[8,4]" },
      { key: "train.opt.name", value: "adam" },
      { key: "conf/other.yaml/seed", value: "1" },
      { key: "long", value: `${"x".repeat(5997)}...` },
    ]);
    expect(notes).toEqual(["param 'long': value cut to 6000 characters"]);
  });

  it("logs at most 1000 values of a huge section", () => {
    const section = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    const { params, notes } = mlflowParams({ "params.yaml:big": section });
    expect(params.length).toBe(1000);
    expect(notes).toEqual(["params: only the first 1000 values were logged"]);
  });
});

describe("readMetricsFile", () => {
  it("reads JSON and YAML, and notes a missing, malformed or oversize file without failing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-metrics-"));
    try {
      await writeFile(path.join(dir, "m.json"), '{"a": {"b": 1, "c": false, "d": "text", "e": [1]}, "f": 2.5}');
      await writeFile(path.join(dir, "m.yaml"), "top:\n  x: 3\n");
      await writeFile(path.join(dir, "bad.json"), "{nope");
      await writeFile(path.join(dir, "huge.json"), Buffer.alloc(MAX_METRICS_FILE_BYTES + 1, 0x20));
      expect(await readMetricsFile(path.join(dir, "m.json"), "m.json")).toEqual({ metrics: [["a.b", 1], ["a.c", 0], ["f", 2.5]] });
      expect(await readMetricsFile(path.join(dir, "m.yaml"), "m.yaml")).toEqual({ metrics: [["top.x", 3]] });
      expect(await readMetricsFile(path.join(dir, "bad.json"), "bad.json")).toEqual({ metrics: [], note: "metrics bad.json: not valid JSON, not read" });
      expect(await readMetricsFile(path.join(dir, "huge.json"), "huge.json")).toEqual({
        metrics: [],
        note: `metrics huge.json: larger than ${MAX_METRICS_FILE_BYTES} bytes, not read`,
      });
      expect(await readMetricsFile(path.join(dir, "none.json"), "none.json")).toEqual({ metrics: [], note: "metrics none.json: not readable (ENOENT)" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("stageArtifactFiles", () => {
  it("takes plots and uncached outs, follows links inside the workspace only", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-artifacts-"));
    const outside = await mkdtemp(path.join(tmpdir(), "cairn-outside-"));
    try {
      const root = path.join(dir, "ws");
      await mkdir(path.join(root, "plots", "sub"), { recursive: true });
      await writeFile(path.join(root, "plots", "b.json"), "b");
      await writeFile(path.join(root, "plots", "sub", "a.json"), "a");
      await writeFile(path.join(root, "real.txt"), "r");
      await symlink(path.join(root, "real.txt"), path.join(root, "inside-link.txt"));
      await writeFile(path.join(outside, "secret"), "s");
      await symlink(path.join(outside, "secret"), path.join(root, "escape.txt"));
      await writeFile(path.join(root, "cached.bin"), "c");
      const out = (p: string, kind: "out" | "metric" | "plot", cache: boolean) => ({ path: p, kind, cache, persist: false, push: true });
      const { files, notes } = await stageArtifactFiles(root, {
        name: "s",
        cmd: "true",
        wdir: "",
        deps: [],
        params: [],
        outs: [out("cached.bin", "out", true), out("plots", "plot", true), out("inside-link.txt", "out", false), out("escape.txt", "metric", false), out("missing", "out", false)],
        frozen: false,
        alwaysChanged: false,
      });
      expect(files.map((file) => file.artifactPath)).toEqual(["plots/b.json", "plots/sub/a.json", "inside-link.txt"]);
      expect(notes).toEqual(["artifact escape.txt: a link out of the workspace, not uploaded"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
