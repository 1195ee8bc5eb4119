import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewAuditRecord } from "./event.js";
import { GENESIS_HASH, eventHash } from "./hash-chain.js";
import { addWrite, DATA_DIGEST_ACTION, type RunDataRows } from "./run-data-digest.js";
import { AuditService } from "./service.js";
import type { AuditStore } from "./store.js";

/** What a backend gives the contract: a fresh, empty store, and the tampering an attacker with the database could do. */
export interface OpenedAuditStore {
  store: AuditStore;
  /** Rewrites an event's after_json behind the store's back (append-only guards bypassed). */
  editEvent(seq: number, afterJson: string): Promise<void>;
  /** Removes the events with seq >= fromSeq behind the store's back. */
  removeEventsFrom(fromSeq: number): Promise<void>;
  /**
   * For a store whose digests are collected from stored rows (digests.collector): stores a write's rows as the
   * tracking store does (the run is created on its first write).
   */
  storeRunData?(runId: string, rows: RunDataRows): Promise<void>;
  cleanup(): Promise<void>;
}

export type OpenAuditStore = () => Promise<OpenedAuditStore>;

export const auditEvent = (n: number, overrides: Partial<NewAuditRecord> = {}): NewAuditRecord => ({
  time: 1000 + n,
  actor: { name: n % 2 === 0 ? "ada" : "bob", verified: false },
  action: n % 3 === 0 ? "registry.alias.set" : "tracking.run.update",
  entityType: n % 3 === 0 ? "registered_model" : "run",
  entityId: `e${n % 4}`,
  beforeJson: null,
  afterJson: JSON.stringify({ n }),
  requestId: `req-${n}`,
  ...overrides,
});

const rows = (i: number) => ({ metrics: [{ key: "loss", value: 1 / (i + 1), timestamp: 5000 + i, step: i }], params: [], tags: [] });

