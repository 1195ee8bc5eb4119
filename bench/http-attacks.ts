import net from "node:net";
import { request } from "node:http";

/**
 * The attacks of issue 12 on the HTTP surface, each a plain object the under-attack benchmark starts, measures
 * under, and stops. A new attack (the model attacks of part 6, say) is one more entry of this shape.
 */
export interface AttackContext {
  /** The server's base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** An experiment and a run the attacks may write artifacts under. */
  experimentId: string;
  runId: string;
  /** A deployment serving a 4-feature logistic regression (input "x", float32 [batch, 4]). */
  deployment: string;
  /** The attacker's source address: another loopback address than the measured clients', as another machine would be. */
  attackerAddress: string;
}

export interface RunningAttack {
  stop(): Promise<void>;
  /** What the attack achieved, for the report (requests sent, answers by status, sockets refused...). */
  stats(): Record<string, unknown>;
}

export interface Attack {
  name: string;
  /** One line: what it does, with its sizes. */
  what: string;
  start(ctx: AttackContext): Promise<RunningAttack>;
}

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

/** Counts answers by status; errors (reset sockets, refused connections) by their code. */
class Tally {
  private readonly counts: Record<string, number> = {};
  add(what: string | number): void {
    this.counts[String(what)] = (this.counts[String(what)] ?? 0) + 1;
  }
  get(): Record<string, number> {
    return { ...this.counts };
  }
}

/** One request with a body from a Buffer (or written by `write`), answered or failed; never rejects. */
const send = (
  ctx: AttackContext,
  method: string,
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<number | string> =>
  new Promise((resolve) => {
    const url = new URL(path, ctx.url);
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: ctx.attackerAddress, agent: false, headers },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    req.end(body);
  });

/** `loops` clients each repeating `once` until stopped. */
const repeating = (loops: number, once: (loop: number) => Promise<number | string>): RunningAttack => {
  const tally = new Tally();
  let running = true;
  const workers = Array.from({ length: loops }, async (_, loop) => {
    while (running) tally.add(await once(loop));
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
    stats: () => ({ answers: tally.get() }),
  };
};

/** Sockets opened from the attacker's address; `onOpen` may write to each. Returns them and the tally of refusals. */
const openSockets = async (ctx: AttackContext, count: number, onOpen: (socket: net.Socket, index: number) => void) => {
  const { hostname, port } = new URL(ctx.url);
  const sockets: net.Socket[] = [];
  const tally = new Tally();
  await Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<void>((resolve) => {
          const socket = net.connect({ host: hostname, port: Number(port), localAddress: ctx.attackerAddress }, () => {
            onOpen(socket, index);
            resolve();
          });
          socket.on("error", (error: NodeJS.ErrnoException) => {
            tally.add(error.code ?? "error");
            resolve();
          });
          socket.on("close", () => tally.add("closed by server"));
          sockets.push(socket);
        }),
    ),
  );
  return { sockets, tally };
};

/** 1,000 uploads from one address, each declaring 1 MB and sending 1 byte every 2 s (the 10,500 at 1 byte / 5 s). */
const slowUploads: Attack = {
  name: "slow-uploads",
  what: "1,000 artifact uploads from one address, each declaring 1 MB and sending 1 byte every 2 s",
  start: async (ctx) => {
    const count = env("BENCH_SLOW_UPLOADS", 1000);
    const { sockets, tally } = await openSockets(ctx, count, (socket, index) => {
      const path = `/api/2.0/mlflow-artifacts/artifacts/${ctx.experimentId}/${ctx.runId}/artifacts/slow/${index}.bin`;
      socket.write(`PUT ${path} HTTP/1.1\r\nHost: ${new URL(ctx.url).host}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`);
    });
    const drip = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write("x");
    }, 2000);
    return {
      stop: async () => {
        clearInterval(drip);
        for (const socket of sockets) socket.destroy();
      },
      stats: () => ({ sockets_open: sockets.filter((s) => !s.destroyed).length, events: tally.get() }),
    };
  },
};

