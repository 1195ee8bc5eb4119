import type { CodecFailure, CodecJob, CodecResult } from "./codec-jobs.js";

/** Messages between codec-pool.ts and its workers (codec-worker.ts). */
export interface CodecRequest {
  id: number;
  job: CodecJob;
}

export type CodecReply = { id: number; result: CodecResult } | { id: number; failure: CodecFailure };
