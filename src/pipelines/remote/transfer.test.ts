import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { objectPath } from "../data/cache-layout.js";
import { FolderRemote } from "./folder-remote.js";
import type { Remote } from "./remote.js";
import { ServerRemote } from "./server-remote.js";
import { addDir, addFile, putObject, sha256 } from "./test-support/cache-objects.js";
import { fetchObjects, pushObjects } from "./transfer.js";

let scratch: string;
let server: TempServer;
beforeAll(async () => {
  server = await startTempServer("cairn-remote-transfer-");
});
afterAll(async () => server?.close());
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-transfer-"));
});
afterEach(async () => rm(scratch, { recursive: true, force: true }));

const filesUnder = async (root: string): Promise<string[]> => {
  try {
    return (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
      .sort();
  } catch {
    return [];
  }
};

const kinds: Array<[string, () => { remote: Remote; objectsRoot: () => string }]> = [
  ["a folder remote", () => ({ remote: new FolderRemote("store", path.join(scratch, "remote")), objectsRoot: () => path.join(scratch, "remote") })],
  ["a Cairn server", () => ({ remote: new ServerRemote({ url: server.url, label: "server" }), objectsRoot: () => path.join(server.dir, "artifacts", ".cairn-data") })],
];

describe.each(kinds)("push and fetch with %s", (_name, make) => {
  it("pushes only what the remote lacks, and fetches everything back into an empty cache, verified and read-only", async () => {
    const { remote, objectsRoot } = make();
    const cacheA = path.join(scratch, "a");
    const file = await addFile(cacheA, `one file ${scratch}`);
    const dir = await addDir(cacheA, { "x.txt": `x ${scratch}`, "sub/y.txt": `y ${scratch}`, "z.txt": `x ${scratch}` });
    const first = await pushObjects(cacheA, remote, [file, dir], 4);
    expect(first).toEqual({ transferred: 4, present: 0, failed: [] });
    const second = await pushObjects(cacheA, remote, [file, dir], 4);
    expect(second).toEqual({ transferred: 0, present: 4, failed: [] });
    const stored = await filesUnder(objectsRoot());
    for (const hash of [file.hash, dir.hash, ...dir.files]) expect(stored).toContain(path.posix.join("files/sha256", hash.slice(0, 2), hash.slice(2)));

    const cacheB = path.join(scratch, "b");
    const fetched = await fetchObjects(cacheB, remote, [file, dir], { jobs: 4, tmpDir: path.join(scratch, "tmp-b") });
    expect(fetched).toEqual({ transferred: 4, present: 0, failed: [] });
    expect(await readFile(objectPath(cacheB, dir.hash))).toEqual(await readFile(objectPath(cacheA, dir.hash)));
    expect(await readFile(objectPath(cacheB, file.hash), "utf8")).toBe(`one file ${scratch}`);
    const again = await fetchObjects(cacheB, remote, [file, dir], { jobs: 4, tmpDir: path.join(scratch, "tmp-b") });
    expect(again).toEqual({ transferred: 0, present: 4, failed: [] });
    expect(await filesUnder(path.join(scratch, "tmp-b"))).toEqual([]);
    await remote.close();
  });

  it("never pushes a manifest whose files it could not push, nor fetches one whose files it could not fetch", async () => {
    const { remote, objectsRoot } = make();
    const cacheA = path.join(scratch, "a");
    const dir = await addDir(cacheA, { "kept.txt": `kept ${scratch}`, "lost.txt": `lost ${scratch}` });
    await rm(objectPath(cacheA, sha256(`lost ${scratch}`)), { force: true });
    const pushed = await pushObjects(cacheA, remote, [dir], 2);
    expect(pushed.transferred).toBe(1);
    expect(pushed.failed.map(({ hash }) => hash)).toEqual([sha256(`lost ${scratch}`), dir.hash]);
    expect(pushed.failed[0]?.message).toContain("not in the local cache");
    expect(await filesUnder(objectsRoot())).not.toContain(path.posix.join("files/sha256", dir.hash.slice(0, 2), dir.hash.slice(2)));

    // The remote gets the manifest by hand, without the lost file: fetch must not place the manifest.
    const manifest = await readFile(objectPath(cacheA, dir.hash));
    const cacheC = path.join(scratch, "c");
    await putObject(path.join(scratch, "seed"), dir.hash, manifest);
    await new FolderRemote("seed", path.join(scratch, "seed")).upload(dir.hash, objectPath(path.join(scratch, "seed"), dir.hash));
    await remote.upload(dir.hash, objectPath(path.join(scratch, "seed"), dir.hash));
    const fetched = await fetchObjects(cacheC, remote, [dir], { jobs: 2, tmpDir: path.join(scratch, "tmp-c") });
    expect(fetched.transferred).toBe(1);
    expect(fetched.failed.map(({ hash }) => hash)).toEqual([sha256(`lost ${scratch}`), dir.hash]);
    expect(await filesUnder(cacheC)).toEqual([path.posix.join("files/sha256", sha256(`kept ${scratch}`).slice(0, 2), sha256(`kept ${scratch}`).slice(2))]);
    expect(await filesUnder(path.join(scratch, "tmp-c"))).toEqual([]);
  });

  it("refuses to send a corrupted cache object, naming it", async () => {
    const { remote } = make();
    const cacheA = path.join(scratch, "a");
    const file = await addFile(cacheA, `good ${scratch}`);
    const target = objectPath(cacheA, file.hash);
    await chmod(target, 0o644);
    await writeFile(target, "rotten bytes");
    const pushed = await pushObjects(cacheA, remote, [file], 1);
    expect(pushed.transferred).toBe(0);
    expect(pushed.failed).toHaveLength(1);
    expect(pushed.failed[0]?.message).toContain(file.hash);
    expect(await remote.missing([file.hash])).toEqual([file.hash]);
  });
});

describe("verify on receive", () => {
  it("refuses a corrupted object from a folder remote, naming it, and places nothing in the cache", async () => {
    const remoteRoot = path.join(scratch, "remote");
    const good = `good ${scratch}`;
    const hash = sha256(good);
    await putObject(remoteRoot, hash, "tampered");
    const cache = path.join(scratch, "cache");
    const fetched = await fetchObjects(cache, new FolderRemote("store", remoteRoot), [{ hash, size: good.length }], { jobs: 1, tmpDir: path.join(scratch, "tmp") });
    expect(fetched.transferred).toBe(0);
    expect(fetched.failed[0]?.message).toBe(`object ${hash} from remote 'store' is corrupted (its bytes hash to ${sha256("tampered")}); it was not placed in the cache`);
    expect(await filesUnder(cache)).toEqual([]);
  });

  it("refuses a corrupted object from a server (bytes changed in its artifact store) and places nothing", async () => {
    const good = `server good ${scratch}`;
    const hash = sha256(good);
    const remote = new ServerRemote({ url: server.url, label: "server" });
    const seed = path.join(scratch, "seed");
    await putObject(seed, hash, good);
    await remote.upload(hash, objectPath(seed, hash));
    const stored = path.join(server.dir, "artifacts", ".cairn-data", "files", "sha256", hash.slice(0, 2), hash.slice(2));
    await chmod(stored, 0o644);
    await writeFile(stored, "x".repeat(good.length));
    const cache = path.join(scratch, "cache");
    const fetched = await fetchObjects(cache, remote, [{ hash, size: good.length }], { jobs: 1, tmpDir: path.join(scratch, "tmp") });
    expect(fetched.failed[0]?.message).toContain(`object ${hash} from remote 'server' is corrupted`);
    expect(await filesUnder(cache)).toEqual([]);
  });

  it("reports an object the remote lacks, naming it", async () => {
    const hash = sha256("never pushed");
    const fetched = await fetchObjects(path.join(scratch, "cache"), new ServerRemote({ url: server.url, label: "server" }), [{ hash, size: 1 }], { jobs: 1, tmpDir: path.join(scratch, "tmp") });
    expect(fetched.failed).toEqual([{ hash, message: `object ${hash} is not on remote 'server'` }]);
  });
});
