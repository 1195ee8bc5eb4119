import type { InferenceContext, InferenceResult, ServedModel, ServedModels } from "../served-model.js";
import type { TensorMap } from "../tensor.js";
import type { ServingMetrics } from "./serving-metrics.js";

/**
 * Counts and times every inference, answered or failed, by deployment, version and protocol, without the protocol
 * routes or the deployments knowing about metrics. A failure before a version was chosen (and a request the protocol
 * refused as malformed) is labelled with the version the caller pinned, or "none".
 */
const instrument = (model: ServedModel, metrics: ServingMetrics): ServedModel => {
  const infer = async (feeds: TensorMap, context: InferenceContext): Promise<InferenceResult> => {
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await model.infer(feeds, context);
      metrics.requestInstruments(model.name, result.version, context.protocol).observe(seconds(), true);
      return result;
    } catch (error) {
      metrics.requestInstruments(model.name, context.version ?? "none", context.protocol).observe(seconds(), false);
      throw error;
    }
  };
  const signatureColumns = model.signatureColumns?.bind(model);
  return {
    name: model.name,
    versions: () => model.versions(),
    inputs: (version) => model.inputs(version),
    outputs: (version) => model.outputs(version),
    ...(signatureColumns ? { signatureColumns } : {}),
    ready: (version) => model.ready(version),
    infer,
    refused: (context) => {
      metrics.requestInstruments(model.name, context.version ?? "none", context.protocol).refuse();
      model.refused?.(context);
    },
  };
};

export const instrumentServedModels = (models: ServedModels, metrics: ServingMetrics): ServedModels => {
  const views = new WeakMap<ServedModel, ServedModel>();
  const view = (model: ServedModel): ServedModel => {
    let wrapped = views.get(model);
    if (wrapped === undefined) {
      wrapped = instrument(model, metrics);
      views.set(model, wrapped);
    }
    return wrapped;
  };
  return {
    get: (name) => {
      const model = models.get(name);
      return model === undefined ? undefined : view(model);
    },
    list: () => models.list().map(view),
  };
};
