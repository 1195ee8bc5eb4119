import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WriteContext } from "../core/actor.js";
import { invalidParameter } from "../core/errors.js";
import { Fields, type RawFields } from "../protocol/mlflow/fields.js";
import { actorNamed, declaredUserOf } from "./request-actor.js";

/**
 * One MLflow-style JSON endpoint: the route reads its fields (query string for GET and DELETE-with-query, JSON body
 * otherwise) and returns the response message. Routes stay thin: parse with Fields, call the service, return.
 */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * A request's context. It is a WriteContext (who, which request), so routes pass it straight to service writes;
 * `actor` is declared by the client and unverified until authentication exists.
 */
export interface RequestContext extends WriteContext {
  /** The declared user name, when the client declared one; the tracking service falls back to it for run user ids. */
  declaredUser?: string;
  /** Declared size of the request body (content-length), for endpoints with a smaller limit than the app's. */
  bodyBytes?: number;
}

/**
 * A body that is not a JSON message (an exported document: text/markdown, text/html...). An endpoint returns it
 * instead of a message object; it is sent as is with its content type.
 */
export class TextResponse {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}

export interface MlflowEndpoint {
  methods: HttpMethod[];
  /** Path below the API prefix, e.g. "runs/log-batch". */
  path: string;
  handle: (fields: Fields, context: RequestContext) => Promise<object> | object;
}

/** MLflow serves every route under both prefixes; the web UI of MLflow uses the second. */
export const MLFLOW_API_PREFIXES = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"] as const;

/** Cairn's own APIs (audit, governance, webhooks...) in the same JSON style and error shape. */
export const CAIRN_API_PREFIXES = ["/api/2.0/cairn", "/ajax-api/2.0/cairn"] as const;

const requestFields = (request: FastifyRequest): Fields => {
  // GET carries fields in the query; MLflow's DELETE registry calls may use either, so merge query under body.
  const query = (request.query ?? {}) as RawFields;
  if (request.method === "GET") return Fields.fromQuery(query);
  const body = request.body;
  if (body === undefined || body === null) return Fields.fromQuery(query);
  if (typeof body !== "object" || Array.isArray(body)) {
    throw invalidParameter("The request body must be a JSON object.");
  }
  return new Fields({ ...query, ...(body as RawFields) });
};

export const registerMlflowEndpoints = (
  app: FastifyInstance,
  endpoints: readonly MlflowEndpoint[],
  prefixes: readonly string[] = MLFLOW_API_PREFIXES,
): void => {
  for (const prefix of prefixes) {
    for (const endpoint of endpoints) {
      app.route({
        method: endpoint.methods,
        url: `${prefix}/${endpoint.path}`,
        handler: async (request, reply) => {
          const declaredUser = declaredUserOf(request.headers);
          const context: RequestContext = {
            requestId: String(request.id),
            actor: actorNamed(declaredUser),
            ...(declaredUser === undefined ? {} : { declaredUser }),
            ...(request.headers["content-length"] ? { bodyBytes: Number(request.headers["content-length"]) } : {}),
          };
          const result = await endpoint.handle(requestFields(request), context);
          if (result instanceof TextResponse) return reply.type(result.contentType).send(result.body);
          return reply.type("application/json").send(result);
        },
      });
    }
  }
};
