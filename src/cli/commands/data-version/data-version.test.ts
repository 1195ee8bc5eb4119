import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../../../pipelines/errors.js";
import { objectPath } from "../../../pipelines/data/cache-layout.js";
import { UsageError } from "../../errors.js";
import { runCli, type CliResult } from "../../test-support/run-cli.js";
import { addCommand } from "./add.js";
import { checkoutCommand } from "./checkout.js";
import { initCommand } from "./init.js";
import { removeCommand } from "./remove.js";
import { statusCommand } from "./status.js";
import { unprotectCommand } from "./unprotect.js";

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A git repository with a Cairn workspace, and helpers to write and read its files. */
const repo = async (linkTypes?: string) => {
  const root = await mkdtemp(join(tmpdir(), "cairn-dv-"));
  dirs.push(root);
  execFileSync("git", ["init", "-q", root]);
  await initCommand(root, { force: false });
  if (linkTypes !== undefined) await writeFile(join(root, ".cairn", "config.yaml"), `cache:\n  type: ${linkTypes}\n`);
  const at = (rel: string): string => join(root, ...rel.split("/"));
  return {
    root,
    at,
    write: async (rel: string, text: string) => {
      await mkdir(dirname(at(rel)), { recursive: true });
      await writeFile(at(rel), text);
    },
    read: (rel: string) => readFile(at(rel), "utf8"),
  };
};

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
};

/** The real CLI in a workspace folder. */
const cli = (args: string[], cwd: string): Promise<CliResult> => runCli(args, { cwd });

const statusData = async (cwd: string) => (await statusCommand(cwd)).data as { outs: Record<string, unknown>[] };

describe("cairn init", () => {
  it("initializes in a git repository and outside one, and refuses a nested one unless forced", async () => {
    const plain = await mkdtemp(join(tmpdir(), "cairn-dv-plain-"));
    dirs.push(plain);
    const result = await initCommand(plain, { force: false });
    expect(result.data).toEqual({ root: plain, existing: null });
    expect(await readFile(join(plain, ".cairn", "config.yaml"), "utf8")).toBe("cache:\n  type: reflink,copy\n");
    await mkdir(join(plain, "sub"));
    expect((await rejection(initCommand(join(plain, "sub"), { force: false }))).message).toBe(
      `${join(plain, "sub")}: already inside the Cairn workspace ${plain} (use --force to initialize anyway)`,
    );
    expect((await initCommand(join(plain, "sub"), { force: true })).data).toEqual({ root: join(plain, "sub"), existing: plain });
  });
});

describe("cairn add", () => {
  it("writes PATH.cairn and a .gitignore line beside the data, for a file and a folder, from a subfolder too", async () => {
    const { root, write, read } = await repo();
    await write("data/raw/a.csv", "x\n1\n");
    await write("data/raw/nested/b.csv", "y\n2\n");
    await write("data/model.bin", "w");
    const result = await addCommand(join(root, "data"), ["raw", "model.bin"]);
    expect(result.data).toEqual({
      added: [
        { path: "data/raw", pointer: "data/raw.cairn", hash: expect.stringMatching(/^[0-9a-f]{64}\.dir$/), size: 8, nfiles: 2 },
        { path: "data/model.bin", pointer: "data/model.bin.cairn", hash: sha("w"), size: 1 },
      ],
    });
    expect(await read("data/model.bin.cairn")).toBe(`outs:\n  - path: model.bin\n    hash: sha256\n    sha256: ${sha("w")}\n    size: 1\n`);
    expect(await read("data/raw.cairn")).toContain("    nfiles: 2\n");
    expect(await read("data/.gitignore")).toBe("/raw\n/model.bin\n");
    // Adding again changes nothing in the .gitignore, and git sees only pointers and .gitignore files.
    await addCommand(root, ["data/model.bin"]);
    expect(await read("data/.gitignore")).toBe("/raw\n/model.bin\n");
    const untracked = execFileSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=all"], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
    expect(untracked).toEqual(["?? .cairn/.gitignore", "?? .cairn/config.yaml", "?? data/.gitignore", "?? data/model.bin.cairn", "?? data/raw.cairn"]);
  });

  it("refuses paths outside the workspace, pointer files and missing paths, naming them, adding nothing", async () => {
    const { root, write, at } = await repo();
    await write("ok.txt", "ok");
    await symlink(tmpdir(), at("out"));
    await symlink("/etc/hostname", at("leak"));
    const cases: [string[], string][] = [
      [["ok.txt", "../x"], "../x: is outside the workspace"],
      [["/etc/hostname"], "/etc/hostname: is outside the workspace"],
      [["out/x"], "out/x: is outside the workspace (through the symlink out)"],
      [["leak"], "leak: is a symlink to outside the workspace"],
      [["ok.txt", "nope"], "nope: does not exist"],
      [["ok.txt.cairn"], "ok.txt.cairn: is a pointer file; add the data it tracks instead"],
      [[".cairn/config.yaml"], ".cairn/config.yaml: is inside .cairn/, which Cairn manages"],
    ];
    for (const [paths, message] of cases) {
      const error = await rejection(addCommand(root, paths));
      expect(error).toBeInstanceOf(PipelineError);
      expect(error.message).toBe(message);
    }
    await expect(stat(at("ok.txt.cairn"))).rejects.toThrow("ENOENT");
  });

  it("refuses a path inside a tracked folder, or a folder holding a tracked path", async () => {
    const { root, write } = await repo();
    await write("d/sub/x", "x");
    await write("e/f/y", "y");
    await addCommand(root, ["d", "e/f"]);
    expect((await rejection(addCommand(root, ["d/sub/x"]))).message).toBe("d/sub/x: overlaps d, tracked by d.cairn");
    expect((await rejection(addCommand(root, ["e"]))).message).toBe("e: overlaps e/f, tracked by e/f.cairn");
    expect((await addCommand(root, ["d"])).data).toMatchObject({ added: [{ path: "d" }] });
  });
});

