import type { OutputComparison } from "./shadow-comparison.js";
import { LatencySketch, type LatencySummary, type SavedLatencies } from "./shadow-latency.js";

export type { LatencySummary, SavedLatencies } from "./shadow-latency.js";


/** The comparison report of a shadow, as deployments/shadow-report returns it. */
export interface ShadowReport {
  deployment: string;
  primary_version: string;
  candidate_version: string;
  share: number;
  since: number;
  /** Requests mirrored to the candidate. */
  mirrored: number;
  /** Mirrored requests where both answered (the basis of every figure below). */
  compared: number;
  primary_errors: number;
  candidate_errors: number;
  /** Compared requests where a class could be read, and of those how many agreed. */
  class_compared: number;
  same_class: number;
  agreement_rate: number | null;
  abs_diff: { mean: number | null; max: number | null };
  rel_diff: { mean: number | null; max: number | null };
  latency: { primary: LatencySummary; candidate: LatencySummary };
}

/** Everything a recorder counts, so that a restarted server continues the comparison where it stopped, and so that
 * the parts of several replicas add up (mergeShadowStates). */
export interface ShadowRecorderState {
  mirrored: number;
  compared: number;
  primary_errors: number;
  candidate_errors: number;
  class_compared: number;
  same_class: number;
  abs_sum: number;
  abs_max: number | null;
  rel_sum: number;
  rel_max: number | null;
  diff_count: number;
  primary_latency: SavedLatencies;
  candidate_latency: SavedLatencies;
}

/** What a comparison compares: the report's identity fields. */
export interface ShadowIdentity {
  deployment: string;
  primary_version: string;
  candidate_version: string;
  share: number;
  since: number;
}

const maxOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * The state of one recorder that saw every request the parts saw: counts and sums add, maxima take the larger,
 * latencies merge exactly (LatencySketch.merge). Sums of floating-point differences add in another order than one
 * recorder would, so means can differ in the last bits.
 */
export const mergeShadowStates = (parts: readonly ShadowRecorderState[]): ShadowRecorderState => {
  const sum = (pick: (s: ShadowRecorderState) => number): number => parts.reduce((total, s) => total + pick(s), 0);
  return {
    mirrored: sum((s) => s.mirrored),
    compared: sum((s) => s.compared),
    primary_errors: sum((s) => s.primary_errors),
    candidate_errors: sum((s) => s.candidate_errors),
    class_compared: sum((s) => s.class_compared),
    same_class: sum((s) => s.same_class),
    abs_sum: sum((s) => s.abs_sum),
    abs_max: parts.reduce<number | null>((max, s) => maxOf(max, s.abs_max), null),
    rel_sum: sum((s) => s.rel_sum),
    rel_max: parts.reduce<number | null>((max, s) => maxOf(max, s.rel_max), null),
    diff_count: sum((s) => s.diff_count),
    primary_latency: LatencySketch.merge(parts.map((s) => s.primary_latency)).saved(),
    candidate_latency: LatencySketch.merge(parts.map((s) => s.candidate_latency)).saved(),
  };
};

/**
 * What `total` (a recorder's state now) counted beyond `absorbed` (an earlier state of it, already merged into a
 * compacted part): mergeShadowStates([absorbed, result]) equals `total`. Counts and sums subtract; the maxima stay
 * total's (the merge takes the larger, which is total's); latencies: LatencySketch.without.
 */
export const shadowStateWithout = (total: ShadowRecorderState, absorbed: ShadowRecorderState): ShadowRecorderState => {
  // A non-finite sum (a NaN or infinite difference) stays what it is: the rest adds 0 to the same value, else its own.
  const rest = (t: number, a: number): number => (Number.isFinite(a) ? t - a : Object.is(t, a) ? 0 : t);
  return {
    mirrored: total.mirrored - absorbed.mirrored,
    compared: total.compared - absorbed.compared,
    primary_errors: total.primary_errors - absorbed.primary_errors,
    candidate_errors: total.candidate_errors - absorbed.candidate_errors,
    class_compared: total.class_compared - absorbed.class_compared,
    same_class: total.same_class - absorbed.same_class,
    abs_sum: rest(total.abs_sum, absorbed.abs_sum),
    abs_max: total.abs_max,
    rel_sum: rest(total.rel_sum, absorbed.rel_sum),
    rel_max: total.rel_max,
    diff_count: total.diff_count - absorbed.diff_count,
    primary_latency: LatencySketch.without(total.primary_latency, absorbed.primary_latency),
    candidate_latency: LatencySketch.without(total.candidate_latency, absorbed.candidate_latency),
  };
};

