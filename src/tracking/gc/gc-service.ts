import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import type { ArtifactStore, OrphanedUpload } from "../../artifacts/store.js";
import { atomically, type AuditRecorder } from "../../audit/recorder.js";
import type { WriteContext } from "../../core/actor.js";
import { invalidParameter } from "../../core/errors.js";
import type { GcExperiment, GcRun, GcStore } from "./gc-store.js";
import { NeededReferences, type Reason } from "./needed-references.js";

/** Runs handled per step: one transaction marks them, one removes their rows (bounded lock time and memory). */
export const GC_BATCH = 500;
/** Most ids `--run-ids` / `--experiment-ids` take at once. */
export const GC_MAX_NAMED_IDS = 10_000;
const READ_PAGE = 1_000;
/** Bounds of the tables read whole (deployments, monitors, deleted experiments, a purged experiment's logged models). */
const MAX_LISTED = 100_000;

export interface GcOptions {
  /** Only what was deleted at least this long ago (runs: deleted_time; experiments: last_update_time). */
  olderThanMs?: number;
  runIds?: readonly string[];
  experimentIds?: readonly string[];
  dryRun: boolean;
  now: number;
  context: WriteContext;
}

export interface RemovedRun {
  runId: string;
  experimentId: string;
  /** The artifact folder removed; absent when the run's artifact_uri is not in this server's store (left in place). */
  artifactKey?: string;
}

export interface KeptItem {
  id: string;
  reasons: Reason[];
}

export interface GcReport {
  dryRun: boolean;
  removedRuns: RemovedRun[];
  keptRuns: KeptItem[];
  removedExperiments: Array<{ experimentId: string; name: string; artifactKey?: string }>;
  keptExperiments: KeptItem[];
  orphanedUploads: OrphanedUpload[];
}

/** The artifact folder of a run that gc may remove: `<...>/<run id>` of a `.../<run id>/artifacts` URI, never higher. */
const runFolder = (run: GcRun): string | undefined => {
  let key: string;
  try {
    key = storeKeyOfArtifactUri(run.runId, run.artifactUri);
  } catch {
    return undefined;
  }
  const parts = key.split("/");
  if (parts.at(-1) === "artifacts" && parts.at(-2) === run.runId) return parts.slice(0, -1).join("/");
  return parts.includes(run.runId) ? key : undefined;
};

/** The folder of an experiment: its artifact location's key when that key ends with the experiment's id. */
const experimentFolder = (experiment: GcExperiment): string | undefined => {
  try {
    const key = storeKeyOfArtifactUri(experiment.experimentId, experiment.artifactLocation);
    return key.split("/").at(-1) === experiment.experimentId ? key : undefined;
  } catch {
    return undefined;
  }
};

/**
 * MLflow's gc: permanently removes runs and experiments deleted long enough ago, their rows and their artifacts, and
 * staging leftovers of uploads that never finished, but never what a registered version, a deployment, a monitor's
 * reference or a lineage record (a logged model's source run, the producer of a data version a live run uses) needs.
 *
 * Crash safety (SIGKILL at any point): a batch of runs is first marked (tag cairn.gc.pending, one transaction), then
 * their artifact folders are removed, then their rows, each with its audit event "tracking.run.purge", in one
 * transaction. A gc stopped in between leaves runs that are still deleted and marked; every later gc finishes marked
 * runs first, whatever its flags. Experiments follow the same order (mark, folder, rows + "tracking.experiment.purge").
 * One audit event per removed run and experiment, committed with its removal.
 */
export class GcService {
  constructor(
    private readonly store: GcStore,
    private readonly artifacts: ArtifactStore,
    private readonly audit: AuditRecorder,
  ) {}

