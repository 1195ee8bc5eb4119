import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverMain = fileURLToPath(new URL("./server-main.ts", import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL: no chance to flush or close anything. */
  kill9(): Promise<void>;
}

const waitForExit = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));

/** Starts a Cairn server in a child process on a free port; resolves once it listens. */
export const spawnServer = async (
  dbFile: string,
  artifactsDir: string,
  options: { inferenceTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> => {
  const extra = options.inferenceTimeoutMs === undefined ? [] : [String(options.inferenceTimeoutMs)];
  const child = spawn(process.execPath, ["--import", "tsx", serverMain, dbFile, artifactsDir, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /LISTENING (\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await waitForExit(child);
    },
    kill9: async () => {
      child.kill("SIGKILL");
      await waitForExit(child);
    },
  };
};
