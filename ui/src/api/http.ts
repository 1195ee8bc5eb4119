import { authState, markSignedOut } from "../auth/session";
import { declaredUser } from "../identity";

/**
 * The UI's one door to the Cairn API: the browser's fetch against the server that served the page (no other host,
 * ever). The UI uses the /ajax-api prefixes, as MLflow's own UI does, so that a proxy may treat the two differently.
 */

export const MLFLOW_API = "/ajax-api/2.0/mlflow";
/** MLflow serves each RPC under the major version its proto names: v3 traces and assessments live here. */
export const MLFLOW_V3_API = "/ajax-api/3.0/mlflow";
export const CAIRN_API = "/ajax-api/2.0/cairn";
export const ARTIFACTS_API = "/ajax-api/2.0/mlflow-artifacts/artifacts";

/** An error answer of the API, or a failure to reach it, with a message fit to show as is. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** MLflow's error_code, e.g. RESOURCE_DOES_NOT_EXIST. */
    readonly code: string | undefined,
    /** Seconds to wait before asking again, from a 429's Retry-After header. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type QueryValue = string | number | boolean | undefined | readonly (string | number)[];

export const toQuery = (query: Record<string, QueryValue> | undefined): string => {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
};

const describeStatus = (status: number): string =>
  status === 404 ? "not found" : status === 403 ? "not allowed" : status === 401 ? "sign-in required" : status >= 500 ? "the server failed" : `HTTP ${status}`;

const errorFrom = async (response: Response): Promise<ApiError> => {
  let code: string | undefined;
  let message = "";
  try {
    const body = (await response.json()) as { error_code?: unknown; message?: unknown };
    if (typeof body.error_code === "string") code = body.error_code;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status says enough.
  }
  const retryAfter = Number(response.headers.get("retry-after") ?? "");
  return new ApiError(
    message || `Request failed: ${describeStatus(response.status)}`,
    response.status,
    code,
    Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : undefined,
  );
};

/** The one call whose 401 means "wrong password", not "your session is gone". */
const SIGN_IN_PATH = `${CAIRN_API}/auth/sign-in`;

/**
 * The declared, unverified name travels only when the server said sign-in is off: with sign-in on (or before
 * whoami answered) the session cookie, sent by the browser itself, is the only identity.
 */
const identityHeaders = (): Record<string, string> => {
  if (authState().kind !== "off") return {};
  const user = declaredUser();
  return user === undefined ? {} : { "x-cairn-user": user };
};

export const request = async <T>(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown, signal?: AbortSignal): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...identityHeaders(),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError("Cannot reach the Cairn server. Is it running?", 0, undefined);
  }
  if (response.status === 401 && url !== SIGN_IN_PATH) markSignedOut();
  if (!response.ok) throw await errorFrom(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
};

/** GET an MLflow endpoint, e.g. mlflowGet("runs/get", { run_id }). */
export const mlflowGet = <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> =>
  request<T>("GET", `${MLFLOW_API}/${path}${toQuery(query)}`, undefined, signal);

export const mlflowPost = <T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> =>
  request<T>("POST", `${MLFLOW_API}/${path}`, body, signal);

/** GET an MLflow 3.0 endpoint, e.g. mlflowV3Get("traces/tr-..."). */
export const mlflowV3Get = <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> =>
  request<T>("GET", `${MLFLOW_V3_API}/${path}${toQuery(query)}`, undefined, signal);

export const mlflowV3Post = <T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> =>
  request<T>("POST", `${MLFLOW_V3_API}/${path}`, body, signal);

/** GET one of Cairn's own endpoints (audit, governance, deployments, monitors). */
export const cairnGet = <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> =>
  request<T>("GET", `${CAIRN_API}/${path}${toQuery(query)}`, undefined, signal);

export const cairnPost = <T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> =>
  request<T>("POST", `${CAIRN_API}/${path}`, body, signal);

/** Where the browser downloads an artifact stored under mlflow-artifacts:/ (the proxied artifact root). */
export const artifactDownloadUrl = (artifactUri: string, relativePath: string): string | undefined => {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!match) return undefined;
  const base = (match[1] ?? "").replace(/\/+$/, "");
  const full = [base, relativePath].filter((part) => part !== "").join("/");
  return `${ARTIFACTS_API}/${full.split("/").map(encodeURIComponent).join("/")}`;
};