  async run(options: GcOptions): Promise<GcReport> {
    const before = options.olderThanMs === undefined ? undefined : options.now - options.olderThanMs;
    await this.checkNamed(options, before);
    const needed = await this.gatherNeeded();
    const experiments = await this.selectExperiments(options, before);
    const report: GcReport = { dryRun: options.dryRun, removedRuns: [], keptRuns: [], removedExperiments: [], keptExperiments: [], orphanedUploads: [] };
    const keptByExperiment = new Map<string, string[]>();

    const deletedRuns =
      options.runIds !== undefined || options.experimentIds === undefined
        ? { ...(before === undefined ? {} : { before }), ...(options.runIds === undefined ? {} : { runIds: options.runIds }) }
        : undefined;
    let afterRunKey = 0;
    for (;;) {
      const page = await this.store.pageRuns({
        afterRunKey,
        limit: GC_BATCH,
        ...(deletedRuns === undefined ? {} : { deletedRuns }),
        experimentIds: experiments.map((e) => e.experimentId),
      });
      if (page.length === 0) break;
      afterRunKey = page[page.length - 1]?.runKey ?? afterRunKey;
      const removable: GcRun[] = [];
      for (const run of page) {
        const reasons = this.reasonsToKeep(run, needed);
        if (run.lifecycleStage !== "deleted") reasons.push("not deleted (restored)");
        if (reasons.length > 0) {
          report.keptRuns.push({ id: run.runId, reasons });
          keptByExperiment.set(run.experimentId, [...(keptByExperiment.get(run.experimentId) ?? []), run.runId]);
          if (run.pending && !options.dryRun) await atomically(this.audit, () => this.store.unmarkRun(run.runKey));
        } else {
          removable.push(run);
        }
      }
      if (options.dryRun) {
        report.removedRuns.push(...removable.map((run) => this.removedRun(run)));
      } else {
        const removed = await this.purgeRuns(removable, options);
        report.removedRuns.push(...removed);
        // A run restored while gc worked stays, and so does its experiment.
        const gone = new Set(removed.map((r) => r.runId));
        for (const run of removable.filter((r) => !gone.has(r.runId))) {
          report.keptRuns.push({ id: run.runId, reasons: ["not deleted (restored during gc)"] });
          keptByExperiment.set(run.experimentId, [...(keptByExperiment.get(run.experimentId) ?? []), run.runId]);
        }
      }
      if (page.length < GC_BATCH) break;
    }

    for (const experiment of experiments) {
      const reasons = await this.reasonsToKeepExperiment(experiment, needed, keptByExperiment.get(experiment.experimentId) ?? []);
      if (reasons.length > 0) {
        report.keptExperiments.push({ id: experiment.experimentId, reasons });
        continue;
      }
      const folder = experimentFolder(experiment);
      const removed = { experimentId: experiment.experimentId, name: experiment.name, ...(folder === undefined ? {} : { artifactKey: folder }) };
      if (options.dryRun || (await this.purgeExperiment(experiment, folder, options))) report.removedExperiments.push(removed);
    }

    if (this.artifacts.listOrphanedUploads !== undefined) {
      const orphans = await this.artifacts.listOrphanedUploads(options.olderThanMs ?? 0, options.now);
      if (!options.dryRun) for (const orphan of orphans) await this.artifacts.removeOrphanedUpload?.(orphan);
      report.orphanedUploads = orphans;
    }
    return report;
  }

