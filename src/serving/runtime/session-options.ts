import type * as ort from "onnxruntime-node";

/** The thread counts of one onnxruntime session (the operator's budget caps what a model asks for: load-model.ts). */
export interface SessionSettings {
  intraOpThreads: number;
  interOpThreads: number;
}

/** How every Cairn session is created (in a model executor process). */
export const ortSessionOptions = (settings: SessionSettings): ort.InferenceSession.SessionOptions => ({
  executionProviders: ["cpu"],
  intraOpNumThreads: settings.intraOpThreads,
  interOpNumThreads: settings.interOpThreads,
  graphOptimizationLevel: "all",
  executionMode: "sequential",
});
