import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "./support/spawn-server.js";

/**
 * Concurrent writers never lose or corrupt data: two server processes share one SQLite file (as two replicas would)
 * and take interleaved writes to the same runs from eight clients, including races on write-once params.
 */
const post = async (url: string, route: string, body: unknown): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${url}/api/2.0/mlflow/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
};

const get = async (url: string, route: string, query: Record<string, string>): Promise<any> => {
  const response = await fetch(`${url}/api/2.0/mlflow/${route}?${new URLSearchParams(query).toString()}`);
  expect(response.status).toBe(200);
  return response.json();
};

describe("concurrent writers on one database", () => {
  let dir = "";
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps every metric, exactly one value per param, and a sound database file", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-concurrent-"));
    const db = path.join(dir, "cairn.db");
    const artifacts = path.join(dir, "artifacts");
    servers.push(await spawnServer(db, artifacts));
    servers.push(await spawnServer(db, artifacts));
    const [a, b] = servers.map((server) => server.url) as [string, string];

    const experimentId = (await post(a, "experiments/create", { name: "concurrent" })).body.experiment_id as string;
    const runIds: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      runIds.push((await post(i === 0 ? a : b, "runs/create", { experiment_id: experimentId })).body.run.info.run_id);
    }

    const CLIENTS = 8;
    const BATCHES = 25;
    const PER_BATCH = 100;
    const paramOutcomes: Array<{ run: string; key: string; value: string; status: number }> = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const url = client % 2 === 0 ? a : b;
        const runId = runIds[client % runIds.length] as string;
        for (let batch = 0; batch < BATCHES; batch += 1) {
          const metrics = Array.from({ length: PER_BATCH }, (_, i) => ({
            key: `c${client}`,
            value: batch * PER_BATCH + i,
            timestamp: 1_700_000_000_000 + batch,
            step: batch * PER_BATCH + i,
          }));
          // Every client races for the same write-once params of its run, each with its own value.
          const params = [{ key: `p${batch}`, value: `client-${client}` }];
          const response = await post(url, "runs/log-batch", { run_id: runId, metrics, params });
          if (response.status === 200) {
            paramOutcomes.push({ run: runId, key: `p${batch}`, value: `client-${client}`, status: 200 });
          } else {
            expect(response.status).toBe(400);
            expect(response.body.error_code).toBe("INVALID_PARAMETER_VALUE");
            expect(response.body.message).toContain("Changing param values is not allowed");
            // The refused batch stored nothing, so log its metrics alone: they must land too.
            expect((await post(url, "runs/log-batch", { run_id: runId, metrics })).status).toBe(200);
          }
        }
      }),
    );

    for (let client = 0; client < CLIENTS; client += 1) {
      const runId = runIds[client % runIds.length] as string;
      const history = await get(a, "metrics/get-history", { run_id: runId, metric_key: `c${client}`, max_results: "10000" });
      const steps = (history.metrics as Array<{ step: number; value: number }>).map((metric) => metric.step);
      expect(steps).toEqual(Array.from({ length: BATCHES * PER_BATCH }, (_, i) => i));
      expect((history.metrics as Array<{ step: number; value: number }>).every((metric) => metric.value === metric.step)).toBe(true);
    }

    for (const runId of runIds) {
      const run = (await get(b, "runs/get", { run_id: runId })).run;
      const stored = new Map<string, string>((run.data.params as Array<{ key: string; value: string }>).map((p) => [p.key, p.value]));
      expect(stored.size).toBe(BATCHES);
      for (let batch = 0; batch < BATCHES; batch += 1) {
        const winners = paramOutcomes.filter((outcome) => outcome.run === runId && outcome.key === `p${batch}`);
        // Exactly one client's batch won each param race (others may also succeed only with the same value).
        expect(new Set(winners.map((winner) => winner.value)).size).toBe(1);
        expect(stored.get(`p${batch}`)).toBe(winners[0]?.value);
      }
    }

    const check = new Database(db, { readonly: true });
    try {
      expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      check.close();
    }
  }, 120_000);
});
