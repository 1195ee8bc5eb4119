import { readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { auditRoutes } from "../src/audit/routes.js";
import { AuditService } from "../src/audit/service.js";
import { AUDIT_NOW, startAuditApp, type AuditTestApp } from "../src/audit/test-support/audit-app.js";
import { buildApp } from "../src/server/app.js";
import { SqliteAuditStore } from "../src/stores/sqlite/sqlite-audit-store.js";
import type { WriteContext } from "../src/core/actor.js";

/** Cairn's audit API over HTTP: queries with paging, verification (with a tampered database file), alias history. */
const apps: AuditTestApp[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
const start = async (folder?: string) => {
  const app = await startAuditApp(folder);
  apps.push(app);
  return app;
};

const ctx = (name: string, requestId: string): WriteContext => ({ actor: { name, verified: false }, requestId });

/** 12 events: alias moves on two models by two people, and tracking runs. */
const seed = async (t: AuditTestApp) => {
  const alias = (model: string, name: string, from: string | null, to: string | null, who: string, id: string) =>
    t.audit.record(ctx(who, id), {
      action: to === null ? "registry.alias.delete" : "registry.alias.set",
      entityType: "registered_model",
      entityId: model,
      before: from === null ? null : { alias: name, version: from },
      after: to === null ? null : { alias: name, version: to },
    });
  await alias("churn", "champion", null, "1", "ada", "r1"); // seq 1
  await alias("churn", "challenger", null, "2", "bob", "r2"); // 2
  await alias("fraud", "champion", null, "1", "ada", "r3"); // 3
  await alias("churn", "champion", "1", "3", "bob", "r4"); // 4
  for (let i = 0; i < 6; i++) {
    await t.audit.record(ctx(i % 2 ? "ada" : "cy", `t${i}`), { action: "tracking.run.log_batch", entityType: "run", entityId: `run${i % 3}`, after: { metrics: i } }); // 5..10
  }
  await alias("churn", "champion", "3", "4", "ada", "r5"); // 11
  await alias("churn", "challenger", "2", null, "cy", "r6"); // 12
};

const get = async (t: AuditTestApp, path: string, query: Record<string, string> = {}) => t.call("GET", `cairn/${path}`, query);
const seqs = async (t: AuditTestApp, query: Record<string, string>) => {
  const response = await get(t, "audit/events", query);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return (response.body.events as Array<{ seq: number }>).map((e) => e.seq);
};

describe("audit/events", () => {
  it("filters by entity, actor, action (exact or prefix*) and time, oldest first", async () => {
    const t = await start();
    await seed(t);
    expect(await seqs(t, { entity_type: "registered_model", entity_id: "churn" })).toEqual([1, 2, 4, 11, 12]);
    expect(await seqs(t, { entity_type: "run" })).toEqual([5, 6, 7, 8, 9, 10]);
    expect(await seqs(t, { entity_id: "run1" })).toEqual([6, 9]);
    expect(await seqs(t, { actor: "ada" })).toEqual([1, 3, 6, 8, 10, 11]);
    expect(await seqs(t, { action: "registry.alias.set" })).toEqual([1, 2, 3, 4, 11]);
    expect(await seqs(t, { action: "registry.*" })).toEqual([1, 2, 3, 4, 11, 12]);
    expect(await seqs(t, { action: "tracking.*", actor: "cy" })).toEqual([5, 7, 9]);
    // Event n was recorded at AUDIT_NOW + n - 1; both bounds inclusive.
    expect(await seqs(t, { start_time: String(AUDIT_NOW + 3), end_time: String(AUDIT_NOW + 5) })).toEqual([4, 5, 6]);
    expect(await seqs(t, { actor: "nobody" })).toEqual([]);
  });

  it("returns the full event shape", async () => {
    const t = await start();
    await seed(t);
    const { body } = await get(t, "audit/events", { max_results: "2" });
    expect(body.events[1]).toEqual({
      seq: 2,
      time: AUDIT_NOW + 1,
      actor: { name: "bob", verified: false },
      action: "registry.alias.set",
      entity_type: "registered_model",
      entity_id: "churn",
      before: null,
      after: { alias: "challenger", version: "2" },
      request_id: "r2",
      prev_hash: body.events[0].hash,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(body.events[0].prev_hash).toBe("0".repeat(64));
  });

  it("pages with max_results and page_token; the last page has no token", async () => {
    const t = await start();
    await seed(t);
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const { body } = await get(t, "audit/events", { action: "registry.*", max_results: "4", ...(token ? { page_token: token } : {}) });
      pages.push(body.events.map((e: { seq: number }) => e.seq));
      token = body.next_page_token;
    } while (token);
    expect(pages).toEqual([[1, 2, 3, 4], [11, 12]]);
    expect((await get(t, "audit/events", {})).body.events).toHaveLength(12);

    const newest: number[][] = [];
    do {
      const { body } = await get(t, "audit/events", { action: "registry.*", order: "desc", max_results: "4", ...(token ? { page_token: token } : {}) });
      newest.push(body.events.map((e: { seq: number }) => e.seq));
      token = body.next_page_token;
    } while (token);
    expect(newest).toEqual([[12, 11, 4, 3], [2, 1]]);
  });

  it("refuses bad max_results and page_token with MLflow-shaped 400s", async () => {
    const t = await start();
    for (const max of ["0", "1001", "-1"]) {
      expect(await get(t, "audit/events", { max_results: max })).toEqual({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message: `Invalid value ${max} for parameter 'max_results' supplied. It must be between 1 and 1000.` },
      });
    }
    expect((await get(t, "audit/events", { max_results: "abc" })).status).toBe(400);
    expect((await get(t, "audit/events", { start_time: "yesterday" })).status).toBe(400);
    expect(await get(t, "audit/events", { order: "newest" })).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid value 'newest' for parameter 'order': expected 'asc' (oldest first) or 'desc' (newest first)." },
    });
    expect(await get(t, "audit/events", { page_token: "zzz" })).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid page_token 'zzz': not a token returned by audit/events." },
    });
    expect((await t.call("GET", "cairn/registered-models/alias-history")).body).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
  });

  it("is also served under /ajax-api/2.0/cairn", async () => {
    const t = await start();
    await seed(t);
    const response = await t.app.inject({ method: "GET", url: "/ajax-api/2.0/cairn/audit/verify" });
    expect(JSON.parse(response.body)).toEqual({ ok: true, checked: 12 });
  });
});

