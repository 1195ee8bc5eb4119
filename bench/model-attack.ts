import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { constantOfShapeModel, logisticRegressionModel, loopModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { spawnServer } from "../test/support/spawn-server.js";
import { percentile } from "./stats.js";

/** The few answer fields this benchmark reads. */
interface Json {
  run?: { info: { run_id: string } };
  model_version?: { version: string };
  deployments?: { name: string; failed_versions: unknown[] }[];
}

const INFERENCE_TIMEOUT_MS = 2000;
/** Deployments attacked at once per kind; each takes three failing requests before it is marked failed. */
const ATTACKED_PER_KIND = 3;
const QUIET_MS = 6000;

interface Observed {
  health: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  logMetric: { count: number; failed: number; p50Ms: number; p99Ms: number };
}

const summary = (values: number[]): { count: number; p50Ms: number; p99Ms: number; maxMs: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number): number => Number(n.toFixed(2));
  return { count: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted[sorted.length - 1] ?? Number.NaN) };
};

/**
 * The "one request kills the process" attacks against a real server in its own process, with a bystander
 * polling /health every 20 ms and a normal MLflow client logging metrics back to back: first quiet (the baseline),
 * then while 3 deployments get ONNX Loops of 2e9 iterations, 3 get outputs of 150 million elements, and a followed
 * alias moves to a Loop whose warm-up never ends. Prints both phases and the ratio of their p99s.
 */
