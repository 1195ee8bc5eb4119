/**
 * Who is making a request. Until authentication exists every actor is declared by the client (a header, HTTP basic
 * auth's user name, or MLflow's user id) and marked unverified, so that the audit trail never claims more than it knows.
 */
export interface Actor {
  name: string;
  verified: boolean;
}

export const ANONYMOUS: Actor = { name: "anonymous", verified: false };

/** What every write carries into the services: who, and which request (for the audit trail and webhooks). */
export interface WriteContext {
  actor: Actor;
  requestId: string;
}

/** For writes that do not come from a request (start-up, background work, tests). */
export const systemContext = (requestId = "system"): WriteContext => ({ actor: { name: "cairn", verified: true }, requestId });
