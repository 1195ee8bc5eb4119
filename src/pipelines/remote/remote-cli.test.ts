import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliIn } from "./test-support/run-cli-in.js";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { initWorkspace } from "../data/init-workspace.js";
import { serializePointerFile } from "../data/pointer-file.js";
import { openWorkspace, saveToCache } from "../data/workspace.js";

/** The real CLI against a real server and real folders: two workspaces exchanging data through remotes. */
let server: TempServer;
let scratch: string;
let a: string;
let b: string;
const env = (): Record<string, string> => ({ CAIRN_TRACKING_URI: server.url, CAIRN_USER: "tester" });

const track = async (root: string, rel: string): Promise<void> => {
  const ws = await openWorkspace(root);
  try {
    const info = await saveToCache(ws, rel);
    await writeFile(path.join(root, `${rel}.cairn`), serializePointerFile({ outs: [{ path: path.posix.basename(rel), ...info }] }));
  } finally {
    ws.close();
  }
};

beforeAll(async () => {
  server = await startTempServer("cairn-remote-cli-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-remote-cli-"));
  a = path.join(scratch, "a");
  b = path.join(scratch, "b");
  for (const dir of [a, b]) {
    await mkdir(dir, { recursive: true });
    await initWorkspace(dir);
  }
  await mkdir(path.join(a, "data", "images", "sub"), { recursive: true });
  for (let i = 0; i < 5; i += 1) await writeFile(path.join(a, "data", "images", i % 2 === 0 ? "sub" : "", `f${i}.txt`), `image ${i}\n`);
  await writeFile(path.join(a, "data", "labels.csv"), "id,label\n1,cat\n");
  await track(a, "data/images");
  await track(a, "data/labels.csv");
}, 60_000);
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

const treeOf = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/")] = await readFile(path.join(entry.parentPath, entry.name), "utf8");
  }
  return out;
};

