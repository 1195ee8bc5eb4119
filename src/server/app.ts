import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from "fastify";
import { randomUUID } from "node:crypto";
import { CairnError, ErrorCode } from "../core/errors.js";
import { installErrorHandling, shortenMessage, type HiddenPath } from "./error-handler.js";
import { parseWireBody, stringifyWire } from "./json.js";
import type { MlflowEndpoint } from "./mlflow-endpoint.js";
import { CAIRN_API_PREFIXES, registerMlflowEndpoints } from "./mlflow-endpoint.js";
import { installRequestChecks, requireJsonContentType, type RequestOriginOptions } from "./request-origin.js";
import { registerWebUi } from "./web-ui.js";
import { installAuthentication, type AppAuthentication } from "../auth/authenticate-hook.js";

/** Largest JSON body any MLflow endpoint accepts (log-batch's 1 MB limit plus envelope). */
export const JSON_BODY_LIMIT = 2 * 1024 * 1024;

/** A domain contributes MLflow-style endpoints and, where it needs raw HTTP (artifact streaming), a plugin. */
export interface DomainRoutes {
  /** MLflow-compatible endpoints, under /api/<apiVersion>.0/mlflow and /ajax-api/<apiVersion>.0/mlflow. */
  endpoints?: readonly MlflowEndpoint[];
  /** Cairn's own endpoints in the same style, under /api/2.0/cairn and /ajax-api/2.0/cairn. */
  cairnEndpoints?: readonly MlflowEndpoint[];
  plugin?: (app: FastifyInstance) => Promise<void> | void;
}

export interface AppOptions {
  version: string;
  domains: readonly DomainRoutes[];
  logger?: FastifyServerOptions["logger"];
  /** The built web UI to serve at `/` (see web-ui.ts); none for API-only apps such as `cairn serve`. */
  webUiDir?: string;
  /** Liveness beyond the process: the store answers. */
  healthCheck?: () => Promise<void>;
  /** Host and Origin checks (see request-origin.ts); always on, with the loopback names allowed by default. */
  requestChecks?: RequestOriginOptions;
  /** Server folders that error messages name by their client-visible names instead (see error-handler.ts). */
  hiddenPaths?: readonly HiddenPath[];
  /** `--auth`: an onRequest hook sets request.principal or answers 401 (src/auth/authenticate-hook.ts). */
  auth?: AppAuthentication;
}

export const buildApp = async (options: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: JSON_BODY_LIMIT,
    // One access line per request would cost the hot write paths more than the writes themselves: requests are
    // logged by the onResponse hook below, failures always, the rest at debug level.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    // MLflow clients put int64 ids and repeated keys in query strings; keep them as strings and arrays.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // A URL that cannot be decoded (`%zz`) is the client's fault: answer in MLflow's error shape like every 4xx.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
      const body = new CairnError(ErrorCode.BAD_REQUEST, shortenMessage(`Malformed request URL: ${error.message}`)).toJSON();
      void (reply as FastifyReply).status(status).type("application/json").send(JSON.stringify(body));
    },
  });

  installRequestChecks(app, options.requestChecks);
  if (options.auth) installAuthentication(app, options.auth);
  // MLflow's server decodes any body as JSON whatever its content type (Flask get_json(force=True)); Cairn does
  // for reads, but a state-changing body must be application/json, so that a cross-site "simple request" (text/plain,
  // form) is refused (request-origin.ts). Raw-body routes (artifact uploads, scoring) register their own parsers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    // A request no route matched is ENDPOINT_NOT_FOUND whatever its body (a protobuf POST to an unknown path too):
    // MLflow's clients fall back from a v3 route to its v2 spelling only on that code.
    if (request.is404) {
      done(null, undefined);
      return;
    }
    try {
      requireJsonContentType(request);
    } catch (error) {
      done(error as CairnError, undefined);
      return;
    }
    try {
      done(null, parseWireBody(body as string));
    } catch (error) {
      done(new CairnError(ErrorCode.MALFORMED_REQUEST, `Malformed JSON request body: ${(error as Error).message}`), undefined);
    }
  });
  app.setReplySerializer((payload) => stringifyWire(payload));
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", String(request.id));
  });
  app.addHook("onResponse", async (request, reply) => {
    const status = reply.statusCode;
    const level = status >= 500 ? "error" : status >= 400 ? "info" : "debug";
    request.log[level]({ method: request.method, url: request.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 }, "request");
  });

  const webUi = options.webUiDir ? await registerWebUi(app, options.webUiDir) : undefined;
  installErrorHandling(app, { ...(webUi ? { notFoundFallback: webUi.servePage } : {}), ...(options.hiddenPaths ? { hiddenPaths: options.hiddenPaths } : {}) });

  app.get("/health", async (_request, reply) => {
    if (options.healthCheck) await options.healthCheck();
    return reply.type("text/plain").send("OK");
  });
  app.get("/version", async (_request, reply) => reply.type("text/plain").send(options.version));

  for (const domain of options.domains) {
    if (domain.endpoints) registerMlflowEndpoints(app, domain.endpoints);
    if (domain.cairnEndpoints) registerMlflowEndpoints(app, domain.cairnEndpoints, () => CAIRN_API_PREFIXES);
    if (domain.plugin) await app.register(async (scope) => domain.plugin?.(scope));
  }
  await app.ready();
  return app;
};
