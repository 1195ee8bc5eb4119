import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../../core/clock.js";
import type { Deployment, DeploymentStore, SavedShadowReport, ShadowPartKey } from "./deployment.js";
import { changeTimesOf, combine, combineAll, comparisonKey, currentOf, savedPart, type CombinedShadowReport, type CurrentShadowReport, type PartInput } from "./shadow-combine.js";
import { DEFAULT_PART_LIVENESS_MS, partKeyString, plannedCompactions } from "./shadow-compaction.js";
import { ShadowRecorder, shadowReportOf, shadowStateWithout, type ShadowRecorderState } from "./shadow-report.js";

export interface ShadowKeeperOptions {
  clock: Clock;
  /** This process's id in the parts it saves; a new random one by default (see newReplicaId). */
  replica?: string;
  onError?: (error: unknown, what: string) => void;
  /**
   * A part not saved for longer than this (ms) is dead (its process is gone) and may be compacted; this keeper touches
   * its own parts every quarter of it. DEFAULT_PART_LIVENESS_MS by default.
   */
  livenessMs?: number;
  /**
   * The live comparison of a deployment in this process (its routing's shadow), and the deployments this process
   * serves: what the deployment-wide answers and saves below read (the routing owns the live recorders).
   */
  liveOf?: (name: string) => ShadowRecorder | undefined;
  servedNames?: () => Iterable<string>;
}

/** host:pid:random — unique per server process, and says to an operator which machine and process a part is from. */
export const newReplicaId = (): string => `${hostname().slice(0, 64)}:${process.pid}:${randomBytes(4).toString("hex")}`;

/**
 * The persistence of shadow comparisons: new recorders, the saved one a restart continues, saves of what counted
 * something since its last save, the last report of a dropped shadow (readable until the next one starts), and the
 * report every replica's parts add up to. Each process saves its own part (keyed by its replica id), so replicas
 * never overwrite each other's counts. Saving never throws: a failure is logged and retried at the next save.
 */
export class ShadowKeeper {
  readonly replica: string;
  private readonly dropped = new Map<string, ShadowRecorder>();
  /** The recorder revision last saved to the store. */
  private readonly savedRevisions = new WeakMap<ShadowRecorder, number>();
  /** Recorders with a part in the store (saved, or continued from a saved one). */
  private readonly stored = new WeakSet<ShadowRecorder>();
  /** Recorders whose last save said "released" (the process is stopping). */
  private readonly released = new WeakSet<ShadowRecorder>();
  /** A stored recorder's full state at its last save (what its part holds, plus what was absorbed before). */
  private readonly lastSaved = new WeakMap<ShadowRecorder, ShadowRecorderState>();
  /** When a stored recorder's part was last written (saved or touched), by this process's clock. */
  private readonly lastWrite = new WeakMap<ShadowRecorder, number>();
  /**
   * Counts of a recorder already merged into a compacted part (its part was taken as dead: this process was stalled
   * past the liveness bound): its part and its live contribution are what it counted beyond them, so nothing counts twice.
   */
  private readonly absorbed = new WeakMap<ShadowRecorder, ShadowRecorderState>();
  /** When each deployment's parts were last compacted by this process. */
  private readonly compactedAt = new Map<string, number>();
  private readonly livenessMs: number;

  constructor(
    private readonly store: DeploymentStore,
    private readonly options: ShadowKeeperOptions,
  ) {
    this.replica = options.replica ?? newReplicaId();
    this.livenessMs = options.livenessMs ?? DEFAULT_PART_LIVENESS_MS;
  }

  /** A new comparison; saved once it has counted something. */
  newRecorder(deployment: string, primary: string, candidate: string, share: number): ShadowRecorder {
    const recorder = new ShadowRecorder(deployment, primary, candidate, share, this.options.clock());
    this.savedRevisions.set(recorder, recorder.revision);
    return recorder;
  }

