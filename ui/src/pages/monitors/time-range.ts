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

/**
 * The monitor chart's time axis: tick labels that cannot be misread. HH:MM when every run falls on one day, the
 * date and HH:MM when they span a few days, the date alone beyond; the axis names the time zone they are in (the
 * browser's unless one is given). `incrs` (seconds) keeps uPlot's ticks at steps the format can tell apart.
 */
export interface TimeAxis {
  /** e.g. "Run time (Europe/Oslo, UTC+1)". */
  label: string;
  /** A tick's label, from epoch ms. */
  tick(ms: number): string;
  /** The cursor's reading: date, time and zone. */
  full(ms: number): string;
  incrs: number[];
}

const MINUTE_S = 60;
const HOUR_S = 3600;
const DAY_S = 86_400;
const TIME_INCRS = [MINUTE_S, 5 * MINUTE_S, 10 * MINUTE_S, 15 * MINUTE_S, 30 * MINUTE_S, HOUR_S, 2 * HOUR_S, 3 * HOUR_S, 6 * HOUR_S, 12 * HOUR_S];
const DAY_INCRS = [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 28 * DAY_S, 91 * DAY_S, 182 * DAY_S, 365 * DAY_S];
/** Beyond this span, ticks are whole days and show the date alone. */
const DATE_ONLY_AFTER_MS = 3 * DAY_S * 1000;

const zoneOffset = (ms: number, timeZone: string): string => {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "shortOffset" }).formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName");
  const offset = (part?.value ?? "GMT").replace(/^GMT/, "UTC");
  return offset === "UTC+0" || offset === "UTC-0" ? "UTC" : offset;
};

export const timeAxis = (times: readonly number[], timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone): TimeAxis => {
  const first = times.length > 0 ? Math.min(...times) : 0;
  const last = times.length > 0 ? Math.max(...times) : 0;
  const dayOf = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const hhmm = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const date = new Intl.DateTimeFormat("en-US", { timeZone, month: "short", day: "numeric" });
  const dateWithYear = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const oneDay = dayOf.format(first) === dayOf.format(last);
  const dateOnly = last - first > DATE_ONLY_AFTER_MS;
  const offset = zoneOffset(last, timeZone);
  const zoneName = timeZone === "UTC" || timeZone === "Etc/UTC" ? "UTC" : `${timeZone}, ${offset}`;
  return {
    label: `Run time (${zoneName})`,
    tick: (ms) => (oneDay ? hhmm.format(ms) : dateOnly ? date.format(ms) : `${date.format(ms)} ${hhmm.format(ms)}`),
    full: (ms) => `${dateWithYear.format(ms)} ${hhmm.format(ms)} ${zoneOffset(ms, timeZone)}`,
    incrs: dateOnly ? DAY_INCRS : TIME_INCRS.concat(DAY_INCRS),
  };
};
