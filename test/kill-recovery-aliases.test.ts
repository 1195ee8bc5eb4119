import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "./support/spawn-server.js";

/**
 * Every alias move has its audit event, whenever the process dies: a real server takes concurrent alias moves (and
 * log-batch load beside them), is killed with SIGKILL mid-flight and restarted on the same file. Each alias must then
 * name the version its last audit event says, every acknowledged move must be in the trail, and `audit verify` must
 * find the chain intact. Before the change and its event shared a transaction, the event was written a loop turn after
 * the alias moved, and a kill in between left a move that no event recorded.
 */
const MOVERS = 6;
const ALIASES = ["a0", "a1", "a2"];
const VERSIONS = 4;
const ROUNDS = 3;

const call = async (url: string, method: string, route: string, body?: unknown): Promise<Response> =>
  fetch(`${url}/api/2.0/${route}`, {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "mover" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

const json = async <T>(response: Response): Promise<T> => {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

interface AliasChange {
  alias: string;
  from_version: string | null;
  to_version: string | null;
  request_id: string;
}

/** Moves aliases from MOVERS clients (and logs metrics beside them) for a while, then kills the server with SIGKILL. */
const moveAliasesUntilKilled = async (server: ServerProcess, runId: string): Promise<{ alias: string; version: string }[]> => {
  const url = server.url;
  const acknowledged: { alias: string; version: string }[] = [];
  let killed = false;
  const movers = Array.from({ length: MOVERS }, async (_, mover) => {
    for (let i = 0; !killed; i += 1) {
      const alias = ALIASES[(mover + i) % ALIASES.length] as string;
      const version = String(((mover * 7 + i) % VERSIONS) + 1);
      try {
        const response = await call(url, "POST", "mlflow/registered-models/alias", { name: "m", alias, version });
        if (response.status === 200) acknowledged.push({ alias, version });
      } catch {
        return; // connection reset by the kill
      }
    }
  });
  const logger = (async () => {
    for (let step = 0; !killed; step += 1) {
      const metrics = Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 5}`, value: i, timestamp: 1 + step, step }));
      try {
        await call(url, "POST", "mlflow/runs/log-batch", { run_id: runId, metrics });
      } catch {
        return;
      }
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 500));
  killed = true;
  await server.kill9();
  await Promise.all([...movers, logger]);
  return acknowledged;
};

/** Each alias names the version of its last event, the events chain, every acknowledged move is one, verify is ok. */
const expectTrailMatchesAliases = async (url: string, acknowledged: readonly { alias: string }[]): Promise<void> => {
  const verify = await json<{ ok: boolean; problems?: unknown[] }>(await call(url, "GET", "cairn/audit/verify"));
  expect(verify).toMatchObject({ ok: true });
  for (const alias of ALIASES) {
    const history = await json<{ changes: AliasChange[] }>(await call(url, "GET", `cairn/registered-models/alias-history?name=m&alias=${alias}`));
    const current = await call(url, "GET", `mlflow/registered-models/alias?name=m&alias=${alias}`);
    const last = history.changes.at(-1);
    if (current.status === 200) {
      const { model_version } = (await current.json()) as { model_version: { version: string } };
      expect({ alias, version: model_version.version }).toEqual({ alias, version: last?.to_version });
    } else {
      expect(last).toBeUndefined();
    }
    // Every move is an event chained to the one before: from_version is what the previous event set.
    history.changes.forEach((change, index) => {
      expect(change.from_version).toBe(index === 0 ? null : (history.changes[index - 1]?.to_version ?? null));
    });
    expect(history.changes.length).toBeGreaterThanOrEqual(acknowledged.filter((move) => move.alias === alias).length);
  }
};

describe("alias moves under kill -9", () => {
  let dir = "";
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("leaves every alias naming the version of its last audit event, and an honest verify", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-kill-alias-"));
    const db = path.join(dir, "cairn.db");
    const artifacts = path.join(dir, "artifacts");
    server = await spawnServer(db, artifacts);
    const url = server.url;

    const { experiment_id } = await json<{ experiment_id: string }>(await call(url, "POST", "mlflow/experiments/create", { name: "kill-alias" }));
    const { run } = await json<{ run: { info: { run_id: string } } }>(await call(url, "POST", "mlflow/runs/create", { experiment_id, start_time: 1 }));
    const runId = run.info.run_id;
    await json(await call(url, "POST", "mlflow/registered-models/create", { name: "m" }));
    for (let v = 0; v < VERSIONS; v += 1) {
      await json(await call(url, "POST", "mlflow/model-versions/create", { name: "m", source: `runs:/${runId}/model`, run_id: runId }));
    }

    // Several rounds: each kill lands at another point of the load, and each restart must find the trail whole.
    const acknowledged: { alias: string }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const moves = await moveAliasesUntilKilled(server, runId);
      expect(moves.length).toBeGreaterThan(20);
      acknowledged.push(...moves);
      server = await spawnServer(db, artifacts);
      await expectTrailMatchesAliases(server.url, acknowledged);
    }
  }, 120_000);
});
