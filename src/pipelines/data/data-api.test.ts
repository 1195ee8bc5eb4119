import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, lstat, mkdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { objectPath } from "./cache-layout.js";
import { manifestHash, serializeManifest } from "./dir-manifest.js";
import { linkFromCache } from "./links.js";
import { tempWorkspace, type TempWorkspace } from "./test-support/temp-workspace.js";
import { checkoutPath, hashPath, objectsOf, removePath, saveToCache } from "./workspace.js";

const sha = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

const open: TempWorkspace[] = [];
const workspace = async (linkTypes?: string): Promise<TempWorkspace> => {
  const temp = await tempWorkspace(linkTypes);
  open.push(temp);
  return temp;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((temp) => temp.remove()));
});

const failure = async (promise: Promise<unknown>): Promise<PipelineError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
};

describe("hashPath", () => {
  it("hashes a file and a directory (the sha256 of its canonical manifest)", async () => {
    const { ws, write } = await workspace();
    await write("data/b.txt", "bee");
    await write("data/a/x.txt", "ex");
    await write("one.txt", "hello");
    expect(await hashPath(ws, "one.txt")).toEqual({ hash: sha("hello"), size: 5 });
    const manifest = serializeManifest([
      { relpath: "a/x.txt", sha256: sha("ex"), size: 2 },
      { relpath: "b.txt", sha256: sha("bee"), size: 3 },
    ]);
    expect(await hashPath(ws, "data")).toEqual({ hash: manifestHash(manifest), size: 5, nfiles: 2 });
    expect(await hashPath(ws, join(ws.root, "data"))).toEqual({ hash: manifestHash(manifest), size: 5, nfiles: 2 });
  });

  it("answers from the state db for a file whose inode, mtime and size did not change", async () => {
    const { ws, write } = await workspace();
    const path = await write("f.bin", "aaaa");
    const reference = await write("reference", "");
    expect((await hashPath(ws, "f.bin")).hash).toBe(sha("aaaa"));
    // Same size and mtime (to the nanosecond, copied with touch -r), different bytes: the recorded hash is answered,
    // proving the file was not read again.
    execFileSync("touch", ["-r", path, reference]);
    await writeFile(path, "bbbb");
    execFileSync("touch", ["-r", reference, path]);
    expect((await hashPath(ws, "f.bin")).hash).toBe(sha("aaaa"));
    const before = await stat(path);
    await utimes(path, before.atime, new Date(before.mtimeMs + 1000));
    expect((await hashPath(ws, "f.bin")).hash).toBe(sha("bbbb"));
  });

  it("refuses a missing path and paths outside the workspace, naming them", async () => {
    const { ws, dir } = await workspace();
    expect((await failure(hashPath(ws, "nope"))).message).toBe("nope: does not exist");
    expect((await failure(hashPath(ws, "../x"))).message).toBe("../x: is outside the workspace");
    expect((await failure(hashPath(ws, "/etc/hostname"))).message).toBe("/etc/hostname: is outside the workspace");
    expect((await failure(hashPath(ws, ".cairn/config.yaml"))).message).toBe(".cairn/config.yaml: is inside .cairn/, which Cairn manages");
    await symlink(tmpdir(), join(dir, "out"));
    expect((await failure(hashPath(ws, "out/anything"))).message).toBe("out/anything: is outside the workspace (through the symlink out)");
    await symlink("/etc/hostname", join(dir, "leak"));
    expect((await failure(hashPath(ws, "leak"))).message).toBe("leak: is a symlink to outside the workspace");
    await mkdir(join(dir, "d"));
    await symlink("/etc/hostname", join(dir, "d", "leak"));
    expect((await failure(hashPath(ws, "d"))).message).toBe("d/leak: is a symlink to outside the workspace");
  });
});

