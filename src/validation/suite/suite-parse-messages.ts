import type { Suite } from "./suite.js";

/** Messages between parse-suite-off-thread.ts and its worker (suite-parse-worker.ts). */
export interface SuiteParseRequest {
  id: number;
  text: string;
  label: string;
}

export type SuiteParseReply = { id: number; suite: Suite } | { id: number; error: string; clientError: boolean };
