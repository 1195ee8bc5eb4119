import { existsSync, mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { outputOf, runCli, spawnCli } from "../src/cli/test-support/run-cli.js";
import { AuditService } from "../src/audit/service.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import { generateCairnDataset } from "./support/cairn-dataset.js";
import { waitFor } from "./support/wait-for.js";

/** A real `cairn gc` killed with SIGKILL mid-way; the next gc finishes the work: nothing half-deleted, one event per run. */
let dir = "";
afterAll(() => rm(dir, { recursive: true, force: true }), 300_000);

describe("cairn gc under SIGKILL", () => {
  it("leaves nothing a later gc cannot finish", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cairn-gc-kill-"));
    const data = await generateCairnDataset(dir, { runs: 3_000, experiments: 5, deleteEvery: 2 });
    const uri = `sqlite:///${data.dbPath}`;
    const flags = ["--backend-store-uri", uri, "--artifacts-destination", data.artifactsDir, "--older-than", "30d", "--json"];
    const lastExperimentRuns = data.runIds.filter((_, i) => i % 5 === 4 && i % 2 !== 0);
    const expected = new Set([...data.deletedRunIds.filter((id) => !data.registeredDeletedRunIds.includes(id)), ...lastExperimentRuns]);

    const reader = new Database(data.dbPath, { readonly: true });
    const purged = (): number => (reader.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'tracking.run.purge'").get() as { n: number }).n;
    const child = spawnCli(["gc", ...flags]);
    const output = outputOf(child);
    await waitFor(async () => purged() > 0, "the first purged batch", 1_200);
    child.kill("SIGKILL");
    const killed = await output;
    expect(killed.code).toBe(null);
    const atKill = purged();
    reader.close();
    expect(atKill).toBeLessThan(expected.size);

    const finish = await runCli(["gc", ...flags]);
    expect(finish.code).toBe(0);
    const report = JSON.parse(finish.stdout) as { removed_runs: Array<{ run_id: string }> };
    expect(report.removed_runs.length + atKill).toBeGreaterThanOrEqual(expected.size);

    const stores = await openSqliteMetadataStores(data.dbPath);
    try {
      const events = await stores.audit.list({ action: "tracking.run.purge", maxResults: 10_000 });
      expect(events.items).toHaveLength(expected.size);
      expect(new Set(events.items.map((e) => e.entityId))).toEqual(expected);
      for (const id of [...expected].slice(0, 200)) expect(await stores.tracking.getRun(id)).toBeUndefined();
      for (const id of data.registeredDeletedRunIds) expect((await stores.tracking.getRun(id))?.info.lifecycle_stage).toBe("deleted");
      const marked = stores.gc === undefined ? [] : await stores.gc.pageRuns({ afterRunKey: 0, limit: 10, experimentIds: [] });
      expect(marked).toEqual([]);
      expect((await new AuditService(stores.audit).verify()).ok).toBe(true);
      // The deleted experiment holds runs registered versions use (e.g. run 24): it stays, with their folders.
      expect((await stores.tracking.getExperiment(data.deletedExperimentId))?.lifecycle_stage).toBe("deleted");
      expect(existsSync(path.join(data.artifactsDir, data.deletedExperimentId, data.runIds[24] ?? "", "artifacts", "metrics.json"))).toBe(true);
    } finally {
      await stores.close();
    }
  }, 600_000);
});
