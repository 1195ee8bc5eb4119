import { writeFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { AuditService } from "../../audit/service.js";
import type { VerifyReport } from "../../audit/verify.js";
import { CairnError } from "../../core/errors.js";
import { verifyOnWorkerThread } from "./audit-verify-thread.js";
import { openDatabase } from "./open-database.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

/** Issue 12 part 5: the SQLite audit chain verified on a worker thread with its own read-only connection. */
const dirs: string[] = [];
const databases: Database[] = [];
afterEach(async () => {
  for (const db of databases.splice(0)) if (db.open) db.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-verify-thread-"));
  dirs.push(dir);
  return dir;
};

const EVENTS = 600;

/** A trail of 600 events (more than two slices of the in-thread walk) in a database file, open on the server's connection. */
const trail = async (): Promise<{ file: string; db: Database; store: SqliteAuditStore }> => {
  const file = path.join(await tempDir(), "cairn.db");
  const db = openDatabase(file);
  databases.push(db);
  const store = new SqliteAuditStore(db);
  await Promise.all(
    Array.from({ length: EVENTS }, (_, i) =>
      store.append({
        time: 1000 + i,
        actor: { name: i % 2 === 0 ? "ada" : "bob", verified: i % 3 === 0 },
        action: "tracking.run.log_batch",
        entityType: "run",
        entityId: `run-${i % 7}`,
        beforeJson: null,
        afterJson: JSON.stringify({ metrics: i }),
        requestId: `r${i}`,
      }),
    ),
  );
  return { file, db, store };
};

/** Today's walk in slices on the event loop: the same store without its off-thread capability. */
const inThread = (store: SqliteAuditStore): Promise<VerifyReport> =>
  new AuditService(Object.assign(Object.create(store) as SqliteAuditStore, { verifyOffThread: undefined })).verify({ full: true });

describe("verifyOnWorkerThread", () => {
  const cases: Array<{ name: string; tamper: string; expected: VerifyReport }> = [
    { name: "an intact chain", tamper: "", expected: { ok: true, checked: EVENTS } },
    {
      name: "an edited event",
      tamper: `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET after_json = '{"metrics":9999}' WHERE seq = 300`,
      expected: { ok: false, checked: EVENTS, problems: [{ seq: 300, reason: "hash mismatch: the event was changed" }] },
    },
    {
      name: "deleted events, in the middle and at the end",
      tamper: "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq IN (251, 252, 500) OR seq >= 599",
      expected: {
        ok: false,
        checked: EVENTS - 5,
        problems: [
          { seq: 253, reason: "missing: events 251..252 were removed" },
          { seq: 501, reason: "missing: event 500 was removed" },
          { seq: 599, reason: "missing: events 599..600 were removed" },
        ],
      },
    },
    {
      name: "two events swapped (reordered)",
      tamper:
        "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET seq = -1 WHERE seq = 250; " +
        "UPDATE audit_events SET seq = 250 WHERE seq = 251; UPDATE audit_events SET seq = 251 WHERE seq = -1",
      expected: {
        ok: false,
        checked: EVENTS,
        problems: [
          { seq: 250, reason: "broken link: prev_hash is not the hash of event 249" },
          { seq: 250, reason: "hash mismatch: the event was changed" },
          { seq: 251, reason: "broken link: prev_hash is not the hash of event 250" },
          { seq: 251, reason: "hash mismatch: the event was changed" },
          { seq: 252, reason: "broken link: prev_hash is not the hash of event 251" },
        ],
      },
    },
  ];

  for (const { name, tamper, expected } of cases) {
    it(`reports ${name} exactly as the in-thread walk does`, async () => {
      const { file, db, store } = await trail();
      if (tamper !== "") db.exec(tamper);
      const [offThread, sliced] = await Promise.all([verifyOnWorkerThread(file), inThread(store)]);
      expect(offThread).toEqual(expected);
      expect(sliced).toEqual(expected);
      // And through the service, which takes the store's capability.
      expect(await new AuditService(store).verify({ full: true })).toEqual(expected);
    });
  }

  it("checks the snapshot it opened: events appended meanwhile wait for the next verify", async () => {
    const { file, store } = await trail();
    const verifying = verifyOnWorkerThread(file);
    for (let i = 0; i < 50; i += 1) {
      await store.append({ time: 5000 + i, actor: { name: "cy", verified: false }, action: "x", entityType: "run", entityId: "late", beforeJson: null, afterJson: null, requestId: `late-${i}` });
    }
    const report = await verifying;
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThanOrEqual(EVENTS);
    expect(report.checked).toBeLessThanOrEqual(EVENTS + 50);
    expect(await verifyOnWorkerThread(file)).toEqual({ ok: true, checked: EVENTS + 50 });
  });

  it("never answers ok when the worker cannot verify: a timeout, a crash, an unreadable file", async () => {
    const { file } = await trail();
    const failure = async (run: Promise<VerifyReport>): Promise<CairnError> => {
      const error = await run.then(
        (report) => new Error(`answered ${JSON.stringify(report)}`),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CairnError);
      expect((error as CairnError).status).toBe(500);
      return error as CairnError;
    };
    expect((await failure(verifyOnWorkerThread(file, { timeoutMs: 1 }))).message).toBe(
      "audit verify failed: it took longer than 1 ms; the chain was not verified",
    );
    // A heap too small to even start: the worker dies with ERR_WORKER_OUT_OF_MEMORY.
    expect((await failure(verifyOnWorkerThread(file, { resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } }))).message).toMatch(
      /^audit verify failed: the worker crashed \(.+\); the chain was not verified$/,
    );
    const notADatabase = path.join(await tempDir(), "notes.db");
    await writeFile(notADatabase, "x".repeat(4096));
    expect((await failure(verifyOnWorkerThread(notADatabase))).message).toBe(
      "audit verify failed: the worker could not read the trail (file is not a database); the chain was not verified",
    );
    expect((await failure(verifyOnWorkerThread(path.join(await tempDir(), "absent.db")))).message).toBe(
      "audit verify failed: the worker could not read the trail (unable to open database file); the chain was not verified",
    );
  });

  it("leaves an in-memory database, which no other connection can open, to the walk in slices", async () => {
    const db = openDatabase(":memory:");
    databases.push(db);
    const store = new SqliteAuditStore(db);
    expect(store.verifyOffThread).toBeUndefined();
    for (let i = 0; i < 300; i += 1) {
      await store.append({ time: i, actor: { name: "ada", verified: false }, action: "x", entityType: "run", entityId: "r", beforeJson: null, afterJson: null, requestId: `m${i}` });
    }
    expect(await new AuditService(store).verify()).toEqual({ ok: true, checked: 300 });
  });
});
