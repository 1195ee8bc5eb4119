import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { invalidParameter } from "../../core/errors.js";
import type { TensorMap } from "../tensor.js";
import type { SessionSettings } from "./session-cache.js";
import { transferablesOf, type WorkerReply, type WorkerRequest } from "./worker-messages.js";

/**
 * Runs a model on a worker thread with its own onnxruntime session, so that a long batched run does not stop the
 * event loop from reading, parsing and answering other requests meanwhile: with batching, the HTTP work of the next
 * batch overlaps the inference of the current one, on the machine's other core. A message round trip costs tens of
 * microseconds, so this pays only for merged batches, which is where the adaptive batcher uses it.
 */
export class WorkerRunner {
  /** Inference workers currently running in this process. */
  static running = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (outputs: TensorMap) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: WorkerReply) => {
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if ("error" in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.outputs);
    });
    const failAll = (error: Error): void => {
      this.failure ??= error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => {
      WorkerRunner.running -= 1;
      failAll(new Error(`inference worker exited (code ${code})`));
    });
    WorkerRunner.running += 1;
  }

  static async start(path: string, settings: SessionSettings): Promise<WorkerRunner> {
    const worker = startWorker({ path, settings });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: boolean; error?: string }): void => {
        worker.off("error", onError);
        if (message.ready) resolve();
        else reject(invalidParameter(`could not load ONNX model ${path} in an inference worker: ${message.error ?? "unknown error"}`));
      };
      const onError = (error: Error): void => reject(error);
      worker.once("message", onMessage);
      worker.once("error", onError);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    // An idle worker must not keep the process alive (the main thread owns the lifetime).
    worker.unref();
    return new WorkerRunner(worker);
  }

  /** Runs already checked feeds; their buffers move to the worker when they can (the caller must not reuse them). */
  run(feeds: TensorMap): Promise<TensorMap> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<TensorMap>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: WorkerRequest = { id, feeds };
      this.worker.postMessage(request, transferablesOf(feeds));
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error("inference worker closed");
    await this.worker.terminate();
  }
}

/**
 * The built package runs inference-worker.js. Run from source (tests, `npm run bench`), only the .ts exists and the
 * worker must load tsx's loader itself first: Node 20 does not pass `--import tsx` on to worker threads.
 */
const startWorker = (workerData: { path: string; settings: SessionSettings }): Worker => {
  const built = new URL("./inference-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData });
  const source = new URL("./inference-worker.ts", import.meta.url);
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
};