export const runModelAttackBenchmark = async (): Promise<unknown> => {
  const dir = await mkdtemp(join(tmpdir(), "cairn-bench-attack-"));
  const server = await spawnServer(join(dir, "cairn.db"), join(dir, "artifacts"), { inferenceTimeoutMs: INFERENCE_TIMEOUT_MS });
  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { "content-type": "application/json", "x-cairn-user": "bench" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Json) };
  };
  const ok = async (method: string, route: string, body?: unknown): Promise<Json> => {
    const result = await call(method, route, body);
    if (result.status !== 200) throw new Error(`${route}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };
  const register = async (model: string, bytes: Uint8Array): Promise<string> => {
    const runId = (await ok("POST", "/api/2.0/mlflow/runs/create", { experiment_id: "0" })).run?.info.run_id ?? "";
    const modelDir = join(dir, "scratch", runId);
    await writeMlflowModelDir(modelDir, bytes, { runId });
    for (const file of await readdir(modelDir)) {
      await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/${file}`, { method: "PUT", body: await readFile(join(modelDir, file)) });
    }
    if ((await call("GET", `/api/2.0/mlflow/registered-models/get?name=${model}`)).status !== 200) {
      await ok("POST", "/api/2.0/mlflow/registered-models/create", { name: model });
    }
    return (await ok("POST", "/api/2.0/mlflow/model-versions/create", { name: model, source: `runs:/${runId}/model`, run_id: runId })).model_version?.version ?? "";
  };
  const score = async (deployment: string, inputs: unknown): Promise<number> => {
    const response = await fetch(`${server.url}/deployments/${deployment}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs }),
    });
    await response.text();
    return response.status;
  };

  /** Health and log-metric latencies while `work` runs (or for `ms` when there is none). */
  const observe = async <T>(work: () => Promise<T>): Promise<{ observed: Observed; result: T }> => {
    const runId = (await ok("POST", "/api/2.0/mlflow/runs/create", { experiment_id: "0" })).run?.info.run_id ?? "";
    let done = false;
    const health: number[] = [];
    const logMetric: number[] = [];
    let failed = 0;
    const prober = (async () => {
      while (!done) {
        const started = performance.now();
        await (await fetch(`${server.url}/health`)).text();
        health.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const client = (async () => {
      for (let step = 0; !done; step++) {
        const started = performance.now();
        const result = await call("POST", "/api/2.0/mlflow/runs/log-metric", { run_id: runId, key: "loss", value: 1 / (step + 1), timestamp: Date.now(), step });
        logMetric.push(performance.now() - started);
        if (result.status !== 200) failed += 1;
      }
    })();
    try {
      const result = await work();
      return { result, observed: { health: summary(health), logMetric: { ...summary(logMetric), failed } } };
    } finally {
      done = true;
      await Promise.all([prober, client]);
    }
  };

  try {
    const normal = await register("normal", logisticRegressionModel(1));
    await ok("POST", "/api/2.0/cairn/deployments/create", { name: "normal", model_uri: `models:/normal/${normal}` });
    const loop = await register("loop", loopModel());
    const big = await register("big", constantOfShapeModel());
    for (let i = 0; i < ATTACKED_PER_KIND; i++) {
      await ok("POST", "/api/2.0/cairn/deployments/create", { name: `loop-${i}`, model_uri: `models:/loop/${loop}` });
      await ok("POST", "/api/2.0/cairn/deployments/create", { name: `big-${i}`, model_uri: `models:/big/${big}` });
    }
    const hangGood = await register("hang", loopModel());
    const hangBad = await register("hang", loopModel(2_000_000_000));
    await ok("POST", "/api/2.0/mlflow/registered-models/alias", { name: "hang", alias: "champion", version: hangGood });
    await ok("POST", "/api/2.0/cairn/deployments/create", { name: "follower", model_uri: "models:/hang@champion" });

    const quiet = await observe(() => new Promise<void>((resolve) => setTimeout(resolve, QUIET_MS)));
    const attackStarted = performance.now();
    const attack = await observe(async () => {
      const statuses: number[] = [];
      const normalStatuses: number[] = [];
      const attacker = async (deployment: string, inputs: unknown): Promise<void> => {
        for (let i = 0; i < 3; i++) statuses.push(await score(deployment, inputs));
      };
      let attacking = true;
      const bystander = (async () => {
        while (attacking) normalStatuses.push(await score("normal", { x: [[0.1, 0.2, 0.3, 0.4]] }));
      })();
      await ok("POST", "/api/2.0/mlflow/registered-models/alias", { name: "hang", alias: "champion", version: hangBad });
      await Promise.all(
        Array.from({ length: ATTACKED_PER_KIND }, (_, i) => [
          attacker(`loop-${i}`, { x: [1], n: [2_000_000_000] }),
          attacker(`big-${i}`, { n: [150_000_000] }),
        ]).flat(),
      );
      attacking = false;
      await bystander;
      return { statuses, normalStatuses };
    });
    const attackSeconds = (performance.now() - attackStarted) / 1000;
    const deployments = (await ok("GET", "/api/2.0/cairn/deployments/list")).deployments ?? [];
    const count = (values: number[]): Record<string, number> =>
      values.reduce<Record<string, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
    return {
      benchmark: "model-attack",
      inferenceTimeoutMs: INFERENCE_TIMEOUT_MS,
      attack: `${ATTACKED_PER_KIND} deployments x 3 Loop(2e9) requests, ${ATTACKED_PER_KIND} x 3 outputs of 150M elements, 1 alias move to a Loop(2e9) warm-up`,
      attackSeconds: Number(attackSeconds.toFixed(1)),
      baseline_quiet: quiet.observed,
      under_attack: attack.observed,
      attackStatuses: count(attack.result.statuses),
      normalScoringStatuses: count(attack.result.normalStatuses),
      deploymentsMarkedFailed: deployments.filter((d) => d.failed_versions.length > 0).map((d) => d.name),
      ratio: {
        healthP99: Number((attack.observed.health.p99Ms / quiet.observed.health.p99Ms).toFixed(2)),
        logMetricP99: Number((attack.observed.logMetric.p99Ms / quiet.observed.logMetric.p99Ms).toFixed(2)),
      },
      targets: { healthP99Ms: 100, logMetricP99Ms: 50 },
    };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
};
