import { systemContext } from "../../core/actor.js";
import type { Clock } from "../../core/clock.js";
import { atomically, type AuditRecorder } from "../../audit/recorder.js";
import type { ExecutionFailure } from "../runtime/execution-limits.js";
import type { DeploymentStore, FailedVersion } from "./deployment.js";

/**
 * Marks a version of a deployment failed: persisted (so that neither a restart nor a sync loads it again) and
 * audited as `serving.deployment.version_failed`, by Cairn itself (no user asked for it). Taking it out of the live
 * routing is the caller's part (VersionSlot.markFailed), done before this so that traffic stops at once.
 */
export class VersionFailures {
  constructor(
    private readonly deps: {
      store: DeploymentStore;
      audit: AuditRecorder;
      clock: Clock;
    },
  ) {}

  failure(version: string, error: ExecutionFailure, during: "requests" | "warm-up"): FailedVersion {
    const reason =
      during === "requests"
        ? `its runs failed several times in a row, the last by ${error.limit}`
        : `its warm-up failed by ${error.limit}`;
    return { version, kind: error.kind, reason, time: this.deps.clock() };
  }

  /** Persists and audits the mark; a deployment that is gone (deleted meanwhile, or not created yet) is left alone. */
  async mark(deployment: string, failure: FailedVersion, detail: string): Promise<void> {
    if ((await this.deps.store.get(deployment)) === undefined) return;
    await atomically(this.deps.audit, async () => {
      await this.deps.store.markVersionFailed(deployment, failure);
      await this.deps.audit.record(systemContext(`version-failed:${deployment}`), {
        action: "serving.deployment.version_failed",
        entityType: "deployment",
        entityId: deployment,
        before: null,
        after: { version: failure.version, kind: failure.kind, reason: failure.reason, error: detail.slice(0, 1000) },
      });
    });
  }
}
