import { ANONYMOUS, type WriteContext } from "../core/actor.js";
import type { Clock } from "../core/clock.js";
import { notFound } from "../core/errors.js";
import { atomically, type AuditRecorder } from "../audit/recorder.js";
import type { ModelVersion, RegisteredModel } from "../protocol/mlflow/registry-entities.js";
import type { RegistryEvents } from "./registry-events.js";
import type { RegistryStore } from "./store.js";
import { canonicalVersion, validateModelName } from "./validation.js";

/**
 * Other domains keep rows keyed by model name and version (governance: rules, approvals, cards); they follow renames
 * and deletes through this interface. The governance store satisfies it.
 */
export interface RegistryFollower {
  renameModel(name: string, newName: string): Promise<void>;
  deleteModel(name: string): Promise<void>;
  deleteVersion(name: string, version: string): Promise<void>;
}

/** The audit trail's entity id of a model version. */
export const versionEntity = (name: string, version: string): string => `${name}/${version}`;

/** The client's declared user, recorded as user_id (MLflow leaves it empty); nothing for anonymous requests. */
export const declaredUserId = (ctx: WriteContext): string | undefined =>
  ctx.actor.name === ANONYMOUS.name && !ctx.actor.verified ? undefined : ctx.actor.name;

/**
 * What every part of the registry (registered models, versions, aliases, stages) writes and reads through: the
 * store, the lookups that answer MLflow's not-found errors, the clock, the audit trail and the events. After every
 * write comes an audit entry and, for what webhooks care about, an event; `atomic` commits the three together.
 */
export class RegistryWrites {
  constructor(
    readonly store: RegistryStore,
    readonly audit: AuditRecorder,
    readonly events: RegistryEvents,
    readonly clock: Clock,
    readonly followers: readonly RegistryFollower[],
  ) {}

  /** A write and its audit event (and webhook event) commit together: see AuditRecorder.atomically. */
  atomic<T>(work: () => Promise<T>): Promise<T> {
    return atomically(this.audit, work);
  }

  async registeredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const model = await this.store.getRegisteredModel(name);
    if (!model) throw notFound(`Registered Model with name=${name} not found`);
    return model;
  }

  async modelVersion(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name);
    const canonical = canonicalVersion(version);
    const found = await this.store.getModelVersion(name, canonical);
    if (!found) throw notFound(`Model Version (name=${name}, version=${canonical}) not found`);
    return found;
  }
}
