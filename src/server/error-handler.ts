import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CairnError, ErrorCode } from "../core/errors.js";

/**
 * Most characters of a message a client gets back. Messages quote the value they refuse, and a client that sends
 * 800 KB must not get 800 KB echoed (nor fill logs and proxies with it). A longer message keeps its start and its
 * end (where "not found" or the reason usually is) and says how long it was.
 */
export const MAX_ERROR_MESSAGE_CHARS = 1000;
const KEPT_TAIL_CHARS = 200;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

export const shortenMessage = (message: string, max: number = MAX_ERROR_MESSAGE_CHARS): string => {
  if (message.length <= max) return message;
  const tailLength = Math.min(KEPT_TAIL_CHARS, Math.floor(max / 5));
  // Never cut a character in half (a surrogate pair).
  let headEnd = max - tailLength;
  if (isHighSurrogate(message.charCodeAt(headEnd - 1))) headEnd -= 1;
  let tailStart = message.length - tailLength;
  if (isLowSurrogate(message.charCodeAt(tailStart))) tailStart += 1;
  return `${message.slice(0, headEnd)}… (${message.length} characters) …${message.slice(tailStart)}`;
};

/** A server folder that must not appear in messages, and what a client sees instead of it. */
export interface HiddenPath {
  /** An absolute folder of the server (the artifact root, a cache). */
  dir: string;
  /** Its client-visible name: `mlflow-artifacts:` for the artifact root, `<model-cache>` for a cache. */
  shownAs: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Replaces every server folder in a message by its client-visible name: `/srv/cairn/artifacts/0/r/a.txt` becomes
 * `mlflow-artifacts:/0/r/a.txt`. Longest folders first, so a folder inside another keeps its own name.
 */
export const hideServerPaths = (message: string, hidden: readonly HiddenPath[]): string => {
  let result = message;
  for (const { dir, shownAs } of [...hidden].sort((a, b) => b.dir.length - a.dir.length)) {
    const root = dir.replace(/[\\/]+$/, "");
    if (root === "") continue;
    // Not inside a longer name (`artifacts2`), but a sentence may end right after the folder.
    result = result.replace(new RegExp(`${escapeRegExp(root)}(?![\\w-]|\\.\\w)`, "g"), () => shownAs);
  }
  return result;
};

/** 413 naming the endpoint's limit, so that a client knows how far to cut its request. */
export const bodyTooLarge = (limit: number): CairnError =>
  new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `Request body exceeds this endpoint's limit of ${limit} bytes.`, { status: 413 });

/**
 * The one place where failures become responses. A CairnError keeps its code and message; fastify's own client
 * errors (bad JSON, too-large body, unsupported media type) become MLflow-shaped 4xx; anything else is an internal
 * fault: logged with its cause, answered with a 500 that shows no internals.
 */
const fromFastifyError = (error: FastifyError, request: FastifyRequest): CairnError | undefined => {
  const status = error.statusCode ?? 500;
  if (status >= 500) return undefined;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return bodyTooLarge(request.routeOptions.bodyLimit);
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return new CairnError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, error.message);
  }
  if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
    return new CairnError(ErrorCode.MALFORMED_REQUEST, `Malformed JSON request body: ${error.message}`);
  }
  return new CairnError(ErrorCode.BAD_REQUEST, error.message, { status });
};

export interface ErrorHandlingOptions {
  /** Gets first say on a request no route matched (the web UI answers a browser's page requests). */
  notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean;
  /** Server folders replaced by their client-visible names in every message (see hideServerPaths). */
  hiddenPaths?: readonly HiddenPath[];
}

export const installErrorHandling = (app: FastifyInstance, options: ErrorHandlingOptions = {}): void => {
  const hiddenPaths = options.hiddenPaths ?? [];
  const clientBody = (error: CairnError): string =>
    JSON.stringify({ error_code: error.code, message: shortenMessage(hideServerPaths(error.message, hiddenPaths)) });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof CairnError ? error : fromFastifyError(error, request);
    if (known) {
      request.log.debug({ code: known.code }, shortenMessage(known.message));
      return reply.status(known.status).type("application/json").send(clientBody(known));
    }
    request.log.error({ err: error }, "internal error");
    const internal = new CairnError(ErrorCode.INTERNAL_ERROR, "Internal server error; see the server log for this request id.");
    return reply
      .status(500)
      .type("application/json")
      .send(JSON.stringify({ ...internal.toJSON(), request_id: String(request.id) }));
  });

  app.setNotFoundHandler((request, reply) => {
    if (options.notFoundFallback?.(request, reply)) return reply;
    const error = new CairnError(ErrorCode.ENDPOINT_NOT_FOUND, `No endpoint ${request.method} ${request.url.split("?")[0]}`);
    return reply.status(404).type("application/json").send(clientBody(error));
  });
};
