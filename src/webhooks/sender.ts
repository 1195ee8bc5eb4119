import { CAIRN_VERSION } from "../core/version.js";
import { signBody } from "./signature.js";
import type { ClaimedDelivery } from "./store.js";

/** The JSON body a receiver gets; rebuilt identically on every attempt from the stored event. */
export const deliveryBody = (delivery: ClaimedDelivery): string =>
  JSON.stringify({
    id: delivery.id,
    type: delivery.eventType,
    time: delivery.event.time,
    actor: delivery.event.actor,
    request_id: delivery.event.requestId,
    payload: delivery.event.payload,
  });

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
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

/**
 * One POST of one delivery. Never throws: every outcome is a result to record. Redirects are not followed (a
 * receiver could otherwise bounce Cairn's request to an address the subscription never named).
 */
export const sendDelivery = async (delivery: ClaimedDelivery, timeoutMs: number, now: number): Promise<AttemptResult> => {
  const body = deliveryBody(delivery);
  const timestamp = Math.floor(now / 1000);
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        "content-type": "application/json",
        "user-agent": `Cairn-Webhooks/${CAIRN_VERSION}`,
        "x-cairn-event": delivery.eventType,
        "x-cairn-delivery": delivery.id,
        "x-cairn-timestamp": String(timestamp),
        "x-cairn-signature": signBody(delivery.secret, timestamp, body),
      },
      body,
    });
    // The body is not needed; release the connection instead of buffering whatever the receiver sends.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
    const redirect = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}${redirect}` };
  } catch (error) {
    return { ok: false, error: describeFailure(error, timeoutMs) };
  }
};
