import type { PendingDigest } from "../../audit/run-data-digest.js";

/** audit_pending_digests as SQL sees it, shared by both backends. */
export interface PendingDigestRow {
  run_id: string;
  writes: number;
  metrics: number;
  params: number;
  tags: number;
  keys_json: string;
  step_min: number | null;
  step_max: number | null;
  time_min: number | null;
  time_max: number | null;
  content_sum: string;
  first_time: number;
  last_time: number;
  actor_name: string;
  actor_verified: number;
  request_id: string;
}

export const PENDING_DIGEST_COLUMNS =
  "run_id, writes, metrics, params, tags, keys_json, step_min, step_max, time_min, time_max, content_sum, first_time, last_time, actor_name, actor_verified, request_id";

const parseKeys = (text: string): string[] => {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((key): key is string => typeof key === "string") : [];
  } catch {
    return [];
  }
};

export const toPendingDigest = (row: PendingDigestRow): PendingDigest => ({
  runId: row.run_id,
  writes: row.writes,
  metrics: row.metrics,
  params: row.params,
  tags: row.tags,
  keys: parseKeys(row.keys_json),
  stepMin: row.step_min,
  stepMax: row.step_max,
  timeMin: row.time_min,
  timeMax: row.time_max,
  contentSum: row.content_sum,
  firstTime: row.first_time,
  lastTime: row.last_time,
  actor: { name: row.actor_name, verified: row.actor_verified === 1 },
  requestId: row.request_id,
});

/** The values of PENDING_DIGEST_COLUMNS, in order. */
export const pendingDigestValues = (p: PendingDigest): unknown[] => [
  p.runId,
  p.writes,
  p.metrics,
  p.params,
  p.tags,
  JSON.stringify(p.keys),
  p.stepMin,
  p.stepMax,
  p.timeMin,
  p.timeMax,
  p.contentSum,
  p.firstTime,
  p.lastTime,
  p.actor.name,
  p.actor.verified ? 1 : 0,
  p.requestId,
];
