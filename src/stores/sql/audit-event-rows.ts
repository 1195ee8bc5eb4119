import type { AuditRecord } from "../../audit/event.js";

/**
 * The audit_events table as SQL sees it, shared by the store (the server's connection) and the verify worker (its
 * own read-only connection), so that both read events exactly alike.
 */
export interface EventRow {
  seq: number;
  time: number;
  actor_name: string;
  actor_verified: number;
  action: string;
  entity_type: string;
  entity_id: string;
  before_json: string | null;
  after_json: string | null;
  request_id: string;
  prev_hash: string;
  hash: string;
}

export interface HeadRow {
  last_seq: number;
  head_hash: string | null;
}

export const COLUMNS =
  "seq, time, actor_name, actor_verified, action, entity_type, entity_id, before_json, after_json, request_id, prev_hash, hash";

// The highest seq ever assigned (sqlite_sequence survives removal of the newest rows; max(seq) covers a removed
// sqlite_sequence row) and the hash of the newest event present. Three primary-key lookups, no scan.
export const HEAD_SQL = `
  SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'), 0),
             COALESCE((SELECT max(seq) FROM audit_events), 0)) AS last_seq,
         (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS head_hash`;

export const INSERT_SQL = `INSERT INTO audit_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const toRecord = (row: EventRow): AuditRecord => ({
  seq: row.seq,
  time: row.time,
  actor: { name: row.actor_name, verified: row.actor_verified === 1 },
  action: row.action,
  entityType: row.entity_type,
  entityId: row.entity_id,
  beforeJson: row.before_json,
  afterJson: row.after_json,
  requestId: row.request_id,
  prevHash: row.prev_hash,
  hash: row.hash,
});
