import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AuditService } from "../../src/audit/service.js";
import type { WriteContext } from "../../src/core/actor.js";
import { openLocalArtifactStore } from "../../src/stores/artifact-stores/local/index.js";
import { openSqliteMetadataStores } from "../../src/stores/sqlite/open-stores.js";
import { TrackingService } from "../../src/tracking/service.js";

/**
 * A realistic Cairn SQLite database for `db migrate` and `gc` tests and benchmarks: experiments, runs with params,
 * metric histories, tags and dataset inputs, a few artifact files per run in a local artifact folder, registered
 * models with versions and aliases, deployments and the audit events of all of it. Experiments and runs are created
 * and deleted through TrackingService (audited, as a server would); bulk data goes through the store's logBatch and
 * logInputs directly (no HTTP); registry and deployment rows through their stores, each with its audit event.
 * The clock is simulated: everything happens over the 100 days before `now`, deleted runs 60 days before it.
 */
export interface DatasetOptions {
  runs: number;
  experiments?: number;
  metricSteps?: number;
  /** Every n-th run is deleted 60 days before `now` (default 10). */
  deleteEvery?: number;
  now?: number;
}

export interface Dataset {
  dbPath: string;
  artifactsDir: string;
  now: number;
  experimentIds: string[];
  runIds: string[];
  deletedRunIds: string[];
  /** Deleted runs that registered versions use (gc must keep them). */
  registeredDeletedRunIds: string[];
  deletedExperimentId: string;
}

const DAY = 86_400_000;

