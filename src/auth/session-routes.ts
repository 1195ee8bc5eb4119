import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Fields, type RawFields } from "../protocol/mlflow/fields.js";
import { invalidParameter } from "../core/errors.js";
import { CAIRN_API_PREFIXES } from "../server/mlflow-endpoint.js";
import { ThrottledError } from "./authenticator.js";
import { cookieValue } from "./credentials.js";
import type { Principal } from "./principal.js";
import { SESSION_COOKIE, type RequestAuthentication } from "./request-authentication.js";

export interface SessionRoutesOptions {
  /** Always mark the cookie Secure (`--secure-cookies`); otherwise only when a trusted proxy says the client used https. */
  secureCookies: boolean;
}

const userJson = (principal: Principal) => ({ username: principal.username, is_admin: principal.isAdmin });

const cookie = (value: string, maxAgeSeconds: number, secure: boolean): string =>
  `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;

const bodyFields = (request: FastifyRequest): Fields => {
  const body = request.body;
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalidParameter("The request body must be a JSON object.");
  return new Fields(body as RawFields);
};

/**
 * The UI's sign-in, sign-out and whoami (Cairn's, under /api/2.0/cairn/auth and /ajax-api/2.0/cairn/auth). With auth
 * off only whoami exists, and says so.
 */
export const sessionRoutes =
  (auth: RequestAuthentication | undefined, options: SessionRoutesOptions) =>
  (app: FastifyInstance): void => {
    for (const prefix of CAIRN_API_PREFIXES) {
      app.get(`${prefix}/auth/whoami`, async (request, reply: FastifyReply) => {
        if (auth === undefined) return reply.type("application/json").send({ auth_enabled: false });
        let principal = request.principal;
        if (principal === undefined) {
          try {
            principal = await auth.authenticate(request);
          } catch {
            principal = undefined;
          }
        }
        return reply.type("application/json").send({ auth_enabled: true, ...(principal ? { user: userJson(principal) } : {}) });
      });
      if (auth === undefined) continue;

      app.post(`${prefix}/auth/sign-in`, async (request, reply) => {
        const fields = bodyFields(request);
        const username = fields.requiredString("username");
        const password = fields.requiredString("password");
        try {
          const session = await auth.authenticator.signIn(username, password, auth.clientAddress(request));
          const secure = options.secureCookies || auth.viaTlsProxy(request);
          return reply
            .header("set-cookie", cookie(session.cookie, session.maxAgeSeconds, secure))
            .header("cache-control", "no-store")
            .type("application/json")
            .send({ user: userJson(session.principal) });
        } catch (error) {
          if (error instanceof ThrottledError) void reply.header("retry-after", String(error.retryAfterSeconds));
          throw error;
        }
      });

      app.post(`${prefix}/auth/sign-out`, async (request, reply) => {
        const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
        if (value !== undefined && value !== "") await auth.authenticator.signOut(value);
        const secure = options.secureCookies || auth.viaTlsProxy(request);
        return reply.header("set-cookie", cookie("", 0, secure)).type("application/json").send({});
      });
    }
  };
