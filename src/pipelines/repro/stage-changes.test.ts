import { describe, expect, it } from "vitest";
import type { ResolvedStage } from "../definition/resolved-pipeline.js";
import type { LockStage } from "../lock/lock-file.js";
import { stageChanges, type StageSnapshot } from "./stage-changes.js";

const H = (c: string): string => c.repeat(64);
const stage: ResolvedStage = {
  name: "train",
  cmd: "node train.mjs",
  wdir: "",
  deps: ["train.mjs", "data/prepared"],
  params: [{ file: "params.yaml", key: "train.lr" }],
  outs: [{ path: "model.onnx", kind: "out", cache: true, persist: false, push: true }],
  frozen: false,
  alwaysChanged: false,
};
const lock: LockStage = {
  cmd: "node train.mjs",
  deps: [
    { path: "train.mjs", hash: H("a"), size: 10 },
    { path: "data/prepared", hash: `${H("b")}.dir`, size: 20, nfiles: 2 },
  ],
  params: { "params.yaml": { "train.lr": 0.1 } },
  outs: [{ path: "model.onnx", hash: H("c"), size: 30 }],
};
const same = (): StageSnapshot => ({
  deps: new Map([
    ["train.mjs", { hash: H("a"), size: 10 }],
    ["data/prepared", { hash: `${H("b")}.dir`, size: 20, nfiles: 2 }],
  ]),
  outs: new Map([["model.onnx", { hash: H("c"), size: 30 }]]),
  params: { "params.yaml": { "train.lr": 0.1 } },
});

describe("stageChanges", () => {
  it("is empty when everything matches the lock entry", () => {
    expect(stageChanges(stage, lock, same())).toEqual([]);
  });

  it("names every reason: cmd, deps, params, outs", () => {
    const now = same();
    now.deps.set("data/prepared", { hash: `${H("d")}.dir`, size: 20, nfiles: 2 });
    now.outs.set("model.onnx", "missing");
    now.params = { "params.yaml": { "train.lr": 0.2 } };
    expect(stageChanges({ ...stage, cmd: "node train.mjs --fast" }, lock, now)).toEqual([
      "cmd changed",
      "dep data/prepared modified",
      "param train.lr changed",
      "out model.onnx missing",
    ]);
  });

  it("sees deps, params and outs added and removed, and a modified out", () => {
    const now = same();
    now.deps.set("extra.csv", { hash: H("e"), size: 1 });
    now.outs.set("model.onnx", { hash: H("f"), size: 30 });
    now.outs.set("metrics.json", { hash: H("9"), size: 3 });
    now.params = { "params.yaml": { "train.epochs": 3 }, "conf/other.yaml": { seed: 1 } };
    const changed: ResolvedStage = {
      ...stage,
      deps: ["data/prepared", "extra.csv"],
      outs: [...stage.outs, { path: "metrics.json", kind: "metric", cache: false, persist: false, push: true }],
    };
    expect(stageChanges(changed, lock, now)).toEqual([
      "dep extra.csv added",
      "dep train.mjs removed",
      "param train.epochs added",
      "param conf/other.yaml:seed added",
      "param train.lr removed",
      "out model.onnx modified",
      "out metrics.json added",
    ]);
  });

  it("a stage without a lock entry, and always_changed", () => {
    expect(stageChanges(stage, undefined, same())).toEqual(["never ran (no lock entry)"]);
    expect(stageChanges({ ...stage, alwaysChanged: true }, lock, same())).toEqual(["always changed"]);
  });

  it("compares param values structurally (a whole section, key order ignored) and cmd lists in order", () => {
    const sectionLock: LockStage = { ...lock, params: { "params.yaml": { train: { lr: 0.1, epochs: 3 } } } };
    const now = same();
    now.params = { "params.yaml": { train: { epochs: 3, lr: 0.1 } } };
    expect(stageChanges(stage, sectionLock, now)).toEqual([]);
    const listLock: LockStage = { ...lock, cmd: ["a", "b"] };
    expect(stageChanges({ ...stage, cmd: ["a", "b"] }, listLock, same())).toEqual([]);
    expect(stageChanges({ ...stage, cmd: ["b", "a"] }, listLock, same())).toEqual(["cmd changed"]);
  });
});