  /** MLflow's checks on named ids: each must exist, be deleted, and be old enough; nothing changes otherwise. */
  private async checkNamed(options: GcOptions, before: number | undefined): Promise<void> {
    for (const [flag, ids] of [
      ["run_ids", options.runIds],
      ["experiment_ids", options.experimentIds],
    ] as const) {
      if (ids !== undefined && ids.length > GC_MAX_NAMED_IDS) throw invalidParameter(`--${flag.replace("_", "-")} takes at most ${GC_MAX_NAMED_IDS} ids, got ${ids.length}`);
    }
    if (options.runIds !== undefined) {
      const found = new Map((await this.store.getRuns(options.runIds)).map((run) => [run.runId, run]));
      for (const id of options.runIds) {
        const run = found.get(id);
        if (run === undefined) throw invalidParameter(`Run '${id}' does not exist.`);
        if (run.lifecycleStage !== "deleted") throw invalidParameter(`Run ${id} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`);
        if (before !== undefined && (run.deletedTime === undefined || run.deletedTime > before)) {
          throw invalidParameter(`Run ${id} is not older than the required age. Only runs older than ${before} (ms since epoch) can be deleted.`);
        }
      }
    }
    if (options.experimentIds !== undefined) {
      const found = new Map((await this.store.getExperiments(options.experimentIds)).map((e) => [e.experimentId, e]));
      for (const id of options.experimentIds) {
        const experiment = found.get(id);
        if (experiment === undefined) throw invalidParameter(`Experiment '${id}' does not exist.`);
        if (experiment.lifecycleStage !== "deleted") throw invalidParameter(`Experiment ${id} is not in \`deleted\` lifecycle stage. Only experiments in \`deleted\` lifecycle stage can be deleted.`);
        if (before !== undefined && experiment.lastUpdateTime > before) {
          throw invalidParameter(`Experiment ${id} is not older than the required age. Only experiments older than ${before} (ms since epoch) can be deleted.`);
        }
      }
    }
  }

  /**
   * Experiments to purge: the named ones; or, when no runs are named, every deleted one old enough; plus every
   * pending one. The Default experiment (0) stays: every server recreates it at start.
   */
  private async selectExperiments(options: GcOptions, before: number | undefined): Promise<GcExperiment[]> {
    const all = await this.store.listDeletedExperiments(options.experimentIds === undefined ? before : undefined, MAX_LISTED);
    const named = options.experimentIds === undefined ? undefined : new Set(options.experimentIds);
    return all.filter(
      (e) => e.experimentId !== "0" && (e.pending || (named !== undefined ? named.has(e.experimentId) && e.lifecycleStage === "deleted" : options.runIds === undefined)),
    );
  }

  private async gatherNeeded(): Promise<NeededReferences> {
    const needed = new NeededReferences();
    const versionsByModel = new Map<string, Map<string, { runId?: string; source: string }>>();
    for (let after = 0; ; ) {
      const page = await this.store.pageModelVersions(after, READ_PAGE);
      for (const version of page) {
        const reason = `registered model version ${version.name}/${version.version}`;
        if (version.runId !== undefined) needed.addRun(version.runId, reason);
        needed.addUri(version.source, reason);
        if (version.modelId !== undefined) needed.addModel(version.modelId, reason);
        let versions = versionsByModel.get(version.name);
        if (versions === undefined) {
          versions = new Map();
          versionsByModel.set(version.name, versions);
        }
        versions.set(version.version, { source: version.source, ...(version.runId === undefined ? {} : { runId: version.runId }) });
      }
      if (page.length < READ_PAGE) break;
      after = page[page.length - 1]?.versionKey ?? after;
    }
    for (const deployment of await this.store.listDeployments(MAX_LISTED)) {
      const reason = `deployment ${deployment.name}`;
      needed.addUri(deployment.modelUri, reason);
      needed.addUrisIn(deployment.policy, reason);
      // Every version the deployment serves, follows or routes to: its run and files stay.
      const versions = versionsByModel.get(deployment.modelName);
      const mentioned = new Set<string>([deployment.followedVersion ?? "", /\/(\d+)$/.exec(deployment.modelUri)?.[1] ?? ""]);
      for (const match of deployment.policy.matchAll(/"(\d{1,12})"|:\s*(\d{1,12})\b/g)) mentioned.add(match[1] ?? match[2] ?? "");
      for (const number of mentioned) {
        const version = number === "" ? undefined : versions?.get(number);
        if (version === undefined) continue;
        if (version.runId !== undefined) needed.addRun(version.runId, reason);
        needed.addUri(version.source, reason);
      }
    }
    for (const monitor of await this.store.listMonitors(MAX_LISTED)) needed.addUrisIn(monitor.spec, `monitor ${monitor.name} reference`);
    for (let after = 0; ; ) {
      const page = await this.store.pageActiveLoggedModels(after, READ_PAGE);
      for (const model of page) if (model.sourceRunId !== undefined) needed.addRun(model.sourceRunId, `lineage: logged model ${model.modelId}`);
      if (page.length < READ_PAGE) break;
      after = page[page.length - 1]?.modelKey ?? after;
    }
    for (const runId of await this.store.lineageProducerRuns(MAX_LISTED)) needed.addRun(runId, "lineage: produced a data version a live run uses");
    return needed;
  }

