import type { ChainStart } from "../../audit/verify.js";

/** What the server sends the verify worker (as its workerData): the database file to open read-only, and where to start. */
export interface AuditVerifyRequest {
  file: string;
  /** Continue after this verified checkpoint; absent: from the first event. */
  from?: ChainStart;
}