describe("cairn push / pull / fetch / remote", () => {
  it("pushes to the tracking server by default and pulls into another workspace, then pushes nothing twice", async () => {
    const pushed = await runCliIn(a, ["push", "--json"], env());
    expect(pushed.stderr).toBe("");
    expect(pushed.code).toBe(0);
    // 5 image files (all distinct), their manifest, and labels.csv.
    expect(JSON.parse(pushed.stdout)).toEqual({ remote: server.url, transferred: 7, present: 0, failed: [] });
    const again = await runCliIn(a, ["push", "--json", "-j", "2"], env());
    expect(JSON.parse(again.stdout)).toEqual({ remote: server.url, transferred: 0, present: 7, failed: [] });

    for (const file of ["data/images.cairn", "data/labels.csv.cairn"]) {
      await mkdir(path.join(b, "data"), { recursive: true });
      await writeFile(path.join(b, file), await readFile(path.join(a, file)));
    }
    const pulled = await runCliIn(path.join(b, "data"), ["pull", "--json"], env());
    expect(pulled.stderr).toBe("");
    expect(JSON.parse(pulled.stdout)).toEqual({
      remote: server.url,
      transferred: 7,
      present: 0,
      failed: [],
      checkedOut: { restored: ["data/images", "data/labels.csv"], unchanged: [] },
    });
    expect(await treeOf(path.join(b, "data", "images"))).toEqual(await treeOf(path.join(a, "data", "images")));
    expect(await readFile(path.join(b, "data", "labels.csv"), "utf8")).toBe("id,label\n1,cat\n");
  }, 60_000);

  it("manages folder remotes in .cairn/config.yaml and pushes and fetches one target through them", async () => {
    const folder = path.join(scratch, "backup");
    expect((await runCliIn(a, ["remote", "add", "backup", folder, "--default"])).code).toBe(0);
    expect((await runCliIn(a, ["remote", "add", "backup", folder])).stderr).toBe("cairn: error: remote 'backup' already exists (use --force to replace it)\n");
    expect((await runCliIn(a, ["remote", "add", "web", "http://127.0.0.1:9"])).code).toBe(0);
    const listed = await runCliIn(a, ["remote", "list", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: "backup", url: folder, default: true },
      { name: "web", url: "http://127.0.0.1:9", default: false },
    ]);
    expect(await readFile(path.join(a, ".cairn", "config.yaml"), "utf8")).toContain("default_remote: backup");

    const pushed = await runCliIn(a, ["push", "data/labels.csv", "--json"]);
    expect(JSON.parse(pushed.stdout)).toEqual({ remote: "backup", transferred: 1, present: 0, failed: [] });
    const ws = path.join(scratch, "c");
    await mkdir(ws);
    await initWorkspace(ws);
    await mkdir(path.join(ws, "data"));
    await writeFile(path.join(ws, "data", "labels.csv.cairn"), await readFile(path.join(a, "data", "labels.csv.cairn")));
    expect((await runCliIn(ws, ["remote", "add", "backup", folder, "-d"])).code).toBe(0);
    const fetched = await runCliIn(ws, ["fetch", "--json"]);
    expect(JSON.parse(fetched.stdout)).toEqual({ remote: "backup", transferred: 1, present: 0, failed: [] });

    expect((await runCliIn(a, ["remote", "remove", "backup"])).code).toBe(0);
    expect(JSON.parse((await runCliIn(a, ["remote", "default", "--json"])).stdout)).toEqual({ default: null });
    expect((await runCliIn(a, ["remote", "remove", "backup"])).stderr).toBe("cairn: error: no remote named 'backup'\n");
  }, 60_000);

  it("refuses bad flags, unknown remotes and targets, and an unreachable server, with exit codes", async () => {
    expect(await runCliIn(a, ["push", "-j", "0"], env())).toMatchObject({ code: 2, stderr: "cairn: error: --jobs must be an integer from 1 to 128, got '0'\n" });
    expect(await runCliIn(a, ["push", "-r", "nope"], env())).toMatchObject({ code: 1, stderr: "cairn: error: no remote named 'nope' (see `cairn remote list`)\n" });
    expect(await runCliIn(a, ["push", "data/none"], env())).toMatchObject({ code: 1, stderr: "cairn: error: no pointer file or cairn.lock output for 'data/none'\n" });
    expect(await runCliIn(a, ["remote", "add", "../x", "/tmp/x"])).toMatchObject({ code: 1 });
    expect(await runCliIn(scratch, ["push"], env())).toMatchObject({ code: 1, stderr: expect.stringContaining("not a Cairn workspace") });
    const down = await runCliIn(a, ["push", "-r", "web"], env());
    expect(down.code).toBe(3);
    expect(down.stderr).toContain("cannot reach http://127.0.0.1:9");
  }, 60_000);

  it("exits 1 listing what failed when an object is missing from the cache, and gc refuses a folder as its reference server", async () => {
    const ws = path.join(scratch, "d");
    await mkdir(ws);
    await initWorkspace(ws);
    await writeFile(path.join(ws, "lost.txt"), "lost bytes\n");
    await track(ws, "lost.txt");
    const hash = (await readFile(path.join(ws, "lost.txt.cairn"), "utf8")).match(/sha256: ([0-9a-f]{64})/)?.[1] ?? "";
    await rm(path.join(ws, ".cairn", "cache", "files", "sha256", hash.slice(0, 2), hash.slice(2)), { force: true });
    const pushed = await runCliIn(ws, ["push"], env());
    expect(pushed.code).toBe(1);
    expect(pushed.stdout).toContain(`failed: object ${hash} is not in the local cache`);

    expect((await runCliIn(ws, ["remote", "add", "disk", path.join(scratch, "disk")])).code).toBe(0);
    expect(await runCliIn(ws, ["cache", "gc", "-r", "disk"], env())).toMatchObject({ code: 1, stderr: "cairn: error: gc asks a Cairn server which data runs and models use; remote 'disk' is a folder\n" });
    const down = await runCliIn(ws, ["cache", "gc"], { CAIRN_TRACKING_URI: "http://127.0.0.1:9" });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^cairn: error: gc stopped, nothing was removed: cannot reach http:\/\/127\.0\.0\.1:9/);
    const dry = await runCliIn(ws, ["cache", "gc", "--dry-run", "--json"], env());
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, sources: { workspaceFiles: 1, serverReferences: 0 } });
  }, 60_000);
});
