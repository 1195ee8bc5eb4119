import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import type { ReproTracker, StageOutcome } from "../tracking/repro-tracker.js";

/**
 * The tracker as the engine uses it: `begin` happens at the first stage that runs or is restored (a repro with
 * nothing to do makes no call), and a tracking failure (server down, refused) becomes one warning and turns
 * tracking off for the rest of the repro: the pipeline's own results (outputs, lock file, run cache) matter more
 * than their record, and a half-tracked repro is better than a stage that ran and was then thrown away.
 */
export class SafeTracker {
  private begun = false;
  private broken = false;

  constructor(
    private readonly tracker: ReproTracker | undefined,
    private readonly pipeline: ResolvedPipeline,
    private readonly plan: () => { stage: string; state: "will-run" | "skipped" }[],
    private readonly warn: (message: string) => void,
  ) {}

  private async call<T>(what: string, work: (tracker: ReproTracker) => Promise<T>): Promise<T | undefined> {
    if (this.tracker === undefined || this.broken) return undefined;
    try {
      if (!this.begun) {
        this.begun = true;
        await this.tracker.begin(this.pipeline, this.plan());
      }
      return await work(this.tracker);
    } catch (error) {
      this.broken = true;
      this.warn(`tracking failed (${what}): ${(error as Error).message}; continuing without tracking`);
      return undefined;
    }
  }

  async stageStarting(stage: ResolvedStage): Promise<Record<string, string>> {
    return (await this.call("stage start", (tracker) => tracker.stageStarting(stage))) ?? {};
  }

  async stageEnded(outcome: StageOutcome): Promise<string | undefined> {
    return (await this.call("stage end", (tracker) => tracker.stageEnded(outcome)))?.runId;
  }

  /** Ends the parent run, if one was begun. */
  async end(status: "FINISHED" | "FAILED", outcomes: StageOutcome[]): Promise<void> {
    if (!this.begun) return;
    await this.call("end", (tracker) => tracker.end(status, outcomes));
  }
}