describe("registered-models/alias-history", () => {
  it("lists who moved which alias from which version to which, oldest first", async () => {
    const t = await start();
    await seed(t);
    const { status, body } = await get(t, "registered-models/alias-history", { name: "churn" });
    expect(status).toBe(200);
    const change = (alias: string, from: string | null, to: string | null, name: string, n: number, id: string) => ({
      alias, from_version: from, to_version: to, actor: { name, verified: false }, time: AUDIT_NOW + n - 1, request_id: id,
    });
    expect(body).toEqual({
      changes: [
        change("champion", null, "1", "ada", 1, "r1"),
        change("challenger", null, "2", "bob", 2, "r2"),
        change("champion", "1", "3", "bob", 4, "r4"),
        change("champion", "3", "4", "ada", 11, "r5"),
        change("challenger", "2", null, "cy", 12, "r6"),
      ],
    });
    expect((await get(t, "registered-models/alias-history", { name: "churn", alias: "champion" })).body.changes.map((c: { to_version: string }) => c.to_version)).toEqual(["1", "3", "4"]);
    expect((await get(t, "registered-models/alias-history", { name: "fraud" })).body.changes).toHaveLength(1);
    expect((await get(t, "registered-models/alias-history", { name: "unknown" })).body).toEqual({ changes: [] });
  });
});

