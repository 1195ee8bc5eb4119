import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CairnError, ErrorCode } from "../core/errors.js";

/**
 * The one place where failures become responses. A CairnError keeps its code and message; fastify's own client
 * errors (bad JSON, too-large body, unsupported media type) become MLflow-shaped 4xx; anything else is an internal
 * fault: logged with its cause, answered with a 500 that shows no internals.
 */
const fromFastifyError = (error: FastifyError): CairnError | undefined => {
  const status = error.statusCode ?? 500;
  if (status >= 500) return undefined;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `Request body exceeds the limit of the endpoint: ${error.message}`, {
      status: 413,
    });
  }
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
}

export const installErrorHandling = (app: FastifyInstance, options: ErrorHandlingOptions = {}): void => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof CairnError ? error : fromFastifyError(error);
    if (known) {
      request.log.debug({ code: known.code }, known.message);
      return reply.status(known.status).type("application/json").send(JSON.stringify(known.toJSON()));
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
    return reply.status(404).type("application/json").send(JSON.stringify(error.toJSON()));
  });
};
