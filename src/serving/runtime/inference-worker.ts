/**
 * The body of an inference worker thread (see worker-runner.ts): one onnxruntime session of its own, runs feeds the
 * main thread posts, posts the outputs back with their buffers transferred. onnxruntime-node runs `session.run`
 * synchronously on the calling thread; here that thread is not the one serving HTTP.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import type { TensorMap } from "../tensor.js";
import { fromOrtOutputs, toOrtFeeds } from "./ort-tensors.js";
import { ortSessionOptions, type SessionSettings } from "./session-cache.js";
import { transferablesOf, type WorkerReply, type WorkerRequest } from "./worker-messages.js";

const { path, settings } = workerData as { path: string; settings: SessionSettings };
const port = parentPort;
if (port === null) throw new Error("inference-worker.ts runs only as a worker thread");

try {
  const session = await ort.InferenceSession.create(path, ortSessionOptions(settings));
  port.on("message", (request: WorkerRequest) => {
    session.run(toOrtFeeds(request.feeds)).then(
      (outputs) => {
        const tensors: TensorMap = fromOrtOutputs(outputs, session.outputNames);
        const reply: WorkerReply = { id: request.id, outputs: tensors };
        port.postMessage(reply, transferablesOf(tensors));
      },
      (error: unknown) => {
        const reply: WorkerReply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
        port.postMessage(reply);
      },
    );
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
}
