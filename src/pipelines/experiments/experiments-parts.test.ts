import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { dequeue, enqueue, listQueue, markFailed } from "./exp-queue.js";
import { applyParamOverrides, checkParamOverrides, parseParamOverride, parseParamOverrides } from "./param-overrides.js";
import { linePrefixer } from "./run-experiments.js";
import { createWorkspaceCopy } from "./workspace-copy.js";

const temps: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-exp-parts-"));
  temps.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

const PARAMS = "# training settings\ntrain:\n  lr: 0.1 # learning rate\n  layers: [8, 4]\n  optimizer: adam\nprepare:\n  split: 0.2\n";

describe("parseParamOverride", () => {
  it("reads DVC's forms and parses the value as YAML", () => {
    expect(parseParamOverride("train.lr=0.01")).toEqual({ file: "params.yaml", key: "train.lr", text: "0.01", value: 0.01 });
    expect(parseParamOverride("conf/other.yaml:seed=7")).toEqual({ file: "conf/other.yaml", key: "seed", text: "7", value: 7 });
    expect(parseParamOverride("train.optimizer=sgd").value).toBe("sgd");
    expect(parseParamOverride("train.flag=true").value).toBe(true);
    expect(parseParamOverride("train.layers=[16, 8]").value).toEqual([16, 8]);
    expect(parseParamOverride("train.name='a=b'").value).toBe("a=b");
    expect(parseParamOverride("train.none=").value).toBeNull();
  });

  it("refuses malformed arguments, naming them", () => {
    const message = (argument: string): string => {
      try {
        parseParamOverride(argument);
      } catch (error) {
        expect(error).toBeInstanceOf(PipelineError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(message("train.lr")).toBe("--set-param 'train.lr': expected KEY=VALUE or FILE:KEY=VALUE");
    expect(message("=1")).toBe("--set-param '=1': expected KEY=VALUE or FILE:KEY=VALUE");
    expect(message("../x.yaml:a=1")).toBe("--set-param '../x.yaml:a=1': the params file '../x.yaml' must be a path inside the workspace");
    expect(message("/etc/x.yaml:a=1")).toBe("--set-param '/etc/x.yaml:a=1': the params file '/etc/x.yaml' must be a path inside the workspace");
    expect(message("p.toml:a=1")).toBe("--set-param 'p.toml:a=1': the params file 'p.toml' is not YAML or JSON (.yaml, .yml, .json)");
    expect(message("train..lr=1")).toBe("--set-param 'train..lr=1': 'train..lr' is not a key path such as train.lr");
    expect(message("a=[1,")).toMatch(/^--set-param 'a=\[1,': the value is not valid YAML/);
    expect(() => parseParamOverrides(["a=1", "params.yaml:a=2"])).toThrow("--set-param: the key 'a' of params.yaml is set twice");
  });
});

describe("applyParamOverrides", () => {
  it("sets existing keys in YAML (comments kept) and JSON files", async () => {
    const root = await tempDir();
    await writeFile(path.join(root, "params.yaml"), PARAMS);
    await mkdir(path.join(root, "conf"));
    await writeFile(path.join(root, "conf", "extra.json"), '{"seed": 1, "grid": [1, 2]}');
    await applyParamOverrides(root, parseParamOverrides(["train.lr=0.01", "train.layers.1=2", "conf/extra.json:seed=42", "conf/extra.json:grid.0=9"]));
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe(
      "# training settings\ntrain:\n  lr: 0.01 # learning rate\n  layers: [ 8, 2 ]\n  optimizer: adam\nprepare:\n  split: 0.2\n",
    );
    expect(JSON.parse(await readFile(path.join(root, "conf", "extra.json"), "utf8"))).toEqual({ seed: 42, grid: [9, 2] });
  });

  it("refuses an unknown key, naming it, and changes no file", async () => {
    const root = await tempDir();
    await writeFile(path.join(root, "params.yaml"), PARAMS);
    await writeFile(path.join(root, "other.yaml"), "seed: 1\n");
    const attempt = applyParamOverrides(root, parseParamOverrides(["other.yaml:seed=2", "train.lrx=0.5"]));
    await expect(attempt).rejects.toThrow("params.yaml: --set-param: the key 'train.lrx' does not exist in params.yaml");
    await expect(checkParamOverrides(root, parseParamOverrides(["train.lr.deeper=1"]))).rejects.toThrow("the key 'train.lr.deeper' does not exist");
    await expect(checkParamOverrides(root, parseParamOverrides(["train.layers.5=1"]))).rejects.toThrow("the key 'train.layers.5' does not exist");
    await expect(checkParamOverrides(root, parseParamOverrides(["missing.yaml:a=1"]))).rejects.toThrow("missing.yaml: --set-param: the params file does not exist");
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe(PARAMS);
    expect(await readFile(path.join(root, "other.yaml"), "utf8")).toBe("seed: 1\n");
  });
});

describe("the experiment queue", () => {
  it("stores, lists in order, keeps failures with their error, and removes", async () => {
    const root = await tempDir();
    const first = await enqueue(root, "lr-small", parseParamOverrides(["train.lr=0.01"]), 1000);
    await enqueue(root, "lr-big", parseParamOverrides(["train.lr=0.5", "other.yaml:seed=3"]), 2000);
    expect(first).toEqual({ name: "lr-small", params: ["params.yaml:train.lr=0.01"], queuedAtMs: 1000 });
    expect(JSON.parse(await readFile(path.join(root, ".cairn", "tmp", "exp-queue", "lr-big.json"), "utf8"))).toEqual({
      name: "lr-big",
      params: ["params.yaml:train.lr=0.5", "other.yaml:seed=3"],
      queuedAtMs: 2000,
    });
    await expect(enqueue(root, "lr-small", [])).rejects.toThrow("experiment 'lr-small' is already queued (cairn exp remove lr-small)");
    await expect(enqueue(root, "../evil", [])).rejects.toThrow("experiment name '../evil': use letters, digits");
    await markFailed(root, first, "stage 'train': command exited with code 1", 3000);
    expect(await listQueue(root)).toEqual([
      { name: "lr-small", params: ["params.yaml:train.lr=0.01"], queuedAtMs: 1000, error: "stage 'train': command exited with code 1", failedAtMs: 3000 },
      { name: "lr-big", params: ["params.yaml:train.lr=0.5", "other.yaml:seed=3"], queuedAtMs: 2000 },
    ]);
    expect(await dequeue(root, "lr-small")).toBe(true);
    expect(await dequeue(root, "lr-small")).toBe(false);
    expect(await dequeue(root, "../x")).toBe(false);
    expect((await listQueue(root)).map((entry) => entry.name)).toEqual(["lr-big"]);
  });

  it("names the file of a damaged entry", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, ".cairn", "tmp", "exp-queue"), { recursive: true });
    await writeFile(path.join(root, ".cairn", "tmp", "exp-queue", "bad.json"), '{"name": "bad", "params": [1]}');
    await expect(listQueue(root)).rejects.toThrow(".cairn/tmp/exp-queue/bad.json: malformed queued experiment");
  });
});

