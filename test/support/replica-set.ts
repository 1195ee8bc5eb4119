import type { ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { spawnCli } from "../../src/cli/test-support/run-cli.js";
import { freePort } from "./free-port.js";
import { startNginx, type LoadBalancer } from "./nginx-balancer.js";

/**
 * N real `cairn server` processes (the CLI, as an operator starts them) on one backend store and one artifact
 * destination, behind a real load balancer. For the replica end-to-end test and the replica benchmark.
 */
export interface Replica {
  index: number;
  url: string;
  port: number;
  child: ChildProcessByStdio<null, Readable, Readable>;
  output(): string;
}

export interface ReplicaSet {
  /** The load balancer's URL: what clients use. */
  url: string;
  replicas: Replica[];
  /** SIGKILL one replica: no graceful shutdown, in-flight requests fail. */
  kill(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ReplicaSetOptions {
  count: number;
  backendStoreUri: string;
  artifactsDestination: string;
  /** Extra `cairn server` flags, the same for every replica. */
  serverArgs?: readonly string[];
  env?: Record<string, string>;
  /** Put nginx in front (default true); false: the replicas only, e.g. to measure one replica alone. */
  balancer?: boolean;
}

const waitForHealth = async (url: string, replica: { child: Replica["child"]; output(): string }): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (replica.child.exitCode !== null) throw new Error(`replica at ${url} exited with ${replica.child.exitCode}: ${replica.output()}`);
    const ok = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`replica at ${url} did not answer /health within 60 s: ${replica.output()}`);
};

const exited = (child: Replica["child"]): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));

export const startReplica = async (index: number, options: ReplicaSetOptions): Promise<Replica> => {
  const port = await freePort();
  const child = spawnCli(
    [
      "server",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--backend-store-uri",
      options.backendStoreUri,
      "--artifacts-destination",
      options.artifactsDestination,
      ...(options.serverArgs ?? []),
    ],
    { env: { ...options.env } },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const replica: Replica = { index, url: `http://127.0.0.1:${port}`, port, child, output: () => output };
  await waitForHealth(replica.url, replica);
  return replica;
};

export const startReplicaSet = async (options: ReplicaSetOptions): Promise<ReplicaSet> => {
  // One at a time: the first creates the schema, the others find it (they could race safely, but start-up logs
  // are easier to read this way and it costs a second).
  const replicas: Replica[] = [];
  try {
    for (let index = 0; index < options.count; index += 1) replicas.push(await startReplica(index, options));
  } catch (error) {
    for (const replica of replicas) replica.child.kill("SIGKILL");
    throw error;
  }
  let balancer: LoadBalancer | undefined;
  if (options.balancer !== false) balancer = await startNginx(replicas.map((replica) => replica.port));
  return {
    url: balancer?.url ?? replicas[0]?.url ?? "",
    replicas,
    kill: async (index) => {
      const replica = replicas[index];
      if (replica === undefined) throw new Error(`no replica ${index}`);
      replica.child.kill("SIGKILL");
      await exited(replica.child);
    },
    stop: async () => {
      await balancer?.stop();
      await Promise.all(
        replicas.map(async (replica) => {
          replica.child.kill("SIGTERM");
          const timer = setTimeout(() => replica.child.kill("SIGKILL"), 10_000);
          await exited(replica.child);
          clearTimeout(timer);
        }),
      );
    },
  };
};
