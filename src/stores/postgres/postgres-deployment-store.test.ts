import { describe, expect, it } from "vitest";
import { parsePostgresUri } from "./connection-uri.js";
import { PG_MIGRATIONS, upgradePostgres } from "./migrations.js";
import { PgDatabase } from "./pg-database.js";
import { createTempPgDatabase } from "./test-support/temp-database.js";
import { deployment, describeDeploymentStoreContract, type OpenedDeploymentStore } from "../../serving/deployments/store.contract.js";
import { describeShadowCompactionContract } from "../../serving/deployments/shadow-compaction.contract.js";
import { PgDeploymentStore } from "./pg-deployment-store.js";
import { openOperationsTestDatabase } from "./test-support/operations-database.js";

const openStore = async (): Promise<OpenedDeploymentStore> => {
  const database = await openOperationsTestDatabase();
  return {
    store: new PgDeploymentStore(database.db),
    another: async () => {
      const other = database.connect();
      return { store: new PgDeploymentStore(other), close: () => other.close() };
    },
    healthRows: () =>
      database.db.query<{ name: string; state: string; reason: string | null; changed_time: number }>(
        "SELECT name, state, reason, changed_time FROM deployment_health ORDER BY name",
      ),
    cleanup: () => database.cleanup(),
  };
};

describeDeploymentStoreContract("postgresql", openStore);
describeShadowCompactionContract("postgresql", openStore);

describe("PgDeploymentStore.watchChanges when the listening connection drops", () => {
  it("asks for a full sync after reconnecting (notifications may have been missed) and hears later changes", async () => {
    const database = await openOperationsTestDatabase();
    const watcher = new PgDeploymentStore(database.connect());
    const writer = new PgDeploymentStore(database.db);
    const seen: Array<string | undefined> = [];
    const stop = await watcher.watchChanges((name) => seen.push(name));
    const until = async (check: () => boolean): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out; seen ${JSON.stringify(seen)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      await writer.create(deployment, []);
      await until(() => seen.length === 1);
      // The database drops the listening session (a restart, a failover, an idle-session killer).
      const killed = await database.db.query<{ done: boolean }>(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN cairn_deployments'",
      );
      expect(killed).toEqual([{ done: true }]);
      await until(() => seen.includes(undefined));
      await writer.update({ ...deployment, policy: { primary: "2" }, lastUpdatedTime: 20 }, []);
      await until(() => seen.filter((name) => name === "prod").length === 2);
      expect(seen).toEqual(["prod", undefined, "prod"]);
    } finally {
      await stop();
      await database.cleanup();
    }
  });
});

describe("PostgreSQL migration 6 (shadow report parts)", () => {
  it("keeps each saved report as one released part of replica 'saved-before-replicas', which a restart can claim", async () => {
    const temp = await createTempPgDatabase();
    const db = new PgDatabase(parsePostgresUri(temp.uri), { maxConnections: 2 });
    try {
      await upgradePostgres(db, PG_MIGRATIONS.filter((m) => m.version <= 4));
      const report = { deployment: "old", primary_version: "1", candidate_version: "2", share: 1, since: 100, mirrored: 5 };
      await db.query("INSERT INTO shadow_reports (deployment, since, candidate_version, report, state, updated_time) VALUES ('old', 100, '2', $1, '{}', 150)", [
        JSON.stringify(report),
      ]);
      expect(await upgradePostgres(db)).toMatchObject({ from: 4 });
      const store = new PgDeploymentStore(db);
      expect(await store.shadowReports("old")).toEqual([{ report, state: {}, updatedTime: 150, replica: "saved-before-replicas", released: true, revision: 0 }]);
      const key = { deployment: "old", since: 100, candidateVersion: "2", replica: "saved-before-replicas" };
      expect(await store.claimShadowReport(key, "host:1:ab")).toBe(true);
      expect(await store.claimShadowReport(key, "host:2:cd")).toBe(false);
      expect((await store.shadowReports("old")).map((p) => [p.replica, p.released])).toEqual([["host:1:ab", false]]);
    } finally {
      await db.close();
      await temp.drop();
    }
  });
});
