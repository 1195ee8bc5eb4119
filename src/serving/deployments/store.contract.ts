import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Deployment, DeploymentStore, HistoryEntry, SavedShadowReport } from "./deployment.js";

/**
 * The contract every DeploymentStore backend passes (SQLite, PostgreSQL). Each test gets a fresh, empty store;
 * `another` opens a second connection to the same database (a second replica); `healthRows` reads deployment_health.
 */
export interface OpenedDeploymentStore {
  store: DeploymentStore;
  another(): Promise<{ store: DeploymentStore; close(): Promise<void> }>;
  healthRows(): Promise<Array<{ name: string; state: string; reason: string | null; changed_time: number }>>;
  cleanup(): Promise<void>;
}

export const actor = { name: "ada", verified: false };
export const deployment: Deployment = {
  name: "prod",
  modelUri: "models:/churn@champion",
  modelName: "churn",
  policy: { primary: "1" },
  followedVersion: "1",
  options: { maxBatchSize: 16, predictionLogSampleRate: 0.5, inferenceWorker: false },
  createdTime: 10,
  lastUpdatedTime: 10,
};
export const entry = (role: HistoryEntry["role"], from: string | undefined, to: string | undefined, reason: HistoryEntry["reason"], time: number): HistoryEntry => ({
  deployment: "prod",
  time,
  role,
  ...(from ? { from } : {}),
  ...(to ? { to } : {}),
  reason,
  actor,
  requestId: `r${time}`,
});

const emptyReport: SavedShadowReport["report"] = {
  deployment: "prod",
  primary_version: "1",
  candidate_version: "2",
  share: 1,
  since: 1,
  mirrored: 0,
  compared: 0,
  primary_errors: 0,
  candidate_errors: 0,
  class_compared: 0,
  same_class: 0,
  agreement_rate: null,
  abs_diff: { mean: null, max: null },
  rel_diff: { mean: null, max: null },
  latency: { primary: { count: 0, p50_ms: null, p99_ms: null }, candidate: { count: 0, p50_ms: null, p99_ms: null } },
};
const emptyState: SavedShadowReport["state"] = {
  mirrored: 0,
  compared: 0,
  primary_errors: 0,
  candidate_errors: 0,
  class_compared: 0,
  same_class: 0,
  abs_sum: 0,
  abs_max: null,
  rel_sum: 0,
  rel_max: null,
  diff_count: 0,
  primary_latency: { seen: 0, samples: [] },
  candidate_latency: { seen: 0, samples: [] },
};