/** The contract every AuditStore backend passes (issue 14: SQLite and PostgreSQL). */
export function describeAuditStoreContract(backend: string, open: OpenAuditStore): void {
  describe(`AuditStore contract: ${backend}`, () => {
    let opened: OpenedAuditStore;
    let store: AuditStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it("appends a hash chain: seq from 1, prev_hash the previous hash (64 zeros first), hash = sha256 of the canonical form", async () => {
      const first = await store.append(auditEvent(1));
      const second = await store.append(auditEvent(2, { beforeJson: '{"version":"3"}', actor: { name: "ada", verified: true } }));
      expect(first).toEqual({ ...auditEvent(1), seq: 1, prevHash: GENESIS_HASH, hash: first.hash });
      expect(second.prevHash).toBe(first.hash);
      const { hash: _h, ...content } = second;
      expect(second.hash).toBe(eventHash(content));
      expect(await store.readRange(0, 10)).toEqual([first, second]);
      expect(await store.readRange(1, 10)).toEqual([second]);
      expect(await store.lastAssignedSeq()).toBe(2);
    });

    it("keeps concurrent appends one chain without gaps", async () => {
      const records = await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(auditEvent(i + 1))));
      expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const stored = await store.readRange(0, 1000);
      expect(stored.slice(1).every((r, i) => r.prevHash === stored[i]?.hash)).toBe(true);
      expect(await new AuditService(store).verify({ full: true })).toEqual({ ok: true, checked: 200 });
    });

    it("rolls back an event appended inside atomically() when the work throws, leaving no gap", async () => {
      expect(store.atomically).toBeDefined();
      await store.append(auditEvent(1));
      await expect(
        store.atomically?.(async () => {
          await store.append(auditEvent(2));
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      const kept = await store.atomically?.(async () => store.append(auditEvent(3)));
      expect(kept?.seq).toBe(2);
      expect((await store.readRange(0, 10)).map((r) => r.requestId)).toEqual(["req-1", "req-3"]);
      expect(await new AuditService(store).verify()).toEqual({ ok: true, checked: 2 });
    });

    it("lists by entity, actor, exact action, action prefix and time, in seq order, with paging both ways", async () => {
      for (let n = 1; n <= 30; n++) await store.append(auditEvent(n));
      const seqs = async (query: Parameters<AuditStore["list"]>[0]) => (await store.list(query)).items.map((r) => r.seq);
      expect(await seqs({ entityType: "run", entityId: "e1", maxResults: 100 })).toEqual([1, 5, 13, 17, 25, 29]);
      expect(await seqs({ actor: "ada", startTime: 1010, endTime: 1016, maxResults: 100 })).toEqual([10, 12, 14, 16]);
      expect(await seqs({ action: "registry.alias.set", maxResults: 100 })).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
      expect(await seqs({ action: "registry.*", maxResults: 3 })).toEqual([3, 6, 9]);
      expect(await seqs({ action: "registry.alias.se*", maxResults: 2 })).toEqual([3, 6]);
      expect(await seqs({ action: "registry", maxResults: 100 })).toEqual([]);
      expect(await seqs({ action: "*", maxResults: 2 })).toEqual([1, 2]);
      const pages: number[][] = [];
      let pageToken: string | undefined;
      do {
        const page = await store.list({ actor: "bob", maxResults: 4, ...(pageToken ? { pageToken } : {}) });
        pages.push(page.items.map((r) => r.seq));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(pages).toEqual([[1, 3, 5, 7], [9, 11, 13, 15], [17, 19, 21, 23], [25, 27, 29]]);
      const full = await store.list({ entityType: "registered_model", maxResults: 10 });
      expect(full.items).toHaveLength(10);
      expect(full.nextPageToken).toBeUndefined();
      const newest = await store.list({ actor: "bob", maxResults: 6, newestFirst: true });
      expect(newest.items.map((r) => r.seq)).toEqual([29, 27, 25, 23, 21, 19]);
      expect((await store.list({ actor: "bob", maxResults: 6, newestFirst: true, pageToken: newest.nextPageToken ?? "" })).items.map((r) => r.seq)).toEqual([
        17, 15, 13, 11, 9, 7,
      ]);
      await expect(store.list({ maxResults: 2, pageToken: newest.nextPageToken ?? "" })).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
      await expect(store.list({ maxResults: 1, pageToken: "nonsense" })).rejects.toMatchObject({
        code: "INVALID_PARAMETER_VALUE",
        message: "Invalid page_token 'nonsense': not a token returned by audit/events.",
      });
    });

    it("remembers the highest seq ever assigned: removed newest events are reported, not replaced", async () => {
      for (let n = 1; n <= 5; n++) await store.append(auditEvent(n));
      await opened.removeEventsFrom(4);
      expect(await store.lastAssignedSeq()).toBe(5);
      expect(await new AuditService(store).verify({ full: true })).toEqual({
        ok: false,
        checked: 3,
        problems: [{ seq: 4, reason: "missing: events 4..5 were removed" }],
      });
      expect((await store.append(auditEvent(6))).seq).toBe(6);
    });

    it("verifies incrementally from the stored checkpoint, and fully on request", async () => {
      const service = new AuditService(store, { clock: () => 77 });
      for (let n = 1; n <= 10; n++) await store.append(auditEvent(n));
      expect(await service.verify({ by: "ada" })).toEqual({ ok: true, checked: 10 });
      expect(await store.readCheckpoint?.()).toEqual({ seq: 10, hash: (await store.readRange(9, 1))[0]?.hash, verifiedTime: 77, verifiedBy: "ada" });
      for (let n = 11; n <= 14; n++) await store.append(auditEvent(n));
      expect(await service.verify()).toEqual({ ok: true, checked: 4, from_seq: 10 });
      expect((await store.readCheckpoint?.())?.seq).toBe(14);
      // Nothing new: nothing to walk, the checkpoint stays.
      expect(await service.verify()).toEqual({ ok: true, checked: 0, from_seq: 14 });
      // A change before the checkpoint is not walked by an incremental verify; a full one finds it.
      await opened.editEvent(3, '{"n":"forged"}');
      expect(await service.verify()).toEqual({ ok: true, checked: 0, from_seq: 14 });
      expect(await service.verify({ full: true })).toEqual({
        ok: false,
        checked: 14,
        problems: [{ seq: 3, reason: "hash mismatch: the event was changed" }],
      });
      // A change after it is found by the next incremental verify, and no checkpoint is left past a broken chain.
      await store.append(auditEvent(15));
      await store.append(auditEvent(16));
      await opened.editEvent(16, '{"n":"forged"}');
      expect(await service.verify()).toEqual({
        ok: false,
        checked: 2,
        from_seq: 14,
        problems: [{ seq: 16, reason: "hash mismatch: the event was changed" }],
      });
      expect((await store.readCheckpoint?.())?.seq).toBe(14);
      // The checkpoint's own event rewritten: the incremental verify says so.
      await opened.editEvent(14, '{"n":"forged"}');
      const report = await service.verify();
      expect(report.ok).toBe(false);
      expect(report.problems?.[0]).toEqual({ seq: 14, reason: "checkpoint broken: event 14 no longer has the hash verified earlier (run a full verify)" });
    });

    it("keeps pending run-data digests: lock, save, take once, due by first write", async () => {
      const digests = store.digests;
      expect(digests).toBeDefined();
      if (digests === undefined) return;
      const actor = { name: "ada", verified: true };
      await store.atomically?.(async () => {
        expect(await digests.lock("r1")).toBeUndefined();
        await digests.save(addWrite(undefined, { runId: "r1", rows: rows(0), time: 100, actor, requestId: "q0" }));
      });
      await store.atomically?.(async () => {
        const pending = await digests.lock("r1");
        expect(pending?.writes).toBe(1);
        await digests.save(addWrite(pending, { runId: "r1", rows: rows(1), time: 200, actor, requestId: "q1" }));
        await digests.save(addWrite(undefined, { runId: "r2", rows: rows(2), time: 150, actor, requestId: "q2" }));
      });
      expect(await digests.due(150, 10)).toEqual(["r1", "r2"]);
      expect(await digests.due(120, 10)).toEqual(["r1"]);
      expect(await digests.due(99, 10)).toEqual([]);
      const taken = await store.atomically?.(() => digests.take("r1"));
      expect(taken).toEqual({
        ...addWrite(addWrite(undefined, { runId: "r1", rows: rows(0), time: 100, actor, requestId: "q0" }), {
          runId: "r1",
          rows: rows(1),
          time: 200,
          actor,
          requestId: "q1",
        }),
      });
      expect(await store.atomically?.(() => digests.take("r1"))).toBeUndefined();
      expect(await digests.due(1000, 10)).toEqual(["r2"]);
    });

    it("appends a run's data as digest events: every N writes, when due, and at the run's end, each write exactly once", async () => {
      let now = 1000;
      const service = new AuditService(store, { clock: () => now, digests: { everyWrites: 4, intervalMs: 500 } });
      const context = { actor: { name: "ada", verified: false }, requestId: "" };
      const write = async (i: number) => {
        // A collecting store finds the stored rows; the others are told in the write's unit. Either way the write is
        // in the run's pending digest when this returns.
        await (opened.storeRunData?.("run1", rows(i)) ??
          service.atomically(() => service.recordRunData({ ...context, requestId: `w${i}` }, "run1", rows(i), { action: "x", entityType: "run", entityId: "run1" })));
        await service.collectCommitted(true);
      };
      for (let i = 0; i < 10; i++) await write(i);
      let events = (await store.readRange(0, 100)).filter((e) => e.action === DATA_DIGEST_ACTION);
      expect(events.map((e) => JSON.parse(e.afterJson ?? "{}").writes)).toEqual([4, 4]);
      now = 1600;
      expect(await service.flushDue()).toBe(1);
      await write(10);
      await service.atomically(() => service.closeRunData("run1", "run_end"));
      events = (await store.readRange(0, 100)).filter((e) => e.action === DATA_DIGEST_ACTION);
      const snapshots = events.map((e) => JSON.parse(e.afterJson ?? "{}") as { writes: number; reason: string; step_range: number[]; metrics: number });
      expect(snapshots.map((s) => [s.reason, s.writes, s.step_range])).toEqual([
        ["writes", 4, [0, 3]],
        ["writes", 4, [4, 7]],
        ["interval", 2, [8, 9]],
        ["run_end", 1, [10, 10]],
      ]);
      // The last writer of each interval, or (a collection does not know each row's writer) the collection.
      expect(events.map((e) => e.requestId)).toEqual(opened.storeRunData ? Array(4).fill("audit-digest-collection") : ["w3", "w7", "w9", "w10"]);
      expect(await service.verify({ full: true })).toEqual({ ok: true, checked: 4 });
    });
  });
}
