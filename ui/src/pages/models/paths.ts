/**
 * The UI's addresses of registry things; names may hold any character, so each part is encoded. Experiments' and
 * runs' addresses are in ../experiment/experiment-paths.
 */
export const modelPath = (name: string): string => `/models/${encodeURIComponent(name)}`;
export const versionPath = (name: string, version: string): string => `${modelPath(name)}/versions/${encodeURIComponent(version)}`;
export const deploymentPath = (name: string): string => `/deployments/${encodeURIComponent(name)}`;
