import * as crypto from "node:crypto";
import type { Actor } from "../core/actor.js";

/**
 * Issue 14 part 6: a run's metric, param and tag writes are not each an audit event; they are summed into the run's
 * pending digest (in the database, in the transaction of the write) and appended as one "tracking.run.data_digest"
 * event every N writes, every T seconds, and when the run ends.
 *
 * The content hash is order-independent: each row written is hashed alone (sha256 of its canonical JSON) and the
 * hashes are added modulo 2^256. So the digest of an interval does not depend on the order in which replicas
 * committed its writes, pending digests merge by addition, and the sum of all of a run's digests can be recomputed
 * from the rows stored for it (see docs/audit.md for what that does and does not detect).
 */
export const DATA_DIGEST_ACTION = "tracking.run.data_digest";

/** The rows of one write, as the tracking domain logs them. */
export interface RunDataRows {
  metrics: ReadonlyArray<{ key: string; value: number; timestamp: number; step: number }>;
  params: ReadonlyArray<{ key: string; value: string }>;
  tags: ReadonlyArray<{ key: string; value: string }>;
}

/** Keys named in a digest at most (the counts still cover every row). */
export const DIGEST_MAX_KEYS = 50;

/** What a run has written since its last digest: one row of audit_pending_digests. */
export interface PendingDigest {
  runId: string;
  writes: number;
  metrics: number;
  params: number;
  tags: number;
  /** Distinct keys written, "m:", "p:" or "t:" before each, at most DIGEST_MAX_KEYS. */
  keys: string[];
  stepMin: number | null;
  stepMax: number | null;
  timeMin: number | null;
  timeMax: number | null;
  /** Sum modulo 2^256 of the rows' hashes, 64 hex digits. */
  contentSum: string;
  /** When the first and the last write of the interval were recorded (ms). */
  firstTime: number;
  lastTime: number;
  /** The last writer of the interval, who the digest event is attributed to. */
  actor: Actor;
  requestId: string;
}

const MODULUS = 1n << 256n;
export const ZERO_SUM = "0".repeat(64);

/**
 * sha256 of a short text as hex. crypto.hash (Node >= 20.12) hashes in one call without a Hash object: half the time
 * of createHash for rows this size, which matters at a hundred thousand rows a second.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const sha256Hex = (text: string): string => (oneShot ? oneShot("sha256", text, "hex") : crypto.createHash("sha256").update(text).digest("hex"));

/** Metric values as text, so that NaN and ±Infinity (which JSON cannot spell) hash distinctly. */
const valueText = (value: number): string => (Number.isNaN(value) ? "NaN" : String(value));

/** The canonical encoding of each kind of row: a JSON array, the kind first. */
export const metricRowText = (key: string, value: number, timestamp: number, step: number): string =>
  JSON.stringify(["m", key, valueText(value), timestamp, step]);
export const paramRowText = (key: string, value: string): string => JSON.stringify(["p", key, value]);
export const tagRowText = (key: string, value: string): string => JSON.stringify(["t", key, value]);

export const addSums = (a: string, b: string): string => ((BigInt(`0x${a}`) + BigInt(`0x${b}`)) % MODULUS).toString(16).padStart(64, "0");

/** The sum of the hashes of `texts` (canonical row encodings), 64 hex digits. */
export const sumOfRows = (texts: Iterable<string>): string => {
  // Added as they come and reduced once: a BigInt of a few hundred bits more costs less than a modulo per row.
  let sum = 0n;
  for (const text of texts) sum += BigInt(`0x${sha256Hex(text)}`);
  return (sum % MODULUS).toString(16).padStart(64, "0");
};

function* rowTexts(rows: RunDataRows): Generator<string> {
  for (const m of rows.metrics) yield metricRowText(m.key, m.value, m.timestamp, m.step);
  for (const p of rows.params) yield paramRowText(p.key, p.value);
  for (const t of rows.tags) yield tagRowText(t.key, t.value);
}

const addKeys = (keys: string[], rows: RunDataRows): string[] => {
  const out = [...keys];
  const add = (key: string): void => {
    if (out.length < DIGEST_MAX_KEYS && !out.includes(key)) out.push(key);
  };
  for (const m of rows.metrics) {
    if (out.length >= DIGEST_MAX_KEYS) break;
    add(`m:${m.key}`);
  }
  for (const p of rows.params) add(`p:${p.key}`);
  for (const t of rows.tags) add(`t:${t.key}`);
  return out;
};

const bound = (current: number | null, next: number, pick: (a: number, b: number) => number): number => (current === null ? next : pick(current, next));

/** `pending` (or a fresh digest) with one more write added. */
export const addWrite = (
  pending: PendingDigest | undefined,
  write: { runId: string; rows: RunDataRows; time: number; actor: Actor; requestId: string },
): PendingDigest => {
  const base: PendingDigest = pending ?? {
    runId: write.runId,
    writes: 0,
    metrics: 0,
    params: 0,
    tags: 0,
    keys: [],
    stepMin: null,
    stepMax: null,
    timeMin: null,
    timeMax: null,
    contentSum: ZERO_SUM,
    firstTime: write.time,
    lastTime: write.time,
    actor: write.actor,
    requestId: write.requestId,
  };
  let { stepMin, stepMax, timeMin, timeMax } = base;
  for (const m of write.rows.metrics) {
    stepMin = bound(stepMin, m.step, Math.min);
    stepMax = bound(stepMax, m.step, Math.max);
    timeMin = bound(timeMin, m.timestamp, Math.min);
    timeMax = bound(timeMax, m.timestamp, Math.max);
  }
  return {
    ...base,
    writes: base.writes + 1,
    metrics: base.metrics + write.rows.metrics.length,
    params: base.params + write.rows.params.length,
    tags: base.tags + write.rows.tags.length,
    keys: addKeys(base.keys, write.rows),
    stepMin,
    stepMax,
    timeMin,
    timeMax,
    contentSum: addSums(base.contentSum, sumOfRows(rowTexts(write.rows))),
    lastTime: write.time,
    actor: write.actor,
    requestId: write.requestId,
  };
};

/** Why a digest was appended. */
export type DigestReason = "writes" | "interval" | "run_end" | "run_delete" | "gc";

/** The after-snapshot of a digest event. */
export const digestSnapshot = (pending: PendingDigest, reason: DigestReason) => ({
  reason,
  writes: pending.writes,
  metrics: pending.metrics,
  params: pending.params,
  tags: pending.tags,
  keys: pending.keys,
  step_range: pending.stepMin === null ? null : [pending.stepMin, pending.stepMax],
  timestamp_range: pending.timeMin === null ? null : [pending.timeMin, pending.timeMax],
  first_write_time: pending.firstTime,
  last_write_time: pending.lastTime,
  content_sum: pending.contentSum,
});
