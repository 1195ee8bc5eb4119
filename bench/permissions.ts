import { BENCH_ADMIN, basicAuth, withAuthServerPair } from "./auth-servers.js";
import { percentile } from "./stats.js";

/**
 * Issue 12 part 2's cost of authorization. log-metric p50/p99 on one `--auth` server as an administrator (no lookup:
 * administrators pass every rule) and as a user with EDIT on the experiment (the rule resolves the run to its
 * experiment and reads one grant), against a server with auth off, the requests of the arms interleaved. And
 * experiments/search of 100 experiments (max_results 100): an administrator's answer is not filtered, a user's is,
 * one grant lookup per experiment.
 */
const ITERATIONS = Number(process.env.BENCH_PERMISSIONS_ITERATIONS ?? 2000);
const ADMIN = BENCH_ADMIN;
const USER = { username: "ada", password: "ada-password-0001" };

const round = (value: number): number => Number(value.toFixed(3));
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) };
};
const basic = basicAuth;

const send = async (url: string, method: string, endpoint: string, body: unknown, headers: Record<string, string>): Promise<Record<string, unknown>> => {
  const response = await fetch(`${url}/api/2.0/${endpoint}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${endpoint}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
};

export const runPermissionBenchmarks = () =>
  withAuthServerPair("cairn-bench-permissions-", async (open, secured) => {
    const admin = basic(ADMIN);
    const user = basic(USER);
    await send(secured.url, "POST", "mlflow/users/create", USER, admin);
    const experimentOn = async (url: string, headers: Record<string, string>): Promise<string> =>
      (await send(url, "POST", "mlflow/experiments/create", { name: "bench" }, headers)).experiment_id as string;
    const openExperiment = await experimentOn(open.url, {});
    const securedExperiment = await experimentOn(secured.url, admin);
    await send(secured.url, "POST", "mlflow/experiments/permissions/create", { experiment_id: securedExperiment, username: USER.username, permission: "EDIT" }, admin);
    const runIn = async (url: string, experimentId: string, headers: Record<string, string>): Promise<string> =>
      ((await send(url, "POST", "mlflow/runs/create", { experiment_id: experimentId }, headers)).run as { info: { run_id: string } }).info.run_id;

    const arms = [
      { name: "auth_off", url: open.url, headers: {} as Record<string, string>, run: await runIn(open.url, openExperiment, {}), times: [] as number[] },
      { name: "admin", url: secured.url, headers: admin, run: await runIn(secured.url, securedExperiment, admin), times: [] as number[] },
      { name: "user_edit", url: secured.url, headers: user, run: await runIn(secured.url, securedExperiment, user), times: [] as number[] },
    ];
    for (let i = 0; i < 100; i++) {
      for (const arm of arms) await send(arm.url, "POST", "mlflow/runs/log-metric", { run_id: arm.run, key: "warm", value: i, timestamp: i, step: i }, arm.headers);
    }
    for (let i = 0; i < ITERATIONS; i++) {
      for (const arm of arms) {
        const started = performance.now();
        await send(arm.url, "POST", "mlflow/runs/log-metric", { run_id: arm.run, key: "loss", value: i / ITERATIONS, timestamp: Date.now(), step: i }, arm.headers);
        arm.times.push(performance.now() - started);
      }
    }

    for (let i = 0; i < 100; i++) await send(secured.url, "POST", "mlflow/experiments/create", { name: `e${i}` }, admin);
    const searches = [
      { name: "admin", headers: admin, times: [] as number[] },
      { name: "user_filtered", headers: user, times: [] as number[] },
    ];
    for (let i = 0; i < 300; i++) {
      for (const search of searches) {
        const started = performance.now();
        const answer = await send(secured.url, "POST", "mlflow/experiments/search", { max_results: 100 }, search.headers);
        search.times.push(performance.now() - started);
        if ((answer.experiments as unknown[]).length !== 100) throw new Error(`${search.name}: not 100 experiments`);
      }
    }
    const [off, asAdmin, asUser] = arms.map((arm) => summary(arm.times));
    const [searchAdmin, searchUser] = searches.map((search) => summary(search.times));
    return {
      suite: "permissions",
      iterations: ITERATIONS,
      log_metric: { auth_off: off, admin: asAdmin, user_edit: asUser },
      ratio_user_vs_admin: { p50: round((asUser?.p50_ms ?? 0) / (asAdmin?.p50_ms ?? 1)), p99: round((asUser?.p99_ms ?? 0) / (asAdmin?.p99_ms ?? 1)) },
      ratio_user_vs_off: { p50: round((asUser?.p50_ms ?? 0) / (off?.p50_ms ?? 1)), p99: round((asUser?.p99_ms ?? 0) / (off?.p99_ms ?? 1)) },
      experiments_search_100: { admin: searchAdmin, user_filtered: searchUser, ratio_p50: round((searchUser?.p50_ms ?? 0) / (searchAdmin?.p50_ms ?? 1)) },
    };
  });
