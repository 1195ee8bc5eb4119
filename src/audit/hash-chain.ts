import { createHash } from "node:crypto";
import type { AuditRecord } from "./event.js";

/** prev_hash of the first event. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * The canonical serialisation that is hashed: JSON with a fixed key order, before/after as their stored JSON text
 * (a JSON string inside the JSON, so that no value can be spliced into a neighbouring field), and prev_hash last.
 * Changing any field, the order of events or the link to the previous event changes the hash.
 */
export const canonicalEvent = (event: Omit<AuditRecord, "hash">): string =>
  JSON.stringify({
    seq: event.seq,
    time: event.time,
    actor: { name: event.actor.name, verified: event.actor.verified },
    action: event.action,
    entity_type: event.entityType,
    entity_id: event.entityId,
    before: event.beforeJson,
    after: event.afterJson,
    request_id: event.requestId,
    prev_hash: event.prevHash,
  });

/** sha256 hex of the canonical serialisation. */
export const eventHash = (event: Omit<AuditRecord, "hash">): string =>
  createHash("sha256").update(canonicalEvent(event)).digest("hex");
