/** The UI's addresses under an experiment; every part is encoded, ids included (they come from the wire). */
export const experimentPath = (experimentId: string): string => `/experiments/${encodeURIComponent(experimentId)}`;
export const runPath = (experimentId: string, runId: string): string => `${experimentPath(experimentId)}/runs/${encodeURIComponent(runId)}`;
export const loggedModelsPath = (experimentId: string): string => `${experimentPath(experimentId)}/models`;
export const loggedModelPath = (experimentId: string, modelId: string): string => `${loggedModelsPath(experimentId)}/${encodeURIComponent(modelId)}`;
export const tracesPath = (experimentId: string): string => `${experimentPath(experimentId)}/traces`;
export const tracePath = (experimentId: string, traceId: string): string => `${tracesPath(experimentId)}/${encodeURIComponent(traceId)}`;
