import type { Database } from "better-sqlite3";
import { ChainVerifier, type VerifyReport } from "../../audit/verify.js";
import { COLUMNS, HEAD_SQL, toRecord, type EventRow, type HeadRow } from "./audit-event-rows.js";

/**
 * Verifies the chain as one read transaction sees it: the highest seq assigned in that snapshot bounds the walk
 * (events committed meanwhile are not checked, as with AuditService's walk), and the rows stream through the
 * ChainVerifier one at a time (bounded memory on any log size). Synchronous: it runs on the verify worker's own
 * connection, where blocking costs the server nothing. In WAL mode a writer never waits for this reader.
 */
export const verifyChainSnapshot = (db: Database): VerifyReport =>
  db.transaction(() => {
    const lastAssigned = (db.prepare(HEAD_SQL).get() as HeadRow).last_seq;
    const verifier = new ChainVerifier();
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE seq <= ? ORDER BY seq`).iterate(lastAssigned);
    for (const row of rows) verifier.check(toRecord(row as EventRow));
    return verifier.finish(lastAssigned);
  })();
