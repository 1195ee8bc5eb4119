/**
 * What a command hands back to the entry: the machine data (printed as JSON with --json) and a human rendering
 * (an aligned table, key/value lines, or a message). Commands build these; only the entry prints.
 */
export type HumanOutput =
  | { kind: "table"; columns: string[]; rows: string[][]; empty: string }
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
}

export interface RenderOptions {
  /** Bold headers only on a terminal that wants color. */
  color: boolean;
}

const bold = (text: string, options: RenderOptions): string => (options.color ? `\u001b[1m${text}\u001b[22m` : text);

/** Columns padded to their widest cell, two spaces apart; trailing spaces trimmed. */
export const renderTable = (columns: string[], rows: string[][], options: RenderOptions): string => {
  const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? "").length)));
  const line = (cells: string[]): string => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join("  ").trimEnd();
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
      return human.rows.length === 0 ? human.empty : renderTable(human.columns, human.rows, options);
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
