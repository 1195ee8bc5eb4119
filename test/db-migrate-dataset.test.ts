import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/test-support/run-cli.js";
import { AuditService } from "../src/audit/service.js";
import { createTempPgDatabase, type TempPgDatabase } from "../src/stores/postgres/test-support/temp-database.js";
import { openMetadataStores } from "../src/stores/registry.js";
import { LATEST_SCHEMA_VERSION } from "../src/stores/sqlite/migrations.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import { generateCairnDataset } from "./support/cairn-dataset.js";

/** `cairn db migrate` through the real CLI: its refusals, and the copy of a 10,000-run data set. */

const dirs: string[] = [];
const temps: TempPgDatabase[] = [];
afterAll(async () => {
  for (const temp of temps) await temp.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}, 300_000);

const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), "cairn-db-migrate-"));
  dirs.push(dir);
  return dir;
};

describe("cairn db migrate", () => {
  it("refuses a source that is not SQLite, a missing file and a target that is not PostgreSQL (exit 2), showing no password", async () => {
    const dir = tempDir();
    const noFile = await runCli(["db", "migrate", "--from", `sqlite:///${dir}/none.db`, "--to", "postgresql://u:secret@127.0.0.1:1/x"]);
    expect(noFile).toEqual({ code: 2, stdout: "", stderr: `cairn: error: --from sqlite:///${dir}/none.db: no database file at ${dir}/none.db\n` });
    const wrongTo = await runCli(["db", "migrate", "--from", `sqlite:///${dir}/a.db`, "--to", "mysql://u:secret@h/x"]);
    expect(wrongTo.code).toBe(2);
    expect(wrongTo.stderr).toMatch(/^cairn: error: --to must be a postgresql:\/\/ URI, got 'mysql:\/\/u:[^s]/);
    expect(wrongTo.stderr).not.toContain("secret");
    const wrongFrom = await runCli(["db", "migrate", "--from", "postgresql://u:secret@h/x", "--to", "postgresql://u:secret@h/y"]);
    expect(wrongFrom.code).toBe(2);
    expect(wrongFrom.stderr).not.toContain("secret");
    const chunk = await runCli(["db", "migrate", "--from", `sqlite:///${dir}/a.db`, "--to", "postgresql://h/y", "--chunk-rows", "0"]);
    expect(chunk).toEqual({ code: 2, stdout: "", stderr: "cairn: error: --chunk-rows must be an integer from 1 to 100000, got '0'\n" });
  }, 60_000);

  it("refuses a source at an older schema version with the upgrade command", async () => {
    const dir = tempDir();
    const dbPath = path.join(dir, "old.db");
    const { default: Database } = await import("better-sqlite3");
    const { migrate, SQLITE_MIGRATIONS } = await import("../src/stores/sqlite/migrations.js");
    const db = new Database(dbPath);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 5));
    db.close();
    const target = await createTempPgDatabase("cairn_migrate_cli");
    temps.push(target);
    const result = await runCli(["db", "migrate", "--from", `sqlite:///${dbPath}`, "--to", target.uri]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cairn: error: the source database is at schema version 5, this Cairn copies version ${LATEST_SCHEMA_VERSION}: run 'cairn db upgrade --backend-store-uri sqlite:///${dbPath}' first\n`,
    );
  }, 60_000);

  it(
    "copies the 10,000-run data set, verifies every table and the audit chain, serves it, and refuses a second copy into it",
    async () => {
      const dir = tempDir();
      const data = await generateCairnDataset(dir, { runs: 10_000 });
      const target = await createTempPgDatabase("cairn_migrate_data");
      temps.push(target);
      const started = performance.now();
      const result = await runCli(["db", "migrate", "--from", `sqlite:///${data.dbPath}`, "--to", target.uri, "--json"]);
      console.log(`db migrate of 10,000 runs: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { ok: boolean; tables: Array<{ table: string; source_rows: number; target_rows: number; ok: boolean }>; audit: { ok: boolean; checked: number } };
      expect(report.ok).toBe(true);
      expect(report.tables.filter((t) => !t.ok)).toEqual([]);
      expect(report.tables.find((t) => t.table === "runs")?.target_rows).toBe(10_000);
      expect(report.audit.ok).toBe(true);

      const source = await openSqliteMetadataStores(data.dbPath);
      const copied = await openMetadataStores(target.uri);
      try {
        expect(report.audit.checked).toBe(await source.audit.lastAssignedSeq());
        for (const runId of [data.runIds[0] ?? "", data.runIds[97] ?? "", data.runIds[9_999] ?? ""]) {
          expect(await copied.tracking.getRun(runId)).toEqual(await source.tracking.getRun(runId));
          expect(await copied.tracking.getMetricHistory(runId, "accuracy", { maxResults: 100 })).toEqual(
            await source.tracking.getMetricHistory(runId, "accuracy", { maxResults: 100 }),
          );
        }
        expect(await copied.registry.getVersionByAlias("model-1", "champion")).toEqual(await source.registry.getVersionByAlias("model-1", "champion"));
        const copiedAudit = new AuditService(copied.audit);
        expect((await copiedAudit.verify()).ok).toBe(true);
        // The copied rows are in the source's digests or in its pending digests (copied too): the digest collection
        // starts after them, so collecting on the target adds nothing.
        const { default: pg } = await import("pg");
        const client = new pg.Client({ connectionString: target.uri });
        await client.connect();
        try {
          const pending = "SELECT run_id, writes, metrics, params, tags FROM audit_pending_digests ORDER BY run_id";
          const pendingBefore = (await client.query(pending)).rows;
          const collectable = await client.query(
            "SELECT (SELECT count(*) FROM metrics WHERE audit_xid >= c.collected_xid) + (SELECT count(*) FROM params WHERE audit_xid >= c.collected_xid) + " +
              "(SELECT count(*) FROM tags WHERE audit_xid >= c.collected_xid) AS n FROM audit_digest_collection c",
          );
          expect(collectable.rows).toEqual([{ n: "0" }]);
          const seq = await copied.audit.lastAssignedSeq();
          await copiedAudit.collectCommitted(true);
          expect(await copied.audit.lastAssignedSeq()).toBe(seq);
          expect((await client.query(pending)).rows).toEqual(pendingBefore);
        } finally {
          await client.end();
        }
        // Ids continue after the copied ones.
        const next = await copied.tracking.createExperiment({ name: "after-migrate", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: Date.now() });
        expect(Number(next)).toBeGreaterThan(Math.max(...data.experimentIds.map(Number)));
      } finally {
        await source.close();
        await copied.close();
      }
      // A re-run resumes (nothing to copy) and verifies again; a fresh copy into the same non-empty database is refused.
      const again = await runCli(["db", "migrate", "--from", `sqlite:///${data.dbPath}`, "--to", target.uri, "--json"]);
      expect(again.code).toBe(1); // the experiment created above is not in the source: the experiments digest differs
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: target.uri });
      await client.connect();
      await client.query("DROP TABLE cairn_migration_progress");
      await client.end();
      const refused = await runCli(["db", "migrate", "--from", `sqlite:///${data.dbPath}`, "--to", target.uri]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^cairn: error: the target database is not empty \(rows in /);
    },
    900_000,
  );
});