describe("audit/verify and tampering with the database file", () => {
  /** A log of 12 events in a closed database file, for editing behind Cairn's back. */
  const closedLog = async () => {
    const folder = mkdtempSync(join(tmpdir(), "cairn-audit-tamper-"));
    folders.push(folder);
    const t = await startAuditApp(folder);
    await seed(t);
    expect((await get(t, "audit/verify")).body).toEqual({ ok: true, checked: 12 });
    await t.stop();
    return { folder, file: t.file };
  };
  // full: the events tampered with were verified before (closedLog), so only a walk from the first event sees them.
  const verifyAfter = async (folder: string) => (await get(await start(folder), "audit/verify", { full: "true" })).body;
  const edit = (file: string, sql: string) => {
    const db = new Database(file);
    db.exec(sql);
    db.close();
  };

  it("names the event whose content was changed (trigger dropped, after_json rewritten)", async () => {
    const { folder, file } = await closedLog();
    edit(file, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET after_json = '{"alias":"champion","version":"9"}' WHERE seq = 4`);
    expect(await verifyAfter(folder)).toEqual({
      ok: false,
      checked: 12,
      problems: [{ seq: 4, reason: "hash mismatch: the event was changed" }],
    });
  });

  it("names the event whose bytes were patched in the file, triggers intact", async () => {
    const { folder, file } = await closedLog();
    const bytes = readFileSync(file);
    const original = Buffer.from('{"metrics":3}'); // after_json of event 8, stored once
    const at = bytes.indexOf(original);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(original, at + 1)).toBe(-1);
    bytes.write('{"metrics":8}', at);
    writeFileSync(file, bytes);
    const report = await verifyAfter(folder);
    expect(report).toEqual({ ok: false, checked: 12, problems: [{ seq: 8, reason: "hash mismatch: the event was changed" }] });
  });

  it("names the next event when a changed event got a recomputed hash (its link breaks)", async () => {
    const { folder, file } = await closedLog();
    edit(file, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor_name = 'mallory', hash = 'f' || substr(hash, 2) WHERE seq = 4");
    expect(await verifyAfter(folder)).toEqual({
      ok: false,
      checked: 12,
      problems: [
        { seq: 4, reason: "hash mismatch: the event was changed" },
        { seq: 5, reason: "broken link: prev_hash is not the hash of event 4" },
      ],
    });
  });

  it("reports removed events as gaps, in the middle and at the end", async () => {
    const { folder, file } = await closedLog();
    edit(file, "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq IN (5, 6, 9, 12)");
    expect(await verifyAfter(folder)).toEqual({
      ok: false,
      checked: 8,
      problems: [
        { seq: 7, reason: "missing: events 5..6 were removed" },
        { seq: 10, reason: "missing: event 9 was removed" },
        { seq: 12, reason: "missing: event 12 was removed" },
      ],
    });
  });

  it("keeps reporting a removed tail after new events were appended", async () => {
    const { folder, file } = await closedLog();
    edit(file, "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq >= 11");
    const t = await start(folder);
    await t.audit.record(ctx("ada", "late"), { action: "tracking.run.log_batch", entityType: "run", entityId: "x" });
    const { body } = await get(t, "audit/verify", { full: "true" });
    expect(body).toEqual({ ok: false, checked: 11, problems: [{ seq: 13, reason: "missing: events 11..12 were removed" }] });
    // The incremental verify starts at the checkpoint closedLog left (event 12), which is gone: it says so.
    expect((await get(t, "audit/verify")).body).toEqual({
      ok: false,
      checked: 1,
      from_seq: 12,
      problems: [
        { seq: 12, reason: "checkpoint broken: event 12, verified earlier, was removed (run a full verify)" },
        { seq: 13, reason: "broken link: prev_hash is not the hash of event 12" },
      ],
    });
    expect((await get(t, "audit/events", { entity_id: "x" })).body.events[0].seq).toBe(13);
  });
});

describe("audit/verify when the verify worker fails", () => {
  it("answers 500 INTERNAL_ERROR, never ok, and verifies again on the next call", async () => {
    const t = await start();
    await seed(t);
    const app = await buildApp({
      version: "test",
      domains: [{ endpoints: [], cairnEndpoints: auditRoutes(new AuditService(new SqliteAuditStore(t.db, { verify: { timeoutMs: 1 } }))) }],
    });
    try {
      const response = await app.inject({ method: "GET", url: "/api/2.0/cairn/audit/verify" });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error_code: "INTERNAL_ERROR",
        message: "audit verify failed: it took longer than 1 ms; the chain was not verified",
      });
    } finally {
      await app.close();
    }
    expect((await get(t, "audit/verify")).body).toEqual({ ok: true, checked: 12 });
  });
});
