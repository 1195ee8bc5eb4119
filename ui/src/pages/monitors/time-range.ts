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
 * The monitor chart's time axis: tick labels that cannot be misread. HH:MM when every run falls on one day (HH:MM:SS
 * when they are minutes apart at most), the
 * date and HH:MM when they span a few days, the date alone beyond; the axis names the time zone they are in (the
 * browser's unless one is given). `incrs` (seconds) keeps uPlot's ticks at steps the format can tell apart.
 */
export interface TimeAxis {
  /** e.g. "Run time (Europe/Oslo, UTC+1)". */
  label: string;
  /** A tick's label, from epoch ms. */
  tick(ms: number): string;
  /** The cursor's reading: date, time to the second (the millisecond when runs are that close) and zone. */
  full(ms: number): string;
  /** The tick steps uPlot may choose from (seconds), so that no two ticks get the same label. */
  incrs: number[];
  /** The least room between two ticks, in CSS pixels: a label's width and a gap. */
  space: number;
}

const MINUTE_S = 60;
const HOUR_S = 3600;
const DAY_S = 86_400;
const MS_INCRS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
const SECOND_INCRS = [1, 2, 5, 10, 15, 30];
const TIME_INCRS = [MINUTE_S, 5 * MINUTE_S, 10 * MINUTE_S, 15 * MINUTE_S, 30 * MINUTE_S, HOUR_S, 2 * HOUR_S, 3 * HOUR_S, 6 * HOUR_S, 12 * HOUR_S];
const DAY_INCRS = [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 28 * DAY_S, 91 * DAY_S, 182 * DAY_S, 365 * DAY_S];
/** Runs closer than this (a test, or "Run now" pressed twice) get milliseconds on their ticks. */
const MILLIS_WITHIN_MS = 10_000;
/** Runs within this span get seconds on their ticks. */
const SECONDS_WITHIN_MS = 10 * MINUTE_S * 1000;
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
  const span = last - first;
  const clock = (options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", hour: "2-digit", minute: "2-digit", ...options });
  const dayOf = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const date = new Intl.DateTimeFormat("en-US", { timeZone, month: "short", day: "numeric" });
  const millis = span < MILLIS_WITHIN_MS;
  const seconds = span < SECONDS_WITHIN_MS;
  const time = clock(millis ? { second: "2-digit", fractionalSecondDigits: 3 } : seconds ? { second: "2-digit" } : {});
  const fullTime = clock(millis ? { second: "2-digit", fractionalSecondDigits: 3 } : { second: "2-digit" });
  const oneDay = dayOf.format(first) === dayOf.format(last);
  const dateOnly = span > DATE_ONLY_AFTER_MS;
  const zoneName = timeZone === "UTC" || timeZone === "Etc/UTC" ? "UTC" : `${timeZone}, ${zoneOffset(last, timeZone)}`;
  const tick = (ms: number): string => (dateOnly ? date.format(ms) : oneDay ? time.format(ms) : `${date.format(ms)} ${time.format(ms)}`);
  const incrs = dateOnly ? DAY_INCRS : millis ? [...MS_INCRS, ...SECOND_INCRS, ...TIME_INCRS] : seconds ? [...SECOND_INCRS, ...TIME_INCRS] : [...TIME_INCRS, ...DAY_INCRS];
  // About 7 px a character at the axis's 12 px, plus a gap: labels never touch.
  const widest = tick(last).length;
  return {
    label: `Run time (${zoneName})`,
    tick,
    full: (ms) => `${dayOf.format(ms)} ${fullTime.format(ms).replace(",", ".")} ${zoneOffset(ms, timeZone)}`,
    incrs,
    space: Math.max(50, widest * 7 + 16),
  };
};
