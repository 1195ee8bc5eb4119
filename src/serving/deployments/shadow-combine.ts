import type { HistoryEntry, SavedShadowReport } from "./deployment.js";
import { mergeShadowStates, shadowReportOf, type ShadowIdentity, type ShadowRecorderState, type ShadowReport } from "./shadow-report.js";

/** One replica's part of a combined report: whose, and when it was last saved (undefined: this process's live counts). */
export interface ShadowPart {
  replica: string;
  updatedTime?: number;
  released: boolean;
  /** A compacted part (dead processes' parts merged into one): how many processes' parts it holds. */
  mergedParts?: number;
}

/** A comparison as every replica counted it: the report of the summed parts, and the parts. */
export interface CombinedShadowReport {
  report: ShadowReport;
  state: ShadowRecorderState;
  /** The latest save of a part (undefined when only this process's live counts make it). */
  updatedTime?: number;
  /** How many server processes contributed (distinct replicas of the parts, plus those a compacted part holds). */
  replicas: number;
  parts: ShadowPart[];
}

/** What deployments/shadow-report answers: a combined comparison, and whether this process is counting it live. */
export interface CurrentShadowReport {
  report: ShadowReport;
  live: boolean;
  updatedTime?: number;
  replicas: number;
  parts: ShadowPart[];
}

export const currentOf = (combined: CombinedShadowReport, live: boolean): CurrentShadowReport => ({
  report: combined.report,
  live,
  ...(combined.updatedTime !== undefined ? { updatedTime: combined.updatedTime } : {}),
  replicas: combined.replicas,
  parts: combined.parts,
});

/** A part as combine() takes it: saved, or this process's live recorder (no save time). */
export interface PartInput {
  identity: ShadowIdentity;
  state: ShadowRecorderState;
  replica: string;
  updatedTime?: number;
  released: boolean;
  mergedParts?: number;
}

export const savedPart = (saved: SavedShadowReport): PartInput => ({
  identity: saved.report,
  state: saved.state,
  replica: saved.replica,
  updatedTime: saved.updatedTime,
  released: saved.released,
  ...(saved.mergedParts !== undefined ? { mergedParts: saved.mergedParts } : {}),
});

/**
 * When the comparison a part belongs to started: the latest change of the primary or the shadow (any history entry
 * but a canary's) at or before the part's `since`. Each replica starts its own recorder when it applies the change,
 * so the parts of one comparison have different `since`s, all after that entry (replicas' clocks are assumed in
 * step, as the webhook leases already assume). -Infinity before any entry.
 */
export const comparisonStart = (changeTimes: readonly number[], since: number): number =>
  changeTimes.reduce((latest, time) => (time <= since && time > latest ? time : latest), Number.NEGATIVE_INFINITY);

/**
 * The times of the changes that start a new comparison: every change of the primary or the shadow, but not a canary's
 * nor the shadow set again to the version it already had (the routing keeps counting then when the share is the same,
 * and a new share is told apart by the parts' own `share`; only a share changed and changed back would join).
 */
export const changeTimesOf = (history: readonly HistoryEntry[]): number[] =>
  history.filter((e) => e.role !== "canary" && !(e.role === "shadow" && e.from !== undefined && e.from === e.to)).map((e) => e.time);

/** Parts of one comparison: same versions and share, started by the same change. */
export const comparisonKey = (changeTimes: readonly number[], identity: ShadowIdentity): string =>
  JSON.stringify([comparisonStart(changeTimes, identity.since), identity.primary_version, identity.candidate_version, identity.share]);

/** Adds up the parts of one comparison (at least one); `since` is the earliest part's. */
export const combine = (parts: readonly PartInput[]): CombinedShadowReport => {
  const first = parts[0];
  if (first === undefined) throw new Error("combine() needs at least one part");
  const since = parts.reduce((min, p) => Math.min(min, p.identity.since), first.identity.since);
  const state = mergeShadowStates(parts.map((p) => p.state));
  const saves = parts.flatMap((p) => (p.updatedTime === undefined ? [] : [p.updatedTime]));
  return {
    report: shadowReportOf({ ...first.identity, since }, state),
    state,
    ...(saves.length > 0 ? { updatedTime: Math.max(...saves) } : {}),
    replicas:
      new Set(parts.filter((p) => p.mergedParts === undefined).map((p) => p.replica)).size + parts.reduce((total, p) => total + (p.mergedParts ?? 0), 0),
    parts: parts.map((p) => ({
      replica: p.replica,
      ...(p.updatedTime !== undefined ? { updatedTime: p.updatedTime } : {}),
      released: p.released,
      ...(p.mergedParts !== undefined ? { mergedParts: p.mergedParts } : {}),
    })),
  };
};

/** Groups parts into comparisons and combines each; newest first (by the latest `since` of a part, then by save). */
export const combineAll = (changeTimes: readonly number[], parts: readonly PartInput[]): CombinedShadowReport[] => {
  const groups = new Map<string, PartInput[]>();
  for (const part of parts) {
    const key = comparisonKey(changeTimes, part.identity);
    groups.set(key, [...(groups.get(key) ?? []), part]);
  }
  const latestSince = (g: readonly PartInput[]): number => Math.max(...g.map((p) => p.identity.since));
  // Live counts (no save time) count as saved now.
  const latestSave = (g: readonly PartInput[]): number => Math.max(...g.map((p) => p.updatedTime ?? Number.MAX_SAFE_INTEGER));
  return [...groups.values()]
    .sort((a, b) => latestSince(b) - latestSince(a) || latestSave(b) - latestSave(a))
    .map((g) => combine(g));
};
