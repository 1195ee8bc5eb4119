import type { Actor } from "../core/actor.js";
import type { AuditRecord } from "./event.js";
import { parseSnapshot } from "./snapshot.js";

/** Actions of the registry whose events make up an alias history. */
export const ALIAS_SET_ACTION = "registry.alias.set";
export const ALIAS_DELETE_ACTION = "registry.alias.delete";

export interface AliasChange {
  alias: string;
  from_version: string | null;
  to_version: string | null;
  actor: Actor;
  time: number;
  request_id: string;
}

const text = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

/**
 * The change an alias event records. The registry audits entity registered_model/<name> with before/after
 * {"alias": "champion", "version": "3"} (before null when the alias was new, after null when it was deleted).
 * Returns undefined for events that name no alias.
 */
export const aliasChangeOf = (record: AuditRecord): AliasChange | undefined => {
  if (record.action !== ALIAS_SET_ACTION && record.action !== ALIAS_DELETE_ACTION) return undefined;
  const before = parseSnapshot(record.beforeJson);
  const after = parseSnapshot(record.afterJson);
  const alias = text(after?.alias) ?? text(before?.alias);
  if (alias === null) return undefined;
  return {
    alias,
    from_version: text(before?.version),
    to_version: record.action === ALIAS_DELETE_ACTION ? null : text(after?.version),
    actor: record.actor,
    time: record.time,
    request_id: record.requestId,
  };
};
