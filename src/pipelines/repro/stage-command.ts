import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";

/** How a stage's command ended. */
/** `started: false`: repro was stopping (another stage failed, or a signal) before the first command began. */
export type CommandEnd = { ok: true } | { ok: false; why: string; started?: false };

/**
 * The commands running now, each the leader of its own process group (spawned detached), so that SIGINT/SIGTERM
 * sent to repro reaches the whole tree a command started (`sh -c "python train.py"` and python), not just the shell.
 */
export class RunningCommands {
  private readonly children = new Set<ChildProcess>();

  add(child: ChildProcess): void {
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
  }

  get size(): number {
    return this.children.size;
  }

  signal(signal: NodeJS.Signals): void {
    for (const child of this.children) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already (the command just ended).
      }
    }
  }
}

export interface StageCommandOptions {
  /** One command, or several run in order; the first that fails ends the stage. */
  cmd: string | string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  running: RunningCommands;
  /**
   * "inherit": the command writes to repro's stdout and stderr (one stage at a time); otherwise every line of its
   * output is written to the given streams with the prefix (several stages at once, -j N).
   */
  output: "inherit" | { prefix: string; stdout: Writable; stderr: Writable };
  /** When true, no further command of the list starts (repro is being interrupted). */
  stopped: () => boolean;
}

/** Copies a child's stream line by line, each line prefixed, so lines of parallel stages never interleave mid-line. */
const prefixLines = (source: NodeJS.ReadableStream, prefix: string, target: Writable): Promise<void> =>
  new Promise((resolve) => {
    let rest = "";
    source.setEncoding("utf8");
    source.on("data", (chunk: string) => {
      const text = rest + chunk;
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      if (lines.length > 0) target.write(lines.map((line) => `${prefix}${line}\n`).join(""));
    });
    source.on("end", () => {
      if (rest !== "") target.write(`${prefix}${rest}\n`);
      resolve();
    });
    source.on("error", () => resolve());
  });

const runOne = (cmd: string, options: StageCommandOptions): Promise<CommandEnd> =>
  new Promise((resolve) => {
    const inherit = options.output === "inherit";
    let child: ChildProcess;
    try {
      child = spawn(cmd, {
        shell: true,
        cwd: options.cwd,
        env: options.env,
        detached: true,
        // No stdin: a command in its own process group that read the terminal would be stopped (SIGTTIN).
        stdio: ["ignore", inherit ? "inherit" : "pipe", inherit ? "inherit" : "pipe"],
      });
    } catch (error) {
      resolve({ ok: false, why: `could not start: ${(error as Error).message}` });
      return;
    }
    options.running.add(child);
    const copies: Promise<void>[] = [];
    if (options.output !== "inherit") {
      if (child.stdout) copies.push(prefixLines(child.stdout, options.output.prefix, options.output.stdout));
      if (child.stderr) copies.push(prefixLines(child.stderr, options.output.prefix, options.output.stderr));
    }
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
    });
    child.once("close", (code, signal) => {
      // Repro is being interrupted and the command's shell died of it: whatever it left in its process group (a
      // background job, which a non-interactive shell starts with SIGINT ignored) is stopped too.
      if (signal !== null && options.stopped() && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // Nothing left in the group.
        }
      }
      void Promise.all(copies).then(() => {
        if (spawnError !== undefined) resolve({ ok: false, why: `could not start: ${spawnError.message}` });
        else if (signal !== null) resolve({ ok: false, why: `killed by ${signal}` });
        else if (code !== 0) resolve({ ok: false, why: `exit code ${String(code)}` });
        else resolve({ ok: true });
      });
    });
  });

/** Runs a stage's command(s) in its wdir through the shell, as the user who ran repro. */
export const runStageCommand = async (options: StageCommandOptions): Promise<CommandEnd> => {
  const cmds = typeof options.cmd === "string" ? [options.cmd] : options.cmd;
  for (const [index, cmd] of cmds.entries()) {
    if (options.stopped()) return index === 0 ? { ok: false, why: "interrupted before it started", started: false } : { ok: false, why: `interrupted before command ${index + 1} of ${cmds.length} (${cmd})` };
    const end = await runOne(cmd, options);
    if (!end.ok) return cmds.length === 1 ? end : { ok: false, why: `command ${index + 1} of ${cmds.length} (${cmd}): ${end.why}` };
  }
  return { ok: true };
};
