import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CliResult } from "../../../cli/test-support/run-cli.js";
import { repoRoot } from "../../../cli/test-support/run-cli.js";

/**
 * The real CLI in a child process whose cwd is a workspace outside the repository (run-cli.ts resolves tsx from its
 * cwd, which must then be the repository): tsx is given by its resolved URL instead. Tracking and user variables of
 * the shell running the tests are not inherited.
 */
const TSX = pathToFileURL(createRequire(path.join(repoRoot, "package.json")).resolve("tsx")).href;

/** The child itself, for tests that kill it. */
export const spawnCliIn = (cwd: string, args: readonly string[], env: Record<string, string> = {}): ChildProcessByStdio<null, Readable, Readable> => {
  const { CAIRN_TRACKING_URI: _c, MLFLOW_TRACKING_URI: _m, CAIRN_USER: _u, MLFLOW_TRACKING_USERNAME: _n, MLFLOW_TRACKING_PASSWORD: _p, MLFLOW_TRACKING_TOKEN: _t, ...base } = process.env;
  return spawn(process.execPath, ["--import", TSX, path.join(repoRoot, "src/cli/main.ts"), ...args], { cwd, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
};

export const runCliIn = (cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> => {
  const child = spawnCliIn(cwd, args, env);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
};
