import type { WriteContext } from "../core/actor.js";

/**
 * What a service says about each write it made; the audit domain turns it into an append-only, hash-chained event
 * {time, actor, action, entity, before, after, request id}. Services depend on this interface only.
 *
 * `action` is "<domain>.<verb>" (e.g. "tracking.run.create", "registry.alias.set"); `entityType` and `entityId`
 * name what changed ("run"/<run id>, "registered_model"/<name>, "model_version"/"<name>/<version>").
 * `before`/`after` are small JSON snapshots (for bulk writes such as log-batch: a summary, not every metric).
 */
export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecorder {
  record(context: WriteContext, entry: AuditEntry): Promise<void>;
}

/** For wiring where auditing is off (unit tests of a single service). */
export const noAudit: AuditRecorder = { record: async () => undefined };
