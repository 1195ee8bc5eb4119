import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";

/** The administrator every auth bench's secured server is bootstrapped with. */
export const BENCH_ADMIN = { username: "bench", password: "bench-password-01" };

export const basicAuth = (user: { username: string; password: string }): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`,
});

/**
 * The two servers an auth bench compares, each over its own fresh SQLite file: one with auth off (the baseline) and
 * one with `--auth` and BENCH_ADMIN; `run` gets both, and both are closed and removed afterwards.
 */
export const withAuthServerPair = async <T>(prefix: string, run: (open: RunningServer, secured: RunningServer) => Promise<T>): Promise<T> => {
  const dirs = await Promise.all([0, 1].map(() => mkdtemp(path.join(tmpdir(), prefix))));
  const servers: RunningServer[] = [];
  try {
    const open = await startServerIn(dirs[0] as string, { webUiDir: null });
    servers.push(open);
    const secured = await startServerIn(dirs[1] as string, { webUiDir: null, auth: true, adminBootstrap: BENCH_ADMIN });
    servers.push(secured);
    return await run(open, secured);
  } finally {
    for (const server of servers) await server.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
};
