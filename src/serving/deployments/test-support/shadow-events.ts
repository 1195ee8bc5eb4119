import type { ShadowRecorder } from "../shadow-report.js";

/**
 * The i-th event of a deterministic shadow traffic stream, recorded on `recorder`: mirrored requests, primary and
 * candidate errors, latencies (some slow), and comparisons agreeing or not, with diffs exact in binary so that sums
 * add exactly in any order (merged parts must equal one recorder that saw everything).
 */
export const recordShadowEvent = (recorder: ShadowRecorder, i: number): void => {
  recorder.recordMirrored();
  const latency = 0.25 * ((i * 37) % 101) + (i % 7 === 0 ? 40 : 1);
  if (i % 11 === 0) recorder.recordPrimaryError();
  else if (i % 13 === 0) recorder.recordCandidateError(latency);
  else {
    const abs = (i % 5) * 0.5;
    recorder.recordComparison({ ...(i % 3 === 0 ? {} : { sameClass: i % 4 !== 0 }), absDiffs: [abs, 0.25], relDiffs: [abs / 4, 0] }, latency, latency * 2);
  }
};
