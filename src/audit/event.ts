import type { Actor } from "../core/actor.js";

/**
 * One audit event as it is stored: `before`/`after` are kept as the JSON text that was hashed, so that verification
 * recomputes the hash from exactly the stored bytes (a parsed-and-reserialised value could differ in spelling).
 */
export interface AuditRecord {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  beforeJson: string | null;
  afterJson: string | null;
  requestId: string;
  /** Hash of the previous event (GENESIS_HASH for seq 1). */
  prevHash: string;
  hash: string;
}

/** What is appended: the store assigns seq, prevHash and hash atomically after the current head. */
export type NewAuditRecord = Omit<AuditRecord, "seq" | "prevHash" | "hash">;

/** The wire shape of an event in Cairn's audit API (snake_case, before/after parsed back to JSON values). */
export interface AuditEventMessage {
  seq: number;
  time: number;
  actor: Actor;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  request_id: string;
  prev_hash: string;
  hash: string;
}

/** Stored text that is not JSON (only possible after tampering) is shown as the text itself rather than failing. */
const parseSnapshot = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

export const toEventMessage = (record: AuditRecord): AuditEventMessage => ({
  seq: record.seq,
  time: record.time,
  actor: { name: record.actor.name, verified: record.actor.verified },
  action: record.action,
  entity_type: record.entityType,
  entity_id: record.entityId,
  before: parseSnapshot(record.beforeJson),
  after: parseSnapshot(record.afterJson),
  request_id: record.requestId,
  prev_hash: record.prevHash,
  hash: record.hash,
});
