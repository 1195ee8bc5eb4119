import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { objectPath, runCacheKeyPath } from "../data/cache-layout.js";
import { parseManifest } from "../data/dir-manifest.js";
import type { HashInfo } from "../data/hash-info.js";
import { serializePointerFile } from "../data/pointer-file.js";
import { tempWorkspace, type TempWorkspace } from "../data/test-support/temp-workspace.js";
import { serializeLockFile } from "../lock/lock-file.js";
import { ServerRemote } from "../remote/server-remote.js";
import { addDir, addFile, sha256 } from "../remote/test-support/cache-objects.js";
import { runCliIn, spawnCliIn } from "../remote/test-support/run-cli-in.js";
import { cachedObjects, runCacheEntries } from "./cache-inventory.js";
import { runGc, type GcOptions } from "./gc.js";

/**
 * Every keep rule of `cairn cache gc` against a real temporary git repository and a real server: a pointer file only on a
 * branch, a lock file only on a tag, a run's dataset on the server, a registered model version's run; and the
 * refusals (unreachable server, malformed pointer in a branch) that remove nothing.
 */
let server: TempServer;
let t: TempWorkspace;
beforeAll(async () => {
  server = await startTempServer("cairn-gc-");
});
afterAll(async () => server?.close());
beforeEach(async () => {
  t = await tempWorkspace();
  git("init", "-q", "-b", "main");
});
afterEach(async () => t.remove());

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const git = (...args: string[]): string => execFileSync("git", args, { cwd: t.dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" });
const commitAll = (message: string): void => {
  git("add", "-A");
  git("commit", "-q", "--allow-empty", "-m", message);
};
const pointer = (rel: string, info: HashInfo): Promise<string> => t.write(`${rel}.cairn`, serializePointerFile({ outs: [{ path: path.posix.basename(rel), ...info }] }));
const lockWith = (info: HashInfo, out = "model"): string =>
  serializeLockFile({ stages: { train: { cmd: "node train.mjs", deps: [], params: {}, outs: [{ path: out, ...info }] } } });
const serverInput = (hash: string, name: string): object => ({
  tags: [{ key: "mlflow.data.context", value: "cairn.output" }],
  dataset: { name, digest: hash.slice(0, 32), source_type: "cairn-data", source: JSON.stringify({ uri: `cairn-data://sha256/${hash}` }) },
});
const api = async (pathName: string, body: object): Promise<Record<string, unknown>> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${pathName}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status, pathName).toBe(200);
  return (await response.json()) as Record<string, unknown>;
};
const newRun = async (): Promise<string> => ((await api("runs/create", { experiment_id: "0" })).run as { info: { run_id: string } }).info.run_id;

const has = (hash: string): boolean => existsSync(objectPath(t.ws.cacheDir, hash));
const options = (extra: Partial<GcOptions> = {}): GcOptions => ({
  dryRun: false,
  git: { allBranches: true, allTags: true },
  serverReferences: () => new ServerRemote({ url: server.url, label: "server" }).references(),
  ...extra,
});

/** Every manifest left in the cache has all its files; every run-cache entry left has its outputs. */
const assertCacheWhole = async (): Promise<void> => {
  for (const hash of await cachedObjects(t.ws.cacheDir)) {
    if (!hash.endsWith(".dir")) continue;
    for (const entry of parseManifest(await readFile(objectPath(t.ws.cacheDir, hash)), hash)) expect(has(entry.sha256), `${hash} lists ${entry.sha256}`).toBe(true);
  }
  for (const entry of await runCacheEntries(t.ws.cacheDir)) {
    const outs = (parse(await readFile(entry.file, "utf8")) as { stage: { outs: Array<{ sha256: string }> } }).stage.outs;
    for (const out of outs) expect(has(out.sha256), `${entry.key} needs ${out.sha256}`).toBe(true);
  }
};

const runCacheEntry = async (key: string, outs: HashInfo[]): Promise<string> => {
  const file = runCacheKeyPath(t.ws.cacheDir, key);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, stringify({ stage: { cmd: "x", outs: outs.map((info, i) => ({ path: `o${i}`, hash: "sha256", sha256: info.hash, size: info.size, ...(info.nfiles !== undefined ? { nfiles: info.nfiles } : {}) })) } }));
  return file;
};

