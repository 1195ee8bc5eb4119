import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { initWorkspace } from "./init-workspace.js";
import { findWorkspaceRoot, openWorkspace } from "./workspace.js";

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "cairn-init-"));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("cairn init and workspace discovery", () => {
  it("creates .cairn with a default config and a .gitignore for cache, tmp and the state db", async () => {
    const dir = await tempDir();
    const result = await initWorkspace(dir);
    expect(result).toEqual({ root: dir, existing: undefined });
    expect(await readFile(join(dir, ".cairn", "config.yaml"), "utf8")).toBe("cache:\n  type: reflink,copy\n");
    expect(await readFile(join(dir, ".cairn", ".gitignore"), "utf8")).toBe("/cache/\n/tmp/\n/state.db*\n");
    const ws = await openWorkspace(dir);
    expect(ws.root).toBe(dir);
    expect(ws.cairnDir).toBe(join(dir, ".cairn"));
    expect(ws.cacheDir).toBe(join(dir, ".cairn", "cache"));
    expect(ws.config).toEqual({ cache: { type: ["reflink", "copy"] }, remotes: {}, defaultRemote: undefined });
    ws.close();
  });

  it("works in a git repository: git ignores the cache and state but tracks the config", async () => {
    const dir = await tempDir();
    execFileSync("git", ["init", "-q", dir]);
    await initWorkspace(dir);
    const ws = await openWorkspace(dir);
    ws.state.record([]); // opens state.db
    await writeFile(join(dir, ".cairn", "cache", "x"), "x");
    const status = execFileSync("git", ["-C", dir, "status", "--porcelain", "--untracked-files=all"], { encoding: "utf8" });
    expect(status.split("\n").filter(Boolean).sort()).toEqual(["?? .cairn/.gitignore", "?? .cairn/config.yaml"]);
    ws.close();
  });

  it("finds the root from a subfolder, and says so when there is none", async () => {
    const dir = await tempDir();
    await initWorkspace(dir);
    await mkdir(join(dir, "a", "b"), { recursive: true });
    expect(findWorkspaceRoot(join(dir, "a", "b"))).toBe(dir);
    const ws = await openWorkspace(join(dir, "a", "b"));
    expect(ws.root).toBe(dir);
    ws.close();
    const outside = await tempDir();
    await expect(openWorkspace(outside)).rejects.toThrow(`${outside}: not a Cairn workspace (run \`cairn init\`)`);
  });

  it("refuses to initialize inside a workspace unless forced", async () => {
    const dir = await tempDir();
    await initWorkspace(dir);
    await mkdir(join(dir, "sub"));
    await expect(initWorkspace(dir)).rejects.toThrow(`already inside the Cairn workspace ${dir} (use --force to initialize anyway)`);
    await expect(initWorkspace(join(dir, "sub"))).rejects.toThrow(PipelineError);
    expect(await initWorkspace(join(dir, "sub"), { force: true })).toEqual({ root: join(dir, "sub"), existing: dir });
    expect(findWorkspaceRoot(join(dir, "sub"))).toBe(join(dir, "sub"));
  });

  it("parses remotes and the default remote; a malformed config names the key", async () => {
    const dir = await tempDir();
    await initWorkspace(dir);
    const config = join(dir, ".cairn", "config.yaml");
    await writeFile(config, "cache:\n  type: [hardlink, symlink, copy]\nremotes:\n  backup:\n    url: /mnt/b\n  server:\n    url: cairn\ndefault_remote: backup\n");
    const ws = await openWorkspace(dir);
    expect(ws.config).toEqual({ cache: { type: ["hardlink", "symlink", "copy"] }, remotes: { backup: { url: "/mnt/b" }, server: { url: "cairn" } }, defaultRemote: "backup" });
    ws.close();
    const cases: [string, string][] = [
      ["cache:\n  type: reflink,teleport\n", 'cache.type: unknown link type "teleport"'],
      ["cache:\n  type: copy,copy\n", "cache.type: link type 'copy' is listed twice"],
      ["cache:\n  kind: copy\n", "cache.kind: unknown key"],
      ["remotes:\n  r1: {url: 3}\n", "remotes.r1.url: expected a folder path"],
      ["remotes:\n  r1: {url: /x, token: t}\n", "remotes.r1.token: unknown key"],
      ["default_remote: nowhere\n", "default_remote: no remote named 'nowhere'"],
      ["colour: blue\n", "colour: unknown key"],
      ["cache: [\n", "malformed config"],
    ];
    for (const [text, message] of cases) {
      await writeFile(config, text);
      const error = await openWorkspace(dir).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).message).toContain(`${config}: ${message}`);
    }
  });

  it("keeps the state db bounded", async () => {
    const dir = await tempDir();
    await initWorkspace(dir);
    const ws = await openWorkspace(dir);
    const entries = Array.from({ length: 50 }, (_, i) => ({ key: { ino: i + 1, mtimeUs: 1, size: 1 }, hash: createHash("sha256").update(String(i)).digest("hex") }));
    ws.state.record(entries);
    // Same inode, new mtime: the row is replaced, not added.
    ws.state.record([{ key: { ino: 1, mtimeUs: 2, size: 1 }, hash: "a".repeat(64) }]);
    expect(ws.state.counts().hashes).toBe(50);
    expect(ws.state.hashOf({ ino: 1, mtimeUs: 1, size: 1 })).toBeUndefined();
    expect(ws.state.hashOf({ ino: 1, mtimeUs: 2, size: 1 })).toBe("a".repeat(64));
    // Unsigned 64-bit inodes survive SQLite's signed integers.
    ws.state.record([{ key: { ino: 2n ** 64n - 5n, mtimeUs: 3, size: 7 }, hash: "b".repeat(64) }]);
    expect(ws.state.hashOf({ ino: 2n ** 64n - 5n, mtimeUs: 3, size: 7 })).toBe("b".repeat(64));
    ws.state.prune(40);
    expect(ws.state.counts().hashes).toBe(36);
    ws.close();
  });
});
