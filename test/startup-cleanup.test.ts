import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServerIn } from "../src/server/test-support/temp-server.js";
import { stagingOwnerTag } from "../src/stores/artifact-stores/local/stale.js";
import { spawnServer, type ServerProcess } from "./support/spawn-server.js";
import { waitFor } from "./support/wait-for.js";

/**
 * Start-up removes the half-written files of crashed processes: the artifact store's `.part` files, serving's model
 * copies in progress and monitors' reference downloads. What a process of this host that no longer runs left goes at
 * once (not an hour later: before, a kill -9 followed by a restart kept its `.part` files until the next restart past
 * the hour); what another live process may still be writing stays.
 */
const dirs: string[] = [];
let child: ServerProcess | undefined;
afterAll(async () => {
  await child?.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-startup-clean-"));
  dirs.push(dir);
  return dir;
};

/** The pid of a process that has exited: its staging entries belong to nobody. */
const deadPid = (): number => {
  const result = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(result.stdout);
};

describe("staging leftovers at start-up", () => {
  it("removes the .part file of an upload that a kill -9 interrupted as soon as the server starts again", async () => {
    const dir = await tempDir();
    const tmp = path.join(dir, "artifacts", ".cairn-staging", "tmp");
    child = await spawnServer(path.join(dir, "cairn.db"), path.join(dir, "artifacts"));
    const url = new URL(`${child.url}/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/big.bin`);
    // An upload that sends its first bytes and then waits: its .part file is on disk when the process dies.
    const upload = request(url, { method: "PUT", headers: { "content-length": "1000000" } });
    upload.on("error", () => undefined);
    upload.write(Buffer.alloc(64 * 1024, 1));
    await waitFor(async () => (await readdir(tmp)).some((name) => name.endsWith(".part")), "the upload's .part file");
    await child.kill9();
    upload.destroy();
    expect((await readdir(tmp)).filter((name) => name.endsWith(".part"))).toHaveLength(1);

    child = await spawnServer(path.join(dir, "cairn.db"), path.join(dir, "artifacts"));
    expect(await readdir(tmp)).toEqual([]);
  }, 60_000);

  it("cleans every staging folder: orphans of this host at once, other entries only past the hour", async () => {
    const dir = await tempDir();
    const host = stagingOwnerTag().split("~")[1] ?? "";
    const dead = `~${host}~${deadPid()}~0badc0de~`;
    const live = `~${host}~${process.ppid}~0badc0de~`;
    const tmp = path.join(dir, "artifacts", ".cairn-staging", "tmp");
    const version = path.join(dir, "model-cache", "churn", "1-1700000000000");
    const references = path.join(dir, "reference-cache");
    for (const folder of [tmp, version, references]) await mkdir(folder, { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const old = async (file: string) => utimes(file, twoHoursAgo, twoHoursAgo);
    // Artifact store: a dead process's file, a live process's, an untagged one from before tags, an old untagged one.
    await writeFile(path.join(tmp, `${dead}a.part`), "x");
    await writeFile(path.join(tmp, `${live}b.part`), "x");
    await writeFile(path.join(tmp, "legacy.part"), "x");
    await writeFile(path.join(tmp, "legacy-old.part"), "x");
    await old(path.join(tmp, "legacy-old.part"));
    // Serving's copies in progress, and the finished copy beside them (never touched).
    await mkdir(path.join(version, `staging-${dead}x1`));
    await mkdir(path.join(version, `staging-${live}x2`));
    await mkdir(path.join(version, "files"));
    // Monitors' reference downloads.
    await writeFile(path.join(references, `abc.csv.${dead}.partial`), "x");
    await writeFile(path.join(references, `def.csv.${live}.partial`), "x");
    await writeFile(path.join(references, "ready.csv"), "a\n1\n");

    const server = await startServerIn(dir);
    try {
      expect((await readdir(tmp)).sort()).toEqual([`${live}b.part`, "legacy.part"].sort());
      expect((await readdir(version)).sort()).toEqual(["files", `staging-${live}x2`].sort());
      expect((await readdir(references)).sort()).toEqual([`def.csv.${live}.partial`, "ready.csv"].sort());
    } finally {
      await server.close();
    }
  });
});
