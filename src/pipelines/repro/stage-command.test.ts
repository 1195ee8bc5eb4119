import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunningCommands, runStageCommand, type StageCommandOptions } from "./stage-command.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-stage-cmd-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (cmd: string | string[], extra: Partial<StageCommandOptions> = {}): StageCommandOptions => ({
  cmd,
  cwd: dir,
  env: { ...process.env, STAGE_VALUE: "v1" },
  running: new RunningCommands(),
  output: "inherit",
  stopped: () => false,
  ...extra,
});

const collect = (stream: PassThrough): (() => string) => {
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
};

describe("runStageCommand", () => {
  it("runs a list in order in the wdir with the env, stopping at the first failure", async () => {
    expect(await runStageCommand(base(["echo one >> log.txt", 'echo "$STAGE_VALUE" >> log.txt']))).toEqual({ ok: true });
    expect(await readFile(path.join(dir, "log.txt"), "utf8")).toBe("one\nv1\n");
    expect(await runStageCommand(base(["echo two >> log.txt", "exit 3", "echo three >> log.txt"]))).toEqual({
      ok: false,
      why: "command 2 of 3 (exit 3): exit code 3",
    });
    expect(await readFile(path.join(dir, "log.txt"), "utf8")).toBe("one\nv1\ntwo\n");
  });

  it("reports a command killed by a signal", async () => {
    expect(await runStageCommand(base("kill -KILL $$"))).toEqual({ ok: false, why: "killed by SIGKILL" });
  });

  it("prefixes every line of stdout and stderr when asked", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const end = await runStageCommand(base("printf 'a\\nb'; echo oops >&2", { output: { prefix: "[train] ", stdout, stderr } }));
    expect(end).toEqual({ ok: true });
    expect(out()).toBe("[train] a\n[train] b\n");
    expect(err()).toBe("[train] oops\n");
  });

  it("forwards a signal to the command's whole process group", async () => {
    const running = new RunningCommands();
    // The shell starts a child sleep; killing only the shell would leave the sleep running.
    const run = runStageCommand(base("sleep 30 & echo started > started.txt; wait", { running }));
    for (let i = 0; i < 100 && running.size === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 200; i += 1) {
      const started = await readFile(path.join(dir, "started.txt"), "utf8").catch(() => "");
      if (started !== "") break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const before = Date.now();
    running.signal("SIGTERM");
    expect(await run).toEqual({ ok: false, why: "killed by SIGTERM" });
    expect(Date.now() - before).toBeLessThan(5000);
  });
});