  private reasonsToKeep(run: GcRun, needed: NeededReferences): Reason[] {
    const reasons = new Set(needed.reasonsForRun(run.runId));
    const folder = runFolder(run);
    if (folder !== undefined) for (const reason of needed.reasonsForFolder(folder)) reasons.add(reason);
    return [...reasons];
  }

  private async reasonsToKeepExperiment(experiment: GcExperiment, needed: NeededReferences, keptRuns: readonly string[]): Promise<Reason[]> {
    const reasons = new Set<Reason>();
    if (keptRuns.length > 0) reasons.add(`holds kept runs ${keptRuns.slice(0, 5).join(", ")}${keptRuns.length > 5 ? ", ..." : ""}`);
    for (const modelId of await this.store.loggedModelIdsOf(experiment.experimentId, MAX_LISTED)) {
      for (const reason of needed.reasonsForModel(modelId)) reasons.add(`logged model ${modelId}: ${reason}`);
    }
    const folder = experimentFolder(experiment);
    if (folder !== undefined) for (const reason of needed.reasonsForFolder(folder)) reasons.add(reason);
    return [...reasons];
  }

  private removedRun(run: GcRun): RemovedRun {
    const folder = runFolder(run);
    return { runId: run.runId, experimentId: run.experimentId, ...(folder === undefined ? {} : { artifactKey: folder }) };
  }

  private async purgeRuns(selected: readonly GcRun[], options: GcOptions): Promise<RemovedRun[]> {
    if (selected.length === 0) return [];
    let runs = selected;
    const unmarked = runs.filter((run) => !run.pending).map((run) => run.runKey);
    const marked = new Set(unmarked.length > 0 ? await atomically(this.audit, () => this.store.markRunsPending(unmarked, options.now)) : []);
    // A run restored since it was selected was not marked: it keeps its artifacts and rows.
    runs = runs.filter((run) => run.pending || marked.has(run.runKey));
    for (const run of runs) {
      const folder = runFolder(run);
      if (folder !== undefined) await this.artifacts.delete(folder);
    }
    return atomically(this.audit, async () => {
      const removed: RemovedRun[] = [];
      for (const run of runs) {
        if (!(await this.store.purgeRun(run.runKey))) continue;
        const entry = this.removedRun(run);
        removed.push(entry);
        // What the run logged since its last digest is sealed into the chain before its rows go.
        await this.audit.closeRunData?.(run.runId, "gc");
        await this.audit.record(options.context, {
          action: "tracking.run.purge",
          entityType: "run",
          entityId: run.runId,
          before: { experiment_id: run.experimentId, lifecycle_stage: "deleted", deleted_time: run.deletedTime ?? null, artifact_uri: run.artifactUri },
          after: { artifacts_removed: entry.artifactKey ?? null },
        });
      }
      return removed;
    });
  }

  private async purgeExperiment(experiment: GcExperiment, folder: string | undefined, options: GcOptions): Promise<boolean> {
    if (!experiment.pending && !(await atomically(this.audit, () => this.store.markExperimentPending(experiment.experimentId, options.now)))) return false;
    if (folder !== undefined) await this.artifacts.delete(folder);
    return atomically(this.audit, async () => {
      if (!(await this.store.purgeExperiment(experiment.experimentId))) return false;
      await this.audit.record(options.context, {
        action: "tracking.experiment.purge",
        entityType: "experiment",
        entityId: experiment.experimentId,
        before: { name: experiment.name, lifecycle_stage: "deleted", last_update_time: experiment.lastUpdateTime, artifact_location: experiment.artifactLocation },
        after: { artifacts_removed: folder ?? null },
      });
      return true;
    });
  }
}