describe("cairn status and checkout", () => {
  it("reports unchanged, modified (with the files), missing and not in cache", async () => {
    const { root, write, at } = await repo();
    await write("d/a", "a");
    await write("d/b", "b");
    await write("f", "f");
    await addCommand(root, ["d", "f"]);
    expect((await statusCommand(root)).human).toEqual({ kind: "message", text: "Data and pointer files are up to date (2 tracked paths)." });
    await write("d/a", "A!");
    await write("d/new", "n");
    await unlink(at("d/b"));
    await unlink(at("f"));
    const data = await statusData(root);
    expect(data.outs).toEqual([
      {
        pointer: "d.cairn",
        path: "d",
        hash: expect.stringMatching(/\.dir$/),
        state: "modified",
        in_cache: true,
        current: expect.stringMatching(/\.dir$/),
        changes: { added: ["new"], modified: ["a"], deleted: ["b"] },
      },
      { pointer: "f.cairn", path: "f", hash: sha("f"), state: "missing", in_cache: true },
    ]);
    expect((await statusCommand(root)).human).toEqual({ kind: "message", text: "d: modified\n    added: new\n    modified: a\n    deleted: b\nf: missing" });
    await chmod(objectPath(join(root, ".cairn", "cache"), sha("f")), 0o644);
    await unlink(objectPath(join(root, ".cairn", "cache"), sha("f")));
    expect((await statusData(root)).outs[1]).toEqual({ pointer: "f.cairn", path: "f", hash: sha("f"), state: "not in cache", in_cache: false });
  });

  it("refuses to overwrite changes that are not in the cache unless --force, naming them", async () => {
    const { root, write, read } = await repo();
    await write("d/a", "a");
    await addCommand(root, ["d"]);
    await write("d/a", "precious");
    const refused = await checkoutCommand(root, [], { force: false });
    expect(refused.exitCode).toBe(1);
    expect(refused.data).toEqual({
      outs: [{ path: "d", hash: expect.stringMatching(/\.dir$/), outcome: "refused", reason: "has changes that are not in the cache (d/a); `cairn add` them or use --force to discard them" }],
    });
    expect(await read("d/a")).toBe("precious");
    const forced = await checkoutCommand(root, ["d.cairn"], { force: true });
    expect(forced.exitCode).toBeUndefined();
    expect(await read("d/a")).toBe("a");
  });

  it("switches between versions whose data is in the cache without --force (as after git checkout)", async () => {
    const { root, write, read } = await repo();
    await write("m.bin", "v1");
    await addCommand(root, ["m.bin"]);
    const v1 = await read("m.bin.cairn");
    await write("m.bin", "v2");
    await addCommand(root, ["m.bin"]);
    await write("m.bin.cairn", v1);
    expect((await statusData(root)).outs[0]).toMatchObject({ state: "modified", current: sha("v2") });
    expect((await checkoutCommand(root, ["m.bin"], { force: false })).data).toEqual({ outs: [{ path: "m.bin", hash: sha("v1"), outcome: "restored" }] });
    expect(await read("m.bin")).toBe("v1");
    expect((await checkoutCommand(root, [], { force: false })).data).toEqual({ outs: [{ path: "m.bin", hash: sha("v1"), outcome: "unchanged" }] });
  });

  it("links with --link-type, refuses an unknown one, and names an untracked target", async () => {
    const { root, write, at } = await repo();
    await write("h.bin", "hard");
    await addCommand(root, ["h.bin"]);
    await unlink(at("h.bin"));
    await checkoutCommand(root, ["h.bin"], { linkType: "hardlink", force: false });
    expect((await stat(at("h.bin"))).ino).toBe((await stat(objectPath(join(root, ".cairn", "cache"), sha("hard")))).ino);
    const bad = await rejection(checkoutCommand(root, [], { linkType: "wormhole", force: false }));
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad.message).toBe('--link-type: unknown link type "wormhole" (expected reflink, hardlink, symlink, copy)');
    expect((await rejection(checkoutCommand(root, ["other"], { force: false }))).message).toBe("other: is not tracked (no other.cairn)");
  });
});

