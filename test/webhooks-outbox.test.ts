import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";
import { testBackendStoreUri } from "../src/server/test-support/test-backend.js";
import { deliveredEvents, TestReceiver } from "../src/webhooks/test-support/receiver.js";

/**
 * A registry write and its webhook deliveries commit together or not at all (an outbox), on the backend the run
 * selects (SQLite here; PostgreSQL in the postgresql project). The delivery queue is made to refuse every row by a
 * real trigger in the database. Before: on SQLite the alias moved and no webhook was ever sent (the enqueue failure
 * was logged and swallowed). On PostgreSQL the move already failed, by luck: the audit append after the swallowed
 * failure ran in the aborted transaction (PgDatabase.transaction now refuses to commit such a transaction itself).
 */
let dir: string;
let server: RunningServer;
let backendUri: string;
const receiver = new TestReceiver();
const onPostgres = process.env.CAIRN_TEST_BACKEND === "postgresql";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-webhooks-outbox-"));
  backendUri = await testBackendStoreUri(dir);
  await receiver.listen();
  server = await startServerIn(dir, { webUiDir: null });
});
afterAll(async () => {
  await receiver.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const query = method === "GET" && body !== undefined ? `?${new URLSearchParams(body as Record<string, string>).toString()}` : "";
  const response = await fetch(`${server.url}/api/2.0/${route}${query}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined || method === "GET" ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : JSON.parse(text) };
};

const ok = async (method: string, route: string, body?: unknown): Promise<any> => {
  const answer = await call(method, route, body);
  expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
};

/** Makes the database refuse (or accept again) every row of the webhook delivery queue. */
const refuseDeliveries = async (refuse: boolean): Promise<void> => {
  if (onPostgres) {
    const client = new pg.Client({ connectionString: backendUri });
    await client.connect();
    try {
      await client.query(
        refuse
          ? `CREATE FUNCTION refuse_delivery() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'delivery queue refused'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse_delivery()`
          : "DROP TRIGGER refuse_deliveries ON webhook_deliveries; DROP FUNCTION refuse_delivery()",
      );
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(path.join(dir, "cairn.db"));
  try {
    db.exec(
      refuse
        ? "CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries BEGIN SELECT RAISE(ABORT, 'delivery queue refused'); END"
        : "DROP TRIGGER refuse_deliveries",
    );
  } finally {
    db.close();
  }
};

const aliasActions = async (): Promise<string[]> =>
  ((await ok("GET", "cairn/audit/events", { max_results: "1000" })).events as Array<{ action: string; after: { version?: string } | null }>)
    .filter((e) => e.action === "registry.alias.set")
    .map((e) => `${e.action}->${e.after?.version ?? ""}`);

describe(`webhook deliveries as an outbox of registry writes (${onPostgres ? "postgresql" : "sqlite"})`, () => {
  it("refuses an alias move whose webhook cannot be queued, keeps the alias and the audit trail as they were, and moves it once the queue takes it", async () => {
    await ok("POST", "cairn/webhooks/create", { name: "ops", url: receiver.url, events: ["alias.set"] });
    await ok("POST", "mlflow/registered-models/create", { name: "churn" });
    for (const run of ["a", "b"]) await ok("POST", "mlflow/model-versions/create", { name: "churn", source: `mlflow-artifacts:/models/${run}` });
    await ok("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "1" });

    await refuseDeliveries(true);
    const refused = await call("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    expect(refused.status).toBe(500);
    expect(refused.body.error_code).toBe("INTERNAL_ERROR");
    // Nothing of the refused move is stored: the alias, its audit event, its delivery.
    expect((await ok("GET", "mlflow/registered-models/alias", { name: "churn", alias: "champion" })).model_version.version).toBe("1");
    expect(await aliasActions()).toEqual(["registry.alias.set->1"]);

    await refuseDeliveries(false);
    await ok("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    expect((await ok("GET", "mlflow/registered-models/alias", { name: "churn", alias: "champion" })).model_version.version).toBe("2");
    expect(await aliasActions()).toEqual(["registry.alias.set->1", "registry.alias.set->2"]);
    for (let i = 0; i < 100 && deliveredEvents(receiver).length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deliveredEvents(receiver).map((e) => [e.type, e.payload.version, e.payload.previous_version])).toEqual([
      ["alias.set", "1", null],
      ["alias.set", "2", "1"],
    ]);
    // The audit chain is whole.
    expect((await ok("GET", "cairn/audit/verify", { full: "true" })).ok).toBe(true);
  });
});