describe("createWorkspaceCopy", () => {
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" });

  it("copies tracked and untracked files (not ignored ones), links the shared cache, and disposes", async () => {
    const root = await tempDir();
    git(root, "init", "-q");
    await mkdir(path.join(root, ".cairn", "cache", "files"), { recursive: true });
    await mkdir(path.join(root, ".cairn", "tmp"), { recursive: true });
    await writeFile(path.join(root, ".cairn", ".gitignore"), "/cache/\n/tmp/\n/state.db*\n");
    await writeFile(path.join(root, ".cairn", "config.yaml"), "cache:\n  type: copy\n");
    await writeFile(path.join(root, ".gitignore"), "/data/\n");
    await writeFile(path.join(root, "params.yaml"), PARAMS);
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "src", "train.mjs"), "// train\n");
    await mkdir(path.join(root, "data"));
    await writeFile(path.join(root, "data", "big.csv"), "ignored\n");
    await writeFile(path.join(root, "dvc.yaml"), "stages: {}\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "one");
    await writeFile(path.join(root, "params.yaml"), "changed: 1\n");
    await writeFile(path.join(root, "notes.txt"), "untracked\n");

    const copy = await createWorkspaceCopy(root, "exp-a");
    expect(copy.root.startsWith(path.join(root, ".cairn", "tmp", "exp-runs", "exp-a-"))).toBe(true);
    expect([...copy.files].sort()).toEqual([".cairn/.gitignore", ".cairn/config.yaml", ".gitignore", "dvc.yaml", "notes.txt", "params.yaml", "src/train.mjs"]);
    expect(await readFile(path.join(copy.root, "params.yaml"), "utf8")).toBe("changed: 1\n");
    expect(await readlink(path.join(copy.root, ".cairn", "cache"))).toBe(path.join(root, ".cairn", "cache"));
    await expect(readFile(path.join(copy.root, "data", "big.csv"))).rejects.toMatchObject({ code: "ENOENT" });
    await copy.dispose();
    await expect(readFile(path.join(copy.root, "dvc.yaml"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe("changed: 1\n");
  });

  it("refuses a workspace outside git", async () => {
    const root = await tempDir();
    await expect(createWorkspaceCopy(root, "x")).rejects.toThrow("the workspace must be in a git repository");
  });
});

describe("linePrefixer", () => {
  it("puts the experiment's name in front of every line", async () => {
    let written = "";
    const target = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.toString();
        callback();
      },
    });
    const stream = linePrefixer("[lr-02] ", target);
    await new Promise<void>((resolve) => stream.write("[train] one\n[train] two\n", () => resolve()));
    await new Promise<void>((resolve) => stream.write("[train] three\n", () => resolve()));
    expect(written).toBe("[lr-02] [train] one\n[lr-02] [train] two\n[lr-02] [train] three\n");
  });
});