describe("cairn unprotect and remove", () => {
  it("turns hardlinks into writable copies so edits never reach the cache", async () => {
    const { root, write, at, read } = await repo("hardlink");
    await write("d/a", "a");
    await write("d/b", "b");
    await addCommand(root, ["d"]);
    const object = objectPath(join(root, ".cairn", "cache"), sha("a"));
    expect((await stat(at("d/a"))).ino).toBe((await stat(object)).ino);
    expect((await unprotectCommand(root, ["d"])).data).toEqual({ unprotected: ["d/a", "d/b"] });
    expect((await stat(at("d/a"))).ino).not.toBe((await stat(object)).ino);
    await write("d/a", "edited");
    expect(await readFile(object, "utf8")).toBe("a");
    expect(await read("d/a")).toBe("edited");
    expect((await unprotectCommand(root, ["d/b"])).data).toEqual({ unprotected: [] });
  });

  it("stops tracking: pointer and .gitignore line gone, data kept as plain files", async () => {
    const { root, write, at, read } = await repo("symlink");
    await write("keep.txt", "keep");
    await write(".gitignore", "node_modules\n");
    await addCommand(root, ["keep.txt"]);
    expect(await read(".gitignore")).toBe("node_modules\n/keep.txt\n");
    expect((await removeCommand(root, ["keep.txt.cairn"])).data).toEqual({ removed: ["keep.txt.cairn"] });
    await expect(stat(at("keep.txt.cairn"))).rejects.toThrow("ENOENT");
    expect(await read(".gitignore")).toBe("node_modules\n");
    const { lstat } = await import("node:fs/promises");
    expect((await lstat(at("keep.txt"))).isSymbolicLink()).toBe(false);
    expect(await read("keep.txt")).toBe("keep");
    expect((await rejection(removeCommand(root, ["keep.txt"]))).message).toBe("keep.txt: is not a pointer file (expected a name ending in .cairn)");
  });
});

describe("the cairn binary", () => {
  it("exits 1 naming the problem outside a workspace and when checkout refuses", async () => {
    const outside = await mkdtemp(join(tmpdir(), "cairn-dv-out-"));
    dirs.push(outside);
    const none = await cli(["status"], outside);
    expect(none).toEqual({ code: 1, stdout: "", stderr: `cairn: error: ${outside}: not a Cairn workspace (run \`cairn init\`)\n` });
    const { root, write } = await repo();
    await write("x", "x");
    await addCommand(root, ["x"]);
    await write("x", "unsaved");
    const refused = await cli(["checkout", "--json"], root);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toEqual({ outs: [{ path: "x", hash: sha("x"), outcome: "refused", reason: "has changes that are not in the cache (x); `cairn add` them or use --force to discard them" }] });
  });
});

describe("pointer files", () => {
  it("are found in subfolders (not inside tracked folders), and a malformed one is named", async () => {
    const { root, write } = await repo();
    await write("a/b/c.txt", "c");
    await write("tracked/data.txt", "d");
    await addCommand(root, ["a/b/c.txt", "tracked"]);
    await write("tracked/x.cairn", "not a pointer: this file is data inside a tracked folder\n");
    expect((await statusData(root)).outs.map((out) => [out.pointer, out.state])).toEqual([
      ["a/b/c.txt.cairn", "unchanged"],
      ["tracked.cairn", "modified"],
    ]);
    await write("bad.cairn", "outs:\n  - path: ../escape\n    sha256: nope\n");
    expect((await rejection(statusCommand(root))).message).toBe("bad.cairn: outs[0]: sha256 must be 64 lowercase hex digits (with '.dir' for a directory)");
    await write("bad.cairn", `outs:\n  - path: ../escape\n    sha256: ${sha("x")}\n    size: 1\n`);
    expect((await rejection(statusCommand(root))).message).toBe("bad.cairn: outs[0].path must be a relative path inside the pointer's folder");
  });
});
