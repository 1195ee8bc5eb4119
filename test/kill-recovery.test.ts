import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "./support/spawn-server.js";

/**
 * Every acknowledged write survives kill -9: a real server process takes concurrent log-batch load, is killed with
 * SIGKILL in the middle of it, restarted on the same database file, and must return every metric it acknowledged,
 * and nothing that was never sent.
 */
const CLIENTS = 4;
const METRICS_PER_BATCH = 200;
const KEYS = 10;

const post = async (url: string, route: string, body: unknown): Promise<Response> =>
  fetch(`${url}/api/2.0/mlflow/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const getJson = async <T>(url: string, route: string, query: Record<string, string>): Promise<T> => {
  const response = await fetch(`${url}/api/2.0/mlflow/${route}?${new URLSearchParams(query).toString()}`);
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

interface WireMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

const metricId = (runId: string, metric: WireMetric): string =>
  `${runId}|${metric.key}|${metric.step}|${metric.timestamp}|${metric.value}`;

describe("durability under kill -9", () => {
  let dir = "";
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps every acknowledged metric of a log-batch load killed mid-flight", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-kill-"));
    const db = path.join(dir, "cairn.db");
    const artifacts = path.join(dir, "artifacts");
    server = await spawnServer(db, artifacts);
    const url = server.url;

    const created = (await (await post(url, "experiments/create", { name: "kill-test" })).json()) as {
      experiment_id: string;
    };
    const runIds: string[] = [];
    for (let i = 0; i < CLIENTS; i += 1) {
      const response = await post(url, "runs/create", { experiment_id: created.experiment_id, start_time: 1 });
      runIds.push(((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id);
    }

    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    let killed = false;
    const load = runIds.map(async (runId, client) => {
      for (let batch = 0; !killed; batch += 1) {
        const metrics: WireMetric[] = [];
        for (let i = 0; i < METRICS_PER_BATCH; i += 1) {
          const step = batch * METRICS_PER_BATCH + i;
          metrics.push({ key: `m${i % KEYS}`, value: step * 0.5 + client, timestamp: 1_700_000_000_000 + step, step });
        }
        for (const metric of metrics) sent.add(metricId(runId, metric));
        try {
          const response = await post(url, "runs/log-batch", { run_id: runId, metrics });
          if (response.status === 200) for (const metric of metrics) acknowledged.add(metricId(runId, metric));
        } catch {
          return; // connection reset by the kill
        }
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 1500));
    killed = true;
    await server.kill9();
    await Promise.all(load);
    expect(acknowledged.size).toBeGreaterThan(METRICS_PER_BATCH * CLIENTS);

    server = await spawnServer(db, artifacts);
    const stored = new Set<string>();
    for (const runId of runIds) {
      for (let k = 0; k < KEYS; k += 1) {
        let pageToken: string | undefined;
        do {
          const page = await getJson<{ metrics?: WireMetric[]; next_page_token?: string }>(server.url, "metrics/get-history", {
            run_id: runId,
            metric_key: `m${k}`,
            max_results: "25000",
            ...(pageToken ? { page_token: pageToken } : {}),
          });
          for (const metric of page.metrics ?? []) stored.add(metricId(runId, metric));
          pageToken = page.next_page_token;
        } while (pageToken);
      }
    }
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    const invented = [...stored].filter((id) => !sent.has(id));
    expect(lost).toEqual([]);
    expect(invented).toEqual([]);
  }, 120_000);
});
