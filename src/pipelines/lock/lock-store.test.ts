import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LockStage } from "./lock-file.js";
import { lockFileOf, readLock, writeLockStage } from "./lock-store.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "cairn-lock-store-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const entry = (cmd: string): LockStage => ({ cmd, deps: [], params: { "params.yaml": { lr: 0.1 } }, outs: [{ path: `${cmd}.out`, hash: "a".repeat(64), size: 3 }] });

describe("lock store", () => {
  it("names the lock beside the pipeline file", () => {
    expect(lockFileOf("dvc.yaml")).toBe("cairn.lock");
    expect(lockFileOf("sub/cairn.yaml")).toBe("sub/cairn.lock");
  });

  it("reads a missing lock as empty, writes stages in pipeline order, drops stages no longer in it, leaves no temp file", async () => {
    expect(await readLock(root, "dvc.yaml")).toEqual({ stages: {} });
    const tmp = path.join(root, ".cairn", "tmp");
    await writeLockStage(root, "dvc.yaml", ["prepare", "train"], "train", entry("train"), tmp);
    await writeLockStage(root, "dvc.yaml", ["prepare", "train"], "prepare", entry("prepare"), tmp);
    expect(Object.keys((await readLock(root, "dvc.yaml")).stages)).toEqual(["prepare", "train"]);
    await writeLockStage(root, "dvc.yaml", ["train", "evaluate"], "evaluate", entry("evaluate"), tmp);
    const lock = await readLock(root, "dvc.yaml");
    expect(Object.keys(lock.stages)).toEqual(["train", "evaluate"]);
    expect(lock.stages.evaluate).toEqual(entry("evaluate"));
    expect(await readdir(tmp)).toEqual(["cairn.lock.parsed.json"]);
    expect(await readFile(path.join(root, "cairn.lock"), "utf8")).toContain("schema: \"2.0\"");
  });

  it("a malformed lock file is an error naming it", async () => {
    await mkdir(path.join(root, "sub"));
    await writeFile(path.join(root, "sub", "cairn.lock"), "stages:\n  train:\n    cmd: 3\n");
    await expect(readLock(root, "sub/dvc.yaml")).rejects.toThrow("stage 'train', sub/cairn.lock: malformed lock file: cmd must be a string or a list of strings");
  });

  it("remembers the parse for the same text only, and ignores a damaged cache", async () => {
    const tmp = path.join(root, ".cairn", "tmp");
    await writeLockStage(root, "dvc.yaml", ["train"], "train", entry("train"), tmp);
    const cache = path.join(tmp, "cairn.lock.parsed.json");
    expect(await readLock(root, "dvc.yaml", tmp)).toEqual({ stages: { train: entry("train") } });
    // The lock file edited by hand (or by git): its new text is parsed, whatever the cache says.
    await writeFile(path.join(root, "cairn.lock"), (await readFile(path.join(root, "cairn.lock"), "utf8")).replace("cmd: train", "cmd: edited"));
    expect((await readLock(root, "dvc.yaml", tmp)).stages.train?.cmd).toBe("edited");
    const cached = JSON.parse(await readFile(cache, "utf8")) as { stages: { train: { cmd: unknown } } };
    expect(cached.stages.train.cmd).toBe("edited");
    cached.stages.train.cmd = 42;
    await writeFile(cache, JSON.stringify(cached));
    await expect(readLock(root, "dvc.yaml", tmp)).resolves.toEqual({ stages: { train: { ...entry("train"), cmd: "edited" } } });
    await writeFile(cache, "{not json");
    expect((await readLock(root, "dvc.yaml", tmp)).stages.train?.cmd).toBe("edited");
  });
});
