import type * as ort from "onnxruntime-node";
import type { TensorMap } from "../tensor.js";
import type { SessionSettings } from "./session-options.js";

/** What the server and a model executor process say to each other (over Node's IPC channel, V8-serialized). */
export interface LoadRequest {
  type: "load";
  path: string;
  settings: SessionSettings;
}

export interface RunRequest {
  type: "run";
  id: number;
  feeds: TensorMap;
  /** Outputs holding more elements together are refused from their dims, before they are copied or sent. */
  maxOutputElements: number;
}

export type ExecutorRequest = LoadRequest | RunRequest;

export type ExecutorReply =
  | { type: "ready"; inputs: ort.InferenceSession.ValueMetadata[]; outputs: ort.InferenceSession.ValueMetadata[] }
  | { type: "load-error"; message: string }
  | { type: "result"; id: number; outputs: TensorMap }
  | { type: "error"; id: number; message: string }
  | { type: "too-large"; id: number; elements: number; dims: string };
