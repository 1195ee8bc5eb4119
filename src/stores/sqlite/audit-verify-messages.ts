import type { VerifyReport } from "../../audit/verify.js";

/** What the server sends the verify worker (as its workerData): the database file to open read-only. */
export interface AuditVerifyRequest {
  file: string;
}

/** The worker's one answer: the report, or why it could not make one. */
export type AuditVerifyReply = { report: VerifyReport } | { error: string };
