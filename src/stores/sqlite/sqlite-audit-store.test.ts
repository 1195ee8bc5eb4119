import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { NewAuditRecord } from "../../audit/event.js";
import { GENESIS_HASH, canonicalEvent, eventHash } from "../../audit/hash-chain.js";
import { AuditService } from "../../audit/service.js";
import { openDatabase } from "./open-database.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

const dirs: string[] = [];
const databases: Database[] = [];
const tempFile = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-audit-store-"));
  dirs.push(dir);
  return path.join(dir, "cairn.db");
};
const open = (file: string): Database => {
  const db = openDatabase(file);
  databases.push(db);
  return db;
};
afterEach(async () => {
  for (const db of databases.splice(0)) if (db.open) db.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const event = (n: number, overrides: Partial<NewAuditRecord> = {}): NewAuditRecord => ({
  time: 1000 + n,
  actor: { name: n % 2 === 0 ? "ada" : "bob", verified: false },
  action: n % 3 === 0 ? "registry.alias.set" : "tracking.run.log_batch",
  entityType: n % 3 === 0 ? "registered_model" : "run",
  entityId: `e${n % 4}`,
  beforeJson: null,
  afterJson: JSON.stringify({ n }),
  requestId: `req-${n}`,
  ...overrides,
});

/** SQLite-only behaviour; what every backend does is in src/audit/store.contract.ts (sqlite-audit-contract.test.ts). */
describe("SqliteAuditStore", () => {
  it("appends a hash chain: seq from 1, prev_hash the previous hash (64 zeros first), hash = sha256 of the canonical form", async () => {
    const store = new SqliteAuditStore(open(await tempFile()));
    const first = await store.append(event(1));
    const second = await store.append(event(2, { beforeJson: '{"version":"3"}' }));
    expect(first).toEqual({ ...event(1), seq: 1, prevHash: GENESIS_HASH, hash: first.hash });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    const { hash: _h, ...content } = second;
    expect(second.hash).toBe(eventHash(content));
    expect(canonicalEvent(content)).toBe(
      '{"seq":2,"time":1002,"actor":{"name":"ada","verified":false},"action":"tracking.run.log_batch",' +
        '"entity_type":"run","entity_id":"e2","before":"{\\"version\\":\\"3\\"}","after":"{\\"n\\":2}",' +
        `"request_id":"req-2","prev_hash":"${first.hash}"}`,
    );
    expect(await store.readRange(0, 10)).toEqual([first, second]);
    expect(await store.readRange(1, 10)).toEqual([second]);
    expect(await store.lastAssignedSeq()).toBe(2);
  });

  it("group-commits concurrent appends in call order, each chained to the one before", async () => {
    const store = new SqliteAuditStore(open(await tempFile()));
    const records = await Promise.all(Array.from({ length: 300 }, (_, i) => store.append(event(i + 1))));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(records.map((r) => r.requestId)).toEqual(Array.from({ length: 300 }, (_, i) => `req-${i + 1}`));
    expect(records.slice(1).every((r, i) => r.prevHash === records[i]?.hash)).toBe(true);
    expect(await store.readRange(0, 1000)).toEqual(records);
    expect(await new AuditService(store).verify()).toEqual({ ok: true, checked: 300 });
  });

  it("lets the event loop serve other work during a verify (a large log does not hold the server)", async () => {
    const store = new SqliteAuditStore(open(await tempFile()));
    await Promise.all(Array.from({ length: 3500 }, (_, i) => store.append(event(i + 1))));
    // A timer due at once stands for a request waiting on the event loop; it must run before the walk of 4 batches ends.
    let verifyDone = false;
    const ranDuringVerify = new Promise<boolean>((resolve) => setTimeout(() => resolve(!verifyDone), 0));
    const report = await new AuditService(store).verify();
    verifyDone = true;
    expect(report).toEqual({ ok: true, checked: 3500 });
    expect(await ranDuringVerify).toBe(true);
  });

  it("refuses UPDATE and DELETE of events (append-only triggers)", async () => {
    const db = open(await tempFile());
    const store = new SqliteAuditStore(db);
    await store.append(event(1));
    expect(() => db.prepare("UPDATE audit_events SET after_json = '{}' WHERE seq = 1").run()).toThrow(
      "audit events are append-only: UPDATE is not allowed",
    );
    expect(() => db.prepare("DELETE FROM audit_events").run()).toThrow("audit events are append-only: DELETE is not allowed");
    expect((await store.readRange(0, 10))[0]?.afterJson).toBe('{"n":1}');
  });

  it("keeps one valid chain when two stores on one file append interleaved", async () => {
    const file = await tempFile();
    const one = new SqliteAuditStore(open(file));
    const two = new SqliteAuditStore(open(file));
    for (let n = 1; n <= 100; n++) await (n % 2 === 0 ? one : two).append(event(n));
    const records = await one.readRange(0, 1000);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(records.map((r) => r.requestId)).toEqual(Array.from({ length: 100 }, (_, i) => `req-${i + 1}`));
    expect(await new AuditService(two).verify()).toEqual({ ok: true, checked: 100 });
  });

  it("remembers the highest seq ever assigned, so removed newest events leave a gap instead of being replaced", async () => {
    const file = await tempFile();
    const db = open(file);
    const store = new SqliteAuditStore(db);
    for (let n = 1; n <= 5; n++) await store.append(event(n));
    db.exec("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq >= 4");
    expect(await store.lastAssignedSeq()).toBe(5);
    const next = await store.append(event(6));
    expect(next.seq).toBe(6);
    expect(next.prevHash).toBe((await store.readRange(2, 1))[0]?.hash);
    // Even with sqlite_sequence cleared, the next seq follows the newest event present.
    db.exec("DELETE FROM sqlite_sequence");
    expect((await store.append(event(7))).seq).toBe(7);
  });

  it("answers filtered queries from its indexes", async () => {
    const db = open(await tempFile());
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail).join("; ");
    expect(plan("SELECT * FROM audit_events WHERE entity_type = 'run' AND entity_id = 'x' AND seq > 3 ORDER BY seq LIMIT 10")).toContain(
      "audit_events_entity",
    );
    expect(plan("SELECT * FROM audit_events WHERE actor_name = 'ada' ORDER BY seq LIMIT 10")).toContain("audit_events_actor");
    expect(plan("SELECT * FROM audit_events WHERE action = 'registry.alias.set' AND seq > 3 ORDER BY seq LIMIT 10")).toBe(
      "SEARCH audit_events USING INDEX audit_events_action (action=? AND seq>?)",
    );
    expect(plan("SELECT * FROM audit_events WHERE action >= 'registry.' AND action < 'registry/' ORDER BY seq LIMIT 10")).toContain(
      "USING INDEX audit_events_action (action>? AND action<?)",
    );
    expect(plan("SELECT * FROM audit_events WHERE time >= 5 AND time <= 10 ORDER BY seq LIMIT 10")).toContain(
      "USING INDEX audit_events_time (time>? AND time<?)",
    );
  });
});