  /**
   * At start-up: a saved part of this very shadow (same versions and share, started after the shadow and the
   * primary were last set) that this process may continue instead of starting from zero: its own, or one released by
   * a process that stopped (claimed atomically, so two processes starting together never continue the same part).
   * A part of a process that died without stopping stays as it is and keeps counting in the combined report.
   */
  async resumedRecorder(deployment: Deployment, primary: string, candidate: string, share: number): Promise<ShadowRecorder | undefined> {
    try {
      const history = await this.store.history(deployment.name);
      const setAt = Math.max(deployment.createdTime, ...changeTimesOf(history));
      // A compacted part is nobody's to continue: it stays as it is, counting in the combined report.
      const candidates = (await this.store.shadowReports(deployment.name)).filter(
        (s) =>
          s.mergedParts === undefined &&
          s.report.since >= setAt &&
          s.report.primary_version === primary &&
          s.report.candidate_version === candidate &&
          s.report.share === share,
      );
      let resumed: SavedShadowReport | undefined = candidates.find((s) => s.replica === this.replica);
      for (const part of candidates) {
        if (resumed !== undefined) break;
        const key = { deployment: deployment.name, since: part.report.since, candidateVersion: candidate, replica: part.replica };
        if (part.released && (await this.store.claimShadowReport(key, this.replica))) resumed = part;
      }
      if (resumed === undefined) {
        await this.compact(deployment.name, undefined);
        return undefined;
      }
      const recorder = ShadowRecorder.restore(resumed.report, resumed.state);
      this.savedRevisions.set(recorder, recorder.revision);
      this.stored.add(recorder);
      this.lastSaved.set(recorder, resumed.state);
      // A claimed part keeps its stopped process's save time: say at once that it is alive again (else another
      // replica may take it as dead; that is handled, see absorb(), but costs a part). A failure: the next save does.
      await this.touch(recorder).catch((error: unknown) => this.options.onError?.(error, `touching the shadow report of deployment '${deployment.name}'`));
      // At start-up: a crash-looping deployment's processes may die before any periodic compaction.
      await this.compact(deployment.name, recorder);
      return recorder;
    } catch (error) {
      this.options.onError?.(error, `reading the saved shadow report of deployment '${deployment.name}'`);
      return undefined;
    }
  }

  /**
   * Saves a recorder's part when it counted something since its last save (or, with `release`, when its last save
   * did not say released); else touches it when its last write is a quarter of the liveness bound old, so that no
   * replica takes it as dead. A failure is logged, never thrown.
   */
  async save(recorder: ShadowRecorder, release = false): Promise<void> {
    const revision = recorder.revision;
    try {
      // Unchanged: nothing to write, unless a stored part's released flag is to change (a new comparison that counted
      // nothing has no part to release).
      if (this.savedRevisions.get(recorder) === revision && (!this.stored.has(recorder) || this.released.has(recorder) === release)) {
        if (this.stored.has(recorder) && !release && this.options.clock() - (this.lastWrite.get(recorder) ?? 0) >= this.livenessMs / 4) {
          await this.touch(recorder);
        }
        return;
      }
      const full = recorder.state();
      const now = this.options.clock();
      if (!(await this.write(recorder, full, now, release))) {
        // The part was compacted as dead: what it held is absorbed; the rest is a new part.
        this.absorb(recorder);
        await this.write(recorder, full, now, release);
      }
      this.savedRevisions.set(recorder, revision);
      this.stored.add(recorder);
      this.lastSaved.set(recorder, full);
      this.lastWrite.set(recorder, now);
      if (release) this.released.add(recorder);
      else this.released.delete(recorder);
    } catch (error) {
      this.options.onError?.(error, `saving the shadow report of deployment '${recorder.deployment}'`);
    }
  }

  /** Writes a recorder's part (what it counted beyond what was absorbed); false when its stored part is gone. */
  private async write(recorder: ShadowRecorder, full: ShadowRecorderState, now: number, release: boolean): Promise<boolean> {
    const state = this.partState(recorder, full);
    return this.store.saveShadowReport(
      { report: shadowReportOf(recorder.identity(), state), state, updatedTime: now, replica: this.replica, released: release },
      this.stored.has(recorder),
    );
  }

