import { systemContext } from "../../core/actor.js";
import type { Clock } from "../../core/clock.js";
import { DeploymentEventType, type EventSink } from "../../core/events.js";
import { type Deployment, failureOf } from "./deployment.js";

/**
 * Whether what a deployment serves is what it should serve: the version its alias names (or, pinned, its stored
 * primary). `degraded` with a reason when they differ (an alias moved to a version that failed to load, the alias was
 * deleted, nothing could be loaded), so a difference is never silent.
 */
export interface DeploymentHealth {
  state: "serving" | "degraded";
  reason?: string;
  /** The primary version serving now (undefined when nothing is loaded). */
  servedVersion?: string;
  /** The version the followed alias names now (null: the alias names none; undefined: a pinned deployment). */
  aliasVersion?: string | null;
}

/**
 * The verdict from what serves (`served`, the live primary) and what the alias names (`aliasVersion`, undefined for a
 * pinned deployment). Pure, so the rule is tested on its own.
 */
export const assessHealth = (deployment: Deployment, served: string | undefined, aliasVersion: string | null | undefined): DeploymentHealth => {
  const facts = {
    ...(served !== undefined ? { servedVersion: served } : {}),
    ...(aliasVersion !== undefined ? { aliasVersion } : {}),
  };
  const why = deployment.lastError !== undefined ? ` Last error: ${deployment.lastError}` : "";
  const wanted = aliasVersion ?? deployment.policy.primary;
  const failed = served === undefined ? undefined : failureOf(deployment, served);
  if (failed !== undefined) {
    return { state: "degraded", reason: `Version ${failed.version} is marked failed and takes no traffic: ${failed.reason}.`, ...facts };
  }
  if (served === undefined) {
    return { state: "degraded", reason: `No version serves: version ${wanted} is not loaded.${why}`, ...facts };
  }
  if (aliasVersion === null) {
    return { state: "degraded", reason: `${deployment.modelUri} names no version any more; version ${served} keeps serving.`, ...facts };
  }
  if (aliasVersion !== undefined && aliasVersion !== served) {
    return { state: "degraded", reason: `${deployment.modelUri} names version ${aliasVersion} but version ${served} serves.${why}`, ...facts };
  }
  if (aliasVersion === undefined && deployment.policy.primary !== served) {
    return { state: "degraded", reason: `The deployment's primary is version ${deployment.policy.primary} but version ${served} serves.${why}`, ...facts };
  }
  return { state: "serving", ...facts };
};

export interface HealthWatchOptions {
  /** Records the verdict and says whether it changed the state (DeploymentStore.recordHealth): the event fires then. */
  record: (name: string, health: DeploymentHealth, time: number) => Promise<boolean>;
  /** deployment.degraded / deployment.recovered go here (the webhooks). */
  events?: EventSink;
  /** Each new verdict (undefined: the deployment is gone); the server sets its gauge from it. */
  onHealth?: (deployment: string, health: DeploymentHealth | undefined) => void;
  onError?: (error: unknown, what: string) => void;
  clock: Clock;
}

/**
 * The last verdict per deployment in this process, and the alert on each change of state: deployment.degraded when
 * a deployment becomes degraded (also when it is first seen degraded), deployment.recovered when it serves as it
 * should again. Whether the state changed is the store's answer, not this process's memory, so a verdict that
 * repeats fires nothing: not on a retried load that keeps failing, not after a restart, not on another replica.
 */
export class HealthWatch {
  private readonly verdicts = new Map<string, DeploymentHealth>();

  constructor(private readonly options: HealthWatchOptions) {}

  get(name: string): DeploymentHealth | undefined {
    return this.verdicts.get(name);
  }

  async update(deployment: Deployment, health: DeploymentHealth): Promise<void> {
    const previous = this.verdicts.get(deployment.name);
    this.verdicts.set(deployment.name, health);
    this.options.onHealth?.(deployment.name, health);
    // The same verdict again (every quiet sync): already recorded by this process, so no write.
    if (previous !== undefined && previous.state === health.state && previous.reason === health.reason) return;
    const changed = await this.options.record(deployment.name, health, this.options.clock()).catch((error: unknown) => {
      // Without the store's answer, this process's own memory decides (an alert may then repeat, never go missing).
      this.options.onError?.(error, `recording the health of deployment '${deployment.name}'`);
      return previous?.state !== health.state && (previous !== undefined || health.state === "degraded");
    });
    if (!changed) return;
    const type = health.state === "degraded" ? DeploymentEventType.DEGRADED : DeploymentEventType.RECOVERED;
    const ctx = systemContext(`health:${deployment.name}`);
    await this.options.events
      ?.publish({
        type,
        time: this.options.clock(),
        actor: ctx.actor,
        requestId: ctx.requestId,
        payload: {
          deployment: deployment.name,
          model_name: deployment.modelName,
          model_uri: deployment.modelUri,
          serving_version: health.servedVersion ?? null,
          ...(health.aliasVersion !== undefined ? { alias_version: health.aliasVersion } : {}),
          ...(health.reason !== undefined ? { reason: health.reason } : {}),
        },
      })
      .catch((error: unknown) => this.options.onError?.(error, `announcing ${type} of deployment '${deployment.name}'`));
  }

  remove(name: string): void {
    if (this.verdicts.delete(name)) this.options.onHealth?.(name, undefined);
  }

  clear(): void {
    for (const name of [...this.verdicts.keys()]) this.remove(name);
  }
}
