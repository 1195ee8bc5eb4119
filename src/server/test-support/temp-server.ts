import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../start.js";

/** A real Cairn server on a free loopback port over a fresh SQLite file and artifact folder; close() removes both. */
export interface TempServer extends RunningServer {
  dir: string;
}

export const startTempServer = async (prefix = "cairn-test-"): Promise<TempServer> => {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: `sqlite:///${dir}/cairn.db`,
    artifactsDestination: `${dir}/artifacts`,
    logLevel: "silent",
    // Parallel UI builds can each point the e2e tests at their own output folder.
    ...(process.env.CAIRN_WEB_UI_DIR ? { webUiDir: process.env.CAIRN_WEB_UI_DIR } : {}),
  });
  return {
    ...server,
    dir,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
