import type { FastifyInstance, FastifyRequest } from "fastify";
import { CairnError, ErrorCode } from "../core/errors.js";
import { isApiPath } from "../server/web-ui.js";
import { ThrottledError } from "./authenticator.js";
import "./principal.js";

/** What buildApp needs to require authentication (src/server/app.ts `auth`). */
export interface AppAuthentication {
  authenticate(request: FastifyRequest): Promise<import("./principal.js").Principal>;
}

/** Routes that answer without credentials: liveness, version, sign-in, whoami (anonymous too). */
const PUBLIC_PATHS = new Set(["/health", "/version", ...["/api", "/ajax-api"].flatMap((p) => [`${p}/2.0/cairn/auth/sign-in`, `${p}/2.0/cairn/auth/whoami`])]);

/**
 * Public: the routes above and the web UI's files and pages (a GET or HEAD outside the API paths: the sign-in page
 * must load before anyone has signed in; the UI holds no data, every API call it makes is authenticated).
 */
export const isPublicRequest = (request: FastifyRequest): boolean => {
  const pathname = (request.url.split("?")[0] ?? "").replace(/\/+$/, "") || "/";
  if (PUBLIC_PATHS.has(pathname)) return true;
  return (request.method === "GET" || request.method === "HEAD") && !isApiPath(pathname);
};

/**
 * The onRequest hook of `--auth`: runs before the body is read (an anonymous client never gets its body parsed), sets
 * `request.principal` or answers 401 in MLflow's error shape. `WWW-Authenticate: Basic` tells MLflow clients and curl
 * what to send; it is left out for /ajax-api/ (the web UI's calls) so browsers do not pop their own dialog.
 */
export const installAuthentication = (app: FastifyInstance, auth: AppAuthentication): void => {
  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", async (request, reply) => {
    if (isPublicRequest(request)) return;
    try {
      request.principal = await auth.authenticate(request);
    } catch (error) {
      if (error instanceof ThrottledError) {
        void reply.header("retry-after", String(error.retryAfterSeconds));
      } else if (error instanceof CairnError && error.code === ErrorCode.UNAUTHENTICATED && !request.url.startsWith("/ajax-api/")) {
        void reply.header("www-authenticate", 'Basic realm="cairn"');
      }
      throw error;
    }
  });
};
