/**
 * The worker thread of pg-audit-verify-thread.ts: verifies the audit chain on a connection of its own inside one
 * REPEATABLE READ, READ ONLY transaction (one snapshot: events committed meanwhile are not seen, as with the SQLite
 * worker), reading keyset batches so that memory stays bounded on any log size.
 */
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { ChainVerifier, type ChainWalk } from "../../audit/verify.js";
import { COLUMNS, toRecord, type EventRow } from "../sql/audit-event-rows.js";
import type { AuditVerifyReply } from "../../audit/verify-on-worker.js";
import type { PgAuditVerifyRequest } from "./pg-audit-verify-thread.js";

const BATCH = 5000;
const { connection, from } = workerData as PgAuditVerifyRequest;

/** BIGINT columns arrive as text on this plain client: back to numbers (all below 2^53). */
const eventOf = (row: EventRow): ReturnType<typeof toRecord> =>
  toRecord({ ...row, seq: Number(row.seq), time: Number(row.time), actor_verified: Number(row.actor_verified) });

const walk = async (client: pg.Client): Promise<ChainWalk> => {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const head = await client.query<{ last_seq: string }>(
      `SELECT GREATEST(COALESCE((SELECT last_seq FROM audit_head WHERE id = 1), 0),
                       COALESCE((SELECT max(seq) FROM audit_events), 0))::bigint AS last_seq`,
    );
    const lastAssigned = Number(head.rows[0]?.last_seq ?? 0);
    let fromEvent: ReturnType<typeof toRecord> | undefined;
    if (from !== undefined) {
      const row = (await client.query<EventRow>(`SELECT ${COLUMNS} FROM audit_events WHERE seq = $1`, [from.seq])).rows[0];
      fromEvent = row === undefined ? undefined : eventOf(row);
    }
    const verifier = new ChainVerifier(from, fromEvent);
    let afterSeq = from?.seq ?? 0;
    for (;;) {
      const { rows } = await client.query<EventRow>(`SELECT ${COLUMNS} FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`, [
        afterSeq,
        lastAssigned,
        BATCH,
      ]);
      for (const row of rows) verifier.check(eventOf(row));
      const last = rows.at(-1);
      if (last === undefined || rows.length < BATCH) break;
      afterSeq = Number(last.seq);
    }
    return verifier.finishWalk(lastAssigned);
  } finally {
    await client.query("COMMIT").catch(() => undefined);
  }
};

let reply: AuditVerifyReply;
const client = new pg.Client({
  host: connection.host,
  port: connection.port,
  database: connection.database,
  ...(connection.user === undefined ? {} : { user: connection.user }),
  ...(connection.password === undefined ? {} : { password: connection.password }),
  ...(connection.ssl === true ? { ssl: true } : {}),
  application_name: "cairn-audit-verify",
});
try {
  await client.connect();
  reply = { walk: await walk(client) };
} catch (error) {
  reply = { error: error instanceof Error ? error.message : String(error) };
} finally {
  await client.end().catch(() => undefined);
}
parentPort?.postMessage(reply);
