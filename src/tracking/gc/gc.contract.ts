import { readdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ArtifactStore } from "../../artifacts/store.js";
import { AuditService } from "../../audit/service.js";
import { systemContext } from "../../core/actor.js";
import type { MetadataStores } from "../../stores/metadata-stores.js";
import { GcService, type GcOptions } from "./gc-service.js";

/**
 * The behaviour of `cairn gc` that every backend must show, run by each backend's test file with its own stores
 * (SQLite: gc-service.test.ts; PostgreSQL: after merge, with openPostgresMetadataStores on a temp database) and a
 * local artifact folder.
 */
export interface GcBackend {
  stores: MetadataStores;
  artifacts: ArtifactStore;
  /** The artifact folder on disk (checked directly by a test). */
  artifactsDir: string;
  close(): Promise<void>;
}

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

interface Fixture extends GcBackend {
  audit: AuditService;
  gc: (options?: Partial<GcOptions>, artifacts?: ArtifactStore) => ReturnType<GcService["run"]>;
}

export const describeGcContract = (name: string, openBackend: (now: () => number) => Promise<GcBackend>): void => {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.close();
  });

  const open = async (): Promise<Fixture> => {
    const backend = await openBackend(() => NOW - 100 * DAY);
    const audit = new AuditService(backend.stores.audit);
    const fixture: Fixture = {
      ...backend,
      audit,
      gc: (options = {}, store = backend.artifacts) => {
        if (backend.stores.gc === undefined) throw new Error("no gc store");
        return new GcService(backend.stores.gc, store, audit).run({ dryRun: false, now: NOW, context: systemContext("gc-test"), ...options });
      },
    };
    fixtures.push(fixture);
    return fixture;
  };

  const hex = (n: number): string => n.toString(16).padStart(32, "0");

  const experiment = (f: Fixture, experimentName: string): Promise<string> =>
    f.stores.tracking.createExperiment({ name: experimentName, defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: NOW - 90 * DAY });

  /** A run with metrics, params, tags and two artifact files, deleted `deletedDaysAgo` days ago (undefined: active). */
  const run = async (f: Fixture, experimentId: string, n: number, deletedDaysAgo?: number): Promise<string> => {
    const runId = hex(n);
    await f.stores.tracking.createRun({
      runId,
      experimentId,
      userId: "ada",
      runName: `run-${n}`,
      status: "FINISHED",
      startTime: NOW - 80 * DAY,
      artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      tags: [{ key: "team", value: "ml" }],
    });
    await f.stores.tracking.logBatch(runId, {
      metrics: [0, 1, 2].map((step) => ({ key: "loss", value: 1 / (step + 1), timestamp: NOW - 80 * DAY + step, step })),
      params: [{ key: "lr", value: "0.1" }],
      tags: [],
    });
    await f.artifacts.write(`${experimentId}/${runId}/artifacts/model/MLmodel`, Readable.from([Buffer.from("flavors: {}\n")]));
    await f.artifacts.write(`${experimentId}/${runId}/artifacts/ref.csv`, Readable.from([Buffer.from("a,b\n1,2\n")]));
    if (deletedDaysAgo !== undefined) await f.stores.tracking.setRunLifecycle(runId, "deleted", NOW - deletedDaysAgo * DAY);
    return runId;
  };

  const artifactsOf = async (f: Fixture, experimentId: string, runId: string): Promise<string[]> =>
    (await f.artifacts.list(`${experimentId}/${runId}/artifacts`)).map((e) => e.key);

  const auditActions = async (f: Fixture, action: string): Promise<string[]> =>
    (await f.audit.list({ action, maxResults: 1000 })).items.map((e) => e.entityId);

  describe(`cairn gc contract: ${name}`, () => {
    it("removes runs deleted longer ago than --older-than with their rows and artifacts; --dry-run changes nothing", async () => {
      const f = await open();
      const exp = await experiment(f, "e");
      const old = await run(f, exp, 1, 40);
      const recent = await run(f, exp, 2, 3);
      const active = await run(f, exp, 3);

      const dry = await f.gc({ olderThanMs: 30 * DAY, dryRun: true });
      expect(dry.removedRuns).toEqual([{ runId: old, experimentId: exp, artifactKey: `${exp}/${old}` }]);
      expect((await f.stores.tracking.getRun(old))?.info.lifecycle_stage).toBe("deleted");
      expect(await artifactsOf(f, exp, old)).toEqual([`${exp}/${old}/artifacts/model`, `${exp}/${old}/artifacts/ref.csv`]);
      expect(await auditActions(f, "tracking.run.purge")).toEqual([]);

      const report = await f.gc({ olderThanMs: 30 * DAY });
      expect(report.removedRuns.map((r) => r.runId)).toEqual([old]);
      expect(report.keptRuns).toEqual([]);
      expect(await f.stores.tracking.getRun(old)).toBeUndefined();
      expect(await f.artifacts.stat(`${exp}/${old}`)).toBeUndefined();
      expect((await f.stores.tracking.getMetricHistory(recent, "loss", { maxResults: 10 })).items).toHaveLength(3);
      expect((await f.stores.tracking.getRun(recent))?.info.lifecycle_stage).toBe("deleted");
      expect((await f.stores.tracking.getRun(active))?.info.lifecycle_stage).toBe("active");
      expect(await artifactsOf(f, exp, recent)).toHaveLength(2);
      expect(await auditActions(f, "tracking.run.purge")).toEqual([old]);
      expect((await f.audit.verify()).ok).toBe(true);

      // Without --older-than: every deleted run.
      expect((await f.gc()).removedRuns.map((r) => r.runId)).toEqual([recent]);
      expect((await f.stores.tracking.getRun(active))?.info.lifecycle_stage).toBe("active");
    });

    it("never removes a deleted run that a registered version, a deployment, a monitor or a lineage record needs", async () => {
      const f = await open();
      const exp = await experiment(f, "e");
      const registered = await run(f, exp, 1);
      const deployed = await run(f, exp, 2);
      const monitored = await run(f, exp, 3);
      const loggedSource = await run(f, exp, 4);
      const producer = await run(f, exp, 5);
      const plain = await run(f, exp, 6);
      const consumer = await run(f, exp, 7);
      // 1. a registered version whose source is the run's model folder.
      await f.stores.registry.createRegisteredModel({ name: "churn", tags: [], now: NOW - 50 * DAY });
      await f.stores.registry.createModelVersion({ name: "churn", source: `runs:/${registered}/model`, runId: registered, tags: [], now: NOW - 50 * DAY });
      // 2. a deployment serving a version whose files are the run's (registered from an mlflow-artifacts path).
      await f.stores.registry.createRegisteredModel({ name: "svc", tags: [], now: NOW - 50 * DAY });
      await f.stores.registry.createModelVersion({ name: "svc", source: `mlflow-artifacts:/${exp}/${deployed}/artifacts/model`, tags: [], now: NOW - 50 * DAY });
      await f.stores.deployments.create(
        {
          name: "svc-prod",
          modelUri: "models:/svc/1",
          modelName: "svc",
          policy: { primary: "1" },
          options: { maxBatchSize: 16, predictionLogSampleRate: 0, inferenceWorker: false },
          createdTime: NOW - 50 * DAY,
          lastUpdatedTime: NOW - 50 * DAY,
        },
        [],
      );
      // 3. a monitor whose drift reference is a file in the run's artifacts.
      await f.stores.monitors.create({
        name: "drift-watch",
        deployment: "svc-prod",
        window: { lastRows: 500 },
        scheduleSeconds: 60,
        checks: { drift: { reference: { path: `mlflow-artifacts:/${exp}/${monitored}/artifacts/ref.csv` } } },
        minRows: 20,
        createdTime: NOW - 50 * DAY,
        lastUpdatedTime: NOW - 50 * DAY,
      });
      // 4a. lineage: a logged model produced by the run.
      await f.stores.loggedModels.create({
        modelId: `m-${hex(99)}`,
        experimentId: exp,
        name: "lm",
        artifactUri: `mlflow-artifacts:/${exp}/models/m-${hex(99)}/artifacts`,
        sourceRunId: loggedSource,
        params: [],
        tags: [],
        now: NOW - 50 * DAY,
      });
      // 4b. lineage: the run produced a data version that a live run used.
      const hash = "ab".repeat(32);
      const dataset = { name: "data/train.csv", digest: hash.slice(0, 32), source_type: "cairn-data", source: JSON.stringify({ uri: `cairn-data://sha256/${hash}` }) };
      await f.stores.tracking.logInputs(producer, [{ dataset, tags: [{ key: "mlflow.data.context", value: "cairn.output" }] }]);
      await f.stores.tracking.logInputs(consumer, [{ dataset, tags: [{ key: "mlflow.data.context", value: "training" }] }]);
      for (const id of [registered, deployed, monitored, loggedSource, producer, plain]) await f.stores.tracking.setRunLifecycle(id, "deleted", NOW - 60 * DAY);

      const report = await f.gc({ olderThanMs: 30 * DAY });
      expect(report.removedRuns.map((r) => r.runId)).toEqual([plain]);
      expect(Object.fromEntries(report.keptRuns.map((k) => [k.id, k.reasons]))).toEqual({
        [registered]: ["registered model version churn/1"],
        [deployed]: ["registered model version svc/1", "deployment svc-prod"],
        [monitored]: ["monitor drift-watch reference"],
        [loggedSource]: [`lineage: logged model m-${hex(99)}`],
        [producer]: ["lineage: produced a data version a live run uses"],
      });
      for (const id of [registered, deployed, monitored, loggedSource, producer]) {
        expect((await f.stores.tracking.getRun(id))?.info.lifecycle_stage).toBe("deleted");
        expect(await artifactsOf(f, exp, id)).toHaveLength(2);
      }
      expect(await f.stores.tracking.getRun(plain)).toBeUndefined();
    });

    it("removes deleted experiments with their runs and folder, and keeps one that holds a needed run", async () => {
      const f = await open();
      const gone = await experiment(f, "gone");
      const keep = await experiment(f, "keep");
      const active = await experiment(f, "active");
      const g1 = await run(f, gone, 1);
      const g2 = await run(f, gone, 2);
      const k1 = await run(f, keep, 3);
      await run(f, active, 4);
      await f.stores.registry.createRegisteredModel({ name: "m", tags: [], now: NOW - 50 * DAY });
      await f.stores.registry.createModelVersion({ name: "m", source: `runs:/${k1}/model`, runId: k1, tags: [], now: NOW - 50 * DAY });
      await f.stores.tracking.setExperimentLifecycle(gone, "deleted", NOW - 40 * DAY);
      await f.stores.tracking.setExperimentLifecycle(keep, "deleted", NOW - 40 * DAY);

      const report = await f.gc({ olderThanMs: 30 * DAY });
      expect(report.removedRuns.map((r) => r.runId).sort()).toEqual([g1, g2].sort());
      expect(report.removedExperiments).toEqual([{ experimentId: gone, name: "gone", artifactKey: gone }]);
      expect(report.keptExperiments).toEqual([{ id: keep, reasons: [`holds kept runs ${k1}`] }]);
      expect(await f.stores.tracking.getExperiment(gone)).toBeUndefined();
      expect(await f.artifacts.stat(gone)).toBeUndefined();
      expect((await f.stores.tracking.getExperiment(keep))?.lifecycle_stage).toBe("deleted");
      expect((await f.stores.tracking.getExperiment(active))?.lifecycle_stage).toBe("active");
      expect(await auditActions(f, "tracking.experiment.purge")).toEqual([gone]);
      expect((await f.audit.verify()).ok).toBe(true);
    });

    it("an interrupted gc (artifacts half removed) is finished by the next gc whatever its flags", async () => {
      const f = await open();
      const exp = await experiment(f, "e");
      const ids = [await run(f, exp, 1, 40), await run(f, exp, 2, 40), await run(f, exp, 3, 40)];
      let deletes = 0;
      const dying: ArtifactStore = Object.assign(Object.create(f.artifacts) as ArtifactStore, {
        delete: async (key: string) => {
          deletes += 1;
          if (deletes === 2) throw new Error("SIGKILL");
          await f.artifacts.delete(key);
        },
      });
      await expect(f.gc({ olderThanMs: 30 * DAY }, dying)).rejects.toThrow("SIGKILL");
      // Marked, one folder gone, every row still there.
      for (const id of ids) expect((await f.stores.tracking.getRun(id))?.data.tags).toContainEqual({ key: "cairn.gc.pending", value: String(NOW) });
      expect(await f.artifacts.stat(`${exp}/${ids[0]}`)).toBeUndefined();
      expect(await artifactsOf(f, exp, ids[1] ?? "")).toHaveLength(2);

      // A later gc whose own flags select nothing (--older-than 1000d) still finishes the pending runs.
      const report = await f.gc({ olderThanMs: 1000 * DAY });
      expect(report.removedRuns.map((r) => r.runId)).toEqual(ids);
      for (const id of ids) expect(await f.stores.tracking.getRun(id)).toBeUndefined();
      expect(await readdir(path.join(f.artifactsDir, exp))).toEqual([]);
      expect(await auditActions(f, "tracking.run.purge")).toEqual(ids);
    });

    it("refuses to restore a run or an experiment an interrupted gc marked for removal; the next gc finishes them", async () => {
      const f = await open();
      const exp = await experiment(f, "e");
      const ids = [await run(f, exp, 1, 40), await run(f, exp, 2, 40)];
      await f.stores.tracking.setExperimentLifecycle(exp, "deleted", NOW - 40 * DAY);
      const dying: ArtifactStore = Object.assign(Object.create(f.artifacts) as ArtifactStore, {
        delete: async () => {
          throw new Error("SIGKILL");
        },
      });
      await expect(f.gc({ olderThanMs: 30 * DAY }, dying)).rejects.toThrow("SIGKILL");
      const pending = `is being permanently removed by cairn gc (tag cairn.gc.pending); it can no longer be restored.`;
      await expect(f.stores.tracking.setRunLifecycle(ids[0] ?? "", "active", NOW)).rejects.toThrow(`Run ${ids[0]} ${pending}`);
      await expect(f.stores.tracking.setExperimentLifecycle(exp, "active", NOW)).rejects.toThrow(`Experiment ${exp}, or a run of it, ${pending}`);
      for (const id of ids) expect((await f.stores.tracking.getRun(id))?.info.lifecycle_stage).toBe("deleted");
      expect((await f.stores.tracking.getExperiment(exp))?.lifecycle_stage).toBe("deleted");
      const report = await f.gc({ olderThanMs: 1000 * DAY });
      expect(report.removedRuns.map((r) => r.runId)).toEqual(ids);
      // The experiment itself was not marked (gc stopped at its runs) nor is it old enough for this gc: it stays.
      expect(report.removedExperiments).toEqual([]);
    });

    it("leaves a run restored after gc selected it, and before gc marked it, whole: rows and artifacts", async () => {
      const f = await open();
      const exp = await experiment(f, "e");
      const ids = [await run(f, exp, 1, 40), await run(f, exp, 2, 40)];
      const gcStore = f.stores.gc;
      if (gcStore === undefined) throw new Error("no gc store");
      // The restore lands between gc's selection and its mark, as a concurrent client's would.
      const racing = Object.assign(Object.create(gcStore) as typeof gcStore, {
        markRunsPending: async (runKeys: readonly number[], now: number) => {
          await f.stores.tracking.setRunLifecycle(ids[0] ?? "", "active", NOW);
          return gcStore.markRunsPending(runKeys, now);
        },
      });
      const report = await new GcService(racing, f.artifacts, f.audit).run({ dryRun: false, now: NOW, context: systemContext("gc-test"), olderThanMs: 30 * DAY });
      expect(report.removedRuns.map((r) => r.runId)).toEqual([ids[1]]);
      const restored = await f.stores.tracking.getRun(ids[0] ?? "");
      expect(restored?.info.lifecycle_stage).toBe("active");
      expect(restored?.data.tags.map((t) => t.key)).not.toContain("cairn.gc.pending");
      expect(await artifactsOf(f, exp, ids[0] ?? "")).toHaveLength(2);
    });

    it("refuses named runs and experiments that are not deleted or not old enough, changing nothing", async () => {
      const f = await open();
      const exp = await experiment(f, "e");
      const active = await run(f, exp, 1);
      const recent = await run(f, exp, 2, 2);
      await expect(f.gc({ runIds: [active] })).rejects.toThrow(`Run ${active} is not in \`deleted\` lifecycle stage.`);
      await expect(f.gc({ runIds: [recent], olderThanMs: 30 * DAY })).rejects.toThrow(`Run ${recent} is not older than the required age.`);
      await expect(f.gc({ runIds: [hex(77)] })).rejects.toThrow(`Run '${hex(77)}' does not exist.`);
      await expect(f.gc({ experimentIds: [exp] })).rejects.toThrow(`Experiment ${exp} is not in \`deleted\` lifecycle stage.`);
      expect((await f.stores.tracking.getRun(recent))?.info.lifecycle_stage).toBe("deleted");
      // Named and eligible: only that run goes, other deleted runs stay.
      const other = await run(f, exp, 3, 50);
      expect((await f.gc({ runIds: [recent] })).removedRuns.map((r) => r.runId)).toEqual([recent]);
      expect((await f.stores.tracking.getRun(other))?.info.lifecycle_stage).toBe("deleted");
    });
  });
};
