import type { TensorMap, TensorSpec } from "./tensor.js";

/**
 * What the protocol routes (MLflow scoring, Open Inference Protocol) talk to: one named, servable model — a
 * deployment inside `cairn server`, or the single model of `cairn serve`. Behind it sit the runtime session,
 * adaptive batching, traffic policy (canary, shadow), metrics and the prediction log; the routes know none of that.
 */
export type ServingProtocol = "mlflow" | "oip";

export interface InferenceContext {
  requestId: string;
  protocol: ServingProtocol;
  /** A caller-chosen key (e.g. a user id) that keeps a canary split sticky. */
  routingKey?: string;
  /** A version the caller pinned (OIP /versions/{v}); undefined lets the traffic policy choose. */
  version?: string;
}

export interface InferenceResult {
  outputs: TensorMap;
  /** The version that answered. */
  version: string;
  /**
   * Its outputs' specs, taken when it was chosen: a switch may retire that version while the request runs, and the
   * answer must still be encoded in its order (asking the model for a retired version's outputs is a 404).
   */
  outputSpecs?: readonly TensorSpec[];
}

export interface ServedModel {
  readonly name: string;
  /** Versions that can answer now (the primary first). */
  versions(): string[];
  /** Inputs and outputs of the primary version (requests are checked against these). */
  inputs(version?: string): TensorSpec[];
  outputs(version?: string): TensorSpec[];
  /** MLflow's model signature column names, when the model has a signature (dataframe inputs map through them). */
  signatureColumns?(version?: string): string[] | undefined;
  ready(version?: string): boolean;
  infer(feeds: TensorMap, context: InferenceContext): Promise<InferenceResult>;
  /**
   * A request for this model that its protocol refused before inference (a malformed body, a wrong shape or type):
   * it never reaches infer, yet it is a failed request of this model (metrics count it).
   */
  refused?(context: InferenceContext): void;
}

/** Looks a served model up by name (deployment name, or the standalone model's name). */
export interface ServedModels {
  get(name: string): ServedModel | undefined;
  list(): ServedModel[];
}
