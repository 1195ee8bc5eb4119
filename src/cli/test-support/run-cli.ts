import { spawn, type ChildProcessByStdio } from "node:child_process";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/** tsx's loader by path, so that the CLI also runs with its cwd in a folder outside the repository (a temp workspace). */
const tsxLoader = pathToFileURL(path.join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * The real CLI (src/cli/main.ts through tsx) in a child process, as a user starts it, for tests that signal or kill
 * it. The tracking, user and run variables of the shell running the tests (or of a stage running them) are not
 * inherited, so only `env` sets them.
 */
export const spawnCli = (
  args: readonly string[],
  options: CliOptions & { input?: boolean } = {},
): ChildProcessByStdio<null, Readable, Readable> => {
  const {
    CAIRN_TRACKING_URI: _c,
    MLFLOW_TRACKING_URI: _m,
    CAIRN_USER: _u,
    MLFLOW_TRACKING_USERNAME: _n,
    MLFLOW_TRACKING_PASSWORD: _p,
    MLFLOW_TRACKING_TOKEN: _t,
    MLFLOW_EXPERIMENT_NAME: _e,
    MLFLOW_RUN_ID: _r,
    ...base
  } = process.env;
  return spawn(process.execPath, ["--import", tsxLoader, path.join(repoRoot, "src/cli/main.ts"), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...base, ...options.env },
    stdio: [options.input === true ? "pipe" : "ignore", "pipe", "pipe"],
  }) as unknown as ChildProcessByStdio<null, Readable, Readable>;
};

/** Everything a spawned CLI printed, and its exit code. */
export const outputOf = (child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliResult> => {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
};

/** The real CLI run to its end: exit code and exact output. */
export const runCli = (args: readonly string[], options: CliOptions & { input?: string } = {}): Promise<CliResult> => {
  const { input, ...rest } = options;
  const child = spawnCli(args, { ...rest, input: input !== undefined });
  if (input !== undefined) (child as unknown as { stdin: NodeJS.WritableStream }).stdin.end(input);
  return outputOf(child);
};
