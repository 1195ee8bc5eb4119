/**
 * What a command hands back to the entry: the machine data (printed as JSON with --json) and a human rendering
 * (an aligned table, key/value lines, or a message). Commands build these; only the entry prints.
 */
export type HumanOutput =
  | { kind: "table"; columns: string[]; rows: string[][]; empty: string; title?: string; note?: string }
  | { kind: "sections"; sections: Section[] }
  | { kind: "message"; text: string };

/** A titled block of key/value pairs, or of preformatted lines (a tree) when `lines` is given. */
export interface Section {
  title?: string;
  pairs: [string, string][];
  lines?: string[];
}

export interface CommandResult<T = unknown> {
  data: T;
  human: HumanOutput;
  /** A non-zero exit code for a result that is printed but is a failure (e.g. `cairn audit verify` finding tampering). */
  exitCode?: number;
  /**
   * A line about the output for a person, printed on stderr before the human rendering (never with --json, whose
   * stdout is the data alone): e.g. which version answered `cairn predict` and what its table shows.
   */
  notice?: string;
}

export interface RenderOptions {
  /** Bold headers only on a terminal that wants color. */
  color: boolean;
  /**
   * The terminal's width in characters: table cells are cut with an ellipsis so that each line fits. Absent (output
   * piped or redirected) means full values: a script reading the table must not lose data (see docs/cli.md).
   */
  width?: number;
}

/**
 * How wide tables may be: a terminal's width (cells cut with an ellipsis to fit); when piped or redirected, full
 * values for the scripts that read them, unless COLUMNS asks for a width (as `ls` honours it).
 */
export const tableWidth = (tty: boolean, columns: number | undefined, env: string | undefined): number | undefined => {
  const asked = env !== undefined && /^\d{1,5}$/.test(env.trim()) ? Number(env.trim()) : undefined;
  const wanted = asked !== undefined && asked > 0 ? asked : undefined;
  // A terminal's live width wins over a COLUMNS exported before a resize.
  if (tty) return columns !== undefined && columns > 0 ? columns : (wanted ?? 80);
  return wanted;
};

/** A column whose values are all at most this long (times, stages, versions, counts) is never cut: a cut time says nothing. */
const SHORT_COLUMN = 20;
/** Time columns ("TIME (UTC)", "CREATED (UTC)") are never cut either, even with their "(3 min ago)". */
const TIME_HEADER = /\(UTC\)$/;
/** A longer column is never cut below its header's length, nor below this many characters. */
const MIN_COLUMN = 10;
const GAP = 2;

/**
 * The width of each column so that a line fits `width`: the widest columns give way first (a water level); short
 * columns keep their values and no long one goes below its header or MIN_COLUMN. When even that does not fit, the
 * line is as narrow as it can be and the terminal wraps it.
 */
export const fitWidths = (natural: number[], headers: string[], width: number): number[] => {
  const floor = natural.map((w, i) => (w <= SHORT_COLUMN || TIME_HEADER.test(headers[i] ?? "") ? w : Math.max(MIN_COLUMN, (headers[i] ?? "").length)));
  const total = (widths: number[]): number => widths.reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, widths.length - 1);
  if (total(natural) <= width) return natural;
  const capped = (level: number): number[] => natural.map((w, i) => Math.max(floor[i] ?? 0, Math.min(w, level)));
  // The highest level whose capped widths fit (binary search; capped() only grows with the level).
  let low = 0;
  let high = Math.max(0, ...natural);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (total(capped(mid)) <= width) low = mid;
    else high = mid - 1;
  }
  const widths = capped(low);
  // Hand the columns at the level the characters left over, left to right, so the line uses the whole width.
  let spare = width - total(widths);
  for (let i = 0; i < widths.length && spare > 0; i += 1) {
    const grow = Math.min(spare, (natural[i] ?? 0) - (widths[i] ?? 0));
    if (grow > 0) {
      widths[i] = (widths[i] ?? 0) + grow;
      spare -= grow;
    }
  }
  return widths;
};

/** A cell cut to `width` characters, its last one an ellipsis when anything was cut. */
export const cutCell = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`);

const bold = (text: string, options: RenderOptions): string => (options.color ? `\u001b[1m${text}\u001b[22m` : text);

/**
 * Columns padded to their widest cell, two spaces apart; trailing spaces trimmed. With `options.width` the widest
 * columns are cut (with an ellipsis) until each line fits it.
 */
export const renderTable = (columns: string[], rows: string[][], options: RenderOptions): string => {
  const natural = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? "").length)));
  const widths = options.width === undefined ? natural : fitWidths(natural, columns, options.width);
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => cutCell(cell, widths[index] ?? 0).padEnd(widths[index] ?? 0))
      .join(" ".repeat(GAP))
      .trimEnd();
  const header = bold(line(columns), options);
  return [header, ...rows.map(line)].join("\n");
};

const renderPairs = (pairs: [string, string][]): string => {
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `  ${`${key}:`.padEnd(width + 1)} ${value}`.trimEnd()).join("\n");
};

export const renderHuman = (human: HumanOutput, options: RenderOptions): string => {
  switch (human.kind) {
    case "table":
      return [
        ...(human.title === undefined ? [] : [human.title]),
        human.rows.length === 0 ? human.empty : renderTable(human.columns, human.rows, options),
        ...(human.note === undefined ? [] : [human.note]),
      ].join("\n");
    case "sections":
      return human.sections
        .map((section) => {
          const body =
            section.lines !== undefined
              ? section.lines.length === 0
                ? "  (none)"
                : section.lines.map((line) => `  ${line}`.trimEnd()).join("\n")
              : section.pairs.length === 0
                ? "  (none)"
                : renderPairs(section.pairs);
          return section.title ? `${bold(section.title, options)}\n${body}` : body;
        })
        .join("\n\n");
    case "message":
      return human.text;
  }
};

/** Milliseconds since the epoch as "YYYY-MM-DD HH:MM:SS" in UTC (stable across machines); "-" when absent. */
export const formatTime = (ms: number | undefined): string =>
  ms === undefined || ms === 0 ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);

/**
 * How long ago (or ahead) a time is, for a person: "just now", "42 s ago", "3 min ago", "5 h ago", "12 days ago"
 * ("in 3 min" for a time ahead, e.g. a clock skew).
 */
export const formatAgo = (ms: number, now: number = Date.now()): string => {
  const seconds = Math.round((now - ms) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 5) return "just now";
  const text =
    magnitude < 60
      ? `${magnitude} s`
      : magnitude < 3600
        ? `${Math.floor(magnitude / 60)} min`
        : magnitude < 48 * 3600
          ? `${Math.floor(magnitude / 3600)} h`
          : `${Math.floor(magnitude / 86_400)} days`;
  return seconds > 0 ? `${text} ago` : `in ${text}`;
};

/** A UTC time with how long ago it was: "2026-12-04 17:20:56 (3 min ago)"; "-" when absent. */
export const formatTimeAgo = (ms: number | undefined, now: number = Date.now()): string =>
  ms === undefined || ms === 0 ? "-" : `${formatTime(ms)} (${formatAgo(ms, now)})`;

/** A duration such as "1.5s", "12m 03s", "2h 05m"; "-" when the run has not ended. */
export const formatDuration = (startMs: number, endMs: number | undefined): string => {
  if (endMs === undefined || endMs < startMs) return "-";
  const seconds = (endMs - startMs) / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
};

export const formatSize = (bytes: number | undefined): string => {
  if (bytes === undefined) return "-";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
};
