import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServerConfig } from "../../core/config.js";
import { startServer, type RunningServer } from "../start.js";
import { testBackendStoreUri } from "./test-backend.js";

/** A real Cairn server on a free loopback port over a fresh SQLite file and artifact folder; close() removes both. */
export interface TempServer extends RunningServer {
  dir: string;
}

/**
 * Test receivers listen on loopback, which the production default refuses as a webhook target (SSRF): test servers
 * allowlist it, as an operator would allowlist an internal receiver.
 */
export const LOOPBACK_WEBHOOK_TARGETS: readonly string[] = ["127.0.0.0/8", "::1"];

/**
 * A real server on a free loopback port over the SQLite file and artifact folder in `dir`, which the caller owns:
 * closing it and starting it again over the same dir is how a test restarts the server.
 */
export const startServerIn = async (
  dir: string,
  config: Partial<ServerConfig> = {},
  /** Wait for the stored deployments to load (start-up does not): what most tests of a restart expect. */
  { awaitDeployments = true }: { awaitDeployments?: boolean } = {},
): Promise<RunningServer> => {
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: await testBackendStoreUri(dir),
    artifactsDestination: `${dir}/artifacts`,
    logLevel: "silent",
    webhookAllowedTargets: [...LOOPBACK_WEBHOOK_TARGETS],
    ...config,
  });
  if (awaitDeployments) await server.deploymentsLoaded();
  return server;
};

export const startTempServer = async (prefix = "cairn-test-"): Promise<TempServer> => {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  // Parallel UI builds can each point the e2e tests at their own output folder.
  const server = await startServerIn(dir, process.env.CAIRN_WEB_UI_DIR ? { webUiDir: process.env.CAIRN_WEB_UI_DIR } : {});
  return {
    ...server,
    dir,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
