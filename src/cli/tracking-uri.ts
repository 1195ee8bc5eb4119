/**
 * The server a command talks to: --tracking-uri, then CAIRN_TRACKING_URI, then MLFLOW_TRACKING_URI (so a shell set
 * up for MLflow works unchanged), then the default address of `cairn server`.
 */
export const DEFAULT_TRACKING_URI = "http://127.0.0.1:5000";

export const resolveTrackingUri = (flag: string | undefined, env: NodeJS.ProcessEnv): string => {
  for (const candidate of [flag, env.CAIRN_TRACKING_URI, env.MLFLOW_TRACKING_URI]) {
    if (candidate !== undefined && candidate.trim() !== "") return candidate.trim();
  }
  return DEFAULT_TRACKING_URI;
};

/** Which setting named the server, for an error about its value. */
export const trackingUriSource = (flag: string | undefined, env: NodeJS.ProcessEnv): string => {
  const named: Array<[string | undefined, string]> = [
    [flag, "--tracking-uri"],
    [env.CAIRN_TRACKING_URI, "CAIRN_TRACKING_URI"],
    [env.MLFLOW_TRACKING_URI, "MLFLOW_TRACKING_URI"],
  ];
  return named.find(([value]) => value !== undefined && value.trim() !== "")?.[1] ?? "the default";
};