describe("cairn gc keep rules", () => {
  it("keeps the workspace's, every branch's and tag's, the server runs' and the registered models' data, and removes the rest", async () => {
    const cache = t.ws.cacheDir;
    const tag = `${Date.now()}-${Math.random()}`;
    const inWorkspace = await addFile(cache, `workspace ${tag}`);
    const branchOnly = await addDir(cache, { "a.txt": `branch a ${tag}`, "shared.txt": `shared ${tag}` });
    const tagOnly = await addDir(cache, { "m.bin": `tag model ${tag}` });
    const runDataset = await addFile(cache, `run dataset ${tag}`);
    const modelLineage = await addDir(cache, { "w.bin": `model weights ${tag}` });
    const garbageFile = await addFile(cache, `garbage ${tag}`);
    const garbageDir = await addDir(cache, { "g.txt": `garbage dir ${tag}`, "shared.txt": `shared ${tag}` });
    const keptEntry = await runCacheEntry("a".repeat(64), [inWorkspace]);
    const droppedEntry = await runCacheEntry("b".repeat(64), [inWorkspace, garbageFile]);

    // main: first commit; a tag on a commit no branch reaches holds cairn.lock; a branch holds a pointer file.
    await t.write("README.md", "x");
    commitAll("init");
    git("checkout", "-q", "-b", "release");
    await t.write("cairn.lock", lockWith(tagOnly));
    commitAll("release");
    git("tag", "-a", "v1", "-m", "v1");
    git("checkout", "-q", "main");
    git("branch", "-q", "-D", "release");
    git("checkout", "-q", "-b", "feature");
    await pointer("data/images", branchOnly);
    commitAll("feature data");
    git("checkout", "-q", "main");
    expect(existsSync(path.join(t.dir, "data", "images.cairn"))).toBe(false);
    expect(existsSync(path.join(t.dir, "cairn.lock"))).toBe(false);
    // The workspace: an uncommitted pointer file.
    await pointer("raw/input.csv", inWorkspace);

    // The server: a run's dataset, and a registered model version whose run recorded its output (run then deleted).
    const run = await newRun();
    await api("runs/log-inputs", { run_id: run, datasets: [serverInput(runDataset.hash, "data/train.csv")] });
    const modelRun = await newRun();
    await api("runs/log-inputs", { run_id: modelRun, datasets: [serverInput(modelLineage.hash, "model")] });
    await api("registered-models/create", { name: `gc-model-${Date.now()}` }).then(async (created) => {
      const name = (created.registered_model as { name: string }).name;
      await api("model-versions/create", { name, source: `runs:/${modelRun}/model`, run_id: modelRun });
    });
    await api("runs/delete", { run_id: modelRun });

    const before = await cachedObjects(cache);
    const dry = await runGc(t.ws, options({ dryRun: true }));
    expect(dry.objects.sort()).toEqual([garbageDir.hash, garbageFile.hash, sha256(`garbage dir ${tag}`)].sort());
    expect(dry.removed).toMatchObject({ objects: 2, manifests: 1, runCacheEntries: 1 });
    // HEAD, main, feature and v1 (HEAD and main are one commit).
    expect(dry.sources).toMatchObject({ workspaceFiles: 1, gitRefs: 4, gitCommits: 3, gitFiles: 2 });
    expect(await cachedObjects(cache)).toEqual(before);

    // A fetch killed before its rename left a temporary file beside the objects.
    const leftover = `${objectPath(cache, garbageFile.hash)}.0123456789ab.tmp`;
    await writeFile(leftover, "partial");
    const report = await runGc(t.ws, options());
    expect(report.removed).toMatchObject({ objects: 2, manifests: 1, runCacheEntries: 1, tempFiles: 1 });
    expect(existsSync(leftover)).toBe(false);
    for (const info of [inWorkspace, branchOnly, tagOnly, runDataset, modelLineage]) expect(has(info.hash), info.hash).toBe(true);
    for (const file of [...branchOnly.files, ...tagOnly.files, ...modelLineage.files]) expect(has(file)).toBe(true);
    expect(has(garbageFile.hash)).toBe(false);
    expect(has(garbageDir.hash)).toBe(false);
    expect(has(sha256(`garbage dir ${tag}`))).toBe(false);
    // Shared with a kept directory: kept.
    expect(has(sha256(`shared ${tag}`))).toBe(true);
    expect(existsSync(keptEntry)).toBe(true);
    expect(existsSync(droppedEntry)).toBe(false);
    await assertCacheWhole();

    // Nothing left to remove.
    expect((await runGc(t.ws, options())).removed).toMatchObject({ objects: 0, manifests: 0, runCacheEntries: 0, tempFiles: 0 });
  }, 60_000);

  it("without --all-branches/--all-tags keeps only HEAD's and the workspace's files", async () => {
    const branchOnly = await addFile(t.ws.cacheDir, `branch only ${Date.now()}`);
    commitAll("init");
    git("checkout", "-q", "-b", "feature");
    await pointer("x", branchOnly);
    commitAll("x");
    git("checkout", "-q", "main");
    const narrow = await runGc(t.ws, options({ dryRun: true, git: { allBranches: false, allTags: false }, serverReferences: undefined }));
    expect(narrow.objects).toEqual([branchOnly.hash]);
    const wide = await runGc(t.ws, options({ dryRun: true, serverReferences: undefined }));
    expect(wide.objects).toEqual([]);
  });

  it("stops and removes nothing when the server cannot be reached or refuses", async () => {
    const garbage = await addFile(t.ws.cacheDir, `g ${Date.now()}`);
    commitAll("init");
    await expect(runGc(t.ws, options({ serverReferences: () => new ServerRemote({ url: "http://127.0.0.1:9", label: "down" }).references() }))).rejects.toThrow(
      /^gc stopped, nothing was removed: cannot reach http:\/\/127\.0\.0\.1:9/,
    );
    await expect(runGc(t.ws, options({ serverReferences: () => Promise.reject(new Error("PERMISSION_DENIED: 403")) }))).rejects.toThrow("gc stopped, nothing was removed: PERMISSION_DENIED: 403");
    expect(has(garbage.hash)).toBe(true);
  });

  it("stops and removes nothing when a pointer file in some branch is malformed, naming the ref and file", async () => {
    const garbage = await addFile(t.ws.cacheDir, `g2 ${Date.now()}`);
    commitAll("init");
    git("checkout", "-q", "-b", "broken");
    await t.write("data/bad.cairn", "outs:\n- path: bad\n  sha256: not-a-hash\n  size: 1\n");
    commitAll("bad pointer");
    git("checkout", "-q", "main");
    await rm(path.join(t.dir, "data"), { recursive: true, force: true });
    await expect(runGc(t.ws, options({ serverReferences: undefined }))).rejects.toThrow(/^gc stopped, nothing was removed: refs\/heads\/broken:data\/bad\.cairn: outs\[0\]: sha256 must be/);
    expect(has(garbage.hash)).toBe(true);
  });

  it("interrupted at any removal, leaves every remaining manifest and run-cache entry whole, and a later run finishes", async () => {
    commitAll("init");
    const dirs: HashInfo[] = [];
    for (let i = 0; i < 4; i += 1) dirs.push(await addDir(t.ws.cacheDir, { [`f${i}`]: `dir ${i} file`, [`g${i}`]: `dir ${i} other` }));
    for (let i = 0; i < 3; i += 1) await runCacheEntry(String(i).repeat(64), [dirs[i] as HashInfo]);
    const total = (await cachedObjects(t.ws.cacheDir)).length + (await runCacheEntries(t.ws.cacheDir)).length;
    for (let stopAfter = 1; stopAfter < total; stopAfter += 1) {
      let removed = 0;
      const interrupted = runGc(t.ws, options({
        serverReferences: undefined,
        onRemoved: () => {
          removed += 1;
          if (removed === stopAfter) throw new Error("killed");
        },
      }));
      await expect(interrupted).rejects.toThrow("killed");
      await assertCacheWhole();
      // Put everything back for the next cut point.
      for (let i = 0; i < 4; i += 1) await addDir(t.ws.cacheDir, { [`f${i}`]: `dir ${i} file`, [`g${i}`]: `dir ${i} other` });
      for (let i = 0; i < 3; i += 1) await runCacheEntry(String(i).repeat(64), [dirs[i] as HashInfo]);
    }
    await runGc(t.ws, options({ serverReferences: undefined }));
    expect(await cachedObjects(t.ws.cacheDir)).toEqual([]);
    expect(await runCacheEntries(t.ws.cacheDir)).toEqual([]);
  }, 60_000);

  it("survives a real SIGKILL of `cairn cache gc` mid-removal; the next gc finishes", async () => {
    commitAll("init");
    for (let i = 0; i < 150; i += 1) {
      const files: Record<string, string> = {};
      for (let j = 0; j < 20; j += 1) files[`f${j}`] = `dir ${i} file ${j}`;
      await addDir(t.ws.cacheDir, files);
    }
    const initial = (await cachedObjects(t.ws.cacheDir)).length;
    const child = spawnCliIn(t.dir, ["cache", "gc", "--no-server"]);
    const closed = new Promise((resolve) => child.once("close", resolve));
    // Kill it as soon as removals have begun (polling the cache), wherever in the order it is.
    let count = initial;
    for (let polls = 0; polls < 3000 && count === initial; polls += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      count = (await cachedObjects(t.ws.cacheDir)).length;
    }
    child.kill("SIGKILL");
    await closed;
    const left = (await cachedObjects(t.ws.cacheDir)).length;
    expect(left).toBeLessThan(initial);
    await assertCacheWhole();
    const finished = await runCliIn(t.dir, ["cache", "gc", "--no-server", "--json"]);
    expect(finished.code).toBe(0);
    expect((JSON.parse(finished.stdout) as { removed: { objects: number; manifests: number } }).removed.objects + (JSON.parse(finished.stdout) as { removed: { manifests: number } }).removed.manifests).toBe(left);
    expect(await cachedObjects(t.ws.cacheDir)).toEqual([]);
  }, 60_000);
});
