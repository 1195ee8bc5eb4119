import { AuditService } from "../../audit/service.js";
import { defaultServerConfig } from "../../core/config.js";
import { currentUser } from "../../sdk/run-context.js";
import { redactUri } from "../../stores/postgres/connection-uri.js";
import { openArtifactStore, openMetadataStores } from "../../stores/registry.js";
import { GcService, type GcReport } from "../../tracking/gc/gc-service.js";
import { UsageError } from "../errors.js";
import type { CommandResult } from "../output.js";

export interface GcCommandOptions {
  olderThan?: string;
  runIds?: string;
  experimentIds?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  dryRun: boolean;
}

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/** MLflow's --older-than: `#d#h#m#s`, each part optional and in this order (e.g. 30d, 1d2h, 90s). */
export const parseOlderThan = (text: string): number => {
  const match = /^(?:(\d{1,6})d)?(?:(\d{1,8})h)?(?:(\d{1,9})m)?(?:(\d{1,10})s)?$/.exec(text);
  if (text === "" || match === null) throw new UsageError(`--older-than must look like #d#h#m#s (e.g. 30d, 1d2h30m, 90s), got '${text.slice(0, 40)}'`);
  const [, d, h, m, s] = match;
  return Number(d ?? 0) * (UNITS.d ?? 0) + Number(h ?? 0) * (UNITS.h ?? 0) + Number(m ?? 0) * (UNITS.m ?? 0) + Number(s ?? 0) * (UNITS.s ?? 0);
};

const idList = (text: string | undefined, flag: string, pattern: RegExp): string[] | undefined => {
  if (text === undefined) return undefined;
  const ids = text.split(",").map((id) => id.trim());
  const bad = ids.find((id) => !pattern.test(id));
  if (bad !== undefined) throw new UsageError(`${flag}: '${bad.slice(0, 64)}' is not an id (comma-separated, no spaces inside ids)`);
  return [...new Set(ids)];
};

/**
 * `cairn gc`: MLflow's gc on the database and artifact store themselves (the same --backend-store-uri and
 * --artifacts-destination as `cairn server`; it may run while servers run). The actor of its audit events is the OS
 * user, unverified.
 */
export const gcCommand = async (options: GcCommandOptions): Promise<CommandResult> => {
  const defaults = defaultServerConfig();
  const olderThanMs = options.olderThan === undefined ? undefined : parseOlderThan(options.olderThan);
  const runIds = idList(options.runIds, "--run-ids", /^[0-9a-zA-Z_-]{1,64}$/);
  const experimentIds = idList(options.experimentIds, "--experiment-ids", /^\d{1,15}$/);
  const uri = options.backendStoreUri ?? defaults.backendStoreUri;
  const stores = await openMetadataStores(uri);
  try {
    if (stores.gc === undefined) throw new UsageError(`--backend-store-uri ${redactUri(uri)}: this backend does not support gc yet`);
    const artifacts = await openArtifactStore(options.artifactsDestination ?? defaults.artifactsDestination);
    const report = await new GcService(stores.gc, artifacts, new AuditService(stores.audit)).run({
      ...(olderThanMs === undefined ? {} : { olderThanMs }),
      ...(runIds === undefined ? {} : { runIds }),
      ...(experimentIds === undefined ? {} : { experimentIds }),
      dryRun: options.dryRun,
      now: Date.now(),
      context: { actor: { name: `local:${currentUser() ?? "unknown"}`, verified: false }, requestId: `gc-${Date.now()}` },
    });
    return gcResult(report);
  } finally {
    await stores.close();
  }
};

const gcResult = (report: GcReport): CommandResult => {
  const verb = report.dryRun ? "Would remove" : "Removed";
  const bytes = report.orphanedUploads.reduce((sum, o) => sum + o.bytes, 0);
  return {
    data: {
      dry_run: report.dryRun,
      removed_runs: report.removedRuns.map((r) => ({ run_id: r.runId, experiment_id: r.experimentId, artifacts: r.artifactKey ?? null })),
      kept_runs: report.keptRuns.map((k) => ({ run_id: k.id, reasons: k.reasons })),
      removed_experiments: report.removedExperiments.map((e) => ({ experiment_id: e.experimentId, name: e.name, artifacts: e.artifactKey ?? null })),
      kept_experiments: report.keptExperiments.map((k) => ({ experiment_id: k.id, reasons: k.reasons })),
      orphaned_uploads: report.orphanedUploads.map((o) => ({ kind: o.kind, id: o.id, key: o.key ?? null, bytes: o.bytes, modified_time: o.modifiedTime })),
    },
    human: {
      kind: "table",
      title: `${verb} ${report.removedRuns.length} run(s):`,
      columns: ["RUN", "EXPERIMENT", "ARTIFACTS"],
      rows: report.removedRuns.map((r) => [r.runId, r.experimentId, r.artifactKey ?? "(not in this artifact store: left)"]),
      empty: "No run to remove.",
      note: [
        ...report.keptRuns.slice(0, 50).map((k) => `kept run ${k.id}: ${k.reasons.join("; ")}`),
        ...(report.keptRuns.length > 50 ? [`... and ${report.keptRuns.length - 50} more kept runs (--json lists all)`] : []),
        `${verb} ${report.removedExperiments.length} experiment(s)${report.removedExperiments.length > 0 ? `: ${report.removedExperiments.map((e) => e.experimentId).join(", ")}` : ""}.`,
        ...report.keptExperiments.map((k) => `kept experiment ${k.id}: ${k.reasons.join("; ")}`),
        `${verb} ${report.orphanedUploads.length} unfinished upload(s) (${bytes} bytes).`,
      ].join("\n"),
    },
  };
};