/** The 18 MB scoring bodies: 4 clients posting real rows to a deployment back to back. */
const bigScoringBodies: Attack = {
  name: "big-scoring-bodies",
  what: "4 clients posting 18 MB scoring bodies (real rows) to a deployment's /invocations back to back",
  start: async (ctx) => {
    const row = "[0.123456,0.234567,0.345678,0.456789],";
    const rows = Math.floor((18 * 1024 * 1024 - 20) / row.length);
    const body = Buffer.from(`{"inputs":[${row.repeat(rows).slice(0, -1)}]}`);
    return repeating(env("BENCH_SCORING_CLIENTS", 4), () => send(ctx, "POST", `/deployments/${ctx.deployment}/invocations`, body));
  },
};

/** Bodies of 1.9 MB of `[`: refused by the depth check, but each is read and scanned. */
const deepJson: Attack = {
  name: "deep-json",
  what: "4 clients posting 1.9 MB of nested `[` to runs/log-metric back to back",
  start: async (ctx) => {
    const body = Buffer.from("[".repeat(1_900_000));
    return repeating(env("BENCH_DEEP_JSON_CLIENTS", 4), () => send(ctx, "POST", "/api/2.0/mlflow/runs/log-metric", body));
  },
};

/**
 * The issue's 250 KB suite (22,000 meta keys, just under the monitors' 256 KiB cap on a suite), parsed whole then
 * refused for its one unknown expectation.
 */
export const yamlSuiteBody = (ctx: AttackContext, name: string): string => {
  const keys = Array.from({ length: 22_000 }, (_, i) => `  k${i}: 1`).join("\n");
  const suite = `suite: s\nexpectations:\n  - expectation: expect_nothing_at_all\nmeta:\n${keys}\n`;
  return JSON.stringify({ name, deployment: ctx.deployment, features: ["a", "b", "c", "d"], window: { last_rows: 10 }, schedule_seconds: 60, checks: { data_tests: { suite } } });
};

const yamlSuites: Attack = {
  name: "yaml-suite-250kb",
  what: "2 clients creating monitors whose data_tests suite is 250 KB of YAML (22,000 keys) back to back",
  start: async (ctx) => {
    const body = Buffer.from(yamlSuiteBody(ctx, "attack"));
    return repeating(env("BENCH_YAML_CLIENTS", 2), () => send(ctx, "POST", "/api/2.0/cairn/monitors/create", body));
  },
};

const auditVerify: Attack = {
  name: "audit-verify",
  what: "2 clients calling audit/verify back to back over the seeded trail",
  start: async (ctx) => repeating(env("BENCH_VERIFY_CLIENTS", 2), () => send(ctx, "GET", "/api/2.0/cairn/audit/verify", "")),
};

/** 5,000 sockets from one address, opened and left silent: the per-address cap keeps 256. */
const manyConnections: Attack = {
  name: "many-connections",
  what: "5,000 sockets opened from one address and left silent",
  start: async (ctx) => {
    const { sockets, tally } = await openSockets(ctx, env("BENCH_CONNECTIONS", 5000), () => undefined);
    return {
      stop: async () => {
        for (const socket of sockets) socket.destroy();
      },
      stats: () => ({ sockets_open: sockets.filter((s) => !s.destroyed).length, events: tally.get() }),
    };
  },
};

/** 4 clients uploading 200 MB artifacts as fast as loopback goes, each overwriting its own file. */
const bigUploads: Attack = {
  name: "big-artifact-uploads",
  what: "4 clients uploading 200 MB artifacts back to back at full speed",
  start: async (ctx) => {
    const size = env("BENCH_UPLOAD_BYTES", 200 * 1024 * 1024);
    const body = Buffer.alloc(size, 97);
    return repeating(env("BENCH_UPLOAD_CLIENTS", 4), (loop) =>
      send(ctx, "PUT", `/api/2.0/mlflow-artifacts/artifacts/${ctx.experimentId}/${ctx.runId}/artifacts/big/${loop}.bin`, body, {
        "content-type": "application/octet-stream",
      }),
    );
  },
};

export const HTTP_ATTACKS: readonly Attack[] = [slowUploads, bigScoringBodies, deepJson, yamlSuites, auditVerify, manyConnections, bigUploads];
