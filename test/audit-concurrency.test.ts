import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { AuditService } from "../src/audit/service.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteAuditStore } from "../src/stores/sqlite/sqlite-audit-store.js";

const appender = fileURLToPath(new URL("./support/audit-appender.ts", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "cairn-audit-procs-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Starts an appender; resolves with a function that lets it go and resolves when it is done. */
const spawnAppender = (file: string, name: string, count: number): Promise<() => Promise<void>> =>
  new Promise((ready, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", appender, file, name, String(count)], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const done = new Promise<void>((resolve, fail) =>
      child.once("exit", (code) => (code === 0 && output.includes("DONE") ? resolve() : fail(new Error(`appender ${name}: ${code} ${output}`)))),
    );
    done.catch(reject);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("READY")) ready(() => (child.stdin.end("go\n"), done));
    });
  });

describe("audit log shared by several processes", () => {
  it("keeps one valid chain when two processes append to one file at the same time", async () => {
    const file = join(folder, "cairn.db");
    openDatabase(file).close(); // migrate once before both start
    const PER_PROCESS = 400;
    const go = await Promise.all([spawnAppender(file, "one", PER_PROCESS), spawnAppender(file, "two", PER_PROCESS)]);
    await Promise.all(go.map((start) => start()));
    const db = openDatabase(file);
    const audit = new AuditService(new SqliteAuditStore(db));
    expect(await audit.verify()).toEqual({ ok: true, checked: 2 * PER_PROCESS });
    for (const name of ["one", "two"]) {
      const page = await audit.list({ actor: name, maxResults: 1000 });
      expect(page.items.map((e) => e.requestId)).toEqual(Array.from({ length: PER_PROCESS }, (_, i) => `${name}-${i}`));
    }
    // They really interleaved: the actor changes many times along the chain.
    const actors = (await audit.list({ maxResults: 1000 })).items.map((e) => e.actor.name);
    const switches = actors.filter((actor, i) => i > 0 && actor !== actors[i - 1]).length;
    db.close();
    expect(switches).toBeGreaterThan(50);
  }, 60_000);
});
