import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { setPriority } from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as ort from "onnxruntime-node";
import { CairnError, ErrorCode, invalidParameter } from "../../core/errors.js";
import type { TensorMap } from "../tensor.js";
import { crashFailure, ExecutionFailure, type ExecutionLimits, formatSeconds, outputSizeFailure, timeoutFailure } from "./execution-limits.js";
import type { ExecutorReply, ExecutorRequest } from "./executor-messages.js";
import type { SessionSettings } from "./session-options.js";

interface Waiter {
  resolve: (outputs: TensorMap) => void;
  reject: (error: Error) => void;
  /** Set once the run is sent to the process. */
  timer: NodeJS.Timeout | undefined;
}

export interface ExecutorMetadata {
  inputs: ort.InferenceSession.ValueMetadata[];
  outputs: ort.InferenceSession.ValueMetadata[];
}

/**
 * One model's onnxruntime session in a process of its own. A worker thread is not enough: V8 aborts the whole
 * process on a fatal error in any thread ("Fatal JavaScript invalid size", an output too large to become an array),
 * and a native crash in onnxruntime takes every thread with it. Here the server only routes, checks and encodes;
 * a run that outlives the timeout gets its process killed (a synchronous run cannot be interrupted any other way)
 * and the next run starts a fresh one; a process that dies fails only the runs it held.
 */
export class ModelExecutor {
  /** Executor processes currently alive in this server (metrics, tests). */
  static running = 0;
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private closed = false;
  /** Times a process was replaced after a timeout or a crash. */
  restarts = 0;

  private constructor(
    private readonly path: string,
    private readonly settings: SessionSettings,
    readonly limits: ExecutionLimits,
    readonly metadata: ExecutorMetadata,
    child: ChildProcess,
  ) {
    this.adopt(child);
  }

  /** Starts a process, loads the model into it (within limits.loadTimeoutMs) and answers once it is ready. */
  static async start(path: string, settings: SessionSettings, limits: ExecutionLimits): Promise<ModelExecutor> {
    const { child, metadata } = await spawnLoaded(path, settings, limits);
    return new ModelExecutor(path, settings, limits, metadata, child);
  }

  /** The executor process's id, while one runs (tests kill it to play a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  run(feeds: TensorMap): Promise<TensorMap> {
    if (this.closed) return Promise.reject(new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, "the model was unloaded"));
    return new Promise<TensorMap>((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject, timer: undefined });
      this.ready().then(
        (child) => {
          const waiter = this.waiting.get(id);
          if (waiter === undefined) return;
          // The clock starts when the run is handed to the process: time queued there behind another run counts, so
          // no caller waits much longer than the timeout; starting a replacement process has its own (load) timeout.
          waiter.timer = setTimeout(() => this.timedOut(id), this.limits.timeoutMs);
          const request: ExecutorRequest = { type: "run", id, feeds, maxOutputElements: this.limits.maxOutputElements };
          child.send(request);
        },
        (error: unknown) => this.settle(id, (w) => w.reject(error instanceof Error ? error : new Error(String(error)))),
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, "the model was unloaded"));
    const child = this.child ?? (await this.starting?.catch(() => undefined));
    if (child) await stop(child);
  }

  /** The live process, or a fresh one loading the model again after a kill or a crash. */
  private ready(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= spawnLoaded(this.path, this.settings, this.limits).then(
      ({ child }) => {
        this.starting = undefined;
        if (this.closed) {
          void stop(child);
          throw new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, "the model was unloaded");
        }
        this.restarts += 1;
        this.adopt(child);
        return child;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw error;
      },
    );
    return this.starting;
  }

  private adopt(child: ChildProcess): void {
    this.child = child;
    child.on("message", (reply: ExecutorReply) => {
      if (reply.type === "result") this.settle(reply.id, (w) => w.resolve(reply.outputs));
      else if (reply.type === "error") this.settle(reply.id, (w) => w.reject(invalidParameter(`the model could not run on this input: ${reply.message}`)));
      else if (reply.type === "too-large") this.settle(reply.id, (w) => w.reject(outputSizeFailure(this.limits, reply.elements, reply.dims)));
    });
    child.once("exit", (code, signal) => {
      ModelExecutor.running -= 1;
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(crashFailure(signal ? `was killed by ${signal}` : `exited with code ${code ?? "unknown"}`));
    });
    ModelExecutor.running += 1;
  }

  private timedOut(id: number): void {
    if (!this.waiting.has(id)) return;
    this.settle(id, (w) => w.reject(timeoutFailure(this.limits)));
    const child = this.child;
    if (child === undefined) return;
    // Runs queued behind the stuck one fail too (not counted against the model: they never ran); the next run
    // starts a fresh process.
    this.child = undefined;
    this.failAll(new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, `another request to this model exceeded ${formatSeconds(this.limits.timeoutMs)} and its executor was replaced; retry`));
    void stop(child);
  }

  private settle(id: number, how: (waiter: Waiter) => void): void {
    const waiter = this.waiting.get(id);
    if (waiter === undefined) return;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
    how(waiter);
  }

  private failAll(error: ExecutionFailure | CairnError): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, (w) => w.reject(error));
  }
}

