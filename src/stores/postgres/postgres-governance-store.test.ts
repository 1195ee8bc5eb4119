import { describe, expect, it } from "vitest";
import { describeGovernanceStoreContract } from "../../registry/governance-store.contract.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PgDatabase } from "./pg-database.js";
import { PgGovernanceStore } from "./pg-governance-store.js";
import { openRegistryTestDatabase } from "./test-support/registry-database.js";

describeGovernanceStoreContract("postgresql", async () => {
  const opened = await openRegistryTestDatabase();
  return { store: new PgGovernanceStore(opened.db), cleanup: opened.cleanup };
});

describe("PostgreSQL governance store: PostgreSQL specifics", () => {
  it("records one standing approval when two processes approve the same version at once", async () => {
    const opened = await openRegistryTestDatabase();
    const other = new PgDatabase(parsePostgresUri(opened.uri), { maxConnections: 4 });
    try {
      const stores = [new PgGovernanceStore(opened.db), new PgGovernanceStore(other)];
      const approval = { name: "churn", version: "1", target: "alias:champion", actor: { name: "ada", verified: true }, time: 10 };
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % 2]!.addApproval({ ...approval, time: 10 + i })));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.approval.id)).size).toBe(1);
      expect(await stores[0]!.listApprovals("churn", "1")).toHaveLength(1);
    } finally {
      await other.close();
      await opened.cleanup();
    }
  });

  it("serves the model-wide listing from an index", async () => {
    const opened = await openRegistryTestDatabase();
    try {
      // Without rows the planner would scan anyway: disable sequential scans to see which index it can use.
      await opened.db.transaction(async () => {
        await opened.db.query("SET LOCAL enable_seqscan = off");
        const plan = await opened.db.query<{ "QUERY PLAN": string }>(
          "EXPLAIN SELECT * FROM promotion_approvals WHERE model_name = 'churn' ORDER BY time DESC, approval_id DESC LIMIT 11",
        );
        expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toContain("promotion_approvals_model_time");
      });
    } finally {
      await opened.cleanup();
    }
  });
});
