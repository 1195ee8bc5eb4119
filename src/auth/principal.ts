/**
 * Who an authenticated request is. With `--auth` on, an onRequest hook (authenticate.ts) sets `request.principal`
 * before the body is read (an anonymous client never gets its body parsed); authorization (a preHandler, after the
 * body is parsed, so that resource ids in bodies can be read) checks it against the route's permission rule.
 * With auth off, `request.principal` stays undefined and every route is open, as before (development on loopback).
 */
export interface Principal {
  /** Case-normalized (lower-case) user name: `ADA` and `ada` are one user. */
  username: string;
  isAdmin: boolean;
  /** How the request proved it: HTTP Basic password, Bearer personal access token, UI session cookie, or a trusted
   * reverse proxy's user header. */
  via: "password" | "token" | "session" | "proxy";
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated user; undefined when auth is off (or for the public routes: /health, /version, UI assets). */
    principal?: Principal;
  }
}

/** User names: what MLflow's basic-auth app accepts in practice, bounded, and case-normalized. */
export const normalizeUsername = (name: string): string => name.trim().toLowerCase();