/**
 * The built package forks model-executor-child.js; from source (tests, `npm run bench`) only the .ts exists and the
 * child loads tsx first.
 */
/** How much lower than the server an executor runs (a nice value: 0 is the same, 19 the lowest). */
const EXECUTOR_NICENESS = 10;

const tsxLoader = (): string => pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const forkChild = (): ChildProcess => {
  const built = new URL("./model-executor-child.js", import.meta.url);
  const options = { serialization: "advanced" as const, stdio: ["ignore", "ignore", "pipe", "ipc"] as ("ignore" | "pipe" | "ipc")[] };
  const child = existsSync(fileURLToPath(built))
    ? fork(fileURLToPath(built), [], { ...options, execArgv: [] })
    : fork(fileURLToPath(new URL("./model-executor-child.ts", import.meta.url)), [], { ...options, execArgv: ["--import", tsxLoader()] });
  // Below the server's priority: a model spinning a core (a runaway loop until its timeout) yields the CPU to the
  // event loop that answers every other request. Best effort: a platform that refuses it changes nothing else.
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, EXECUTOR_NICENESS);
    } catch {
      // not permitted here: the executor keeps the server's priority
    }
  }
  // What a dying executor prints (V8's fatal error, a native crash) is drained, not shown to clients.
  child.stderr?.resume();
  // An executor must not keep the server's process alive; the server closes its executors when it stops.
  child.unref();
  child.channel?.unref();
  return child;
};

const spawnLoaded = (path: string, settings: SessionSettings, limits: ExecutionLimits): Promise<{ child: ChildProcess; metadata: ExecutorMetadata }> => {
  const child = forkChild();
  return new Promise<{ child: ChildProcess; metadata: ExecutorMetadata }>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      void stop(child);
      reject(error);
    };
    const timer = setTimeout(() => {
      const limit = `the ${formatSeconds(limits.loadTimeoutMs)} load timeout`;
      fail(new ExecutionFailure("timeout", limit, `loading the ONNX model exceeded ${limit}; its executor was stopped`));
    }, limits.loadTimeoutMs);
    const onMessage = (reply: ExecutorReply): void => {
      if (reply.type === "load-error") fail(invalidParameter(`could not load ONNX model ${path}: ${reply.message}`));
      if (reply.type !== "ready") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve({ child, metadata: { inputs: reply.inputs, outputs: reply.outputs } });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(crashFailure(signal ? `was killed by ${signal}` : `exited with code ${code ?? "unknown"}`, "while loading the model"));
    child.on("message", onMessage);
    child.on("exit", onExit);
    const request: ExecutorRequest = { type: "load", path, settings };
    child.send(request);
  });
};

/** SIGKILL: a run in progress is synchronous native code that would not see a gentler signal. */
const stop = (child: ChildProcess): Promise<void> =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once("exit", () => resolve());
    // Held until it has exited, so that whoever awaits this is not cut short by an idle event loop.
    child.ref();
    child.kill("SIGKILL");
  });