export const generateCairnDataset = async (dir: string, options: DatasetOptions): Promise<Dataset> => {
  const now = options.now ?? Date.now();
  const experiments = options.experiments ?? 20;
  const steps = options.metricSteps ?? 10;
  const deleteEvery = options.deleteEvery ?? 10;
  mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, "cairn.db");
  const artifactsDir = path.join(dir, "artifacts");
  let clock = now - 100 * DAY;
  const stores = await openSqliteMetadataStores(dbPath, { now: () => clock });
  // Creates the folder with the store's staging layout, as a server would.
  await openLocalArtifactStore(artifactsDir);
  const audit = new AuditService(stores.audit, { clock: () => clock });
  const tracking = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:", audit, clock: () => clock });
  const ctx: WriteContext = { actor: { name: "ada", verified: true }, requestId: "dataset" };
  try {
    const experimentIds: string[] = [];
    for (let e = 0; e < experiments; e += 1) experimentIds.push(await tracking.createExperiment({ name: `project-${e}`, tags: [{ key: "team", value: `t${e % 3}` }] }, ctx));
    const runIds: string[] = [];
    const deletedRunIds: string[] = [];
    // Runs are created in groups that run concurrently: the audit log group-commits their events and artifact writes
    // overlap, as under a server's concurrent requests.
    const createOne = async (r: number, startTime: number): Promise<string> => {
      const experimentId = experimentIds[r % experiments] ?? "0";
      const run = await tracking.createRun({ experimentId, userId: "ada", runName: `run-${r}`, startTime, tags: [{ key: "git", value: (r * 7919).toString(16) }] }, ctx);
      const runId = run.info.run_id;
      const metrics = [];
      for (let step = 0; step < steps; step += 1) {
        metrics.push({ key: "loss", value: 1 / (step + 1 + (r % 7)), timestamp: startTime + step, step });
        metrics.push({ key: "accuracy", value: step === 3 && r % 97 === 0 ? Number.POSITIVE_INFINITY : 0.5 + step / (2 * steps), timestamp: startTime + step, step });
      }
      await stores.tracking.logBatch(runId, {
        metrics,
        params: [
          { key: "lr", value: String(0.001 * ((r % 10) + 1)) },
          { key: "layers", value: String((r % 4) + 1) },
          { key: "optimizer", value: r % 2 === 0 ? "adam" : "sgd" },
          { key: "note", value: `ünïcödé ${r} 😀` },
        ],
        tags: [{ key: "stage", value: r % 3 === 0 ? "tuning" : "baseline" }],
      });
      if (r % 5 === 0) {
        await stores.tracking.logInputs(runId, [
          {
            dataset: { name: `train-${r % 13}`, digest: (r % 13).toString(16).padStart(8, "0"), source_type: "local", source: JSON.stringify({ uri: `/data/train-${r % 13}.csv` }) },
            tags: [{ key: "mlflow.data.context", value: "training" }],
          },
        ]);
      }
      // Artifact files straight into the local store's layout (key = path under the root): the store's atomic,
      // confined write costs a realpath, a temp file and a rename each, which made them most of the generation time.
      const root = path.join(artifactsDir, experimentId, runId, "artifacts");
      mkdirSync(path.join(root, "model"), { recursive: true });
      writeFileSync(path.join(root, "model", "MLmodel"), `run_id: ${runId}\nflavors: {}\n`);
      writeFileSync(path.join(root, "metrics.json"), JSON.stringify({ r, loss: 1 / (r + 1) }));
      await stores.tracking.updateRun(runId, { status: "FINISHED", endTime: startTime + steps });
      return runId;
    };
    const GROUP = 32;
    for (let first = 0; first < options.runs; first += GROUP) {
      const group = Array.from({ length: Math.min(GROUP, options.runs - first) }, (_, i) => first + i);
      runIds.push(...(await Promise.all(group.map((r) => createOne(r, clock + r * 1_000)))));
    }
    clock += options.runs * 1_000;
    // Registered models: 10 models x 3 versions on runs spread over the set (some of them deleted later), aliases.
    const registeredRunIndexes: number[] = [];
    for (let m = 0; m < 10; m += 1) {
      const name = `model-${m}`;
      await stores.registry.createRegisteredModel({ name, tags: [], now: clock });
      await audit.record(ctx, { action: "registry.model.create", entityType: "registered_model", entityId: name });
      for (let v = 0; v < 3; v += 1) {
        const index = (m * 3 + v) * deleteEvery * 3;
        const runId = runIds[index % runIds.length] ?? "";
        registeredRunIndexes.push(index % runIds.length);
        const experimentId = experimentIds[(index % runIds.length) % experiments] ?? "0";
        const version = await stores.registry.createModelVersion({
          name,
          source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
          runId,
          tags: [],
          now: clock,
        });
        await audit.record(ctx, { action: "registry.version.create", entityType: "model_version", entityId: `${name}/${version.version}` });
      }
      await stores.registry.setAlias(name, "champion", "2", clock);
      await audit.record(ctx, { action: "registry.alias.set", entityType: "registered_model", entityId: name, after: { alias: "champion", version: "2" } });
    }
    for (let d = 0; d < 3; d += 1) {
      const name = `model-${d}-prod`;
      await stores.deployments.create(
        {
          name,
          modelUri: `models:/model-${d}@champion`,
          modelName: `model-${d}`,
          policy: { primary: "2" },
          followedVersion: "2",
          options: { maxBatchSize: 16, predictionLogSampleRate: 0.1, inferenceWorker: false },
          createdTime: clock,
          lastUpdatedTime: clock,
        },
        [],
      );
      await audit.record(ctx, { action: "deployments.create", entityType: "deployment", entityId: name });
    }
    // Deletions, 60 days before now: every deleteEvery-th run, and the last experiment with all its runs.
    clock = now - 60 * DAY;
    for (let r = 0; r < runIds.length; r += deleteEvery) {
      const runId = runIds[r] ?? "";
      await tracking.deleteRun(runId, ctx);
      deletedRunIds.push(runId);
    }
    const deletedExperimentId = experimentIds[experiments - 1] ?? "0";
    await tracking.deleteExperiment(deletedExperimentId, ctx);
    const registered = new Set(registeredRunIndexes.map((i) => runIds[i] ?? ""));
    return {
      dbPath,
      artifactsDir,
      now,
      experimentIds,
      runIds,
      deletedRunIds,
      registeredDeletedRunIds: deletedRunIds.filter((id) => registered.has(id)),
      deletedExperimentId,
    };
  } finally {
    await stores.close();
  }
};

