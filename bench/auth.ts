import { hashPassword, verifyPassword } from "../src/auth/password-hash.js";
import { BENCH_ADMIN, basicAuth, withAuthServerPair } from "./auth-servers.js";
import { percentile } from "./stats.js";

/**
 * Issue 12's cost of authentication on the hot write path: log-metric p50/p99 with HTTP Basic (as MLflow clients send
 * it on every request) and with a Bearer token, against the same server with auth off, measured in the same run with
 * the requests of the three arms interleaved (so drift of the machine hits all alike). Also: one scrypt verification,
 * what every Basic request would cost without the verified-credentials cache. Target: Basic within 1.5x of auth off.
 */
const ITERATIONS = Number(process.env.BENCH_AUTH_ITERATIONS ?? 2000);
const ADMIN = BENCH_ADMIN;

const round = (value: number): number => Number(value.toFixed(3));
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) };
};

const post = async (url: string, endpoint: string, body: unknown, headers: Record<string, string>): Promise<Record<string, unknown>> => {
  const response = await fetch(`${url}/api/2.0/${endpoint}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${endpoint}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
};

const newRun = async (url: string, headers: Record<string, string>): Promise<string> =>
  ((await post(url, "mlflow/runs/create", { experiment_id: "0", start_time: Date.now() }, headers)).run as { info: { run_id: string } }).info.run_id;

export const runAuthBenchmarks = () =>
  withAuthServerPair("cairn-bench-auth-", async (open, secured) => {
    const basic = basicAuth(ADMIN);
    const token = (await post(secured.url, "cairn/tokens/create", { name: "bench" }, basic)).token as string;
    const bearer = { authorization: `Bearer ${token}` };

    const arms = [
      { name: "auth_off", url: open.url, headers: {} as Record<string, string>, times: [] as number[] },
      { name: "basic", url: secured.url, headers: basic, times: [] as number[] },
      { name: "bearer", url: secured.url, headers: bearer, times: [] as number[] },
    ];
    const runs = await Promise.all(arms.map((arm) => newRun(arm.url, arm.headers)));
    // Warm-up (JIT, statement caches, the credential cache's first scrypt).
    for (let i = 0; i < 100; i++) {
      for (const [index, arm] of arms.entries()) await post(arm.url, "mlflow/runs/log-metric", { run_id: runs[index], key: "warm", value: i, timestamp: i, step: i }, arm.headers);
    }
    for (let i = 0; i < ITERATIONS; i++) {
      for (const [index, arm] of arms.entries()) {
        const started = performance.now();
        await post(arm.url, "mlflow/runs/log-metric", { run_id: runs[index], key: "loss", value: i / ITERATIONS, timestamp: Date.now(), step: i }, arm.headers);
        arm.times.push(performance.now() - started);
      }
    }
    const stored = await hashPassword(ADMIN.password);
    const scrypt: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await verifyPassword(ADMIN.password, stored);
      scrypt.push(performance.now() - started);
    }
    const [off, withBasic, withBearer] = arms.map((arm) => summary(arm.times));
    return {
      suite: "auth",
      iterations: ITERATIONS,
      log_metric: { auth_off: off, basic: withBasic, bearer: withBearer },
      ratio_basic_vs_off: { p50: round((withBasic?.p50_ms ?? 0) / (off?.p50_ms ?? 1)), p99: round((withBasic?.p99_ms ?? 0) / (off?.p99_ms ?? 1)) },
      ratio_bearer_vs_off: { p50: round((withBearer?.p50_ms ?? 0) / (off?.p50_ms ?? 1)), p99: round((withBearer?.p99_ms ?? 0) / (off?.p99_ms ?? 1)) },
      scrypt_verify_uncached: summary(scrypt),
      target: "basic p50 and p99 within 1.5x of auth off",
    };
  });
