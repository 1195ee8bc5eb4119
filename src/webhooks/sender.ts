import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { CAIRN_VERSION } from "../core/version.js";
import { mlflowDelivery, mlflowEventText } from "./mlflow-events.js";
import { signMlflowBody } from "./mlflow-signature.js";
import { signBody } from "./signature.js";
import type { ClaimedDelivery } from "./store.js";
import { TARGET_NOT_ALLOWED, TARGET_UNRESOLVED, type ResolvedAddress, type TargetPolicy } from "./target-policy.js";

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

const describeFailure = (error: unknown): string => {
  if (error instanceof Error) {
    // Socket errors carry a code (ECONNREFUSED, ECONNRESET...) that says what happened.
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
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
  /** The target policy refused the URL: nothing was sent, and nothing about the target is told. */
  refused?: boolean;
}

class AttemptTimeout extends Error {}

/**
 * One POST to a URL the target policy has allowed, connected to the address it checked. Never throws: every outcome
 * is a result. Redirects are not followed (a receiver could otherwise bounce Cairn's request to an address the
 * subscription never named). `timeoutMs` bounds the whole attempt, the answer's body included.
 */
export const postRequest = (request: OutgoingRequest, pinned: ResolvedAddress | undefined, timeoutMs: number, keepBodyChars = 0): Promise<PostResult> =>
  new Promise<PostResult>((resolve) => {
    const url = new URL(request.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let outgoing: ReturnType<typeof send>;
    try {
      outgoing = send(url, {
      method: "POST",
      headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
      // A fresh connection per attempt: a pooled socket would skip the pinned lookup below.
      agent: false,
      // The host name stays in the URL (Host header, TLS server name and certificate check); only the address the
      // socket connects to is fixed to the one that was checked: no second DNS answer can change it.
        ...(pinned !== undefined ? { lookup: pinnedLookup(pinned) } : {}),
      });
    } catch (error) {
      // A header Node refuses (say, a control character) throws before anything is sent.
      resolve({ ok: false, error: describeFailure(error) });
      return;
    }
    const timer = setTimeout(() => outgoing.destroy(new AttemptTimeout()), timeoutMs);
    outgoing.on("error", (error) => {
      finish({ ok: false, error: error instanceof AttemptTimeout ? `timed out after ${timeoutMs} ms` : describeFailure(error) });
    });
    outgoing.on("response", (response) => {
      const status = response.statusCode ?? 0;
      const conclude = (responseBody: string | undefined): void => {
        // The rest of the body is not needed; drop the connection instead of reading whatever the receiver sends.
        response.destroy();
        const kept = responseBody !== undefined ? { responseBody } : {};
        if (status >= 200 && status < 300) return finish({ ok: true, statusCode: status, ...kept });
        const redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
        finish({ ok: false, statusCode: status, error: `HTTP ${status}${redirect}`, ...kept });
      };
      if (keepBodyChars <= 0) return conclude(undefined);
      // At most keepBodyChars characters, read chunk by chunk: a huge answer is never buffered whole.
      response.setEncoding("utf8");
      let text = "";
      response.on("data", (chunk: string) => {
        text += chunk;
        if (text.length >= keepBodyChars) conclude(text.slice(0, keepBodyChars));
      });
      response.on("end", () => conclude(text));
      response.on("error", () => conclude(text));
    });
    outgoing.end(request.body);
  });

/** A `lookup` for the socket that answers with the checked address, whatever the name (Node asks with all: true). */
const pinnedLookup =
  (pinned: ResolvedAddress): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };

/** Checks the URL against the policy, then POSTs to the checked address; a refused target is never contacted. */
export const checkedPost = async (request: OutgoingRequest, targets: TargetPolicy, timeoutMs: number, keepBodyChars = 0): Promise<PostResult> => {
  const check = await targets.check(new URL(request.url));
  // A name that does not resolve may resolve later (retried); any other refusal is final and says nothing more.
  if (!check.allowed && check.reason === "unresolved") return { ok: false, error: TARGET_UNRESOLVED };
  if (!check.allowed) return { ok: false, error: TARGET_NOT_ALLOWED, refused: true };
  return postRequest(request, check.pinned, timeoutMs, keepBodyChars);
};

/** One attempt of one delivery, in its webhook's format; `refused` when the target policy refused its URL. */
export const sendDelivery = async (
  delivery: ClaimedDelivery,
  targets: TargetPolicy,
  timeoutMs: number,
  now: number,
): Promise<AttemptResult & { refused?: boolean }> => {
  const request = outgoingRequest(delivery, now);
  if (request === undefined) return { ok: false, error: `event ${delivery.eventType} has no MLflow spelling` };
  const { responseBody: _ignored, ...result } = await checkedPost(request, targets, timeoutMs);
  return result;
};
