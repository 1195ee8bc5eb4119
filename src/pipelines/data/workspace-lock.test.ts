import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireWorkspaceLock, releaseWorkspaceLock, withWorkspaceLock } from "./workspace-lock.js";

let dir = "";
let lockFile = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-lock-"));
  lockFile = join(dir, "lock");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("workspace lock", () => {
  it("holds the pid while held, is re-entrant in one process, and is removed at the end", async () => {
    await withWorkspaceLock(lockFile, async () => {
      expect(await readFile(lockFile, "utf8")).toBe(`${process.pid}\n`);
      await withWorkspaceLock(lockFile, async () => {
        expect(await readFile(lockFile, "utf8")).toBe(`${process.pid}\n`);
      });
      // The inner release did not free the outer hold.
      expect(await readFile(lockFile, "utf8")).toBe(`${process.pid}\n`);
    });
    await expect(stat(lockFile)).rejects.toThrow("ENOENT");
  });

  it("takes over a stale lock of a dead process", async () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    await writeFile(lockFile, `${dead}\n`);
    await acquireWorkspaceLock(lockFile, { timeoutMs: 1000 });
    expect(await readFile(lockFile, "utf8")).toBe(`${process.pid}\n`);
    await releaseWorkspaceLock(lockFile);
  });

  it("waits for a live holder, then fails naming it", async () => {
    await writeFile(lockFile, `${process.ppid}\n`);
    const started = Date.now();
    await expect(acquireWorkspaceLock(lockFile, { timeoutMs: 200 })).rejects.toThrow(
      `${lockFile}: the workspace is locked by process ${process.ppid}; wait for it to end (a lock of a dead process is taken over)`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    // A holder that ends in time lets the waiter in.
    setTimeout(() => void rm(lockFile), 100);
    await acquireWorkspaceLock(lockFile, { timeoutMs: 2000 });
    await releaseWorkspaceLock(lockFile);
  });
});
