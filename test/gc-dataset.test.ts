import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/test-support/run-cli.js";
import { AuditService } from "../src/audit/service.js";
import { openLocalArtifactStore } from "../src/stores/artifact-stores/local/index.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import { generateCairnDataset, type Dataset } from "./support/cairn-dataset.js";
import { LATEST_SCHEMA_VERSION } from "../src/stores/sqlite/migrations.js";

/**
 * `cairn db upgrade` and `cairn gc` through the real CLI on a real data set: 10,000 runs with metric histories,
 * params, tags, inputs and artifact files, registered versions (on runs deleted since), deployments and audit events.
 */
let dir: string;
let data: Dataset;
let generatedInMs = 0;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cairn-gc-dataset-"));
  const started = performance.now();
  data = await generateCairnDataset(dir, { runs: 10_000 });
  generatedInMs = performance.now() - started;
}, 600_000);
afterAll(() => rm(dir, { recursive: true, force: true }), 300_000);


describe("db upgrade and gc on a 10,000-run data set", () => {
  it("was generated through Cairn's services and stores", () => {
    expect(data.runIds).toHaveLength(10_000);
    expect(data.deletedRunIds).toHaveLength(1_000);
    expect(data.registeredDeletedRunIds).toHaveLength(30);
    console.log(`data set of 10,000 runs generated in ${(generatedInMs / 1000).toFixed(1)} s`);
  });

  it("db upgrade: already at the latest version", async () => {
    const uri = `sqlite:///${data.dbPath}`;
    const result = await runCli(["db", "upgrade", "--backend-store-uri", uri, "--json"]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ backend_store_uri: uri, from_version: LATEST_SCHEMA_VERSION, to_version: LATEST_SCHEMA_VERSION });
  }, 60_000);

  it("gc --dry-run lists, gc removes exactly the deleted runs and experiment nothing needs, audited; a re-run finds nothing", async () => {
    const uri = `sqlite:///${data.dbPath}`;
    const flags = ["--backend-store-uri", uri, "--artifacts-destination", data.artifactsDir, "--older-than", "30d", "--json"];
    const experimentRuns = data.runIds.filter((_, i) => i % 20 === 19 && i % 10 !== 0);
    const expected = new Set([...data.deletedRunIds.filter((id) => !data.registeredDeletedRunIds.includes(id)), ...experimentRuns]);

    const dry = JSON.parse((await runCli(["gc", "--dry-run", ...flags])).stdout) as { removed_runs: Array<{ run_id: string }>; kept_runs: Array<{ run_id: string; reasons: string[] }>; removed_experiments: Array<{ experiment_id: string }> };
    expect(dry.removed_runs).toHaveLength(expected.size);
    expect(new Set(dry.removed_runs.map((r) => r.run_id))).toEqual(expected);
    expect(dry.kept_runs.map((k) => k.run_id).sort()).toEqual([...data.registeredDeletedRunIds].sort());
    expect(dry.kept_runs.every((k) => k.reasons.some((reason) => reason.startsWith("registered model version model-")))).toBe(true);
    expect(dry.removed_experiments.map((e) => e.experiment_id)).toEqual([data.deletedExperimentId]);

    const real = await runCli(["gc", ...flags]);
    expect(real.code).toBe(0);
    const report = JSON.parse(real.stdout) as typeof dry;
    expect(new Set(report.removed_runs.map((r) => r.run_id))).toEqual(expected);

    const stores = await openSqliteMetadataStores(data.dbPath);
    const artifacts = await openLocalArtifactStore(data.artifactsDir);
    try {
      const removed = [...expected][0] ?? "";
      expect(await stores.tracking.getRun(removed)).toBeUndefined();
      expect(await stores.tracking.getExperiment(data.deletedExperimentId)).toBeUndefined();
      expect(await artifacts.stat(data.deletedExperimentId)).toBeUndefined();
      for (const id of data.registeredDeletedRunIds.slice(0, 5)) {
        const run = await stores.tracking.getRun(id);
        expect(run?.info.lifecycle_stage).toBe("deleted");
        expect((await artifacts.list(`${run?.info.experiment_id}/${id}/artifacts`)).map((e) => e.key.split("/").pop())).toEqual(["metrics.json", "model"]);
      }
      const alive = data.runIds[1] ?? "";
      expect((await stores.tracking.getMetricHistory(alive, "loss", { maxResults: 100 })).items).toHaveLength(10);
      const audit = new AuditService(stores.audit);
      expect((await audit.list({ action: "tracking.run.purge", maxResults: 1 })).items).toHaveLength(1);
      const purges = await stores.audit.list({ action: "tracking.run.purge", maxResults: 10_000 });
      expect(purges.items).toHaveLength(expected.size);
      expect((await audit.list({ action: "tracking.experiment.purge", maxResults: 10 })).items.map((e) => e.entityId)).toEqual([data.deletedExperimentId]);
      expect((await audit.verify()).ok).toBe(true);
    } finally {
      await stores.close();
    }

    const again = JSON.parse((await runCli(["gc", ...flags])).stdout) as typeof dry;
    expect(again.removed_runs).toEqual([]);
    expect(again.removed_experiments).toEqual([]);
  }, 240_000);
});