  /** Marks a stored recorder's part alive; when it is gone (compacted as dead), absorbs it (nothing new to save). */
  private async touch(recorder: ShadowRecorder): Promise<void> {
    const now = this.options.clock();
    if (await this.store.touchShadowReport(this.keyOf(recorder), now)) this.lastWrite.set(recorder, now);
    // What it counts from now on is saved as a new part at its next save.
    else this.absorb(recorder);
  }

  /**
   * A recorder's stored part was compacted (taken as dead while this process was stalled past the liveness bound):
   * the compacted part holds exactly its last write (the compaction checked its revision), which is its full state
   * at the last save minus what was absorbed before; so all of that last saved state is absorbed now.
   */
  private absorb(recorder: ShadowRecorder): void {
    const saved = this.lastSaved.get(recorder);
    if (saved !== undefined) this.absorbed.set(recorder, saved);
    this.stored.delete(recorder);
    this.released.delete(recorder);
  }

  /** What a recorder's part holds: its counts beyond those absorbed into a compacted part. */
  private partState(recorder: ShadowRecorder, full: ShadowRecorderState = recorder.state()): ShadowRecorderState {
    const absorbed = this.absorbed.get(recorder);
    return absorbed === undefined ? full : shadowStateWithout(full, absorbed);
  }

  private keyOf(recorder: ShadowRecorder): ShadowPartKey {
    return { deployment: recorder.deployment, since: recorder.since, candidateVersion: recorder.candidateVersion, replica: this.replica };
  }

  /**
   * Merges the dead parts of each comparison of a deployment into one compacted part (see shadow-compaction.ts), at
   * most once per half liveness bound unless `force` (false: the periodic save tick, which should not read every
   * part at every tick; start-up, in resumedRecorder, forces it). This process's own live and dropped recorders'
   * parts are never taken.
   * A compaction that another replica's compaction, a save or a claim overtook changes nothing (the store checks
   * each part's revision): it is retried at the next one. Never throws. Returns how many parts were merged.
   */
  async compact(name: string, live: ShadowRecorder | undefined, force = true): Promise<number> {
    const now = this.options.clock();
    if (!force && now - (this.compactedAt.get(name) ?? Number.NEGATIVE_INFINITY) < this.livenessMs / 2) return 0;
    this.compactedAt.set(name, now);
    try {
      const [history, saved] = await Promise.all([this.store.history(name), this.store.shadowReports(name)]);
      const mine = [live, this.dropped.get(name)].filter((r): r is ShadowRecorder => r !== undefined);
      const keep = new Set(mine.map((r) => partKeyString(r.since, r.candidateVersion, this.replica)));
      let merged = 0;
      for (const planned of plannedCompactions(changeTimesOf(history), saved, now, this.livenessMs, keep)) {
        if (await this.store.compactShadowReports(planned.parts, planned.compacted)) merged += planned.parts.length;
      }
      return merged;
    } catch (error) {
      this.options.onError?.(error, `compacting the shadow report parts of deployment '${name}'`);
      return 0;
    }
  }

  /** The periodic compaction of a deployment's parts (at most once per half liveness bound). */
  async compactDue(name: string, live: ShadowRecorder | undefined): Promise<number> {
    return this.compact(name, live, false);
  }

  /**
   * Every comparison of a deployment name as all replicas counted it, newest first: the saved parts of every replica,
   * with this process's own parts replaced by its live recorders' counts (`live`, and the last dropped one) unless
   * `savedOnly` (the caller saved them just before, and each part then says when it was saved).
   */
  async combined(name: string, live: ShadowRecorder | undefined, savedOnly = false): Promise<CombinedShadowReport[]> {
    const { changeTimes, parts } = await this.partsOf(name, live, savedOnly);
    return combineAll(changeTimes, parts);
  }

  /** The comparison `recorder` (live or dropped in this process) is part of, as all replicas counted it. */
  async combinedOf(name: string, recorder: ShadowRecorder, live: ShadowRecorder | undefined): Promise<CombinedShadowReport> {
    const { changeTimes, parts } = await this.partsOf(name, live);
    const key = comparisonKey(changeTimes, recorder.identity());
    return combine(parts.filter((p) => comparisonKey(changeTimes, p.identity) === key));
  }

