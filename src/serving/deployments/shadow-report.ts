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

class LatencySamples {
  private readonly samples: number[] = [];
  private seen = 0;

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
  private readonly primaryLatency = new LatencySamples();
  private readonly candidateLatency = new LatencySamples();

  constructor(
    readonly deployment: string,
    readonly primaryVersion: string,
    readonly candidateVersion: string,
    readonly share: number,
    readonly since: number,
    private readonly random: () => number = Math.random,
  ) {}

  recordMirrored(): void {
    this.mirrored += 1;
  }

  recordPrimaryError(): void {
    this.primaryErrors += 1;
  }

  recordCandidateError(primaryMs: number): void {
    this.candidateErrors += 1;
    this.primaryLatency.add(primaryMs, this.random);
  }

  recordComparison(comparison: OutputComparison, primaryMs: number, candidateMs: number): void {
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
