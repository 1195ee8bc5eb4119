import type { OutputComparison } from "./shadow-comparison.js";

export interface LatencySummary {
  count: number;
  p50_ms: number | null;
  p99_ms: number | null;
}

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

/** Samples kept for percentiles; beyond it a reservoir keeps a uniform sample (counts and means stay exact). */
const MAX_LATENCY_SAMPLES = 100_000;
/** Latency samples saved per side for a restart to continue from (a uniform subsample beyond it). */
export const MAX_SAVED_LATENCY_SAMPLES = 10_000;

/** Latencies of one side as saved: how many were seen, and a sample of them. */
export interface SavedLatencies {
  seen: number;
  samples: number[];
}

/** Everything a recorder counts, so that a restarted server continues the comparison where it stopped. */
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

class LatencySamples {
  private samples: number[] = [];
  private seen = 0;

  static restore(saved: SavedLatencies): LatencySamples {
    const restored = new LatencySamples();
    restored.samples = saved.samples.slice(0, MAX_LATENCY_SAMPLES);
    restored.seen = Math.max(saved.seen, restored.samples.length);
    return restored;
  }

  saved(): SavedLatencies {
    const n = this.samples.length;
    if (n <= MAX_SAVED_LATENCY_SAMPLES) return { seen: this.seen, samples: [...this.samples] };
    // Every k-th of the reservoir (itself uniform) is a uniform subsample.
    const samples = Array.from({ length: MAX_SAVED_LATENCY_SAMPLES }, (_, i) => this.samples[Math.floor((i * n) / MAX_SAVED_LATENCY_SAMPLES)] as number);
    return { seen: this.seen, samples };
  }

  add(ms: number, random: () => number): void {
    this.seen += 1;
    if (this.samples.length < MAX_LATENCY_SAMPLES) this.samples.push(ms);
    else {
      const slot = Math.floor(random() * this.seen);
      if (slot < MAX_LATENCY_SAMPLES) this.samples[slot] = ms;
    }
  }

  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    const rank = (p: number): number | null => (sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null));
    return { count: this.seen, p50_ms: rank(0.5), p99_ms: rank(0.99) };
  }
}

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
  private primaryLatency = new LatencySamples();
  private candidateLatency = new LatencySamples();

  constructor(
    readonly deployment: string,
    readonly primaryVersion: string,
    readonly candidateVersion: string,
    readonly share: number,
    readonly since: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** A recorder that continues from a saved state (same deployment, versions, share and `since`). */
  static restore(report: ShadowReport, state: ShadowRecorderState, random: () => number = Math.random): ShadowRecorder {
    const recorder = new ShadowRecorder(report.deployment, report.primary_version, report.candidate_version, report.share, report.since, random);
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
    recorder.primaryLatency = LatencySamples.restore(state.primary_latency);
    recorder.candidateLatency = LatencySamples.restore(state.candidate_latency);
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
    this.primaryLatency.add(primaryMs, this.random);
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
    this.primaryLatency.add(primaryMs, this.random);
    this.candidateLatency.add(candidateMs, this.random);
  }

  report(): ShadowReport {
    const mean = (sum: number): number | null => (this.diffCount === 0 ? null : sum / this.diffCount);
    return {
      deployment: this.deployment,
      primary_version: this.primaryVersion,
      candidate_version: this.candidateVersion,
      share: this.share,
      since: this.since,
      mirrored: this.mirrored,
      compared: this.compared,
      primary_errors: this.primaryErrors,
      candidate_errors: this.candidateErrors,
      class_compared: this.classCompared,
      same_class: this.sameClass,
      agreement_rate: this.classCompared === 0 ? null : this.sameClass / this.classCompared,
      abs_diff: { mean: mean(this.absSum), max: this.absMax },
      rel_diff: { mean: mean(this.relSum), max: this.relMax },
      latency: { primary: this.primaryLatency.summary(), candidate: this.candidateLatency.summary() },
    };
  }
}