describe("saveToCache, objectsOf, checkoutPath, removePath", () => {
  it("stores a file read-only under its sha256 and leaves a writable copy (copy link type)", async () => {
    const { ws, write } = await workspace("copy");
    const path = await write("model.bin", "weights");
    const info = await saveToCache(ws, "model.bin");
    expect(info).toEqual({ hash: sha("weights"), size: 7 });
    const object = objectPath(ws.cacheDir, info.hash);
    expect(object).toBe(join(ws.cacheDir, "files", "sha256", info.hash.slice(0, 2), info.hash.slice(2)));
    expect(await readFile(object, "utf8")).toBe("weights");
    expect((await stat(object)).mode & 0o777).toBe(0o444);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect((await stat(path)).ino).not.toBe((await stat(object)).ino);
    expect(await objectsOf(ws, info)).toEqual([info.hash]);
  });

  it("hardlinks a read-only file; editing it after chmod does not get a damaged object linked anywhere", async () => {
    const { ws, write } = await workspace("hardlink");
    const path = await write("w.bin", "v1");
    const v1 = await saveToCache(ws, "w.bin");
    const object = objectPath(ws.cacheDir, v1.hash);
    expect((await stat(path)).ino).toBe((await stat(object)).ino);
    expect((await stat(path)).mode & 0o222).toBe(0);
    // A user who forces a write through the hardlink damages the cache object (DVC's documented hazard)...
    await chmod(path, 0o644);
    await writeFile(path, "v2!");
    // ...re-adding stores v2 as its own object with its own inode...
    const v2 = await saveToCache(ws, "w.bin");
    expect(v2.hash).toBe(sha("v2!"));
    expect((await stat(objectPath(ws.cacheDir, v2.hash))).ino).not.toBe((await stat(object)).ino);
    // ...and the damaged v1 object is refused on checkout, naming the object and the path; the workspace is untouched.
    const error = await failure(checkoutPath(ws, "w.bin", v1));
    expect(error.message).toBe(`w.bin: cache object ${v1.hash} is corrupted (its bytes hash to ${sha("v2!")}); it was not linked into the workspace`);
    expect(await readFile(path, "utf8")).toBe("v2!");
  });

  it("symlinks into the cache; re-adding an unchanged symlinked file changes nothing", async () => {
    const { ws, write, dir } = await workspace("symlink");
    const path = await write("s.txt", "linked");
    const info = await saveToCache(ws, "s.txt");
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readlink(path)).toBe(objectPath(ws.cacheDir, info.hash).replace(dir, ws.root));
    expect(await saveToCache(ws, "s.txt")).toEqual(info);
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await checkoutPath(ws, "s.txt", info)).toBe("unchanged");
  });

  it("falls back along the chain when reflink is not supported here, and says which type was used", async () => {
    const { ws, write } = await workspace();
    await write("r.txt", "clone me");
    const info = await saveToCache(ws, "r.txt");
    const used = await linkFromCache(ws, objectPath(ws.cacheDir, info.hash), join(ws.root, "r2.txt"), ["reflink", "copy"]);
    expect(["reflink", "copy"]).toContain(used);
    console.info(`link type used for "reflink,copy" on ${tmpdir()}: ${used}`);
    expect(await readFile(join(ws.root, "r2.txt"), "utf8")).toBe("clone me");
    expect((await stat(join(ws.root, "r2.txt"))).mode & 0o777).toBe(0o644);
  });

  it("saves a directory (manifest + files), lists its objects, and checks it out exactly", async () => {
    const { ws, write, dir } = await workspace("hardlink,copy");
    await write("images/a.png", "A");
    await write("images/sub/b.png", "B");
    await write("images/sub/dup.png", "A");
    const info = await saveToCache(ws, "images");
    expect(info.nfiles).toBe(3);
    expect(info.size).toBe(3);
    expect(await objectsOf(ws, info)).toEqual([info.hash, sha("A"), sha("B")]);
    expect(await checkoutPath(ws, "images", info)).toBe("unchanged");

    // Modified, extra and deleted files: all brought back to the version, the extra folder removed.
    await chmod(join(dir, "images/a.png"), 0o644);
    await removePath(ws, "images/a.png");
    await write("images/a.png", "changed");
    await write("images/extra/new.png", "N");
    await removePath(ws, "images/sub/b.png");
    expect(await checkoutPath(ws, "images", info)).toBe("restored");
    expect(await hashPath(ws, "images")).toEqual(info);
    await expect(stat(join(dir, "images/extra"))).rejects.toThrow();
    expect(await readFile(join(dir, "images/a.png"), "utf8")).toBe("A");

    // Removed entirely (links unlinked, cache untouched), then restored.
    await removePath(ws, "images");
    await expect(lstat(join(dir, "images"))).rejects.toThrow();
    expect(await readFile(objectPath(ws.cacheDir, sha("A")), "utf8")).toBe("A");
    expect(await checkoutPath(ws, "images", info)).toBe("restored");
    expect(await hashPath(ws, "images")).toEqual(info);
    // A file where the folder should be is replaced too.
    await removePath(ws, "images");
    await write("images", "not a folder");
    expect(await checkoutPath(ws, "images", info)).toBe("restored");
    expect(await hashPath(ws, "images")).toEqual(info);
  });

  it("refuses a checkout whose objects are missing or damaged, changing nothing", async () => {
    const { ws, write, dir } = await workspace("copy");
    await write("d/x.txt", "x");
    await write("d/y.txt", "y");
    const info = await saveToCache(ws, "d");
    await write("d/x.txt", "local edit");
    // Missing object.
    const { unlink } = await import("node:fs/promises");
    await unlink(objectPath(ws.cacheDir, sha("x")));
    const missing = await failure(checkoutPath(ws, "d", info));
    expect(missing.message).toBe(`d: 1 cache object(s) of ${info.hash} are missing: ${sha("x")} (run \`cairn pull\`)`);
    expect(await readFile(join(dir, "d/x.txt"), "utf8")).toBe("local edit");
    // Damaged object: its bytes do not hash to its name.
    await writeFile(objectPath(ws.cacheDir, sha("x")), "evil", { mode: 0o444 });
    const damaged = await failure(checkoutPath(ws, "d", info));
    expect(damaged.message).toBe(`d: cache object ${sha("x")} is corrupted (its bytes hash to ${sha("evil")}); it was not linked into the workspace`);
    expect(await readFile(join(dir, "d/x.txt"), "utf8")).toBe("local edit");
    // A missing manifest names the path and the hash.
    const ghost = { hash: `${"0".repeat(64)}.dir`, size: 1, nfiles: 1 };
    expect((await failure(checkoutPath(ws, "g", ghost))).message).toBe(`g: cache object ${ghost.hash} is missing (run \`cairn pull\` or \`cairn fetch\`)`);
    expect((await failure(objectsOf(ws, ghost, "g"))).message).toContain(`g: cache object ${ghost.hash} is missing`);
  });

  it("re-adding a file whose object was damaged repairs the object from the verified workspace bytes", async () => {
    const { ws, write } = await workspace("copy");
    await write("f.txt", "good");
    const info = await saveToCache(ws, "f.txt");
    const object = objectPath(ws.cacheDir, info.hash);
    await chmod(object, 0o644);
    await writeFile(object, "bad!");
    expect(await saveToCache(ws, "f.txt")).toEqual(info);
    expect(await readFile(object, "utf8")).toBe("good");
    expect((await stat(object)).mode & 0o777).toBe(0o444);
  });

  it("removePath refuses paths outside the workspace and ignores missing ones", async () => {
    const { ws } = await workspace();
    expect((await failure(removePath(ws, "../../etc"))).message).toBe("../../etc: is outside the workspace");
    expect((await failure(removePath(ws, ".cairn"))).message).toBe(".cairn: is inside .cairn/, which Cairn manages");
    await removePath(ws, "not-there");
  });
});

