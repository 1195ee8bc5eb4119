import { invalidParameter } from "../core/errors.js";
import { DeploymentEventType, MonitorEventType, RegistryEventType } from "../core/events.js";

/** Limits of a subscription's fields; each error names the field and its limit. */
export const MAX_WEBHOOK_NAME_LENGTH = 256;
export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 1000;
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 256;
export const ALL_EVENTS = "*";
export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  ...Object.values(RegistryEventType),
  ...Object.values(MonitorEventType),
  ...Object.values(DeploymentEventType),
];

export const validateName = (name: string): string => {
  const trimmed = name.trim();
  if (trimmed === "") throw invalidParameter("Webhook 'name' must not be empty.");
  if (trimmed.length > MAX_WEBHOOK_NAME_LENGTH) {
    throw invalidParameter(`Webhook 'name' is ${trimmed.length} characters long; at most ${MAX_WEBHOOK_NAME_LENGTH} are allowed.`);
  }
  return trimmed;
};

/**
 * http and https only (no file:, ftp:, data:... which a server-side fetch could be tricked into), and no credentials
 * in the URL: they would be stored and listed in clear, and the signature already authenticates Cairn to the receiver.
 * Which addresses the URL may reach (SSRF) is decided after DNS resolution by the TargetPolicy (target-policy.ts).
 */
export const validateUrl = (url: string): string => {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) {
    throw invalidParameter(`Webhook 'url' is ${url.length} characters long; at most ${MAX_WEBHOOK_URL_LENGTH} are allowed.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidParameter(`Webhook 'url' '${url.slice(0, 200)}' is not an absolute URL.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw invalidParameter(`Webhook 'url' must use http or https, not '${parsed.protocol.replace(/:$/, "")}'.`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw invalidParameter("Webhook 'url' must not contain credentials (user:password@); receivers verify the X-Cairn-Signature instead.");
  }
  if (parsed.hostname === "") throw invalidParameter("Webhook 'url' must name a host.");
  return url;
};

/** Known event types or "*" alone; duplicates are dropped, order kept. */
export const validateEvents = (events: readonly string[]): string[] => {
  if (events.length === 0) {
    throw invalidParameter(`Webhook 'events' must list at least one event type (${WEBHOOK_EVENT_TYPES.join(", ")}) or "*".`);
  }
  const unique = [...new Set(events)];
  for (const event of unique) {
    if (event !== ALL_EVENTS && !WEBHOOK_EVENT_TYPES.includes(event)) {
      throw invalidParameter(`Webhook 'events' contains unknown event type '${event.slice(0, 100)}'; known: ${WEBHOOK_EVENT_TYPES.join(", ")}, or "*".`);
    }
  }
  if (unique.includes(ALL_EVENTS) && unique.length > 1) {
    throw invalidParameter(`Webhook 'events' ["*"] already matches every event; list "*" alone or named types only.`);
  }
  return unique;
};

export const validateSecret = (secret: string): string => {
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    throw invalidParameter(
      `Webhook 'secret' is ${secret.length} characters long; it must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters.`,
    );
  }
  return secret;
};

export const validateDescription = (description: string): string => {
  if (description.length > MAX_WEBHOOK_DESCRIPTION_LENGTH) {
    throw invalidParameter(
      `Webhook 'description' is ${description.length} characters long; at most ${MAX_WEBHOOK_DESCRIPTION_LENGTH} are allowed.`,
    );
  }
  return description;
};

/**
 * MLflow's API takes any secret (and none: its deliveries are then unsigned), so that the MLflow client's code runs
 * unchanged; only the upper bound of Cairn's own secrets applies. "" means no secret.
 */
export const validateMlflowSecret = (secret: string): string => {
  if (secret.length > MAX_SECRET_LENGTH) {
    throw invalidParameter(`Webhook 'secret' is ${secret.length} characters long; at most ${MAX_SECRET_LENGTH} are allowed.`);
  }
  return secret;
};
