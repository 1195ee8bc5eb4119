import type { Actor } from "./actor.js";

/**
 * A fact a domain announces after a successful write, for subscribers such as webhooks (registry events now,
 * serving and monitoring later). Publishing must be cheap and must not fail the write: a sink enqueues, it does not
 * deliver on the request's path.
 */
export const RegistryEventType = {
  MODEL_VERSION_CREATED: "model_version.created",
  ALIAS_SET: "alias.set",
  ALIAS_DELETED: "alias.deleted",
  STAGE_CHANGED: "stage.changed",
  PROMOTION_REFUSED: "promotion.refused",
  // The registry events MLflow's webhooks have; spelled as MLflow spells them (see src/webhooks/mlflow-events.ts).
  REGISTERED_MODEL_CREATED: "registered_model.created",
  MODEL_VERSION_TAG_SET: "model_version_tag.set",
  MODEL_VERSION_TAG_DELETED: "model_version_tag.deleted",
  // A registered model tagged mlflow.prompt.is_prompt=true is a prompt: its events are these instead of the model ones.
  PROMPT_CREATED: "prompt.created",
  PROMPT_VERSION_CREATED: "prompt_version.created",
  PROMPT_TAG_SET: "prompt_tag.set",
  PROMPT_TAG_DELETED: "prompt_tag.deleted",
  PROMPT_VERSION_TAG_SET: "prompt_version_tag.set",
  PROMPT_VERSION_TAG_DELETED: "prompt_version_tag.deleted",
  PROMPT_ALIAS_CREATED: "prompt_alias.created",
  PROMPT_ALIAS_DELETED: "prompt_alias.deleted",
} as const;
export type RegistryEventType = (typeof RegistryEventType)[keyof typeof RegistryEventType];

/** Monitors of live traffic: a check started failing, passes again, or could not run (a configuration or system error, not a data alert). */
export const MonitorEventType = {
  ALERT: "monitor.alert",
  RECOVERED: "monitor.recovered",
  ERROR: "monitor.error",
} as const;
export type MonitorEventType = (typeof MonitorEventType)[keyof typeof MonitorEventType];

/** Deployments: what one serves differs from what its alias (or pinned primary) names, or agrees again. */
export const DeploymentEventType = {
  DEGRADED: "deployment.degraded",
  RECOVERED: "deployment.recovered",
} as const;
export type DeploymentEventType = (typeof DeploymentEventType)[keyof typeof DeploymentEventType];

export interface DomainEvent {
  type: string;
  /** Milliseconds since the epoch. */
  time: number;
  actor: Actor;
  requestId: string;
  /** JSON-serialisable facts of the event (model name, version, alias, previous version, unmet rules...). */
  payload: Record<string, unknown>;
}

export interface EventSink {
  publish(event: DomainEvent): Promise<void>;
}

export const noEvents: EventSink = { publish: async () => undefined };

/**
 * Several subscribers behind one sink, in order (webhooks, then deployments that follow aliases). One subscriber's
 * failure does not keep the event from the others; the first failure is rethrown after all have been called.
 */
export const fanOutEvents = (...sinks: readonly EventSink[]): EventSink => ({
  publish: async (event) => {
    let failure: unknown;
    for (const sink of sinks) {
      try {
        await sink.publish(event);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  },
});
