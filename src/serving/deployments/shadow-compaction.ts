import { randomBytes } from "node:crypto";
import type { SavedShadowReport, ShadowPartRevision } from "./deployment.js";
import { comparisonKey } from "./shadow-combine.js";
import { mergeShadowStates, shadowReportOf, type ShadowIdentity } from "./shadow-report.js";

/**
 * Compaction of dead shadow report parts: a process killed without stopping leaves its part behind, and a
 * crash-looping deployment would add one per crash, each read by every report. The dead parts of one comparison are
 * merged into one compacted part (exact sums; latencies as the combined report merges them), so that a comparison
 * holds at most its live processes' parts plus one compacted part, whatever the crash history.
 */

/** How long a part may go unsaved before its process counts as gone (keepers touch theirs every quarter of it). */
export const DEFAULT_PART_LIVENESS_MS = 60_000;
/** At most this many parts are merged by one transaction (the rest by the next compaction): bounds its size. */
export const MAX_PARTS_PER_COMPACTION = 200;

/** One compaction to make: the parts (as read) it replaces, and the part that replaces them. */
export interface PlannedCompaction {
  parts: ShadowPartRevision[];
  compacted: SavedShadowReport;
}

/**
 * Dead: a compacted part (nobody counts it), a released one (its process stopped), or one not saved for longer than
 * `livenessMs` (its process died: a live one touches its part every quarter of that).
 */
export const isDeadPart = (part: SavedShadowReport, now: number, livenessMs: number): boolean =>
  part.mergedParts !== undefined || part.released || now - part.updatedTime > livenessMs;

const identityOf = (part: SavedShadowReport, since: number): ShadowIdentity => ({
  deployment: part.report.deployment,
  primary_version: part.report.primary_version,
  candidate_version: part.report.candidate_version,
  share: part.report.share,
  since,
});

/**
 * The compactions due among a deployment's saved parts: per comparison (the grouping of the combined report: same
 * versions and share, started by the same change; never across two), its dead parts when there are at least two,
 * oldest save first and at most MAX_PARTS_PER_COMPACTION. `keep`: keys (`since`, candidate, replica) of parts this
 * process counts live, never compacted whatever their save time.
 */
export const plannedCompactions = (
  changeTimes: readonly number[],
  saved: readonly SavedShadowReport[],
  now: number,
  livenessMs: number,
  keep: ReadonlySet<string> = new Set(),
): PlannedCompaction[] => {
  const groups = new Map<string, SavedShadowReport[]>();
  for (const part of saved) {
    if (!isDeadPart(part, now, livenessMs) || keep.has(partKeyString(part.report.since, part.report.candidate_version, part.replica))) continue;
    const key = comparisonKey(changeTimes, part.report);
    groups.set(key, [...(groups.get(key) ?? []), part]);
  }
  const planned: PlannedCompaction[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const parts = [...group].sort((a, b) => a.updatedTime - b.updatedTime).slice(0, MAX_PARTS_PER_COMPACTION);
    const first = parts[0] as SavedShadowReport;
    const since = Math.min(...parts.map((p) => p.report.since));
    const state = mergeShadowStates(parts.map((p) => p.state));
    planned.push({
      parts: parts.map((p) => ({
        deployment: p.report.deployment,
        since: p.report.since,
        candidateVersion: p.report.candidate_version,
        replica: p.replica,
        revision: p.revision ?? 0,
      })),
      compacted: {
        report: shadowReportOf(identityOf(first, since), state),
        state,
        updatedTime: Math.max(...parts.map((p) => p.updatedTime)),
        // A new key every time: a compacted part is never written twice, so a compaction's revision check on it
        // cannot match a newer compacted part of the same key.
        replica: `compacted:${randomBytes(6).toString("hex")}`,
        released: true,
        mergedParts: parts.reduce((total, p) => total + (p.mergedParts ?? 1), 0),
      },
    });
  }
  return planned;
};

/** A part's key within a deployment, as one string. */
export const partKeyString = (since: number, candidateVersion: string, replica: string): string => JSON.stringify([since, candidateVersion, replica]);