/** The report of a comparison from its (possibly merged) state: rates and means recomputed from the sums. */
export const shadowReportOf = (identity: ShadowIdentity, state: ShadowRecorderState): ShadowReport => {
  const mean = (sum: number): number | null => (state.diff_count === 0 ? null : sum / state.diff_count);
  return {
    deployment: identity.deployment,
    primary_version: identity.primary_version,
    candidate_version: identity.candidate_version,
    share: identity.share,
    since: identity.since,
    mirrored: state.mirrored,
    compared: state.compared,
    primary_errors: state.primary_errors,
    candidate_errors: state.candidate_errors,
    class_compared: state.class_compared,
    same_class: state.same_class,
    agreement_rate: state.class_compared === 0 ? null : state.same_class / state.class_compared,
    abs_diff: { mean: mean(state.abs_sum), max: state.abs_max },
    rel_diff: { mean: mean(state.rel_sum), max: state.rel_max },
    latency: {
      primary: LatencySketch.restore(state.primary_latency).summary(),
      candidate: LatencySketch.restore(state.candidate_latency).summary(),
    },
  };
};

/** Running totals of one shadow (primary version vs candidate); reset when the shadow or the primary changes. */
export class ShadowRecorder {
  /** Grows with every recorded event: a save is needed only when it moved since the last one. */
  private changes = 0;
  private mirrored = 0;
  private compared = 0;
  private primaryErrors = 0;
  private candidateErrors = 0;
  private classCompared = 0;
  private sameClass = 0;
  private absSum = 0;
  private absMax: number | null = null;
  private relSum = 0;
  private relMax: number | null = null;
  private diffCount = 0;
  private primaryLatency = new LatencySketch();
  private candidateLatency = new LatencySketch();

  constructor(
    readonly deployment: string,
    readonly primaryVersion: string,
    readonly candidateVersion: string,
    readonly share: number,
    readonly since: number,
  ) {}

  /** A recorder that continues from a saved state (same deployment, versions, share and `since`). */
  static restore(report: ShadowIdentity, state: ShadowRecorderState): ShadowRecorder {
    const recorder = new ShadowRecorder(report.deployment, report.primary_version, report.candidate_version, report.share, report.since);
    recorder.mirrored = state.mirrored;
    recorder.compared = state.compared;
    recorder.primaryErrors = state.primary_errors;
    recorder.candidateErrors = state.candidate_errors;
    recorder.classCompared = state.class_compared;
    recorder.sameClass = state.same_class;
    recorder.absSum = state.abs_sum;
    recorder.absMax = state.abs_max;
    recorder.relSum = state.rel_sum;
    recorder.relMax = state.rel_max;
    recorder.diffCount = state.diff_count;
    recorder.primaryLatency = LatencySketch.restore(state.primary_latency);
    recorder.candidateLatency = LatencySketch.restore(state.candidate_latency);
    return recorder;
  }

  get revision(): number {
    return this.changes;
  }

  state(): ShadowRecorderState {
    return {
      mirrored: this.mirrored,
      compared: this.compared,
      primary_errors: this.primaryErrors,
      candidate_errors: this.candidateErrors,
      class_compared: this.classCompared,
      same_class: this.sameClass,
      abs_sum: this.absSum,
      abs_max: this.absMax,
      rel_sum: this.relSum,
      rel_max: this.relMax,
      diff_count: this.diffCount,
      primary_latency: this.primaryLatency.saved(),
      candidate_latency: this.candidateLatency.saved(),
    };
  }

  recordMirrored(): void {
    this.changes += 1;
    this.mirrored += 1;
  }

  recordPrimaryError(): void {
    this.changes += 1;
    this.primaryErrors += 1;
  }

  recordCandidateError(primaryMs: number): void {
    this.changes += 1;
    this.candidateErrors += 1;
    this.primaryLatency.add(primaryMs);
  }

  recordComparison(comparison: OutputComparison, primaryMs: number, candidateMs: number): void {
    this.changes += 1;
    this.compared += 1;
    if (comparison.sameClass !== undefined) {
      this.classCompared += 1;
      if (comparison.sameClass) this.sameClass += 1;
    }
    for (const d of comparison.absDiffs) {
      this.absSum += d;
      this.absMax = this.absMax === null ? d : Math.max(this.absMax, d);
    }
    for (const d of comparison.relDiffs) {
      this.relSum += d;
      this.relMax = this.relMax === null ? d : Math.max(this.relMax, d);
    }
    this.diffCount += comparison.absDiffs.length;
    this.primaryLatency.add(primaryMs);
    this.candidateLatency.add(candidateMs);
  }

  identity(): ShadowIdentity {
    return { deployment: this.deployment, primary_version: this.primaryVersion, candidate_version: this.candidateVersion, share: this.share, since: this.since };
  }

  report(): ShadowReport {
    return shadowReportOf(this.identity(), this.state());
  }
}