  private async partsOf(name: string, live: ShadowRecorder | undefined, savedOnly = false): Promise<{ changeTimes: number[]; parts: PartInput[] }> {
    const local = savedOnly ? [] : [live, this.dropped.get(name)].filter((r, i, all): r is ShadowRecorder => r !== undefined && all.indexOf(r) === i);
    // Which of them had a part in the store before the read, as of which save.
    const before = local.map((r) => ({ recorder: r, saved: this.stored.has(r) ? this.lastSaved.get(r) : undefined }));
    const [history, saved] = await Promise.all([this.store.history(name), this.store.shadowReports(name)]);
    const inStore = new Set(saved.map((s) => partKeyString(s.report.since, s.report.candidate_version, s.replica)));
    for (const { recorder, saved: state } of before) {
      // Stored before the read, not written since, and not in it: compacted as dead (this process stalled past the
      // liveness bound); its last write counts in a compacted part, so only what it counted beyond is its part now.
      const key = partKeyString(recorder.since, recorder.candidateVersion, this.replica);
      if (state !== undefined && this.stored.has(recorder) && this.lastSaved.get(recorder) === state && !inStore.has(key)) this.absorb(recorder);
    }
    const mine = new Set(local.map((r) => partKeyString(r.since, r.candidateVersion, this.replica)));
    const parts: PartInput[] = [
      ...local.map((r) => ({ identity: r.identity(), state: this.partState(r), replica: this.replica, released: false })),
      ...saved.filter((s) => !mine.has(partKeyString(s.report.since, s.report.candidate_version, s.replica))).map(savedPart),
    ];
    return { changeTimes: changeTimesOf(history), parts };
  }

  /** A shadow dropped or replaced: its last report stays readable until the next one starts, and is saved. */
  async keepDropped(name: string, recorder: ShadowRecorder): Promise<void> {
    this.dropped.set(name, recorder);
    await this.save(recorder);
  }

  droppedOf(name: string): ShadowRecorder | undefined {
    return this.dropped.get(name);
  }

  forget(name: string): void {
    this.dropped.delete(name);
  }

  /** Saves the live comparison of a deployment and its last dropped one (`release`: this process is stopping). */
  async saveOf(name: string, release = false): Promise<void> {
    const live = this.options.liveOf?.(name);
    const dropped = this.dropped.get(name);
    if (live !== undefined) await this.save(live, release);
    if (dropped !== undefined && dropped !== live) await this.save(dropped, release);
  }

  /** saveOf for every deployment this process serves or keeps a dropped comparison of (the sync timer, and stop). */
  async saveAll(release = false): Promise<void> {
    for (const name of this.known()) await this.saveOf(name, release);
  }

  /** compactDue for every deployment this process serves or keeps a dropped comparison of. Returns the parts merged. */
  async compactAllDue(): Promise<number> {
    let merged = 0;
    for (const name of this.known()) merged += await this.compactDue(name, this.options.liveOf?.(name));
    return merged;
  }

  /**
   * The comparison of the live shadow (or of the last one dropped while this process ran), as every replica counted
   * it: the saved parts of the other replicas plus this process's live counts. Else the latest saved comparison of
   * this deployment (since it was created), e.g. after a restart; undefined when there is none.
   */
  async currentOf(deployment: Deployment): Promise<CurrentShadowReport | undefined> {
    const live = this.options.liveOf?.(deployment.name);
    const recorder = live ?? this.dropped.get(deployment.name);
    if (recorder !== undefined) return currentOf(await this.combinedOf(deployment.name, recorder, live), true);
    const saved = (await this.combined(deployment.name, undefined)).find((c) => c.report.since >= deployment.createdTime);
    return saved === undefined ? undefined : currentOf(saved, false);
  }

  /** Every saved comparison of a deployment name, newest first, combined across replicas; this process's saved first. */
  async savedReports(name: string): Promise<CombinedShadowReport[]> {
    await this.saveOf(name);
    return this.combined(name, undefined, true);
  }

  private known(): Set<string> {
    return new Set([...(this.options.servedNames?.() ?? []), ...this.dropped.keys()]);
  }
}
