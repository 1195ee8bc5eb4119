import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../../core/clock.js";
import type { Deployment, DeploymentStore, SavedShadowReport } from "./deployment.js";
import { changeTimesOf, combine, combineAll, comparisonKey, savedPart, type CombinedShadowReport, type PartInput } from "./shadow-combine.js";
import { ShadowRecorder } from "./shadow-report.js";

export interface ShadowKeeperOptions {
  clock: Clock;
  /** This process's id in the parts it saves; a new random one by default (see newReplicaId). */
  replica?: string;
  onError?: (error: unknown, what: string) => void;
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

  constructor(
    private readonly store: DeploymentStore,
    private readonly options: ShadowKeeperOptions,
  ) {
    this.replica = options.replica ?? newReplicaId();
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
      const candidates = (await this.store.shadowReports(deployment.name)).filter(
        (s) => s.report.since >= setAt && s.report.primary_version === primary && s.report.candidate_version === candidate && s.report.share === share,
      );
      let resumed: SavedShadowReport | undefined = candidates.find((s) => s.replica === this.replica);
      for (const part of candidates) {
        if (resumed !== undefined) break;
        const key = { deployment: deployment.name, since: part.report.since, candidateVersion: candidate, replica: part.replica };
        if (part.released && (await this.store.claimShadowReport(key, this.replica))) resumed = part;
      }
      if (resumed === undefined) return undefined;
      const recorder = ShadowRecorder.restore(resumed.report, resumed.state);
      this.savedRevisions.set(recorder, recorder.revision);
      this.stored.add(recorder);
      return recorder;
    } catch (error) {
      this.options.onError?.(error, `reading the saved shadow report of deployment '${deployment.name}'`);
      return undefined;
    }
  }

  /**
   * Saves a recorder's part when it counted something since its last save (or, with `release`, when its last save
   * did not say released); a failure is logged, never thrown.
   */
  async save(recorder: ShadowRecorder, release = false): Promise<void> {
    const revision = recorder.revision;
    // Unchanged: nothing to write, unless a stored part's released flag is to change (a new comparison that counted
    // nothing has no part to release).
    if (this.savedRevisions.get(recorder) === revision && (!this.stored.has(recorder) || this.released.has(recorder) === release)) return;
    try {
      await this.store.saveShadowReport({
        report: recorder.report(),
        state: recorder.state(),
        updatedTime: this.options.clock(),
        replica: this.replica,
        released: release,
      });
      this.savedRevisions.set(recorder, revision);
      this.stored.add(recorder);
      if (release) this.released.add(recorder);
      else this.released.delete(recorder);
    } catch (error) {
      this.options.onError?.(error, `saving the shadow report of deployment '${recorder.deployment}'`);
    }
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
    const [history, saved] = await Promise.all([this.store.history(name), this.store.shadowReports(name)]);
    const local = savedOnly ? [] : [live, this.dropped.get(name)].filter((r, i, all): r is ShadowRecorder => r !== undefined && all.indexOf(r) === i);
    const mine = new Set(local.map((r) => JSON.stringify([r.since, r.candidateVersion])));
    const parts: PartInput[] = [
      ...local.map((r) => ({ identity: r.identity(), state: r.state(), replica: this.replica, released: false })),
      ...saved.filter((s) => s.replica !== this.replica || !mine.has(JSON.stringify([s.report.since, s.report.candidate_version]))).map(savedPart),
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
  async saveOf(name: string, live: ShadowRecorder | undefined, release = false): Promise<void> {
    const dropped = this.dropped.get(name);
    if (live !== undefined) await this.save(live, release);
    if (dropped !== undefined && dropped !== live) await this.save(dropped, release);
  }

  names(): string[] {
    return [...this.dropped.keys()];
  }
}
