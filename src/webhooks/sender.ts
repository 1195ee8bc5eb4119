import { CAIRN_VERSION } from "../core/version.js";
import { mlflowDelivery, mlflowEventText } from "./mlflow-events.js";
import { signMlflowBody } from "./mlflow-signature.js";
import { signBody } from "./signature.js";
import type { ClaimedDelivery } from "./store.js";

/** The JSON body a Cairn-format receiver gets; rebuilt identically on every attempt from the stored event. */
export const deliveryBody = (delivery: ClaimedDelivery): string =>
  JSON.stringify({
    id: delivery.id,
    type: delivery.eventType,
    time: delivery.event.time,
    actor: delivery.event.actor,
    request_id: delivery.event.requestId,
    payload: delivery.event.payload,
  });

/**
 * ISO 8601 in UTC as Python's datetime.isoformat() writes it ("2024-11-26T16:00:00.123000+00:00"), which is what
 * MLflow's receivers parse (datetime.fromisoformat before Python 3.11 refuses a trailing "Z").
 */
export const pythonIsoTimestamp = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}000+00:00`;

/**
 * MLflow's envelope: {entity, action, timestamp, data}. The timestamp is the event's time (MLflow stamps the send
 * time), so that every retry of a delivery carries the same body; X-MLflow-Timestamp says when this attempt left.
 */
export const mlflowEnvelope = (entity: string, action: string, timeMs: number, data: Record<string, unknown>): string =>
  JSON.stringify({ entity, action, timestamp: pythonIsoTimestamp(timeMs), data });

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
}

/** One HTTP request as it leaves: the same for an event delivery and for the MLflow API's test call. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const describeFailure = (error: unknown, timeoutMs: number): string => {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return `timed out after ${timeoutMs} ms`;
    // fetch wraps the socket error ("fetch failed"); its cause says what happened (ECONNREFUSED, ENOTFOUND...).
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    if (cause && typeof cause.code === "string") return `${cause.code}${typeof cause.message === "string" ? `: ${cause.message}` : ""}`;
    if (cause && typeof cause.message === "string") return cause.message;
    return error.message;
  }
  return String(error);
};

const userAgent = { "user-agent": `Cairn-Webhooks/${CAIRN_VERSION}` };

/** X-MLflow-* headers; no signature when the webhook has no secret, as MLflow does. */
export const mlflowHeaders = (deliveryId: string, timestampSeconds: number, secret: string, body: string): Record<string, string> => ({
  "content-type": "application/json",
  ...userAgent,
  "x-mlflow-delivery-id": deliveryId,
  "x-mlflow-timestamp": String(timestampSeconds),
  ...(secret !== "" ? { "x-mlflow-signature": signMlflowBody(secret, deliveryId, timestampSeconds, body) } : {}),
});

/** The request for one attempt of a delivery, in the format of its webhook; undefined if the event cannot be said. */
export const outgoingRequest = (delivery: ClaimedDelivery, now: number): OutgoingRequest | undefined => {
  const timestamp = Math.floor(now / 1000);
  if (delivery.format === "mlflow") {
    const mapped = mlflowDelivery(delivery.eventType, delivery.event.payload);
    if (mapped === undefined) return undefined;
    const text = mlflowEventText(mapped.event);
    const body = mlflowEnvelope(text.entity, text.action, delivery.event.time, mapped.data);
    return { url: delivery.url, headers: mlflowHeaders(delivery.id, timestamp, delivery.secret, body), body };
  }
  const body = deliveryBody(delivery);
  return {
    url: delivery.url,
    headers: {
      "content-type": "application/json",
      ...userAgent,
      "x-cairn-event": delivery.eventType,
      "x-cairn-delivery": delivery.id,
      "x-cairn-timestamp": String(timestamp),
      "x-cairn-signature": signBody(delivery.secret, timestamp, body),
    },
    body,
  };
};

/** What a POST got back; the body only when asked for (the test call shows a bounded prefix of it). */
export interface PostResult extends AttemptResult {
  responseBody?: string;
}

/**
 * One POST. Never throws: every outcome is a result. Redirects are not followed (a receiver could otherwise bounce
 * Cairn's request to an address the subscription never named).
 */
export const postRequest = async (request: OutgoingRequest, timeoutMs: number, keepBodyChars = 0): Promise<PostResult> => {
  try {
    const response = await fetch(request.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: request.headers,
      body: request.body,
    });
    const responseBody = keepBodyChars > 0 ? await readPrefix(response, keepBodyChars) : undefined;
    // The rest of the body is not needed; release the connection instead of buffering whatever the receiver sends.
    await response.body?.cancel().catch(() => undefined);
    const kept = responseBody !== undefined ? { responseBody } : {};
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status, ...kept };
    const redirect = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}${redirect}`, ...kept };
  } catch (error) {
    return { ok: false, error: describeFailure(error, timeoutMs) };
  }
};

/** At most `chars` characters of the response, read chunk by chunk: a huge answer is never buffered whole. */
const readPrefix = async (response: Response, chars: number): Promise<string> => {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < chars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.length > chars ? text.slice(0, chars) : text;
};

/** One attempt of one delivery, in its webhook's format. */
export const sendDelivery = async (delivery: ClaimedDelivery, timeoutMs: number, now: number): Promise<AttemptResult> => {
  const request = outgoingRequest(delivery, now);
  if (request === undefined) return { ok: false, error: `event ${delivery.eventType} has no MLflow spelling` };
  const { responseBody: _ignored, ...result } = await postRequest(request, timeoutMs);
  return result;
};
