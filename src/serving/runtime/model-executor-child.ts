/**
 * The body of a model executor process (see model-executor.ts): one onnxruntime session, runs what the server sends.
 * Whatever a model does here — a loop that never ends, an output that makes V8 abort, a native crash — ends this
 * process at worst, never the server. Leaves as soon as the server's channel closes.
 */
import * as ort from "onnxruntime-node";
import type { TensorMap } from "../tensor.js";
import type { ExecutorReply, ExecutorRequest, RunRequest } from "./executor-messages.js";
import { fromOrtOutputs, toOrtFeeds } from "./ort-tensors.js";
import { ortSessionOptions } from "./session-options.js";

const send = (reply: ExecutorReply): void => {
  process.send?.(reply);
};

let session: ort.InferenceSession | undefined;

const run = async (request: RunRequest, current: ort.InferenceSession): Promise<void> => {
  try {
    const outputs = await current.run(toOrtFeeds(request.feeds));
    let elements = 0;
    for (const name of current.outputNames) elements += outputs[name]?.size ?? 0;
    if (elements > request.maxOutputElements) {
      const dims = current.outputNames.map((name) => `${name} [${outputs[name]?.dims.join(", ") ?? ""}]`).join(", ");
      send({ type: "too-large", id: request.id, elements, dims });
      return;
    }
    const tensors: TensorMap = fromOrtOutputs(outputs, current.outputNames);
    send({ type: "result", id: request.id, outputs: tensors });
  } catch (error) {
    send({ type: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
};

process.on("message", (request: ExecutorRequest) => {
  if (request.type === "load") {
    ort.InferenceSession.create(request.path, ortSessionOptions(request.settings)).then(
      (created) => {
        session = created;
        send({ type: "ready", inputs: [...created.inputMetadata], outputs: [...created.outputMetadata] });
      },
      (error: unknown) => send({ type: "load-error", message: error instanceof Error ? error.message : String(error) }),
    );
    return;
  }
  if (session === undefined) {
    send({ type: "error", id: request.id, message: "no model loaded" });
    return;
  }
  void run(request, session);
});
process.on("disconnect", () => process.exit(0));
