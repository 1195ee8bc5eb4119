/** Progress of a repro, one event per stage decision, for the CLI's lines (and tests). */
export type ReproEvent =
  | { kind: "skipped"; stage: string; frozen: boolean }
  | { kind: "would-run"; stage: string; reasons: string[] }
  | { kind: "running"; stage: string; reasons: string[]; cmd: string | string[] }
  | { kind: "cached"; stage: string; reasons: string[] }
  | { kind: "ran"; stage: string; ms: number }
  | { kind: "failed"; stage: string; why: string }
  | { kind: "warning"; message: string };

const cmdText = (cmd: string | string[]): string => (typeof cmd === "string" ? cmd : cmd.join(" && "));

export const describeReproEvent = (event: ReproEvent): string => {
  switch (event.kind) {
    case "skipped":
      return event.frozen ? `Stage '${event.stage}' is frozen, skipping` : `Stage '${event.stage}' didn't change, skipping`;
    case "would-run":
      return `Stage '${event.stage}' would run (${event.reasons.join("; ")})`;
    case "running":
      return `Running stage '${event.stage}' (${event.reasons.join("; ")}):\n> ${cmdText(event.cmd)}`;
    case "cached":
      return `Stage '${event.stage}' restored from the run cache (${event.reasons.join("; ")})`;
    case "ran":
      return `Stage '${event.stage}' done in ${(event.ms / 1000).toFixed(1)} s`;
    case "failed":
      return `Stage '${event.stage}' failed: ${event.why}`;
    case "warning":
      return `Warning: ${event.message}`;
  }
};
