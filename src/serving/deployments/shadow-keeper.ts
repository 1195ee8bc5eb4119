import type { Clock } from "../../core/clock.js";
import type { Deployment, DeploymentStore } from "./deployment.js";
import { ShadowRecorder } from "./shadow-report.js";

export interface ShadowKeeperOptions {
  clock: Clock;
  random: () => number;
  onError?: (error: unknown, what: string) => void;
}

/**
 * The persistence of shadow comparisons: new recorders, the saved one a restart continues, saves of what counted
 * something since its last save, and the last report of a dropped shadow (readable until the next one starts).
 * Saving never throws: a failure is logged and retried at the next save.
 */
export class ShadowKeeper {
  private readonly dropped = new Map<string, ShadowRecorder>();
  /** The recorder revision last saved to the store. */
  private readonly savedRevisions = new WeakMap<ShadowRecorder, number>();

  constructor(
    private readonly store: DeploymentStore,
    private readonly options: ShadowKeeperOptions,
  ) {}

  /** A new comparison; saved once it has counted something. */
  newRecorder(deployment: string, primary: string, candidate: string, share: number): ShadowRecorder {
    const recorder = new ShadowRecorder(deployment, primary, candidate, share, this.options.clock(), this.options.random);
    this.savedRevisions.set(recorder, recorder.revision);
    return recorder;
  }

  /**
   * At start-up: the saved comparison of this very shadow (same versions and share, saved after the shadow and the
   * primary were last set), so that a restart continues it instead of starting from zero.
   */
  async resumedRecorder(deployment: Deployment, primary: string, candidate: string, share: number): Promise<ShadowRecorder | undefined> {
    try {
      const history = await this.store.history(deployment.name);
      const setAt = history.reduce((latest, e) => (e.role === "canary" ? latest : Math.max(latest, e.time)), deployment.createdTime);
      const saved = (await this.store.shadowReports(deployment.name)).find(
        (s) => s.report.since >= setAt && s.report.primary_version === primary && s.report.candidate_version === candidate && s.report.share === share,
      );
      if (saved === undefined) return undefined;
      const recorder = ShadowRecorder.restore(saved.report, saved.state, this.options.random);
      this.savedRevisions.set(recorder, recorder.revision);
      return recorder;
    } catch (error) {
      this.options.onError?.(error, `reading the saved shadow report of deployment '${deployment.name}'`);
      return undefined;
    }
  }

  /** Saves a recorder's report when it counted something since its last save; a failure is logged, never thrown. */
  async save(recorder: ShadowRecorder): Promise<void> {
    const revision = recorder.revision;
    if (this.savedRevisions.get(recorder) === revision) return;
    try {
      await this.store.saveShadowReport({ report: recorder.report(), state: recorder.state(), updatedTime: this.options.clock() });
      this.savedRevisions.set(recorder, revision);
    } catch (error) {
      this.options.onError?.(error, `saving the shadow report of deployment '${recorder.deployment}'`);
    }
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

  /** Saves the live comparison of a deployment and its last dropped one. */
  async saveOf(name: string, live: ShadowRecorder | undefined): Promise<void> {
    const dropped = this.dropped.get(name);
    if (live !== undefined) await this.save(live);
    if (dropped !== undefined && dropped !== live) await this.save(dropped);
  }

  names(): string[] {
    return [...this.dropped.keys()];
  }
}
