import type { FastifyRequest } from "fastify";
import "../auth/principal.js";
import type { IncomingHttpHeaders } from "node:http";
import { ANONYMOUS, type Actor, type WriteContext } from "../core/actor.js";

const MAX_ACTOR_LENGTH = 256;

/** The user a client declares: the `x-cairn-user` header, else HTTP basic auth's user name (what MLflow clients send
 * with MLFLOW_TRACKING_USERNAME). Unverified until authentication exists. */
export const declaredUserOf = (headers: IncomingHttpHeaders): string | undefined => {
  const header = headers["x-cairn-user"];
  if (typeof header === "string" && header.trim() !== "") return header.trim().slice(0, MAX_ACTOR_LENGTH);
  const authorization = headers.authorization;
  if (typeof authorization === "string" && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const user = decoded.split(":", 1)[0]?.trim();
    if (user) return user.slice(0, MAX_ACTOR_LENGTH);
  }
  return undefined;
};

/** The actor of a request whose client declared `name` (or nothing). */
export const actorNamed = (name: string | undefined): Actor => (name === undefined ? ANONYMOUS : { name, verified: false });

/**
 * Who a request acts as. With `--auth` on, the authenticated user (case-normalized, verified: true) and nothing the
 * client declares: `x-cairn-user` and a Basic user name that failed its password never get here (the password is a
 * 401 first). With auth off, the declared name, unverified (development on loopback).
 */
export const actorOfRequest = (request: FastifyRequest): { actor: Actor; declaredUser?: string } => {
  const principal = request.principal;
  if (principal !== undefined) return { actor: { name: principal.username, verified: true }, declaredUser: principal.username };
  const declaredUser = declaredUserOf(request.headers);
  return { actor: actorNamed(declaredUser), ...(declaredUser === undefined ? {} : { declaredUser }) };
};

/** The write context of a raw route (artifact streaming), as MLflow-style endpoints get it through RequestContext. */
export const writeContextOfRequest = (request: FastifyRequest): WriteContext => ({
  actor: actorOfRequest(request).actor,
  requestId: String(request.id),
});