describe("importObject (for pull/fetch)", () => {
  it("stores received bytes under their verified name and refuses a mismatch", async () => {
    const { importObject, tmpPathIn } = await import("./cache-objects.js");
    const { ws } = await workspace();
    await mkdir(ws.tmpDir, { recursive: true });
    const good = tmpPathIn(ws);
    await writeFile(good, "payload");
    await importObject(ws, good, sha("payload"));
    expect(await readFile(objectPath(ws.cacheDir, sha("payload")), "utf8")).toBe("payload");
    expect((await stat(objectPath(ws.cacheDir, sha("payload")))).mode & 0o777).toBe(0o444);
    const bad = tmpPathIn(ws);
    await writeFile(bad, "tampered");
    const wanted = sha("expected");
    expect((await failure(importObject(ws, bad, wanted))).message).toBe(`${wanted}: received bytes hash to ${sha("tampered")}, not to the object's name; not stored`);
    await expect(stat(bad)).rejects.toThrow("ENOENT");
    await expect(stat(objectPath(ws.cacheDir, wanted))).rejects.toThrow("ENOENT");
  });
});

describe("big folders (the bulk paths of status)", () => {
  it("reads the state table in bulk and lists cache shards for presence, with the same answers as the small paths", async () => {
    const { ws, write, dir } = await workspace("copy");
    for (let i = 0; i < 2100; i += 1) await write(`big/p${i % 7}/f${i}.txt`, `content ${i}`);
    const info = await saveToCache(ws, "big");
    expect(info.nfiles).toBe(2100);
    const { statusOfOut } = await import("./pointer-status.js");
    expect(await statusOfOut(ws, "big.cairn", "big", info)).toEqual({ pointer: "big.cairn", path: "big", hash: info.hash, state: "unchanged", inCache: true });
    // One file changed (same size, new bytes and mtime): found by the bulk lookup.
    await writeFile(join(dir, "big/p3/f10.txt"), "CONTENT 10");
    expect(await statusOfOut(ws, "big.cairn", "big", info)).toMatchObject({ state: "modified", changes: { added: [], modified: ["p3/f10.txt"], deleted: [] } });
    await writeFile(join(dir, "big/p3/f10.txt"), "content 10");
    // One object gone from the cache: found by the shard listing.
    const { unlink } = await import("node:fs/promises");
    await unlink(objectPath(ws.cacheDir, sha("content 1999")));
    expect(await statusOfOut(ws, "big.cairn", "big", info)).toEqual({ pointer: "big.cairn", path: "big", hash: info.hash, state: "not in cache", inCache: false });
  });
});

describe("the folder fingerprint", () => {
  it("answers an unchanged folder's hash from its recorded metadata, and notices any change of it", async () => {
    const { ws, write, dir } = await workspace();
    await write("f/a.txt", "aaaa");
    await write("f/b.txt", "bbbb");
    const reference = await write("reference", "");
    const before = await hashPath(ws, "f");
    expect(ws.state.counts().dirs).toBe(1);
    // Same inode, size and mtime (copied with touch -r), other bytes: the recorded folder hash is answered.
    const path = join(dir, "f/a.txt");
    execFileSync("touch", ["-r", path, reference]);
    await writeFile(path, "AAAA");
    execFileSync("touch", ["-r", reference, path]);
    expect(await hashPath(ws, "f")).toEqual(before);
    // A new file changes the fingerprint: the folder is hashed again (a.txt's recorded hash still answers for it).
    await write("f/c.txt", "c");
    const after = await hashPath(ws, "f");
    expect(after.nfiles).toBe(3);
    expect(after.hash).not.toBe(before.hash);
    await rm(join(dir, "f/c.txt"));
    expect(await hashPath(ws, "f")).toEqual(before);
  });
});
