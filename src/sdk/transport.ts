import { Readable } from "node:stream";
import { apiErrorFromBody, CairnConnectionError } from "./errors.js";
import { streamRequest } from "./node-http.js";
import {
  backoffDelay,
  isRetryableNetworkError,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  retryPolicy,
  sleep,
  type RetryOptions,
  type RetryPolicy,
} from "./retry.js";
import { encodeWire, toQueryString, type QueryValue } from "./wire.js";

export interface TransportOptions {
  /** Server base URL, e.g. http://127.0.0.1:5000 (a trailing slash is ignored). */
  trackingUri: string;
  /** Sent with every request (e.g. Authorization). */
  headers?: Record<string, string>;
  retry?: RetryOptions;
  /**
   * Longest wait for the answer of one JSON API call, in ms (default 60000; 0 = no limit). Artifact transfers are
   * not limited: their duration depends on their size.
   */
  timeoutMs?: number;
  /** Source of randomness for backoff jitter; tests may fix it. */
  random?: () => number;
}

/**
 * A request body: what fetch accepts (the DOM lib type BodyInit is not loaded in this project), or a Node stream,
 * which is sent through node:http so that it stays streamed.
 */
export type RequestBody = NonNullable<RequestInit["body"]> | Readable;

/** Builds a fresh request body for each attempt, so that a streamed upload can be reopened for a retry. */
export type BodyFactory = () => { body: RequestBody; headers?: Record<string, string> };

export interface RawRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the server root, starting with "/". */
  path: string;
  query?: Record<string, QueryValue>;
  body?: BodyFactory;
  /** False when the body cannot be produced twice (a caller's one-shot stream): one attempt only. */
  retryable?: boolean;
  /** Abort an attempt after this many ms; a GET that timed out is retried, other methods are not (they may have applied). */
  timeoutMs?: number;
}

const MLFLOW_PREFIX = "/api/2.0/mlflow";
/** MLflow's RPCs whose proto says `since: {major: 3}` (v3 traces, assessments) live only under this prefix. */
const MLFLOW_V3_PREFIX = "/api/3.0/mlflow";
/** Cairn's own APIs (audit, governance, webhooks) speak the same JSON style under this prefix. */
const CAIRN_PREFIX = "/api/2.0/cairn";

export type JsonMethod = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * The SDK's one door to the network: base URL, headers, retries, and turning error answers into CairnApiError.
 * Everything above it speaks in endpoint paths and typed messages.
 */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    let url: URL;
    try {
      url = new URL(options.trackingUri);
    } catch {
      throw new TypeError(`trackingUri '${options.trackingUri}' is not a URL (expected e.g. http://127.0.0.1:5000)`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`trackingUri '${options.trackingUri}' must be an http:// or https:// URL`);
    }
    this.baseUrl = options.trackingUri.replace(/\/+$/, "");
    this.headers = { ...options.headers };
    this.policy = retryPolicy(options.retry);
    this.random = options.random ?? Math.random;
    const timeout = options.timeoutMs ?? 60_000;
    if (!Number.isInteger(timeout) || timeout < 0) throw new RangeError(`timeoutMs must be a non-negative integer, got ${timeout}`);
    this.timeoutMs = timeout;
  }

  /** Calls one MLflow JSON endpoint (path below /api/2.0/mlflow/) and returns its parsed response message. */
  call<T>(method: JsonMethod, endpoint: string, message: object = {}): Promise<T> {
    return this.callPath<T>(method, `${MLFLOW_PREFIX}/${endpoint}`, message);
  }

  /** Calls one MLflow JSON endpoint served under /api/3.0/mlflow/ only (v3 traces and assessments). */
  callV3<T>(method: JsonMethod, endpoint: string, message: object = {}): Promise<T> {
    return this.callPath<T>(method, `${MLFLOW_V3_PREFIX}/${endpoint}`, message);
  }

  /** Calls one of Cairn's own JSON endpoints (path below /api/2.0/cairn/), with the same retries and errors. */
  callCairn<T>(method: JsonMethod, endpoint: string, message: object = {}): Promise<T> {
    return this.callPath<T>(method, `${CAIRN_PREFIX}/${endpoint}`, message);
  }

  /** A Cairn GET endpoint whose answer is a document (Markdown, HTML) rather than a JSON message. */
  async getCairnText(endpoint: string, query: Record<string, QueryValue>): Promise<{ text: string; contentType: string }> {
    const path = `${CAIRN_PREFIX}/${endpoint}`;
    const response = await this.send({ method: "GET", path, query, timeoutMs: this.timeoutMs });
    return { text: await this.readText(response, "GET", path), contentType: response.headers.get("content-type") ?? "" };
  }

  private async callPath<T>(method: JsonMethod, path: string, message: object): Promise<T> {
    const request: RawRequest =
      method === "GET"
        ? { method, path, query: message as Record<string, QueryValue>, timeoutMs: this.timeoutMs }
        : {
            method,
            path,
            body: () => ({ body: encodeWire(message), headers: { "content-type": "application/json" } }),
            timeoutMs: this.timeoutMs,
          };
    const response = await this.send(request);
    const text = await this.readText(response, method, path);
    return (text.trim() === "" ? {} : JSON.parse(text)) as T;
  }

  private async readText(response: Response, method: string, path: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw new CairnConnectionError(`reading the answer of ${method} ${path} from ${this.baseUrl} failed: ${(error as Error).message}`, `${method} ${path}`, error);
    }
  }

  /**
   * Sends one request with retries and returns a 2xx response whose body is not yet read (so downloads can stream).
   * A non-2xx answer is read and thrown as CairnApiError.
   */
  async send(request: RawRequest): Promise<Response> {
    const url = `${this.baseUrl}${request.path}${request.query ? toQueryString(request.query) : ""}`;
    const label = `${request.method} ${request.path}`;
    const attempts = request.retryable === false ? 1 : this.policy.retries + 1;
    for (let attempt = 0; ; attempt += 1) {
      const last = attempt + 1 >= attempts;
      const made = request.body?.();
      const init: RequestInit & { duplex?: "half" } = {
        method: request.method,
        headers: { accept: "application/json", ...this.headers, ...made?.headers },
      };
      if (request.timeoutMs) init.signal = AbortSignal.timeout(request.timeoutMs);
      if (made && !(made.body instanceof Readable)) {
        init.body = made.body;
        // Node's fetch needs half-duplex to send a web stream (and accepts it for any body).
        init.duplex = "half";
      }
      let response: Response;
      try {
        response =
          made?.body instanceof Readable
            ? await streamRequest(url, request.method, init.headers as Record<string, string>, made.body)
            : await fetch(url, init);
      } catch (error) {
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        if (!last && (isRetryableNetworkError(error) || (timedOut && request.method === "GET"))) {
          await sleep(backoffDelay(this.policy, attempt, this.random));
          continue;
        }
        const reason = timedOut ? `no answer within ${request.timeoutMs} ms` : describeNetworkError(error);
        throw new CairnConnectionError(`cannot reach ${this.baseUrl} (${label}): ${reason}`, label, error);
      }
      if (response.ok) return response;
      if (!last && RETRYABLE_STATUSES.has(response.status)) {
        await response.body?.cancel();
        await sleep(backoffDelay(this.policy, attempt, this.random, parseRetryAfter(response.headers.get("retry-after"))));
        continue;
      }
      throw apiErrorFromBody(response.status, await response.text(), label);
    }
  }
}

const describeNetworkError = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
};
