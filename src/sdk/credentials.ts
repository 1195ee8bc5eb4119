/**
 * The credentials a client sends, chosen as MLflow's client chooses them (mlflow.utils.rest_utils): a user name and
 * password make HTTP Basic; else a token makes `Authorization: Bearer`. Explicit options win over the environment
 * (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD / MLFLOW_TRACKING_TOKEN), so unchanged MLflow setups work.
 */
export interface ClientCredentials {
  username?: string;
  password?: string;
  token?: string;
}

export const credentialsFromEnv = (env: Readonly<Record<string, string | undefined>>): ClientCredentials => ({
  ...(env.MLFLOW_TRACKING_USERNAME ? { username: env.MLFLOW_TRACKING_USERNAME } : {}),
  ...(env.MLFLOW_TRACKING_PASSWORD ? { password: env.MLFLOW_TRACKING_PASSWORD } : {}),
  ...(env.MLFLOW_TRACKING_TOKEN ? { token: env.MLFLOW_TRACKING_TOKEN } : {}),
});

/** The Authorization header value, or undefined when there are no usable credentials. */
export const authorizationOf = (explicit: ClientCredentials, env: Readonly<Record<string, string | undefined>>): string | undefined => {
  const hasExplicit = explicit.username !== undefined || explicit.password !== undefined || explicit.token !== undefined;
  const chosen = hasExplicit ? explicit : credentialsFromEnv(env);
  if (chosen.username && chosen.password) {
    // UTF-8 (curl's and browsers' encoding; the server also accepts python requests' latin-1).
    return `Basic ${Buffer.from(`${chosen.username}:${chosen.password}`, "utf8").toString("base64")}`;
  }
  if (chosen.token) return `Bearer ${chosen.token}`;
  return undefined;
};
