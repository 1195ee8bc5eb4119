import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeploymentStore } from "./deployment.js";
import { ShadowKeeper } from "./shadow-keeper.js";
import { ShadowRecorder } from "./shadow-report.js";
import { recordShadowEvent } from "./test-support/shadow-events.js";
import { actor, deployment, type OpenedDeploymentStore } from "./store.contract.js";

/**
 * Compaction of dead shadow report parts, through ShadowKeeper over each DeploymentStore backend (run by the SQLite
 * and PostgreSQL store tests): counts exact before and after, concurrent compactions, live parts and comparison
 * boundaries respected, a stalled process's part compacted under it.
 */

const LIVENESS_MS = 60_000;

/** `count` events of the deterministic stream (from `seed`), each recorded on every one of `recorders`. */
const play = (recorders: readonly ShadowRecorder[], count: number, seed = 0): void => {
  for (let n = 0; n < count; n += 1) for (const recorder of recorders) recordShadowEvent(recorder, n + seed);
};

const shadowEntry = (time: number, from: string | undefined, to: string) => ({
  deployment: "prod",
  time,
  role: "shadow" as const,
  ...(from !== undefined ? { from } : {}),
  to,
  reason: "shadow" as const,
  actor,
  requestId: `r${time}`,
});

export function describeShadowCompactionContract(name: string, open: () => Promise<OpenedDeploymentStore>): void {
  describe(`shadow report part compaction: ${name}`, () => {
    let opened: OpenedDeploymentStore;
    let store: DeploymentStore;
    let now: number;
    const clock = (): number => now;
    const keeper = (replica: string, on: DeploymentStore = store): ShadowKeeper => new ShadowKeeper(on, { clock, replica, livenessMs: LIVENESS_MS });
    /** A process that counted `events` on its own recorder of the comparison, saved it, and died (no stop). */
    const crashed = async (replica: string, since: number, events: number, seed: number, reference: ShadowRecorder, share = 0.5, candidate = "2"): Promise<void> => {
      now = since;
      const k = keeper(replica);
      const recorder = k.newRecorder("prod", "1", candidate, share);
      play([recorder, reference], events, seed);
      await k.save(recorder);
    };

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      now = 1_000;
      await store.create({ ...deployment, policy: { primary: "1", shadow: { version: "2", share: 0.5 } } }, [shadowEntry(500, undefined, "2")]);
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it("ends 50 crashed processes' parts as one compacted part with the exact sums", async () => {
      const all = new ShadowRecorder("prod", "1", "2", 0.5, 1_000);
      // 50 processes, 300 events each: 15,000 latencies per side, beyond the exact limit (bins merge).
      for (let p = 0; p < 50; p += 1) await crashed(`host:${p}:crashed`, 1_000 + p, 300, p * 300, all);
      const survivor = keeper("host:99:alive");
      const [before] = await survivor.combined("prod", undefined);
      expect(before?.report).toEqual(all.report());
      expect(before?.replicas).toBe(50);
      expect((await store.shadowReports("prod")).length).toBe(50);

      // Not yet dead: each saved within the liveness bound.
      now = 1_000 + LIVENESS_MS;
      expect(await survivor.compact("prod", undefined)).toBe(0);
      now = 1_050 + LIVENESS_MS;
      expect(await survivor.compact("prod", undefined)).toBe(50);
      const parts = await store.shadowReports("prod");
      expect(parts).toHaveLength(1);
      expect(parts[0]).toMatchObject({ released: true, mergedParts: 50, updatedTime: 1_049 });
      expect(parts[0]?.replica).toMatch(/^compacted:[0-9a-f]{12}$/);
      expect(parts[0]?.state.mirrored).toBe(15_000);
      const [after] = await survivor.combined("prod", undefined);
      expect(after?.report).toEqual(all.report());
      expect(after?.report).toMatchObject({ mirrored: 15_000, since: 1_000 });
      expect(after?.replicas).toBe(50);
      expect(after?.parts).toEqual([{ replica: parts[0]?.replica, updatedTime: 1_049, released: true, mergedParts: 50 }]);

      // Later crashes join the compacted part (never a second one), and nothing is left to merge after.
      await crashed("host:51:crashed", 70_000, 20, 0, all);
      await crashed("host:52:crashed", 70_001, 20, 20, all);
      now = 70_002 + LIVENESS_MS;
      expect(await survivor.compact("prod", undefined)).toBe(3);
      expect(await survivor.compact("prod", undefined)).toBe(0);
      expect((await store.shadowReports("prod")).map((p) => p.mergedParts)).toEqual([52]);
      const [last] = await survivor.combined("prod", undefined);
      expect(last?.report).toEqual(all.report());
      expect(last?.replicas).toBe(52);
    });

    it("never compacts a live part, keeps each comparison's parts apart, and leaves a lone dead part as it is", async () => {
      const a = new ShadowRecorder("prod", "1", "2", 0.5, 1_000);
      const b = new ShadowRecorder("prod", "1", "2", 0.25, 2_000);
      const c = new ShadowRecorder("prod", "1", "3", 0.5, 3_000);
      // Comparison A (v2, share 0.5, set at 500): two dead, one released, one live elsewhere, one live here.
      await crashed("dead-a1", 1_000, 30, 0, a);
      await crashed("dead-a2", 1_001, 30, 30, a);
      now = 1_002;
      const stopping = keeper("stopped-a3");
      const stopped = stopping.newRecorder("prod", "1", "2", 0.5);
      play([stopped, a], 30, 60);
      await stopping.save(stopped, true);
      now = 1_003;
      const elsewhere = keeper("live-a4");
      const other = elsewhere.newRecorder("prod", "1", "2", 0.5);
      play([other, a], 30, 90);
      await elsewhere.save(other);
      const here = keeper("live-a5");
      const mine = here.newRecorder("prod", "1", "2", 0.5);
      play([mine, a], 30, 120);
      await here.save(mine);
      // Comparison B: the share changed to 0.25 (no history entry; the parts' share tells it apart). Two dead parts.
      await crashed("dead-b1", 2_000, 10, 0, b, 0.25);
      await crashed("dead-b2", 2_001, 10, 10, b, 0.25);
      // Comparison C: the shadow set to v3 at 3,000. Two dead parts; D: back to v2 at 4,000, one dead part.
      await store.update({ ...deployment, policy: { primary: "1", shadow: { version: "3", share: 0.5 } }, lastUpdatedTime: 3_000 }, [shadowEntry(3_000, "2", "3")]);
      await crashed("dead-c1", 3_000, 10, 0, c, 0.5, "3");
      await crashed("dead-c2", 3_001, 10, 10, c, 0.5, "3");
      await store.update({ ...deployment, policy: { primary: "1", shadow: { version: "2", share: 0.5 } }, lastUpdatedTime: 4_000 }, [shadowEntry(4_000, "3", "2")]);
      const d = new ShadowRecorder("prod", "1", "2", 0.5, 4_000);
      await crashed("dead-d1", 4_000, 10, 0, d);

      // Long after: `elsewhere` is alive and touches its part (nothing new counted); `here` compacts, its own part kept.
      now = 4_000 + 40_000;
      await elsewhere.save(other);
      now = 4_001 + LIVENESS_MS;
      const summed = (await here.combined("prod", mine)).map((r) => r.report);
      expect(await here.compact("prod", mine)).toBe(3 + 2 + 2);
      const parts = (await store.shadowReports("prod")).map((p) => [p.report.candidate_version, p.report.share, p.replica.startsWith("compacted:") ? "compacted" : p.replica, p.mergedParts]);
      expect(parts.sort()).toEqual(
        [
          ["2", 0.5, "compacted", 3],
          ["2", 0.5, "live-a4", undefined],
          ["2", 0.5, "live-a5", undefined],
          ["2", 0.5, "dead-d1", undefined],
          ["2", 0.25, "compacted", 2],
          ["3", 0.5, "compacted", 2],
        ].sort(),
      );
      const combined = await here.combined("prod", mine);
      expect(combined.map((r) => r.report)).toEqual(summed);
      expect(combined.map((r) => [r.report.candidate_version, r.report.share, r.report.mirrored, r.replicas])).toEqual([
        ["2", 0.5, 10, 1],
        ["3", 0.5, 20, 2],
        ["2", 0.25, 20, 2],
        ["2", 0.5, 150, 5],
      ]);
      expect(combined[3]?.report).toEqual(a.report());
      expect(combined[2]?.report).toEqual(b.report());
      expect(combined[1]?.report).toEqual(c.report());
      expect(combined[0]?.report).toEqual(d.report());
    });

    it("merges every dead part once when two replicas compact at once", async () => {
      const second = await opened.another();
      try {
        const all = new ShadowRecorder("prod", "1", "2", 0.5, 1_000);
        for (let p = 0; p < 30; p += 1) await crashed(`host:${p}:crashed`, 1_000 + p, 40, p * 40, all);
        now = 2_000 + LIVENESS_MS;
        const merged = await Promise.all([keeper("one").compact("prod", undefined), keeper("two", second.store).compact("prod", undefined)]);
        // Each reads the 30 parts; one merges them, the other's check finds them gone and changes nothing.
        expect([...merged].sort()).toEqual([0, 30]);
        const parts = await store.shadowReports("prod");
        expect(parts.map((p) => p.mergedParts)).toEqual([30]);
        const [combined] = await keeper("reader").combined("prod", undefined);
        expect(combined?.report).toEqual(all.report());
        expect(combined?.report.latency.primary.count).toBe(all.report().latency.primary.count);
      } finally {
        await second.close();
      }
    });

    it("touches a live process's part though it counted nothing new, so that it is not taken as dead", async () => {
      const quiet = keeper("quiet");
      const recorder = quiet.newRecorder("prod", "1", "2", 0.5);
      play([recorder], 10);
      await quiet.save(recorder);
      await crashed("dead-1", 1_001, 5, 0, new ShadowRecorder("prod", "1", "2", 0.5, 1_000));
      // Within a quarter of the bound: nothing written. Past it: a touch.
      now = 1_000 + LIVENESS_MS / 4 - 1;
      await quiet.save(recorder);
      expect((await store.shadowReports("prod")).find((p) => p.replica === "quiet")?.updatedTime).toBe(1_000);
      now = 1_000 + LIVENESS_MS / 2;
      await quiet.save(recorder);
      expect((await store.shadowReports("prod")).find((p) => p.replica === "quiet")?.updatedTime).toBe(now);
      now = 1_001 + LIVENESS_MS + 1;
      // Only one dead part (dead-1): nothing to merge; the quiet part is alive.
      expect(await keeper("other").compact("prod", undefined)).toBe(0);
      expect((await store.shadowReports("prod")).map((p) => p.replica).sort()).toEqual(["dead-1", "quiet"]);
    });

    it("counts nothing twice when a stalled process's part was compacted under it: it saves and answers only what it counted since", async () => {
      const all = new ShadowRecorder("prod", "1", "2", 0.5, 1_000);
      const stalled = keeper("stalled");
      const recorder = stalled.newRecorder("prod", "1", "2", 0.5);
      play([recorder, all], 40);
      await stalled.save(recorder);
      await crashed("dead-1", 1_001, 25, 40, all);
      // The stalled process misses its touches; another replica compacts both parts.
      now = 1_002 + LIVENESS_MS;
      expect(await keeper("other").compact("prod", undefined)).toBe(2);
      // It wakes up and counts more: its live answer and its next save hold only what it counted since.
      play([recorder, all], 35, 65);
      const live = await stalled.combinedOf("prod", recorder, recorder);
      expect(live.report).toEqual(all.report());
      await stalled.save(recorder);
      const parts = await store.shadowReports("prod");
      expect(parts.map((p) => [p.replica.startsWith("compacted:") ? "compacted" : p.replica, p.state.mirrored])).toEqual([
        ["stalled", 35],
        ["compacted", 65],
      ]);
      const [saved] = await keeper("reader").combined("prod", undefined);
      expect(saved?.report).toEqual(all.report());
      expect(saved?.replicas).toBe(3);

      // Stalled again, this time with nothing new counted: its touch finds the part gone; later counts are a new part.
      const wakes = now + 2 * LIVENESS_MS;
      await crashed("dead-2", wakes - LIVENESS_MS - 1, 5, 100, all);
      now = wakes + 1;
      expect(await keeper("other").compact("prod", undefined)).toBe(3);
      await stalled.save(recorder);
      expect((await store.shadowReports("prod")).map((p) => p.replica.startsWith("compacted:"))).toEqual([true]);
      play([recorder, all], 12, 200);
      await stalled.save(recorder);
      expect((await store.shadowReports("prod")).find((p) => p.replica === "stalled")?.state.mirrored).toBe(12);
      const [final] = await keeper("reader").combined("prod", undefined);
      expect(final?.report).toEqual(all.report());
      expect((await stalled.combinedOf("prod", recorder, recorder)).report).toEqual(all.report());
    });
  });
}
