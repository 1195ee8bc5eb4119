import type { Database } from "better-sqlite3";
import { ChainVerifier, type ChainStart, type ChainWalk } from "../../audit/verify.js";
import { COLUMNS, HEAD_SQL, toRecord, type EventRow, type HeadRow } from "../sql/audit-event-rows.js";

/**
 * Verifies the chain as one read transaction sees it: the highest seq assigned in that snapshot bounds the walk
 * (events committed meanwhile are not checked, as with AuditService's walk), and the rows stream through the
 * ChainVerifier one at a time (bounded memory on any log size). Synchronous: it runs on the verify worker's own
 * connection, where blocking costs the server nothing. In WAL mode a writer never waits for this reader.
 * `from`: only the events after that checkpoint are walked (and the checkpoint's event is checked to be unchanged).
 */
export const verifyChainSnapshot = (db: Database, from?: ChainStart): ChainWalk =>
  db.transaction(() => {
    const lastAssigned = (db.prepare(HEAD_SQL).get() as HeadRow).last_seq;
    const fromRow = from === undefined ? undefined : (db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE seq = ?`).get(from.seq) as EventRow | undefined);
    const verifier = new ChainVerifier(from, fromRow === undefined ? undefined : toRecord(fromRow));
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`).iterate(from?.seq ?? 0, lastAssigned);
    for (const row of rows) verifier.check(toRecord(row as EventRow));
    return verifier.finishWalk(lastAssigned);
  })();
