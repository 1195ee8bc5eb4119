/** The UI's addresses of registry things; names may hold any character, so each part is encoded. */
export const modelPath = (name: string): string => `/models/${encodeURIComponent(name)}`;
export const versionPath = (name: string, version: string): string => `${modelPath(name)}/versions/${encodeURIComponent(version)}`;
export const runPath = (experimentId: string, runId: string): string =>
  `/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;
export const experimentPath = (experimentId: string): string => `/experiments/${encodeURIComponent(experimentId)}`;
export const deploymentPath = (name: string): string => `/deployments/${encodeURIComponent(name)}`;
