import type { FastifyRequest } from "fastify";
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

/** The write context of a raw route (artifact streaming), as MLflow-style endpoints get it through RequestContext. */
export const writeContextOfRequest = (request: FastifyRequest): WriteContext => ({
  actor: actorNamed(declaredUserOf(request.headers)),
  requestId: String(request.id),
});
