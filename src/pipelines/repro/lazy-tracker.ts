import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import type { ReproTracker, StageOutcome } from "../tracking/repro-tracker.js";

/**
 * A tracker whose real implementation (the SDK client, HTTP) is loaded only when the first stage runs: a repro with
 * nothing to do never calls `begin`, so it loads no client module and opens no connection.
 */
export class LazyTracker implements ReproTracker {
  private tracker: ReproTracker | undefined;

  constructor(private readonly load: (pipeline: ResolvedPipeline) => Promise<ReproTracker>) {}

  private get real(): ReproTracker {
    if (this.tracker === undefined) throw new Error("tracker used before begin()");
    return this.tracker;
  }

  async begin(pipeline: ResolvedPipeline, plan: { stage: string; state: "will-run" | "skipped" }[]): Promise<void> {
    this.tracker ??= await this.load(pipeline);
    await this.tracker.begin(pipeline, plan);
  }

  stageStarting(stage: ResolvedStage): Promise<Record<string, string>> {
    return this.real.stageStarting(stage);
  }

  stageEnded(outcome: StageOutcome): Promise<{ runId: string }> {
    return this.real.stageEnded(outcome);
  }

  end(status: "FINISHED" | "FAILED", outcomes: StageOutcome[]): Promise<void> {
    return this.real.end(status, outcomes);
  }
}