export function describeDeploymentStoreContract(name: string, open: () => Promise<OpenedDeploymentStore>): void {
  describe(`DeploymentStore contract: ${name}`, () => {
    let opened: OpenedDeploymentStore;
    let store: DeploymentStore;
    /** Which parts of deployment prod's shadow reports are stored, at which revision: what a compaction reads first. */
    const storedPartKeys = async () =>
      (await store.shadowReports("prod")).map((p) => ({
        deployment: "prod",
        since: p.report.since,
        candidateVersion: p.report.candidate_version,
        replica: p.replica,
        revision: p.revision ?? -1,
      }));

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it("round-trips deployments and appends history in order, which outlives a delete", async () => {
      await store.create(deployment, [entry("primary", undefined, "1", "create", 10)]);
      expect(await store.get("prod")).toEqual(deployment);
      await expect(store.create(deployment, [])).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS", message: "Deployment 'prod' already exists." });

      const updated: Deployment = {
        ...deployment,
        policy: { primary: "1", canary: { version: "2", weight: 0.25, sticky: true }, shadow: { version: "3", share: 0.1 } },
        options: { maxLatencyMs: 2.5, predictionLogSampleRate: 1, inferenceWorker: true },
        lastError: "boom",
        lastUpdatedTime: 20,
      };
      await store.update(updated, [entry("canary", undefined, "2", "canary", 20), entry("shadow", undefined, "3", "shadow", 21)]);
      expect(await store.get("prod")).toEqual(updated);
      expect(await store.list()).toEqual([updated]);
      expect(await store.findByModel("churn")).toEqual([updated]);
      expect(await store.findByModel("other")).toEqual([]);

      await store.delete("prod", [entry("primary", "1", undefined, "delete", 30)]);
      expect(await store.get("prod")).toBeUndefined();
      expect(await store.history("prod")).toEqual([
        entry("primary", undefined, "1", "create", 10),
        entry("canary", undefined, "2", "canary", 20),
        entry("shadow", undefined, "3", "shadow", 21),
        entry("primary", "1", undefined, "delete", 30),
      ]);
      await expect(store.update(updated, [])).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
      await expect(store.delete("prod", [])).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    });

    it("writes nothing of a change whose history cannot be stored (one transaction)", async () => {
      await store.create(deployment, []);
      const bad = { ...entry("canary", undefined, "2", "canary", 20), reason: "unknown" as HistoryEntry["reason"] };
      await expect(store.update({ ...deployment, policy: { primary: "9" } }, [bad])).rejects.toThrow(/check constraint/i);
      expect((await store.get("prod"))?.policy).toEqual({ primary: "1" });
      expect(await store.history("prod")).toEqual([]);
    });

    it("saves one shadow report per (deployment, since, candidate, replica), replacing it on each save, newest first, kept after a delete", async () => {
      await store.create(deployment, []);
      const saved = (since: number, candidate: string, mirrored: number, updatedTime: number, replica = "r1", released = false): SavedShadowReport => ({
        report: {
          deployment: "prod",
          primary_version: "1",
          candidate_version: candidate,
          share: 0.5,
          since,
          mirrored,
          compared: mirrored,
          primary_errors: 0,
          candidate_errors: 0,
          class_compared: mirrored,
          same_class: mirrored,
          agreement_rate: mirrored === 0 ? null : 1,
          abs_diff: { mean: Number.NaN, max: Number.POSITIVE_INFINITY },
          rel_diff: { mean: 0.25, max: null },
          latency: { primary: { count: mirrored, p50_ms: 1.5, p99_ms: 2 }, candidate: { count: mirrored, p50_ms: null, p99_ms: null } },
        },
        state: {
          mirrored,
          compared: mirrored,
          primary_errors: 0,
          candidate_errors: 0,
          class_compared: mirrored,
          same_class: mirrored,
          abs_sum: Number.NaN,
          abs_max: Number.POSITIVE_INFINITY,
          rel_sum: 0.5,
          rel_max: null,
          diff_count: 2,
          primary_latency: { seen: 2, samples: [1.5, 2] },
          candidate_latency: { seen: 0, samples: [], bins: [] },
        },
        updatedTime,
        replica,
        released,
      });
      expect(await store.shadowReports("prod")).toEqual([]);
      await store.saveShadowReport(saved(100, "2", 3, 110));
      await store.saveShadowReport(saved(100, "2", 7, 120));
      await store.saveShadowReport(saved(200, "3", 1, 210));
      await store.saveShadowReport(saved(100, "3", 4, 130));
      // Every save of a part bumps its revision (a compaction's check).
      expect(await store.shadowReports("prod")).toEqual([
        { ...saved(200, "3", 1, 210), revision: 0 },
        { ...saved(100, "3", 4, 130), revision: 0 },
        { ...saved(100, "2", 7, 120), revision: 1 },
      ]);
      expect(await store.shadowReports("other")).toEqual([]);
      await store.delete("prod", []);
      expect((await store.shadowReports("prod")).map((s) => s.report.mirrored)).toEqual([1, 4, 7]);
    });

    it("keeps every replica's part of one comparison apart: each replaced only by its own replica's saves", async () => {
      const part = (replica: string, mirrored: number, updatedTime: number, released = false): SavedShadowReport => ({
        report: { ...emptyReport, since: 100, mirrored },
        state: { ...emptyState, mirrored, primary_latency: { seen: 1, samples: [2.5], bins: [[47, 1]] } },
        updatedTime,
        replica,
        released,
      });
      await store.saveShadowReport(part("host-a:1:aa", 3, 110));
      await store.saveShadowReport(part("host-b:2:bb", 5, 115));
      await store.saveShadowReport(part("host-c:3:cc", 2, 105, true));
      await store.saveShadowReport(part("host-a:1:aa", 4, 120));
      // Newest save first; the same time sorts by replica.
      await store.saveShadowReport(part("host-d:4:dd", 1, 115));
      expect(await store.shadowReports("prod")).toEqual([
        { ...part("host-a:1:aa", 4, 120), revision: 1 },
        { ...part("host-b:2:bb", 5, 115), revision: 0 },
        { ...part("host-d:4:dd", 1, 115), revision: 0 },
        { ...part("host-c:3:cc", 2, 105, true), revision: 0 },
      ]);
    });

    it("hands a released part over to exactly one claimant; an unreleased or unknown part to none", async () => {
      const part = (replica: string, released: boolean): SavedShadowReport => ({ report: { ...emptyReport, since: 100, mirrored: 7 }, state: emptyState, updatedTime: 110, replica, released });
      await store.saveShadowReport(part("stopped", true));
      await store.saveShadowReport(part("running", false));
      const key = (replica: string) => ({ deployment: "prod", since: 100, candidateVersion: "2", replica });
      const claims = await Promise.all([store.claimShadowReport(key("stopped"), "new-1"), store.claimShadowReport(key("stopped"), "new-2")]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = claims[0] ? "new-1" : "new-2";
      expect(await store.claimShadowReport(key("running"), "new-3")).toBe(false);
      expect(await store.claimShadowReport(key("gone"), "new-3")).toBe(false);
      expect(await store.claimShadowReport({ ...key("stopped"), since: 101 }, "new-3")).toBe(false);
      const parts = await store.shadowReports("prod");
      expect(parts.map((p) => [p.replica, p.released, p.report.mirrored]).sort()).toEqual([
        ["running", false, 7],
        [winner, false, 7],
      ].sort());
    });

    it("saves an existing part only while it is there, touches say whether it is, and each write bumps the revision", async () => {
      const part = (mirrored: number, updatedTime: number): SavedShadowReport => ({
        report: { ...emptyReport, since: 100, mirrored },
        state: { ...emptyState, mirrored },
        updatedTime,
        replica: "host-a:1:aa",
        released: false,
      });
      const key = { deployment: "prod", since: 100, candidateVersion: "2", replica: "host-a:1:aa" };
      expect(await store.saveShadowReport(part(1, 110), true)).toBe(false);
      expect(await store.touchShadowReport(key, 111)).toBe(false);
      expect(await store.shadowReports("prod")).toEqual([]);
      expect(await store.saveShadowReport(part(1, 110))).toBe(true);
      expect(await store.saveShadowReport(part(2, 120), true)).toBe(true);
      expect(await store.touchShadowReport(key, 130)).toBe(true);
      expect(await store.touchShadowReport({ ...key, replica: "other" }, 130)).toBe(false);
      expect(await store.shadowReports("prod")).toEqual([{ ...part(2, 130), revision: 2 }]);
    });

    it("replaces parts still at the revision read by one compacted part, or, when any changed or is gone, changes nothing", async () => {
      const part = (replica: string, since: number, mirrored: number, released = false): SavedShadowReport => ({
        report: { ...emptyReport, since, mirrored },
        state: { ...emptyState, mirrored },
        updatedTime: since + 10,
        replica,
        released,
      });
      await store.saveShadowReport(part("dead-1", 100, 3));
      await store.saveShadowReport(part("dead-2", 101, 4, true));
      await store.saveShadowReport(part("dead-3", 102, 5));
      const compacted: SavedShadowReport = { ...part("compacted:aa", 100, 12, true), updatedTime: 112, mergedParts: 3 };
      const read = await storedPartKeys();
      expect(read.map((r) => r.revision)).toEqual([0, 0, 0]);
      // dead-3 saved again since it was read: the compaction would lose that save, so it changes nothing.
      await store.saveShadowReport(part("dead-3", 102, 6));
      expect(await store.compactShadowReports(read, compacted)).toBe(false);
      // One of them gone (another compaction took it): nothing changes either.
      const fresh = read.map((r) => (r.replica === "dead-3" ? { ...r, revision: 1 } : r));
      expect(await store.compactShadowReports([...fresh, { ...fresh[0]!, replica: "gone" }], compacted)).toBe(false);
      expect((await store.shadowReports("prod")).map((p) => [p.replica, p.report.mirrored])).toEqual([["dead-3", 6], ["dead-2", 4], ["dead-1", 3]]);
      expect(await store.compactShadowReports(fresh, { ...compacted, report: { ...compacted.report, mirrored: 13 }, state: { ...emptyState, mirrored: 13 } })).toBe(true);
      expect(await store.shadowReports("prod")).toEqual([
        { ...compacted, report: { ...compacted.report, mirrored: 13 }, state: { ...emptyState, mirrored: 13 }, revision: 0 },
      ]);
      // A compacted part is nobody's to continue, released or not.
      expect(await store.claimShadowReport({ deployment: "prod", since: 100, candidateVersion: "2", replica: "compacted:aa" }, "new")).toBe(false);
      // Compacting the same parts again: they are gone.
      expect(await store.compactShadowReports(fresh, { ...compacted, replica: "compacted:bb" })).toBe(false);
      expect((await store.shadowReports("prod")).map((p) => p.replica)).toEqual(["compacted:aa"]);
    });

    it("merges parts once when two replicas compact them at once, and loses no save racing a compaction", async () => {
      const other = await opened.another();
      try {
        const part = (replica: string, mirrored: number): SavedShadowReport => ({
          report: { ...emptyReport, since: 100, mirrored },
          state: { ...emptyState, mirrored },
          updatedTime: 110,
          replica,
          released: false,
        });
        const replicas = Array.from({ length: 20 }, (_, i) => `dead-${String(i).padStart(2, "0")}`);
        for (const [i, replica] of replicas.entries()) await store.saveShadowReport(part(replica, i + 1));
        const read = await storedPartKeys();
        // Each replica merges the same 20 parts (sum 210) into its own compacted part, in its own order.
        const compacted = (replica: string): SavedShadowReport => ({ ...part(replica, 210), released: true, mergedParts: 20 });
        const results = await Promise.all([
          store.compactShadowReports(read, compacted("compacted:one")),
          other.store.compactShadowReports([...read].reverse(), compacted("compacted:two")),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const after = await store.shadowReports("prod");
        expect(after.map((p) => [p.replica, p.report.mirrored, p.mergedParts])).toEqual([[results[0] ? "compacted:one" : "compacted:two", 210, 20]]);

        // A save racing a compaction of its part: either the save lands first (the compaction changes nothing) or the
        // compaction does (the save, as an existing part's, is refused): never both.
        await store.saveShadowReport(part("live", 1));
        const [live] = (await store.shadowReports("prod")).filter((p) => p.replica === "live");
        const key = { deployment: "prod", since: 100, candidateVersion: "2", replica: "live", revision: live?.revision ?? -1 };
        const [compactedIt, savedIt] = await Promise.all([
          other.store.compactShadowReports([key], { ...part("compacted:three", 1), released: true, mergedParts: 1 }),
          store.saveShadowReport(part("live", 2), true),
        ]);
        expect(compactedIt).not.toBe(savedIt);
        const total = (await store.shadowReports("prod")).filter((p) => p.replica !== after[0]?.replica).map((p) => p.report.mirrored);
        expect(total).toEqual([savedIt ? 2 : 1]);
      } finally {
        await other.close();
      }
    });

    it("keeps a deployment name that looks like a number a string", async () => {
      await store.saveShadowReport({
        report: { ...emptyReport, deployment: "NaN", candidate_version: "Infinity" },
        state: emptyState,
        updatedTime: 5,
        replica: "r",
        released: false,
      });
      expect((await store.shadowReports("NaN"))[0]?.report).toMatchObject({ deployment: "NaN", candidate_version: "Infinity" });
    });

    it("records health verdicts and says which call changed the state: a first degraded, each flip, never a repeat", async () => {
      await store.create(deployment, []);
      expect(await store.recordHealth("prod", "serving", undefined, 10)).toBe(false);
      expect(await store.recordHealth("prod", "serving", undefined, 11)).toBe(false);
      expect(await store.recordHealth("prod", "degraded", "alias names 2, 1 serves", 12)).toBe(true);
      // A second replica (another connection on the same database) reaching the same verdict is told it changed nothing.
      const other = await opened.another();
      expect(await other.store.recordHealth("prod", "degraded", "alias names 2, 1 serves", 13)).toBe(false);
      await other.close();
      expect(await opened.healthRows()).toEqual([
        { name: "prod", state: "degraded", reason: "alias names 2, 1 serves", changed_time: 12 },
      ]);
      expect(await store.recordHealth("prod", "serving", undefined, 14)).toBe(true);
      expect(await store.recordHealth("new", "degraded", "nothing loads", 15)).toBe(true);
      await store.delete("prod", []);
      expect((await opened.healthRows()).map((row) => row.name)).toEqual(["new"]);
    });

    it("marks versions failed: read back with the deployment, replaced by a newer mark, kept by update() and removed by delete()", async () => {
      await store.create(deployment, []);
      await store.markVersionFailed("prod", { version: "2", kind: "timeout", reason: "inference exceeded 30 s", time: 20 });
      await store.markVersionFailed("prod", { version: "1", kind: "crash", reason: "executor killed by SIGKILL", time: 30 });
      await store.markVersionFailed("prod", { version: "2", kind: "output-size", reason: "150000000 elements", time: 40 });
      const expected = [
        { version: "1", kind: "crash", reason: "executor killed by SIGKILL", time: 30 },
        { version: "2", kind: "output-size", reason: "150000000 elements", time: 40 },
      ];
      expect((await store.get("prod"))?.failedVersions).toEqual(expected);
      expect((await store.list())[0]?.failedVersions).toEqual(expected);
      expect((await store.findByModel("churn"))[0]?.failedVersions).toEqual(expected);
      await store.update({ ...deployment, lastUpdatedTime: 50 }, []);
      expect((await store.get("prod"))?.failedVersions).toEqual(expected);
      await store.delete("prod", []);
      await store.create(deployment, []);
      expect((await store.get("prod"))?.failedVersions).toBeUndefined();
      await expect(store.markVersionFailed("nope", { version: "1", kind: "timeout", reason: "x", time: 1 })).rejects.toThrow("Deployment 'nope' does not exist.");
    });

    it("updates only a row still as it was read when asked to (compare-and-set on last_updated_time)", async () => {
      await store.create(deployment, []);
      const read = (await store.get("prod")) ?? deployment;
      const move = entry("primary", read.policy.primary, "2", "alias-moved", 20);
      expect(await store.update({ ...read, policy: { primary: "2" }, lastUpdatedTime: 20 }, [move], read.lastUpdatedTime)).toBe(true);
      // A second replica that read the same row follows the same move: nothing written, no second history entry.
      expect(await store.update({ ...read, policy: { primary: "2" }, lastUpdatedTime: 21 }, [{ ...move, time: 21 }], read.lastUpdatedTime)).toBe(false);
      expect((await store.get("prod"))?.lastUpdatedTime).toBe(20);
      expect((await store.history("prod")).map((h) => [h.reason, h.time])).toEqual([["alias-moved", 20]]);
      await expect(store.update({ ...read, name: "nope" }, [], 20)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    });

    it("tells a watcher the name of each deployment whose served state changed, where the backend notifies", async () => {
      const seen: Array<string | undefined> = [];
      const other = await opened.another();
      const stop = await other.store.watchChanges((changed) => seen.push(changed));
      try {
        await store.create(deployment, []);
        await store.update({ ...deployment, policy: { primary: "2" }, lastUpdatedTime: 20 }, []);
        await store.markVersionFailed("prod", { version: "2", kind: "timeout", reason: "slow", time: 30 });
        // An announced alias move changes nothing stored, and is heard like a change (replicas preload its version).
        expect(store.announce !== undefined).toBe(store.notifiesChanges);
        await store.announce?.("prod");
        expect((await store.get("prod"))?.policy).toEqual({ primary: "2" });
        await store.delete("prod", []);
        if (store.notifiesChanges) {
          const deadline = Date.now() + 2000;
          while (seen.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
          expect(seen).toEqual(["prod", "prod", "prod", "prod", "prod"]);
        } else {
          expect(seen).toEqual([]);
        }
      } finally {
        await stop();
        await other.close();
      }
    });
  });
}
