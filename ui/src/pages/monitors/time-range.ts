/** The history periods a dashboard offers (in the URL as `range`). */
export const HISTORY_RANGES: readonly { key: string; label: string; ms: number | undefined }[] = [
  { key: "1h", label: "Last hour", ms: 3_600_000 },
  { key: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { key: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { key: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
  { key: "all", label: "All history", ms: undefined },
];

export const DEFAULT_RANGE = "7d";

export const rangeOf = (key: string): (typeof HISTORY_RANGES)[number] =>
  HISTORY_RANGES.find((r) => r.key === key) ?? (HISTORY_RANGES.find((r) => r.key === DEFAULT_RANGE) as (typeof HISTORY_RANGES)[number]);

/** The start of a range at `now` (epoch ms), undefined for all history. */
export const rangeStart = (key: string, now: number): number | undefined => {
  const ms = rangeOf(key).ms;
  return ms === undefined ? undefined : now - ms;
};

/** The start of a range now (read when a query runs, not while rendering). */
export const rangeStartNow = (key: string): number | undefined => rangeStart(key, Date.now());

/** Seconds in the largest whole unit: 300 -> "5 min", 3600 -> "1 h", 90 -> "90 s", 172800 -> "2 d". */
export const formatSeconds = (seconds: number): string => {
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
};
